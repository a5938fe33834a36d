"""The generated bibliography page (/bibliography/) and the .bib downloads."""

from __future__ import annotations

import html
import re

import pytest
from mkdocs.exceptions import PluginError

from policy_reader.page.markdown import read_blocks
from policy_reader.site.citations.bibliography import citations, paragraph_label
from policy_reader.site.citations.citeproc import format_references
from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build

CITE = re.compile(r"\[@([A-Za-z0-9_-]+)\]")


def expected_citations() -> dict[str, set[tuple[str, str]]]:
    """key -> {(slug, paragraph id)} read straight from docs/papers/*.md."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in sorted((ROOT / "docs" / "papers").glob("*.md")):
        pid = None
        for line in reversed(path.read_text(encoding="utf-8").splitlines()):
            m = re.match(r"^\{: #([\w-]+)", line)
            if m:
                pid = m[1]
            elif not line.strip():
                continue
            for key in CITE.findall(line):
                found.setdefault(key, set()).add((path.stem, pid))
    return found


def entries(site) -> dict[str, str]:
    page = (site / "bibliography" / "index.html").read_text(encoding="utf-8")
    return dict(re.findall(r'<li id="ref-([^"]+)">(.*?)</li>', page, re.S))


def test_paragraph_blocks_and_citations_follow_the_id_lines():
    md = '---\ntitle: x\n---\n\n# T\n\nOne[@a] two.\nmore[@b]\n{: #p-1 .para data-topics="x" }\n\nThree[@a].\n{: #kt-2 .takeaway }\n'
    blocks = read_blocks(md)
    assert [(b.id, b.line) for b in blocks] == [("p-1", 7), ("kt-2", 11)]
    assert citations(md, "x.md") == {"a": ["p-1", "kt-2"], "b": ["p-1"]}
    assert paragraph_label("p-12") == "¶\u00a012" and paragraph_label("kt-2") == "Key takeaway 2"


def test_a_citation_outside_a_paragraph_is_an_error():
    with pytest.raises(PluginError, match=r"^x\.md:3: citation \[@a\] is not inside a paragraph with an id"):
        citations("# T\n\nLoose text[@a].\n\nFine.\n{: #p-1 }\n", "x.md")


def test_every_cited_work_is_listed_once_with_links_to_its_paragraphs(built_site):
    expected = expected_citations()
    seeds = {k for k, places in expected.items() if {s for s, _ in places} & {KLINGNER_SLUG, GOMEZ_SLUG}}
    assert len(seeds) == 6  # the Heritage brief's six endnotes; the Cato op-ed cites none
    listed = entries(built_site)
    assert set(expected) <= set(listed)
    for key, places in expected.items():
        links = re.findall(r'<a class="cited-in" href="\.\./papers/([^/]+)/#([\w-]+)">', listed[key])
        assert set(links) == places, key


def test_entries_are_formatted_from_bib_with_our_csl(built_site):
    bibtex = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bib").glob("*.bib")))
    refs = format_references(bibtex, str(ROOT / "bib" / "policy-reader-notes.csl"))
    listed = entries(built_site)
    for key, body in listed.items():
        shown = re.search(r'<span class="reference">(.*?)</span> ', body, re.S)[1]
        assert " ".join(html.unescape(re.sub(r"<[^>]+>", "", shown)).split()) == refs[key][1]
    assert "Simon Denyer, “North Korea Warns United States of an Unwelcome ‘Christmas Gift’,”" in refs["denyer-2019-north-korea"][1]
    # the papers themselves are listed too, with a link to read them here
    for slug in (KLINGNER_SLUG, GOMEZ_SLUG):
        assert f'href="../papers/{slug}/">Read it here' in (built_site / "bibliography" / "index.html").read_text(encoding="utf-8")


def test_every_back_link_reaches_an_existing_paragraph(built_site):
    page = (built_site / "bibliography" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="\.\./papers/([^/]+)/#([\w-]+)"', page)
    assert links
    for slug, pid in links:
        target = (built_site / "papers" / slug / "index.html").read_text(encoding="utf-8")
        assert re.search(rf'<p class="[^"]*" [^>]*id="{pid}"|<p [^>]*id="{pid}"', target), (slug, pid)


def test_bib_files_are_downloadable_unchanged(built_site):
    page = (built_site / "bibliography" / "index.html").read_text(encoding="utf-8")
    for path in sorted((ROOT / "bib").glob("*.bib")):
        assert f'href="../bib/{path.name}" download' in page
        assert (built_site / "bib" / path.name).read_bytes() == path.read_bytes()


def test_a_bad_csl_file_fails_the_build_with_one_line(project_copy, tmp_path):
    (project_copy / "bib" / "policy-reader-notes.csl").write_text("<not csl", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "out")
    assert result.returncode != 0
    assert not (tmp_path / "out" / "bibliography").exists()
