"""What every reader shares: pandoc's document tree -> the document model, bylines
and datelines in any common order, dates as precise as printed, speaker turns,
and the numbering of paragraphs.

A reader collects :class:`Item` s (a heading or a paragraph of the body, in
reading order, with the line or paragraph number it came from) and notes, then
:func:`assemble` makes the one :class:`Document` every later step takes.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path

from policy_reader.model import Document, Endnote, Metadata, Paragraph, Section, SourceError
from policy_reader.readers.speakers import split_speaker
from policy_reader.readers.text import MONTHS, NOTE_CLOSE, NOTE_OPEN

# --------------------------------------------------------------------------- dates

_MONTH = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
DATE_FORMS = (
    re.compile(rf"^{_MONTH} (?P<day>\d{{1,2}}),? (?P<year>\d{{4}})$", re.I),  # March 3, 2020
    re.compile(rf"^(?P<day>\d{{1,2}}) {_MONTH},? (?P<year>\d{{4}})$", re.I),  # 3 March 2020
    re.compile(r"^(?P<year>\d{4})[-/](?P<mon>\d{2})[-/](?P<day>\d{2})(?:[T ][\d:.+\-Z]*)?$"),  # 2020-03-03[T...]
    re.compile(rf"^{_MONTH},? (?P<year>\d{{4}})$", re.I),  # March 2020
    re.compile(r"^(?P<year>\d{4})-(?P<mon>\d{2})$"),
    re.compile(r"^(?P<year>(?:19|20)\d{2})$"),
)


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    for full, number in MONTHS.items():
        if full.startswith(name[:3]):
            return number
    return 0


def read_date(text: str) -> str:
    """A printed date as ISO 8601, as precise as printed: ``2020-03-03``, ``2020-03`` or ``2020``.
    ``""`` when ``text`` is not a date."""
    text = " ".join(text.strip().strip(".").split())
    text = re.sub(r"^(?:published|updated|posted|dated)\s*:?\s*", "", text, flags=re.I)
    text = re.sub(r"^(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+", "", text, flags=re.I)
    for form in DATE_FORMS:
        m = form.match(text)
        if not m:
            continue
        parts = m.groupdict()
        year = int(parts["year"])
        month = int(parts["mon"]) if parts.get("mon") else (_month_number(parts["month"]) if parts.get("month") else 0)
        if parts.get("day") is None:
            return f"{year:04d}-{month:02d}" if month else f"{year:04d}"
        try:
            return _date(year, month, int(parts["day"])).isoformat()
        except ValueError:
            return ""
    return ""


# --------------------------------------------------------------------------- bylines

_NAME = r"[A-Z][\w'’.\-]*(?:\s+(?:[A-Z][\w'’.\-]*|de|van|von|da|del|la|le|bin|al-[A-Z]\w*))*"
NAME_RE = re.compile(rf"^{_NAME}$")
BY_RE = re.compile(r"^by\s+", re.I)


def split_names(text: str) -> list[str]:
    text = BY_RE.sub("", text.strip())
    return [a.strip() for a in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", text) if a.strip()]


def read_byline(text: str) -> tuple[list[str], str] | None:
    """``"By Jane Doe | March 3, 2020"`` (or the date first, or ``-``, ``·``, ``,`` between)
    -> (["Jane Doe"], "2020-03-03"). None when the line is not a byline/dateline.
    A line that is only a date gives ([], date); only names needs a leading "By"."""
    line = " ".join(text.split())
    if not line or len(line) > 160:
        return None
    date = read_date(line)
    if date:
        return [], date
    for sep in (r"\s+\|\s+", r"\s+[—–·•]\s+", r"\s+-\s+", r"\s*;\s*"):
        parts = re.split(sep, line)
        if len(parts) == 2:
            for names, when in ((parts[0], parts[1]), (parts[1], parts[0])):
                d = read_date(when)
                authors = split_names(names)
                if d and authors and all(NAME_RE.match(a) for a in authors):
                    return authors, d
    # "By Jane Doe, March 3, 2020"
    m = re.match(r"^(?P<names>by\s+.+?),\s+(?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})$", line, re.I)
    if m and read_date(m["date"]):
        authors = split_names(m["names"])
        if authors and all(NAME_RE.match(a) for a in authors):
            return authors, read_date(m["date"])
    if BY_RE.match(line):
        authors = split_names(line)
        if authors and all(NAME_RE.match(a) and len(a.split()) <= 5 for a in authors):
            return authors, ""
    return None


# --------------------------------------------------------------------------- the body as items


@dataclass
class Item:
    """A heading (``level`` 1-6) or a paragraph (``level`` 0) of the body, in reading order."""

    text: str
    line: int
    level: int = 0
    notes: tuple[int, ...] = ()


@dataclass
class Read:
    """What a reader found: metadata (as printed), body items and notes."""

    source: str
    meta: dict = field(default_factory=dict)  # title, subtitle, authors, date, publisher, url, summary
    items: list[Item] = field(default_factory=list)
    notes: list[Endnote] = field(default_factory=list)


TAKEAWAYS_RE = re.compile(r"^key takeaways$", re.I)


def assemble(read: Read) -> Document:
    """Title, byline and dateline from the first items when the metadata lacks them,
    then sections, takeaways, speaker turns, the author's bio and ids p-1, p-2..."""
    meta = dict(read.meta)
    items = list(read.items)
    if not meta.get("title"):
        first = next((i for i, it in enumerate(items) if it.text.strip()), None)
        if first is not None and (items[first].level == 1 or items[first].level == 0 and len(items[first].text) < 200):
            meta["title"] = items[first].text
            meta["title_line"] = items[first].line
            del items[first]
    # The title, a subtitle (dek), the names and a byline/dateline printed again in the
    # first few paragraphs, in any order: metadata, not body text.
    norm = lambda t: " ".join(str(t).split()).casefold()
    for _ in range(5):
        if not items or items[0].notes:
            break
        head = norm(items[0].text)
        if head == norm(meta.get("title", "")):
            meta.setdefault("title_line", items[0].line)
        elif meta.get("subtitle") and head == norm(meta["subtitle"]):
            pass
        elif meta.get("authors") and head in (norm(" and ".join(meta["authors"])), norm(", ".join(meta["authors"])),
                                              norm("; ".join(meta["authors"])), *(norm(a) for a in meta["authors"])):
            pass
        elif items[0].level == 0 and read_byline(items[0].text) is not None:
            authors, date = read_byline(items[0].text)
            if authors and not meta.get("authors"):
                meta["authors"] = authors
            if date and not meta.get("date"):
                meta["date"] = date
        elif (items[0].level == 0 and not meta.get("authors") and len(items[0].text) < 80
              and (names := split_names(items[0].text)) and all(NAME_RE.match(n) and 2 <= len(n.split()) <= 4 for n in names)
              and not items[0].text.rstrip().endswith((".", "?", "!", ":"))):
            meta["authors"] = names  # a line of names under the title
        else:
            break
        items.pop(0)
    sections: list[Section] = []
    takeaways: list[Paragraph] = []
    title, line, paras = None, 0, []
    in_takeaways = False

    def close():
        if paras or title is not None:
            sections.append(Section(title, tuple(paras), line))

    for it in items:
        if it.level:
            if in_takeaways:
                in_takeaways = False
            else:
                close()
            if TAKEAWAYS_RE.match(it.text.strip()) and not sections and not paras:
                in_takeaways, title, paras = True, None, []
                meta["takeaways_heading"] = it.text.strip()
                continue
            title, line, paras = it.text.strip(), it.line, []
            continue
        if in_takeaways:
            takeaways.append(Paragraph(text=it.text, line=it.line, notes=it.notes))
            continue
        speaker, rest = split_speaker(it.text)
        paras.append(Paragraph(text=rest, line=it.line, notes=it.notes, speaker=speaker))
    close()
    authors = tuple(meta.get("authors") or ())
    bio = None
    if sections and sections[-1].paragraphs:
        last = sections[-1].paragraphs[-1]
        bare = last.text
        if not last.notes and any(bare.startswith(a + " is ") or bare.startswith(a + " was ") for a in authors):
            bio = Paragraph(text=" ".join(bare.split()), line=last.line, id="bio")
            sections[-1] = Section(sections[-1].title, sections[-1].paragraphs[:-1], sections[-1].line)
    counter = 0
    numbered = []
    for s in sections:
        out = []
        for p in s.paragraphs:
            counter += 1
            out.append(Paragraph(text=p.text, line=p.line, id=f"p-{counter}", notes=p.notes, speaker=p.speaker))
        if out or s.title:
            numbered.append(Section(s.title, tuple(out), s.line))
    kts = tuple(Paragraph(text=t.text, line=t.line, id=f"kt-{i}", notes=t.notes) for i, t in enumerate(takeaways, 1))
    m = Metadata(
        title=" ".join(str(meta.get("title", "")).split()),
        subtitle=" ".join(str(meta.get("subtitle", "")).split()),
        authors=authors,
        date=meta.get("date", ""),
    )
    furniture = tuple((k, str(v)) for k, v in sorted(meta.items()) if k in ("publisher", "url", "summary", "title_line") and v)
    return Document(
        source=read.source,
        meta=m,
        takeaways_heading=meta.get("takeaways_heading", ""),
        takeaways=kts,
        sections=tuple(numbered),
        bio=bio,
        endnotes=tuple(read.notes),
        shape="read",
        furniture=furniture,
    )


