"""Topic pages, topic chips and the check of their links (MkDocs side of topics).

- :class:`TopicPages` reads the vocabulary and the notes (``docs/topics/*.yml``,
  from disk: they are excluded from the site) and each paper's tagged paragraphs
  (the ``data-topics`` that ``policy-reader convert`` wrote into its Markdown),
  and adds ``topics/index.md`` and ``topics/<slug>.md`` with ``File.generated``.
  A topic's passages are grouped by paper, newest paper first, with counts; the
  :class:`Packer` cuts them into pages of at most ``topic_page_kb`` compressed
  kilobytes (``topics/<slug>/page/<n>.md``, linked by a pager and kept out of the
  sidebar). A note comparing papers is shown with the papers it names. The
  passages are HTML written here and held out of Python-Markdown
  (site/held_html.py); their links to the papers are checked by :class:`LinkCheck`.
- :class:`TopicChips` adds, inside each tagged ``<p>`` of a paper page, small
  links to its topics, and a list of the paper's topics under the byline.
- :class:`LinkCheck` records every link we generate and every id each page
  has; after all pages render it reports each unresolved link once, with the
  page it is on (two phases, as cross-references must).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import zlib
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from policy_reader import cache
from policy_reader.topics import notes as N
from policy_reader.topics import rules as T
from policy_reader.page import highlights as H
from policy_reader.page import rendered
from policy_reader.page.markdown import labels, read_blocks
from policy_reader.model import SourceError
from policy_reader.site import fragments as F
from policy_reader.site.generated_cache import GeneratedCache, get_pages, inputs_digest, put_pages
from policy_reader.site.glossary import mark_terms
from policy_reader.site.held_html import HeldHtml
from policy_reader.site.topics.plain_macro import checked_macro

log = logging.getLogger("mkdocs.plugins.policy_reader.topics")

TOPICS_DIR = "topics"
TOPIC_PAPER = "topic-paper.html"  # the passages' template (site/templates/fragments/policy-reader/)
TOPIC_PAGE = "topic-page.html"  # a topic page's Markdown
TOPICS_INDEX = "topics-index.html"  # /topics/
TOPIC_CHIPS = "topic-chips.html"  # the chips on paper pages (TopicChips)
SENTENCE_END = re.compile(r"(?<=[.!?])[”\"’)]*\s+(?=[A-Z“\"‘])")


@dataclass(frozen=True)
class Passage:
    paper: str  # slug
    pid: str
    kind: str  # "para" or "takeaway"
    topics: tuple[str, ...]
    text: str  # plain text, the paper's words

    @property
    def label(self) -> str:
        """``¶ 4``, ``Key takeaway 2``: :func:`policy_reader.page.markdown.labels`, written form."""
        return labels(self.pid).written


def read_passages(slug: str, markdown: str) -> list[Passage]:
    """Every takeaway and body paragraph of a generated paper page, with its topics."""
    return [
        Passage(slug, b.id, b.kind, b.topics, b.words)
        for b in read_blocks(markdown) if b.kind in ("para", "takeaway")
    ]


#: SENTENCE_END with the stop itself in the match (the same ends, tests/test_topic_highlights.py):
#: a pattern that starts with a character class is searched much faster than a look-behind.
_SENTENCE_STOP = re.compile(r"[.!?][”\"’)]*\s+(?=[A-Z“\"‘])")
#: Stand-ins for <mark> and </mark> while an excerpt is put together, escaped once at the end.
_OPEN, _CLOSE = "\x00", "\x01"


#: _SENTENCE_STOP with the stop captured: ``split`` gives the sentences and the stops between them
#: (the same matches, found in C), whose lengths add up to the sentences' starts (:func:`sentence_starts`).
_SENTENCE_SPLIT = re.compile(r"([.!?][”\"’)]*\s+)(?=[A-Z“\"‘])")


def sentence_starts(text: str) -> list[int]:
    """Where each sentence of ``text`` starts (0 first): after each :data:`_SENTENCE_STOP`."""
    return [0, *accumulate(map(len, _SENTENCE_SPLIT.split(text)))][::2]


def excerpt(text: str, topic: T.Topic, spans: list[tuple[int, int]] | None = None,
            starts: list[int] | None = None) -> str:
    """HTML: the sentences of ``text`` that match the topic's rules, terms in <mark>.

    Sentences are the paper's words, unchanged; left-out sentences show as "…".
    ``spans``: the topic's :func:`~policy_reader.topics.rules.highlight_spans` in ``text``
    when known (:class:`Highlights`), else the rules are run here. ``starts``: the
    text's :func:`sentence_starts` when known (a passage on several topics' pages).
    """
    if starts is None:
        starts = sentence_starts(text)
    if spans is None:
        spans = T.highlight_spans(text, topic)
    if _OPEN not in text and _CLOSE not in text:
        got = _excerpt_in_order(text, spans, starts)
        if got is not None:
            return got
    return _excerpt_general(text, spans, starts)


def _excerpt_general(text: str, spans: list[tuple[int, int]], starts: list[int]) -> str:
    """:func:`excerpt` for any spans (in any order) and any words."""
    # The spans that start in each sentence, in their order (sentences tile the text).
    n = len(text)
    last = len(starts) - 1
    within: dict[int, list[tuple[int, int]]] = {}
    if last == 0:  # one sentence: every span that starts in the text is in it
        got = [sp for sp in spans if 0 <= sp[0] < n]
        if got:
            within[0] = got
    else:
        for sp in spans:
            a = sp[0]
            if 0 <= a < n:
                i = bisect_right(starts, a) - 1
                got = within.get(i)
                if got is None:
                    within[i] = [sp]
                else:
                    got.append(sp)
    keep = sorted(within) or [0]  # a passage the topic's rules do not match: its first sentence
    parts = []
    prev_end = 0
    if _OPEN in text or _CLOSE in text:  # words holding a stand-in: escaped piece by piece
        for i in keep:
            s = starts[i]
            e = starts[i + 1] if i < last else n
            if s > prev_end:
                parts.append("… ")
            parts.append(_marked(text[s:e].rstrip(), [(a - s, min(b, e) - s) for a, b in within.get(i, ())]))
            parts.append(" ")
            prev_end = e
        out = "".join(parts).rstrip()
    else:  # the words with stand-ins for the marks (_marked's rule, in the text's offsets), escaped once
        append = parts.append
        for i in keep:
            s = starts[i]
            e = starts[i + 1] if i < last else n
            if s > prev_end:
                append("… ")
            stop = s + len(text[s:e].rstrip())
            pos = s
            for a, b in within.get(i, ()):
                if b > stop:
                    b = stop
                if a < pos or a >= b:
                    continue
                append(text[pos:a])
                append(_OPEN)
                append(text[a:b])
                append(_CLOSE)
                pos = b
            append(text[pos:stop])
            append(" ")
            prev_end = e
        out = "".join(parts).rstrip()
        if "&" in out or "<" in out or ">" in out:
            out = html_text(out)
        out = out.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    if prev_end < len(text.rstrip()):
        out += " …"
    return out


def _excerpt_in_order(text: str, spans: list[tuple[int, int]], starts: list[int]) -> str | None:
    """:func:`excerpt` of words without stand-ins when ``spans`` come in order of their starts
    (as :func:`~policy_reader.topics.rules.highlight_spans` and a page's record give them): one
    walk over the spans, a sentence opened when a span starts past the one before (the spans
    that start in a sentence are then the ones in a row), no table of sentences; None for
    spans out of order (the general way). tests/test_topic_fast_paths.py compares both."""
    n = len(text)
    last = len(starts) - 1
    parts: list[str] = []
    append = parts.append
    prev_end = 0
    cur = -1  # the sentence being written, -1 before the first
    e = stop = pos = prev_a = 0
    for a, b in spans:
        if a < prev_a:  # out of order (or negative): the general way
            return None
        prev_a = a
        if a >= n:  # past the words (a later span that starts before it is out of order)
            continue
        if cur < 0 or a >= e:
            if cur >= 0:
                append(text[pos:stop])
                append(" ")
                prev_end = e
            cur = bisect_right(starts, a) - 1 if last else 0
            s = starts[cur]
            e = starts[cur + 1] if cur < last else n
            if s > prev_end:
                append("… ")
            stop = s + len(text[s:e].rstrip())
            pos = s
        if b > stop:
            b = stop
        if a < pos or a >= b:
            continue
        append(text[pos:a])
        append(_OPEN)
        append(text[a:b])
        append(_CLOSE)
        pos = b
    if cur < 0:  # no span starts in the text: its first sentence
        e = starts[1] if last else n
        stop = len(text[:e].rstrip())
        pos = 0
    append(text[pos:stop])
    out = "".join(parts).rstrip()
    if "&" in out or "<" in out or ">" in out:
        out = html_text(out)
    if _OPEN in out:
        out = out.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    if e < len(text.rstrip()):
        out += " …"
    return out


HIGHLIGHTS = "highlights"
#: The cache namespace of the papers' tagged passages (TopicPages.load): a build whose papers,
#: vocabulary and overrides are those of an earlier build reads them from one entry.
PASSAGES = "topic-passages"


def _load_tagged(value) -> dict[str, list[Passage]]:
    """The stored tagged passages, ``{paper: [[id, kind, topics, words], ...]}``; raise on another shape."""
    if not isinstance(value, dict):
        raise TypeError("tagged passages are an object")
    out = {}
    for slug, rows in value.items():
        if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == 4 and all(type(x) is str for x in r) for r in rows):
            raise TypeError("a paper's passages are lists of four strings")
        out[slug] = [Passage(slug, pid, kind, tuple(topics.split()), text) for pid, kind, topics, text in rows]
    return out


def _read_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def _load_spans(value) -> dict:
    """A stored paper's highlights, ``{pid: {topic: [[start, end], ...]}}``; raise on another shape."""
    if not isinstance(value, dict):
        raise TypeError("highlights are an object")
    out = {}
    for pid, topics in value.items():
        if not isinstance(topics, dict):
            raise TypeError("a passage's highlights are an object")
        out[pid] = {}
        for topic, spans in topics.items():
            if not (isinstance(spans, list) and all(
                    isinstance(sp, list) and len(sp) == 2 and all(type(n) is int for n in sp) for sp in spans)):
                raise TypeError("spans are pairs of integers")
            out[pid][topic] = [(a, b) for a, b in spans]
    return out


class Highlights:
    """Where each passage's topics match their rules, recorded once per passage text and vocabulary.

    The topic pages mark in every excerpt the words that match the topic's rules
    (:func:`~policy_reader.topics.rules.highlight_spans`, 40,000 passages at 1,000 papers).
    The spans are kept per paper in the ``highlights`` namespace of the one cache
    (:mod:`policy_reader.cache`) under a key of the vocabulary file, the paper's passages
    (id, topics, words) and our code, so a build that generates the topic pages again (a
    paper changed, a note was added) runs the rules only over the papers whose passages or
    rules changed. With the cache off every span is computed; the pages are the same.
    """

    def __init__(self, enabled: bool):
        self.enabled = bool(enabled)
        self.computed = 0  # papers whose spans were computed in this build (tests, bench)
        self.recorded = 0  # papers whose spans were read from their page (page/highlights.py)

    def _store(self):
        store = cache.store(HIGHLIGHTS)
        return store if self.enabled and store.enabled else None

    @staticmethod
    def _key(store, vocabulary: bytes, passages: list[Passage]) -> str:
        return store.key(vocabulary, *(f"{p.pid}\0{' '.join(p.topics)}\0{p.text}" for p in passages if p.topics))

    def spans(self, vocab: T.Vocabulary, vocabulary: bytes, passages: dict[str, list[Passage]],
              recorded: dict[str, tuple[str, str]] | None = None) -> dict[str, dict]:
        """``{paper: {pid: {topic: spans}}}`` for every tagged passage and each of its topics.

        ``recorded``: ``{paper: (its page, its highlights field)}`` (page/highlights.py): a
        paper's record is used when its digest is that of the paper's passages and this
        vocabulary (the converter found them with these rules); otherwise the rules run."""
        store = self._store()
        by = vocab.by_slug()
        out = {}
        for slug, ps in passages.items():
            got = _recorded(ps, vocabulary, (recorded or {}).get(slug))
            if got is not None:
                self.recorded += 1
                out[slug] = got
                continue
            key = self._key(store, vocabulary, ps) if store is not None else None
            got = store.get(key, _load_spans) if store is not None else None
            if got is None:
                got = {p.pid: {t: T.highlight_spans(p.text, by[t]) for t in p.topics if t in by} for p in ps if p.topics}
                self.computed += 1
                if store is not None:
                    store.put(key, {pid: {t: [list(sp) for sp in spans] for t, spans in ts.items()} for pid, ts in got.items()})
            out[slug] = got
        return out

    def keep(self, vocabulary: bytes, passages: dict[str, list[Passage]]) -> None:
        """The topic pages came from the cache: keep the papers' entries for the next time they do not."""
        store = self._store()
        if store is not None:
            for ps in passages.values():
                store.keep_entry(self._key(store, vocabulary, ps))


def _recorded(ps: list[Passage], vocabulary: bytes, field: tuple[str, str] | None) -> dict | None:
    """A paper's recorded highlights ``{pid: {topic: spans}}`` when they were made for these
    passages and this vocabulary; None when it has none or they were made for others."""
    if field is None or not field[1]:
        return None
    try:
        made_for, record = H.decode(field[1])
    except ValueError as exc:
        raise PluginError(f"docs/{field[0]}: front matter field 'highlights' is not the converter's: {exc}; run `make convert`") from None
    tagged = [(p.pid, p.topics, p.text) for p in ps if p.topics]
    if made_for != H.digest(vocabulary, tagged):
        log.info("docs/%s: its topic highlights were made for other words or another vocabulary; "
                 "running the rules (`make convert` records them again)", field[0])
        return None
    if any(t not in record.get(pid, {}) for pid, topics, _ in tagged for t in topics):
        return None
    return record


def _marked(sentence: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for a, b in spans:
        b = min(b, len(sentence))
        if a < pos or a >= b:
            continue
        out.append(html_text(sentence[pos:a]))
        out.append(f"<mark>{html_text(sentence[a:b])}</mark>")
        pos = b
    out.append(html_text(sentence[pos:]))
    return "".join(out)


def html_text(text: str) -> str:
    """Text as Python-Markdown writes it into HTML: ``&``, ``<`` and ``>`` escaped."""
    return html.escape(text, quote=False)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _surname(meta: dict) -> str:
    """The first author's surname ("et al." for more), with the year: "Klingner (2019)"."""
    authors = meta.get("authors") or [meta["publisher"]]
    name = authors[0].split()[-1] + (" et al." if len(authors) > 1 else "")
    return f"{name} ({meta['date'][:4]})"


#: Compressed bytes of passages per topic page, by default (plugin option ``topic_page_kb``):
#: 120 KB of passages keep a whole page, with Material's header, sidebar and footer, under 150 KB.
PAGE_KB = 120


class Packer:
    """Cuts a topic's paper groups into pages of at most ``budget`` compressed bytes.

    The size is measured, not guessed: each page is one deflate stream (what gzip sends)
    and a group is added to a copy of it, flushed, to learn its compressed cost. A page
    also holds at most ``RAW_FACTOR`` times the budget uncompressed (what the browser
    lays out: repetitive text compresses 20 times and would make a page megabytes long).
    A paper starts a new page when it does not fit on the current one; a paper too big
    for a page of its own goes passage by passage, its header repeated with "continued".
    """

    RAW_FACTOR = 4

    def __init__(self, budget: int):
        self.budget = budget
        self.raw_budget = budget * self.RAW_FACTOR
        self.pages: list[list[str]] = []
        self._new()

    def _new(self):
        self.pages.append([])
        self.z = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.size = 0
        self.raw = 0

    def _cost(self, text: str):
        z = self.z.copy()
        data = text.encode("utf-8")
        return len(z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)), len(data), z

    def _fits(self, n: int, raw: int) -> bool:
        return self.size + n <= self.budget and self.raw + raw <= self.raw_budget

    def _put(self, text: str, cost=None) -> None:
        n, raw, z = cost or self._cost(text)
        self.z, self.size, self.raw = z, self.size + n, self.raw + raw
        self.pages[-1].append(text)

    def add_group(self, whole: str, head: str, parts: list[str], tail: str, continued, close: str = "</section>") -> None:
        """One paper's group: ``whole`` = ``head`` + ``parts`` + ``tail`` (its notes and ``close``, the closing tag);
        ``continued``: the head repeated on the next page, or a function giving it."""
        cost = self._cost(whole)
        if self._fits(*cost[:2]):
            self._put(whole, cost)
            return
        if self.pages[-1]:
            self._new()
            cost = self._cost(whole)
        if self._fits(*cost[:2]):
            self._put(whole, cost)
            return
        if callable(continued):
            continued = continued()
        # Too big for a page of its own: passage by passage, the header repeated ("continued")
        # and the notes after the paper's last passage. A page holds at least one passage.
        opened, chunk = head, []
        for i, part in enumerate(parts):
            end = tail if i == len(parts) - 1 else close
            n, raw, _ = self._cost(opened + "".join(chunk) + part + end)
            if chunk and not self._fits(n, raw):
                self._put(opened + "".join(chunk) + close)
                self._new()
                opened, chunk = continued, []
            chunk.append(part)
        self._put(opened + "".join(chunk) + tail)


class TopicPages:
    """Loads the vocabulary, notes and the papers' passages; generates the topic pages."""

    def __init__(self, project_dir: Path, papers_dir: str, cache_dir: Path | None = None, page_kb: int = PAGE_KB):
        self.project_dir = project_dir
        self.papers_dir = papers_dir
        self.page_bytes = page_kb * 1000
        self.cache = GeneratedCache(cache_dir, "topics")  # pages across builds (site/generated_cache.py)
        self._vocabulary_bytes: bytes | None = None
        self.vocab: T.Vocabulary | None = None
        self.notes: list[N.Note] = []
        self.passages: dict[str, list[Passage]] = {}  # paper slug -> passages
        self.papers: list[dict] = []  # newest first
        self.page_uris: set[str] = set()  # page 2, 3, ... of each topic (kept out of the sidebar)
        self.fragments = F.for_config(None)  # the theme's templates, once add_files has the config
        self.highlights = Highlights(cache_dir)  # rule matches per paper, across builds
        self.spans: dict[str, dict] = {}  # paper -> pid -> topic -> spans, while pages are generated
        self._starts: dict[str, list[int]] = {}  # passage words -> sentence_starts, while pages are generated
        self.recorded: dict[str, tuple[str, str]] = {}  # paper -> (its page, its highlights field)
        self._related: dict[str, list] = {}  # topic -> related topics (related())
        self._digests: dict[str, tuple] = {}  # paper page -> (its File, the hash of its Markdown)
        self._by_topic: tuple | None = None  # (self.passages, {topic: {paper: passages}}): _tagged()

    def load(self, papers: dict[str, dict], files) -> None:
        """Read and check everything; raise PluginError naming file and entry."""
        try:
            data = T.load_topic_data(self.project_dir)
        except SourceError as exc:
            raise PluginError(str(exc)) from None
        if data is None:  # no vocabulary: the feature is off, and no page may name a topic
            self.vocab, overrides = T.Vocabulary(()), {}
        else:
            self.vocab, overrides = data
        newest = sorted(papers.values(), key=lambda d: d["slug"])
        self.papers = sorted(newest, key=lambda d: d["date"], reverse=True)
        self.passages = {}
        self.recorded = {m["slug"]: (uri, m.get("highlights", "")) for uri, m in papers.items()}
        self._related = {}
        self._digests = {}
        store = cache.store(PASSAGES) if self.highlights.enabled else None
        store = store if store is not None and store.enabled else None
        key = store.key(  # everything the tagged passages and the checks below read
            self.vocabulary_bytes(), _read_bytes(self.project_dir / T.OVERRIDES_PATH),
            *(f"{uri}\0{papers[uri]['slug']}\0{self._page_digest(files, uri)}" for uri in sorted(papers)),
        ) if store is not None else None
        got = store.get(key, _load_tagged) if store is not None else None
        if got is not None and set(got) == set(self.recorded):
            self.passages = got  # read and checked by an earlier build (the checks passed then)
        else:
            self.passages = self._read_tagged(papers, files, overrides)
            if store is not None:
                store.put(key, {s: [[p.pid, p.kind, " ".join(p.topics), p.text] for p in ps] for s, ps in self.passages.items()})
        try:
            self.notes = N.load_notes(self.project_dir, self.vocab) if self.vocab.topics else []
            N.check_notes(self.notes, set(self.passages))
        except SourceError as exc:
            raise PluginError(str(exc)) from None

    def _page_digest(self, files, uri: str) -> str:
        """A hash of the paper page ``uri``'s Markdown, made once per build (both cache keys name it)."""
        f = files.get_file_from_path(uri)
        got = self._digests.get(uri)
        if got is None or got[0] is not f:
            got = self._digests[uri] = (f, hashlib.sha256(f.content_string.encode("utf-8")).hexdigest())
        return got[1]

    def _read_tagged(self, papers: dict[str, dict], files, overrides) -> dict[str, list[Passage]]:
        """Every paper's tagged passages, read from its page; its topics and the overrides checked."""
        known = set(self.vocab.slugs())
        ids, tagged = {}, {}
        for src_uri, meta in papers.items():
            f = files.get_file_from_path(src_uri)
            slug = meta["slug"]
            blocks = [b for b in read_blocks(f.content_string) if b.kind in ("para", "takeaway")]  # read_passages' blocks
            for b in blocks:
                bad = [t for t in b.topics if t not in known]
                if bad:
                    raise PluginError(
                        f"docs/{src_uri}: {b.id} has topic '{bad[0]}', which {T.VOCABULARY_PATH} does not define; "
                        "run `make convert` after changing the vocabulary"
                    )
            ids[slug] = [b.id for b in blocks]
            # read_passages' passages, the words read only where a topic will show them
            tagged[slug] = [Passage(slug, b.id, b.kind, b.topics, b.words) for b in blocks if b.topics]
        try:
            T.check_overrides(overrides, ids)
        except SourceError as exc:
            raise PluginError(str(exc)) from None
        return tagged

    def vocabulary_bytes(self) -> bytes:
        """The vocabulary file as read for this build ("" without one): a cache key part."""
        if self._vocabulary_bytes is None:
            path = self.project_dir / T.VOCABULARY_PATH
            self._vocabulary_bytes = path.read_bytes() if path.is_file() else b""
        return self._vocabulary_bytes

    def notes_bytes(self) -> bytes:
        path = self.project_dir / N.NOTES_PATH
        return path.read_bytes() if path.is_file() else b""

    # ---- queries

    def tagged(self, paper: str, topic: str) -> list[Passage]:
        return list(self._tagged().get(topic, {}).get(paper, ()))

    def _tagged(self) -> dict[str, dict[str, list[Passage]]]:
        """``{topic: {paper: its passages on the topic, in order}}``, made once per set of passages
        (every page of a topic, its counts and its groups ask for them)."""
        got = self._by_topic
        if got is None or got[0] is not self.passages:
            index: dict[str, dict[str, list[Passage]]] = {}
            for paper, ps in self.passages.items():
                for p in ps:
                    for t in dict.fromkeys(p.topics):
                        index.setdefault(t, {}).setdefault(paper, []).append(p)
            got = self._by_topic = (self.passages, index)
        return got[1]

    def related(self, topic: str) -> list[tuple[T.Topic, int]]:
        """The other topics of ``topic``'s passages, most passages first (made once per load:
        every page of the topic shows them)."""
        got = self._related.get(topic)
        if got is None:
            got = self._related[topic] = self._count_related(topic)
        return got

    def _count_related(self, topic: str) -> list[tuple[T.Topic, int]]:
        counts: dict[str, int] = {}
        for ps in self.passages.values():
            for p in ps:
                if topic in p.topics:
                    for other in p.topics:
                        if other != topic:
                            counts[other] = counts.get(other, 0) + 1
        by = self.vocab.by_slug()
        return [(by[s], n) for s, n in sorted(counts.items(), key=lambda kv: (-kv[1], self.vocab.slugs().index(kv[0])))]

    def paper_topics(self, paper: str) -> list[T.Topic]:
        present = {t for p in self.passages.get(paper, []) for t in p.topics}
        return [t for t in self.vocab.topics if t.slug in present]

    def counts(self, topic: str) -> tuple[int, int]:
        """(tagged passages, papers with one) for ``topic``."""
        of = self._tagged().get(topic, {})
        per = [len(of.get(m["slug"], ())) for m in self.papers]
        return sum(per), sum(1 for n in per if n)

    @staticmethod
    def topic_uri(slug: str, page: int = 1) -> str:
        return f"{TOPICS_DIR}/{slug}.md" if page == 1 else f"{TOPICS_DIR}/{slug}/page/{page}.md"

    @staticmethod
    def topic_url(slug: str) -> str:
        return f"{TOPICS_DIR}/{slug}/"

    # ---- pages

    def _note_html(self, note: N.Note, by_slug: dict[str, dict], macro) -> str:
        surnames = {s: _surname(by_slug[s]) for s in note.papers}
        return macro(note, N.heading(note, surnames))

    def _passage_html(self):
        """The ``passage`` macro as a function: filled without a Jinja call when it is plain text
        and values (site/topics/plain_macro.py); checked against the macro on its first passage
        of each topic, and the macro itself on any difference or error."""
        return checked_macro(self.fragments, TOPIC_PAPER, "passage", lambda: log.debug(
            "%s: the passage macro is called for each passage (filled, it differs)", TOPIC_PAPER))

    def _groups(self, topic: T.Topic, page_url: str, paper_urls: dict[str, str], definitions: dict[str, str]):
        """Per paper with a tagged passage, newest first: (whole HTML, head, passages, tail,
        continued head: a function giving it, for the rare paper too big for a page).

        The HTML is the template ``fragments/policy-reader/topic-paper.html`` (site/fragments.py)."""
        head, note = (self.fragments.macro(TOPIC_PAPER, m) for m in ("head", "note"))
        passage = self._passage_html()
        end = self.fragments.macro(TOPIC_PAPER, "end")()
        by_slug = {m["slug"]: m for m in self.papers}
        starts_of = self._starts
        notes_of: dict[str, list[N.Note]] = {}
        for n in self.notes:
            if n.topic == topic.slug:
                for slug in n.papers:
                    notes_of.setdefault(slug, []).append(n)
        for meta in self.papers:
            passages = self.tagged(meta["slug"], topic.slug)
            if not passages:
                continue
            href = get_relative_url(paper_urls[meta["slug"]], page_url)
            paper = {"slug": meta["slug"], "title": meta["title"],
                     "byline": f'{", ".join(meta["authors"])}, {meta["publisher"]}, {meta["date"]} · {_plural(len(passages), "passage")}'}
            marks = self.spans.get(meta["slug"], {})
            # Glossary terms marked now (as held blocks would be): every use, as the page cuts have always
            # been measured (the page keeps the first, glossary.first_use_only).
            parts = []
            for p in passages:
                text = p.text
                starts = starts_of.get(text)  # a passage on several topics' pages: its sentences found once
                if starts is None:
                    starts = starts_of[text] = sentence_starts(text)
                got = marks.get(p.pid)
                spans = got.get(topic.slug) if got is not None else None
                parts.append(mark_terms(passage(p, href, Markup(excerpt(text, topic, spans, starts))), definitions))
            tail = "".join(self._note_html(n, by_slug, note) for n in notes_of.get(meta["slug"], [])) + end
            first, tail = mark_terms(head(paper, href), definitions), mark_terms(tail, definitions)
            yield (first + "".join(parts) + tail, first, parts, tail,
                   lambda paper=paper, href=href: mark_terms(head(paper, href, True), definitions))

    def topic_pages(self, topic: T.Topic, held: HeldHtml, page_url, paper_urls: dict[str, str]) -> list[tuple[str, str]]:
        """``[(src_uri, Markdown)]``: the topic's first page and, when its passages need more
        room than one page allows, pages 2, 3, ... (``topics/<slug>/page/<n>/``).
        ``page_url(uri)`` gives a page's URL (for relative links)."""
        packer = Packer(self.page_bytes)
        deep_url = page_url(self.topic_uri(topic.slug, 2))
        # Links are relative: the groups are written and measured for the URL of page 2 (the
        # deepest, so the longest links), then rewritten for the URL of the page they land on.
        groups = list(self._groups(topic, deep_url, paper_urls, held.definitions))
        close = self.fragments.macro(TOPIC_PAPER, "end")()
        for whole, head, parts, tail, continued in groups:
            packer.add_group(whole, head, parts, tail, continued, close)
        pages = [p for p in packer.pages if p] or [[]]
        total, n_papers = self.counts(topic.slug)
        out = []
        for k, blocks in enumerate(pages, 1):
            uri = self.topic_uri(topic.slug, k)
            url = page_url(uri)
            if url != deep_url:
                hrefs: dict[str, str] = {}  # one paper's address is in each of its passages: rewritten once
                blocks = [_rebase(b, deep_url, url, hrefs) for b in blocks]
            blocks = _notes_once(blocks, self.fragments.macro(TOPIC_PAPER, "note_ref"))
            out.append((uri, self.topic_markdown(topic, held, blocks, k, len(pages), total, n_papers)))
        return out

    def topic_markdown(self, topic: T.Topic, held: HeldHtml, blocks: list[str], k: int = 1, n: int = 1,
                       total: int = 0, n_papers: int = 0) -> str:
        """Page ``k`` of ``n`` of a topic: the template ``fragments/policy-reader/topic-page.html``
        (Markdown with HTML blocks); the passages are one held block (site/held_html.py)."""
        here = self.topic_uri(topic.slug, k)
        body = ""
        if blocks:
            # The passages are the papers' paragraphs, searchable there (data-search-exclude on each);
            # the notes are this site's own words and stay searchable here.
            body = held.hold('<div class="topic-papers">' + "\n".join(blocks) + "</div>")  # glossary terms already marked (see _groups)
        return self.fragments.render(
            TOPIC_PAGE, topic=topic, k=k, n=n, total=total,
            passages=_plural(total, "passage"), papers=_plural(n_papers, "paper"),
            previous=_rel_md(here, self.topic_uri(topic.slug, k - 1)) if k > 1 else "",
            next=_rel_md(here, self.topic_uri(topic.slug, k + 1)) if k < n else "",
            pages=[{"number": j, "current": j == k, "href": _rel_md(here, self.topic_uri(topic.slug, j))} for j in range(1, n + 1)],
            held=Markup(body),
            related=[{"title": other.title, "href": _rel_md(here, self.topic_uri(other.slug)), "passages": _plural(count, "passage")}
                     for other, count in self.related(topic.slug)],
            index_href=_rel_md(here, f"{TOPICS_DIR}/index.md"),
        ) + "\n"  # the template's last line break (Jinja drops a template's final newline)

    def index_markdown(self) -> str:
        """/topics/: the template ``fragments/policy-reader/topics-index.html`` (Markdown with HTML blocks)."""
        topics = []
        for topic in self.vocab.topics:
            total, papers = self.counts(topic.slug)
            topics.append({"slug": topic.slug, "title": topic.title, "description": topic.description,
                           "passages": _plural(total, "passage"), "papers": _plural(papers, "paper")})
        return self.fragments.render(TOPICS_INDEX, papers=_plural(len(self.papers), "paper"), topics=topics) + "\n"

    def add_files(self, files, config, held: HeldHtml, papers: dict[str, dict]) -> None:
        self.fragments = F.for_config(config)  # also the chips' template (TopicChips)
        if not self.vocab.topics:
            return
        paper_urls = {meta["slug"]: files.get_file_from_path(uri).url for uri, meta in papers.items()}
        digest = inputs_digest(  # everything the pages are made of (site/generated_cache.py)
            self.fragments.digest([TOPIC_PAPER, TOPIC_PAGE, TOPICS_INDEX]),  # the templates as the theme resolves them (an override)
            self.vocabulary_bytes(),
            self.notes_bytes(),
            str(self.page_bytes),
            json.dumps(held.definitions, sort_keys=True),
            json.dumps(config["use_directory_urls"]),
            *(f"{uri}\0{files.get_file_from_path(uri).url}\0{self._page_digest(files, uri)}" for uri in sorted(papers)),
        )
        pages = get_pages(self.cache, digest, held)
        if pages is None:
            self.spans = self.highlights.spans(self.vocab, self.vocabulary_bytes(), self.passages, self.recorded)
            pages = [(f"{TOPICS_DIR}/index.md", self.index_markdown())]
            for topic in self.vocab.topics:
                pages += self.topic_pages(topic, held, lambda uri: File(uri, "", "", config["use_directory_urls"]).url, paper_urls)
            self.spans, self._starts = {}, {}
            put_pages(self.cache, digest, pages, held)
        else:
            self.highlights.keep(self.vocabulary_bytes(), self.passages)
        for uri, _ in pages:
            existing = files.get_file_from_path(uri)
            if existing is not None:
                raise PluginError(f"docs/{uri}: topic pages are generated; remove this file (write the topic's text in {T.VOCABULARY_PATH})")
        self.page_uris = {uri for uri, _ in pages if "/page/" in uri}
        for uri, markdown in pages:
            files.append(File.generated(config, uri, content=markdown))

    def trim_nav(self, nav):
        """Pages 2, 3, ... of a topic are reached from its first page, not from the sidebar."""
        def keep(item) -> bool:
            f = getattr(item, "file", None)
            if f is not None and f.src_uri in self.page_uris:
                return False
            children = getattr(item, "children", None)
            if children is not None:
                item.children[:] = [c for c in children if keep(c)]
                return bool(item.children)
            return True
        nav.items[:] = [i for i in nav.items if keep(i)]
        nav.pages[:] = [p for p in nav.pages if p.file.src_uri not in self.page_uris]
        return nav


def _rel_md(from_uri: str, to_uri: str) -> str:
    """A Markdown link from the page ``from_uri`` to the page ``to_uri`` (both src paths)."""
    a = from_uri.split("/")[:-1]
    b = to_uri.split("/")
    i = 0
    while i < len(a) and i < len(b) - 1 and a[i] == b[i]:
        i += 1
    return "/".join([".."] * (len(a) - i) + b[i:])


NOTE = re.compile(r'<aside class="topic-note" id="(note-\d+)"[^>]*><p class="topic-note-title">(.*?)</p>.*?</aside>', re.S)


def _notes_once(blocks: list[str], note_ref) -> list[str]:
    """A note naming several papers on one page is shown in full with the first of them;
    the others point to it (an id appears once per page): ``note_ref(anchor, title HTML)``."""
    seen: set[str] = set()

    def sub(m: re.Match) -> str:
        if m.group(1) not in seen:
            seen.add(m.group(1))
            return m.group(0)
        return note_ref(m.group(1), Markup(m.group(2)))

    return [NOTE.sub(sub, b) for b in blocks]


# Only an href attribute inside a start tag: a paper's own words may say href="..." (text is escaped
# for < and &, not for quotes, so a bare pattern would rewrite the words).
_HREF = re.compile(r'(<a\s[^<>]*?\bhref=")([^"]*)"')
_NOT_RELATIVE = re.compile(r"[a-z]+:|#|/")


def _rebase(block: str, from_url: str, to_url: str, memo: dict[str, str] | None = None) -> str:
    """Relative hrefs in ``block`` written for the page at ``from_url``, rewritten for ``to_url``
    (``memo``: the rewritten addresses of earlier blocks of the same two pages, to reuse: a
    paper's address is in each of its passages, with the passage's id after ``#``)."""
    memo = {} if memo is None else memo

    def rewritten(path: str) -> str:
        new = memo.get(path)
        if new is None:
            target = _resolve(from_url, path)
            new = get_relative_url(target, to_url) if target else get_relative_url("", to_url)
            if path.endswith("/") and not new.endswith("/"):
                new += "/"
            new = memo[path] = html.escape(new, quote=True)
        return new

    # Pages 3, 4, ... are as deep as page 2: every link there is written the same, and the block
    # is kept as it is (each paper's address looked at once, not substituted passage by passage).
    # An href ending in "#" loses it below: such a block is always substituted.
    if '#"' not in block:
        paths = {href.partition("#")[0] for _, href in _HREF.findall(block) if not href.startswith("#")}
        if all(_NOT_RELATIVE.match(path) or rewritten(path) == path for path in paths):
            return block

    def sub(m: re.Match) -> str:
        href = m[2]
        if _NOT_RELATIVE.match(href):
            return m[0]
        path, _, frag = href.partition("#")
        return m[1] + rewritten(path) + (f"#{frag}" if frag else "") + '"'
    return _HREF.sub(sub, block)


class LinkCheck:
    """Two phases: record generated links and page ids; report unresolved ones once."""

    ID = re.compile(r'id="([^"]+)"')  # an attribute when white space precedes (checked in record_page)
    PASSAGE_LINK = re.compile(r'<a\b[^>]*class="topic-passage-link"[^>]*>')  # the class anywhere in the tag
    HREF = re.compile(r'href="([^"#]*)(?:#([^"]*))?"')

    def __init__(self):
        self.ids: dict[str, set[str]] = {}  # page url -> ids on it
        self.links: list[tuple[str, str, str, str]] = []  # (source path, from url, to url, anchor)

    def reset(self):
        self.ids, self.links = {}, []

    def record_page(self, url: str, html_text: str) -> None:
        # A literal-first pattern is searched about 15 times faster than one that starts with \s.
        self.ids[url] = {m[1] for m in self.ID.finditer(html_text) if m.start() and html_text[m.start() - 1].isspace()}

    def record_link(self, source: str, from_url: str, to_url: str, anchor: str = "") -> None:
        self.links.append((source, from_url, to_url, anchor))

    def record_passage_links(self, source: str, from_url: str, html_text: str) -> None:
        """The ¶ links on a topic page (HTML we write: MkDocs does not validate them)."""
        resolved: dict[str, str] = {}  # a paper's address is in each of its passages: resolved once
        for m in self.PASSAGE_LINK.finditer(html_text):
            href = self.HREF.search(m.group(0))
            if href:
                target = resolved.get(href[1])
                if target is None:
                    target = resolved[href[1]] = _resolve(from_url, href[1])
                self.links.append((source, from_url, target, href[2] or ""))

    def problems(self) -> list[str]:
        seen, out = set(), []
        for source, _from, to, anchor in self.links:
            if (source, to, anchor) in seen:
                continue
            seen.add((source, to, anchor))
            if to not in self.ids:
                out.append(f"{source}: topic link to '/{to}' does not resolve: no such page")
            elif anchor and anchor not in self.ids[to]:
                out.append(f"{source}: topic link to '/{to}#{anchor}' does not resolve: the page has no id '{anchor}'")
        return out


def _resolve(from_url: str, href: str) -> str:
    """A relative href on the page at ``from_url`` as a site URL (directory URLs)."""
    parts = [p for p in from_url.split("/")[:-1] if p]
    if from_url.endswith("/") or from_url == "":
        parts = [p for p in from_url.split("/") if p]
    for seg in href.split("/"):
        if seg == "..":
            if parts:
                parts.pop()
        elif seg and seg != ".":
            parts.append(seg)
    url = "/".join(parts)
    return url + "/" if href.endswith("/") and url else url


_CHIP_MACROS: tuple | None = None


def _chip_macros(frag: F.Fragments) -> tuple:
    """The chips' macros filled without Jinja (plain_macro.py), made once per build's fragments
    (a paper page's step makes a TopicChips of its own: site/paper_steps.py)."""
    global _CHIP_MACROS
    if _CHIP_MACROS is None or _CHIP_MACROS[0] is not frag:
        _CHIP_MACROS = (frag, *(checked_macro(frag, TOPIC_CHIPS, m) for m in ("chip", "paragraph", "header")))
    return _CHIP_MACROS[1:]


class TopicChips:
    """HTML post-processor for paper pages: chips inside tagged paragraphs, topics in the header."""

    def __init__(self, pages: TopicPages, check: LinkCheck):
        self.pages = pages
        self.check = check

    def _href(self, page_url: str, slug: str) -> str:
        return get_relative_url(TopicPages.topic_url(slug), page_url)

    def _chip(self, chip, made: dict, page_url: str, topic: T.Topic, source: str) -> str:
        got = made.get(topic.slug)  # a topic's chip is the same all over one page: made once
        if got is None:  # and its link recorded once (LinkCheck.problems reads a source's link to a page once)
            self.check.record_link(source, page_url, TopicPages.topic_url(topic.slug))
            got = made[topic.slug] = chip(self._href(page_url, topic.slug), topic.slug, topic.title)
        return got

    def process(self, html_text: str, paper_slug: str, page_url: str, source: str) -> str:
        """The chips' HTML is the template ``fragments/policy-reader/topic-chips.html`` (site/fragments.py)."""
        by = self.pages.vocab.by_slug()
        frag = self.pages.fragments
        chip, after, header = _chip_macros(frag)
        made: dict[str, str] = {}
        page = rendered.read(html_text)  # the page's blocks (page/rendered.py)
        edits = []
        for block in page.blocks:
            topics = block.attr_source("data-topics")
            if block.tag != "p" or block.id is None or not topics:
                continue
            slugs = [s for s in block.topics if s in by]
            if not slugs:
                continue
            chips = Markup(" ".join(self._chip(chip, made, page_url, by[s], source) for s in slugs))
            # Keep the contract `<p class="para" id="p-N"`: data-topics goes after the id.
            moved = "<p" + block.attr_text.replace(topics, "").rstrip() + topics + ">"
            edits.append((block.start, block.body_start, moved))
            edits.append((block.body_end, block.body_end, after(chips)))
        covered = self.pages.paper_topics(paper_slug) if by else []
        if covered:
            chips = Markup(" ".join(self._chip(chip, made, page_url, t, source) for t in covered))
            byline, h1 = page.byline(), page.first("h1")
            at = byline.end if byline is not None else h1.end if h1 is not None else 0
            edits.append((at, at, "\n" + header(chips)))
        return rendered.splice_read(page, sorted(edits, key=lambda e: (e[0], e[1])))  # the permalinks read its blocks


class TopicsFeature:
    """What plugin.py calls: one object, one call per event."""

    def __init__(self, config_file_path: str, papers_dir: str, cache_dir: Path | None = None, page_kb: int = PAGE_KB):
        self.pages = TopicPages(Path(config_file_path).resolve().parent, papers_dir, cache_dir, page_kb)
        self.check = LinkCheck()
        self.chips = TopicChips(self.pages, self.check)

    def chips_digest(self) -> str:
        """A hash of the chips' template as the theme resolves it (the paper-page cache key)."""
        return self.pages.fragments.digest([TOPIC_CHIPS])

    def on_files(self, files, config, papers: dict[str, dict], held: HeldHtml) -> None:
        self.check.reset()
        self.pages.load(papers, files)
        self.pages.add_files(files, config, held, papers)

    def on_nav(self, nav):
        return self.pages.trim_nav(nav)

    def on_page_content(self, html_text: str, page, papers: dict[str, dict]) -> str:
        src = page.file.src_uri
        source = f"docs/{src}" if not page.file.generated_by else f"{src} (generated)"
        meta = papers.get(src)
        if meta is not None:
            html_text = self.chips.process(html_text, meta["slug"], page.file.url, source)
        elif src.startswith(TOPICS_DIR + "/") and page.file.generated_by:
            self.check.record_passage_links(source, page.file.url, html_text)
        self.check.record_page(page.file.url, html_text)
        return html_text

    def on_post_build(self) -> None:
        problems = self.check.problems()
        for p in problems:
            log.warning(p)
        if problems:
            raise PluginError(f"{len(problems)} topic link(s) do not resolve (see the warnings above)")
