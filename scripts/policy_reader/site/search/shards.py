"""A sharded, prebuilt search index for Material's search box (MkDocs-free).

Material's own worker downloads the whole ``search_index.json`` and builds a
lunr index in the browser after every page load: seconds at a library of a
thousand papers. This module turns the same documents into small static files
that our worker (``docs/assets/search-worker.js``) reads only as a query needs
them, so the box is ready at once and a query touches a few kilobytes, in one
round of parallel fetches (the postings of its words, which for a frequent word
carry the records of its best results: every word in more than ``CARRY_DF``
documents) and, when a result shown is carried by none of them, a second (the
record shards of those results):

``search/shards/manifest.json``
    ``{"docs": n, "paragraphs": p, "recordShard": RECORD_SHARD, "termShards": {prefix: bundle},
    "ownFiles": {term: [df, [file, left, left other], ...]}, "stopwords": [...],
    "version": digest}``: the document count, how many of the first documents
    are paragraphs (see build()), the record shard size, the term bundle of
    every term key (see ``t-<n>``), the terms whose postings have files of their own (with
    the number of documents holding them and the files of their tiers, each with
    the heaviest weight left after it among paragraphs and among the others: see
    ``TOP``),
    the stopwords, and the first 12 hex digits of the SHA-256 of the other
    files' contents in name order;
``search/shards/r<k>.json``
    records of documents ``k*RECORD_SHARD ...``: ``[location, title, text,
    parent title]``, the last ``null`` for a document with no page document
    above it (a page of its own). Small shards: a query fetches only those of
    the results it shows (``MAX_SHOWN`` in the worker), so what it downloads
    is close to what the reader sees;
``search/shards/t-<n>.json``
    term bundle ``n``: ``{key: {term: postings}}`` for the terms of the
    bundle's keys that have no file of their own. A term's key is its first two
    characters (a one-character term is its own key), unless the terms under
    that prefix would take more than ``TERM_BUNDLE`` bytes: then the prefix is
    cut by the next character of its terms (a term as long as the prefix keeps
    it as its key), again while a part is too big (see ``_groups``). So a term
    is under the longest key in the manifest that begins it (the worker's
    ``bundleKey``), and a rare word's bundle stays small however many words of
    a large library share its first letters (at 1,000 papers a two-letter
    prefix held up to 100 KB). The keys, in sorted order, are cut into runs of
    consecutive keys, one run per bundle: a key joins the current bundle while
    the bundle stays within ``TERM_BUNDLE`` bytes and otherwise starts the next
    one, so a bundle holds either at most ``TERM_BUNDLE`` bytes or a single key
    (of a single term);
``search/shards/p-<n>.json``
    ``{"postings": [...], "records": {id: record}}``: postings of one frequent
    term (longer than ``OWN_FILE`` bytes), so that looking up a rare word never
    downloads a frequent one's postings, and a frequent word downloads only its
    own: one tier of them (its heaviest, then lighter ones, fetched only when
    needed); or of a middling term (in more than ``CARRY_DF`` documents, its
    postings shorter). The first tier also carries the records of the term's
    ``EMBED`` (a middling term: ``SHOWN``) heaviest paragraphs (or, when it has
    fewer, of its heaviest other documents too), keyed by document id, their
    text cut to a window of ``WINDOW`` characters around the term in the text
    the record shard keeps (see ``window``, ``_carry``): the results of a
    one-word query are among them, so such a query shows its results after a
    single round of fetches; later tiers carry no records.

Postings are ``[gap, weight, gap, weight, ...]``: the document ids in
ascending order as differences from the previous id (the first from 0), which
compress well. The weight is BM25's term-frequency part, computed here so the
worker only adds it up:
``100 * f * (K1 + 1) / (f + K1 * (1 - B + B * length / average length))``,
where ``f`` counts the term in the text plus ``TITLE_WEIGHT`` per occurrence
in the title; long documents (a whole page section) do not outrank the
paragraph that says the same thing. A page document with no text of its own
whose sections or paragraphs are indexed (a paper page) has no postings: its
title is in every one of its paragraphs' titles, and the worker shows it as
the header of their group.

Every file is compact JSON with sorted keys (what ``json.dumps(...,
separators=(",", ":"), sort_keys=True, ensure_ascii=False)`` writes), UTF-8.

Terms are lower-cased runs of letters and digits (apostrophes dropped), the
same rule the worker applies to a query, so every word a reader types is
looked up exactly as it was indexed.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import operator
import re
import zlib
from array import array
from collections import defaultdict
from json.encoder import encode_basestring as _json_str  # what json.dumps(str, ensure_ascii=False) writes
from pathlib import Path
from typing import Iterator

# Records per record shard. A query fetches the shards of the results it shows (at
# most MAX_SHOWN = 10 in the worker), all at once; with 2 records (~0.6 KB gzipped at
# 1,000 papers; 8 records were ~1.8 KB) a query downloads little beyond the records it
# shows. (At 64 records per shard and 24 results, 1,000 papers cost ~100 KB per query.)
RECORD_SHARD = 2
# Target size of a term bundle, in bytes of JSON, and the most a bundle holds unless
# it is the postings of a single term. A query fetches one bundle per word (unless
# the word has a file of its own), so this is what bundling can add to a word's
# fetch: 8 KiB gzip to ~2-3 KiB. A two-paper site's rare terms fit in a handful of
# files instead of a file per prefix; a large library's crowded prefixes are cut longer.
TERM_BUNDLE = 8 * 1024
# A term whose postings take more than this many bytes of JSON gets a file of its
# own (p-<n>.json), named in the manifest: a frequent word is fetched alone, and
# the bundles stay small.
OWN_FILE = 1024
# A term in more documents than a query shows (MAX_SHOWN = 10 in the worker) gets a file of
# its own too, however short its postings: its first tier carries the records of its best
# documents (SHOWN of them, as many as a query shows: the results of a query for the word, or
# for it and its commonest completions, each with its own, are among them), so a query for a
# middling word shows its results after one round of fetches (its bundle, for the completions
# of a word still being typed, and its own file, in parallel), not two (the bundle, then a
# record shard per result shown). A rarer word's results are all its documents: at most
# CARRY_DF record shards, fetched after its bundle.
CARRY_DF = 10
SHOWN = 10
# A frequent term's postings are cut by weight into tiers, each in a file of its own:
# the heaviest TOP or so, then about 4 times as many, and so on (see _split). The
# worker fetches the first, and the next only while what is left could change the
# results it shows (it knows the heaviest weight left after each tier from the
# manifest). A query for a word in thousands of paragraphs then downloads a few KB,
# not every paragraph holding it.
TOP = 256
MIN_TOP = 16  # more than the results a query shows, so a one-word query never needs a tail
# Records of documents other than paragraphs (sections of generated pages: topic
# pages, lists, the bibliography) keep the first SNIPPET characters of their text,
# cut at a space: a result shows the start of its section, and one record of a
# long list no longer weighs hundreds of KB. Paragraphs keep their whole text.
SNIPPET = 400
# Records carried in a frequent term's first tier: more than the 10 results a query shows,
# so that the best documents of a query for the word (or for its commonest completions,
# each with its own) are at hand without fetching record shards.
EMBED = 16
# Characters of text a carried record keeps around the term's first occurrence.
WINDOW = 200
TITLE_WEIGHT = 3
K1 = 1.2
B = 0.75
TOKEN = re.compile(r"[0-9a-z\u00c0-\u024f]+")
TAG = re.compile(r"<[^>]+>")
# The documents a reader looks for (a paragraph's, key takeaway's or bio's permalink).
PARAGRAPH = re.compile(r"#(?:p-\d+[a-z]*|kt-\d+[a-z]*|bio)$")
STOPWORDS = frozenset("a an and are as at be by for from in is it of on or that the to was with".split())

# Cutting terms out of a large index was most of the cost of building it; it is
# done without a regular-expression match per term. The text is rewritten so that
# only term characters remain, separated by spaces, and split:
# - text beyond ASCII is lower-cased (``str.lower``), "’" is dropped, and every run
#   of characters beyond ASCII that cannot be in a term becomes a space (``_FOREIGN``);
# - then, on the UTF-8 bytes, ``_BYTES`` keeps digits and lower-case letters, lowers
#   A-Z (all that ``str.lower`` does to ASCII text), drops "'" and turns every other
#   ASCII byte into a space. Bytes >= 0x80 left belong to term characters
#   (U+00C0-U+024F) and are kept; none of them is white space to ``bytes.split``.
# The terms come out as UTF-8 ``bytes`` (decoded once per distinct term at the
# end) and equal the ``TOKEN`` runs that tokens() describes; tests/test_search_shards.py
# checks that against that definition on the papers' text and on awkward strings.
_FOREIGN = re.compile(r"[^\x00-\x7f\u00c0-\u024f]+")
_BYTES = bytes(
    b if 0x30 <= b <= 0x39 or 0x61 <= b <= 0x7A or b >= 0x80 else b + 0x20 if 0x41 <= b <= 0x5A else 0x20
    for b in range(256)
)
_STOP = frozenset(w.encode("utf-8") for w in STOPWORDS)


def _words(text: str) -> list[bytes]:
    """Every term of ``text`` in order, stopwords included, as UTF-8 bytes."""
    if "<" in text:
        text = TAG.sub(" ", text)
    if not text.isascii():
        text = _FOREIGN.sub(" ", text.lower().replace("’", ""))
    return text.encode("utf-8").translate(_BYTES, b"'").split()


def tokens(text: str) -> list[str]:
    """Index terms of ``text`` (HTML tags ignored): the runs of ``TOKEN`` in the
    lower-cased text without apostrophes, except ``STOPWORDS``."""
    return [t.decode("utf-8") for t in _words(text) if t not in _STOP]


def prefix(term: str) -> str:
    return term[:2]


try:  # counts[item] += 1 for every item, in C: the helper collections.Counter counts with
    from collections import _count_elements
except ImportError:  # pragma: no cover - every CPython since 3.2 has it

    def _count_elements(counts: dict, items) -> None:
        get = counts.get
        for item in items:
            counts[item] = get(item, 0) + 1


class _Weights(dict):
    """f -> the posting weight (as JSON text) of a term counted f times in a document
    of one length: BM25's term-frequency part (see the module's doc string)."""

    def __init__(self, length: int, average: float):
        super().__init__()
        self.norm = K1 * (1 - B + B * length / average)

    def __missing__(self, f: int) -> str:
        weight = self[f] = str(max(1, round(100 * f * (K1 + 1) / (f + self.norm))))
        return weight


def _dump(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _field(value) -> str:
    """A record's field as :func:`_dump` writes it (a string or null, without a call of json.dumps)."""
    if type(value) is str:
        return _json_str(value)
    return "null" if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _record_json(record: tuple) -> str:
    """``record`` (a tuple of fields) as :func:`_dump` writes it, as text."""
    return f'[{",".join(map(_field, record))}]'


