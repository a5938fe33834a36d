"""Generated reading-room pages: the bibliography and the timeline.

One entry point for the plugin's ``on_files`` router. Paths in the plugin
config resolve from the folder that holds mkdocs.yml.
"""

from __future__ import annotations

from pathlib import Path

from policy_reader.site.citations.bibliography import BibliographyPage
from policy_reader.site.permalinks import withdrawn
from policy_reader.site.timeline import TimelinePage


def add_pages(files, config, options, papers: dict[str, dict], held) -> None:
    """Add /bibliography/ (+ the .bib downloads) and /timeline/ to ``files``."""
    root = Path(config.config_file_path).parent
    BibliographyPage(root / options.bib_dir, root / options.bibliography_csl, options.papers_dir, options.cache).add_to(files, config, papers, held)
    TimelinePage(root / options.timeline_data, options.timeline_data).add_to(files, config, papers)
    withdrawn.add_pages(files, config, options.papers_dir)  # old addresses of removed papers
