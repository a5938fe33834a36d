"""The policy-reader MkDocs plugin: thin event routers over small managers.

Registered as ``policy-reader`` by entry point (pyproject.toml). It validates
every paper's front matter against :data:`policy_reader.page.schema.FRONT_MATTER`,
adds the Markdown extensions the generated pages need; the library (bylines,
home page, /papers/ with facets) is in site/library.py, the feed in site/feed.py.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config import base, config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.utils import get_relative_url

from policy_reader import cache
from policy_reader.model import SourceError
from policy_reader.site import compat, deferred_imports, fragments, reading_room
from policy_reader.site.glossary import first_use_only, glossary_files, load_definitions
from policy_reader.site.held_html import HeldHtml, PackedPages
from policy_reader.site.citations.bibtex_seam import cache_bib_parsing, fix_footnote_links, prewarm as prewarm_citations, release as release_bibtex, speed_up_pybtex
from policy_reader.site import config_paths, csp, nav_memo, page_titles, source_texts
from policy_reader.site.build_lock import BuildLock
from policy_reader.site.gc_pause import GcPause
from policy_reader.site.citations import citeproc, pandoc_cache
from policy_reader.site.page_cache import PageCache
from policy_reader.site import paper_steps
from policy_reader.site.citations.pandoc_jobs import Background
from policy_reader.site.feed import add_feed
from policy_reader.site.library import Library, PaperIndex, byline
from policy_reader.site.navigation import Navigation
from policy_reader.site.search.worker import point_config
from policy_reader.site.permalinks.panels import PermalinkManager
from policy_reader.site.permalinks.check import RegistryManager
from policy_reader.site.search.index import SearchIndexManager
from policy_reader.site.topics.pages import TopicsFeature

log = logging.getLogger("mkdocs.plugins.policy_reader")
deferred_imports.defer_unused()  # mkdocs-bibtex's `requests`, loaded only if used (site/deferred_imports.py)

MISSING_SITE_URL = (
    "mkdocs.yml: site_url is empty because SITE_URL is not set; set it to the public address "
    "(SITE_URL=https://example.org/reader/ make build), or SITE_URL=http://127.0.0.1:8000/ for a local build"
)



class PolicyReaderConfig(base.Config):
    papers_dir = c.Type(str, default="papers")
    """Folder under docs/ that holds the generated paper pages."""

    required_extensions = c.Type(list, default=["attr_list", "md_in_html", "footnotes"])
    """Markdown extensions the generated pages rely on; added when missing."""

    cache = c.Type(bool, default=True)
    """Keep what a build computes (rendered pages, paper pages, generated pages, pandoc runs,
    citations, .bib parses) for the next build (scripts/policy_reader/cache.py); false: off."""

    cache_dir = c.Type(str, default=".cache")
    """The cache folder, from mkdocs.yml's folder; one subfolder per kind of entry."""

    topic_page_kb = c.Type(int, default=120)
    """Compressed kilobytes of passages per topic page; a topic needing more continues on /topics/<slug>/page/2/ etc."""

    nav_papers_max = c.Type(int, default=12)
    """Above this many papers the sidebar lists only the /papers/ index page."""

    home_papers_max = c.Type(int, default=10)
    """The home page lists this many papers, newest first, then links to /papers/."""

    feed_papers_max = c.Type(int, default=50)
    """The Atom feed (/feed.xml) lists this many papers, newest first."""

    bib_dir = c.Type(str, default="bib")
    """Folder (from mkdocs.yml's folder) of the .bib files listed on /bibliography/ and offered for download."""

    bibliography_csl = c.Type(str, default="bib/policy-reader-notes.csl")
    """CSL style of the entries on /bibliography/."""

    timeline_data = c.Type(str, default="docs/timeline.yml")
    """Dated events for /timeline/ (see scripts/policy_reader/site/timeline.py)."""


