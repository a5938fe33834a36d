"""Two synthetic papers, one in each input style, convert and build beside the real
ones with no code change: structure, citations, topics, search, all pages."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from policy_reader.site.search import shards as search_shards

from support import BIN, mkdocs_build, page_html

GOLDEN = __import__("pathlib").Path(__file__).parent / "golden"
BRIEF = "doe-2021-allies-should-share-burden"
OPED = "roe-2020-talks-only-road-left"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    from support import ROOT
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for case in ("brief", "oped"):
        for f in (GOLDEN / case / "sources").iterdir():
            shutil.copy(f, root / "sources" / f.name)
    conv = subprocess.run([str(BIN / "policy-reader"), "convert", "--root", str(root)], capture_output=True, text=True)
    assert conv.returncode == 0, conv.stderr
    site = root / "out"
    result = mkdocs_build(root, site)
    assert result.returncode == 0, result.stderr
    return root, site


def test_brief_cites_its_endnotes_as_numbered_footnotes(library):
    _, site = library
    html = page_html(site, BRIEF)
    refs = re.findall(r'<a class="footnote-ref" href="#fn:([^"]+)">(\d+)</a>', html)
    assert refs == [("smith-2021-deterrence-discontents", "1"), ("xna-2021-ship-transfers", "2")]
    assert "John Smith, \"Deterrence and Its Discontents,\" <em>The Example Times</em>, May 3, 2021" in html
    assert "XNA, \"Ship Transfers at Sea,\" June 1, 2021" in html


def test_brief_structure_and_hostile_text(library):
    _, site = library
    html = page_html(site, BRIEF)
    assert 'id="kt-3"' in html and 'id="sanctions-enforcement"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "and it should say so plainly" in html  # rejoined across the page furniture
    assert "214 Massachusetts" not in html and "1 Main Street" not in html


def test_synthetic_papers_get_topics_from_the_rules(library):
    root, site = library
    md = (root / "docs" / "papers" / f"{BRIEF}.md").read_text(encoding="utf-8")
    assert re.search(r'\{: #kt-2 \.takeaway data-topics="[^"]*sanctions', md)
    topic = (site / "topics" / "sanctions" / "index.html").read_text(encoding="utf-8")
    assert f"papers/{BRIEF}/#" in topic


def test_op_ed_and_home_page(library):
    _, site = library
    html = page_html(site, OPED)
    assert "# Not a heading: a hash starts this line" in html
    assert "Richard Roe · Example Review · March 3, 2020" in html
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="papers/{OPED}/"' in home and f'href="papers/{BRIEF}/"' in home


def test_synthetic_paragraphs_are_searchable(library):
    _, site = library
    locations = {d["location"] for d in search_shards.load_docs(site)}
    assert f"papers/{OPED}/#p-1" in locations and f"papers/{BRIEF}/#p-2" in locations
