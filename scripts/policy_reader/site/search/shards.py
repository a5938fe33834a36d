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

import hashlib
import itertools
import json
import operator
import re
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
# the heaviest TOP or so, then about 4 times as many, and so on (see _tiers). The
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
    try:  # every field a string (most records): one call in C per field
        return f'[{",".join(map(_json_str, record))}]'
    except TypeError:  # a null (no parent page) or another value
        return f'[{",".join(map(_field, record))}]'


def _records_json(records) -> bytes:
    """A list of records as ``_dump(list(records))`` writes it. Tens of thousands of small files
    are written so; json.dumps makes a new encoder for every call, which was most of their cost."""
    return f'[{",".join(map(_record_json, records))}]'.encode("utf-8")


def _carried_json(carried: dict[int, tuple]) -> bytes:
    """``{id: record}`` as ``_dump({str(id): record})`` writes it: keys sorted as text."""
    keys = sorted(map(str, carried))
    return f'{{{",".join(f"{_json_str(k)}:{_record_json(carried[int(k)])}" for k in keys)}}}'.encode("utf-8")


def _plain(text: str) -> str:
    """``text`` as :func:`_words` cuts it, before it is encoded: tags, and characters beyond
    ASCII that are in no term, made spaces, text beyond ASCII lower-cased."""
    if "<" in text:
        text = TAG.sub(" ", text)
    if not text.isascii():
        text = _FOREIGN.sub(" ", text.lower().replace("’", ""))
    return text


def _words(text: str) -> list[bytes]:
    """Every term of ``text`` in order, stopwords included, as UTF-8 bytes."""
    return _plain(text).encode("utf-8").translate(_BYTES, b"'").split()


