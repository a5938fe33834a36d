"""Write a :class:`Document` as annotated Markdown (pure: model in, text out).

The page: YAML front matter (schema in :mod:`policy_reader.page.schema`), a
"generated" comment, the title, the takeaways and body paragraphs each followed
by its id on its own line (``{: #p-3 .para }``), section headings, the bio,
and ``[@key]`` where the source printed a note number.

Paragraph text is the paper's words and nothing else: every character that
Markdown, HTML, attr_list or mkdocs-bibtex would read as syntax is escaped, so
a source can only ever produce text.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, NamedTuple

from policy_reader.model import Document, Paragraph
from policy_reader.readers.text import NOTE_CLOSE, NOTE_OPEN

GENERATED_MARK = "policy-reader convert"

#: Python-Markdown's own escapable characters that could start syntax in a line.
_BACKSLASH = "\\`*_[]{}#"
#: Characters written as HTML entities: raw HTML, and ``@`` which mkdocs-bibtex
#: would read as a citation inside any brackets.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;"}


def escape_text(text: str) -> str:
    """Escape ``text`` so Markdown renders exactly these characters."""
    out = []
    for ch in text:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASH:
            out.append("\\" + ch)
        else:
            out.append(ch)
    s = "".join(out)
    # Block-level syntax at the start of a line: list markers, numbered lists.
    s = re.sub(r"^([+-])(\s)", r"\\\1\2", s)
    s = re.sub(r"^(\d+)\.(\s)", r"\1\\.\2", s)
    return s


def unescape_text(markdown_text: str) -> str:
    """The words of a block as :func:`escape_text` wrote them: citations dropped,
    escapes undone, white space collapsed."""
    # Each step only where its pattern can match (most blocks have no citation, bold or escape).
    text = CITATION.sub("", markdown_text) if "[@" in markdown_text else markdown_text
    if "**" in text:
        text = _BOLD.sub("", text)  # a transcript's bold speaker label (the text's own * are escaped)
    if "\\" in text:
        text = _ESCAPED.sub(r"\1", text)
    return " ".join(html.unescape(text).split())


_BOLD = re.compile(r"(?<!\\)\*\*")
_ESCAPED = re.compile(r"\\(.)")


def render_paragraph_text(p: Paragraph, keys: dict[int, str]) -> str:
    parts = re.split(f"{NOTE_OPEN}(\\d+){NOTE_CLOSE}", p.text)
    out = [f"**{escape_text(p.speaker)}.** "] if p.speaker else []  # a transcript's turn opens with its speaker
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(escape_text(part))
        else:
            out.append(f"[@{keys[int(part)]}]")
    return "".join(out)


def _attr(pid: str, cls: str, topics: tuple[str, ...]) -> str:
    attrs = [f"#{pid}", f".{cls}"]
    if topics:
        attrs.append(f'data-topics="{" ".join(topics)}"')
    return "{: " + " ".join(attrs) + " }"


#: Paragraph and key takeaway ids: ``p-<number>[letters]``, ``kt-<number>[letters]``
#: (letters for a paragraph added between two others; convert/identity.py).
PARA_ID = re.compile(r"^(?P<prefix>p-|kt-)(?P<number>\d+)(?P<letters>[a-z]*)$")


def parse_id(pid: str) -> tuple[str, int, str] | None:
    """``p-11a`` -> ``("p-", 11, "a")``; None for ids outside the scheme (``bio``)."""
    m = PARA_ID.match(pid)
    return (m["prefix"], int(m["number"]), m["letters"]) if m else None


class Label(NamedTuple):
    """A paragraph's label, the one definition (every other label delegates here)."""

    visible: str  #: the margin, the registry's messages: ``¶ 12``, ``KT 2``, ``bio``
    spoken: str  #: what a screen reader says: ``¶ 12``, ``key takeaway 2``, ``about the author``
    written: str  #: in running text and lists (topic passages, bibliography): ``¶ 12``, ``Key takeaway 2``, ``About the author``


@lru_cache(maxsize=4096)
def labels(pid: str) -> Label:
    """A paragraph's :class:`Label`, read from its id: ``p-11a`` -> ``¶ 11a``, ``kt-2`` -> ``KT 2``
    (spoken and written ``key takeaway 2``, ``Key takeaway 2``), ``bio`` -> ``bio`` (``about the
    author``); an id outside the scheme is its own label.

    The label is the id's number and letters, so it stays on the words exactly as the id does."""
    parsed = parse_id(pid)
    if parsed is None:
        return Label(pid, "about the author", "About the author") if pid == "bio" else Label(pid, pid, pid)
    prefix, number, letters = parsed
    n = f"{number}{letters}"
    if prefix == "p-":
        return Label(f"¶ {n}", f"¶ {n}", f"¶ {n}")
    return Label(f"KT {n}", f"key takeaway {n}", f"Key takeaway {n}")


