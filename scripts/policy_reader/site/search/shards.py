"""A sharded, prebuilt search index for Material's search box (MkDocs-free).

Material's own worker downloads the whole ``search_index.json`` and builds a
lunr index in the browser after every page load: seconds at a library of a
thousand papers. This module turns the same documents into small static files
that our worker (``docs/assets/search-worker.js``) reads only as a query needs
them, so the box is ready at once and a query touches a few kilobytes:

``search/shards/manifest.json``
    ``{"docs": n, "docShard": DOC_SHARD, "stopwords": [...], "termShards":
    {prefix: bundle number}, "version": digest}``: the document count and shard
    size, the stopwords, the term bundle of every term prefix, and the first 12
    hex digits of the SHA-256 of the other files' contents in name order;
``search/shards/d<k>.json``
    documents ``k*DOC_SHARD ...``: ``[location, title, text, parent]``, where
    ``parent`` is the id of the page document a paragraph belongs to (or -1);
``search/shards/t-<n>.json``
    term bundle ``n``: ``{prefix: {term: [doc, weight, doc, weight, ...]}}``
    for every term of the bundle's prefixes (a term's prefix is its first two
    characters; a one-character term is its own prefix). The prefixes, in sorted
    order, are cut into runs of consecutive prefixes, one run per bundle: a
    prefix joins the current bundle while the bundle stays within
    ``TERM_BUNDLE`` bytes and otherwise starts the next one, so a bundle holds
    either at most ``TERM_BUNDLE`` bytes or a single prefix, and no prefix is
    ever split. (Before, each prefix had a file ``t-<prefix>.json`` of its own
    and ``termShards`` listed the prefixes; on a small site that was hundreds
    of tiny files.) The weight is BM25's
    term-frequency part, computed here so the worker only adds it up:
    ``100 * f * (K1 + 1) / (f + K1 * (1 - B + B * length / average length))``,
    where ``f`` counts the term in the text plus ``TITLE_WEIGHT`` per occurrence
    in the title; long documents (a whole page section) no longer outrank the
    paragraph that says the same thing.

Every file is compact JSON with sorted keys (what ``json.dumps(...,
separators=(",", ":"), sort_keys=True, ensure_ascii=False)`` writes), UTF-8.

Terms are lower-cased runs of letters and digits (apostrophes dropped), the
same rule the worker applies to a query, so every word a reader types is
looked up exactly as it was indexed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

DOC_SHARD = 64
# Target size of a term bundle, in bytes of JSON. A query fetches one bundle per
# word, so this is what bundling can add to a word's fetch. 32 KiB of postings
# gzip to about 10-12 KiB, which a server sends within TCP's initial congestion
# window (10 segments, ~14 KiB): one round trip, like the tiny per-prefix files
# it replaces. It is also about one document shard (median ~20 KB at 1,000
# papers; a query fetches up to 24 of those). A two-paper site's postings
# (~30 KB) then fit in one or two files instead of ~200; a library of 1,000
# papers, where many prefixes outgrow a bundle alone, writes about half as many
# term files (287 -> 151; its ~570 document shards stay as they are).
TERM_BUNDLE = 32 * 1024
TITLE_WEIGHT = 3
K1 = 1.2
B = 0.75
TOKEN = re.compile(r"[0-9a-z\u00c0-\u024f]+")
TAG = re.compile(r"<[^>]+>")
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


def _count(docs: list[dict]) -> tuple[list[dict[bytes, int]], list[int]]:
    """Per document: {term: f} and its length (terms in its text, stopwords not counted).

    ``f`` is the term's count in the text plus ``TITLE_WEIGHT`` per occurrence in
    the title. A paragraph's title is "¶ 12 · <paper title>", and both parts recur
    across the library, so each part's terms are cut once and remembered. Cutting
    at " · " cannot change the terms: the cut is white space, lower-casing depends
    on no neighbour (only a Greek final sigma does, and it is no term character),
    and without a "<" no tag can span the cut.
    """
    counted: list[dict[bytes, int]] = []
    lengths: list[int] = []
    heads: dict[str, list[bytes]] = {}  # title head -> its terms, each TITLE_WEIGHT times
    tails: dict[str, dict[bytes, int]] = {"": {}}  # title tail -> {term: TITLE_WEIGHT * occurrences}
    stop, count = _STOP.intersection, _count_elements
    for d in docs:
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
        counted.append(counts)
    return counted, lengths


def _postings(counted: list[dict[bytes, int]], lengths: list[int], average: float) -> dict[bytes, list[str]]:
    """term -> ``[doc, weight, doc, weight, ...]`` as JSON number texts, in document order."""
    postings: dict[bytes, list[str]] = defaultdict(list)
    weights: dict[int, _Weights] = {}
    for i, (counts, length) in enumerate(zip(counted, lengths)):
        weight = weights.get(length)
        if weight is None:
            weight = weights[length] = _Weights(length, average)
        doc = str(i)
        for t, f in counts.items():
            postings[t].extend((doc, weight[f]))
    return postings


def _bundles(shards: dict[str, list[str]], target: int) -> list[list[tuple[str, bytes]]]:
    """The prefixes of ``shards`` (prefix -> its ``"term":[...]`` entries, in term
    order) in sorted order, cut into bundles: lists of ``(prefix, '"prefix":{...}'
    as UTF-8)``. A prefix joins the current bundle if the bundle's JSON (with its
    braces and commas) stays within ``target`` bytes; otherwise it starts a new one."""
    bundles: list[list[tuple[str, bytes]]] = []
    size = target + 1  # no bundle yet: the first prefix starts one
    for p in sorted(shards):
        part = f'{json.dumps(p, ensure_ascii=False)}:{{{",".join(shards[p])}}}'.encode("utf-8")
        if size + 1 + len(part) > target:
            bundles.append([])
            size = 1  # "{" and "}", less the comma counted for the first part
        bundles[-1].append((p, part))
        size += 1 + len(part)
    return bundles


def build(docs: list[dict]) -> dict[str, bytes]:
    """Search documents (Material's format) -> {relative path: file content}."""
    page_ids: dict[str, int] = {}
    for i, d in enumerate(docs):
        if "#" not in d["location"]:
            page_ids[d["location"]] = i
    records = []  # tuples, which the garbage collector soon stops tracking; JSON arrays all the same
    for d in docs:
        location = d["location"]
        parent = page_ids.get(location.split("#", 1)[0], -1) if "#" in location else -1
        records.append((location, d.get("title", ""), d.get("text", ""), parent))
    counted, lengths = _count(docs)
    average = max(1.0, sum(lengths) / max(1, len(lengths)))
    postings = _postings(counted, lengths, average)
    shards: dict[str, list[str]] = defaultdict(list)
    for term, key in sorted((t.decode("utf-8"), t) for t in postings):
        # what json.dumps(..., sort_keys=True) writes for {term: [doc, weight, ...]}
        shards[prefix(term)].append(f'{json.dumps(term, ensure_ascii=False)}:[{",".join(postings[key])}]')
    files: dict[str, bytes] = {}
    for k in range(0, len(records), DOC_SHARD):
        files[f"d{k // DOC_SHARD}.json"] = _dump(records[k : k + DOC_SHARD])
    bundle_of: dict[str, int] = {}
    for n, bundle in enumerate(_bundles(shards, TERM_BUNDLE)):
        files[f"t-{n}.json"] = b"{" + b",".join(part for _, part in bundle) + b"}"
        for p, _ in bundle:
            bundle_of[p] = n
    digest = hashlib.sha256(b"".join(files[name] for name in sorted(files))).hexdigest()[:12]
    manifest = {"docs": len(records), "docShard": DOC_SHARD, "termShards": bundle_of,
                "stopwords": sorted(STOPWORDS), "version": digest}
    files["manifest.json"] = _dump(manifest)
    return files


def write(site_dir: Path, config: dict, docs: list[dict]) -> None:
    """Write the shards of ``docs`` and a ``search_index.json`` holding only ``config``.

    Material's page script still fetches ``search_index.json`` (for its
    settings) and hands it to the worker, which reads the shards instead.
    """
    out = site_dir / "search" / "shards"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    for name, content in build(docs).items():
        (out / name).write_bytes(content)
    index = {"config": config, "docs": []}
    (site_dir / "search" / "search_index.json").write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")


def load_docs(site_dir: Path) -> list[dict]:
    """The documents back from the shards (for tests and tools)."""
    manifest = json.loads((site_dir / "search" / "shards" / "manifest.json").read_text(encoding="utf-8"))
    docs = []
    for k in range((manifest["docs"] + manifest["docShard"] - 1) // manifest["docShard"]):
        for location, title, text, _parent in json.loads(
            (site_dir / "search" / "shards" / f"d{k}.json").read_text(encoding="utf-8")
        ):
            docs.append({"location": location, "title": title, "text": text})
    return docs


def read_terms(files: dict[str, bytes]) -> dict[str, list[int]]:
    """Every term's postings ``[doc, weight, ...]`` from the files build() returns."""
    manifest = json.loads(files["manifest.json"])
    terms: dict[str, list[int]] = {}
    for n in sorted(set(manifest["termShards"].values())):
        for shard in json.loads(files[f"t-{n}.json"]).values():
            terms.update(shard)
    return terms


def load_terms(site_dir: Path) -> dict[str, list[int]]:
    """Every term's postings ``[doc, weight, ...]`` back from a built site (for tests and tools)."""
    out = site_dir / "search" / "shards"
    manifest = json.loads((out / "manifest.json").read_bytes())
    files = {"manifest.json": (out / "manifest.json").read_bytes()}
    for n in set(manifest["termShards"].values()):
        files[f"t-{n}.json"] = (out / f"t-{n}.json").read_bytes()
    return read_terms(files)
