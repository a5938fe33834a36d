"""Topic pages, topic chips and the check of their links (MkDocs side of topics).

- :class:`TopicPages` reads the vocabulary (``docs/topics/vocabulary.yml``, from
  disk: it is excluded from the site) and each paper's tagged paragraphs (the
  ``data-topics`` that ``policy-reader convert`` wrote into its Markdown), and
  adds ``topics/index.md`` and ``topics/<slug>.md`` with ``File.generated``.
  Each page's passages are HTML written here and held out of Python-Markdown
  (site/held_html.py: megabytes at 1,000 papers); their links to
  ``../../papers/<slug>/#<id>`` are checked by :class:`LinkCheck`.
- :class:`TopicChips` adds, inside each tagged ``<p>`` of a paper page, small
  links to its topics, and a list of the paper's topics under the byline.
- :class:`LinkCheck` records every link we generate and every id each page
  has; after all pages render it reports each unresolved link once, with the
  page it is on (two phases, as cross-references must).
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from policy_reader.topics import rules as T
from policy_reader.page.markdown import escape_text, read_blocks
from policy_reader.model import SourceError
from policy_reader.site.generated_cache import GeneratedCache, get_pages, inputs_digest, put_pages
from policy_reader.site.held_html import HeldHtml

log = logging.getLogger("mkdocs.plugins.policy_reader.topics")

TOPICS_DIR = "topics"
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
        n = self.pid.split("-")[-1]
        return f"¶ {n}" if self.kind == "para" else f"Key takeaway {n}"


def read_passages(slug: str, markdown: str) -> list[Passage]:
    """Every takeaway and body paragraph of a generated paper page, with its topics."""
    return [
        Passage(slug, b.id, b.kind, b.topics, b.words)
        for b in read_blocks(markdown) if b.kind in ("para", "takeaway")
    ]


def excerpt(text: str, topic: T.Topic) -> str:
    """HTML: the sentences of ``text`` that match the topic's rules, terms in <mark>.

    Sentences are the paper's words, unchanged; left-out sentences show as "…".
    """
    starts = [0] + [m.end() for m in SENTENCE_END.finditer(text)]
    bounds = list(zip(starts, starts[1:] + [len(text)]))
    spans = T.highlight_spans(text, topic)
    keep = [(s, e) for s, e in bounds if any(s <= a < e for a, _ in spans)] or bounds[:1]
    parts = []
    prev_end = 0
    for s, e in keep:
        if s > prev_end:
            parts.append("… ")
        sentence_spans = [(a - s, min(b, e) - s) for a, b in spans if s <= a < e]
        parts.append(_marked(text[s:e].rstrip(), sentence_spans))
        parts.append(" ")
        prev_end = e
    out = "".join(parts).rstrip()
    if prev_end < len(text.rstrip()):
        out += " …"
    return out


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


class TopicPages:
    """Loads the vocabulary and the papers' passages; generates the topic pages."""

    def __init__(self, project_dir: Path, papers_dir: str, cache_dir: Path | None = None):
        self.project_dir = project_dir
        self.papers_dir = papers_dir
        self.cache = GeneratedCache(cache_dir, "topics")  # pages across builds (site/generated_cache.py)
        self._vocabulary_bytes: bytes | None = None
        self.vocab: T.Vocabulary | None = None
        self.passages: dict[str, list[Passage]] = {}  # paper slug -> passages
        self.papers: list[dict] = []

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
        self.papers = sorted(papers.values(), key=lambda d: (d["date"], d["slug"]))
        self.passages = {}
        known = set(self.vocab.slugs())
        for src_uri, meta in papers.items():
            f = files.get_file_from_path(src_uri)
            passages = read_passages(meta["slug"], f.content_string)
            for p in passages:
                bad = [t for t in p.topics if t not in known]
                if bad:
                    raise PluginError(
                        f"docs/{src_uri}: {p.pid} has topic '{bad[0]}', which {T.VOCABULARY_PATH} does not define; "
                        "run `make convert` after changing the vocabulary"
                    )
            self.passages[meta["slug"]] = passages
        try:
            T.check_overrides(overrides, {s: [p.pid for p in ps] for s, ps in self.passages.items()})
        except SourceError as exc:
            raise PluginError(str(exc)) from None

    def vocabulary_bytes(self) -> bytes:
        """The vocabulary file as read for this build ("" without one): a cache key part."""
        if self._vocabulary_bytes is None:
            path = self.project_dir / T.VOCABULARY_PATH
            self._vocabulary_bytes = path.read_bytes() if path.is_file() else b""
        return self._vocabulary_bytes

    # ---- queries

    def tagged(self, paper: str, topic: str) -> list[Passage]:
        return [p for p in self.passages.get(paper, []) if topic in p.topics]

    def related(self, topic: str) -> list[tuple[T.Topic, int]]:
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

    @staticmethod
    def topic_uri(slug: str) -> str:
        return f"{TOPICS_DIR}/{slug}.md"

    @staticmethod
    def topic_url(slug: str) -> str:
        return f"{TOPICS_DIR}/{slug}/"

    # ---- pages

    def passages_html(self, topic: T.Topic, page_url: str, paper_urls: dict[str, str]) -> str:
        """What each paper says: a section per paper, every tagged passage as an excerpt
        linked to its paragraph. HTML written here (held out of Python-Markdown, see
        site/held_html.py); the links are checked by :class:`LinkCheck`."""
        out = ['<div class="topic-papers" data-search-exclude>']  # the papers' own paragraphs, searchable there
        for meta in self.papers:
            passages = self.tagged(meta["slug"], topic.slug)
            href = html.escape(get_relative_url(paper_urls[meta["slug"]], page_url), quote=True)
            who = f'{", ".join(meta["authors"])}, {meta["publisher"]}, {meta["date"][:4]} · {_plural(len(passages), "passage")}'
            out += [
                f'<section class="topic-paper" data-paper="{meta["slug"]}">',
                f'<p class="topic-paper-title"><a href="{href}">{html_text(meta["title"])}</a></p>',
                f'<p class="topic-paper-byline">{html_text(who)}</p>',
            ]
            if not passages:
                out.append('<p class="topic-none">No passage of this paper is tagged with this topic.</p>')
            for p in passages:
                out.append(
                    f'<p class="topic-passage" data-paragraph="{p.pid}"><a class="topic-passage-link" href="{href}#{p.pid}">'
                    f"{p.label}</a> {excerpt(p.text, topic)}</p>"
                )
            out.append("</section>")
        out.append("</div>")
        return "\n".join(out)

    def topic_markdown(self, topic: T.Topic, held: HeldHtml, page_url: str, paper_urls: dict[str, str]) -> str:
        lines = [f"# {escape_text(topic.title)}", "", escape_text(topic.description), "{: .topic-description }", ""]
        lines += ["## What each paper says", ""]
        lines += [held.hold(self.passages_html(topic, page_url, paper_urls), glossary=True), ""]
        if topic.agree:
            lines += ["## Where the papers agree", "", escape_text(topic.agree), ""]
        if topic.differ:
            lines += ["## Where the papers differ", "", escape_text(topic.differ), ""]
        related = self.related(topic.slug)
        lines += ["## Related topics", ""]
        if related:
            for other, n in related:
                lines.append(f"- [{escape_text(other.title)}]({other.slug}.md): {_plural(n, 'passage')} tagged with both")
        else:
            lines.append("No other topic shares a passage with this one.")
        lines += ["", "[All topics](index.md)", ""]
        return "\n".join(lines)

    def index_markdown(self) -> str:
        lines = [
            "# Topics", "",
            "Each topic page sets the two papers side by side: what each says about the question, "
            "every passage one click from its paragraph.", "",
            '<div class="topic-index" markdown>', "",
        ]
        for topic in self.vocab.topics:
            lines += [f'<section class="topic-card" data-topic="{topic.slug}" markdown>', ""]
            lines += [f'<p class="topic-card-title" markdown>[{escape_text(topic.title)}]({topic.slug}.md)</p>', ""]
            lines += [escape_text(topic.description), ""]
            counts = " · ".join(
                f'{escape_text(", ".join(a.split()[-1] for a in m["authors"]))} ({escape_text(m["publisher"])}): '
                f'{_plural(len(self.tagged(m["slug"], topic.slug)), "passage")}'
                for m in self.papers
            )
            lines += [counts, "{: .topic-counts }", "", "</section>", ""]
        lines += ["</div>", ""]
        return "\n".join(lines)

    def add_files(self, files, config, held: HeldHtml, papers: dict[str, dict]) -> None:
        if not self.vocab.topics:
            return
        paper_urls = {meta["slug"]: files.get_file_from_path(uri).url for uri, meta in papers.items()}
        for uri in [f"{TOPICS_DIR}/index.md", *(self.topic_uri(s) for s in self.vocab.slugs())]:
            existing = files.get_file_from_path(uri)
            if existing is not None:
                raise PluginError(f"docs/{uri}: topic pages are generated; remove this file (write the topic's text in {T.VOCABULARY_PATH})")
        digest = inputs_digest(  # everything the pages are made of (site/generated_cache.py)
            self.vocabulary_bytes(),
            json.dumps(held.definitions, sort_keys=True),
            json.dumps(config["use_directory_urls"]),
            *(f"{uri}\0{files.get_file_from_path(uri).url}\0{files.get_file_from_path(uri).content_string}" for uri in sorted(papers)),
        )
        pages = get_pages(self.cache, digest, held)
        if pages is None:
            pages = [(f"{TOPICS_DIR}/index.md", self.index_markdown())]
            for topic in self.vocab.topics:
                uri = self.topic_uri(topic.slug)
                page_url = File(uri, "", "", config["use_directory_urls"]).url
                pages.append((uri, self.topic_markdown(topic, held, page_url, paper_urls)))
            put_pages(self.cache, digest, pages, held)
        for uri, markdown in pages:
            files.append(File.generated(config, uri, content=markdown))