def label(pid: str) -> str:
    """The label a reader sees and cites: :attr:`Label.visible` of :func:`labels`."""
    return labels(pid).visible


#: The id line :func:`_attr` writes under a block, read back by :func:`read_blocks`.
ATTR_LINE = re.compile(r'^\{: #(?P<id>[A-Za-z][\w-]*) \.(?P<kind>[\w-]+)(?: data-topics="(?P<topics>[^"]*)")? \}$')
CITATION = re.compile(r"\[@[A-Za-z0-9_-]+\]")


@dataclass(frozen=True)
class PageBlock:
    """A block of a generated paper page that carries an id (see :func:`read_blocks`)."""

    id: str
    kind: str  # "para", "takeaway" or "bio"
    topics: tuple[str, ...]
    text: str  # the block's Markdown, as written
    line: int  # 1-based line of the block's first line in the file

    @property
    def words(self) -> str:
        return unescape_text(self.text)


def read_blocks(page_markdown: str) -> list[PageBlock]:
    """Every id-carrying block of a paper page, in order: the one reader of what
    :func:`body` writes (the build's topic pages, bibliography, timeline and the
    permalink registry all read pages through it)."""
    lines = page_markdown.split("\n")
    blocks = []
    for i, line in enumerate(lines):
        m = ATTR_LINE.match(line.strip())
        if not m:
            continue
        start = i
        while start > 0 and lines[start - 1].strip():
            start -= 1
        if start == i:
            continue
        text = "\n".join(lines[start:i]).strip()
        blocks.append(PageBlock(m["id"], m["kind"], tuple((m["topics"] or "").split()), text, start + 1))
    return blocks


def front_matter(doc: Document, digest: str, highlights: str = "") -> dict:
    m = doc.meta
    data = {
        "title": m.title,
        "subtitle": m.subtitle,
        "authors": list(m.authors),
        "date": m.date,
        "publisher": m.publisher,
        "kind": m.kind,
        "series": m.series,
        "number": m.number,
        "source_url": m.url,
        "summary": m.summary,
        "rights": m.rights,
        "slug": m.slug,
        "bib_key": m.bib_key,
        "source": doc.source,
        "paragraphs": len(doc.paragraphs()),
        "highlights": highlights,  # page/highlights.py
        "generated": f"{GENERATED_MARK} sha256:{digest}",
    }
    return {k: v for k, v in data.items() if v not in ("", None)}


def _yaml_value(value) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def body(doc: Document, keys: dict[int, str]) -> str:
    """The Markdown under the front matter (what the hash covers)."""
    m = doc.meta
    lines: list[str] = [
        f"<!-- Generated by {GENERATED_MARK} from {doc.source}. Do not edit: change the source,",
        "     its metadata file or bib/corrections.yaml, then run `make convert`. -->",
        "",
        f"# {escape_text(m.title)}",
        "",
    ]
    if doc.takeaways:
        lines += [f"## {escape_text(doc.takeaways_heading.title())} {{: #key-takeaways }}", ""]
        lines += ['<div class="takeaways" markdown>', ""]
        for t in doc.takeaways:
            lines += [render_paragraph_text(t, keys), _attr(t.id, "takeaway", t.topics), ""]
        lines += ["</div>", ""]
    for section in doc.sections:
        if section.title:
            title = section.title.rstrip(".").strip()
            lines += [f"## {escape_text(title)}", ""]
        for p in section.paragraphs:
            lines += [render_paragraph_text(p, keys), _attr(p.id, "para", p.topics), ""]
    if doc.bio:
        lines += ["---", "", render_paragraph_text(doc.bio, keys), _attr("bio", "bio", ()), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def emit(doc: Document, keys: dict[int, str], highlights: Callable[[list], str] | None = None) -> str:
    """The page. ``highlights``: :func:`policy_reader.page.highlights.record` bound to the
    vocabulary, given the page's ``(id, topics, words)`` as the build reads them back."""
    text = body(doc, keys)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    passages = [(b.id, b.topics, b.words) for b in read_blocks(text) if b.kind in ("para", "takeaway")] if highlights else []
    fm = front_matter(doc, digest, highlights(passages) if any(t for _, t, _ in passages) else "")
    head = ["---"] + [f"{k}: {_yaml_value(v)}" for k, v in fm.items()] + ["---", ""]
    return "\n".join(head) + text
