"""A sharded, prebuilt search index for Material's search box (MkDocs-free).

Material's own worker downloads the whole ``search_index.json`` and builds a
lunr index in the browser after every page load: seconds at a library of a
thousand papers. This module turns the same documents into small static files
that our worker (``docs/assets/search-worker.js``) reads only as a query needs
them, so the box is ready at once and a query touches a few kilobytes:

``search/shards/manifest.json``
    document count, shard sizes, the list of term shards, page documents;
``search/shards/d<k>.json``
    documents ``k*DOC_SHARD ...``: ``[location, title, text, parent]``, where
    ``parent`` is the id of the page document a paragraph belongs to (or -1);
``search/shards/t-<prefix>.json``
    for every term starting with ``prefix`` (its first two characters):
    ``{term: [doc, weight, doc, weight, ...]}``. The weight is BM25's
    term-frequency part, computed here so the worker only adds it up:
    ``100 * f * (K1 + 1) / (f + K1 * (1 - B + B * length / average length))``,
    where ``f`` counts the term in the text plus ``TITLE_WEIGHT`` per occurrence
    in the title; long documents (a whole page section) no longer outrank the
    paragraph that says the same thing.

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
TITLE_WEIGHT = 3
K1 = 1.2
B = 0.75
TOKEN = re.compile(r"[0-9a-z\u00c0-\u024f]+")
TAG = re.compile(r"<[^>]+>")
STOPWORDS = frozenset("a an and are as at be by for from in is it of on or that the to was with".split())


def tokens(text: str) -> list[str]:
    """Index terms of ``text`` (HTML tags ignored)."""
    plain = TAG.sub(" ", text).lower().replace("’", "").replace("'", "")
    return [t for t in TOKEN.findall(plain) if t not in STOPWORDS]


def prefix(term: str) -> str:
    return term[:2]


def build(docs: list[dict]) -> dict[str, bytes]:
    """Search documents (Material's format) -> {relative path: file content}."""
    page_ids: dict[str, int] = {}
    for i, d in enumerate(docs):
        if "#" not in d["location"]:
            page_ids[d["location"]] = i
    records = []
    counted: list[tuple[dict[str, int], int]] = []
    for i, d in enumerate(docs):
        page = d["location"].split("#", 1)[0]
        parent = page_ids.get(page, -1) if "#" in d["location"] else -1
        records.append([d["location"], d.get("title", ""), d.get("text", ""), parent])
        counts: dict[str, int] = defaultdict(int)
        text_tokens = tokens(d.get("text", ""))
        for t in text_tokens:
            counts[t] += 1
        for t in tokens(d.get("title", "")):
            counts[t] += TITLE_WEIGHT
        counted.append((counts, len(text_tokens)))
    average = max(1.0, sum(n for _, n in counted) / max(1, len(counted)))
    postings: dict[str, dict[int, int]] = defaultdict(dict)
    for i, (counts, length) in enumerate(counted):
        norm = K1 * (1 - B + B * length / average)
        for t, f in counts.items():
            postings[t][i] = max(1, round(100 * f * (K1 + 1) / (f + norm)))
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for term in sorted(postings):
        flat: list[int] = []
        for doc, weight in sorted(postings[term].items()):
            flat += [doc, weight]
        shards[prefix(term)][term] = flat
    files: dict[str, bytes] = {}

    def dump(obj) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")

    for k in range(0, len(records), DOC_SHARD):
        files[f"d{k // DOC_SHARD}.json"] = dump(records[k : k + DOC_SHARD])
    for p, terms in shards.items():
        files[f"t-{p}.json"] = dump(terms)
    digest = hashlib.sha256(b"".join(files[name] for name in sorted(files))).hexdigest()[:12]
    manifest = {"docs": len(records), "docShard": DOC_SHARD, "termShards": sorted(shards),
                "stopwords": sorted(STOPWORDS), "version": digest}
    files["manifest.json"] = dump(manifest)
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
