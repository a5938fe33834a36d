"""Build tests: the real site and small changed copies of it, built with --strict."""

from __future__ import annotations

import re

from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build, page_html


def test_home_page_introduces_both_papers(built_site):
    html = (built_site / "index.html").read_text(encoding="utf-8")
    for slug, title, byline in [
        (KLINGNER_SLUG, "U.S. Needs Resolve and Restraint in Response to North Korean Provocations",
         "Bruce Klingner · The Heritage Foundation · Issue Brief No. 5022 · December 20, 2019"),
        (GOMEZ_SLUG, "There must be consequences for North Korea&#x27;s new missile tests",
         "Eric Gomez · Cato Institute · July 25, 2019"),
    ]:
        assert f'href="papers/{slug}/"' in html
        assert title in html and byline in html
    assert html.count('class="summary"') == len(list((ROOT / "docs" / "papers").glob("*.md")))  # the seeds and any paper added


def test_paper_pages_have_byline_ids_and_heading_permalinks(built_site):
    html = page_html(built_site, KLINGNER_SLUG)
    assert '<p class="byline">Bruce Klingner · The Heritage Foundation · Issue Brief No. 5022 · December 20, 2019' in html
    ids = re.findall(r'<p class="(?:para|takeaway|bio)[^"]*" id="([^"]+)"', html)
    assert ids == ["kt-1", "kt-2", "kt-3", *[f"p-{i}" for i in range(1, 19)], "bio"]
    assert 'href="#north-korean-warnings"' in html  # heading permalink
    gomez = page_html(built_site, GOMEZ_SLUG)
    assert re.findall(r'id="(p-\d+)"', gomez) == [f"p-{i}" for i in range(1, 10)]


def test_footnotes_are_numbered_references_from_bib(built_site):
    html = page_html(built_site, KLINGNER_SLUG)
    refs = re.findall(r'<sup id="fnref:([^"]+)"><a class="footnote-ref" href="#fn:\1">(\d+)</a>', html)
    assert [n for _, n in refs] == ["1", "2", "3", "4", "5", "6"]
    assert [k for k, _ in refs][3] == "pytalski-2019-trump-says"
    note = re.search(r'<li id="fn:jeong-2019-north-korea">\s*<p>(.*?)&#160;', html, re.S)[1]
    text = re.sub(r"<[^>]+>", "", note)
    assert text == (
        "Sophie Jeong and Hira Humayun, \"North Korea Calls Trump a 'Heedless and Erratic Old Man',\" CNN, "
        "December 9, 2019, https://edition.cnn.com/2019/12/09/asia/north-korea-trump-erratic-old-man-intl/index.html "
        "(accessed December 17, 2019)."
    )
    assert "d0ca7007273f_story.html</a>" in html  # the seam removed pandoc's escape


def test_footnote_text_follows_bib(project_copy, tmp_path):
    bib = project_copy / "bib" / f"{KLINGNER_SLUG}.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("organization = {Reuters}", "organization = {Reuters Wire}"), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "Reuters Wire, December 7, 2019" in page_html(tmp_path / "out", KLINGNER_SLUG)


def test_unknown_citation_key_fails_the_strict_build(project_copy, tmp_path):
    page = project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md"
    page.write_text(page.read_text(encoding="utf-8").replace("very unwise.", "very unwise.[@no-such-key]"), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert "no-such-key" in result.stderr


def test_invalid_front_matter_fails_naming_file_and_field(project_copy, tmp_path):
    page = project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md"
    page.write_text(page.read_text(encoding="utf-8").replace('date: "2019-07-25"', 'date: "July 2019"'), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert f"docs/papers/{GOMEZ_SLUG}.md: front matter field 'date' is 'July 2019'" in result.stderr
    assert not (tmp_path / "out" / "index.html").exists()


def test_site_url_comes_from_the_environment(project_copy, tmp_path):
    result = mkdocs_build(project_copy, tmp_path / "out", env={"SITE_URL": "https://reader.example.org/nk/"})
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://reader.example.org/nk/">' in html


def test_no_font_or_script_from_other_hosts(built_site):
    for page in [built_site / "index.html", built_site / "papers" / KLINGNER_SLUG / "index.html"]:
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        assert not re.search(r'<script[^>]+src="https?://', html)
        assert not re.search(r'<link(?![^>]*rel="canonical")[^>]+href="https?://', html)


def test_paper_pages_carry_no_data_search_attribute(built_site):
    """The plugin keeps paper content out of Material's search step, whose only work on a page
    it does not index is to strip data-search-* attributes: a paper page must have none."""
    for page in (built_site / "papers").glob("*/index.html"):
        assert "data-search-" not in page.read_text(encoding="utf-8"), page
