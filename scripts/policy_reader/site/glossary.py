"""Glossary tooltips: explain a term at its first use on each page.

The glossary (docs/includes/glossary.md) is a list of abbr definitions that
pymdownx.snippets appends to every page; Python-Markdown's abbr then marks every
occurrence of every term, and Material mounts a tooltip for each mark. A reader
needs the explanation once per page, and every tooltip costs script time when the
page loads (Lighthouse's Total Blocking Time), so :func:`first_use_only` keeps the
first ``<abbr>`` of each term on a page and turns later ones back into plain text.
"""

from __future__ import annotations

import re

ABBR = re.compile(r'<abbr title="[^"]*">(?P<term>[^<]*)</abbr>')


def first_use_only(page_html: str) -> str:
    seen: set[str] = set()

    def keep_first(m: re.Match) -> str:
        if m["term"] in seen:
            return m["term"]
        seen.add(m["term"])
        return m[0]

    return ABBR.sub(keep_first, page_html)
