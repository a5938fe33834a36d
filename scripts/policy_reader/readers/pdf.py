"""Read a PDF paper into the document model (pure: file in, model out).

Library: **pdfplumber** (on pdfminer.six). It hands over every character with
its font name, size and box in a documented, plain-Python form, which is
exactly what the reader decides on: furniture by position, headings and bold
run-ins by font, superscript note marks by size and baseline, footnotes by
size at the page bottom. It also reports encryption and damage as distinct
exceptions. pypdfium2 (PDFium) is faster and would also give boxes, but its
per-character font name and size come only through the low-level C API, one
call per character; for papers of tens of pages pdfplumber's speed is enough,
and its character model is simpler to test. (pdfplumber pulls in pypdfium2
only for rendering pages to images, which we do not use.)

The reader is a list of small named steps, each a pure function:

1. :func:`check_bytes`: an empty file or one that is not a PDF is refused;
2. :func:`open_pages`: characters -> lines (:mod:`.pdf_layout`), the info dict;
   an encrypted or image-only PDF is refused;
3. :func:`drop_furniture`: running headers/footers and page numbers, found by
   repetition and position across pages (:mod:`.furniture`), and single
   small lines alone in a margin (:func:`in_margin`), and the small print at
   the foot of the first page (:func:`drop_colophon`);
4. :func:`split_notes_section`: an endnote or reference list under its heading;
5. :func:`split_footnotes`: smaller numbered lines at the bottom of pages;
6. :func:`split_front`: the cover page or the masthead lines above the text,
   and what they say (title, subtitle, byline, date: :func:`read_front`);
7. :func:`group_paragraphs`: lines -> paragraphs and headings by font, indent,
   spacing, and across page and column breaks; :func:`attach_drop_caps`,
   :func:`drop_contents` and
   :func:`drop_pull_quotes` put a drop cap back and take out a table of
   contents and pull quotes;
8. :func:`render`: a paragraph's lines -> one block of text, with hyphenation
   at line ends undone, ``**run-in.**`` headings and ``<sup>n</sup>`` marks
   (also for bracketed ``[n]`` marks) as the text reader writes them;
9. :func:`parse_notes`: note lines -> numbered endnotes;
10. :func:`about_the_authors`: the bio under its heading becomes one block.

:func:`read_blocks` returns these pieces in the text reader's "markdown"
shape (:func:`policy_reader.readers.text.parse`): ``blocks`` (``## Heading``
blocks, paragraphs), ``takeaways``, ``endnotes`` and ``meta``; :func:`read`
then runs the same repair rules and structuring as for a ``.txt`` source and
returns the finished model (sections, paragraphs with ids, bio). Facts with
no field of their own go in ``furniture`` (``subtitle``, ``title_line``: the
page of the title). Every ``line`` and every error names the *page*. Characters are kept as printed: ligatures,
curly quotes and dashes are not rewritten.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import date as _date
from pathlib import Path
from typing import Iterable, Optional, Sequence

from policy_reader.model import Block, Document, Endnote, Metadata, Paragraph, SourceError
from policy_reader.readers import furniture
from policy_reader.readers.pdf_layout import Line, Span, dedupe, page_lines

TERMINAL = tuple(".?!:;\"”’')]")
BULLET_RE = re.compile(r"^[•▪●■◦‣]\s*")
NOTES_HEADING_RE = re.compile(r"^(?:end\s?notes|notes|references|sources|bibliography|works cited)\s*:?$", re.I)
TAKEAWAYS_RE = re.compile(r"^(?:key takeaways|key points|key findings|highlights|at a glance)\s*:?$", re.I)
NOTE_START_RE = re.compile(r"^(?:\[(?P<b>\d{1,3})\]|(?P<n>\d{1,3})[.)]?)(?:\s+|(?=[A-Z“\"‘']))(?P<rest>.*)$")
BRACKET_MARK_RE = re.compile(r"\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]")
SUP_NUMBERS_RE = re.compile(r"^\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*$")
BYLINE_RE = re.compile(r"^by\s+(?P<names>.+)$", re.I)
NAME_RE = re.compile(r"^(?:[A-Z][\w’'.-]*\.?|[A-Z]\.|de|da|van|von|der|del|la|le|bin|al-\w+)(?:\s+(?:[A-Z][\w’'.-]*\.?|[A-Z]\.|de|da|van|von|der|del|la|le|bin|al-\w+)){1,4}$")

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november december".split()
    )
}
MONTH_ALT = "|".join(sorted({*MONTHS, *(m[:3] for m in MONTHS), "sept"}, key=len, reverse=True))
DATE_MDY = re.compile(rf"\b(?P<month>{MONTH_ALT})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})\b", re.I)
DATE_DMY = re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{MONTH_ALT})\.?\s+(?P<year>\d{{4}})\b", re.I)
DATE_MY = re.compile(rf"\b(?P<month>{MONTH_ALT})\.?\s+(?P<year>\d{{4}})\b", re.I)
DATE_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")


# ---------------------------------------------------------------- 1. the bytes


def check_bytes(head: bytes, label: str) -> None:
    """Refuse an empty file and one that is not a PDF (it must start with ``%PDF-``)."""
    if not head.strip():
        raise SourceError(label, 0, "the file is empty; save the paper's PDF here again")
    if b"%PDF-" not in head[:1024]:
        raise SourceError(
            label, 1,
            "not a PDF (it does not start with %PDF-); give the file the extension of what it holds "
            "(.txt, .html, .docx, .md) or export the paper as PDF again",
        )


# ---------------------------------------------------------------- 2. the pages


@dataclass(frozen=True)
class Pages:
    lines: tuple[tuple[Line, ...], ...]  # per page, top to bottom
    info: dict = field(default_factory=dict)


def _info_text(value) -> str:
    if isinstance(value, bytes):
        for enc in ("utf-16", "utf-8", "latin-1"):
            try:
                if enc == "utf-16" and not value.startswith((b"\xfe\xff", b"\xff\xfe")):
                    continue
                return value.decode(enc).strip()
            except UnicodeDecodeError:
                continue
    return str(value).strip() if isinstance(value, (str, int, float)) else ""


def check_text_layer(pages: Sequence[Sequence[Line]], label: str) -> None:
    """Refuse a PDF with no text layer, or whose fonts hide their letters."""
    if not any(pages):
        raise SourceError(
            label, 1,
            "the PDF has no text layer (scanned or image-only pages); run OCR on it (e.g. ocrmypdf) "
            "and put the result in sources/, or give the paper as .txt or .md",
        )
    lines = [line for page in pages for line in page]
    unmapped = sum(1 for line in lines if "(cid:" in line.text)
    if unmapped > max(2, len(lines) // 20):
        page = next(line.page for line in lines if "(cid:" in line.text)
        raise SourceError(
            label, page,
            f"{unmapped} lines have characters with no text mapping (read as '(cid:N)'); the PDF's fonts "
            "hide their letters: run OCR on it (e.g. ocrmypdf --force-ocr) or give the paper as .txt or .md",
        )


def open_pages(path: Path, label: str) -> Pages:
    """Every page's lines, and the info dict (Title, Author, CreationDate...) as text."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            info = {k: _info_text(v) for k, v in (pdf.metadata or {}).items()}
            pages = []
            for number, page in enumerate(pdf.pages, start=1):
                chars = dedupe(page.chars)
                pages.append(tuple(page_lines(chars, number, float(page.height), float(page.width))))
    except (PdfminerException, PDFPasswordIncorrect, PDFEncryptionError) as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise SourceError(
                label, 0,
                "the PDF is encrypted (it needs a password to open); save an unprotected copy "
                "(e.g. print it to PDF) and put that in sources/",
            ) from None
        why = " ".join(str(cause or "damaged file").split())[:200]
        raise SourceError(label, 0, f"cannot be read as a PDF ({why}); export it as PDF again") from None
    except Exception as exc:  # pdfminer raises plain errors on damaged files
        why = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise SourceError(label, 0, f"cannot be read as a PDF ({why}); export it as PDF again") from None
    check_text_layer(pages, label)
    return Pages(tuple(pages), info)


