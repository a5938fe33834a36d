"""Glossary tooltips: explain a term at its first use on each page.

The glossary (docs/includes/glossary.md) is a list of abbr definitions that
pymdownx.snippets appends to every page; Material mounts a tooltip for each
``<abbr>`` mark. A reader needs the explanation once per page, and every tooltip
costs script time when the page loads (Lighthouse's Total Blocking Time), so a
term is marked at its first use on a page only:

* in Markdown, Python-Markdown's abbr marks every occurrence; our extension
  (:class:`FirstUseExtension`, added by the plugin in ``on_config``) replaces its
  Treeprocessor with :class:`FirstUseAbbrTreeprocessor`, abbr's own rule applied to
  the first occurrence of each term in document order only, so later uses are
  never marked (a paper page needs nothing more);
* HTML that we write ourselves and keep out of Python-Markdown gets the same marks
  from :func:`mark_terms` (site/held_html.py, topic pages), and
  :func:`first_use_only` turns marks after a term's first on the finished page back
  into plain text (pages that hold such HTML).

The marks are read with :mod:`policy_reader.page.rendered` (the one reader of the
rendered page).
"""

from __future__ import annotations

import html
import os
import re
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Callable, Iterator

from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrTreeprocessor
from markdown.util import AtomicString
from mkdocs.exceptions import PluginError

from policy_reader.page import rendered

DEFINITION = re.compile(r"^\*\[(?P<term>[^\]]+)\]:\s*(?P<title>.*?)\s*$")


def first_use_only(page_html: str, seen: set[str] | None = None) -> str:
    """``page_html`` with each term's marks after its first turned back into text
    (``seen``: terms already marked earlier on the page; updated)."""
    seen = set() if seen is None else seen
    out, pos = [], 0
    for m in rendered.abbrs(page_html):
        if m["term"] in seen:
            out.append(page_html[pos:m.start()])
            out.append(m["term"])
            pos = m.end()
        else:
            seen.add(m["term"])
    if not out:
        return page_html
    out.append(page_html[pos:])
    return "".join(out)


class FirstUseAbbrTreeprocessor(AbbrTreeprocessor):
    """Python-Markdown's abbr, marking the first use of each term on a page only.

    The same terms (abbr's regular expression: the longest first, between word
    boundaries), the same texts (not code, not an existing mark: AtomicString), the
    same ``<abbr title>`` element; the page is walked in document order (an element's
    text, then each child and its tail) and a term once marked is left as text after.
    What abbr followed by :func:`first_use_only` gave, without the marks it removed.
    """

    def run(self, root: etree.Element) -> None:
        if not self.abbrs:
            return
        self.RE, self._candidate = _first_use_patterns(tuple(self.abbrs))
        self._seen: set[str] = set()
        # Terms that can still be marked: defined with an explanation (a term defined as "" never
        # is) and somewhere in the page's text (a text that matches a term holds it, and every text
        # is in the joined texts). None left: nothing changes, the walk ends.
        every_text = "".join(root.itertext())
        if next(root.iter(etree.Comment), None) is not None or next(root.iter(etree.ProcessingInstruction), None) is not None:
            every_text = None  # itertext may pass over their text (ElementTree's Python version): every term counts
        self._left = sum(1 for term, title in self.abbrs.items() if title and (every_text is None or term in every_text))
        if self._left:
            self._walk(root)

    def _split(self, text: str) -> tuple[str, list[etree.Element]]:
        """(text before the first new mark, the new marks with the text after each as tail)."""
        head, marks, pos = text, [], 0
        for m in self.RE.finditer(text):
            term = m.group(0)
            if term in self._seen or not self.abbrs[term]:
                continue
            self._seen.add(term)
            self._left -= 1
            piece = text[pos:m.start()]
            if marks:
                marks[-1].tail = piece
            else:
                head = piece
            marks.append(self.create_element(self.abbrs[term], term, None))
            pos = m.end()
        if marks:
            marks[-1].tail = text[pos:]
        return head, marks

    def _walk(self, el: etree.Element) -> None:
        # A text is split only where a term may start (``_candidate``: the terms without abbr's
        # leading \b, found at least wherever abbr's expression matches), and the walk ends once
        # every term is marked: the same marks, most texts passed over by one C call.
        if not self._left:
            return
        candidate = self._candidate
        children = list(el)
        text = el.text
        if text and not isinstance(text, AtomicString) and candidate(text) is not None:
            el.text, marks = self._split(text)
            for i, mark in enumerate(marks):
                el.insert(i, mark)
        for child in children:
            if not self._left:
                return
            self._walk(child)
            tail = child.tail
            if tail and not isinstance(tail, AtomicString) and candidate(tail) is not None and self._left:
                child.tail, marks = self._split(tail)
                at = list(el).index(child) + 1
                for i, mark in enumerate(marks):
                    el.insert(at + i, mark)


_FIRST_USE: dict[tuple[str, ...], tuple[re.Pattern, Callable]] = {}


def _first_use_patterns(terms: tuple[str, ...]) -> tuple[re.Pattern, Callable]:
    """abbr's expression of ``terms`` (the longest first, between word boundaries) and the
    ``search`` of the same without its leading ``\\b`` (every match of the first starts a match
    of the second), made once per set of terms (every page of a build has the glossary's)."""
    got = _FIRST_USE.get(terms)
    if got is None:
        alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        if len(_FIRST_USE) > 64:
            _FIRST_USE.clear()
        got = _FIRST_USE[terms] = (re.compile(f"\\b(?:{alternatives})\\b"), re.compile(f"(?:{alternatives})\\b").search)
    return got


