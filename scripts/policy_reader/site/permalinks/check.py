"""The permalink registry in the build: check it before any page renders.

The logic lives in :mod:`policy_reader.page.registry` (MkDocs-free, shared
with ``policy-reader permalinks``); this manager reads ``docs/permalinks.yml``
from disk (mkdocs.yml excludes it from the site), checks every paper page
against it and keeps, per paper, the map of retired ids to their successors
that the page carries for the browser (``cite.js`` sends an old fragment on).

A library's registry holds tens of thousands of ids; when neither it nor any
paper page changed since a build checked them, the outcome (the successors
and the count of unrecorded ids) is read from ``.cache/generated/`` under a
digest of exactly those files and our code (site/generated_cache.py). A failed
check is never stored, so a bad registry fails every build.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from policy_reader.page import registry as reg
from policy_reader.model import SourceError
from policy_reader.site.generated_cache import GeneratedCache, inputs_digest

log = logging.getLogger("mkdocs.plugins.policy_reader")


class RegistryManager:
    def __init__(self, docs_dir: str, papers_dir: str, cache_dir: Path | None = None):
        self.cache = GeneratedCache(cache_dir, "registry")  # passed outcomes (site/generated_cache.py)
        self.path = Path(docs_dir) / reg.REGISTRY_NAME
        self.label = f"{Path(docs_dir).name}/{reg.REGISTRY_NAME}"
        self.papers_dir = papers_dir.strip("/")
        self.redirects: dict[str, dict[str, str]] = {}

    def check(self, files, papers: dict[str, dict]) -> None:
        """Read every paper page's ids and check them against the registry.

        ``papers`` maps src_uri -> validated front matter (the PaperIndex).
        Raises PluginError naming the registry entry and the page.
        """
        digest = inputs_digest(
            self.path.read_bytes() if self.path.is_file() else b"",
            *(f"{uri}\0{files.get_file_from_path(uri).content_string}" for uri in sorted(papers)),
        )
        data = self.cache.get(digest)
        if data is not None and isinstance(data.get("redirects"), dict) and isinstance(data.get("missing"), list):
            self.redirects = data["redirects"]
            self._report(data["missing"])
            return
        try:
            pages = {}
            for f in files.documentation_pages():
                meta = papers.get(f.src_uri)
                if meta is None:
                    continue
                label = f"docs/{f.src_uri}"
                pages[meta["slug"]] = (label, reg.paragraphs(f.content_string, label))
            recorded = reg.load(self.path, words=False)  # fingerprints suffice; the words are not read
            self.redirects = reg.check(recorded, pages, self.label)
        except SourceError as exc:
            raise PluginError(str(exc)) from None
        found = reg.unrecorded(recorded, pages)
        missing = [len(found), found[0][0], found[0][1].id] if found else []
        self._report(missing)
        self.cache.put(digest, {"redirects": self.redirects, "missing": missing})

    def _report(self, missing: list) -> None:
        if missing:
            log.info(
                "%s: %d published ids not recorded yet (first: %s #%s); run `policy-reader permalinks --update`",
                self.label, *missing,
            )

    def successors(self, slug: str) -> dict[str, str]:
        return self.redirects.get(slug, {})
