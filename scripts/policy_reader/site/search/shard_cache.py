"""The search shards of a build, kept across builds (the ``search-shards`` namespace of the one cache).

:func:`.shards.build` is a pure function of the search documents (and of our
code, which the store adds to every key): counting every term of every
paragraph, weighting and splitting the postings is seconds at a few hundred
papers, and a build whose documents did not change would make the same files
again. :func:`files` looks the files up under a hash of the documents and
builds them only on a miss. The files are UTF-8 JSON text, stored as text
(cache entries are JSON) in parts of about ``PART_BYTES`` (a head entry says how
many), so a hit holds one part in memory, not the whole index, and a miss stores
each part as the files are made (:func:`.shards.generate` gives them one at a
time); a hit gives the same bytes. tests/test_shard_cache.py
checks a hit, a changed document and a damaged entry.
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterator

from policy_reader import cache

NAMESPACE = "search-shards"


PART_BYTES = 512 * 1024  # files per entry: a hit holds one part in memory at a time, not the index


def _load_part(value) -> list[tuple[str, bytes]]:
    if not isinstance(value, list):
        raise TypeError("a part is a list of files")
    files = []
    for name, text in value:
        if not (isinstance(name, str) and isinstance(text, str)):
            raise TypeError("file names and contents are text")
        files.append((name, text.encode("utf-8")))
    return files


def _load_head(value) -> int:
    if not isinstance(value, dict) or not isinstance(value["parts"], int) or value["parts"] < 1:
        raise ValueError("the number of parts")
    return value["parts"]


DIGEST_RUN = 512  # documents encoded at once for the digest: one json.dumps call per run, not per document


def docs_digest(docs: list[dict]) -> str:
    """A hash of the documents, in order, with every field (JSON of runs of DIGEST_RUN)."""
    h = hashlib.sha256()
    for i in range(0, len(docs), DIGEST_RUN):
        h.update(json.dumps(docs[i : i + DIGEST_RUN], ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _store_parts(store: cache.Store, key: str, files: Iterator[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    """Give ``files`` on as they come, storing them in parts (each put as it fills), then the
    head once the last is given: no more than a part is held here. A file that is not UTF-8
    text stops the storing (no head, so never read); the files are still given."""
    part: list[tuple[str, str]] = []
    size = count = 0
    storing = True
    for name, content in files:
        if storing:
            try:
                part.append((name, content.decode("utf-8")))
            except UnicodeDecodeError:
                storing, part = False, []
            else:
                size += len(content)
                if size >= PART_BYTES:
                    store.put(store.key(key, str(count)), part)
                    part, size, count = [], 0, count + 1
        yield name, content
    if not storing:
        return
    if part or not count:
        store.put(store.key(key, str(count)), part)
        count += 1
    store.put(key, {"parts": count})


def files(docs: list[dict]) -> Iterator[tuple[str, bytes]]:
    """``shards.generate(docs)``, from the cache when the same documents were built before.
    A hit reads the files one part at a time; a miss gives each file as it is made and
    stores it in parts as they fill. Should a part turn out damaged after others were given,
    every file is built and given again (the same names and bytes)."""
    from policy_reader.site.search import shards

    store = cache.store(NAMESPACE)
    if not store.enabled:
        yield from shards.generate(docs)
        return
    key = store.key(docs_digest(docs))
    count = store.get(key, _load_head)
    if count is not None:
        for i in range(count):
            part = store.get(store.key(key, str(i)), _load_part)
            if part is None:
                break
            yield from part
        else:
            return
    yield from _store_parts(store, key, shards.generate(docs))
