"""Paragraph identity: every paragraph keeps the id of the words it carries.

A pure step over the document model (:func:`assign`), run by the conversion
right after the text is structured. The reader numbers paragraphs by position
(``p-1``, ``p-2``...); this step replaces those positional ids with the ids the
paper's paragraphs were published under, matched by their words:

1. **exact**: a paragraph whose words (fingerprint) equal a known paragraph's
   takes its id, wherever it now stands (a moved paragraph keeps its id);
2. **edited**: the remaining paragraphs are paired with the remaining known
   ones by word similarity (:func:`similarity`, difflib over words), best pair
   first, when it reaches :data:`THRESHOLD`; ``permalinks --update`` records
   the edit as a revision;
3. **new**: anything else gets an id never used before in that paper
   (:func:`new_id`): after the last paragraph the next whole number
   (``p-22``), elsewhere the number of the paragraph before it with the first
   unused letter (``p-11a`` between ``p-11`` and ``p-12``).

The label a reader sees is read from the id (``p-11a`` is ¶ 11a, ``kt-2`` is
KT 2; :func:`label`), so a label stays on its words exactly as the id does.
A known paragraph that nothing matched is gone: ``permalinks --update``
retires its id with a successor (:func:`successor`) and the site shows a
notice to anyone who opens the old link.

What is "known" for a paper (:func:`known`) is read from the permalink
registry (``docs/permalinks.yml``: ids, fingerprints, retired ids, and the
words beside it in ``docs/permalinks-words.json``) and the paper's current page (newer than the registry between a conversion and
``permalinks --update``). A paper that is not known yet keeps ``p-1..p-N``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from policy_reader.model import Document, Paragraph
from policy_reader.page.markdown import label, parse_id  # noqa: F401  (the id scheme lives with the page contract)

#: Lowest word similarity (0..1) at which an edited paragraph keeps its id.
THRESHOLD = 0.6
#: Lowest similarity at which a retired paragraph's successor is chosen by its
#: words (it was merged into or split across that paragraph) rather than by place.
SUCCESSOR_THRESHOLD = 0.5

PREFIX = {"para": "p-", "takeaway": "kt-"}


@dataclass(frozen=True)
class Known:
    """A paragraph id a paper already has: its words (None: only the fingerprint is known)."""

    id: str
    kind: str  # "para" or "takeaway"
    fingerprint: str
    words: str | None = None


@dataclass(frozen=True)
class Match:
    """What :func:`match` decided for one new paragraph."""

    id: str
    how: str  # "exact", "edited" or "new"
    similarity: float = 1.0


@dataclass(frozen=True)
class PaperState:
    """What :func:`assign` knows of one paper: its known paragraphs and every id it ever used."""

    known: tuple[Known, ...] = ()
    used: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- ids and labels


def _letters(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, ... (spreadsheet columns)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def new_id(prefix: str, previous: str | None, at_end: bool, used: set[str]) -> str:
    """An id never used before in the paper for a paragraph added after ``previous``.

    At the end of the paper (no known paragraph follows it): the next whole
    number above every number used so far. Elsewhere: the number of the
    paragraph before it with the first unused letter (``p-11a``, ``p-11b``...;
    ``p-0a`` before the first paragraph).
    """
    numbers = [p[1] for p in map(parse_id, used) if p and p[0] == prefix]
    if at_end:
        return f"{prefix}{max(numbers, default=0) + 1}"
    base = parse_id(previous)[1] if previous and parse_id(previous) else 0
    n = 0
    while f"{prefix}{base}{_letters(n)}" in used:
        n += 1
    return f"{prefix}{base}{_letters(n)}"


# --------------------------------------------------------------------------- matching


def similarity(a: str, b: str) -> float:
    """How much of two paragraphs' words are the same, in order (0..1; difflib's ratio over words)."""
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _bounded_similarity(a: list[str], b: list[str], floor: float) -> float:
    """:func:`similarity` of word lists, or 0.0 when even its cheap upper bounds are below ``floor``."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < floor or sm.quick_ratio() < floor:
        return 0.0
    return sm.ratio()