class FirstUseExtension(Extension):
    """Replaces abbr's Treeprocessor (same name and priority) when abbr is in use; does
    nothing otherwise. Must come after abbr in the list of extensions (the plugin appends it)."""

    def extendMarkdown(self, md):
        if "abbr" in md.treeprocessors:
            abbr = md.treeprocessors["abbr"]
            if type(abbr) is AbbrTreeprocessor:
                # 7: abbr's documented priority (its extendMarkdown's table).
                md.treeprocessors.register(FirstUseAbbrTreeprocessor(md, abbr.abbrs), "abbr", 7)


def makeExtension(**kwargs) -> FirstUseExtension:
    """``policy_reader.site.glossary`` as a Markdown extension name."""
    return FirstUseExtension(**kwargs)


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


_terms_rx: tuple[dict[str, str], int, re.Pattern, re.Pattern, bool] | None = None

#: A tag that opens or closes an element whose text is never marked (rendered.SKIP_INSIDE), as
#: rendered.tokens reads a tag's name: a fragment with one is marked part by part (:func:`mark_terms`).
_SKIP_TAG = re.compile(r"<(/?)(?:" + "|".join(sorted(rendered.SKIP_INSIDE)) + r")(?![a-zA-Z0-9])", re.I)


def _terms(definitions: dict[str, str]) -> tuple[re.Pattern, re.Pattern]:
    """abbr's regular expression of the glossary's terms (the longest first), and the same
    without its leading ``\\b``: a pattern that starts with the terms' letters, which the
    re module looks for much faster than it tries a word boundary at every character; kept."""
    global _terms_rx
    if _terms_rx is None or _terms_rx[0] is not definitions or _terms_rx[1] != len(definitions):
        terms = "|".join(re.escape(t) for t in sorted(definitions, key=len, reverse=True))
        whole = not any("<" in t or ">" in t for t in definitions)  # a term never crosses a tag's edge
        _terms_rx = (definitions, len(definitions), re.compile(r"\b(?:" + terms + r")\b"), re.compile("(?:" + terms + r")\b"), whole)
    return _terms_rx[2], _terms_rx[3]


def _finditer(rx: re.Pattern, fast: re.Pattern, text: str) -> Iterator[re.Match]:
    """``rx.finditer(text)``, found faster: ``rx`` is tried only where ``fast`` (``rx``
    without its leading ``\\b``) matches, and every match of ``rx`` is one of ``fast``.
    The leftmost place where ``rx`` matches, then on from the end of its match: the same
    matches (``rx.match`` at a place sees the text before it, for the ``\\b``)."""
    pos = 0
    while (c := fast.search(text, pos)) is not None:
        m = rx.match(text, c.start())
        if m is None:
            pos = c.start() + 1
            continue
        yield m
        pos = m.end()


def _in_tag(text: str, at: int) -> bool:
    """Whether ``at`` lies inside a tag as :data:`policy_reader.page.rendered.TAG` cuts
    ``text`` (``<`` to the next ``>``, leftmost first): after any ``>`` the text is outside
    a tag (a tag holds no ``>`` but its last), and a ``<`` after it opens one when a ``>``
    follows somewhere."""
    lt = text.find("<", text.rfind(">", 0, at) + 1, at)
    return lt != -1 and text.find(">", at) != -1


def mark_terms(fragment: str, definitions: dict[str, str]) -> str:
    """Wrap each glossary term in the text of ``fragment`` (HTML) in ``<abbr title>``.

    The rule of Python-Markdown's abbr (terms between word boundaries, the
    longest first), for HTML that does not pass through Python-Markdown
    (site/held_html.py). Text inside code and existing marks is left alone, as
    are tags and their attributes (:func:`policy_reader.page.rendered.tokens`).

    A fragment without code, scripts or marks (a topic passage) is searched whole,
    matches inside a tag skipped: a term holds no ``<`` or ``>`` (the glossary refuses
    them), so it never runs into a tag, and a text's edges (``>`` before, ``<`` after)
    are word boundaries as the ends of a separate part are; the same marks as part by
    part (tests/test_held_html.py compares both with abbr's expression).
    """
    if not definitions:
        return fragment
    rx, fast = _terms(definitions)
    found = _finditer(rx, fast, fragment)
    first = next(found, None)
    if first is None:  # no term anywhere, not even in a tag: nothing to mark
        return fragment
    if _terms_rx[4] and _SKIP_TAG.search(fragment) is None:
        out, pos = [], 0
        for m in (first, *found):
            at = m.start()
            if _in_tag(fragment, at):
                continue
            title = definitions[m[0]]
            if title:
                out.append(fragment[pos:at])
                out.append(f'<abbr title="{_attribute(title)}">{m[0]}</abbr>')
                pos = m.end()
        if not out:
            return fragment
        out.append(fragment[pos:])
        return "".join(out)
    out = []
    for part, plain in rendered.tokens(fragment):
        if plain:
            pos = 0
            for m in _finditer(rx, fast, part):
                out.append(part[pos:m.start()])
                title = definitions[m[0]]
                out.append(f'<abbr title="{_attribute(title)}">{m[0]}</abbr>' if title else m[0])
                pos = m.end()
            part = part[pos:]
        out.append(part)
    return "".join(out)
