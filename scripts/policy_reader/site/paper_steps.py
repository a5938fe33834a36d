"""A paper page's HTML steps as values: each is a function content -> (new content, records).

After Python-Markdown has rendered a paper page, the plugin runs a fixed list
of steps over its HTML (footnote links, search capture,
topic chips, ¶ permalinks and cite panels). Each :class:`Step` is

* ``run(content, page)``: the new content and the step's *records*, plain JSON
  (what the step's owner must learn about the page: the search entries, the
  topic links and ids...), computed without touching the owner's state;
* ``inputs(page)``: everything besides the content that ``run`` reads (the
  page's URL, front matter, the vocabulary...), for the cache key;
* ``load(records)``: the records as the owner takes them, checked (raises on
  records of another shape);
* ``accept(page, records)``: hands them to the owner.

:class:`PaperSteps` composes the steps in order and keeps the composed value
(the final content and every step's records) in the ``paper-pages`` namespace of
the one cache (:mod:`policy_reader.cache`), under a key of the rendered HTML,
the steps' names and their declared inputs (and, through the store, our code).
A hit and a miss end the same way: the records pass through each step's
``load`` and ``accept`` (one path), so nothing of a step is replayed by hand and
a new step only declares its own four parts. tests/test_page_cache.py and
tests/test_cache.py check that a build from the cache writes the same site.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Callable, Iterable

from policy_reader import cache


@dataclass(frozen=True)
class PaperPage:
    """What the steps know of the page besides its content."""

    page: Any  # mkdocs.structure.pages.Page
    meta: dict  # validated front matter

    @property
    def url(self) -> str:
        return self.page.file.url

    @property
    def title(self) -> str:
        return self.page.title

    @property
    def src_uri(self) -> str:
        return self.page.file.src_uri


def _only(kind: type, values: Iterable) -> bool:
    """Whether every value is exactly of ``kind`` (as JSON gives it back), checked in C: a
    warm build checks some 400,000 stored values this way."""
    return set(map(type, values)) <= {kind}


def _no_inputs(page: PaperPage) -> Iterable[str | bytes]:
    return ()


def _none(records: Any) -> None:
    if records is not None:
        raise ValueError("this step records nothing")
    return None


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[str, PaperPage], tuple[str, Any]]
    inputs: Callable[[PaperPage], Iterable[str | bytes]] = field(default=_no_inputs)
    load: Callable[[Any], Any] = field(default=_none)
    accept: Callable[[PaperPage, Any], None] | None = None


def content_only(name: str, fn: Callable[[str], str]) -> Step:
    """A step that only rewrites the content, reading nothing else."""
    return Step(name, lambda content, page: (fn(content), None))


class PaperSteps:
    """The steps in order, their composed value kept in the cache."""

    NAMESPACE = "paper-pages"

    def __init__(self, steps: list[Step], use_cache: bool = True):
        names = [s.name for s in steps]
        if len(set(names)) != len(names):
            raise ValueError(f"two steps with one name: {names}")
        self.steps = steps
        self.use_cache = use_cache

    @property
    def store(self) -> cache.Store:
        return cache.store(self.NAMESPACE)

    def key(self, store: cache.Store, content: str, page: PaperPage) -> str:
        parts: list[str | bytes] = [content]
        for step in self.steps:
            declared = list(step.inputs(page))
            parts += [f"step\0{step.name}\0{len(declared)}", *declared]
        return store.key(*parts)

    def _load(self, value: dict) -> tuple[str, dict]:
        content = value["content"]
        if not isinstance(content, str):
            raise TypeError("the content is text")
        return content, self._load_records(value["records"])

    def _load_records(self, records: dict) -> dict:
        if not isinstance(records, dict) or set(records) != {s.name for s in self.steps}:
            raise ValueError("a composed value holds every step's records")
        return {s.name: s.load(records[s.name]) for s in self.steps}

    def _fresh_records(self, records: dict) -> dict:
        """Just-made records as a hit would give them, through each step's load. A load accepts
        JSON's own types only (lists, objects, text: exact types), on which a trip through JSON
        changes nothing but the objects' identity, so records it accepts are taken as they are:
        no copy of every page's search entries and chip links is made (and held to the end of
        the build), and the strings a page's links share stay shared. Records it refuses (a
        tuple, a str subclass) go through JSON first, as a hit's would."""
        try:
            return self._load_records(records)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return self._load_records(json.loads(json.dumps(records, ensure_ascii=False)))

    def run(self, content: str, page: PaperPage) -> str:
        store = self.store
        key = None
        found = None
        if self.use_cache and store.enabled:
            key = self.key(store, content, page)
            found = store.get(key, self._load)
        if found is None:
            records = {}
            for step in self.steps:
                content, records[step.name] = step.run(content, page)
            value = {"content": content, "records": records}
            if key is not None:
                store.put(key, value)
            found = content, self._fresh_records(records)
        content, records = found
        for step in self.steps:
            if step.accept is not None:
                step.accept(page, records[step.name])
        return content


