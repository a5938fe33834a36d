"""Generated pages across builds, for pages whose generation grows with the library.

The topic pages read every tagged paragraph of every paper and write an
excerpt of each (40,000 excerpts at 1,000 papers, seconds of work); their
text depends only on the papers' generated Markdown, the topic vocabulary, the
glossary and our code. :class:`GeneratedCache` stores a generator's pages
(their Markdown, and the HTML blocks they hold out of Python-Markdown, see
site/held_html.py) in the ``generated`` namespace of the one cache
(:mod:`policy_reader.cache`) under a digest of exactly those inputs, which the
caller computes with :func:`inputs_digest`; a build whose inputs are the same
takes the pages from the cache instead of generating them. The store adds our
code to every key, so a change to it can never serve stale pages; entries a
build did not use are evicted after it. The permalink registry's check stores
its outcome the same way (site/permalinks/check.py). tests/test_topic_pages.py
checks that a cached build writes the same site and that a changed paper or
vocabulary generates again.
"""

from __future__ import annotations

import json

from policy_reader import cache
from policy_reader.site.held_html import PLACEHOLDER, HeldHtml

NAMESPACE = "generated"


def code_digest() -> str:
    """The one hash of our code (:func:`policy_reader.cache.code_digest`)."""
    return cache.code_digest()


def inputs_digest(*parts: str | bytes) -> str:
    """A digest of ``parts`` (in order); the store adds our code when it makes the key."""
    return cache.digest(*parts)


class GeneratedCache:
    """Entries of generator ``name`` in the ``generated`` store of the current run's cache.
    ``enabled`` false (or no cache configured): off."""

    def __init__(self, enabled, name: str):
        self.enabled = bool(enabled)
        self.name = name
        self.hit = False

    def _store(self) -> cache.Store | None:
        store = cache.store(NAMESPACE)
        return store if self.enabled and store.enabled else None

    def _key(self, store: cache.Store, digest: str) -> str:
        return store.key(self.name, digest)

    def get(self, digest: str) -> dict | None:
        self.hit = False
        store = self._store()
        if store is None:
            return None
        data = store.get(self._key(store, digest))
        if not isinstance(data, dict):
            return None
        self.hit = True
        return data

    def put(self, digest: str, data: dict) -> None:
        store = self._store()
        if store is not None:
            store.put(self._key(store, digest), data)

    def put_pieces(self, digest: str, pieces) -> None:
        """:meth:`put` of a value given as its JSON text in pieces (cache.write_entry_pieces)."""
        store = self._store()
        if store is not None:
            store.put_pieces(self._key(store, digest), pieces)


def get_pages(cache_: GeneratedCache, digest: str, held: HeldHtml) -> list[tuple[str, str]] | None:
    """Generated pages (src_uri, Markdown) stored under ``digest``, their held blocks put back
    in ``held``; None when missing or of another shape (then they are generated again)."""
    return pages_from(cache_, cache_.get(digest), held)


def pages_from(cache_: GeneratedCache, data: dict | None, held: HeldHtml) -> list[tuple[str, str]] | None:
    """:func:`get_pages` of an entry already read (a generator that stores more besides)."""
    try:
        blocks = data["held"]
        if not isinstance(blocks, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in blocks.items()):
            raise TypeError("held blocks are text")
        pages = []
        for uri, markdown in data["pages"]:
            if not (isinstance(uri, str) and isinstance(markdown, str)):
                raise TypeError("a page is (src_uri, Markdown) text")
            pages.append((uri, markdown))
        if any(m["key"] not in blocks for _, markdown in pages for m in PLACEHOLDER.finditer(markdown)):
            raise KeyError("a held block is missing")
    except (KeyError, TypeError, ValueError):
        cache_.hit = False
        return None
    held.blocks.update(blocks)
    return pages


def put_pages(cache_: GeneratedCache, digest: str, pages: list[tuple[str, str]], held: HeldHtml, **more) -> None:
    """Store ``pages`` and the held blocks their Markdown names (and ``more``, read back
    from :meth:`GeneratedCache.get`'s entry with :func:`pages_from`)."""
    # The entry is {**more, "pages": pages, "held": {key: block}}, written as JSON in pieces: each
    # held block is unpacked (site/held_html.py) and encoded one at a time, never all at once (peak memory).
    keys = list(dict.fromkeys(m["key"] for _, markdown in pages for m in PLACEHOLDER.finditer(markdown)))

    def pieces():
        yield _dumps({**more, "pages": pages})[:-1] + b',"held":{'
        for i, key in enumerate(keys):
            yield (b"," if i else b"") + _dumps(key) + b":" + _dumps(held.blocks[key])
        yield b"}}"
    cache_.put_pieces(digest, pieces)


def _dumps(value) -> bytes:
    """JSON as :func:`policy_reader.cache.write_entry` writes it."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")