def body_size(lines: Iterable[Line]) -> float:
    """The size of the body text: the size most characters are printed in."""
    sizes: Counter = Counter()
    for line in lines:
        sizes[line.size] += len(line.words)
    return sizes.most_common(1)[0][0] if sizes else 10.0


# ---------------------------------------------------------------- 3. furniture


def in_margin(page: Sequence[Line], i: int, size: float) -> bool:
    """A line printed alone in the top or bottom margin, even if no other page
    repeats it: the outermost line of its page, at the edge, smaller than the
    text and further from it than :data:`furniture.ISOLATED` line pitches (a
    footnote, which starts with its number, is not). Page 1's top is left to
    :func:`split_front`."""
    line = page[i]
    if len(page) < 3 or line.size >= size - 0.3 or i not in (0, len(page) - 1):
        return False
    position = (line.top + line.bottom) / 2 / line.page_height
    steps = Counter(round(b.top - a.top) for a, b in zip(page, page[1:]) if b.top > a.top)
    pitch = furniture.line_pitch(steps) or size
    if i == 0 and line.page > 1 and position <= furniture.EDGE:
        return page[1].top - line.top >= furniture.ISOLATED * pitch
    if i == len(page) - 1 and position >= 1 - furniture.EDGE and not _note_start(line):
        return line.top - page[-2].top >= furniture.ISOLATED * pitch
    return False


