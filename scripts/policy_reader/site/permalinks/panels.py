"""Paragraph permalinks and "Cite" panels: an HTML post-processor for paper pages.

For every ``<p class="para" id="p-N">`` and ``<p class="takeaway" id="kt-N">`` (N a number,
perhaps with letters: ``p-11a``, see convert/identity.py) it
adds, inside the paragraph, its number in the margin as a link (``cite.js``
copies the absolute permalink ``site_url + papers/<slug>/#<id>`` when it is
activated) and a "Cite" button; right after the ``</p>`` it puts the closed
panel with the paragraph's citation in Chicago (notes-bibliography), APA and
MLA plus BibTeX and RIS, each with a copy button. Under the byline it adds a
"Cite this paper" block. The text is all in the HTML, formatted at build time
by :mod:`.cite`; JavaScript only copies, opens and closes. The ``id`` stays on
the ``<p>`` and nothing else of the paragraph changes.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from policy_reader.page.markdown import parse_id
from policy_reader.site.citations.cite import Citation, CiteprocError, PaperCiter, prepare

PARA = re.compile(r"<p\b(?P<attrs>[^>]*)>(?P<body>.*?)</p>", re.S)
_ID = re.compile(r'\bid="(?P<id>[^"]+)"')
_CLASS = re.compile(r'\bclass="(?P<cls>[^"]+)"')
BYLINE = re.compile(r'<p class="byline">.*?</p>', re.S)
KINDS = {"para": "p-", "takeaway": "kt-"}


def para_kind(attrs: str) -> tuple[str, str] | None:
    """``(id, kind)`` of a paragraph's attributes if it is permalinked, else None."""
    m_id, m_cls = _ID.search(attrs), _CLASS.search(attrs)
    if not m_id or not m_cls:
        return None
    classes = m_cls["cls"].split()
    parsed = parse_id(m_id["id"])
    for kind, prefix in KINDS.items():
        if kind in classes and parsed and parsed[0] == prefix:
            return m_id["id"], kind
    return None


def label(pid: str, kind: str) -> tuple[str, str]:
    """(visible margin label, spoken name): ``("¶ 12", "¶ 12")``, ``("¶ 11a", "¶ 11a")`` or
    ``("KT 2", "key takeaway 2")``; the number and letters are the id's (page/markdown.py)."""
    n = pid.split("-", 1)[1]
    if kind == "takeaway":
        return f"KT {n}", f"key takeaway {n}"
    return f"¶ {n}", f"¶ {n}"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def panel_body(cite: Citation, name: str, uid: str) -> str:
    """The style blocks of a panel; ``name`` is the spoken name ("¶ 12", "this paper")."""
    parts = []
    for style, ref, pin in cite.styles:
        lines = f'<span class="cite-line">{ref.html}</span>'
        if pin is not None:
            lines += f'<br><span class="cite-k">{style.citation_name}:</span> <span class="cite-line">{pin.html}</span>'
        parts.append(
            f'<div class="cite-style"><p class="cite-name">{style.label}</p><p>{lines}</p>'
            f'<button type="button" class="cite-copy" aria-label="Copy {style.label} citation of {name}">Copy</button></div>'
        )
    for fmt, text in (("BibTeX", cite.bibtex), ("RIS", cite.ris)):
        parts.append(
            f'<div class="cite-style"><p class="cite-name">{fmt}</p><pre class="cite-line">{_esc(text)}</pre>'
            f'<button type="button" class="cite-copy" aria-label="Copy {fmt} of {name}">Copy</button></div>'
        )
    return "".join(parts)


class PermalinkManager:
    """Adds permalinks and cite panels to paper pages; one :class:`PaperCiter` per paper."""

    def __init__(self, site_url: str | None, bib_dir: Path):
        if not site_url:
            raise PluginError("mkdocs.yml: site_url is not set; permalinks are absolute (set site_url or SITE_URL)")
        self.site_url = site_url if site_url.endswith("/") else site_url + "/"
        self.bib_dir = bib_dir
        self._citers: dict[str, PaperCiter] = {}

    def prepare(self, papers: list[dict]) -> None:
        """Format every paper's citations together, before the pages (see cite.prepare)."""
        items = []
        for meta in papers:
            bib = self.bib_dir / f"{meta['slug']}.bib"
            try:
                items.append((bib.read_text(encoding="utf-8"), meta["bib_key"]))
            except OSError as exc:
                raise PluginError(f"{bib}: cannot read the paper's BibTeX ({exc.strerror}); run `make convert`") from None
        try:
            prepare(items)
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
        citer = self.citer(meta)
        base = self.page_url(meta)
        seen: set[str] = set()

        def sub(m: re.Match) -> str:
            found = para_kind(m["attrs"])
            if found is None:
                return m[0]
            pid, kind = found
            if pid in seen:
                raise PluginError(f"docs/papers/{meta['slug']}.md: two paragraphs with id '{pid}' in the rendered page; give each its own id")
            seen.add(pid)
            visible, spoken = label(pid, kind)
            permalink = base + "#" + pid
            number = pid.split("-", 1)[1]
            cite = citer.paragraph(permalink, number, takeaway=(kind == "takeaway"))
            link = (
                f'<a class="pr-link" href="#{pid}" data-permalink="{_esc(permalink)}" '
                f'title="Copy the link to {spoken}" aria-label="{spoken}: copy link">{visible}</a>'
            )
            button = (
                f' <button type="button" class="pr-cite" aria-expanded="false" aria-controls="cite-{pid}" '
                f'aria-label="Cite {spoken}">Cite</button>'
            )
            panel = (
                f'\n<div class="cite-panel" id="cite-{pid}" role="dialog" aria-label="Cite {spoken}" hidden>'
                f'<p class="cite-title">Cite {spoken} <button type="button" class="cite-close" aria-label="Close">×</button></p>'
                f"{panel_body(cite, spoken, pid)}</div>"
            )
            return f"<p{m['attrs']}>{link}{m['body']}{button}</p>{panel}"

        out = PARA.sub(sub, page_html)
        out = BYLINE.sub(lambda m: m[0] + "\n" + self.paper_block(meta), out, count=1)
        data = json.dumps(successors, sort_keys=True).replace("</", "<\\/")
        return out + f'\n<script type="application/json" id="pr-successors">{data}</script>\n'

    def paper_block(self, meta: dict) -> str:
        url = meta.get("source_url") or self.page_url(meta)
        cite = self.citer(meta).paper(url)
        return (
            '<details class="cite-paper"><summary>Cite this paper</summary>'
            f"{panel_body(cite, 'this paper', 'paper')}</details>"
        )