class PolicyReaderPlugin(BasePlugin[PolicyReaderConfig]):
    serving = False

    def on_config(self, config):
        """Refuse a build without a public address; add the Markdown extensions the
        generated pages need (mkdocs.yml cannot drift)."""
        if not config.site_url and not self.serving:
            raise PluginError(MISSING_SITE_URL)
        for ext in self.config.required_extensions:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
        fragments.install(config)  # our HTML templates, last on the theme's path (site/fragments.py)
        # Glossary terms marked at their first use only, in Markdown already (site/glossary.py;
        # last, so after abbr, whatever name mkdocs.yml gives it).
        if "policy_reader.site.glossary" not in config.markdown_extensions:
            config.markdown_extensions.append("policy_reader.site.glossary")
        if "policy_reader.site.fast_tables" not in config.markdown_extensions:  # site/fast_tables.py
            config.markdown_extensions.append("policy_reader.site.fast_tables")
        if "policy_reader.site.inline_skip" not in config.markdown_extensions:  # site/inline_skip.py
            config.markdown_extensions.append("policy_reader.site.inline_skip")
        root = Path(config.config_file_path).parent
        self._aside: dict[str, str] = {}  # paper content during Material's search step (on_page_context)
        self._packed = PackedPages()  # finished paper pages, compressed until their template (site/held_html.py)
        # Caches across builds, all in the one cache configured by _on_config_first (README,
        # "Performance"): rendered Markdown (site/page_cache.py), finished paper pages
        # (site/paper_steps.py), topic pages and the registry check (site/generated_cache.py).
        self.page_cache = PageCache(config) if self.config.cache else None
        generated = self.config.cache
        # Our own generated HTML, kept out of Python-Markdown (site/held_html.py).
        self.held = HeldHtml(load_definitions(glossary_files(config.mdx_configs)))
        self.index = PaperIndex(self.config.papers_dir)
        self.topics = TopicsFeature(config.config_file_path, self.config.papers_dir, generated, self.config.topic_page_kb)
        self.registry = RegistryManager(config.docs_dir, self.config.papers_dir, generated)  # permalinks (site/permalinks/check.py)
        self.permalinks = PermalinkManager(config.site_url, root / self.config.bib_dir, config.theme, fragments.for_config(config))
        self.search_index = SearchIndexManager()  # paragraph-level search (site/search/index.py)
        self.library = Library(self.index, self.config.home_papers_max)  # home and /papers/ (site/library.py)
        self.navigation = Navigation(self.config.papers_dir, self.config.nav_papers_max, self.config.home_papers_max)
        # A paper page's HTML steps, in this order (site/paper_steps.py).
        self.paper_steps = paper_steps.PaperSteps([
            paper_steps.content_only("footnote-links", fix_footnote_links),  # site/citations/bibtex_seam.py
            paper_steps.search_capture(self.search_index),  # paragraph text before chips/controls
            paper_steps.topic_chips(self.topics),
            paper_steps.permalinks_and_panels(self.permalinks, self.registry),  # ¶ permalinks + cite panels
        ], use_cache=self.config.cache)
        return config

    @event_priority(100)
    def _on_config_first(self, config):
        """Memoise pybtex's plugin look-up before mkdocs-bibtex parses bib/ (site/citations/bibtex_seam.py).

        Priority 100: MkDocs runs an event's handlers by priority, highest first, and
        only ties in mkdocs.yml's order; mkdocs-bibtex's ``on_config`` (default 0)
        parses every .bib file, so this must come first whatever the plugins' order.
        The rest of ``on_config`` keeps the default priority and its place.
        """
        try:
            compat.check()  # every patched third-party internal is at a tested version (site/compat.py)
        except compat.UnknownVersion as exc:
            raise PluginError(str(exc)) from None
        root = Path(config.config_file_path).parent
        # The one cache of this build (scripts/policy_reader/cache.py), before anything uses it.
        self.cache = cache.configure(root / self.config.cache_dir if self.config.cache else None)
        pandoc_cache.install()  # pandoc runs through the cache (site/citations/pandoc_cache.py)
        # One build at a time in this folder (released in on_post_build / on_build_error).
        self.build_lock = BuildLock(Path(config.config_file_path).resolve().parent)
        self.build_lock.acquire()
        config_paths.resolve(config)  # csl_file, snippets: from mkdocs.yml's folder (site/config_paths.py)
        speed_up_pybtex()
        cache_bib_parsing()  # pybtex's parse of each .bib file, kept in the cache

    on_config = CombinedEvent(_on_config_first, on_config)

    @event_priority(50)
    def on_files(self, files, *, config):
        """Read and validate every paper's front matter before any page renders.

        Priority 50: before other plugins so a bad paper fails the build first.
        """
        self.navigation.add_index(files, config)  # /papers/ lists every paper
        self.index.collect(files)
        add_feed(files, config, self.index.newest(), self.config.papers_dir, self.config.feed_papers_max)  # site/feed.py
        self.registry.check(files, self.index.papers)  # permalink registry (site/permalinks/check.py)
        pages = [files.get_file_from_path(uri).content_string for uri in self.index.papers]
        # The footnotes (one pandoc run) and all cite panels (a few pandoc runs) are formatted in the
        # background while the pages below are added. A failing build reports the first error in the
        # old order: bibliography/timeline, topics, footnotes, cite panels (site/citations/pandoc_jobs.py).
        # The footnotes' run also formats the bibliography page's entries (citeproc.sharing), so the
        # topic pages are made first, while it runs; the files keep their old order.
        with (
            citeproc.sharing() as shared,
            Background(shared.run, prewarm_citations, config, pages) as footnotes,
            Background(self.permalinks.prepare, list(self.index.papers.values())) as panels,
        ):
            earlier = set(map(id, files))
            topics_error = None
            try:
                self.topics.on_files(files, config, self.index.papers, self.held)  # topic pages (site/topics/pages.py)
            except Exception as exc:  # raised after the bibliography's, as in the old order
                topics_error = exc
            topic_files = [f for f in files if id(f) not in earlier]
            for f in topic_files:
                files.remove(f)
            reading_room.add_pages(files, config, self.config, self.index.papers, self.held)
            for f in topic_files:
                files.append(f)
            if topics_error is not None:
                raise topics_error
            footnotes.result()
            panels.result()
        return files

    @event_priority(51)
    def _pin_sources(self, files, *, config):
        """Just before :meth:`on_files`: every paper's Markdown read once for all its readers (site/source_texts.py);
        no cyclic garbage collection while on_files builds the long-lived state (site/gc_pause.py)."""
        self._gc = getattr(self, "_gc", None) or GcPause()
        self._gc.pause()
        self._pinned = source_texts.pin(files, self.config.papers_dir)
        return files

    @event_priority(49)
    def _unpin_sources(self, files, *, config):
        """Just after :meth:`on_files`: the texts are let go (MkDocs reads each page when it renders it)."""
        source_texts.unpin(self._pinned)
        self._gc.resume()  # what on_files left stays out of later collections until the build ends
        return files

    on_files = CombinedEvent(_pin_sources, on_files, _unpin_sources)

    def on_pre_page(self, page, *, config, files):
        """Route the page's render through the page cache (it keys on the final Markdown)."""
        if self.page_cache is not None:
            self.page_cache.wrap(page)
        return page

    @event_priority(50)
    def on_page_markdown(self, markdown, *, page, config, files):
        """Insert the byline under a paper's title; fill the home page's list.

        Priority 50: runs before mkdocs-bibtex (default 0), which only needs
        the ``[@key]`` markers that this step leaves untouched.
        """
        meta = self.index.papers.get(page.file.src_uri)
        if meta is not None or page.file.generated_by is not None:
            # Material's search skips papers and our generated pages: site/search/index.py
            # indexes them (papers by paragraph) without parsing panels and passages again.
            page.meta["search"] = {**page.meta.get("search", {}), "exclude": True}
        if meta is not None:
            # The page's description (Material prints page.meta.description unescaped): its summary.
            page.meta["description"] = html.escape(meta["summary"], quote=True)
            lines = markdown.split("\n")
            for i, line in enumerate(lines):
                if line.startswith("# "):
                    lines.insert(i + 1, "\n" + byline(meta, fragments.for_config(config)) + "\n")
                    break
            return "\n".join(lines)
        return self.library.fill(markdown, page.file.url, self.held, self._topics_of, fragments.for_config(config))

    def _topics_of(self, slug: str) -> list[tuple[str, str]]:
        """(slug, title) of a paper's topics, for the library's facets and summary."""
        return [(t.slug, t.title) for t in self.topics.pages.paper_topics(slug)]

    def on_nav(self, nav, *, config, files):
        """Large libraries: the sidebar lists the /papers/ index, not every paper."""
        nav = self.topics.on_nav(nav)  # topic pages 2, 3, ... are reached from page 1, not the sidebar
        return self.navigation.trim(nav, len(self.index.papers))

    @event_priority(-100)
    def _pack_paper_content(self, html_text, *, page, config, files):
        """Last of all: a finished paper page, or a page we generated (topics, bibliography...),
        waits for its template compressed (site/held_html.py)."""
        if page.file.src_uri in self.index.papers or page.file.generated_by is not None:
            self._packed.pack(page.file.src_uri, html_text)
            if page.file.src_uri in self.index.papers:
                page.markdown = ""  # rendered: no later step reads a paper's Markdown (kept by MkDocs to the end)
            return ""
        return html_text

    def on_page_content(self, html_text, *, page, config, files):
        """HTML post-processing, in order: held HTML released, then papers (glossary terms
        already marked at their first use only, site/glossary.py): footnote links, search
        capture of the plain paragraphs, topic chips, ¶ permalinks and cite panels (:meth:`_paper_content`); other pages: glossary first uses
        (held HTML has its own marks), topic-link records, search capture of generated pages."""
        html_text = self.held.release(html_text)  # our generated HTML back in place (site/held_html.py)
        meta = self.index.papers.get(page.file.src_uri)
        if meta is not None:
            return self._paper_content(html_text, page, meta)
        html_text = first_use_only(html_text)  # glossary tooltips at each term's first use (site/glossary.py)
        html_text = self.topics.on_page_content(html_text, page, self.index.papers)  # records ids for topic links
        if page.file.generated_by is not None:  # topics, bibliography, timeline, /papers/
            self.search_index.collect_generated(html_text, page.file.url, page.title)
        return html_text

    def _paper_content(self, html_text: str, page, meta: dict) -> str:
        """A paper page's steps (site/paper_steps.py), or their stored composed value.

        tests/test_page_cache.py and tests/test_cache.py check that a build from the cache
        writes the same site.
        """
        return self.paper_steps.run(html_text, paper_steps.PaperPage(page, meta))

    on_page_content = CombinedEvent(on_page_content, _pack_paper_content)

    @event_priority(100)
    def _set_paper_content_aside(self, context, *, page, config, nav):
        """Paper pages: keep the content out of Material's search ``on_page_context``.

        Material's search (default priority 0) strips ``data-search-*`` attributes
        from every page's content with one regular expression, also on pages it does
        not index. A paper page has no such attribute (its HTML is ours, tested in
        tests/test_build.py) and is the longest kind of page (cite panels): at 1,000
        papers that pass costs about 2 s. Priority 100 sets the content aside before
        it, priority -100 puts it back before the template renders it.
        """
        if page.file.src_uri in self.index.papers:
            self._aside[page.file.src_uri] = page.content
            page.content = ""
        elif page.file.generated_by is not None:  # packed: back before Material's step, which reads it
            packed = self._packed.unpack(page.file.src_uri)
            if packed is not None:
                page.content = packed
        return context

    @event_priority(-100)
    def _put_paper_content_back(self, context, *, page, config, nav):
        if page.file.src_uri in self._aside:
            page.content = self._aside.pop(page.file.src_uri)
        packed = self._packed.unpack(page.file.src_uri)
        if packed is not None:
            page.content = packed
        return context

    on_page_context = CombinedEvent(_set_paper_content_aside, _put_paper_content_back)

    def on_env(self, env, *, config, files):
        """Every page read: titles become escaped text for the templates (site/page_titles.py);
        the hashes of the theme's own inline scripts are taken from its templates (site/csp.py)."""
        page_titles.escape_titles(files)
        page_titles.install(env)
        release_bibtex(config)  # every page has its footnotes: mkdocs-bibtex's library let go (site/citations/bibtex_seam.py)
        self.template_scripts = csp.TemplateScripts(env, config)
        self.nav_memo = nav_memo.install(env)  # the sidebar made once per kind of page (site/nav_memo.py)
        return env

    @event_priority(-100)
    def on_post_page(self, output, *, page, config):
        """Add the Content-Security-Policy meta tag (see :mod:`.csp`).

        Priority -100: last, so that nothing is added to the page after the check.
        """
        if page.file.src_uri in self.index.papers or page.file.generated_by is not None:
            page.content = ""  # written: its HTML is not kept to the end of the build (PackedPages)
        return self._finish(output, get_relative_url(".", page.url), page.file.src_uri)

    @event_priority(-100)
    def on_post_template(self, output_content, *, template_name, config):
        """404.html (rendered without on_post_page): worker and CSP, once, as it is written."""
        if template_name != "404.html":
            return output_content
        return self._finish(output_content, urlsplit(config.site_url or "/").path, template_name)

    def _finish(self, output: str, base_url: str, name: str) -> str:
        """Our search worker in the page's config, then the CSP (not under `mkdocs serve`,
        which injects its live-reload script after this event)."""
        output = point_config(output)
        if self.serving:
            return output
        allowed = self.template_scripts.hashes(base_url)
        unlisted = csp.unlisted_scripts(output, allowed)
        if unlisted:
            log.warning(
                f"{name}: {unlisted} inline <script> element(s) that no template of the theme emits; "
                "the Content-Security-Policy blocks them: move the script into a file under docs/assets/"
            )
        return csp.add_csp(output, allowed)

    def on_startup(self, *, command, dirty):
        """Remember the command: the CSP is left out under `mkdocs serve` (live reload)."""
        self.serving = command == "serve"

    @event_priority(-100)
    def _release_build_lock(self, *, config):
        """Last of all: the next build in this folder may start (site/build_lock.py); the collector as before (site/gc_pause.py)."""
        self._end_gc_pause()
        self.build_lock.release()

    def _end_gc_pause(self) -> None:
        if getattr(self, "_gc", None) is not None:
            self._gc.end()

    def on_build_error(self, *, error):
        self._end_gc_pause()
        if getattr(self, "build_lock", None) is not None:
            self.build_lock.release()

    @event_priority(-50)
    def _on_post_build(self, *, config):
        """Check topic links, write the search shards.

        Priority -50: after Material's search plugin (default 0) has written
        search/search_index.json, whose entries ours join.
        """
        self.topics.on_post_build()  # fails on a chip or passage link that does not resolve
        self.search_index.write(config.site_dir)  # its shards through the cache (site/search/shard_cache.py)
        self.cache.prune()  # entries this build did not use (pages that changed or went...)

    on_post_build = CombinedEvent(_on_post_build, _release_build_lock)