def drop_furniture(pages: Sequence[Sequence[Line]], size: float = 0.0) -> list[list[Line]]:
    """Pages without their running headers, footers and page numbers: what
    :func:`furniture.find` finds by repetition and place, and (given the body
    ``size``) single lines alone in a margin (:func:`in_margin`)."""
    found = furniture.find(
        [[(line.text, (line.top + line.bottom) / 2 / line.page_height) for line in page] for page in pages]
    )
    kept = [[line for i, line in enumerate(page) if (p, i) not in found] for p, page in enumerate(pages)]
    if size:
        kept = [[line for i, line in enumerate(page) if not in_margin(page, i, size)] for page in kept]
    return kept


# ---------------------------------------------------------------- 4-5. notes


def _heading_like(line: Line, size: float) -> bool:
    return line.size >= size * 1.1 or (line.bold and len(line.words.split()) <= 12)


def split_notes_section(lines: Sequence[Line], size: float) -> tuple[list[Line], list[Line], str]:
    """``(body lines, note lines, heading)``: the list under an "Endnotes"/"Notes"/
    "References" heading, up to the next heading of the same kind of look."""
    start = next(
        (i for i, line in enumerate(lines)
         if NOTES_HEADING_RE.match(line.words) and _heading_like(line, size)
         and i + 1 < len(lines) and _note_start(lines[i + 1])),  # a list follows, not a section on "Sources"
        None,
    )
    if start is None:
        return list(lines), [], ""
    heading = lines[start]
    end = len(lines)
    for j in range(start + 1, len(lines)):
        line = lines[j]
        if line.size >= heading.size - 0.1 and _heading_like(line, size) and not _note_start(line):
            end = j
            break
    return [*lines[:start], *lines[end:]], list(lines[start + 1 : end]), heading.words


def _note_start(line: Line) -> Optional[tuple[int, list[Span]]]:
    """The number a note line starts with and the spans after it, or None."""
    spans = [s for s in line.spans]
    while spans and not spans[0].text.strip():
        spans.pop(0)
    if not spans:
        return None
    first = spans[0]
    if first.sup and first.text.strip().isdigit():
        return int(first.text.strip()), spans[1:]
    m = NOTE_START_RE.match(first.text.lstrip())
    if m and len(m["b"] or m["n"] or "") > 0:
        number = int(m["b"] or m["n"])
        rest = m["rest"]
        return number, ([Span(rest, first.font, first.size)] if rest else []) + spans[1:]
    return None


def drop_colophon(page: Sequence[Line], size: float) -> list[Line]:
    """The first page without the small print at its foot (an address block, a
    disclaimer, "the full paper can be found at..."): a block of lines smaller
    than the text, at the bottom, set apart by :data:`furniture.ISOLATED` line
    pitches, not starting with a note number."""
    page = list(page)
    small = lambda line: line.size < size - 0.3
    if len(page) < 3 or not small(page[-1]):
        return page
    i = len(page) - 1
    while i > 1 and small(page[i - 1]) and page[i].top - page[i - 1].bottom < page[i].size:
        i -= 1
    steps = Counter(round(b.top - a.top) for a, b in zip(page, page[1:]) if b.top > a.top and not small(a))
    pitch = furniture.line_pitch(steps) or size
    if _note_start(page[i]) or page[i].top - page[i - 1].top < furniture.ISOLATED * pitch:
        return page
    return page[:i]


def split_footnotes(pages: Sequence[Sequence[Line]], size: float) -> tuple[list[list[Line]], list[Line]]:
    """Pages without their footnotes, and the footnote lines in order.

    Footnotes are the run of lines at the bottom of a page printed smaller than
    the body, the first of them starting with a note number (superscript or
    not). A run with no number at its top continues the previous page's last
    footnote.
    """
    kept: list[list[Line]] = []
    notes: list[Line] = []
    for page in pages:
        i = len(page)
        while i > 0 and page[i - 1].size <= size * 0.9:
            i -= 1
        run = list(page[i:])
        while run and not _note_start(run[0]) and not notes:
            run.pop(0)
            i += 1
        if run and (_note_start(run[0]) or notes):
            notes.extend(run)
            kept.append(list(page[:i]))
        else:
            kept.append(list(page))
    return kept, notes


def _join_spans_text(spans: Sequence[Span]) -> str:
    return "".join(s.text for s in spans)