# --------------------------------------------------------------------------- the steps of the plugin


def search_capture(index) -> Step:
    """The page's headings and paragraphs for the search index (site/search/index.py),
    before any control is added to them."""
    from policy_reader.site.search.index import SearchIndexManager

    def run(content: str, page: PaperPage):
        scratch = SearchIndexManager()
        scratch.collect(content, page.url, page.title)
        return content, scratch.pages[page.url]

    def load(records) -> list[dict]:
        if not (type(records) is list and _only(dict, records) and _only(str, chain.from_iterable(map(dict.keys, records)))
                and _only(str, chain.from_iterable(map(dict.values, records)))):
            raise TypeError("search entries are objects of text")
        return records

    def accept(page: PaperPage, entries: list[dict]) -> None:
        index.pages[page.url] = entries
        index.titles[page.url] = page.title

    return Step("search", run, lambda page: (page.url, page.title), load, accept)


_last_digest: tuple[bytes, str] | None = None


def _digest_of(data: bytes) -> str:
    """sha256 of ``data``, kept for the last bytes object given (the vocabulary, once per build
    instead of once per paper in each paper's cache key)."""
    global _last_digest
    if _last_digest is None or _last_digest[0] is not data:
        _last_digest = (data, hashlib.sha256(data).hexdigest())
    return _last_digest[1]


def topic_chips(topics) -> Step:
    """Topic chips in tagged paragraphs and the header (site/topics/pages.py); records the
    chips' links and the page's ids for the link check after the build."""
    from policy_reader.site.topics.pages import LinkCheck, TopicChips

    def run(content: str, page: PaperPage):
        scratch = LinkCheck()
        content = TopicChips(topics.pages, scratch).process(content, page.meta["slug"], page.url, f"docs/{page.src_uri}")
        scratch.record_page(page.url, content)
        return content, {"links": [list(link) for link in scratch.links], "ids": sorted(scratch.ids[page.url])}

    def inputs(page: PaperPage):
        # What run reads besides the content: the paper's topics (the header's chips), the
        # vocabulary (each chip's topic) and the chips' template; not the page's Markdown file
        # (read from disk for each paper before), whose words and topics are in the content.
        covered = " ".join(t.slug for t in topics.pages.paper_topics(page.meta["slug"]))
        return (page.meta["slug"], page.url, page.src_uri, covered, _digest_of(topics.pages.vocabulary_bytes()),
                topics.chips_digest())

    def load(records) -> dict:
        links, ids = records["links"], records["ids"]
        if not (type(links) is list and _only(list, links) and set(map(len, links)) <= {4}
                and _only(str, chain.from_iterable(links))):
            raise TypeError("a link is (source, from, to, anchor)")
        if not (type(ids) is list and _only(str, ids)):
            raise TypeError("ids are text")
        return {"links": list(map(tuple, links)), "ids": set(ids)}

    def accept(page: PaperPage, records: dict) -> None:
        topics.check.links.extend(records["links"])
        topics.check.ids[page.url] = records["ids"]

    return Step("topic-chips", run, inputs, load, accept)


def permalinks_and_panels(permalinks, registry) -> Step:
    """¶ permalinks and cite panels (site/permalinks/panels.py)."""

    def run(content: str, page: PaperPage):
        return permalinks.render(content, page.meta, registry.successors(page.meta["slug"])), None

    def inputs(page: PaperPage):
        citer = permalinks.citer(page.meta)
        return (
            page.url, json.dumps(page.meta, sort_keys=True, default=str),
            json.dumps(registry.successors(page.meta["slug"]), sort_keys=True), str(permalinks.site_url),
            repr(citer.styles), citer.bibtex_template, citer.ris_template, permalinks.template_source(),
            permalinks.paragraph_link_digest(),
        )

    return Step("permalinks", run, inputs)