def _records_json(records) -> bytes:
    """A list of records as ``_dump(list(records))`` writes it. Tens of thousands of small files
    are written so; json.dumps makes a new encoder for every call, which was most of their cost."""
    return f'[{",".join(map(_record_json, records))}]'.encode("utf-8")


def _carried_json(carried: dict[int, tuple]) -> bytes:
    """``{id: record}`` as ``_dump({str(id): record})`` writes it: keys sorted as text."""
    keys = sorted(map(str, carried))
    return f'{{{",".join(f"{_json_str(k)}:{_record_json(carried[int(k)])}" for k in keys)}}}'.encode("utf-8")


def _count(docs: list[dict], skip: set[int]) -> tuple["_Postings", list[int]]:
    """Every posting (term, document, count ``f`` of the term in it) of the documents, as
    :class:`_Postings`, and per document its length (terms in its text, stopwords not counted);
    documents in ``skip`` have no postings.

    ``f`` is the term's count in the text plus ``TITLE_WEIGHT`` per occurrence in
    the title. A paragraph's title is "¶ 12 · <paper title>", and both parts recur
    across the library, so each part's terms are cut once and remembered. Cutting
    at " · " cannot change the terms: the cut is white space, lower-casing depends
    on no neighbour (only a Greek final sigma does, and it is no term character),
    and without a "<" no tag can span the cut.

    A document's counts go at once, in C (``array.extend``), into three flat arrays of
    machine integers: the term's number (in the order terms are first met), the count, and
    per document how many terms it holds; a term is no Python list and a posting no Python
    object (peak memory, and no Python step per posting: that was most of the cost).
    """
    ids: dict[bytes, int] = defaultdict(itertools.count().__next__)  # term -> its number, made when first met
    number = ids.__getitem__
    terms_of, counts_of, held = array("i"), array("i"), array("i")
    lengths: list[int] = []
    heads: dict[str, list[bytes]] = {}  # title head -> its terms, each TITLE_WEIGHT times
    tails: dict[str, dict[bytes, int]] = {"": {}}  # title tail -> {term: TITLE_WEIGHT * occurrences}
    stop, count = _STOP.intersection, _count_elements
    for i, d in enumerate(docs):
        title = d.get("title", "")
        head, cut, tail = title.partition(" · ")
        if not cut or "<" in title:
            head, tail = title, ""
        head_terms, tail_counts = heads.get(head), tails.get(tail)
        if head_terms is None:
            head_terms = heads[head] = [t for t in _words(head) if t not in _STOP] * TITLE_WEIGHT
        if tail_counts is None:
            tail_counts = tails[tail] = {}
            count(tail_counts, [t for t in _words(tail) if t not in _STOP] * TITLE_WEIGHT)
        counts = tail_counts.copy()
        count(counts, head_terms)
        text = d.get("text", "")
        if text:
            words = _words(text)
            count(counts, words)
            # the title adds no stopwords, so what is taken out was counted in the text
            lengths.append(len(words) - sum(map(counts.pop, stop(counts))))
        else:
            lengths.append(0)
        if i in skip:
            held.append(0)
            continue
        terms_of.extend(map(number, counts))
        counts_of.extend(counts.values())
        held.append(len(counts))
    return _Postings(list(ids), terms_of, counts_of, held), lengths


