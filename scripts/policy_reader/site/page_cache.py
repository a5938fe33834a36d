"""A content-addressed cache of Python-Markdown's output across builds.

Rendering Markdown is most of a large library's build (about 25 ms a paper on
these machines, 1,000 papers: 25 s), and a paper's HTML changes only when its
Markdown does. MkDocs renders a page in ``Page.render(config, files)``; the
result is a function of the page's final Markdown (after every
``on_page_markdown`` event), its URL, the Markdown extensions and their
configuration, the versions of the packages that render, and the snippet files
appended to every page. :class:`PageCache` wraps ``render`` of each page to
look the HTML, table of contents, title and anchor ids up under a hash of
exactly those.

Only a render that is a pure function of those inputs is stored: no warning
was logged while it ran (a strict build must keep failing on the next run),
it links to no other page of the site (such links depend on the set of files
and are validated against it; links to its own anchors are kept and still
validated by MkDocs), and its Markdown pulls in no snippet of its
own. Everything else renders as before, every time. A hit gives the same
``page.content``, ``page.toc`` and title as a render: tests/test_page_cache.py
builds the real site cold and warm and compares every page.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from importlib import metadata
from pathlib import Path

from mkdocs.structure.toc import AnchorLink, get_toc

from policy_reader import atomic
from policy_reader.site.glossary import glossary_files

FORMAT = "1"
PACKAGES = ("markdown", "mkdocs", "mkdocs-material", "pymdown-extensions")
# A link out of the page to anything but an absolute URL or one of its own anchors.
SITE_LINK = re.compile(r"""(?:href|src)="(?!#|https?://|mailto:)""")


class _Count(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        self.count += 1


def _toc_tokens(items: list[AnchorLink]) -> list[dict]:
    return [{"name": a.title, "id": a.id, "level": a.level, "children": _toc_tokens(a.children)} for a in items]


def environment_digest(config) -> str:
    """Everything besides the page's own Markdown and URL that shapes its HTML."""
    h = hashlib.sha256(f"page-cache {FORMAT}\0".encode())
    for name in PACKAGES:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-\0".encode())
    exts = [e if isinstance(e, str) else f"{type(e).__module__}.{type(e).__qualname__}" for e in config["markdown_extensions"]]
    h.update(json.dumps(exts).encode())
    h.update(json.dumps(config["mdx_configs"] or {}, sort_keys=True, default=repr).encode())
    for path in glossary_files(config["mdx_configs"] or {}):
        h.update(b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


class KeyedStore:
    """JSON entries in a folder, one file per key; after a build, :meth:`prune` deletes the
    entries the build did not use, so the folder holds one entry per cacheable page."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()  # entries this build read or wrote

    def get(self, key: str) -> dict | None:
        name = key + ".json"
        try:
            data = json.loads((self.dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(name)
        return data

    def put(self, key: str, data: dict) -> None:
        path = self.dir / (key + ".json")
        self.used.add(path.name)
        atomic.write_text(path, json.dumps(data, ensure_ascii=False))

    def prune(self) -> int:
        """Delete the entries this build did not use (pages changed or gone); how many."""
        removed = 0
        for entry in self.dir.glob("*.json") if self.dir.is_dir() else ():
            if entry.name not in self.used:
                entry.unlink(missing_ok=True)
                removed += 1
        return removed


class PageCache(KeyedStore):
    """Wraps ``page.render`` so a page whose inputs were rendered before is not rendered again."""

    def __init__(self, directory: Path, config):
        super().__init__(directory)
        self.env = environment_digest(config)

    def key(self, page) -> str:
        h = hashlib.sha256(self.env.encode())
        h.update(f"\0{page.file.src_uri}\0{page.file.url}\0".encode())
        h.update(page.markdown.encode("utf-8"))
        return h.hexdigest()

    def wrap(self, page) -> None:
        """Called before the page renders (on_page_markdown, last)."""
        original = page.render

        def render(config, files):
            if "--8<--" in page.markdown or "-8<-" in page.markdown:  # the page's own snippets
                return original(config, files)
            key = self.key(page)
            data = self.get(key)
            try:
                if data is not None:
                    content, toc = data["content"], get_toc(data["toc"])
                    title, anchors, own = data["title"], set(data["anchors"]), data["own_anchor_links"]
                    page.content, page.toc, page._title_from_render = content, toc, title
                    page.present_anchor_ids = anchors
                    page.links_to_anchors = {page.file: own} if own else {}
                    return
            except (KeyError, TypeError, AttributeError):  # an entry of another shape: render again
                pass
            counter = _Count()
            watched = [logging.getLogger("mkdocs"), logging.getLogger()]
            for logger in watched:
                logger.addHandler(counter)
            try:
                original(config, files)
            finally:
                for logger in watched:
                    logger.removeHandler(counter)
            links = page.links_to_anchors or {}
            if counter.count or any(f is not page.file for f in links) or SITE_LINK.search(page.content):
                return
            self.put(key, {
                "content": page.content,
                "toc": _toc_tokens(list(page.toc)),
                "title": page._title_from_render,
                "anchors": sorted(page.present_anchor_ids or ()),
                "own_anchor_links": links.get(page.file, {}),
            })

        page.render = render
