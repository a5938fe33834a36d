"""Parse a source text into a :class:`Document` (pure: text in, model out).

Two input styles are understood, told apart by their shape, not by name:

* a brief extracted from a PDF: ``# Title``, ``*Author*``, an optional
  ``## KEY TAKEAWAYS`` list, body paragraphs (bold run-in headings such as
  ``**North Korean Warnings.**`` open sections, ``<sup>n</sup>`` marks a note),
  the author's bio, and ``## Endnotes`` with one ``n. ...`` line per note;
* an op-ed: a title line, a byline, a date line, paragraphs, a closing bio.

The parser only cuts the text into pieces; repairs of extraction defects are
separate named rules (:mod:`policy_reader.readers.repair`), and structuring the body
(sections, bio, note markers) happens in :func:`structure`.
"""

from __future__ import annotations

import re
from datetime import date as _date

from policy_reader.model import Block, Document, Endnote, Metadata, Paragraph, Section, SourceError
from policy_reader.readers.speakers import split_speaker

NOTE_OPEN = "\ue000"
NOTE_CLOSE = "\ue001"

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
DATE_RE = re.compile(r"^(?P<month>[A-Z][a-z]+)\.? (?P<day>\d{1,2}), (?P<year>\d{4})$")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ENDNOTE_RE = re.compile(r"^(\d+)\.\s+(.*)$")
RUN_IN_RE = re.compile(r"^\*\*(?P<title>[^*]+?)\*\*\s+(?P<rest>.+)$", re.S)
SUP_RE = re.compile(r"<sup>\s*(\d+)\s*</sup>")
TAKEAWAYS_RE = re.compile(r"^key takeaways$", re.I)
# Private-use code points: the converter's own note markers live there, so a source may not.
PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
SUP_LEFT = re.compile(r"</?\s*sup\b", re.I)
SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
DEFAULT_TAKEAWAYS = 3
ENDNOTES_RE = re.compile(r"^(end)?notes$", re.I)


def parse_date(text: str) -> str:
    """``"July 25, 2019"`` -> ``"2019-07-25"``; ``""`` when it is not a date."""
    m = DATE_RE.match(text.strip())
    if not m or m["month"].lower() not in MONTHS:
        return ""
    try:
        return _date(int(m["year"]), MONTHS[m["month"].lower()], int(m["day"])).isoformat()
    except ValueError:
        return ""


def split_blocks(text: str) -> list[Block]:
    """Cut text into blank-line separated blocks, each with its first line number."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            blocks.append(Block("\n".join(current), start))
            current = []
    if current:
        blocks.append(Block("\n".join(current), start))
    return blocks


def _strip_emphasis(text: str) -> str:
    text = text.strip()
    for mark in ("**", "*", "__", "_"):
        if text.startswith(mark) and text.endswith(mark) and len(text) > 2 * len(mark):
            return text[len(mark) : -len(mark)].strip()
    return text


def check_input(text: str, source: str) -> str:
    """The text without a leading byte-order mark; refuses characters no source may hold."""
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise SourceError(source, 0, "the file holds NUL bytes; save it as plain UTF-8 text")
    m = PRIVATE_USE.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise SourceError(
            source, line,
            f"holds the private-use character U+{ord(m[0]):04X}, which prints as nothing (the converter "
            "uses such characters as note markers); delete it or replace it with the character meant",
        )
    return text


def _sentences(text: str) -> int:
    return len(SENTENCE_END.findall(" ".join(text.split()))) + 1


def _reads_like_body(item: Block, others: list[Block]) -> str:
    """Why the last paragraph under KEY TAKEAWAYS (count not given) looks like the body's first."""
    if SUP_RE.search(item.text):
        return "it holds a note mark"
    if not others:
        return ""
    words = len(item.text.split())
    if _sentences(item.text) > max(_sentences(o.text) for o in others) and words > 1.5 * max(len(o.text.split()) for o in others):
        return "it is longer and has more sentences than the others"
    return ""


