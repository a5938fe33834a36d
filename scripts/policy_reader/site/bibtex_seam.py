"""The one seam around mkdocs-bibtex (archived upstream): fixes of its output.

mkdocs-bibtex pastes pandoc's Markdown for each reference into a footnote.
Pandoc's writer escapes ``_`` inside autolinks (``<https://...\\_story.html>``)
and Python-Markdown keeps that backslash in the link text, so a reader would
see a URL that is not the link's target. :func:`fix_footnote_links` rewrites
such link texts to their href. Tests: ``tests/test_bibtex_seam.py`` and the
build tests that read the footnotes of the real site.
"""

from __future__ import annotations

import html
import re

LINK = re.compile(r'<a href="(?P<href>[^"]+)">(?P<text>[^<]+)</a>')


def fix_footnote_links(page_html: str) -> str:
    def sub(m: re.Match) -> str:
        text = m["text"]
        unescaped = re.sub(r"\\([_*\[\]()#~])", r"\1", html.unescape(text))
        if "\\" in html.unescape(text) and unescaped == html.unescape(m["href"]):
            return f'<a href="{m["href"]}">{html.escape(unescaped, quote=False)}</a>'
        return m[0]

    return LINK.sub(sub, page_html)


def prewarm(config, pages_markdown: list[str]) -> int:
    """Format every citation of every paper in one pandoc run.

    mkdocs-bibtex formats the new keys of each page as it meets the page: one
    pandoc process per paper with notes. Handing it all the pages' citation
    blocks first fills its cache in a single run, so the page events find
    everything formatted. Returns the number of citation blocks (0 when the
    bibtex plugin is absent or has no pandoc registry).
    """
    plugin = config.plugins.get("bibtex")
    registry = getattr(plugin, "registry", None)
    if registry is None:
        return 0
    from mkdocs_bibtex.citation import CitationBlock

    blocks = []
    seen = set()
    for markdown in pages_markdown:
        for block in CitationBlock.from_markdown(markdown):
            if str(block) not in seen:
                seen.add(str(block))
                blocks.append(block)
    if blocks:
        registry.validate_citation_blocks(blocks)
    return len(blocks)
