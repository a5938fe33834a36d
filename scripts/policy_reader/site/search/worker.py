"""Material's search box, our search engine: every page's ``__config`` names our
worker script (``assets/search-worker.js``) instead of Material's lunr worker; the
worker reads the shards that :mod:`.search_index` writes through
:mod:`policy_reader.site.search.shards`.
"""

from __future__ import annotations

import re

WORKER = "assets/search-worker.js"
CONFIG_WORKER = re.compile(r'("search":\s*")([^"]*?)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js"')


def point_config(page_html: str) -> str:
    """Name our worker in the page's config (a page without Material's is returned as is)."""
    return CONFIG_WORKER.sub(lambda m: f'{m[1]}{m[2]}{WORKER}"', page_html, count=1)
