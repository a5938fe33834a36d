"""One library of works: keys fixed once published, shared works listed once, exports every tool reads.

Builds copies of the project in tmp_path; the exported BibTeX is read by pybtex
and by bibtexparser, the RIS by rispy (independent parsers, pinned for tests).
"""

from __future__ import annotations

import html
import json
import re

import bibtexparser
import bibtexparser.bparser
import pytest
import rispy
from pybtex.database import parse_string

from policy_reader.convert import keys as key_registry
from policy_reader.convert import pipeline as convert
from policy_reader.site.citations.cite import PaperCiter, bib_entry
from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build

# A paper whose source name sorts before both seed papers; it cites a work the Heritage
# brief cites too (same URL) and a work whose title holds every character that broke things.
FIRST = (
    "# Allies & Options: 50% of U.S. Ship-to-Ship Checks_Fail\n\n*Ann Able*\n\n## KEY TAKEAWAYS\n\nOne.\n\nTwo.\n\nThree.\n\n"
    "Deterrence needs allies, and North Korean envoys said so in Washington.<sup>1</sup> "
    "The costs are shared.<sup>2</sup> So it goes.<sup>3</sup>\n\n"
    "**Ann Able** is a fellow at The Example Institute.\n\n## Endnotes\n\n"
    '1. Miranda Green, "McMaster: \'We Have to Provide All Options\' on North Korea," CNN, August 5, 2017, '
    "<https://www.cnn.com/2017/08/05/politics/mcmaster-military-options-north-korea/index.html> (accessed May 5, 2021).\n"
    '2. Jo Doe, "AT&T Holds 50% of {Ship-to-Ship} Trade_Data: Kim\'s #1 $ Deal in U.S. Waters," *The Example Times*, '
    "May 3, 2021, <https://example.com/a> (accessed May 5, 2021).\n"
    '3. Ed Roe, "Half a Brace } Closes { Nothing," Example Wire, May 4, 2021, <https://example.com/b> (accessed May 5, 2021).\n'
)
FIRST_META = "publisher: \"The {Example} Institute}\"\nkind: report\nseries: Backgrounder\nnumber: \"12\"\ndate: 2021-06-10\nsummary: Own summary.\nslug: able-2021-allies\n"


def run_convert(root):
    convert.write(root, convert.plan(root))


