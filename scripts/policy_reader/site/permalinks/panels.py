"""Paragraph permalinks and "Cite" panels: an HTML post-processor for paper pages.

For every ``<p class="para" id="p-N">`` and ``<p class="takeaway" id="kt-N">`` (N a number,
perhaps with letters: ``p-11a``, see convert/identity.py) it adds, inside the paragraph,
its number in the margin as a link (``cite.js`` copies the absolute permalink
``site_url + papers/<slug>/#<id>`` when it is activated) and a "Cite" button, both from the
macros of the template ``fragments/policy-reader/paragraph-link.html`` (site/fragments.py; a
theme's ``custom_dir`` can replace it). The ``id`` stays on the ``<p>`` and nothing else of
the paragraph changes.

The paper's full citation is in the page once: under the byline, the "Cite this paper"
block (every style, BibTeX, RIS; readable without a script), and at the end of the page
one ``<template>`` per paragraph kind holding the panel with two placeholders, the
permalink and the number. ``cite.js`` builds a paragraph's panel from it when the reader
opens Cite (:data:`URL_PLACEHOLDER` -> the permalink, :data:`LOCATOR_PLACEHOLDER` -> the
number), which gives exactly the strings :meth:`PaperCiter.paragraph` formats (the pinpoint
citations stay those of the style's CSL file). Both come from the Jinja template
``partials/cite-panel.html`` rendered through the theme's environment, so a theme override
(``custom_dir``) can replace it. Before, every paragraph carried its full panel: 64% of a
paper page's HTML.
"""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
from mkdocs.exceptions import PluginError

from policy_reader.page import rendered
from policy_reader.site import fragments as F
from policy_reader.site.topics.plain_macro import checked_macro
from policy_reader.site.citations.cite import (
    LOCATOR_PLACEHOLDER, URL_PLACEHOLDER, Citation, CiteprocError, PaperCiter, bib_entry, prepare,
)
from policy_reader.site.citations import records



def para_kind(attrs: str) -> tuple[str, str] | None:
    """``(id, kind)`` of a paragraph's attributes if it is permalinked, else None
    (page/rendered.py reads the page; this reads one tag's attributes)."""
    [block] = rendered.Rendered(f"<p{attrs}></p>").blocks
    return (block.id, block.kind) if block.kind in rendered.PERMALINKED else None


def label(pid: str, kind: str) -> tuple[str, str]:
    """(visible margin label, spoken name): :func:`policy_reader.page.markdown.labels`."""
    got = rendered.label(pid)
    return got.visible, got.spoken


#: The panel's template, looked up in the theme's Jinja environment (docs/overrides/partials/).
TEMPLATE = "partials/cite-panel.html"
#: The ¶ link and Cite button of every paragraph (site/templates/fragments/policy-reader/, site/fragments.py).
PARAGRAPH_LINK = "paragraph-link.html"


