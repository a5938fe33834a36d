"""Characters of a PDF page -> lines of styled spans (pure: char dicts in, lines out).

The PDF reader (:mod:`policy_reader.readers.pdf`) gets every character with
its font name, size and box from pdfplumber; this module groups them into
lines in reading order and marks what the layout says about each run of
characters: its font, whether it is bold or italic, and whether it is a
superscript (smaller than the line's text and raised above its baseline).

Nothing here knows about papers: it is geometry only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi", re.I)
ITALIC_RE = re.compile(r"italic|oblique", re.I)


def base_font(fontname: str) -> str:
    """``"ABCDEF+Minion-Bold"`` -> ``"Minion-Bold"`` (a subset prefix is not part of the name)."""
    return fontname.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", fontname or "") else (fontname or "")


@dataclass(frozen=True)
class Span:
    """Consecutive characters of one line in one style."""

    text: str
    font: str
    size: float
    sup: bool = False

    @property
    def bold(self) -> bool:
        return bool(BOLD_RE.search(self.font))

    @property
    def italic(self) -> bool:
        return bool(ITALIC_RE.search(self.font))


@dataclass(frozen=True)
class Line:
    """One printed line: its spans, its box and the size of its main text."""

    page: int  # 1-based
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    spans: tuple[Span, ...]
    page_height: float = 792.0
    page_width: float = 612.0
    column: int = 0  # 1 for the right column of a two-column page

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans).strip()

    @property
    def words(self) -> str:
        """The line's text with superscripts left out."""
        return " ".join("".join(re.sub(r"\S", "", s.text) if s.sup else s.text for s in self.spans).split())

    @property
    def bold(self) -> bool:
        """Every visible character of the line (superscripts aside) is bold."""
        spans = [s for s in self.spans if s.text.strip() and not s.sup]
        return bool(spans) and all(s.bold for s in spans)

    @property
    def italic(self) -> bool:
        spans = [s for s in self.spans if s.text.strip() and not s.sup]
        return bool(spans) and all(s.italic for s in spans)


