"""A cache of generated pages across builds, for pages whose generation grows with the library.

The topic pages read every tagged paragraph of every paper and write an
excerpt of each (40,000 excerpts at 1,000 papers, seconds of work); their
text depends only on the papers' generated Markdown, the topic vocabulary, the
glossary and our code. :class:`GeneratedCache` stores a generator's pages
(their Markdown, and the HTML blocks they hold out of Python-Markdown, see
site/held_html.py) under a digest of exactly those inputs, which the caller
computes with :func:`inputs_digest`; a build whose inputs are the same takes the
pages from the cache instead of generating them. Our code is part of every
digest (:func:`code_digest`: every module of the ``policy_reader`` package),
so a change to it can never serve stale pages. One entry per generator is
kept: a new one replaces the old. The permalink registry's check stores its
outcome the same way (site/registry.py). tests/test_topic_pages.py checks that a
cached build writes the same site and that a changed paper or vocabulary
generates again.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from policy_reader import atomic
from policy_reader.site.held_html import PLACEHOLDER, HeldHtml

PACKAGE_DIR = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=None)
def code_digest() -> str:
    """A hash of the source of every module of the policy_reader package."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def inputs_digest(*parts: str | bytes) -> str:
    """A digest of ``parts`` (in order) and of our code."""
    h = hashlib.sha256(code_digest().encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


class GeneratedCache:
    """One JSON entry per generator ``name`` in ``directory``, stored under the digest of its
    inputs; a new entry replaces the old. ``directory`` None: off."""

    def __init__(self, directory: Path | None, name: str):
        self.dir = Path(directory) if directory else None
        self.name = name
        self.hit = False

    def _path(self, digest: str) -> Path:
        return self.dir / f"{self.name}-{digest}.json"

    def get(self, digest: str) -> dict | None:
        self.hit = False
        if self.dir is None:
            return None
        try:
            data = json.loads(self._path(digest).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        self.hit = True
        return data

    def put(self, digest: str, data: dict) -> None:
        if self.dir is None:
            return
        path = self._path(digest)
        atomic.write_text(path, json.dumps(data, ensure_ascii=False))
        for old in self.dir.glob(f"{self.name}-*.json"):
            if old != path:
                old.unlink(missing_ok=True)


def get_pages(cache: GeneratedCache, digest: str, held: HeldHtml) -> list[tuple[str, str]] | None:
    """Generated pages (src_uri, Markdown) stored under ``digest``, their held blocks put back
    in ``held``; None when missing or of another shape (then they are generated again)."""
    data = cache.get(digest)
    try:
        blocks = dict(data["held"])
        pages = [(str(uri), str(markdown)) for uri, markdown in data["pages"]]
    except (KeyError, TypeError, ValueError):
        cache.hit = False
        return None
    held.blocks.update(blocks)
    return pages


def put_pages(cache: GeneratedCache, digest: str, pages: list[tuple[str, str]], held: HeldHtml) -> None:
    """Store ``pages`` and the held blocks their Markdown names."""
    blocks = {m["key"]: held.blocks[m["key"]] for _, markdown in pages for m in PLACEHOLDER.finditer(markdown)}
    cache.put(digest, {"pages": pages, "held": blocks})
