"""A paragraph-level search index beside Material's.

Material's search plugin indexes pages by heading. Paper pages are kept out of
it; here each paper gets its page entry (empty text, the parent Material groups
results under), a title-only entry per heading, and every paragraph, key
takeaway and the bio as entries of their own whose location is the
paragraph's permalink (``papers/<slug>/#p-12``) and whose title names the paper
and the ¶ number. A search then lands on the paragraph, and search.highlight
marks the terms. No page-level text is kept twice. The pages our plugin
generates are indexed here by section too; hand-written pages stay Material's.

Every title and text in the index is HTML text, as in Material's own entries:
the words escaped (``&``, ``<``, ``>``), so a paper titled ``<script>`` is shown
as those characters; the worker (docs/assets/search-worker.js) shows titles as
text and keeps no element but bare formatting tags in texts.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from policy_reader.page import rendered
from policy_reader.site.search import shards as search_shards

_EXCLUDED_START = re.compile(r"<(?P<tag>[a-z0-9]+)\b[^>]*\bdata-search-exclude\b[^>]*>", re.I)


def drop_excluded(page_html: str) -> str:
    """Remove every element marked ``data-search-exclude`` (with its content), in one pass."""
    out, pos = [], 0
    while True:
        m = _EXCLUDED_START.search(page_html, pos)
        if not m:
            out.append(page_html[pos:])
            return "".join(out)
        out.append(page_html[pos:m.start()])
        tag = m["tag"].lower()
        opener = re.compile(rf"<{tag}\b|</{tag}\s*>", re.I)
        depth, scan = 1, m.end()
        while depth:
            t = opener.search(page_html, scan)
            if not t:
                scan = len(page_html)
                break
            depth += -1 if t[0].startswith("</") else 1
            scan = t.end()
        pos = scan


def html_text(text: str) -> str:
    """Words as HTML text (what the index holds): ``&``, ``<`` and ``>`` escaped."""
    return html.escape(text, quote=False)


def section_entries(page_html: str, page_url: str, title: str) -> list[dict]:
    """A page as Material would index it, cheaply: the page (its lead text), then one
    entry per ``h2`` section; elements marked ``data-search-exclude`` are left out."""
    content = drop_excluded(page_html)
    page = rendered.read(content)  # the page's blocks (page/rendered.py)
    cuts = page.headings("2")
    lead_end = cuts[0].start if cuts else len(content)
    lead = rendered.splice(content[:lead_end], [(b.start, b.end, "") for b in page.blocks if b.tag == "h1" and b.end <= lead_end])
    entries = [{"location": page_url, "title": html_text(rendered.words(title)),
                "text": html.escape(rendered.words(lead, spaced=True), quote=False)}]
    for i, h in enumerate(cuts):
        end = cuts[i + 1].start if i + 1 < len(cuts) else len(content)
        entries.append({
            "location": f"{page_url}#{h.id}",
            "title": html_text(h.words),
            "text": html.escape(rendered.words(content[h.end:end], spaced=True), quote=False),
        })
    return entries


class SearchIndexManager:
    def __init__(self):
        self.pages: dict[str, list[dict]] = {}  # page url -> entries replacing Material's
        self.titles: dict[str, str] = {}  # page url -> page title
        self.generated: dict[str, list[dict]] = {}  # page url -> entries of a generated page

    def collect_generated(self, page_html: str, page_url: str, title: str) -> None:
        """Index a page our plugin generated (topics, bibliography, timeline, /papers/).

        These pages grow with the library, and Material's parser slows down more
        than linearly on a long page; they are kept out of it and indexed here.
        """
        self.generated[page_url] = section_entries(page_html, page_url, title)

    def collect(self, page_html: str, page_url: str, title: str) -> None:
        """Record a paper page's headings and paragraphs, before any controls are added to them."""
        entries = []
        after_name = html_text(f" · {title}")  # escaping is character by character: the title's once a page
        for b in rendered.read(page_html).blocks:  # in page order (page/rendered.py)
            kind = b.kind
            if kind == "heading" and b.level >= 2 and b.id:
                entries.append({"location": f"{page_url}#{b.id}", "title": html_text(b.words), "text": ""})
            elif kind in ("para", "takeaway", "bio"):
                name = b.label.spoken
                entries.append({
                    "location": f"{page_url}#{b.id}",
                    "title": html_text(name[0].upper() + name[1:]) + after_name,
                    "text": html.escape(b.words, quote=False),
                })
        self.pages[page_url] = entries
        self.titles[page_url] = title

    def write(self, site_dir: str) -> None:
        """Merge our entries with Material's and write the sharded index (search_shards.py).

        Material's search plugin has indexed the hand-written pages (home); paper
        pages and our generated pages were kept out of it (``search.exclude``)
        and are added here: each paper as its page entry followed by its
        headings and paragraphs, each generated page by section.
        """
        path = Path(site_dir) / "search" / "search_index.json"
        if not path.exists():
            raise PluginError(f"{path}: Material's search index is missing; keep the 'search' plugin before 'policy-reader'")
        index = json.loads(path.read_text(encoding="utf-8"))
        docs = list(index["docs"])
        for entries in self.generated.values():
            docs.extend(entries)
        for page, entries in self.pages.items():
            docs.append({"location": page, "title": html_text(self.titles[page]), "text": ""})
            docs.extend(entries)
        search_shards.write(Path(site_dir), index["config"], docs)