def parse_notes(lines: Sequence[Line], vocabulary: frozenset = frozenset()) -> list[Endnote]:
    """Note lines -> endnotes. A line starting with the next number (``1.``,
    ``[1]``, a superscript 1) opens a note; other lines continue it."""
    notes: list[tuple[int, int, list[str]]] = []  # number, page, line texts
    for line in lines:
        start = _note_start(line)
        if start and (not notes or start[0] == notes[-1][0] + 1):
            notes.append((start[0], line.page, [_join_spans_text(start[1]).strip()]))
        elif notes:
            notes[-1][2].append(line.text)
    return [Endnote(n, join_lines(texts, vocabulary), page) for n, page, texts in notes]


# ---------------------------------------------------------------- 6. the front


@dataclass(frozen=True)
class Front:
    title: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""
    lines: tuple[str, ...] = ()  # every front line's words, in order
    title_page: int = 1


def parse_date(text: str) -> str:
    """The first date in ``text`` as ISO (``YYYY-MM-DD``, or ``YYYY-MM`` when no day is printed)."""
    for pattern in (DATE_ISO, DATE_MDY, DATE_DMY):
        m = pattern.search(text)
        if m:
            month = m["month"]
            month_n = int(month) if month.isdigit() else MONTHS.get(month.lower()) or next(
                (v for k, v in MONTHS.items() if k.startswith(month.lower()[:3])), 0
            )
            try:
                return _date(int(m["year"]), month_n, int(m["day"])).isoformat()
            except ValueError:
                continue
    m = DATE_MY.search(text)
    if m:
        month_n = next(v for k, v in MONTHS.items() if k.startswith(m["month"].lower()[:3]))
        return f"{int(m['year']):04d}-{month_n:02d}"
    return ""


def split_authors(text: str) -> tuple[str, ...]:
    """``"Jane Doe, John Roe, and Ann Poe"`` -> the three names."""
    text = re.sub(r"^by\s+", "", text.strip(), flags=re.I)
    parts = re.split(r"\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*|\s*;\s*", text)
    return tuple(p.strip() for p in parts if p.strip())


def _looks_like_names(text: str) -> bool:
    names = split_authors(text)
    return bool(names) and all(NAME_RE.match(n) for n in names) and len(text) <= 120


