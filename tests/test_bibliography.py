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


def test_the_page_comes_from_the_cache_and_is_made_again_when_what_it_reads_changes(project_copy, tmp_path):
    """site/generated_cache.py: a second build takes /bibliography/ and the library files from
    .cache/generated and writes the same site; an edited entry shows (proof that it is used);
    a changed .bib entry, a paper's citations or the CSL style makes them again."""
    from policy_reader.cache import read_entry, write_entry
    from support import mkdocs_build, site_files

    # Builds in their own processes: this test edits .bib files and cache entries, and what an
    # in-process build leaves in memory must not reach other tests' in-process builds
    # (tests/test_cache.py's code-change build then showed an edited title).
    def build(name):
        result = mkdocs_build(project_copy, tmp_path / name)
        assert result.returncode == 0, result.stderr

    build("one")
    build("two")
    assert site_files(tmp_path / "one") == site_files(tmp_path / "two")

    def entry():
        [found] = [e for e in (project_copy / ".cache" / "generated").glob("*.json") if "csl_json" in read_entry(e)]
        return found

    data = read_entry(entry())
    data["pages"] = [[uri, md.replace("## Works cited", "## Works cited (from the cache)")] for uri, md in data["pages"]]
    data["bibtex"] += "% from the cache\n"
    write_entry(entry(), data)  # a verified entry (a damaged one is never used: tests/test_cache.py)
    build("three")
    page = (tmp_path / "three" / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert "Works cited (from the cache)" in page
    assert (tmp_path / "three" / "bib" / "library.bib").read_text(encoding="utf-8").endswith("% from the cache\n")

    def page_after(name):
        build(name)
        got = (tmp_path / name / "bibliography" / "index.html").read_text(encoding="utf-8")
        assert "from the cache" not in got and "from the cache" not in (tmp_path / name / "bib" / "library.bib").read_text(encoding="utf-8")
        return got

    # A work's title in one paper's .bib file: the page and both library files follow.
    bib = sorted((project_copy / "bib").glob("*.bib"), key=lambda p: -p.stat().st_size)[0]
    text = bib.read_text(encoding="utf-8")
    title = re.search(r"title = \{([A-Z][a-z]+)", text)[1]
    bib.write_text(text.replace("title = {" + title, "title = {Zzretitled " + title, 1), encoding="utf-8")
    assert "Zzretitled" in page_after("four")
    assert "Zzretitled" in (tmp_path / "four" / "bib" / "library.json").read_text(encoding="utf-8")

    # A citation moved to another paragraph: its back-link follows.
    before = page_after("five")
    paper = project_copy / "docs" / "papers" / f"{KLINGNER_SLUG}.md"
    md = paper.read_text(encoding="utf-8")
    blocks = [b for b in read_blocks(md) if re.search(r"\[@[A-Za-z0-9_-]+\]", b.text)]
    cite = re.search(r"\[@[A-Za-z0-9_-]+\]", blocks[0].text)[0]
    target = next(b for b in read_blocks(md) if b.id not in {x.id for x in blocks} and b.id.startswith("p-"))
    md = md.replace(blocks[0].text, blocks[0].text.replace(cite, "", 1), 1).replace(target.text, target.text + " " + cite, 1)
    paper.write_text(md, encoding="utf-8")
    after = page_after("six")
    assert f"#{target.id}" in after and after != before

    # The style: the entries are formatted again (the page's entry is another; the old one unused, pruned).
    used = entry().name
    csl = project_copy / "bib" / "policy-reader-notes.csl"
    csl.write_text(csl.read_text(encoding="utf-8").replace("</style>", "<!-- changed -->\n</style>"), encoding="utf-8")
    assert page_after("seven") == after
    assert entry().name != used
