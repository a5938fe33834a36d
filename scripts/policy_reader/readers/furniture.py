"""Page furniture found by repetition and position (generic, no list of known strings).

Running headers, running footers and page numbers are lines a document
prints on many pages at the same place, at the top or bottom edge, often with
only a number changing. :func:`find` takes each page's lines as ``(text,
position)`` pairs (``position`` from 0.0 at the top edge to 1.0 at the
bottom, or ``None`` when the format has no geometry, such as text pasted from
a PDF) and returns the indices of the furniture lines. Any reader that keeps
page boundaries can use it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Optional, Sequence

#: How far from the top or bottom edge (as a fraction of the page height) a
#: running header or footer may sit.
EDGE = 0.12
#: How many lines at each end of a page are candidates when positions are unknown.
EDGE_LINES = 2
#: Two repetitions match when their positions differ by at most this much.
SAME_PLACE = 0.025
#: A line this many line pitches away from the next one stands apart from the text.
ISOLATED = 2.2

ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
PAGE_NUMBER_RE = re.compile(
    rf"^(?:page\s+)?(?:\d{{1,4}}|{ROMAN})(?:\s*(?:of|/)\s*\d{{1,4}})?$|^[-–—]\s*\d{{1,4}}\s*[-–—]$", re.I
)


def normalize(text: str) -> str:
    """The repeated shape of a line: digits become ``#``, case and spacing ignored."""
    return re.sub(r"\d+", "#", " ".join(text.split())).casefold()


def is_page_number(text: str) -> bool:
    """``"7"``, ``"Page 7"``, ``"7 of 12"``, ``"- 7 -"``, ``"vii"``."""
    return bool(PAGE_NUMBER_RE.match(" ".join(text.split())))


def _at_edge(index: int, count: int, position: Optional[float]) -> bool:
    if position is None:
        return index < EDGE_LINES or index >= count - EDGE_LINES
    return position <= EDGE or position >= 1 - EDGE


def find(pages: Sequence[Sequence[tuple[str, Optional[float]]]], min_share: float = 0.3) -> set[tuple[int, int]]:
    """``{(page index, line index)}`` of the furniture lines of ``pages``.

    A line is furniture when it sits at the top or bottom edge of its page and
    either is a page number, or its shape (:func:`normalize`) recurs at the
    same place (within :data:`SAME_PLACE`) on at least two pages and at least
    ``min_share`` of the pages. A one-page document has no repetition: only
    its edge page numbers are furniture.
    """
    candidates: dict[str, list[tuple[int, int, Optional[float]]]] = defaultdict(list)
    found: set[tuple[int, int]] = set()
    for p, lines in enumerate(pages):
        for i, (text, position) in enumerate(lines):
            if not text.strip() or not _at_edge(i, len(lines), position):
                continue
            if is_page_number(text):
                found.add((p, i))
                continue
            candidates[normalize(text)].append((p, i, position))
    needed = max(2, math.ceil(min_share * len(pages)))
    for hits in candidates.values():
        if len({p for p, _, _ in hits}) < needed:
            continue
        for p, i, position in hits:
            same = {q for q, _, pos in hits if position is None or pos is None or abs(pos - position) <= SAME_PLACE}
            if len(same) >= needed:
                found.add((p, i))
    found |= _at_furniture_places(pages, found)
    return found | _isolated_at_one_place(pages, needed)


def line_pitch(steps: Counter) -> float:
    """The text's line pitch: the smallest step between lines that recurs
    (paragraph and heading spacing are larger); the commonest if none does."""
    recurring = [step for step, count in steps.items() if count >= 2]
    return min(recurring) if recurring else (steps.most_common(1)[0][0] if steps else 0.0)


def _isolated_at_one_place(pages, needed: int) -> set[tuple[int, int]]:
    """The outermost line of pages, printed apart from the text (its gap to the
    next line at least :data:`ISOLATED` times the page's usual line pitch) and
    at the same place on ``needed`` pages, whatever its words: a running header
    or footer whose words change from page to page (a section name, a left-
    and right-page pair)."""
    spots: list[tuple[int, int, float]] = []
    for p, lines in enumerate(pages):
        positions = [pos for _, pos in lines]
        if len(lines) < 3 or any(pos is None for pos in positions):
            continue
        steps = Counter(round(b - a, 3) for a, b in zip(positions, positions[1:]) if b > a)
        if not steps:
            continue
        pitch = line_pitch(steps)
        for i, neighbour in ((0, 1), (len(lines) - 1, len(lines) - 2)):
            if _at_edge(i, len(lines), positions[i]) and abs(positions[i] - positions[neighbour]) >= ISOLATED * pitch:
                spots.append((p, i, positions[i]))
    found = set()
    for p, i, pos in spots:
        if len({q for q, _, other in spots if abs(other - pos) <= SAME_PLACE / 5}) >= needed:
            found.add((p, i))
    return found


def _at_furniture_places(pages, found: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The outermost line of a page printed where furniture stands on two other
    pages (a running header that alternates between left and right pages)."""
    places = [(p, pages[p][i][1]) for p, i in found if pages[p][i][1] is not None]
    more = set()
    for p, lines in enumerate(pages):
        for i in {0, len(lines) - 1}:
            if not lines or (p, i) in found or lines[i][1] is None or not _at_edge(i, len(lines), lines[i][1]):
                continue
            others = {q for q, pos in places if q != p and abs(pos - lines[i][1]) <= SAME_PLACE}
            if len(others) >= 2:
                more.add((p, i))
    return more
