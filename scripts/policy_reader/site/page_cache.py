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
import re
from importlib import metadata
from pathlib import Path

from mkdocs.structure.toc import AnchorLink, get_toc

from policy_reader import cache
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


class PageCache:
    """Wraps ``page.render`` so a page whose inputs were rendered before is not rendered again.

    Entries live in the ``pages`` namespace of the one cache (:mod:`policy_reader.cache`):
    verified when read, keyed with our code too, evicted when a build does not use them."""

    NAMESPACE = "pages"

    def __init__(self, config):
        self.store = cache.store(self.NAMESPACE)
        self.env = environment_digest(config)

    @property
    def hits(self) -> int:
        return self.store.hits

    @property
    def misses(self) -> int:
        return self.store.misses

    def key(self, page) -> str:
        return self.store.key(self.env, page.file.src_uri, page.file.url, page.markdown)

    @staticmethod
    def _load(data: dict) -> tuple:
        content, title = data["content"], data["title"]
        anchors, own = data["anchors"], data["own_anchor_links"]
        if not isinstance(content, str) or not (title is None or isinstance(title, str)):
            raise TypeError("content and title are text")
        if not isinstance(anchors, list) or not all(isinstance(a, str) for a in anchors):
            raise TypeError("anchors are text")
        if not isinstance(own, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in own.items()):
            raise TypeError("own anchor links map anchors to links")
        return content, get_toc(_checked_toc(data["toc"])), title, set(anchors), own

    def wrap(self, page) -> None:
        """Called before the page renders (on_pre_page)."""
        original = page.render

        def render(config, files):
            if not self.store.enabled or "--8<--" in page.markdown or "-8<-" in page.markdown:  # own snippets
                return original(config, files)
            key = self.key(page)
            found = self.store.get(key, self._load)
            if found is not None:
                content, toc, title, anchors, own = found
                page.content, page.toc, page._title_from_render = content, toc, title
                page.present_anchor_ids = anchors
                page.links_to_anchors = {page.file: own} if own else {}
                return
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
            self.store.put(key, {
                "content": page.content,
                "toc": _toc_tokens(list(page.toc)),
                "title": page._title_from_render,
                "anchors": sorted(page.present_anchor_ids or ()),
                "own_anchor_links": links.get(page.file, {}),
            })

        page.render = render


def _checked_toc(items) -> list[dict]:
    """The stored table of contents, checked to be what :func:`_toc_tokens` writes."""
    if not isinstance(items, list):
        raise TypeError("a toc is a list")
    out = []
    for item in items:
        name, id_, level = item["name"], item["id"], item["level"]
        if not (isinstance(name, str) and isinstance(id_, str) and isinstance(level, int)):
            raise TypeError("a toc item is (name, id, level)")
        out.append({"name": name, "id": id_, "level": level, "children": _checked_toc(item["children"])})
    return out