def dedupe(chars: Iterable[Mapping], tolerance: float = 1.0) -> list[Mapping]:
    """Characters without the copies a PDF prints over them (a faux bold, a
    shadow): same text, font and size within ``tolerance`` points of one
    already kept. Linear time, unlike pdfplumber's ``dedupe_chars``."""
    kept: list[Mapping] = []
    seen: dict[tuple, list[Mapping]] = {}
    for c in chars:
        gx, gy = int(c["x0"] // tolerance), int(c["top"] // tolerance)
        ident = (c["text"], c.get("fontname"), round(c["size"], 1))
        duplicate = any(
            abs(o["x0"] - c["x0"]) <= tolerance and abs(o["top"] - c["top"]) <= tolerance
            for dx in (-1, 0, 1) for dy in (-1, 0, 1) for o in seen.get((*ident, gx + dx, gy + dy), ())
        )
        if not duplicate:
            kept.append(c)
            seen.setdefault((*ident, gx, gy), []).append(c)
    return kept


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def group_lines(chars: Iterable[Mapping]) -> list[list[Mapping]]:
    """Group upright characters into lines by vertical overlap, top to bottom.

    A character belongs to the line whose main characters' band it overlaps
    by at least half its own height; a raised, smaller superscript does, a
    character of the next line does not. Each line's characters come back
    sorted left to right.
    """
    lines: list[dict] = []  # {"top", "bottom", "size", "chars"}
    for c in sorted((c for c in chars if c.get("upright", True)), key=lambda c: (c["top"], c["x0"])):
        height = max(c["bottom"] - c["top"], 0.1)
        best, best_overlap = None, 0.0
        for line in lines[-6:]:
            if max(c["size"], line["size"]) >= 2 * min(c["size"], line["size"]):
                continue  # a drop cap spans several lines of text but belongs to none of them
            ov = _overlap(c["top"], c["bottom"], line["top"], line["bottom"])
            if ov >= 0.5 * min(height, line["bottom"] - line["top"]) and ov > best_overlap:
                best, best_overlap = line, ov
        if best is None:
            lines.append({"top": c["top"], "bottom": c["bottom"], "size": c["size"], "chars": [c]})
            continue
        best["chars"].append(c)
        if c["size"] > best["size"] + 0.01:  # the largest characters define the line's band
            best.update(top=c["top"], bottom=c["bottom"], size=c["size"])
    lines.sort(key=lambda line: line["top"])
    return [sorted(line["chars"], key=lambda c: c["x0"]) for line in lines]


def main_size(chars: Sequence[Mapping]) -> float:
    """The size most of a line's visible characters have."""
    sizes = Counter(round(c["size"], 1) for c in chars if c["text"].strip())
    return sizes.most_common(1)[0][0] if sizes else round(chars[0]["size"], 1)


def is_superscript(c: Mapping, size: float, baseline: float) -> bool:
    """Smaller than the line's text and raised above its baseline."""
    return c["size"] < 0.85 * size and c["bottom"] < baseline - 0.15 * size


def letter_spacing(chars: Sequence[Mapping]) -> float:
    """The space a line puts between the letters of a word (0 for most text;
    more in letter-spaced capitals such as a cover's "R E S E A R C H").
    The gap most pairs of adjacent letters share, when most pairs have one."""
    gaps = sorted(
        max(0.0, b["x0"] - a["x1"]) for a, b in zip(chars, chars[1:]) if a["text"].strip() and b["text"].strip()
    )
    if len(gaps) < 4:
        return 0.0
    return gaps[len(gaps) // 4]  # a quarter of the gaps are between letters in any text


def make_line(chars: Sequence[Mapping], page: int, page_height: float = 792.0, page_width: float = 612.0) -> Line:
    """One line's characters (left to right) -> a :class:`Line` of styled spans.

    A space is inserted where the gap between two characters is wider than a
    fifth of the text size and the PDF drew none; runs of spaces become one.
    """
    size = main_size(chars)
    main = [c for c in chars if round(c["size"], 1) == size and c["text"].strip()] or list(chars)
    baseline = Counter(round(c["bottom"], 1) for c in main).most_common(1)[0][0]
    spans: list[list] = []  # [text, font, size, sup]
    prev = None
    tracking = letter_spacing(chars)
    for c in chars:
        sup = is_superscript(c, size, baseline)
        font = base_font(c.get("fontname", ""))
        text = c["text"]
        if prev is not None and text.strip() and prev["text"].strip():
            gap = c["x0"] - prev["x1"]
            if gap > tracking + 0.2 * min(size, max(c["size"], prev["size"])):
                text = " " + text
        if text.isspace():
            text = " "
        if spans and spans[-1][1] == font and spans[-1][3] == sup and (sup or abs(spans[-1][2] - c["size"]) < 0.05):
            if not (text == " " and spans[-1][0].endswith(" ")):
                spans[-1][0] += text
        elif text == " " and spans and spans[-1][0].endswith(" "):
            pass
        else:
            if text.startswith(" ") and len(text) > 1 and spans and not spans[-1][0].endswith(" "):
                # a gap before a style change belongs to the earlier span
                spans[-1][0] += " "
                text = text[1:]
            spans.append([text, font, round(c["size"], 1), sup])
        prev = c
    out = tuple(Span(t, f, s, sup) for t, f, s, sup in spans if t)
    visible = [c for c in chars if c["text"].strip()] or list(chars)
    return Line(
        page=page,
        top=min(c["top"] for c in main),
        bottom=max(c["bottom"] for c in main),
        x0=min(c["x0"] for c in visible),
        x1=max(c["x1"] for c in visible),
        size=size,
        spans=out,
        page_height=page_height,
        page_width=page_width,
    )


#: A horizontal gap wider than this many times the text size separates two
#: pieces of text on one baseline (columns, or a footer's left and right parts).
GUTTER = 1.5


#: A list marker a tab may separate from its item: a number, a bracketed number, a bullet.
MARKER_RE = re.compile(r"^(?:\d{1,3}[.)]?|\[\d{1,3}\]|\(\d{1,3}\)|[•▪●■◦‣–*-])$")


def split_at_gutters(chars: Sequence[Mapping]) -> list[list[Mapping]]:
    """One baseline's characters (left to right) -> pieces separated by gutters.

    A list marker ("1.", "[2]", "•") stays with the item a tab puts far from it.
    """
    size = main_size(chars)
    pieces: list[list[Mapping]] = [[]]
    last = None  # the last visible character
    for c in chars:
        if c["text"].strip():
            if last is not None and c["x0"] - last["x1"] > GUTTER * size:
                so_far = "".join(ch["text"] for ch in pieces[-1]).strip()
                if not MARKER_RE.match(so_far):
                    pieces.append([])
            last = c
        pieces[-1].append(c)
    return [p for p in pieces if any(c["text"].strip() for c in p)]


def find_gutter(lines: Sequence[Line]) -> float | None:
    """The x of a vertical gutter splitting a page into two columns, or None.

    Candidates are the left edges where at least five lines start; the gutter
    lies just left of one when at least five other lines end before it and
    few lines (a title, headings, running heads: under a third) cross it. The
    columns need not be equal: a narrow sidebar beside the text counts.
    """
    if len(lines) < 10:
        return None
    starts = Counter(round(line.x0) for line in lines)
    left_edge = min(line.x0 for line in lines)
    best, best_score = None, 0
    for edge, count in starts.items():
        if count < 5 or edge < left_edge + 36:
            continue
        x = edge - 1
        left = sum(line.x1 <= x for line in lines)
        crossing = sum(line.x0 < x < line.x1 for line in lines)
        if left >= 5 and crossing * 3 < len(lines) and left + count > best_score:
            best, best_score = float(x), left + count
    return best


def reading_order(lines: Sequence[Line]) -> list[Line]:
    """Lines in reading order: on a two-column page (:func:`find_gutter`), the
    left column's lines before the right column's, band by band (a line
    crossing the gutter, such as a heading or the title, closes a band)."""
    lines = sorted(lines, key=lambda line: (line.top, line.x0))
    gutter = find_gutter(lines)
    if gutter is None:
        return lines
    out: list[Line] = []
    band: list[Line] = []

    def flush():
        out.extend(sorted((line for line in band if line.x1 <= gutter), key=lambda line: line.top))
        out.extend(sorted((replace(line, column=1) for line in band if line.x1 > gutter), key=lambda line: line.top))
        band.clear()

    for line in lines:
        if line.x0 < gutter < line.x1:  # crosses the gutter
            flush()
            out.append(line)
        else:
            band.append(line)
    flush()
    return out


def page_lines(chars: Iterable[Mapping], page: int, page_height: float = 792.0, page_width: float = 612.0) -> list[Line]:
    """Every line of a page in reading order (empty lines dropped)."""
    lines = []
    for group in group_lines(chars):
        for piece in split_at_gutters(group):
            line = make_line(piece, page, page_height, page_width)
            if line.text:
                lines.append(line)
    return reading_order(lines)
