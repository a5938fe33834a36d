"""Navigation that scales with the library.

Every page renders the whole sidebar, so listing every paper in it makes each
page grow with the library and the build grow with its square. Papers are
listed in full on a generated index page, ``/papers/``; the sidebar's Papers
section lists the papers themselves only while there are at most
``nav_papers_max`` of them, and otherwise just that index page. The home page
shows the newest papers and links to the index when there are more.
"""

from __future__ import annotations

from mkdocs.structure.files import File
from mkdocs.structure.nav import Section


class Navigation:
    def __init__(self, papers_dir: str, nav_papers_max: int, home_papers_max: int):
        self.papers_dir = papers_dir.strip("/")
        self.index_uri = f"{self.papers_dir}/index.md"
        self.nav_papers_max = nav_papers_max
        self.home_papers_max = home_papers_max

    def add_index(self, files, config) -> None:
        """The ``/papers/`` page: every paper, newest first."""
        if files.get_file_from_path(self.index_uri) is not None:
            return
        content = "\n".join([
            "---", "title: All papers", "---", "", "# All papers", "",
            "<!-- policy-reader:library -->", "",
            "Newest first. Filter by author, publisher, year or topic (the filters need JavaScript;",
            "without it the list below is complete). [Atom feed of the papers](../feed.xml)", "",
            "<!-- policy-reader:all-papers -->", "",
        ])
        files.append(File.generated(config, self.index_uri, content=content))

    def trim(self, nav, paper_count: int):
        """Keep only the index page in the Papers section of a large library."""
        if paper_count <= self.nav_papers_max:
            return nav
        for item in nav.items:
            if isinstance(item, Section) and any(
                getattr(child, "file", None) is not None and child.file.src_uri == self.index_uri
                for child in item.children
            ):
                item.children = [c for c in item.children if c.file.src_uri == self.index_uri]
                for child in item.children:
                    child.parent = item
        # Pages no longer in the sidebar still need previous/next links to make sense: drop them.
        pages = nav.pages
        kept = [p for p in pages if not (p.file.src_uri.startswith(self.papers_dir + "/") and p.file.src_uri != self.index_uri)]
        nav.pages = kept
        for i, page in enumerate(kept):
            page.previous_page = kept[i - 1] if i else None
            page.next_page = kept[i + 1] if i + 1 < len(kept) else None
        return nav
