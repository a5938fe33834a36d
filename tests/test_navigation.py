"""Navigation that scales: /papers/ lists every paper; a large library keeps papers
out of the sidebar and the home page shows the newest with a link to the rest."""

from __future__ import annotations

import re

from support import GOMEZ_SLUG, KLINGNER_SLUG, mkdocs_build


def sidebar_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', html)


def test_small_library_lists_papers_in_the_sidebar(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    links = sidebar_links(html)
    assert "papers/" in links
    assert f"papers/{KLINGNER_SLUG}/" in links and f"papers/{GOMEZ_SLUG}/" in links
    index = (built_site / "papers" / "index.html").read_text(encoding="utf-8")
    index = index[index.index('<ul class="papers">'):]
    assert index.index(KLINGNER_SLUG) < index.index(GOMEZ_SLUG)  # newest first


def test_large_library_keeps_papers_out_of_the_sidebar(project_copy, tmp_path):
    cfg = project_copy / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    assert "\n  - policy-reader\n" in text
    cfg.write_text(text.replace("\n  - policy-reader\n",
                                "\n  - policy-reader:\n      nav_papers_max: 1\n      home_papers_max: 1\n"),
                   encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    links = sidebar_links(home)
    assert "papers/" in links
    assert not [link for link in links if link.startswith("papers/") and link != "papers/"]
    papers = sorted((re.search(r'^date: "(.*)"$', p.read_text(encoding="utf-8"), re.M)[1], p.stem)
                    for p in (project_copy / "docs" / "papers").glob("*.md"))
    newest = papers[-1][1]  # Klingner's brief, unless a user added a newer paper
    assert f'href="papers/{newest}/"' in home
    assert [slug for _, slug in papers if f'href="papers/{slug}/"' in home] == [newest]
    assert re.search(rf'<a href="papers/">All {len(papers)} papers, with filters by author, publisher, year and topic</a>', home)
    paper = (tmp_path / "out" / "papers" / GOMEZ_SLUG / "index.html").read_text(encoding="utf-8")
    assert "md-footer__link--next" not in paper or f"papers/{KLINGNER_SLUG}/" not in paper
