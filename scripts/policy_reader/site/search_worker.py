"""Material's search box, our search engine: see :mod:`policy_reader.search_shards`.

Two steps: every page's ``__config`` names our worker script
(``assets/search-worker.js``) instead of Material's lunr worker, and after the
build the paragraph-level ``search/search_index.json`` is cut into shards.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import search_shards

WORKER = "assets/search-worker.js"
CONFIG_WORKER = re.compile(r'("search":\s*")([^"]*?)assets/javascripts/workers/search\.[0-9a-f]+\.min\.js"')


class SearchWorker:
    def point_config(self, page_html: str) -> str:
        """Name our worker in the page's config; the page must have Material's."""
        new, count = CONFIG_WORKER.subn(lambda m: f'{m[1]}{m[2]}{WORKER}"', page_html, count=1)
        return new if count else page_html

    def shard(self, site_dir: str) -> int:
        return search_shards.write(Path(site_dir))
