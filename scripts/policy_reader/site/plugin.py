"""The policy-reader MkDocs plugin: thin event routers over small managers.

Registered as ``policy-reader`` by entry point (pyproject.toml). It validates
every paper's front matter against :data:`policy_reader.schema.FRONT_MATTER`,
adds the Markdown extensions the generated pages need, writes each paper's
byline and the home page's list of papers.
"""

from __future__ import annotations

import html
import logging
from datetime import date as _date

from mkdocs.config import base, config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.utils.meta import get_data

from ..model import SourceError
from .bibtex_seam import fix_footnote_links
from ..schema import validate_front_matter

log = logging.getLogger("mkdocs.plugins.policy_reader")

PAPERS_MARKER = "<!-- policy-reader:papers -->"


class PolicyReaderConfig(base.Config):
    papers_dir = c.Type(str, default="papers")
    """Folder under docs/ that holds the generated paper pages."""

    required_extensions = c.Type(list, default=["attr_list", "md_in_html", "footnotes"])
    """Markdown extensions the generated pages rely on; added when missing."""


def human_date(iso: str) -> str:
    d = _date.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.day}, {d.year}"


class PaperIndex:
    """Front matter of every paper page, read once per build and validated."""

    def __init__(self, papers_dir: str):
        self.papers_dir = papers_dir.strip("/")
        self.papers: dict[str, dict] = {}  # src_uri -> validated front matter

    def collect(self, files) -> None:
        self.papers = {}
        for f in files.documentation_pages():
            if not f.src_uri.startswith(self.papers_dir + "/"):
                continue
            _, meta = get_data(f.content_string)
            label = f"docs/{f.src_uri}"
            try:
                data = validate_front_matter(meta, label)
            except SourceError as exc:
                raise PluginError(str(exc)) from None
            expected = f"{self.papers_dir}/{data['slug']}.md"
            if f.src_uri != expected:
                raise PluginError(f"{label}: front matter slug '{data['slug']}' does not match the file name; run `make convert`")
            self.papers[f.src_uri] = data

    def sorted(self) -> list[dict]:
        return sorted(self.papers.values(), key=lambda d: (d["date"], d["slug"]))


def byline_text(meta: dict) -> str:
    """Authors · publisher · series and number · date, HTML-escaped."""
    parts = [", ".join(meta["authors"]), meta["publisher"]]
    if meta.get("series"):
        parts.append(f"{meta['series']} No. {meta['number']}" if meta.get("number") else meta["series"])
    parts.append(human_date(meta["date"]))
    return " · ".join(html.escape(p) for p in parts)


def byline(meta: dict) -> str:
    """One line under a paper's title, with a link to the original."""
    text = byline_text(meta)
    link = ""
    if meta.get("source_url"):
        url = html.escape(meta["source_url"], quote=True)
        link = f' · <a href="{url}" rel="noopener">original</a>'
    return f'<p class="byline">{text}{link}</p>'


def papers_list(papers: list[dict], page_url: str) -> str:
    items = []
    for m in papers:
        href = html.escape(f"{m['slug']}/", quote=True)
        prefix = "papers/" if not page_url.startswith("papers/") else ""
        items.append(
            '<li class="paper-card">'
            f'<a href="{prefix}{href}"><strong>{html.escape(m["title"])}</strong></a><br>'
            f'<span class="byline">{byline_text(m)}</span><br>'
            f'<span class="summary">{html.escape(m["summary"])}</span>'
            "</li>"
        )
    return '<ul class="papers">\n' + "\n".join(items) + "\n</ul>"


class PolicyReaderPlugin(BasePlugin[PolicyReaderConfig]):
    def on_config(self, config):
        """Add the Markdown extensions the generated pages need (mkdocs.yml cannot drift)."""
        for ext in self.config.required_extensions:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
        self.index = PaperIndex(self.config.papers_dir)
        return config

    @event_priority(50)
    def on_files(self, files, *, config):
        """Read and validate every paper's front matter before any page renders.

        Priority 50: before other plugins so a bad paper fails the build first.
        """
        self.index.collect(files)
        return files

    @event_priority(50)
    def on_page_markdown(self, markdown, *, page, config, files):
        """Insert the byline under a paper's title; fill the home page's list.

        Priority 50: runs before mkdocs-bibtex (default 0), which only needs
        the ``[@key]`` markers that this step leaves untouched.
        """
        meta = self.index.papers.get(page.file.src_uri)
        if meta is not None:
            lines = markdown.split("\n")
            for i, line in enumerate(lines):
                if line.startswith("# "):
                    lines.insert(i + 1, "\n" + byline(meta) + "\n")
                    break
            return "\n".join(lines)
        if PAPERS_MARKER in markdown:
            return markdown.replace(PAPERS_MARKER, papers_list(self.index.sorted(), page.file.url))
        return markdown

    def on_page_content(self, html_text, *, page, config, files):
        """Repair mkdocs-bibtex's footnote links (see :mod:`.bibtex_seam`)."""
        if page.file.src_uri in self.index.papers:
            return fix_footnote_links(html_text)
        return html_text
