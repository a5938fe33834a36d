"""The ProperDocs check's comparison (the check itself is CI's own step: `make properdocs-check`,
which builds the real site with MkDocs and with ProperDocs; see policy_reader.dev.same_site).

Here: the comparison ignores exactly the generator tag and the sitemap's dates, and names every
other difference, so a green CI step means the two builds really are the same.
"""

from __future__ import annotations

from pathlib import Path

from policy_reader.dev import same_site

PAGE = '<html><head><meta name="generator" content="{}"></head><body>¶ 3</body></html>'


def _site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_only_the_generator_tag_and_sitemap_dates_are_ignored(tmp_path):
    a = _site(tmp_path / "a", {
        "index.html": PAGE.format("mkdocs-1.6.1, mkdocs-material-9.8.2"),
        "sitemap.xml": "<url><loc>x</loc><lastmod>2026-11-25</lastmod></url>",
    })
    b = _site(tmp_path / "b", {
        "index.html": PAGE.format("properdocs-1.6.7, mkdocs-material-9.8.2"),
        "sitemap.xml": "<url><loc>x</loc><lastmod>2026-11-26</lastmod></url>",
    })
    assert same_site.differences(a, b) == []
    assert same_site.generator_tags(a) == 1


def test_every_other_difference_is_named(tmp_path):
    a = _site(tmp_path / "a", {
        "index.html": PAGE.format("mkdocs"),
        "papers/x/index.html": "<p>The same words.</p>",
        "only-here.js": "1",
        "sitemap.xml": "<url><loc>a</loc></url>",
    })
    b = _site(tmp_path / "b", {
        "index.html": PAGE.format("properdocs").replace("¶ 3", "¶ 4"),
        "papers/x/index.html": "<p>The same words.</p>",
        "only-there.css": "1",
        "sitemap.xml": "<url><loc>b</loc></url>",
    })
    assert same_site.differences(a, b) == [
        "only-here.js: only in the MkDocs build",
        "only-there.css: only in the ProperDocs build",
        "index.html: differs between the MkDocs and the ProperDocs build",
        "sitemap.xml: differs between the MkDocs and the ProperDocs build",
    ]