def parse(text: str, source: str, takeaway_count: int | None = None) -> Document:
    """Split ``text`` into title, byline, date, takeaways, body blocks and endnotes.

    ``takeaway_count`` is the number of KEY TAKEAWAYS paragraphs the metadata file
    gives; None means the default (3), checked against the text's shape.
    """
    text = check_input(text, source)
    given = takeaway_count is not None
    takeaway_count = takeaway_count if given else DEFAULT_TAKEAWAYS
    if takeaway_count < 1:
        raise SourceError(source, 0, f"takeaway count {takeaway_count}; set 'takeaways:' to the number printed (1 or more)")
    blocks = split_blocks(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not blocks:
        raise SourceError(source, 0, "the file is empty; give it a title line, a byline and paragraphs")
    pos = 0

    def heading(block: Block):
        m = HEADING_RE.match(block.text) if "\n" not in block.text else None
        return m[2] if m else None

    title_block = blocks[pos]
    shape = "markdown" if heading(title_block) else "plain"
    title = heading(title_block) or title_block.text
    if "\n" in title:
        raise SourceError(source, title_block.line, "the first block must be the title on one line")
    if not any(ch.isalnum() for ch in title.lstrip("#")):
        raise SourceError(source, title_block.line, "the title line is empty; write the paper's title on the first line (after '# ' in the brief shape)")
    if parse_date(title):
        raise SourceError(source, title_block.line, "the first line is a date, not a title; add the paper's title and the author's name above it")
    pos += 1
    if pos >= len(blocks):
        raise SourceError(source, title_block.line, "no byline after the title; add the author's name on its own line")
    byline = blocks[pos]
    author_text = _strip_emphasis(byline.text)
    if "\n" in author_text or len(author_text) > 120 or heading(byline) is not None:
        raise SourceError(source, byline.line, "expected the author's name on its own line after the title")
    if parse_date(author_text):
        raise SourceError(
            source, title_block.line,
            f"the line after '{title.strip()[:60]}' is a date, so the title line seems to be missing "
            "(the first lines must be: title, author, date); add the paper's title as the first line",
        )
    author_text = re.sub(r"^by\s+", "", author_text, flags=re.I)
    authors = tuple(a.strip() for a in re.split(r",\s*(?:and\s+)?|\s+and\s+", author_text) if a.strip())
    for a in authors:
        if not any(ch.isalpha() for ch in a.split()[-1]):
            raise SourceError(
                source, byline.line,
                f"the author '{a[:60]}' does not end in a surname (a word with letters); write the author's name as printed",
            )
    pos += 1

    iso = ""
    if pos < len(blocks):
        iso = parse_date(blocks[pos].text)
        if iso:
            pos += 1

    takeaways_heading = ""
    takeaways: list[Paragraph] = []
    body: list[Block] = []
    endnotes: list[Endnote] = []
    while pos < len(blocks):
        block = blocks[pos]
        name = heading(block) if shape == "markdown" else None
        if name is not None and TAKEAWAYS_RE.match(name.strip()):
            takeaways_heading = name.strip()
            items = blocks[pos + 1 : pos + 1 + takeaway_count]
            if len(items) < takeaway_count or any(heading(b) is not None for b in items):
                raise SourceError(
                    source, block.line,
                    f"expected {takeaway_count} takeaway paragraphs under '{name}'; "
                    "set 'takeaways:' in the metadata file to the number printed",
                )
            why = "" if given else _reads_like_body(items[-1], items[:-1])
            if why:
                raise SourceError(
                    source, items[-1].line,
                    f"paragraph {takeaway_count} under '{name}' reads like the body ({why}); set 'takeaways:' "
                    f"in the metadata file to the number of takeaways printed (e.g. takeaways: {takeaway_count - 1})",
                )
            takeaways = [Paragraph(text=b.text, line=b.line) for b in items]
            pos += 1 + takeaway_count
            continue
        if name is not None and ENDNOTES_RE.match(name.strip()):
            for note_block in blocks[pos + 1 :]:
                for offset, line in enumerate(note_block.text.split("\n")):
                    m = ENDNOTE_RE.match(line.strip())
                    if not m:
                        raise SourceError(
                            source, note_block.line + offset,
                            "an endnote line must start with its number, like '1. Author, \"Title,\" ...'",
                        )
                    endnotes.append(Endnote(int(m[1]), m[2].strip(), note_block.line + offset))
            break
        body.append(block)
        pos += 1

    meta = Metadata(title=title.strip(), authors=authors, date=iso)
    return Document(
        source=source,
        meta=meta,
        takeaways_heading=takeaways_heading,
        takeaways=tuple(takeaways),
        blocks=tuple(body),
        endnotes=tuple(endnotes),
        shape=shape,
    )


def mark_notes(text: str) -> tuple[str, tuple[int, ...]]:
    """Replace ``<sup>n</sup>`` with a private marker; return text and note numbers."""
    numbers: list[int] = []

    def sub(m: re.Match) -> str:
        numbers.append(int(m[1]))
        return f"{NOTE_OPEN}{m[1]}{NOTE_CLOSE}"

    return SUP_RE.sub(sub, text), tuple(numbers)


def plain(text: str) -> str:
    """The paragraph's words without note markers (what a reader reads)."""
    return re.sub(f"{NOTE_OPEN}\\d+{NOTE_CLOSE}", "", text)


def _check_note_marks(marked: str, source: str, line: int) -> None:
    """A note mark left over after :func:`mark_notes` is a broken ``<sup>n</sup>``."""
    m = SUP_LEFT.search(marked)
    if m:
        near = marked[m.start(): m.start() + 12].replace(NOTE_OPEN, "").replace(NOTE_CLOSE, "")
        raise SourceError(
            source, line,
            f"a note mark is not closed ('{near}...'); write it as <sup>N</sup> with the endnote number N",
        )


def _is_bio(text: str, authors: tuple[str, ...]) -> bool:
    bare = text.replace("**", "").replace("*", "")
    return any(bare.startswith(a + " is ") or bare.startswith(a + " was ") for a in authors)


def structure(doc: Document) -> Document:
    """Body blocks -> sections (``##`` headings, bold run-ins), bio, note markers.

    Paragraph ids: ``p-1``, ``p-2``... over the body in reading order;
    takeaways ``kt-1``...; the author's bio ``bio``.
    """
    sections: list[Section] = []
    current_title = None
    current_line = 0
    current: list[Paragraph] = []
    bio = None
    blocks = list(doc.blocks)
    if blocks and _is_bio(blocks[-1].text, doc.meta.authors):
        last = blocks.pop()
        bio_text = last.text.replace("**", "") if doc.shape == "markdown" else last.text
        bio = Paragraph(text=" ".join(bio_text.split()), line=last.line, id="bio")

    def close():
        if current or current_title is not None:
            sections.append(Section(current_title, tuple(current), current_line))

    markdown = doc.shape == "markdown"
    for block in blocks:
        m = HEADING_RE.match(block.text) if markdown and "\n" not in block.text else None
        if m:
            close()
            current_title, current_line, current = m[2].strip(), block.line, []
            continue
        text = " ".join(line.strip() for line in block.text.split("\n"))
        run_in = RUN_IN_RE.match(text) if markdown else None
        speaker, rest = split_speaker(f"{run_in['title'].strip()} {run_in['rest']}" if run_in else text)
        if speaker:  # a transcript's turn ("Mr. Smith."): paragraph text, never a heading
            run_in, text = None, rest
        if run_in:
            close()
            current_title, current_line, current = run_in["title"].strip(), block.line, []
            text = run_in["rest"]
        marked, notes = mark_notes(text) if markdown else (text, ())
        if markdown:
            _check_note_marks(marked, doc.source, block.line)
        current.append(Paragraph(text=marked, line=block.line, notes=notes, speaker=speaker))
    close()

    counter = 0
    numbered: list[Section] = []
    for section in sections:
        paras = []
        for p in section.paragraphs:
            counter += 1
            paras.append(Paragraph(text=p.text, line=p.line, id=f"p-{counter}", notes=p.notes, speaker=p.speaker))
        numbered.append(Section(section.title, tuple(paras), section.line))
    for t in doc.takeaways:
        _check_note_marks(mark_notes(t.text)[0], doc.source, t.line)
    takeaways = tuple(
        Paragraph(text=mark_notes(t.text)[0], line=t.line, id=f"kt-{i}", notes=mark_notes(t.text)[1])
        for i, t in enumerate(doc.takeaways, start=1)
    )
    return doc.with_(sections=tuple(numbered), bio=bio, takeaways=takeaways, blocks=())
