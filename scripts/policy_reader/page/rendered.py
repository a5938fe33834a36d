"""The rendered page, read once: the one reader of a page's finished HTML.

:mod:`policy_reader.page.markdown` writes and reads the Markdown side of the
page contract (a paragraph, its id line ``{: #p-3 .para data-topics="..." }``).
Python-Markdown turns each such block into ``<p class="para" id="p-3"
data-topics="...">`` (attr_list), headings into ``<h2 id="...">`` (toc), note
markers into ``<sup id="fnref:key">`` (footnotes) and glossary terms into
``<abbr title="...">`` (abbr). Every build step that needs to know where those
are in a page's HTML (search capture, topic chips, ¶ permalinks and cite panels,
generated pages' search sections, glossary marks) asks this module, so the
words of a paragraph and its ¶ label are computed in one place:

* :func:`read` scans a page once and gives its :class:`Block` s in document
  order: paragraphs (``<p>``) and headings (``<h1>`` to ``<h6>``), each with its
  attributes parsed (in any order, any quoting), its id, its kind (``para``,
  ``takeaway``, ``bio``, ``heading`` or None), its topics, its note marks, its
  ¶ :func:`label` and its plain :func:`words`, and the offsets of its opening
  tag, body and closing tag so that a step can rewrite the page with
  :func:`splice` without reading it again;
* :func:`words` is the text of an HTML fragment (note numbers left out), the
  only definition of "the words of a paragraph" on the HTML side (the Markdown
  side's is :attr:`policy_reader.page.markdown.PageBlock.words`);
* :func:`label` is a paragraph's label, visible (``¶ 12``, ``KT 2``) and spoken
  (``¶ 12``, ``key takeaway 2``), read from its id: it delegates to
  :func:`policy_reader.page.markdown.labels`, the one definition;
* :func:`tokens` splits a fragment into tags and text (with whether the text is
  inside code or an existing mark), and :func:`abbrs` finds glossary marks: what
  site/glossary.py reads.

Why one scan of the finished HTML rather than a Python-Markdown Treeprocessor
(as mkdocs-autorefs collects anchors): the steps that read the page run after
Python-Markdown, on HTML that other steps have changed (held HTML released,
mkdocs-bibtex's footnotes cleaned, chips added before the permalinks), and the
rendered HTML of a page is kept in the page cache (site/page_cache.py), so a
Treeprocessor would not run on a cached page and its records would have to be
cached and replayed beside it. The HTML is Python-Markdown's serializer output
(attributes double-quoted, ``<``, ``>``, ``&`` and ``"`` escaped in values, no
``<p>`` inside a ``<p>``) or ours, written the same way; the scan relies on that
and nothing more.
"""

from __future__ import annotations

import html
import re
from typing import Iterator

from policy_reader.page.markdown import Label, labels, parse_id  # noqa: F401  (Label: the type of Block.label)

#: A paragraph or heading with its body: the only block-level pattern of the module. A body
#: is everything up to the first closing tag of its element (what ``.*?</p>`` matches), written
#: as runs of text between "<"s that do not start that tag: the same matches, found some five
#: times faster than by a lazy ``.*?``, which tries the closing tag at every character
#: (tests/test_rendered.py compares both on the pages of the site).
_BLOCK = re.compile(
    r"<(?:(?P<p>p)(?:\s[^>]*)?>(?P<pbody>[^<]*(?:<(?!/p>)[^<]*)*)</p>"
    r"|(?P<h>h[1-6])(?:\s[^>]*)?>(?P<hbody>[^<]*(?:<(?!/(?P=h)>)[^<]*)*)</(?P=h)>)", re.S)
