"""Parse a source text into a :class:`Document` (pure: text in, model out).

Two input styles are understood, told apart by their shape, not by name:

* a brief extracted from a PDF: ``# Title``, ``*Author*``, an optional
  ``## KEY TAKEAWAYS`` list, body paragraphs (bold run-in headings such as
  ``**North Korean Warnings.**`` open sections, ``<sup>n</sup>`` marks a note),
  the author's bio, and ``## Endnotes`` with one ``n. ...`` line per note;
* an op-ed: a title line, a byline, a date line, paragraphs, a closing bio.

The parser only cuts the text into pieces; repairs of extraction defects are
separate named rules (:mod:`policy_reader.repair`), and structuring the body
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


def parse(text: str, source: str, takeaway_count: int = 3) -> Document:
    """Split ``text`` into title, byline, date, takeaways, body blocks and endnotes."""
    if "\x00" in text:
        raise SourceError(source, 0, "the file holds NUL bytes; save it as plain UTF-8 text")
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
    pos += 1
    if pos >= len(blocks):
        raise SourceError(source, title_block.line, "no byline after the title; add the author's name on its own line")
    byline = blocks[pos]
    author_text = _strip_emphasis(byline.text)
    if "\n" in author_text or len(author_text) > 120 or heading(byline) is not None:
        raise SourceError(source, byline.line, "expected the author's name on its own line after the title")
    author_text = re.sub(r"^by\s+", "", author_text, flags=re.I)
    authors = tuple(a.strip() for a in re.split(r",\s*(?:and\s+)?|\s+and\s+", author_text) if a.strip())
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
    takeaways = tuple(
        Paragraph(text=mark_notes(t.text)[0], line=t.line, id=f"kt-{i}", notes=mark_notes(t.text)[1])
        for i, t in enumerate(doc.takeaways, start=1)
    )
    return doc.with_(sections=tuple(numbered), bio=bio, takeaways=takeaways, blocks=())