# --------------------------------------------------------------------------- pandoc's tree


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def run_pandoc(data: bytes, reader: str, label: str, what: str) -> dict:
    """pandoc ``-f reader -t json`` over ``data``: its document tree."""
    try:
        done = subprocess.run(
            [pandoc_path(), "-f", reader, "-t", "json"], input=data, capture_output=True, timeout=120, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(label, 0, f"pandoc could not read it ({exc}); run `make deps` to install pandoc") from None
    if done.returncode != 0:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
        raise SourceError(label, 0, f"pandoc cannot read this {what} ({first}); save it again from its editor")
    return json.loads(done.stdout.decode("utf-8"))


class Inlines:
    """Pandoc inlines -> text; a ``Note`` becomes a numbered note and a marker."""

    def __init__(self, notes: list[Endnote], note_line=lambda: 0):
        self.notes = notes
        self.note_line = note_line

    def text(self, inlines: list, in_note: bool = False, marks: list | None = None) -> str:
        out: list[str] = []
        for node in inlines:
            t, c = node.get("t"), node.get("c")
            if t == "Str":
                out.append(c)
            elif t in ("Space", "SoftBreak"):
                out.append(" ")
            elif t == "LineBreak":
                out.append(" ")
            elif t == "Emph" and in_note:
                out.append("*" + self.text(c, in_note, marks) + "*")  # a note's italics name an outlet
            elif t in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
                out.append(self.text(c, in_note, marks))
            elif t == "Quoted":
                q = ("“", "”") if c[0]["t"] == "DoubleQuote" else ("‘", "’")
                out.append(q[0] + self.text(c[1], in_note, marks) + q[1])
            elif t in ("Cite",):
                out.append(self.text(c[1], in_note, marks))
            elif t == "Code":
                out.append(c[1])
            elif t == "Math":
                out.append(c[1])
            elif t == "Span":
                out.append(self.text(c[1], in_note, marks))
            elif t == "Link":
                words = self.text(c[1], in_note, marks)
                url = c[2][0]
                if in_note and url.startswith(("http://", "https://")):
                    out.append(f"<{url}>" if words.strip() in ("", url) else f"{words} <{url}>")
                else:
                    out.append(words)
            elif t == "Note":
                if in_note or marks is None:
                    continue
                number = len(self.notes) + 1
                words = " ".join(" ".join(self.block_text(b, True) for b in c).split())
                self.notes.append(Endnote(number, words, self.note_line()))
                marks.append(number)
                out.append(f"{NOTE_OPEN}{number}{NOTE_CLOSE}")
            # Image, RawInline: not the author's words
        return "".join(out)

    def block_text(self, block: dict, in_note: bool = False) -> str:
        t, c = block.get("t"), block.get("c")
        if t in ("Para", "Plain"):
            return self.text(c, in_note)
        if t == "LineBlock":
            return " ".join(self.text(line, in_note) for line in c)
        if t in ("BlockQuote",):
            return " ".join(self.block_text(b, in_note) for b in c)
        if t == "Div":
            return " ".join(self.block_text(b, in_note) for b in c[1])
        if t in ("BulletList", "OrderedList"):
            items = c if t == "BulletList" else c[1]
            return " ".join(self.block_text(b, in_note) for item in items for b in item)
        if t == "CodeBlock":
            return c[1]
        return ""


def meta_text(value) -> str | list:
    """A pandoc metadata value as text (or a list of texts)."""
    if value is None:
        return ""
    t, c = value.get("t"), value.get("c")
    if t == "MetaString":
        return c
    if t == "MetaInlines":
        return " ".join(Inlines([]).text(c).split())
    if t == "MetaBlocks":
        return " ".join(" ".join(Inlines([]).block_text(b) for b in c).split())
    if t == "MetaList":
        return [x for v in c for x in ([meta_text(v)] if not isinstance(meta_text(v), list) else meta_text(v))]
    if t == "MetaBool":
        return ""
    if t == "MetaMap":
        return meta_text(c.get("name")) if "name" in c else ""
    return ""


class LineFinder:
    """The line of ``source_text`` where a paragraph's first words are, searching forward."""

    def __init__(self, source_text: str | None):
        self.lines = source_text.splitlines() if source_text else None
        self.at = 0

    def find(self, text: str, fallback: int) -> int:
        if self.lines is None:
            return fallback
        words = [w for w in re.split(r"\W+", text) if w][:4]
        if not words:
            return self.at + 1
        pattern = re.compile(r"\W+".join(re.escape(w) for w in words[:2]))
        for i in range(self.at, len(self.lines)):
            if pattern.search(self.lines[i]):
                self.at = i
                return i + 1
        return self.at + 1


def items_from_pandoc(tree: dict, read: Read, source_text: str | None = None) -> Read:
    """Pandoc blocks -> body items (paragraphs, headings) and notes of ``read``.

    Lists and block quotes give one paragraph per item or inner paragraph; a
    figure, an image, a table or raw markup is not the author's running text.
    Without ``source_text`` (a Word file), an item's number is its ordinal
    paragraph in the document.
    """
    finder = LineFinder(source_text)
    counter = [0]
    current = [0]
    inl = Inlines(read.notes, note_line=lambda: current[0])

    def para(inlines: list):
        counter[0] += 1
        marks: list[int] = []
        plain = Inlines([]).text(inlines)
        current[0] = finder.find(plain, counter[0])
        text = " ".join(inl.text(inlines, marks=marks).split())
        if text:
            read.items.append(Item(text, current[0], 0, tuple(marks)))

    def walk(blocks: list):
        for b in blocks:
            t, c = b.get("t"), b.get("c")
            if t in ("Para", "Plain"):
                para(c)
            elif t == "LineBlock":
                para([x for line in c for x in (line + [{"t": "Space"}])])
            elif t == "Header":
                counter[0] += 1
                plain = " ".join(Inlines([]).text(c[2]).split())
                current[0] = finder.find(plain, counter[0])
                if plain:
                    read.items.append(Item(plain, current[0], c[0]))
            elif t == "BlockQuote":
                walk(c)
            elif t == "Div":
                walk(c[1])
            elif t in ("BulletList", "OrderedList"):
                for item in (c if t == "BulletList" else c[1]):
                    walk(item)
            elif t == "CodeBlock":
                counter[0] += 1
                read.items.append(Item(" ".join(c[1].split()), finder.find(c[1], counter[0])))
            # Figure, Table, RawBlock, HorizontalRule: furniture or not text

    walk(tree.get("blocks", []))
    return read