#: One attribute of an opening tag: name, and value double-, single- or un-quoted.
_ATTR = re.compile(r"""\s*(?P<name>[^\s"'>/=]+)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s"'=<>`]+)))?""")
#: Attribute text as Python-Markdown's serializer writes it: each attribute a space, a lower-case
#: name and a double-quoted value without entities (``class="para" id="p-3"``). Such text is read
#: by :data:`_PLAIN_ATTR` in one C call per tag (:func:`parse_attrs`), with what :data:`_ATTR` gives.
_PLAIN_ATTRS = re.compile(r'(?: [a-z][a-z0-9-]*="[^"&]*")*')
_PLAIN_ATTR = re.compile(r' ([a-z][a-z0-9-]*)="([^"&]*)"')
#: A tag (opening, closing, comment): what is not text.
TAG = re.compile(r"<[^>]*>")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
#: A note marker (footnotes extension): its number is not part of the paragraph's words.
_NOTE_MARK = re.compile(r'<sup id="(?P<id>fnref[^"]*)">.*?</sup>', re.S)
_NOTE_KEY = re.compile(r"^fnref\d*:")
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
#: A glossary mark as Python-Markdown's abbr writes it.
ABBR = re.compile(r'<abbr title="[^"]*">(?P<term>[^<]*)</abbr>')
#: Text inside these elements is never a glossary term (code, existing marks, scripts).
SKIP_INSIDE = frozenset({"abbr", "code", "pre", "script", "style", "textarea"})

#: Paragraph kinds carrying a permalink, and the id prefix each must have.
PERMALINKED = {"para": "p-", "takeaway": "kt-"}
_KIND_OF_PREFIX = {prefix: kind for kind, prefix in PERMALINKED.items()}


def label(pid: str) -> Label:
    """A paragraph's label, visible and spoken: :func:`policy_reader.page.markdown.labels`,
    the one definition (``p-12`` -> ``¶ 12``, ``kt-2`` -> ``KT 2`` / ``key takeaway 2``)."""
    return labels(pid)


def words(fragment: str, *, spaced: bool = False) -> str:
    """The words of an HTML fragment: note numbers left out, tags removed, entities
    decoded, white space collapsed. ``spaced``: every tag counts as a space (a region
    of a page, whose list items and cells must stay apart); otherwise tags join
    (a paragraph, whose inline marks sit inside words: ``<abbr>U.N</abbr>.``)."""
    # Each substitution only where its pattern's first characters are (a C test per block: most
    # paragraphs hold no note and many no tag).
    if "<sup" in fragment:
        fragment = _NOTE_MARK.sub("", fragment)
    if "<" in fragment:
        fragment = TAG.sub(" " if spaced else "", fragment)
    return " ".join(html.unescape(fragment).split())


def parse_attrs(attrs: str) -> dict[str, tuple[str, int, int]]:
    """``name -> (value, start, end)``: each attribute of an opening tag's attribute text,
    its value entity-decoded, and the span of the whole attribute (its leading white space
    included) in ``attrs``. The first of a repeated attribute wins, as in browsers."""
    if _PLAIN_ATTRS.fullmatch(attrs):
        plain = {m[1]: (m[2], m.start(), m.end()) for m in _PLAIN_ATTR.finditer(attrs)}
        if len(plain) == attrs.count("="):  # no name repeated (else the first wins: below)
            return plain
    out: dict[str, tuple[str, int, int]] = {}
    for m in _ATTR.finditer(attrs):
        name, dq, sq, uq = m.groups()
        value = dq if dq is not None else sq if sq is not None else uq or ""
        name = name.lower()
        if name not in out:
            out[name] = (html.unescape(value) if "&" in value else value, m.start(), m.end())
    return out


