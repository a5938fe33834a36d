"""Glossary tooltips: explain a term at its first use on each page.

The glossary (docs/includes/glossary.md) is a list of abbr definitions that
pymdownx.snippets appends to every page; Python-Markdown's abbr then marks every
occurrence of every term, and Material mounts a tooltip for each mark. A reader
needs the explanation once per page, and every tooltip costs script time when the
page loads (Lighthouse's Total Blocking Time), so :func:`first_use_only` keeps the
first ``<abbr>`` of each term on a page and turns later ones back into plain text.
HTML that we write ourselves and keep out of Python-Markdown gets the same marks
from :func:`mark_terms`.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

ABBR = re.compile(r'<abbr title="[^"]*">(?P<term>[^<]*)</abbr>')
DEFINITION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<title>.*?)\s*$")
TAG = re.compile(r"(<[^>]*>)")
SKIP_INSIDE = {"abbr", "code", "pre", "script", "style", "textarea"}


def first_use_only(page_html: str) -> str:
    seen: set[str] = set()

    def keep_first(m: re.Match) -> str:
        if m["term"] in seen:
            return m["term"]
        seen.add(m["term"])
        return m[0]

    return ABBR.sub(keep_first, page_html)


def glossary_files(mdx_configs: dict) -> list[Path]:
    """The files pymdownx.snippets appends to every page, resolved as it resolves them."""
    conf = (mdx_configs or {}).get("pymdownx.snippets") or {}
    bases = conf.get("base_path", ["."])
    bases = [bases] if isinstance(bases, str) else bases
    found = []
    for name in conf.get("auto_append", []) or []:
        for base in bases:
            path = Path(os.path.abspath(base)) / name
            if path.is_file():
                found.append(path)
                break
    return found


def load_definitions(paths: list[Path]) -> dict[str, str]:
    """``*[TERM]: explanation`` lines (abbr's syntax); a later file wins, as in abbr."""
    terms: dict[str, str] = {}
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            check_line(line, path, number)
            m = DEFINITION.match(line)
            if m:
                terms[m["term"]] = m["title"]
    return terms


def check_line(line: str, path: Path, number: int) -> None:
    """A glossary line is data: an abbr definition of plain words, or blank.

    The file is appended to every page as Markdown, so any other line would be
    page content (raw HTML included); and Material shows an explanation by
    writing it into the page as HTML (its tooltips), so ``<`` and ``>`` are
    refused rather than escaped.
    """
    if not line.strip():
        return
    where = f"{_label(path)}:{number}"
    if not DEFINITION.match(line):
        raise PluginError(f"{where}: not a glossary entry; every line must be '*[TERM]: explanation' (or blank)")
    if "<" in line or ">" in line:
        raise PluginError(f"{where}: '<' or '>' in a glossary entry; the glossary is plain text: write the words without markup")


def _label(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _attribute(value: str) -> str:
    """An attribute value escaped as Python-Markdown's serializer escapes it."""
    return html.escape(value, quote=False).replace('"', "&quot;").replace("\n", "&#10;")


def mark_terms(fragment: str, definitions: dict[str, str]) -> str:
    """Wrap each glossary term in the text of ``fragment`` (HTML) in ``<abbr title>``.

    The rule of Python-Markdown's abbr (terms between word boundaries, the
    longest first), for HTML that does not pass through Python-Markdown
    (site/held_html.py). Text inside code and existing marks is left alone, as
    are tags and their attributes.
    """
    if not definitions:
        return fragment
    terms = sorted(definitions, key=len, reverse=True)
    rx = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b")
    out, skip = [], []
    for part in TAG.split(fragment):
        if part.startswith("<"):
            m = re.match(r"<(/?)([a-zA-Z0-9]+)", part)
            if m and m[2].lower() in SKIP_INSIDE and not part.endswith("/>"):
                if m[1]:
                    if skip:
                        skip.pop()
                else:
                    skip.append(m[2].lower())
            out.append(part)
        elif skip or not part:
            out.append(part)
        else:
            out.append(rx.sub(lambda m: f'<abbr title="{_attribute(definitions[m[0]])}">{m[0]}</abbr>'
                              if definitions[m[0]] else m[0], part))
    return "".join(out)
