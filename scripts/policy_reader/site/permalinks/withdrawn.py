"""Withdrawn papers: the old address shows a notice instead of a 404.

When a source leaves ``sources/``, ``convert`` removes its page and .bib and
marks the paper ``withdrawn`` in ``docs/permalinks.yml`` (its ids stay recorded
and are never reused; :func:`policy_reader.page.registry.withdraw`). The build
then generates, at the paper's old address, a short page saying so, kept out
of the navigation.
"""

from __future__ import annotations

import html
from pathlib import Path

from mkdocs.structure.files import File, InclusionLevel

from policy_reader.page import registry


def add_pages(files, config, papers_dir: str) -> None:
    papers_dir = papers_dir.strip("/")
    for slug, note in sorted(registry.withdrawn_slugs(Path(config.docs_dir) / registry.REGISTRY_NAME).items()):
        uri = f"{papers_dir}/{slug}.md"
        if files.get_file_from_path(uri) is not None:
            continue  # published again
        content = "\n".join([
            "---", "title: Paper withdrawn", "search:", "  exclude: true", "---", "",
            "# Paper withdrawn", "",
            '<p class="withdrawn">This paper has been withdrawn from the library; the links to its '
            "paragraphs no longer lead to its text.</p>", "",
            f"<p>({html.escape(str(note))})</p>", "",
            "[All papers](index.md)", "",
        ])
        files.append(File.generated(config, uri, content=content, inclusion=InclusionLevel.NOT_IN_NAV))