class Block:
    """A ``<p>`` or heading of a rendered page, where it is and what it carries.

    ``tag``: "p", "h1" ... "h6"; offsets in ``page`` (the page's HTML): ``start`` (the
    "<" of the opening tag), ``body_start`` (just after it), ``body_end`` (the "<" of the
    closing tag), ``end`` (just after it). Attributes and kind are read when first asked for.
    """

    __slots__ = ("page", "tag", "start", "body_start", "body_end", "end", "_attrs", "_kind", "_id")

    def __init__(self, page: str, tag: str, start: int, body_start: int, body_end: int, end: int):
        self.page, self.tag, self.start, self.body_start, self.body_end, self.end = page, tag, start, body_start, body_end, end
        self._attrs: dict[str, tuple[str, int, int]] | None = None
        self._kind: str | None | bool = False  # False: not read yet
        self._id: str | None | bool = False  # False: not read yet

    def __repr__(self) -> str:
        return f"Block({self.tag!r}, id={self.id!r}, kind={self.kind!r}, at={self.start})"

    @property
    def attr_text(self) -> str:
        """The opening tag's attribute text as written (leading space included)."""
        return self.page[self.start + 1 + len(self.tag):self.body_start - 1]

    @property
    def attrs(self) -> dict[str, tuple[str, int, int]]:
        """The opening tag's attributes (:func:`parse_attrs`), read when first asked for."""
        if self._attrs is None:
            self._attrs = parse_attrs(self.attr_text)
        return self._attrs

    @property
    def body(self) -> str:
        return self.page[self.body_start:self.body_end]

    def get(self, name: str, default: str | None = None) -> str | None:
        found = self.attrs.get(name)
        return found[0] if found else default

    def attr_source(self, name: str) -> str:
        """The attribute as written in the tag (``' data-topics="a b"'``), or ""."""
        found = self.attrs.get(name)
        return self.attr_text[found[1]:found[2]] if found else ""

    @property
    def id(self) -> str | None:
        if self._id is False:  # asked for by every step of every block: read once
            self._id = self.get("id")
        return self._id

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple((self.get("class") or "").split())

    @property
    def level(self) -> int | None:
        """A heading's level (2 for ``<h2>``); None for a paragraph."""
        return int(self.tag[1]) if self.tag != "p" else None

    @property
    def kind(self) -> str | None:
        """``para`` or ``takeaway`` (a permalinked paragraph: its class and an id of its
        scheme, ``p-N`` or ``kt-N``), ``bio``, ``heading`` (with an id), else None."""
        if self._kind is False:
            self._kind = self._read_kind()
        return self._kind

    def _read_kind(self) -> str | None:
        # asked for every block of every page: the attributes read here directly, as id and classes read them
        attrs = self._attrs if self._attrs is not None else self.attrs
        found = attrs.get("id")
        pid = self._id = found[0] if found else None
        if pid is None:
            return None
        if self.tag != "p":
            return "heading"
        parsed = parse_id(pid)
        if parsed is None:
            return "bio" if pid == "bio" else None
        kind = _KIND_OF_PREFIX.get(parsed[0])
        found = attrs.get("class")
        return kind if found and kind in found[0].split() else None

    @property
    def topics(self) -> tuple[str, ...]:
        """The topic slugs of ``data-topics`` (page contract, page/markdown.py)."""
        return tuple((self.get("data-topics") or "").split())

    @property
    def notes(self) -> tuple[str, ...]:
        """The note keys the body's note markers point to (``<sup id="fnref:key">``, and
        ``fnref2:key`` for a note's second marker), in order: the ``[@key]`` of the page."""
        return tuple(_NOTE_KEY.sub("", m["id"]) for m in _NOTE_MARK.finditer(self.body))

    @property
    def label(self) -> Label:
        return label(self.id or "")

    @property
    def words(self) -> str:
        """The block's words (:func:`words`); a heading's without its ¶ anchor link."""
        body = self.body if self.tag == "p" else _HEADERLINK.sub("", self.body)
        return words(body)


class Rendered:
    """A page's HTML and its blocks, in document order (:func:`read`)."""

    def __init__(self, page_html: str):
        self.html = page_html
        self.blocks: list[Block] = [
            Block(page_html, "p", m.start(), m.start(2), m.end(2), m.end()) if m[1] else
            Block(page_html, m[3], m.start(), m.start(4), m.end(4), m.end())
            for m in _BLOCK.finditer(page_html)
        ]

    def paragraphs(self) -> list[Block]:
        """The permalinked paragraphs and key takeaways."""
        return [b for b in self.blocks if b.tag == "p" and b.kind in PERMALINKED]

    def byline(self) -> Block | None:
        """The paper's byline (``<p class="byline">``, site/library.py), if any."""
        return next((b for b in self.blocks if b.tag == "p" and b.classes == ("byline",)), None)

    def first(self, tag: str) -> Block | None:
        """The first block of this tag (``"h1"``)."""
        return next((b for b in self.blocks if b.tag == tag), None)

    def headings(self, levels: str = "123456") -> list[Block]:
        """Headings with an id, of the given levels."""
        return [b for b in self.blocks if b.tag != "p" and b.tag[1] in levels and b.id is not None]