def _is_banner(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(text.split()) <= 6


def _byline_parts(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\s+[|·•—]\s+", text) if p.strip()]


def _is_body_start(lines: Sequence[Line], i: int, size: float) -> bool:
    line = lines[i]
    if abs(line.size - size) > 0.6 or line.bold:
        return False
    words = line.words
    if BYLINE_RE.match(words) or (parse_date(words) and len(words.split()) <= 8):
        return False
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    two_lines = nxt is not None and nxt.page == line.page and abs(nxt.size - line.size) < 0.3 and not nxt.bold
    return len(words.split()) >= 12 or two_lines


def _drop_cap_of(cap: Line, line: Line) -> bool:
    return (len(cap.words) == 1 and cap.words.isalpha() and cap.size >= 2 * line.size
            and cap.x1 <= line.x0 + 1 and cap.top <= line.bottom and cap.bottom >= line.top)


def split_front(lines: Sequence[Line], size: float) -> tuple[list[Line], list[Line]]:
    """``(front lines, the rest)``: page 1's lines above its text, or all of page 1
    when it is a cover with no running text (a takeaways heading stays text)."""
    first = [line for line in lines if line.page == lines[0].page] if lines else []
    cut = len(first)
    for i, line in enumerate(first):
        if TAKEAWAYS_RE.match(line.words) or _is_body_start(first, i, size):
            cut = i
            break
    if 0 < cut < len(first) and _drop_cap_of(first[cut - 1], first[cut]):
        cut -= 1  # the text's drop cap is text
    front, rest = list(first[:cut]), list(lines[cut:])
    if cut == len(first) and rest:  # a cover: the next page may repeat its title and byline
        seen = {line.words.casefold() for line in front}
        next_page = rest[0].page
        while rest and rest[0].page == next_page and rest[0].words.casefold() in seen:
            rest.pop(0)
    return front, rest


def read_front(front: Sequence[Line], size: float) -> Front:
    """Title (the largest lines that are not a banner), subtitle, byline, date."""
    groups: list[list[Line]] = []
    for line in front:
        if groups and abs(groups[-1][-1].size - line.size) < 0.3 and groups[-1][-1].bold == line.bold \
                and line.top - groups[-1][-1].bottom < line.size:
            groups[-1].append(line)
        else:
            groups.append([line])
    texts = [join_lines([line.words for line in g]) for g in groups]
    big = [i for i, g in enumerate(groups) if g[0].size >= size * 1.15 and len(texts[i]) > 2]
    candidates = [i for i in big if not _is_banner(texts[i])] or big
    title_i = max(candidates, key=lambda i: (groups[i][0].size, -i)) if candidates else None
    title = texts[title_i] if title_i is not None else ""
    subtitle = ""
    authors: tuple[str, ...] = ()
    date = ""
    for i, text in enumerate(texts):
        if i == title_i:
            continue
        for part in _byline_parts(text):
            if not date and parse_date(part) and len(part.split()) <= 6:
                date = parse_date(part)
            elif not authors and (BYLINE_RE.match(part) or (title_i is not None and i > title_i and _looks_like_names(part))):
                authors = split_authors(part)
        if not date:
            date = parse_date(text) if len(text.split()) <= 12 else ""
    if title_i is not None and title_i + 1 < len(groups):
        nxt, t = groups[title_i + 1], texts[title_i + 1]
        if nxt[0].size > size * 1.05 and not BYLINE_RE.match(t) and not parse_date(t) and not _is_banner(t):
            subtitle = t
    title_page = groups[title_i][0].page if title_i is not None else 1
    return Front(title, subtitle, authors, date, tuple(line.words for line in front), title_page)


# ---------------------------------------------------------------- 7. paragraphs


@dataclass(frozen=True)
class Para:
    kind: str  # "heading", "body", "small"
    lines: tuple[Line, ...]

    @property
    def bullet(self) -> bool:
        return bool(BULLET_RE.match(self.lines[0].text))

    @property
    def page(self) -> int:
        return self.lines[0].page


def _ends_terminal(text: str) -> bool:
    return text.rstrip().endswith(TERMINAL)


@dataclass(frozen=True)
class Columns:
    """The edges of each text column, by (page, column), from its body lines."""

    left: dict
    right: dict
    gap: float
    indent_style: bool


def measure(lines: Sequence[Line], size: float) -> Columns:
    left: dict = {}
    right: dict = {}
    by_page: dict = {}
    for line in lines:
        if abs(line.size - size) < 0.3:
            by_page.setdefault((line.page, line.column), []).append(line)
    gaps = []
    indented = 0
    total = 0
    for page, ls in by_page.items():
        left[page] = Counter(round(line.x0) for line in ls).most_common(1)[0][0]
        right[page] = max(round(line.x1) for line in ls)
        for a, b in zip(ls, ls[1:]):
            if b.top > a.bottom:
                gaps.append(b.top - a.bottom)
        for line in ls:
            total += 1
            indented += line.x0 > left[page] + 0.6 * size
    gaps.sort()
    gap = gaps[len(gaps) // 2] if gaps else size * 0.2
    return Columns(left, right, gap, total > 0 and indented / total > 0.03)


def _kind(line: Line, size: float) -> str:
    if line.size >= size * 1.15:
        return "heading"
    if line.size <= size * 0.9:
        return "small"
    return "bold" if line.bold else "body"


def group_paragraphs(lines: Sequence[Line], size: float, cols: Optional[Columns] = None) -> list[Para]:
    """Lines -> paragraphs and headings.

    A new paragraph starts where the look changes (heading size, a whole bold
    line, small print; a short line alone in capitals is a heading too), after a wider gap than between the lines of a
    paragraph, at an indented first line, at a bullet, or after a short line
    that ends a sentence. At a page break the paragraph goes on when the last
    line did not end a sentence, or (in a document that indents its
    paragraphs) when it ran to the margin and the next line is not indented.
    """
    cols = cols or measure(lines, size)
    paras: list[list] = []  # [kind, [lines]]

    def indented(line: Line) -> bool:
        return line.x0 > cols.left.get((line.page, line.column), line.x0) + 0.6 * size

    def full(line: Line) -> bool:
        return line.x1 >= cols.right.get((line.page, line.column), line.x1) - 2.5 * size

    for line in lines:
        kind = _kind(line, size)
        if paras:
            pkind, plines = paras[-1]
            prev = plines[-1]
            same = pkind == kind
            bullet = bool(BULLET_RE.match(line.text))
            if (line.page, line.column) != (prev.page, prev.column):  # a page or column break
                goes_on = same and kind in ("body", "small") and not bullet and (
                    not _ends_terminal(prev.text) or (cols.indent_style and full(prev) and not indented(line))
                )
            else:
                gap = line.top - prev.bottom
                goes_on = same and not bullet and gap <= cols.gap + 0.4 * size and not indented(line) and not (
                    kind != "heading" and _ends_terminal(prev.text) and not full(prev)
                )
            if goes_on:
                plines.append(line)
                continue
        paras.append([kind, [line]])
    out = []
    for kind, plines in paras:
        words = " ".join(line.words for line in plines)
        if kind == "bold":
            kind = "heading" if len(plines) <= 3 and len(words.split()) <= 20 else "body"
        elif kind == "body" and len(plines) == 1 and _caps_heading(words):
            kind = "heading"
        out.append(Para(kind, tuple(plines)))
    return out


def _caps_heading(words: str) -> bool:
    """A line on its own in capitals, short, ending without a stop: "INTRODUCTION"."""
    letters = [c for c in words if c.isalpha()]
    return (len(letters) >= 4 and all(c.isupper() for c in letters) and len(words.split()) <= 8
            and not words.rstrip().endswith((".", ",", ";", ":")))


def attach_drop_caps(paras: Sequence[Para]) -> list[Para]:
    """A drop cap (one large letter beside the first lines of a paragraph)
    back at the head of its paragraph."""
    out: list[Para] = []
    i = 0
    while i < len(paras):
        para = paras[i]
        nxt = paras[i + 1] if i + 1 < len(paras) else None
        cap = para.lines[0]
        if (para.kind == "heading" and len(para.lines) == 1 and nxt is not None and nxt.kind == "body"
                and nxt.page == para.page and _drop_cap_of(cap, nxt.lines[0])):
            first = nxt.lines[0]
            glued = replace(first, spans=(Span(cap.words, cap.spans[0].font, first.size), *first.spans), x0=cap.x0)
            out.append(Para("body", (glued, *nxt.lines[1:])))
            i += 2
            continue
        out.append(para)
        i += 1
    return out


CONTENTS_RE = re.compile(r"^(?:table of )?contents$", re.I)


def drop_contents(paras: Sequence[Para]) -> list[Para]:
    """Without a table of contents: its heading and the rest of its page."""
    out: list[Para] = []
    skip_page = None
    for para in paras:
        if para.kind == "heading" and CONTENTS_RE.match(" ".join(line.words for line in para.lines)):
            skip_page = para.lines[-1].page
            continue
        if skip_page is not None and para.page == skip_page:
            continue
        out.append(para)
    return out


def _folded(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text).split()).casefold()


def drop_pull_quotes(paras: Sequence[Para], vocabulary: frozenset = frozenset()) -> list[Para]:
    """Without pull quotes: display-size text of eight words or more that
    repeats words printed in the body (a heading never does)."""
    body = " ".join(_folded(render(p, vocabulary)) for p in paras if p.kind != "heading")
    out = []
    for para in paras:
        if para.kind == "heading":
            words = _folded(join_lines([line.words for line in para.lines], vocabulary))
            if len(words.split()) >= 8 and words in body:
                continue
        out.append(para)
    return out


# ---------------------------------------------------------------- 8. text


def _last_token(text: str) -> str:
    return text.rstrip().rsplit(" ", 1)[-1]


def join_lines(texts: Sequence[str], vocabulary: frozenset = frozenset()) -> str:
    """Join printed lines into running text, undoing hyphenation at line ends.

    ``"eco-" + "nomic"`` -> ``"economic"``, unless the hyphenated word is
    printed with its hyphen elsewhere in the document (``vocabulary``), as a
    compound like ``"long-term"`` is; a hyphen before a capital or a digit
    stays (``"Indo-" + "Pacific"``). A soft hyphen always goes. A line ending
    in a dash or a slash joins the next with no space.
    """
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if not out:
            out = text
            continue
        if out.endswith("\u00ad"):
            out = out[:-1] + text
        elif re.search(r"[^\W\d_]-$", out) and text[:1].isalpha():
            head = _last_token(out)[:-1]
            tail = re.match(r"[\w’']+", text)
            joined = f"{head}-{tail[0] if tail else ''}".casefold()
            if text[:1].islower() and joined not in vocabulary:
                out = out[:-1] + text
            else:
                out = out + text
        elif out.endswith(("—", "–", "/")):
            out = out + text
        else:
            out = out + " " + text
    return out


def hyphenated_words(lines: Iterable[Line]) -> frozenset:
    """Words printed with a hyphen inside a line (not at its end), case-folded."""
    found = set()
    for line in lines:
        for token in re.findall(r"[\w’']+(?:-[\w’']+)+", line.words.rstrip("-")):
            parts = token.casefold().split("-")
            for a, b in zip(parts, parts[1:]):
                found.add(f"{a}-{b}")
    return frozenset(found)


SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
#: Superscript digits printed as characters, after a word or its punctuation
#: (after a digit they are a power: "10⁹" stays).
SUPERSCRIPT_DIGITS_RE = re.compile(r"(?<=[^\s\d⁰¹²³⁴⁵⁶⁷⁸⁹])([⁰¹²³⁴⁵⁶⁷⁸⁹]+)(?![⁰¹²³⁴⁵⁶⁷⁸⁹])")


def _sup_marks(text: str) -> str:
    """``"1"`` -> ``<sup>1</sup>``; ``"2,3"`` and ``"4-6"`` -> one mark per number."""
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", text.strip()):
        m = re.match(r"^(\d+)\s*[–-]\s*(\d+)$", part)
        if m and int(m[1]) < int(m[2]) <= int(m[1]) + 20:
            numbers.extend(range(int(m[1]), int(m[2]) + 1))
        elif part.isdigit():
            numbers.append(int(part))
    return "".join(f"<sup>{n}</sup>" for n in numbers)


def line_markup(line: Line, strip_bullet: bool = False) -> str:
    """A line's text with superscript numbers as ``<sup>n</sup>``."""
    out = ""
    for span in line.spans:
        if span.sup and SUP_NUMBERS_RE.match(span.text):
            out = out.rstrip() if not span.text.startswith(" ") else out
            out += _sup_marks(span.text)
            if span.text.endswith(" "):
                out += " "
        else:
            out += SUPERSCRIPT_DIGITS_RE.sub(lambda m: _sup_marks(m[1].translate(SUPERSCRIPT_DIGITS)), span.text)
    out = out.strip()
    return BULLET_RE.sub("", out) if strip_bullet else out


def bracket_marks(text: str, numbers: set[int]) -> str:
    """Bracketed ``[n]`` / ``[n, m]`` marks of known notes -> ``<sup>n</sup>`` marks."""

    def sub(m: re.Match) -> str:
        marks = _sup_marks(m[1])
        found = [int(n) for n in re.findall(r"\d+", marks)]
        return marks if found and all(n in numbers for n in found) else m[0]

    text = BRACKET_MARK_RE.sub(sub, text)
    return re.sub(r"\s+(?=<sup>)", "", text)


def run_in(line: Line) -> Optional[tuple[str, str]]:
    """``(bold run-in heading, rest of the line)`` when a body line opens with one."""
    spans = list(line.spans)
    head = ""
    while spans and (spans[0].bold or not spans[0].text.strip()) and not spans[0].sup:
        head += spans.pop(0).text
    if not head.strip() or not spans or not any(s.text.strip() for s in spans):
        return None
    if not head.strip().endswith((".", ":", "?", "!", "—")):
        return None
    rest = Line(line.page, line.top, line.bottom, line.x0, line.x1, line.size, tuple(spans), line.page_height, line.page_width)
    return head.strip(), line_markup(rest)


def render(para: Para, vocabulary: frozenset = frozenset()) -> str:
    """A paragraph as one block in the text reader's shape."""
    texts = [line_markup(line, strip_bullet=(i == 0)) for i, line in enumerate(para.lines)]
    if para.kind == "heading":
        return "## " + join_lines([line.words for line in para.lines], vocabulary)
    head = run_in(para.lines[0]) if para.kind == "body" else None
    if head:
        return f"**{head[0]}** " + join_lines([head[1], *texts[1:]], vocabulary)
    return join_lines(texts, vocabulary)


# ---------------------------------------------------------------- the reader


PLACEHOLDER_RE = re.compile(
    r"^(?:untitled|anonymous|unknown|unspecified|none|n/?a|author|title|user|admin(?:istrator)?)?$"
    r"|^microsoft \w+ - |\.(?:docx?|odt|pdf|indd|rtf|tex)$",
    re.I,
)


def info_value(info: dict, key: str) -> str:
    """An info dict field, or "" when it is a tool's placeholder or a file name."""
    value = " ".join(str(info.get(key, "")).split())
    return "" if PLACEHOLDER_RE.search(value) else value


def to_metadata(front: Front, info: dict) -> Metadata:
    """What the PDF says about itself: the printed front first, the info dict
    (Title, Author, CreationDate) where the front says nothing. Printed
    words win because tools fill the info dict with placeholders and file
    names ("untitled", "anonymous", "Microsoft Word - draft3.docx")."""
    title = front.title or info_value(info, "Title")
    authors = front.authors or (split_authors(info_value(info, "Author")) if info_value(info, "Author") else ())
    date = front.date
    if not date and info.get("CreationDate"):
        m = re.match(r"^D:(\d{4})(\d{2})(\d{2})", info["CreationDate"])
        if m:
            date = f"{m[1]}-{m[2]}-{m[3]}"
    meta = Metadata(title=" ".join(title.split()), authors=authors, date=date)
    if front.subtitle and "subtitle" in {f.name for f in fields(Metadata)}:  # the model gains it with the other readers
        meta = replace(meta, subtitle=front.subtitle)
    return meta


def split_takeaways(rendered: Sequence[tuple[Para, str]]) -> tuple[str, list[Paragraph], list[Block]]:
    """``(heading, takeaways, body blocks)``: the items under a "Key Takeaways"
    heading are the takeaways. They end at the next heading, where a list of
    bullets ends, where the column or page changes (a sidebar beside the
    text), or where the look changes (another size)."""
    heading, takeaways, blocks = "", [], []
    opened: Optional[Para] = None  # the takeaways heading, while its items go on
    first: Optional[Para] = None
    bulleted = False
    for para, text in rendered:
        if para.kind == "heading":
            name = text[3:].strip()
            if TAKEAWAYS_RE.match(name) and not heading:
                heading, opened = name, para
                continue
            opened = None
        if opened is not None and first is not None and (
            (bulleted and not para.bullet)
            or (para.lines[0].page, para.lines[0].column) != (opened.lines[-1].page, opened.lines[-1].column)
            or abs(para.lines[0].size - first.lines[0].size) > 0.3
        ):
            opened = None
        if opened is not None:
            first = first or para
            bulleted = bulleted or para.bullet
            takeaways.append(Paragraph(text=text, line=para.page))
        else:
            blocks.append(Block(text, para.page))
    return heading, takeaways, blocks


ABOUT_RE = re.compile(r"^## about the authors?$", re.I)


def about_the_authors(blocks: Sequence[Block]) -> list[Block]:
    """An "About the Author(s)" heading closing the text: its paragraphs become
    the one bio block the structure step looks for last (the heading goes)."""
    blocks = list(blocks)
    for i, block in enumerate(blocks):
        if ABOUT_RE.match(block.text) and i + 1 < len(blocks) and not any(b.text.startswith("## ") for b in blocks[i + 1 :]):
            bio = Block(" ".join(b.text for b in blocks[i + 1 :]), blocks[i + 1].line)
            return [*blocks[:i], bio]
    return blocks


def read(path: Path, label: str) -> Document:
    """The PDF at ``path`` as the finished document model (``label`` names it
    in errors): :func:`read_blocks`, then the same repair rules and structuring
    as a ``.txt`` source (sections, run-in headings, bio, note markers, ids)."""
    from policy_reader.readers import repair, text

    return text.structure(repair.apply_all(read_blocks(path, label)))


def read_blocks(path: Path, label: str) -> Document:
    """The PDF at ``path`` cut into the text reader's pieces: metadata, takeaways,
    body blocks (``## Heading``, ``**Run-in.** text``, ``<sup>n</sup>``) and endnotes."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise SourceError(label, 0, f"cannot read the file ({exc.strerror})") from None
    check_bytes(head, label)
    pages = open_pages(Path(path), label)
    all_lines = [line for page in pages.lines for line in page]
    size = body_size(all_lines)
    kept = drop_furniture(pages.lines, size)
    kept[0] = drop_colophon(kept[0], size)
    flat = [line for page in kept for line in page]
    vocabulary = hyphenated_words(all_lines)
    body_lines, note_lines, _ = split_notes_section(flat, size)
    by_page: dict[int, list[Line]] = {}
    for line in body_lines:
        by_page.setdefault(line.page, []).append(line)
    body_pages, footnote_lines = split_footnotes([by_page[p] for p in sorted(by_page)], size)
    body_lines = [line for page in body_pages for line in page]
    front_lines, body_lines = split_front(body_lines, size)
    front = read_front(front_lines, size)
    if not body_lines:
        raise SourceError(label, 1, "no running text found after the cover page; check the file is the paper, not only its cover")
    paras = group_paragraphs(body_lines, size, measure(body_lines, size))
    paras = drop_pull_quotes(drop_contents(attach_drop_caps(paras)), vocabulary)
    endnotes = parse_notes(note_lines, vocabulary) + parse_notes(footnote_lines, vocabulary)
    numbers = {n.number for n in endnotes}

    rendered = []
    for para in paras:
        text = render(para, vocabulary)
        if para.kind == "heading" and front.title and text[3:].strip().casefold() == front.title.casefold():
            continue  # the title printed again above the text
        rendered.append((para, text if para.kind == "heading" else bracket_marks(text, numbers)))
    takeaways_heading, takeaways, blocks = split_takeaways(rendered)
    blocks = about_the_authors(blocks)
    furniture_facts = (("title_line", str(front.title_page)),) if front.title else ()
    if front.subtitle:
        furniture_facts += (("subtitle", front.subtitle),)
    return Document(
        source=label,
        meta=to_metadata(front, pages.info),
        takeaways_heading=takeaways_heading,
        takeaways=tuple(takeaways),
        blocks=tuple(blocks),
        endnotes=tuple(endnotes),
        shape="markdown",
        furniture=furniture_facts,
    )
