"""The search shards of a build, kept across builds (the ``search-shards`` namespace of the one cache).

:func:`.shards.build` is a pure function of the search documents (and of our
code, which the store adds to every key): counting every term of every
paragraph, weighting and splitting the postings is seconds at a few hundred
papers, and a build whose documents did not change would make the same files
again. :func:`build` looks the files up under a hash of the documents and
builds them only on a miss. The files are UTF-8 JSON text, stored as text
(cache entries are JSON); a hit gives the same bytes. tests/test_shard_cache.py
checks a hit, a changed document and a damaged entry.
"""

from __future__ import annotations

import hashlib
import json

from policy_reader import cache

NAMESPACE = "search-shards"


def _load(value) -> dict[str, bytes]:
    if not isinstance(value, dict) or "manifest.json" not in value:
        raise ValueError("a manifest and its shards")
    files = {}
    for name, text in value.items():
        if not (isinstance(name, str) and isinstance(text, str)):
            raise TypeError("file names and contents are text")
        files[name] = text.encode("utf-8")
    return files


def docs_digest(docs: list[dict]) -> str:
    """A hash of the documents, in order, with every field."""
    h = hashlib.sha256()
    for d in docs:
        h.update(json.dumps(d, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def build(docs: list[dict]) -> dict[str, bytes]:
    """``shards.build(docs)``, from the cache when the same documents were built before."""
    from policy_reader.site.search.shards import build as build_shards

    store = cache.store(NAMESPACE)
    if not store.enabled:
        return build_shards(docs)
    key = store.key(docs_digest(docs))
    found = store.get(key, _load)
    if found is not None:
        return found
    files = build_shards(docs)
    try:
        value = {name: content.decode("utf-8") for name, content in files.items()}
    except UnicodeDecodeError:  # not text: not kept
        return files
    store.put(key, value)
    return files