def match(known: Sequence[Known], new: Sequence[tuple[str | None, str]], threshold: float = THRESHOLD) -> list[Match | None]:
    """Pair new paragraphs (``(fingerprint, words)`` in reading order) with known ones.

    Returns, per new paragraph, the :class:`Match` of the known id it keeps, or
    None when it is new. Each known id is given at most once. Exact words win
    first (in reading order, for repeated identical paragraphs; a known id
    recorded without its words matches by fingerprint, and a new fingerprint
    may be None when no known id needs it); then edited paragraphs by
    descending similarity (ties: the nearer position), only at or above
    ``threshold``.
    """
    out: list[Match | None] = [None] * len(new)
    free: dict[tuple[str, str], list[int]] = {}
    for j, k in enumerate(known):
        free.setdefault(("words", k.words) if k.words is not None else ("fp", k.fingerprint), []).append(j)
    taken: set[int] = set()
    for i, (fp, words) in enumerate(new):
        for key in (("words", words), ("fp", fp)):
            if free.get(key):
                j = free[key].pop(0)
                taken.add(j)
                out[i] = Match(known[j].id, "exact")
                break
    rest_new = [i for i in range(len(new)) if out[i] is None]
    rest_old = [j for j in range(len(known)) if j not in taken and known[j].words]
    if not rest_new or not rest_old:
        return out
    old_words = {j: known[j].words.split() for j in rest_old}
    pairs = []
    for i in rest_new:
        words = new[i][1].split()
        for j in rest_old:
            s = _bounded_similarity(words, old_words[j], threshold)
            if s >= threshold:
                pairs.append((-s, abs(i - j), i, j))
    pairs.sort()
    for neg, _, i, j in pairs:
        if out[i] is None and j not in taken:
            taken.add(j)
            out[i] = Match(known[j].id, "edited", -neg)
    return out


def words_of(p: Paragraph) -> str:
    """A model paragraph's words as the page will show them (what ``PageBlock.words`` reads back):
    note markers dropped, white space collapsed (tests/test_identity.py checks the two agree)."""
    from policy_reader.readers.text import plain

    return " ".join(plain(p.text).split())


def fingerprint_of(p: Paragraph) -> str:
    """A model paragraph's fingerprint exactly as the registry computes it from its page."""
    from policy_reader.page import registry
    from policy_reader.page.markdown import render_paragraph_text

    return registry.fingerprint(render_paragraph_text(p, {n: "note" for n in p.notes}))


def _assign_kind(paras: Sequence[Paragraph], known: Sequence[Known], kind: str, used: set[str]) -> list[Paragraph]:
    prefix = PREFIX[kind]
    # Nothing known (a paper published for the first time): every paragraph is new and
    # "at the end", so they are numbered 1..N in reading order.
    need_fp = any(k.words is None for k in known)  # only ids recorded without their words need it
    rendered = [(fingerprint_of(p) if need_fp else None, words_of(p)) for p in paras]
    matches = match(known, rendered) if known else [None] * len(paras)
    out: list[Paragraph] = []
    previous = None
    for i, (p, m) in enumerate(zip(paras, matches)):
        if m is None:
            at_end = all(later is None for later in matches[i + 1:])
            pid = new_id(prefix, previous, at_end, used)
        else:
            pid = m.id
        used.add(pid)
        out.append(replace(p, id=pid))
        previous = pid
    return out


def assign(doc: Document, state: PaperState) -> Document:
    """The document with every takeaway and body paragraph carrying the id of its words (pure)."""
    used = set(state.used)
    takeaways = _assign_kind(doc.takeaways, [k for k in state.known if k.kind == "takeaway"], "takeaway", used)
    body = _assign_kind(doc.paragraphs(), [k for k in state.known if k.kind == "para"], "para", used)
    it = iter(body)
    sections = tuple(replace(s, paragraphs=tuple(next(it) for _ in s.paragraphs)) for s in doc.sections)
    return doc.with_(takeaways=tuple(takeaways), sections=sections)