class _Postings:
    """The postings of :func:`_count` grouped by term, in the terms' order (their text), each
    term's documents ascending: numpy arrays (32-bit: peak memory) of the documents, their
    counts, then (:meth:`weigh`) their weights, and where each term's run begins."""

    def __init__(self, terms: list[bytes], terms_of: array, counts_of: array, held: array):
        import numpy as np

        self.np = np
        names = [t.decode("utf-8") for t in terms]
        del terms
        order = sorted(range(len(names)), key=names.__getitem__)  # term numbers in the terms' order
        self.terms = [names[n] for n in order]
        del names
        rank = np.empty(len(order), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        keys = rank[np.frombuffer(terms_of, dtype=np.intc)] if len(terms_of) else np.zeros(0, dtype=np.int32)
        del rank, order, terms_of[:]  # each flat array is emptied once read (peak memory)
        self.starts = np.zeros(len(self.terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=len(self.terms)), out=self.starts[1:])
        by_term = np.argsort(keys, kind="stable")  # stable: each term's documents stay ascending
        del keys
        docs = np.repeat(np.arange(len(held), dtype=np.int32), np.frombuffer(held, dtype=np.intc) if len(held) else 0)
        del held[:]
        self.docs = docs[by_term]
        del docs
        self.counts = np.frombuffer(counts_of, dtype=np.intc)[by_term] if len(counts_of) else np.zeros(0, dtype=np.int32)
        del counts_of[:], by_term
        self.weights = None

    CHUNK = 1 << 18  # postings weighed at once (the float arrays of one chunk: peak memory)

    def weigh(self, lengths: list[int], norm_of) -> None:
        """Each posting's weight, computed as :class:`_Weights` computes it, the same floating-point
        operations in the same order (so the same number): ``max(1, round(100 * f * (K1 + 1) /
        (f + norm)))``, ``norm`` the :class:`_Weights` norm of the document's length
        (``norm_of(length)``); ``round`` and ``numpy.rint`` both round half to even."""
        np = self.np
        norm = np.array([norm_of(n) for n in lengths], dtype=np.float64)  # per document
        weights = np.empty(len(self.docs), dtype=np.int32)
        for a in range(0, len(self.docs), self.CHUNK):
            f = self.counts[a : a + self.CHUNK].astype(np.int64)
            w = np.rint((100 * f) * (K1 + 1) / (f + norm[self.docs[a : a + self.CHUNK]]))
            weights[a : a + self.CHUNK] = np.maximum(w, 1)
        self.weights = weights
        del self.counts

    def flats(self) -> Iterator[tuple[str, list[int] | None, str]]:
        """Per term, in order: (term, its document ids or None, ``[gap, weight, ...]`` as JSON text,
        gaps from the previous document holding the term, the first from 0). The ids are given
        for a term in more than ``CARRY_DF`` documents or whose text is longer than ``OWN_FILE``
        (the caller reads them); else None. Made a run of terms at a time (peak memory)."""
        np = self.np
        docs, weights, starts = self.docs, self.weights, self.starts
        bounds = starts.tolist()
        n, terms = 0, len(self.terms)
        while n < terms:
            # the terms whose postings begin within the next CHUNK (at least one term)
            m = max(n + 1, int(np.searchsorted(starts, bounds[n] + self.CHUNK, side="right")) - 1)
            m = min(m, terms)
            a0, b0 = bounds[n], bounds[m]
            d = docs[a0:b0]
            both = np.empty(2 * len(d), dtype=np.int32)
            both[1::2] = weights[a0:b0]
            both[2::2] = d[1:] - d[:-1]
            firsts = starts[n:m] - a0
            both[2 * firsts] = d[firsts]
            for k in range(n, m):
                a, b = bounds[k] - a0, bounds[k + 1] - a0
                flat = f'[{",".join(map(str, both[2 * a : 2 * b].tolist()))}]'
                yield self.terms[k], (d[a:b].tolist() if b - a > CARRY_DF or len(flat) > OWN_FILE else None), flat
            n = m
        self.docs = self.weights = None


def _groups(shards: dict[str, list[tuple[str, bytes]]], target: int) -> dict[str, list[bytes]]:
    """Prefix -> its ``(term, '"term":[...]' as UTF-8)`` entries (in term order) -> the term groups a
    bundle is made of: ``{key: entries}``. A prefix whose entries take more than ``target``
    bytes is cut by the next character of its terms (recursively, ``_cut_prefix``): its
    terms then belong to the longest key that begins them (a term no longer than the key is
    the key's own), so a rare word's bundle stays small however many words share its first
    letters. ``shards`` is emptied."""
    out: dict[str, list[bytes]] = {}
    for p in list(shards):
        _cut_prefix(p, shards.pop(p), target, out)  # emptied as it is read (peak memory)
    return out


def _cut_prefix(key: str, entries: list[tuple[str, bytes]], target: int, out: dict[str, list[bytes]]) -> None:
    # the size of '"key":{entry,entry,...}', as the bundle holds it
    size = len(_json_str(key).encode("utf-8")) + 2 + sum(map(len, map(operator.itemgetter(1), entries))) + len(entries)
    if size <= target or len(entries) == 1:
        out[key] = [e for _, e in entries]
        return
    own = [e for t, e in entries if len(t) <= len(key)]
    if own:
        out[key] = own
    longer: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for t, e in entries:
        if len(t) > len(key):
            longer[t[: len(key) + 1]].append((t, e))
    for k, part in longer.items():
        _cut_prefix(k, part, target, out)


def _bundles(shards: dict[str, list[bytes]], target: int) -> list[list[tuple[str, bytes]]]:
    """The prefixes of ``shards`` (prefix -> its ``"term":[...]`` entries, in term
    order) in sorted order, cut into bundles: lists of ``(prefix, '"prefix":{...}'
    as UTF-8)``. A prefix joins the current bundle if the bundle's JSON (with its
    braces and commas) stays within ``target`` bytes; otherwise it starts a new one.
    ``shards`` is emptied."""
    bundles: list[list[tuple[str, bytes]]] = []
    size = target + 1  # no bundle yet: the first prefix starts one
    for p in sorted(shards):
        part = b"%s:{%s}" % (_json_str(p).encode("utf-8"), b",".join(shards.pop(p)))  # emptied as read
        if size + 1 + len(part) > target:
            bundles.append([])
            size = 1  # "{" and "}", less the comma counted for the first part
        bundles[-1].append((p, part))
        size += 1 + len(part)
    return bundles


def _cut(weights: list[int], top: int) -> int:
    """The lightest weight whose postings, with all heavier ones, stay within 4 * top
    (ties are never cut apart), but at least MIN_TOP postings when there are more."""
    at_least: dict[int, int] = {}
    for w in weights:
        at_least[w] = at_least.get(w, 0) + 1
    cut, count = 10**9, 0
    for w in sorted(at_least, reverse=True):
        if count >= top or (count + at_least[w] > 4 * top and count >= MIN_TOP):
            break
        cut, count = w, count + at_least[w]
    return cut


def _parse(gaps: list[str]) -> tuple[list[int], list[int]]:
    """``[gap, weight, ...]`` (JSON number texts) -> (document ids, weights)."""
    docs: list[int] = []
    doc = 0
    for gap in gaps[0::2]:
        doc += int(gap)
        docs.append(doc)
    return docs, list(map(int, gaps[1::2]))


def _split(gaps: list[str], paragraphs: int, parsed: tuple[list[int], list[int]] | None = None) -> list[tuple[bytes, int, int]]:
    """A frequent term's postings ``[gap, weight, ...]`` -> its tiers, heaviest first:
    ``(gap-coded JSON, heaviest weight left after this tier among paragraphs, among
    the other documents)``. Tier k holds about ``TOP * 4**k`` paragraphs and a quarter
    as many others, each kind cut apart by weight (ties never split): paragraphs
    rank first, so a page whose title holds the word must not push every paragraph
    into a later tier. The last tier holds what is left (and says 0, 0).

    Tier k's cut of a kind is :func:`_cut` of the weights that kind has left after
    tier k - 1: the distinct weights, heaviest first, are read once per kind, each
    tier going on where the one before stopped, and every posting then goes to the
    tier of its weight in one pass (tests/test_search_shards.py compares it with the
    rule written as a rescan of what is left per tier). ``parsed``: ``_parse(gaps)``, if at hand."""
    docs, weights = parsed or _parse(gaps)
    cut = bisect.bisect_left(docs, paragraphs)  # ids ascend: the paragraphs come first
    counts: tuple[dict[int, int], dict[int, int]] = ({}, {})  # per kind (paragraph, other): weight -> postings
    _count_elements(counts[0], weights[:cut])
    _count_elements(counts[1], weights[cut:])
    order = [sorted(c, reverse=True) for c in counts]
    tier_of: tuple[dict[int, int], dict[int, int]] = ({}, {})  # per kind: weight -> its tier
    at = [0, 0]
    left: list[tuple[int, int]] = []  # per tier: heaviest weight left after it, per kind
    size = TOP
    while at[0] < len(order[0]) or at[1] < len(order[1]):
        tier = len(left)
        for kind, top in ((0, size), (1, max(1, size // 4))):
            ws, c, i, count = order[kind], counts[kind], at[kind], 0
            while i < len(ws):  # _cut: ties never split, at most 4 * top unless fewer than MIN_TOP
                w = ws[i]
                if count >= top or (count + c[w] > 4 * top and count >= MIN_TOP):
                    break
                count += c[w]
                tier_of[kind][w] = tier
                i += 1
            at[kind] = i
        left.append(tuple(order[k][at[k]] if at[k] < len(order[k]) else 0 for k in (0, 1)))
        size *= 4
    if len(left) == 1:  # one tier: the postings as they are
        return [(f'[{",".join(gaps)}]'.encode("utf-8"), *left[0])]
    # every posting's tier as one byte (there are far fewer than 256 tiers: each is 4 times the last)
    tiers = bytes([*map(tier_of[0].__getitem__, weights[:cut]), *map(tier_of[1].__getitem__, weights[cut:])])
    texts = gaps[1::2]  # the weights as JSON text
    out = []
    for t, (para, other) in enumerate(left):  # each tier's postings picked out in C, not one by one
        mine = tiers.translate(_IS[t])  # 1 for a posting of tier t, else 0
        ds = list(itertools.compress(docs, mine))
        flat = [""] * (2 * len(ds))
        flat[0::2] = map(str, map(operator.sub, ds, [0, *ds]))
        flat[1::2] = itertools.compress(texts, mine)
        out.append((f'[{",".join(flat)}]'.encode("utf-8"), para, other))
    return out


_IS = [bytes(int(b == t) for b in range(256)) for t in range(256)]  # _IS[t]: a bytes.translate table, byte t -> 1, others -> 0


def _carry(record: tuple, term: str) -> tuple:
    """A record as a term's first tier carries it: its text a window around the term in the
    text the record shard keeps (``record`` is that: :func:`_snippet`, a paragraph's whole text,
    the start of any other document's). A section of a list or topic page can be hundreds of KB,
    and one is among the best documents of many words: looking for each word in all of it took seconds."""
    location, title, text, parent = record
    return (location, title, window(text, term), parent)


def _snippet(record: tuple) -> tuple:
    """A record as stored: paragraphs whole, other documents' text cut to SNIPPET characters."""
    location, title, text, parent = record
    if len(text) > SNIPPET and not PARAGRAPH.search(location):
        cut = text.rfind(" ", 0, SNIPPET)
        text = text[: cut if cut > 0 else SNIPPET].rstrip() + " …"
    return (location, title, text, parent)


_ENTITY_OR_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[0-9a-z\u00c0-\u024f’']+")  # a term once its apostrophes are dropped
_WORD_CHAR = re.compile(r"[0-9a-z\u00c0-\u024f’']")


def _first_word(low: str, term: str) -> int:
    """Where the first run of ``_WORD`` in ``low`` that is ``term`` once its apostrophes are
    dropped begins, -1 if none: what reading every run in order finds, without reading them.
    The first whole-word occurrence of ``term`` itself (``str.find``, its neighbours no word
    characters) is that run unless a run before it holds an apostrophe; only then, or when there
    is no such occurrence and the text holds an apostrophe, are the runs read one by one."""
    n, at = len(term), low.find(term)
    while at >= 0:
        if not (at and _WORD_CHAR.match(low, at - 1)) and not _WORD_CHAR.match(low, at + n):
            break
        at = low.find(term, at + 1)
    if at < 0 and "'" not in low and "’" not in low:
        return -1
    if at >= 0 and "'" not in low[:at] and "’" not in low[:at]:
        return at
    for m in _WORD.finditer(low):
        if m[0].replace("’", "").replace("'", "") == term:
            return m.start()
    return -1


def window(text: str, term: str, size: int = WINDOW) -> str:
    """``text`` (HTML text) as a carried record keeps it: tags dropped, then at most
    ``size`` characters cut at spaces around the first occurrence of ``term`` as a whole
    word (case and apostrophes aside), with " …" / "… " where text was left out; from the
    start when the term is not found in it (a title word). Cuts fall only at spaces, so no
    character reference is split."""
    plain = _ENTITY_OR_TAG.sub("", text) if "<" in text else text
    if len(plain) <= size:
        return plain
    at = max(0, _first_word(plain.lower(), term))
    begin = max(0, at - size // 4)
    if begin:
        cut = plain.rfind(" ", 0, begin + 1)
        begin = cut + 1 if cut >= 0 else 0
    end = begin + size
    if end < len(plain):
        cut = plain.rfind(" ", begin, end)
        end = cut if cut > begin else end
    out = plain[begin:end].strip()
    return ("… " if begin else "") + out + (" …" if end < len(plain) else "")


def _carried(flat: list[str], paragraphs: int, parsed: tuple[list[int], list[int]] | None = None, embed: int | None = None) -> list[int]:
    """The documents whose records a term's first tier carries: its ``embed`` (EMBED) heaviest
    paragraphs (ties by id, as the worker orders them), then, if it has fewer, its heaviest
    other documents up to ``embed`` in all. ``parsed``: ``_parse(flat)``, if at hand."""
    embed = EMBED if embed is None else embed
    docs, weights = parsed or _parse(flat)
    cut = bisect.bisect_left(docs, paragraphs)  # ids ascend: the paragraphs come first
    paras = _heaviest(embed, weights[:cut], docs[:cut])
    others = _heaviest(embed - len(paras), weights[cut:], docs[cut:]) if len(paras) < embed else []
    return [d for _, d in paras + others]


def _heaviest(n: int, weights: list[int], docs: list[int]) -> list[tuple[int, int]]:
    """``heapq.nsmallest(n, zip(-weights, docs))`` (that is, ``sorted(...)[:n]``: heaviest
    first, ties by id), in C: only the postings at least as heavy as the n-th heaviest are sorted."""
    if len(weights) > n:
        least = sorted(weights, reverse=True)[n - 1] if n > 0 else max(weights, default=0) + 1
        keep = list(map(least.__le__, weights))
        weights, docs = list(itertools.compress(weights, keep)), list(itertools.compress(docs, keep))
    return sorted(zip(map(operator.neg, weights), docs))[:n]


def build(docs: list[dict]) -> dict[str, bytes]:
    """Search documents (Material's format) -> {relative path: file content} (:func:`generate`)."""
    return dict(generate(docs))


def _in_name_order(names: list[str]) -> list[int]:
    """Positions of ``names`` in the order of the names (the digest's order)."""
    return sorted(range(len(names)), key=names.__getitem__)


def generate(docs: list[dict]) -> Iterator[tuple[str, bytes]]:
    """Search documents (Material's format) -> (relative path, file content), one file at a
    time: the term files of frequent words (``p-``), the records (``r``), the term bundles
    (``t-``), each kind in name order, then the manifest, whose digest is taken of the
    others as they are given (in name order, as the manifest says), so no caller needs to
    hold every file. A term's postings are let go once its file or entry is made.

    The documents are numbered paragraphs first (``PARAGRAPH``: paragraphs, key
    takeaways, bios, in their order), then all others in theirs; the manifest's
    ``paragraphs`` says how many, so the worker knows a result's kind from its id."""
    docs = [d for d in docs if PARAGRAPH.search(d["location"])] + [d for d in docs if not PARAGRAPH.search(d["location"])]
    paragraphs = sum(1 for d in docs if PARAGRAPH.search(d["location"]))
    page_ids: dict[str, int] = {}
    for i, d in enumerate(docs):
        if "#" not in d["location"]:
            page_ids[d["location"]] = i
    records = []  # tuples, which the garbage collector soon stops tracking; JSON arrays all the same
    has_children: set[int] = set()
    for d in docs:
        location = d["location"]
        parent = page_ids.get(location.split("#", 1)[0], -1) if "#" in location else -1
        if parent >= 0:
            has_children.add(parent)
        # as the record shard keeps it (_snippet); the whole text stays in docs for the postings
        records.append(_snippet((location, d.get("title", ""), d.get("text", ""), docs[parent].get("title", "") if parent >= 0 else None)))
    # a page with no text of its own whose parts are indexed is their group's header only
    skip = {i for i in has_children if not docs[i].get("text")}
    postings, lengths = _count(docs, skip)
    del docs, page_ids, has_children
    kept = [n for i, n in enumerate(lengths) if i not in skip]
    average = max(1.0, sum(kept) / max(1, len(kept)))
    by_length: dict[int, float] = {}

    def norm_of(n: int) -> float:
        if n not in by_length:
            by_length[n] = _Weights(n, average).norm
        return by_length[n]

    postings.weigh(lengths, norm_of)
    del kept, lengths
    # p-<n>.json by n, held until every one is made (they are given in name order), compressed:
    # at 1,000 papers they are 24 MB, the largest part of what generate() holds at its peak
    own_files: list[bytes | None] = []
    shards: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    own: dict[str, list[int]] = {}
    for term, ids, flat in postings.flats():
        if ids is not None:  # longer than OWN_FILE or in more than CARRY_DF documents
            gaps = flat[1:-1].split(",")
            own[term] = [len(gaps) // 2]
            parsed = ids, list(map(int, gaps[1::2]))
            embed = EMBED if len(flat) > OWN_FILE else SHOWN  # a middling word: the results of a query for it
            carried = _carried_json({d: _carry(records[d], term) for d in _carried(gaps, paragraphs, parsed, embed)})
            for content, heaviest, heaviest_other in _split(gaps, paragraphs, parsed):
                n = len(own_files)
                own_files.append(zlib.compress(b'{"postings":' + content + b',"records":' + carried + b"}", 1))
                carried = b"{}"  # only the first tier carries records
                own[term].append([n, heaviest, heaviest_other])
        else:
            # what json.dumps(..., sort_keys=True) writes for {term: [gap, weight, ...]}
            shards[prefix(term)].append((term, f"{_json_str(term)}:{flat}".encode("utf-8")))
    del postings
    digest = hashlib.sha256()  # of every file but the manifest, in name order: p-, r, t-
    names = [f"p-{n}.json" for n in range(len(own_files))]
    for n in _in_name_order(names):
        content, own_files[n] = zlib.decompress(own_files[n]), None
        digest.update(content)
        yield names[n], content
    del own_files
    names = [f"r{k}.json" for k in range(-(-len(records) // RECORD_SHARD))]
    for k in _in_name_order(names):
        content = _records_json(records[k * RECORD_SHARD : (k + 1) * RECORD_SHARD])
        digest.update(content)
        yield names[k], content
    bundles = _bundles(_groups(shards, TERM_BUNDLE), TERM_BUNDLE)
    del shards
    bundle_of: dict[str, int] = {}
    for n, bundle in enumerate(bundles):
        for p, _ in bundle:
            bundle_of[p] = n
    names = [f"t-{n}.json" for n in range(len(bundles))]
    for n in _in_name_order(names):
        bundle, bundles[n] = bundles[n], None
        content = b"{" + b",".join(part for _, part in bundle) + b"}"
        del bundle
        digest.update(content)
        yield names[n], content
    manifest = {"docs": len(records), "paragraphs": paragraphs, "recordShard": RECORD_SHARD, "termShards": bundle_of, "ownFiles": own,
                "stopwords": sorted(STOPWORDS), "version": digest.hexdigest()[:12]}
    yield "manifest.json", _dump(manifest)


def write(site_dir: Path, config: dict, docs: list[dict]) -> None:
    """Write the shards of ``docs`` and a ``search_index.json`` holding only ``config``.

    Material's page script still fetches ``search_index.json`` (for its
    settings) and hands it to the worker, which reads the shards instead.
    """
    out = site_dir / "search" / "shards"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    from policy_reader.site.search import shard_cache  # build(docs), kept across builds

    shard_cache.write(out, docs)  # the files, linked from the cache when the documents are as before
    index = {"config": config, "docs": []}
    (site_dir / "search" / "search_index.json").write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")


def load_docs(site_dir: Path) -> list[dict]:
    """The documents back from the shards (for tests and tools)."""
    out = site_dir / "search" / "shards"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    docs = []
    for k in range((manifest["docs"] + manifest["recordShard"] - 1) // manifest["recordShard"]):
        for location, title, text, _parent in json.loads((out / f"r{k}.json").read_text(encoding="utf-8")):
            docs.append({"location": location, "title": title, "text": text})
    return docs


def _absolute(flat: list[int]) -> list[int]:
    """``[gap, weight, ...]`` -> ``[doc, weight, ...]``."""
    out, doc = [], 0
    for i in range(0, len(flat), 2):
        doc += flat[i]
        out += [doc, flat[i + 1]]
    return out


def read_terms(files: dict[str, bytes]) -> dict[str, list[int]]:
    """Every term's postings as ``[doc, weight, ...]`` (absolute ids) from the files build() returns."""
    manifest = json.loads(files["manifest.json"])
    terms: dict[str, list[int]] = {}
    for n in sorted(set(manifest["termShards"].values())):
        for shard in json.loads(files[f"t-{n}.json"]).values():
            terms.update(shard)
    out = {t: _absolute(flat) for t, flat in terms.items()}
    for term, (_df, *tiers) in manifest["ownFiles"].items():
        pairs = []
        for n, _left, _other in tiers:
            pairs += _absolute(json.loads(files[f"p-{n}.json"])["postings"])
        merged = sorted(zip(pairs[0::2], pairs[1::2]))
        out[term] = [x for pair in merged for x in pair]
    return out


def load_terms(site_dir: Path) -> dict[str, list[int]]:
    """Every term's postings ``[doc, weight, ...]`` back from a built site (for tests and tools)."""
    out = site_dir / "search" / "shards"
    return read_terms({p.name: p.read_bytes() for p in out.glob("*.json") if p.name[0] in "mtp"})
