"""The permalink registry in the build: check it before any page renders.

The logic lives in :mod:`policy_reader.permalink_registry` (MkDocs-free, shared
with ``policy-reader permalinks``); this manager reads ``docs/permalinks.yml``
from disk (mkdocs.yml excludes it from the site), checks every paper page
against it and keeps, per paper, the map of retired ids to their successors
that the page carries for the browser (``cite.js`` sends an old fragment on).
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from .. import permalink_registry as reg
from ..model import SourceError

log = logging.getLogger("mkdocs.plugins.policy_reader")


class RegistryManager:
    def __init__(self, docs_dir: str, papers_dir: str):
        self.path = Path(docs_dir) / reg.REGISTRY_NAME
        self.label = f"{Path(docs_dir).name}/{reg.REGISTRY_NAME}"
        self.papers_dir = papers_dir.strip("/")
        self.redirects: dict[str, dict[str, str]] = {}

    def check(self, files, papers: dict[str, dict]) -> None:
        """Read every paper page's ids and check them against the registry.

        ``papers`` maps src_uri -> validated front matter (the PaperIndex).
        Raises PluginError naming the registry entry and the page.
        """
        try:
            pages = {}
            for f in files.documentation_pages():
                meta = papers.get(f.src_uri)
                if meta is None:
                    continue
                label = f"docs/{f.src_uri}"
                pages[meta["slug"]] = (label, reg.paragraphs(f.content_string, label))
            recorded = reg.load(self.path)
            self.redirects = reg.check(recorded, pages, self.label)
        except SourceError as exc:
            raise PluginError(str(exc)) from None
        missing = reg.unrecorded(recorded, pages)
        if missing:
            log.info(
                "%s: %d published ids not recorded yet (first: %s #%s); run `policy-reader permalinks --update`",
                self.label, len(missing), missing[0][0], missing[0][1].id,
            )

    def successors(self, slug: str) -> dict[str, str]:
        return self.redirects.get(slug, {})