_last: tuple[str, Rendered] | None = None


def read(page_html: str) -> Rendered:
    """The page's blocks. Steps that read the same page one after the other (search
    capture, then topic chips) share one scan: the last page read is kept."""
    global _last
    if _last is not None and _last[0] is page_html:
        return _last[1]
    found = Rendered(page_html)
    _last = (page_html, found)
    return found


#: An opening tag a block may be given by an edit (:func:`splice_read`): the one :data:`_BLOCK` reads.
_OPEN = {tag: re.compile(rf"<{tag}(?:\s[^>]*)?>") for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6")}
#: A tag that could start a block.
_OPENER = re.compile(r"<(?:p|h[1-6])(?=[\s>])")


def _clean(page: Rendered) -> bool:
    """Whether every tag that could start a block lies inside a block found: nothing else of the
    page is a block that an edit's closing tag could complete (:func:`splice_read`)."""
    blocks, i = page.blocks, 0
    if len(_OPENER.findall(page.html)) == len(blocks):  # each block starts with one: no other (counted in C)
        return True
    for m in _OPENER.finditer(page.html):
        at = m.start()
        while i < len(blocks) and blocks[i].end <= at:
            i += 1
        if i == len(blocks) or blocks[i].start > at:
            return False
    return True


def _moved(b: Block, page_html: str, shift: int, body_shift: int, end_shift: int, same_tag: bool) -> Block:
    """``b`` moved into ``page_html`` (in place: the old page gives its blocks to the new one)."""
    if not same_tag:  # a new opening tag (the chips move data-topics): read again, unless id and class stay
        known = b._attrs is not None and b._kind is not False
        old_id, old_kind, old_class = (b.id, b._kind, b.get("class")) if known else (None, None, None)
        b._attrs, b._kind, b._id = None, False, False
    b.page = page_html
    b.start += shift
    b.body_start += body_shift
    b.body_end += end_shift
    b.end += end_shift
    if not same_tag and known:
        attrs = b.attrs
        if attrs.get("id", (None,))[0] == old_id and attrs.get("class", (None,))[0] == old_class:
            b._kind, b._id = old_kind, old_id
    return b


def _blocks_after_edits(page: Rendered, new_html: str, edits: list[tuple[int, int, str]]) -> list[Block] | None:
    """The blocks :class:`Rendered` would find in ``new_html`` (``page.html`` with ``edits``),
    made from ``page``'s without reading the page again; None when an edit is of a kind this
    cannot follow. Followed: an opening tag replaced by another of the same element, text
    replaced inside a body (the body after holds no closing tag of its element), and any text between
    blocks (read for blocks of its own, which must end before the next block). The page must be
    :func:`_clean`, so that no text outside the edits can begin a block."""
    if not _clean(page):
        return None
    out: list[Block] = []
    n, ei, shift, gap_from = len(edits), 0, 0, 0  # gap_from: where the gap before a block starts, in new_html

    def gap(new_until: int | None) -> bool:
        """Blocks of the edited text between gap_from and new_until (None: the page's end)."""
        pos = gap_from
        while True:
            m = _BLOCK.search(new_html, pos)
            if m is None or (new_until is not None and m.start() >= new_until):
                return True
            if new_until is not None and m.end() > new_until:
                return False
            out.append(Block(new_html, "p", m.start(), m.start(2), m.end(2), m.end()) if m[1] else
                       Block(new_html, m[3], m.start(), m.start(4), m.end(4), m.end()))
            pos = m.end()

    old_end = 0
    for b in page.blocks:
        if ei == n or edits[ei][0] >= b.end:  # nothing before it (since the last block) or in it: moved
            old_end = b.end
            _moved(b, new_html, shift, shift, shift, True)
            out.append(b)
            gap_from = b.end
            continue
        edited_gap = False
        while ei < n and edits[ei][0] >= old_end and edits[ei][1] <= b.start:
            s, e, t = edits[ei]
            shift += len(t) - (e - s)
            edited_gap, ei = True, ei + 1
        if ei < n and edits[ei][0] < b.start:
            return None  # an edit across a block's start
        if edited_gap and not gap(b.start + shift):
            return None
        start_shift = shift
        same_tag = True
        if ei < n and edits[ei][0] == b.start and edits[ei][1] == b.body_start:
            t = edits[ei][2]
            if not _OPEN[b.tag].fullmatch(t):
                return None
            shift += len(t) - (b.body_start - b.start)
            same_tag, ei = False, ei + 1
        body_shift = shift
        edited_body = False
        while ei < n and edits[ei][0] >= b.body_start and edits[ei][1] <= b.body_end:
            s, e, t = edits[ei]
            shift += len(t) - (e - s)
            edited_body, ei = True, ei + 1
        if ei < n and edits[ei][0] < b.end:
            return None  # an edit of a closing tag, or across one
        old_end = b.end
        moved = _moved(b, new_html, start_shift, body_shift, shift, same_tag)
        if edited_body and new_html.find(f"</{b.tag}>", moved.body_start, moved.body_end) != -1:
            return None  # the block would end at it
        out.append(moved)
        gap_from = moved.end
    rest = edits[ei:]
    if any(s < old_end for s, _, _ in rest):
        return None
    if rest and not gap(None):
        return None
    return out


def splice_read(page: Rendered, edits: list[tuple[int, int, str]]) -> str:
    """:func:`splice` of ``page``'s HTML, the edited page's blocks kept for :func:`read`: ``page``'s
    own blocks, moved (offsets shifted, attributes kept where the opening tag is) when the edits
    allow (:func:`_blocks_after_edits`), so that the next step (¶ permalinks after the topic
    chips) does not read the page again; read from the new HTML otherwise. ``page`` is used up:
    its blocks belong to the new page (a step reads the page it is given, then splices it once)."""
    global _last
    new_html = splice(page.html, edits)
    blocks = _blocks_after_edits(page, new_html, edits)
    if blocks is None:
        found = Rendered(new_html)
    else:
        found = Rendered.__new__(Rendered)
        found.html, found.blocks = new_html, blocks
    _last = (new_html, found)
    return new_html


def splice(page_html: str, edits: list[tuple[int, int, str]]) -> str:
    """``page_html`` with each ``(start, end, text)`` replacing that span; spans in order,
    not overlapping (an insertion is ``(at, at, text)``)."""
    out, pos = [], 0
    for start, end, text in edits:
        out.append(page_html[pos:start])
        out.append(text)
        pos = end
    out.append(page_html[pos:])
    return "".join(out)


def tokens(fragment: str) -> Iterator[tuple[str, bool]]:
    """``(part, plain)`` for each tag and each run of text of ``fragment``, in order:
    ``plain`` is True for text outside code, scripts and existing glossary marks
    (:data:`SKIP_INSIDE`), where a glossary term may be marked."""
    skip: list[str] = []
    pos = 0
    for m in TAG.finditer(fragment):
        if m.start() > pos:
            yield fragment[pos:m.start()], not skip
        part = m[0]
        t = _TAG_NAME.match(part)
        if t and t[2].lower() in SKIP_INSIDE and not part.endswith("/>"):
            if t[1]:
                if skip:
                    skip.pop()
            else:
                skip.append(t[2].lower())
        yield part, False
        pos = m.end()
    if pos < len(fragment):
        yield fragment[pos:], not skip


def abbrs(page_html: str) -> Iterator[re.Match]:
    """The glossary marks of a page, in order; ``m["term"]`` is the marked text."""
    return ABBR.finditer(page_html)

