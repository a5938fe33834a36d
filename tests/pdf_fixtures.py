"""Build PDF papers for the PDF reader's tests with reportlab (text written here).

A tiny typesetter places every word itself, so a fixture has exactly the
features a test asks for: a cover page, running headers and footers, page
numbers, superscript or bracketed note marks, footnotes at page bottoms or a
notes list, words hyphenated at line ends, paragraphs cut by page breaks.
:func:`build` returns what it printed (the expected reading) along with the
file, so tests compare the reader against the truth, not against itself.

Markup in paragraph text: ``{n}`` is note mark n (attached to the word before
it); a soft hyphen (U+00AD) inside a word is a place the typesetter may break
it with a printed hyphen.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import reportlab
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

_FONTS = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
for _name, _file in (("Vera", "Vera.ttf"), ("Vera-Bold", "VeraBd.ttf"), ("Vera-Italic", "VeraIt.ttf")):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, os.path.join(_FONTS, _file)))

MARK_RE = re.compile(r"\{(\d+)\}")


@dataclass
class Shape:
    """How a publisher sets its papers."""

    regular: str = "Vera"
    bold: str = "Vera-Bold"
    italic: str = "Vera-Italic"
    size: float = 10.0
    leading: float = 13.0
    heading_size: float = 14.0
    note_size: float = 8.0
    page: tuple[float, float] = (612.0, 792.0)
    margin: tuple[float, float, float, float] = (72.0, 72.0, 72.0, 72.0)  # left, right, top, bottom
    indent: float = 0.0  # first-line indent of paragraphs
    para_gap: float = 6.0  # extra space between paragraphs
    justify: bool = True  # words placed one by one (no space characters) and lines justified
    marks: str = "sup"  # "sup" or "bracket"
    notes: str = "endnotes"  # "endnotes" (a list under a heading) or "footnotes" (page bottoms)
    header: Optional[Callable[[int], list[tuple[str, str]]]] = None  # page -> [(text, align)]
    footer: Optional[Callable[[int], list[tuple[str, str]]]] = None
    furniture_on_first_page: bool = False
    columns: int = 1
    colophon: tuple[str, ...] = ()  # small print at the foot of page 1
    note_tab: float = 0.0  # notes list: the number in a hanging indent this wide, the note a tab away
    gutter: float = 24.0


@dataclass
class Built:
    path: Path
    paragraphs: list[str]  # every body paragraph as read (marks out, soft hyphens out), in order
    notes_of: list[tuple[int, ...]]  # the note numbers of each paragraph
    furniture: list[str]  # every furniture string printed
    hyphenated: list[tuple[str, str]] = field(default_factory=list)  # (line end, next line start) cut by a hyphen
    split_across_pages: list[int] = field(default_factory=list)  # paragraph indices cut by a page or column break
    takeaways: list[str] = field(default_factory=list)  # the bullet items, as read
    pull_quotes: list[str] = field(default_factory=list)  # display type repeating words of the text


def words_of(text: str) -> str:
    """What a reader reads of marked-up text."""
    return MARK_RE.sub("", text).replace("\u00ad", "")


class Typesetter:
    def __init__(self, path: Path, shape: Shape, info: dict):
        self.shape = shape
        self.c = canvas.Canvas(str(path), pagesize=shape.page, **({"encrypt": info["encrypt"]} if info.get("encrypt") else {}))
        for key, setter in (("title", self.c.setTitle), ("author", self.c.setAuthor), ("subject", self.c.setSubject)):
            if info.get(key):
                setter(info[key])
        self.page_no = 0
        self.column = 0
        self.furniture: list[str] = []
        self.footnotes: list[tuple[int, str]] = []  # this page's
        self.hyphenated: list[tuple[str, str]] = []
        self.new_page(first=True)

    # -- pages
    @property
    def column_width(self) -> float:
        s = self.shape
        return (s.page[0] - s.margin[0] - s.margin[1] - (s.columns - 1) * s.gutter) / s.columns

    @property
    def left(self) -> float:
        return self.shape.margin[0] + self.column * (self.column_width + self.shape.gutter)

    @property
    def right(self) -> float:
        return self.left + self.column_width

    def new_page(self, first: bool = False):
        if not first and self.column + 1 < self.shape.columns:
            self.column += 1
            self.y = self.column_top
            return
        if not first:
            self.finish_page()
            self.c.showPage()
        self.page_no += 1
        self.column = 0
        self.y = self.column_top = self.shape.page[1] - self.shape.margin[2]
        self.footnotes = []

    def finish_page(self):
        s = self.shape
        if self.footnotes:
            lines = [ln for number, text in self.footnotes for ln in self.note_lines(number, text)]
            y = s.margin[3] + len(lines) * s.note_size * 1.25
            self.c.setLineWidth(0.5)
            self.c.line(self.left, y + s.note_size, self.left + 120, y + s.note_size)
            for ln in lines:
                y -= s.note_size * 1.25
                self.draw_runs(ln, self.left, y)
        if self.page_no == 1 and s.colophon:
            y = s.margin[3] + 6 * len(s.colophon)
            for text in s.colophon:
                self.c.setFont(s.italic, 7)
                self.c.drawString(s.margin[0], y, text)
                self.furniture.append(text)
                y -= 9
        if self.page_no > 1 or s.furniture_on_first_page:
            for where, fn in (("top", s.header), ("bottom", s.footer)):
                if fn is None:
                    continue
                y = s.page[1] - s.margin[2] / 2 if where == "top" else s.margin[3] / 2
                for text, align in fn(self.page_no):
                    self.c.setFont(s.regular, 8)
                    if align == "left":
                        self.c.drawString(s.margin[0], y, text)
                    elif align == "right":
                        self.c.drawRightString(s.page[0] - s.margin[1], y, text)
                    else:
                        self.c.drawCentredString(s.page[0] / 2, y, text)
                    self.furniture.append(text)

    def save(self):
        self.finish_page()
        self.c.save()

    def space_left(self) -> float:
        s = self.shape
        notes = sum(len(self.note_lines(n, t)) for n, t in self.footnotes)
        return self.y - s.margin[3] - (notes * s.note_size * 1.25 + s.note_size * 2 if notes else 0)

    # -- drawing
    def width(self, runs) -> float:
        return sum(pdfmetrics.stringWidth(t, f, z) for t, f, z, _ in runs)

    def draw_runs(self, runs, x, y, gap: Optional[float] = None):
        """Runs are (text, font, size, rise). With ``gap`` set, words are placed one by one."""
        for text, font, size, rise in runs:
            self.c.setFont(font, size)
            if gap is None:
                self.c.drawString(x, y + rise, text)
                x += pdfmetrics.stringWidth(text, font, size)
            else:
                if text == " ":
                    x += gap
                    continue
                self.c.drawString(x, y + rise, text)
                x += pdfmetrics.stringWidth(text, font, size)

    def word_runs(self, word: str, font: str, size: float):
        """A word with its note marks -> runs."""
        runs = []
        s = self.shape
        for i, part in enumerate(MARK_RE.split(word)):
            if not part:
                continue
            if i % 2:
                if s.marks == "sup":
                    runs.append((part, font, size * 0.6, size * 0.4))
                else:
                    runs.append((f" [{part}]", font, size, 0))
            else:
                runs.append((part.replace("\u00ad", ""), font, size, 0))
        return runs

    def note_lines(self, number: int, text: str):
        s = self.shape
        words = text.split()
        lines, current = [], [(str(number), s.regular, s.note_size * 0.7, s.note_size * 0.35)] if s.marks == "sup" else [(f"{number}.", s.regular, s.note_size, 0)]
        first = True
        for word in words:
            run = (word, s.regular, s.note_size, 0)
            trial = current + ([(" ", s.regular, s.note_size, 0)] if not (first and s.marks == "sup") else []) + [run]
            if self.width(trial) > self.right - self.left and current:
                lines.append(current)
                current = [run]
            else:
                current = trial
            first = False
        lines.append(current)
        return lines

    def layout_words(self, tokens, first_indent: float, hang: float = 0.0):
        """tokens: list of (word, font, size) -> lines of (runs, natural width), breaking at soft hyphens."""
        lines = []
        current: list = []
        avail = self.right - self.left - hang - first_indent
        queue = list(tokens)
        while queue:
            word, font, size = queue.pop(0)
            runs = self.word_runs(word, font, size)
            space = [(" ", font, size, 0)] if current else []
            if self.width(current + space + runs) <= avail:
                current += space + runs
                continue
            if "\u00ad" in word and current:
                pieces = word.split("\u00ad")
                for k in range(len(pieces) - 1, 0, -1):
                    head = "".join(pieces[:k]) + "-"
                    if self.width(current + space + self.word_runs(head, font, size)) <= avail:
                        current += space + self.word_runs(head, font, size)
                        rest = "\u00ad".join(pieces[k:])
                        self.hyphenated.append((head, MARK_RE.sub("", rest.replace("\u00ad", ""))))
                        queue.insert(0, (rest, font, size))
                        break
                else:
                    k = 0
                if k:
                    lines.append(current)
                    current, avail = [], self.right - self.left - hang
                    continue
            lines.append(current)
            current, avail = runs, self.right - self.left - hang
        if current:
            lines.append(current)
        return lines

    def paragraph(self, text: str, font: Optional[str] = None, size: Optional[float] = None, run_in: str = "",
                  gap_before: Optional[float] = None, leading: Optional[float] = None, indent: Optional[float] = None,
                  notes: Optional[dict] = None, hang: float = 0.0, marker: str = "") -> list[int]:
        """Set a paragraph; return the (page, column) places it was printed in."""
        s = self.shape
        font = font or s.regular
        size = size or s.size
        leading = leading or (s.leading if size == s.size else size * 1.3)
        indent = s.indent if indent is None else indent
        tokens = [(w, s.bold, size) for w in run_in.split()] + [(w, font, size) for w in text.split()]
        lines = self.layout_words(tokens, indent, hang)
        self.y -= s.para_gap if gap_before is None else gap_before
        pages = []
        for i, runs in enumerate(lines):
            marks = [int(m) for t, *_ in runs for m in re.findall(r"^\[?(\d+)\]?$", t.strip())
                     if (s.marks == "sup" and _[2]) or t.strip().startswith("[")]
            new_notes = [(m, notes[m]) for m in marks if notes and s.notes == "footnotes" and m in notes]
            need = leading + sum(len(self.note_lines(m, t)) for m, t in new_notes) * s.note_size * 1.25 + (s.note_size * 2 if new_notes and not self.footnotes else 0)
            if self.space_left() < need:
                self.new_page()
            self.y -= leading
            self.footnotes.extend(new_notes)
            x = self.left + hang + (indent if i == 0 else 0)
            if marker and i == 0:  # a list marker in the hanging indent, a tab away from the item
                self.c.setFont(font, size)
                self.c.drawString(self.left, self.y, marker)
            gap = None
            if s.justify:
                words = sum(1 for r in runs if r[0] == " ")
                natural = self.width([r for r in runs if r[0] != " "])
                gap = (self.right - x - natural) / words if (words and i < len(lines) - 1) else pdfmetrics.stringWidth(" ", font, size)
            self.draw_runs(runs, x, self.y, gap)
            if (self.page_no, self.column) not in pages:
                pages.append((self.page_no, self.column))
        return pages

    def space(self, points: float):
        self.y -= points

    def centred(self, text: str, font: str, size: float, gap: float):
        self.y -= gap
        self.c.setFont(font, size)
        self.c.drawCentredString(self.shape.page[0] / 2, self.y, text)


def build(path: Path, shape: Shape, content: list[tuple], notes: dict[int, str], info: Optional[dict] = None) -> Built:
    """Typeset ``content`` into ``path``.

    Items: ``("cover", [(text, font, size, gap)])`` fills page 1 and breaks;
    ``("top", [(text, font, size, gap)])`` sets masthead lines at the top of the text;
    ``("heading", text)``; ``("para", text)``; ``("runin", head, text)``;
    ``("bullet", text)``; ``("takeaways", heading)``; ``("bio", text)``; ``("pull", text)``
    sets a pull quote;
    ``("notes", heading)`` prints the notes list (endnote shapes).
    """
    s = shape
    t = Typesetter(path, s, info or {})
    paragraphs: list[str] = []
    notes_of: list[tuple[int, ...]] = []
    split: list[int] = []
    takeaways: list[str] = []
    pull_quotes: list[str] = []
    font = {"regular": s.regular, "bold": s.bold, "italic": s.italic}
    for item in content:
        kind = item[0]
        if kind in ("cover", "top"):
            for text, f, size, gap in item[1]:
                t.centred(text, font.get(f, f), size, gap)
            if kind == "cover":
                t.new_page()
            else:
                t.space(s.leading)
                t.column_top = t.y  # columns start below the masthead
        elif kind in ("heading", "takeaways", "notes"):
            if t.space_left() < s.heading_size * 4:
                t.new_page()
            t.paragraph(item[1], font=s.bold, size=s.heading_size, gap_before=s.heading_size, indent=0)
            t.space(4)
            if kind == "notes":
                for number in sorted(notes):
                    t.space(2)
                    number_text = f"[{number}]" if s.marks == "bracket" else f"{number}."
                    if s.note_tab:
                        t.paragraph(notes[number], size=s.note_size, indent=0, gap_before=2, hang=s.note_tab, marker=number_text)
                    else:
                        t.paragraph(f"{number_text} {notes[number]}", size=s.note_size, indent=0, gap_before=2)
        elif kind == "pull":  # a pull quote: display type repeating words of the text
            t.paragraph(item[1], font=s.italic, size=s.heading_size, gap_before=s.heading_size, indent=0)
            t.space(s.heading_size)
            pull_quotes.append(item[1])
        elif kind in ("para", "runin", "bullet", "bio"):
            run_in = item[1] if kind == "runin" else ""
            text = item[-1]
            shown = "• " + text if kind == "bullet" else text
            pages = t.paragraph(shown, run_in=run_in, notes=notes, indent=0 if kind == "bullet" else None)
            if kind == "bullet":
                takeaways.append(words_of(text))
            else:
                paragraphs.append(words_of(text))
                notes_of.append(tuple(int(n) for n in MARK_RE.findall(text)))
                if len(pages) > 1:
                    split.append(len(paragraphs) - 1)
    t.save()
    return Built(path, paragraphs, notes_of, sorted(set(t.furniture)), t.hyphenated, split, takeaways, pull_quotes)


def image_only_pdf(path: Path) -> Path:
    """A one-page PDF holding only a picture of a page (no text layer)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (400, 500), 255)
    draw = ImageDraw.Draw(img)
    for row in range(40, 460, 14):
        draw.rectangle([30, row, 370 - (row % 50), row + 6], fill=40)
    c = canvas.Canvas(str(path), pagesize=(612, 792))
    c.drawImage(ImageReader(img), 72, 150, width=400, height=500)
    c.showPage()
    c.save()
    return path


def encrypted_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path), pagesize=(612, 792), encrypt="a-password")
    c.setFont("Helvetica", 11)
    c.drawString(72, 700, "A locked paper about trade policy.")
    c.showPage()
    c.save()
    return path