# --------------------------------------------------------------------------- retiring


def successor(retired: Known, old_order: Sequence[str], live: Sequence[Known]) -> tuple[str, str]:
    """Where the links of a removed paragraph go, and why: ``(id, reason)``.

    ``old_order`` is the paper's ids in their former reading order (the
    registry's order), ``live`` the page's paragraphs now. The paragraph that
    holds most of its words when that reaches :data:`SUCCESSOR_THRESHOLD` (it
    was merged or split), else the paragraph that now stands in its place: the
    one after its nearest earlier neighbour that survived, or the last one.
    """
    if not live:
        raise ValueError("a paper without paragraphs has no successor to give")
    if retired.words:
        words = retired.words.split()
        scored = [(_bounded_similarity(words, (p.words or "").split(), SUCCESSOR_THRESHOLD), -n, p.id)
                  for n, p in enumerate(live)]
        best = max(scored)
        if best[0] >= SUCCESSOR_THRESHOLD:
            return best[2], f"it holds most of its words ({best[0]:.0%} the same)"
    same = [p for p in live if p.kind == retired.kind] or list(live)
    ids = [p.id for p in same]
    live_ids = set(ids)
    try:
        before = list(old_order[: old_order.index(retired.id)])
    except ValueError:
        before = []
    earlier = next((pid for pid in reversed(before) if pid in live_ids), None)
    if earlier is None:
        return ids[0], "it now stands in its place (the first paragraph)"
    at = ids.index(earlier)
    if at + 1 < len(ids):
        return ids[at + 1], f"it now stands in its place (after {label(earlier)})"
    return earlier, "it is the nearest paragraph before it (it was the last)"


# --------------------------------------------------------------------------- what a paper already has


def known(registry_ids: dict, page_blocks: Iterable) -> PaperState:
    """The known paragraphs of a paper from its registry entries and its current page.

    ``registry_ids`` is the registry's ``id -> Entry`` of the paper (see
    :mod:`policy_reader.page.registry`), ``page_blocks`` the page's
    :class:`~policy_reader.page.markdown.PageBlock` list. A page paragraph wins
    over the registry's record of the same id (the page is newer until
    ``permalinks --update`` records it); a retired id is never matched, only
    never given again.
    """
    from policy_reader.page import registry

    out: dict[str, Known] = {}
    for b in page_blocks:
        if b.kind in PREFIX:
            out[b.id] = Known(b.id, b.kind, registry.fingerprint(b.text), b.words)
    for pid, entry in registry_ids.items():
        if entry.successor is None and pid not in out:
            kind = "takeaway" if pid.startswith("kt-") else "para"
            out[pid] = Known(pid, kind, entry.fingerprint, entry.words)
    return PaperState(tuple(out.values()), frozenset(out) | frozenset(registry_ids))


def load_state(root: Path, slug: str, registry_data: dict) -> PaperState:
    """:func:`known` for one paper of the project at ``root`` (reads its page if there is one)."""
    from policy_reader.page.markdown import read_blocks
    from policy_reader.page.registry import _ids

    page = root / "docs" / "papers" / f"{slug}.md"
    blocks = read_blocks(page.read_text(encoding="utf-8")) if page.is_file() else []
    return known(_ids(registry_data.get(slug, {})), blocks)  # a withdrawn paper's marker is no id


def load_registry(root: Path) -> dict:
    """The project's permalink registry (``{}`` when it has none); a bad file raises SourceError."""
    from policy_reader.page import registry

    return registry.load(root / "docs" / registry.REGISTRY_NAME)


def missing_hint(registry_ids: dict, pid: str) -> str | None:
    """What became of an id a paper no longer has, for messages about data keyed by it."""
    entry = registry_ids.get(pid)
    if entry is None:
        return None
    if entry.successor:
        return f"it was removed; its links open '{entry.successor}'"
    return "its words are no longer in the source, so this conversion removes it"