# Between two documents' texts when a run of them is cut into words at once (_count): it
# becomes a word of its own, UTF-8 b"\xef\xbf\xbf", that no text holds (_plain makes it a space).
_BETWEEN = " \uffff "
_BETWEEN_WORD = _BETWEEN.strip().encode("utf-8")
RUN = 1 << 21  # characters of text cut into words at once by _count (its list of words: peak memory)


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

    No Python step per word, per posting nor per distinct term of a document: the texts of a
    run of documents (about ``RUN`` characters) are cut into words at once, joined by
    ``_BETWEEN`` (each text made :func:`_plain` first, as :func:`_words` does, so the words are
    the same); every word becomes its term's number (``map`` over a dict, in C; ``_BETWEEN``'s
    word is number 0, the stopwords the next, so a number below ``nstop`` is no term); numpy
    then finds each word's document (the count of ``_BETWEEN`` words before it), counts each
    (term, document) pair of the run at once (``numpy.unique`` of ``term * documents +
    document``, with the titles' terms, each ``TITLE_WEIGHT`` times) and the lengths.
    """
    import numpy as np

    ids: dict[bytes, int] = defaultdict(itertools.count().__next__)  # term -> its number, made when first met
    number = ids.__getitem__
    number(_BETWEEN_WORD)
    for w in sorted(_STOP):
        number(w)
    nstop = len(ids)
    heads: dict[str, list[int]] = {}  # title head -> its terms' numbers, each TITLE_WEIGHT times
    tails: dict[str, list[int]] = {"": []}  # title tail -> the same
    lengths: list[int] = []
    parts: list[tuple] = []  # per run: (term numbers, documents, counts) of its postings
    skipped = np.zeros(len(docs), dtype=bool)
    skipped[list(skip)] = True
    texts: list[str] = []
    titles: list[int] = []  # the run's titles' terms, in document order
    in_title: list[int] = []  # per document of the run: how many of them are its title's
    first, size = 0, 0  # the run's first document, its characters of text

    def flush(end: int) -> None:
        nonlocal texts, titles, in_title, first, size
        n = end - first
        if n:
            words = _BETWEEN.join(texts).encode("utf-8").translate(_BYTES, b"'").split()
            texts = []
            terms = np.fromiter(map(number, words), dtype=np.int64, count=len(words))
            del words
            doc = np.cumsum(terms == 0)  # the number of _BETWEEN words before each word
            real = terms >= nstop
            terms, doc = terms[real], doc[real]
            lengths.extend(np.bincount(doc, minlength=n).tolist())
            title_terms = np.array(titles, dtype=np.int64)
            title_doc = np.repeat(np.arange(n, dtype=np.int64), np.array(in_title, dtype=np.int64))
            terms, doc = np.concatenate((title_terms, terms)), np.concatenate((title_doc, doc))
            if skip:
                keep = ~skipped[first:end][doc]
                terms, doc = terms[keep], doc[keep]
            pairs, counts = np.unique(terms * n + doc, return_counts=True)
            parts.append(((pairs // n).astype(np.int32), (pairs % n + first).astype(np.int32), counts.astype(np.int32)))
        titles, in_title, first, size = [], [], end, 0

    for i, d in enumerate(docs):
        title = d.get("title", "")
        head, cut, tail = title.partition(" · ")
        if not cut or "<" in title:
            head, tail = title, ""
        head_terms, tail_terms = heads.get(head), tails.get(tail)
        if head_terms is None:
            head_terms = heads[head] = [number(t) for t in _words(head) if t not in _STOP] * TITLE_WEIGHT
        if tail_terms is None:
            tail_terms = tails[tail] = [number(t) for t in _words(tail) if t not in _STOP] * TITLE_WEIGHT
        titles += head_terms
        titles += tail_terms
        in_title.append(len(head_terms) + len(tail_terms))
        text = _plain(d.get("text", ""))
        texts.append(text)
        size += len(text)
        if size >= RUN:
            flush(i + 1)
    flush(len(docs))
    return _Postings([t.decode("utf-8") for t in ids], parts), lengths


class _Postings:
    """The postings of :func:`_count` grouped by term, in the terms' order (their text), each
    term's documents ascending: numpy arrays (32-bit: peak memory) of the documents, their
    counts, then (:meth:`weigh`) their weights, and where each term's run begins."""

    def __init__(self, names: list[str], parts: list[tuple]):
        import numpy as np

        self.np = np
        terms = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        docs = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        counts = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
        parts.clear()
        held = np.bincount(terms, minlength=len(names))
        used = np.flatnonzero(held).tolist()  # the terms with postings (not stopwords, not only in skipped documents)
        order = sorted(used, key=names.__getitem__)  # their numbers in the terms' order
        self.terms = [names[n] for n in order]
        del names
        rank = np.zeros(len(held), dtype=np.int32)
        rank[order] = np.arange(len(order), dtype=np.int32)
        self.starts = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(held[order], out=self.starts[1:])
        by_term = np.argsort(rank[terms], kind="stable")  # stable: each term's documents stay ascending (runs are in document order)
        del terms, rank
        self.docs = docs[by_term]
        self.counts = counts[by_term]
        del docs, counts, by_term
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

    def of(self, k: int) -> tuple:
        """Term ``k``'s documents (ascending) and their weights: numpy arrays."""
        a, b = int(self.starts[k]), int(self.starts[k + 1])
        return self.docs[a:b], self.weights[a:b]

    def flats(self, numbers=None) -> Iterator[tuple[int, str, str | None]]:
        """Per term, in order: (its number, the term, ``[gap, weight, ...]`` as JSON text, gaps
        from the previous document holding the term, the first from 0). The text is None for a
        term in more than ``CARRY_DF`` documents: it has files of its own, made from its arrays
        (:meth:`of`, :func:`_tiers`). Made a run of terms at a time (peak memory). ``numbers``:
        :func:`_numbers` of a number at least as large as any document and weight, if at hand."""
        np = self.np
        if numbers is None:
            numbers = _numbers(max(len(self.terms) and int(self.docs.max()), len(self.terms) and int(self.weights.max())) + 1)
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
            texts = numbers[both].tolist()  # each number's JSON text, in C
            del both
            for k in range(n, m):
                a, b = bounds[k] - a0, bounds[k + 1] - a0
                if b - a > CARRY_DF:
                    yield k, self.terms[k], None
                else:
                    yield k, self.terms[k], f'[{",".join(texts[2 * a : 2 * b])}]'
            n = m


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


def _tiers(docs, weights, paragraphs: int) -> tuple:
    """A frequent term's postings (numpy arrays: documents ascending, their weights) -> (each
    posting's tier, a numpy array, or None when there is one tier; per tier the heaviest weight left after it among paragraphs
    and among the other documents). Tier k holds about ``TOP * 4**k`` paragraphs and a quarter
    as many others, each kind cut apart by weight (ties never split): paragraphs rank first,
    so a page whose title holds the word must not push every paragraph into a later tier. The
    last tier holds what is left (and says 0, 0).

    Tier k's cut of a kind is :func:`_cut` of the weights that kind has left after tier
    k - 1: the distinct weights, heaviest first, are read once per kind, each tier going on
    where the one before stopped, and every posting then goes to the tier of its weight at
    once (a table from weight to tier; tests/test_search_shards.py compares it with the rule
    written as a rescan of what is left per tier)."""
    import numpy as np

    cut = int(np.searchsorted(docs, paragraphs))  # ids ascend: the paragraphs come first
    kinds = (weights[:cut], weights[cut:])
    tallies = [np.bincount(k) for k in kinds]  # per kind: weight -> how many postings have it (weights are small)
    order = [np.flatnonzero(c)[::-1].tolist() for c in tallies]  # the distinct weights, heaviest first
    many = [c[w].tolist() for c, w in zip(tallies, order)]
    tier_of = [np.zeros(max(1, len(c)), dtype=np.uint8) for c in tallies]  # per kind: weight -> tier
    at = [0, 0]
    left: list[tuple[int, int]] = []
    size = TOP
    while at[0] < len(order[0]) or at[1] < len(order[1]):
        tier = len(left)
        for kind, top in ((0, size), (1, max(1, size // 4))):
            ws, c, i, count = order[kind], many[kind], at[kind], 0
            while i < len(ws):  # _cut: ties never split, at most 4 * top unless fewer than MIN_TOP
                if count >= top or (count + c[i] > 4 * top and count >= MIN_TOP):
                    break
                count += c[i]
                tier_of[kind][ws[i]] = tier
                i += 1
            at[kind] = i
        left.append(tuple(order[k][at[k]] if at[k] < len(order[k]) else 0 for k in (0, 1)))
        size *= 4
    if len(left) == 1:
        return None, left  # one tier: every posting in it
    return np.concatenate((tier_of[0][kinds[0]], tier_of[1][kinds[1]])), left


def _tier_json(docs, weights, numbers=None) -> bytes:
    """Postings (numpy arrays) as ``[gap, weight, ...]`` JSON, gaps from the previous document,
    the first from 0. ``numbers``: :func:`_numbers` of a number larger than any document and weight."""
    import numpy as np

    both = np.empty(2 * len(docs), dtype=np.int64)
    if len(docs):
        both[0] = docs[0]
        np.subtract(docs[1:], docs[:-1], out=both[2::2])
        both[1::2] = weights
    if numbers is None:
        return f'[{",".join(map(str, both.tolist()))}]'.encode("utf-8")
    return f'[{",".join(numbers[both].tolist())}]'.encode("utf-8")


def _numbers(n: int):
    """A numpy array of objects: the JSON text of every number below ``n`` (``str(i)`` at ``i``).
    Picking the texts of an array of numbers out of it (in C) takes half the time of ``str`` on each."""
    import numpy as np

    out = np.empty(max(1, n), dtype=object)
    out[:] = list(map(str, range(max(1, n))))
    return out


def _json_length(docs, weights) -> int:
    """``len(_tier_json(docs, weights))`` without making the text: the digits of every number,
    a comma between numbers, the brackets."""
    import numpy as np

    if not len(docs):
        return 2
    digits = 2 * len(docs) + int(np.searchsorted(_TENS, weights, side="right").sum())
    digits += int(np.searchsorted(_TENS, docs[:1], side="right").sum() + np.searchsorted(_TENS, docs[1:] - docs[:-1], side="right").sum())
    return 2 + digits + 2 * len(docs) - 1


_TENS = [10**e for e in range(1, 19)]  # a number has one digit more than the powers of ten it reaches


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
    A run without an apostrophe is that run only if it is ``term`` itself: the first whole-word
    occurrence of ``term`` (``str.find``, its neighbours no word characters). A run holding an
    apostrophe comes before it only if it begins before it (no run spans it: its neighbours are
    no word characters), so only the runs holding an apostrophe before it are read
    (``_APOSTROPHE_RUN``, in C)."""
    n, at = len(term), low.find(term)
    while at >= 0:
        if not (at and _WORD_CHAR.match(low, at - 1)) and not _WORD_CHAR.match(low, at + n):
            break
        at = low.find(term, at + 1)
    end = at if at >= 0 else len(low)
    if low.find("'", 0, end) < 0 and low.find("’", 0, end) < 0:
        return at
    if term not in low[:end].replace("’", "").replace("'", ""):  # no run before it can be the term
        return at
    for m in _APOSTROPHE_RUN.finditer(low, 0, end):
        if m[0].replace("’", "").replace("'", "") == term:
            return m.start()
    return at


# a whole run of _WORD holding an apostrophe: it begins where no word character is before it
_APOSTROPHE_RUN = re.compile(r"(?<![0-9a-z\u00c0-\u024f’'])[0-9a-z\u00c0-\u024f]*['’][0-9a-z\u00c0-\u024f’']*")


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


def _carried(docs, weights, paragraphs: int, embed: int = EMBED) -> list[int]:
    """The documents whose records a term's first tier carries: its ``embed`` (EMBED) heaviest
    paragraphs (ties by id, as the worker orders them), then, if it has fewer, its heaviest
    other documents up to ``embed`` in all. ``docs``, ``weights``: the term's postings (numpy
    arrays, documents ascending)."""
    import numpy as np

    cut = int(np.searchsorted(docs, paragraphs))  # ids ascend: the paragraphs come first
    paras = _heaviest(embed, weights[:cut], docs[:cut])
    others = _heaviest(embed - len(paras), weights[cut:], docs[cut:]) if len(paras) < embed else []
    return paras + others


def _heaviest(n: int, weights, docs) -> list[int]:
    """The documents of ``sorted(zip(-weights, docs))[:n]`` (heaviest first, ties by id), in C."""
    import numpy as np

    if n <= 0:
        return []
    return docs[np.lexsort((docs, -weights.astype(np.int64)))[:n]].tolist()


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
    # The p- files are made in name order (p-0, p-1, p-10, ...), as the digest takes them, from
    # the postings' arrays: a term's tiers are worked out here (for the manifest), each posting's
    # tier kept (a byte), and each file's text made only when it is given, so no file is held.
    own_terms: list[tuple] = []  # per term with files of its own: (its number, each posting's tier, first tier's embed)
    own_files: list[tuple[int, int]] = []  # per p- file: (its term in own_terms, its tier)
    shards: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    own: dict[str, list] = {}
    numbers = _numbers(max(len(records), int(postings.weights.max(initial=0))) + 1)  # ids and weights as JSON text
    for k, term, flat in postings.flats(numbers):
        if flat is not None and len(flat) <= OWN_FILE:
            # what json.dumps(..., sort_keys=True) writes for {term: [gap, weight, ...]}
            shards[prefix(term)].append((term, f"{_json_str(term)}:{flat}".encode("utf-8")))
            continue
        # longer than OWN_FILE or in more than CARRY_DF documents
        ds, ws = postings.of(k)
        tier, left = _tiers(ds, ws, paragraphs)
        # a middling word: the results of a query for it
        embed = EMBED if (len(flat) if flat is not None else _json_length(ds, ws)) > OWN_FILE else SHOWN
        own[term] = [len(ds)]
        for t, (heaviest, heaviest_other) in enumerate(left):
            own[term].append([len(own_files), heaviest, heaviest_other])
            own_files.append((len(own_terms), t))
        own_terms.append((k, tier, embed))
    digest = hashlib.sha256()  # of every file but the manifest, in name order: p-, r, t-
    names = [f"p-{n}.json" for n in range(len(own_files))]
    for n in _in_name_order(names):
        k, tier, embed = own_terms[own_files[n][0]]
        t = own_files[n][1]
        ds, ws = postings.of(k)
        if t == 0:  # only the first tier carries records
            term = postings.terms[k]
            carried = _carried_json({d: _carry(records[d], term) for d in _carried(ds, ws, paragraphs, embed)})
        else:
            carried = b"{}"
        if tier is not None:
            mine = tier == t
            ds, ws = ds[mine], ws[mine]
        content = b'{"postings":' + _tier_json(ds, ws, numbers) + b',"records":' + carried + b"}"
        digest.update(content)
        yield names[n], content
    del own_files, own_terms, postings, numbers
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