class PermalinkManager:
    """Adds permalinks and cite panels to paper pages; one :class:`PaperCiter` per paper.

    ``templates`` is the theme (MkDocs' ``config.theme``: its ``get_env()`` is used, so
    ``custom_dir`` overrides apply) or a Jinja environment that holds :data:`TEMPLATE`.
    ``fragments``: the build's :class:`~policy_reader.site.fragments.Fragments`, for the ¶ link
    and Cite button of :data:`PARAGRAPH_LINK` (default: our templates alone).
    """

    def __init__(self, site_url: str | None, bib_dir: Path, templates, fragments: F.Fragments | None = None):
        if not site_url:
            raise PluginError("mkdocs.yml: site_url is not set; permalinks are absolute (set site_url or SITE_URL)")
        self.site_url = site_url if site_url.endswith("/") else site_url + "/"
        self.bib_dir = bib_dir
        self._templates = templates
        self._template: jinja2.Template | None = None
        self._source: str | None = None
        self._citers: dict[str, PaperCiter] = {}
        # The Cite button of a paragraph id (a macro of its id and label only): the same on
        # every paper, so made once per id and build instead of once per paragraph.
        self._cite_buttons: dict[tuple[str, str], str] = {}
        self.fragments = fragments or F.for_config()
        self._macros: tuple | None = None

    @property
    def template(self) -> jinja2.Template:
        if self._template is None:
            env = self._templates.get_env() if hasattr(self._templates, "get_env") else self._templates
            try:
                self._template = env.get_template(TEMPLATE)
            except jinja2.TemplateNotFound:
                raise PluginError(f"{TEMPLATE}: the cite panel's template is not in the theme; "
                                  "keep docs/overrides/partials/cite-panel.html (theme custom_dir)") from None
            except jinja2.TemplateSyntaxError as exc:
                raise PluginError(f"{exc.filename or TEMPLATE}:{exc.lineno}: {exc.message}; fix the template") from None
        return self._template

    def template_source(self) -> str:
        """The template's text (for the paper-page cache key: a changed override changes the pages),
        read once, as the template is resolved once: per build, as plugin.py makes a manager in
        on_config (``mkdocs serve`` rebuilds read an edited override again)."""
        if self._source is None:
            name = self.template.filename
            self._source = Path(name).read_text(encoding="utf-8") if name else TEMPLATE
        return self._source

    def paragraph_link_digest(self) -> str:
        """A hash of :data:`PARAGRAPH_LINK` as the theme resolves it (the paper-page cache key)."""
        return self.fragments.digest([PARAGRAPH_LINK])

    def prepare(self, papers: list[dict]) -> None:
        """Format every paper's citations together, before the pages (see cite.prepare)."""
        items = []
        recorded = {}  # the converter's records of each paper's citations (site/citations/records.py)
        for meta in papers:
            bib = self.bib_dir / f"{meta['slug']}.bib"
            try:
                items.append((bib.read_text(encoding="utf-8"), meta["bib_key"]))
            except OSError as exc:
                raise PluginError(f"{bib}: cannot read the paper's BibTeX ({exc.strerror}); run `make convert`") from None
            try:
                found = records.lookup(self.bib_dir, meta["slug"], bib_entry(items[-1][0], meta["bib_key"]), meta["bib_key"])
            except CiteprocError:  # no such entry: formatting fails below, naming it
                found = None
            if found is not None:
                recorded[meta["bib_key"]] = found
        try:
            prepare(items, recorded)
        except (CiteprocError, RuntimeError) as exc:
            raise PluginError(f"{self.bib_dir}: {exc}") from None

    def citer(self, meta: dict) -> PaperCiter:
        slug = meta["slug"]
        if slug not in self._citers:
            bib = self.bib_dir / f"{slug}.bib"
            try:
                self._citers[slug] = PaperCiter(bib.read_text(encoding="utf-8"), meta["bib_key"])
            except OSError as exc:
                raise PluginError(f"{bib}: cannot read the paper's BibTeX ({exc.strerror}); run `make convert`") from None
            except (CiteprocError, RuntimeError) as exc:
                raise PluginError(f"{bib}: entry '{meta['bib_key']}': {exc}") from None
        return self._citers[slug]

    def page_url(self, meta: dict) -> str:
        return f"{self.site_url}papers/{meta['slug']}/"

    def render(self, page_html: str, meta: dict, successors: dict[str, str]) -> str:
        base = self.page_url(meta)
        seen: set[str] = set()
        kinds: set[str] = set()
        link, cite = self._paragraph_macros()
        buttons = self._cite_buttons

        def sub(m: rendered.Block) -> str:
            pid, kind = m.id, m.kind
            if pid in seen:
                raise PluginError(f"docs/papers/{meta['slug']}.md: two paragraphs with id '{pid}' in the rendered page; give each its own id")
            seen.add(pid)
            kinds.add(kind)
            visible, spoken, _ = m.label
            button = buttons.get((pid, spoken))
            if button is None:
                button = buttons[pid, spoken] = cite(pid, spoken)
            return f"<p{m.attr_text}>{link(pid, base + '#' + pid, visible, spoken)}{m.body}{button}</p>"

        page = rendered.read(page_html)  # the page's blocks (page/rendered.py)
        edits = [(b.start, b.end, sub(b)) for b in page.paragraphs()]
        byline = page.byline()
        if byline is not None:
            edits.append((byline.end, byline.end, "\n" + self.paper_block(meta)))
        out = rendered.splice(page_html, sorted(edits, key=lambda e: (e[0], e[1])))
        out += "".join("\n" + self.panel_template(meta, kind) for kind in rendered.PERMALINKED if kind in kinds)
        data = json.dumps(successors, sort_keys=True).replace("</", "<\\/")
        return out + f'\n<script type="application/json" id="pr-successors">{data}</script>\n'

    def _paragraph_macros(self):
        """The ``link`` and ``cite`` macros of :data:`PARAGRAPH_LINK` as functions, made once per
        build's manager: each filled without a Jinja call when it only puts its arguments into its
        text (topics/plain_macro.py: the same string; ``link`` is called once per paragraph),
        checked against the macro on its first call, and the macro itself on any difference."""
        if self._macros is None:
            self._macros = tuple(checked_macro(self.fragments, PARAGRAPH_LINK, name) for name in ("link", "cite"))
        return self._macros

    def panel(self, cite: Citation, kind: str, name: str, panel_id: str = "") -> str:
        """``partials/cite-panel.html`` rendered for ``kind`` ("paper", "para" or "takeaway")."""
        try:
            return self.template.render(kind=kind, cite=cite, name=name, panel_id=panel_id)
        except jinja2.TemplateError as exc:
            frame = F.template_frame(exc)  # the template's line, from Jinja's traceback
            where = f"{frame[0]}:{frame[1]}" if frame else self.template.filename or TEMPLATE
            raise PluginError(f"{where}: cannot render the cite panel ({exc}); fix the template") from None

    def panel_template(self, meta: dict, kind: str) -> str:
        """The panel of every paragraph of ``kind``, with the permalink and the number as
        placeholders, in a ``<template>`` that cite.js fills (module docstring)."""
        pid = rendered.PERMALINKED[kind] + LOCATOR_PLACEHOLDER
        _, spoken = label(pid, kind)
        cite = self.citer(meta).paragraph(URL_PLACEHOLDER, LOCATOR_PLACEHOLDER, takeaway=(kind == "takeaway"))
        return (
            f'<template class="pr-cite-template" data-kind="{kind}" data-url="{URL_PLACEHOLDER}" '
            f'data-locator="{LOCATOR_PLACEHOLDER}">{self.panel(cite, kind, spoken, "cite-" + pid)}</template>'
        )

    def paper_block(self, meta: dict) -> str:
        url = meta.get("source_url") or self.page_url(meta)
        return self.panel(self.citer(meta).paper(url), "paper", "this paper")