def tree(root) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for d in ("docs/papers", "bib") for p in sorted((root / d).glob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The project plus a paper that sorts first, converted and built once."""
    import shutil

    root = tmp_path_factory.mktemp("library") / "project"
    root.mkdir()
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    before = tree(root)
    (root / "sources" / "aaa-first.txt").write_text(FIRST, encoding="utf-8")
    (root / "sources" / "aaa-first.yml").write_text(FIRST_META, encoding="utf-8")
    run_convert(root)
    site = root.parent / "site"
    result = mkdocs_build(root, site)
    assert result.returncode == 0, result.stderr
    return root, site, before


def test_adding_a_paper_that_sorts_first_leaves_every_existing_file_and_key(library):
    root, _, before = library
    after = tree(root)
    changed = {name for name in before if after.get(name) != before[name]}
    assert changed == {"bib/keys.yml"}  # the registry only grows
    old = key_registry.Registry(key_registry.load(ROOT).bound).bound
    new = key_registry.load(root).bound
    assert all(new[k] == v for k, v in old.items())
    text = after["bib/able-2021-allies.bib"].decode()
    assert "@online{green-2017-mcmaster-provide," in text  # the shared work keeps its published key


def test_the_seed_papers_keep_their_published_keys():
    registry = key_registry.load(ROOT)
    for slug, key in ((KLINGNER_SLUG, "klingner-2019-us-needs"), (GOMEZ_SLUG, "gomez-2019-consequences-north")):
        text = (ROOT / "bib" / f"{slug}.bib").read_text(encoding="utf-8")
        assert re.search(rf"^@\w+\{{{key},$", text, re.M)
        assert key in registry.bound


def test_a_shared_work_is_listed_once_with_links_to_both_papers(library):
    _, site, _ = library
    page = (site / "bibliography" / "index.html").read_text(encoding="utf-8")
    items = re.findall(r'<li id="ref-green-2017-mcmaster-provide">(.*?)</li>', page, re.S)
    assert len(items) == 1
    links = set(re.findall(r'href="\.\./papers/([^/]+)/#([\w-]+)"', items[0]))
    assert {slug for slug, _ in links} == {KLINGNER_SLUG, "able-2021-allies"}
    library_bib = (site / "bib" / "library.bib").read_text(encoding="utf-8")
    assert library_bib.count("@online{green-2017-mcmaster-provide,") == 1
    data = json.loads((site / "bib" / "library.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in data].count("green-2017-mcmaster-provide") == 1


def test_library_bib_is_read_by_pybtex_and_bibtexparser_with_classic_fields(library):
    _, site, _ = library
    text = (site / "bib" / "library.bib").read_text(encoding="utf-8")
    ours = parse_string(text, "bibtex").entries
    # @online (biblatex's type for a web page) is not one of classic BibTeX's: classic styles
    # print it as @misc, and bibtexparser reads it when asked to keep such types.
    parser = bibtexparser.bparser.BibTexParser(ignore_nonstandard_types=False, common_strings=True)
    theirs = {e["ID"]: e for e in bibtexparser.loads(text, parser).entries}
    assert set(ours) == set(theirs) and len(ours) >= 10
    for key, entry in theirs.items():
        assert entry.get("year", "").isdigit(), key
        if entry["ENTRYTYPE"] == "article":
            assert entry.get("journal"), key
    hostile = theirs["doe-2021-att-holds"]
    assert set(hostile) >= {"title", "journal", "year", "url"} and "note" not in hostile
    assert r"50\%" in hostile["title"] and r"\_" in hostile["title"] and r"\#1" in hostile["title"]


def test_no_markup_reaches_footnotes_panels_or_the_bibliography(library):
    _, site, _ = library
    pages = [(site / "papers" / "able-2021-allies" / "index.html").read_text(encoding="utf-8"),
             (site / "bibliography" / "index.html").read_text(encoding="utf-8")]
    for page in pages:
        text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<pre.*?</pre>", "", page, flags=re.S)))
        assert "AT&T Holds 50% of {Ship-to-Ship} Trade_Data: Kim's #1 $ Deal in U.S. Waters" in text.replace("’", "'")
        for bad in ("{.nocase}", "U. S.", "AT\\", "\\&", "\\%", "\\_", "textbrace"):
            assert bad not in text, bad
    panel = html.unescape(re.sub(r"<[^>]+>", "", pages[0]))
    assert "Able, Ann. Allies & Options: 50% of U.S. Ship-to-Ship Checks_Fail. Backgrounder No. 12." in panel  # Chicago
    assert "Able, A. (2021). Allies & options: 50% of U.S. ship-to-ship Checks_Fail (Backgrounder No. 12)." in panel  # APA


def citer(root, slug, key):
    return PaperCiter((root / "bib" / f"{slug}.bib").read_text(encoding="utf-8"), key)


def test_citation_strings_follow_the_style_manuals():
    c = citer(ROOT, KLINGNER_SLUG, "klingner-2019-us-needs")
    cite = c.paragraph("https://example.org/papers/k/#p-3", 3)
    styles = {s.key: (ref, pin) for s, ref, pin in cite.styles}
    chicago, apa, mla = styles["chicago"], styles["apa"], styles["mla"]
    # Chicago 17: report title italic, then series and number
    assert "<em>U.S. Needs Resolve and Restraint in Response to North Korean Provocations</em>" in chicago[0].html
    assert "Issue Brief No. 5022" in chicago[0].text
    # APA 7: report title in sentence case and italics, "(Issue Brief No. 5022)"
    assert "<em>U.S. needs resolve and restraint in response to North Korean provocations</em>" in apa[0].html
    assert "(Issue Brief No. 5022)" in apa[0].text and apa[1].text == "(Klingner, 2019, para. 3)"
    # MLA 9: paragraph pinpoint "par."
    assert mla[1].text == "(Klingner, par. 3)"
    # a reproduced paper: the original's URL too
    for ref, _ in styles.values():
        assert "http://report.heritage.org/ib5022" in ref.text and "https://example.org/papers/k/#p-3" in ref.text


def test_ris_is_read_by_rispy_with_report_fields_where_zotero_reads_them():
    c = citer(ROOT, KLINGNER_SLUG, "klingner-2019-us-needs")
    entry = rispy.loads(c.paragraph("https://example.org/p/#p-1", 1).ris)[0]
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == "U.S. Needs Resolve and Restraint in Response to North Korean Provocations"
    assert entry["publisher"] == "The Heritage Foundation"
    assert entry["secondary_title"] == "Issue Brief" and entry["issn"] == "5022"  # T2 seriesTitle, SN reportNumber
    assert entry["abstract"].startswith("Argues that Washington")
    oped = citer(ROOT, GOMEZ_SLUG, "gomez-2019-consequences-north")
    item = rispy.loads(oped.paper("https://example.org/g/").ris)[0]
    assert item["type_of_reference"] == "NEWS" and item["secondary_title"] == "Cato Institute"
    assert item["title"] == "There must be consequences for North Korea's new missile tests"  # as printed


def test_paper_pages_give_their_own_summary_and_type_to_reference_managers(library):
    _, site, _ = library
    page = (site / "papers" / GOMEZ_SLUG / "index.html").read_text(encoding="utf-8")
    summary = html.escape("Argues that North Korea's July 2019 missile test", quote=True)
    assert re.search(r'<meta name="description" content="Argues that North Korea', page)
    assert '<meta property="og:type" content="article">' in page
    assert '<meta name="DC.type" content="News Item">' in page  # Zotero: newspaperArticle
    assert '<meta name="prism.publicationName" content="Cato Institute">' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert ld["@type"] == "OpinionNewsArticle" and ld["isPartOf"]["name"] == "Cato Institute"
    assert ld["description"].startswith("Argues that North Korea") and summary
    brief = (site / "papers" / KLINGNER_SLUG / "index.html").read_text(encoding="utf-8")
    assert '<meta name="citation_series_title" content="Issue Brief">' in brief
    assert '<meta name="citation_technical_report_number" content="5022">' in brief


def test_a_correction_naming_no_work_fails_with_one_line(project_copy):
    from support import BIN
    import subprocess

    (project_copy / "bib" / "corrections.yaml").write_text("gone-2001-key:\n  note: x\n", encoding="utf-8")
    before = tree(project_copy)
    result = subprocess.run([str(BIN / "policy-reader"), "convert", "--root", str(project_copy)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: bib/corrections.yaml:1: 'gone-2001-key' is not a key of any work (bib/keys.yml lists every key "
        "and its work); correct the key or remove the entry"]
    assert tree(project_copy) == before


def test_unbalanced_braces_in_an_endnote_or_publisher_build_and_print_as_written(library):
    root, site, _ = library
    text = (root / "bib" / "able-2021-allies.bib").read_text(encoding="utf-8")
    entries = parse_string(text, "bibtex").entries  # pybtex reads it: no traceback
    assert set(entries["roe-2021-half-brace"].fields) >= {"title", "organization", "url"}
    assert "note" not in entries["roe-2021-half-brace"].fields
    page = html.unescape((site / "papers" / "able-2021-allies" / "index.html").read_text(encoding="utf-8"))
    assert "Half a Brace } Closes { Nothing" in page
    assert "The {Example} Institute}" in page


def test_a_correction_value_cannot_add_a_field(project_copy):
    (project_copy / "bib" / "corrections.yaml").write_text(
        'kcna-2019-supreme-leader:\n  note: "x}, howpublished = {injected"\n', encoding="utf-8")
    outputs = convert.plan(project_copy)
    text = next(o.text for o in outputs if o.path.name == f"{KLINGNER_SLUG}.bib")
    entry = parse_string(text, "bibtex").entries["kcna-2019-supreme-leader"]
    assert "howpublished" not in entry.fields
    assert "injected" in entry.fields["note"]


def test_one_work_by_doi_url_or_title_author_year():
    registry = key_registry.Registry()
    a = key_registry.Work.of("Smith", "2021", "Deterrence Today", "https://www.example.com/a/")
    same_url = key_registry.Work.of("Smith", "2021", "Deterrence, today!", "http://example.com/a")
    same_title = key_registry.Work.of("Smíth", "2021", "DETERRENCE TODAY", "https://elsewhere.org/x")
    other = key_registry.Work.of("Smith", "2022", "Deterrence Today", "https://example.com/z")
    doi = key_registry.Work.of("Roe", "2020", "A", "https://doi.org/10.1/X", doi="10.1/x")
    doi_again = key_registry.Work.of("Roe", "2020", "B", "", doi="https://doi.org/10.1/X")
    keys = registry.assign_all([("smith-2021-deterrence-today", a), ("smith-2021-deterrence-today", same_url),
                                ("smith-2021-deterrence-today", same_title), ("smith-2021-deterrence-today", other),
                                ("roe-2020-a", doi), ("roe-2020-b", doi_again)])
    assert keys[a] == keys[same_url] == keys[same_title]
    assert keys[other] != keys[a] and keys[other].startswith("smith-2021-deterrence-today-")
    assert keys[doi] == keys[doi_again]
    # the registry written and read back gives every work the same key again
    again = key_registry.Registry(key_registry.Registry(registry.bound).bound)
    assert {w: again.find(w) for w in keys} == keys