class LinkCheck:
    """Two phases: record generated links and page ids; report unresolved ones once."""

    ID = re.compile(r'id="([^"]+)"')  # an attribute when white space precedes (checked in record_page)

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
        for m in re.finditer(r'<a\b[^>]*class="topic-passage-link"[^>]*>|<a\b[^>]*href="[^"]*"[^>]*class="topic-passage-link"[^>]*>', html_text):
            href = re.search(r'href="([^"#]*)(?:#([^"]*))?"', m.group(0))
            if href:
                target = _resolve(from_url, href[1])
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


class TopicChips:
    """HTML post-processor for paper pages: chips inside tagged paragraphs, topics in the header."""

    P_OPEN = re.compile(r"<p\b([^>]*)>")

    def __init__(self, pages: TopicPages, check: LinkCheck):
        self.pages = pages
        self.check = check

    def _href(self, page_url: str, slug: str) -> str:
        return get_relative_url(TopicPages.topic_url(slug), page_url)

    def _chip(self, page_url: str, topic: T.Topic, source: str, cls: str = "topic-chip") -> str:
        self.check.record_link(source, page_url, TopicPages.topic_url(topic.slug))
        return (
            f'<a class="{cls}" href="{html.escape(self._href(page_url, topic.slug), quote=True)}" '
            f'data-topic="{topic.slug}">{html.escape(topic.title)}</a>'
        )

    def process(self, html_text: str, paper_slug: str, page_url: str, source: str) -> str:
        by = self.pages.vocab.by_slug()
        out, pos = [], 0
        for m in self.P_OPEN.finditer(html_text):
            attrs = m.group(1)
            topics = re.search(r'\sdata-topics="([^"]*)"', attrs)
            if not topics or not re.search(r'\sid="', attrs):
                continue
            slugs = [s for s in topics[1].split() if s in by]
            close = html_text.find("</p>", m.end())
            if not slugs or close == -1:
                continue
            chips = " ".join(self._chip(page_url, by[s], source) for s in slugs)
            # Keep the contract `<p class="para" id="p-N"`: data-topics goes after the id.
            moved = "<p" + attrs.replace(topics.group(0), "").rstrip() + topics.group(0) + ">"
            out.append(html_text[pos:m.start()])
            out.append(moved)
            out.append(html_text[m.end():close])
            out.append(f' <span class="topic-chips"><span class="topic-chips-label">Topics:</span> {chips}</span>')
            pos = close
        out.append(html_text[pos:])
        html_text = "".join(out)
        covered = self.pages.paper_topics(paper_slug) if by else []
        if covered:
            chips = " ".join(self._chip(page_url, t, source, "topic-chip") for t in covered)
            header = f'<p class="paper-topics"><span class="topic-chips-label">Topics in this paper:</span> {chips}</p>'
            byline = re.search(r'<p class="byline">.*?</p>', html_text, re.S)
            if byline:
                html_text = html_text[: byline.end()] + "\n" + header + html_text[byline.end():]
            else:
                h1 = html_text.find("</h1>")
                at = h1 + len("</h1>") if h1 != -1 else 0
                html_text = html_text[:at] + "\n" + header + html_text[at:]
        return html_text


class TopicsFeature:
    """What plugin.py calls: one object, one call per event."""

    def __init__(self, config_file_path: str, papers_dir: str, cache_dir: Path | None = None):
        self.pages = TopicPages(Path(config_file_path).resolve().parent, papers_dir, cache_dir)
        self.check = LinkCheck()
        self.chips = TopicChips(self.pages, self.check)

    def on_files(self, files, config, papers: dict[str, dict], held: HeldHtml) -> None:
        self.check.reset()
        self.pages.load(papers, files)
        self.pages.add_files(files, config, held, papers)

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
