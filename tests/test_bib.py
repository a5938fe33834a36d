"""Endnotes -> BibTeX: every endnote of the Heritage paper, the papers' own entries, corrections."""

import re

import pytest
from pybtex.database import parse_string

from policy_reader.convert import bib
from policy_reader.convert import pipeline as convert
from policy_reader.model import Endnote, SourceError

from support import KLINGNER_SLUG, ROOT


@pytest.fixture(scope="module")
def entries():
    text = (ROOT / "bib" / f"{KLINGNER_SLUG}.bib").read_text(encoding="utf-8")
    return parse_string(text, "bibtex").entries


def test_six_endnotes_and_the_paper(entries):
    assert list(entries) == [
        "klingner-2019-us-needs",
        "kcna-2019-supreme-leader",
        "jeong-2019-north-korea",
        "denyer-2019-north-korea",
        "pytalski-2019-trump-says",
        "green-2017-mcmaster-provide",
        "klingner-2017-save-preemption",
    ]


def test_corporate_author_and_urldate(entries):
    e = entries["kcna-2019-supreme-leader"]
    assert e.type == "online"
    assert str(e.persons["author"][0]) == "{KCNA}"
    assert e.fields["date"] == "2019-04-13" and e.fields["urldate"] == "2019-12-17"
    assert e.fields["url"].endswith("makes-policy-speech-at-first-session-of-14th-spa.pdf")


def test_two_authors_online_outlet(entries):
    e = entries["jeong-2019-north-korea"]
    assert [str(p) for p in e.persons["author"]] == ["Jeong, Sophie", "Humayun, Hira"]
    assert e.fields["organization"] == "CNN"


def test_newspaper_article_and_unescaped_url(entries):
    e = entries["denyer-2019-north-korea"]
    assert e.type == "article" and e.fields["journaltitle"] == "The Washington Post"
    assert e.fields["url"].endswith("d0ca7007273f_story.html")
    assert "\\" not in e.fields["url"]


def test_backgrounder_is_a_techreport(entries):
    e = entries["klingner-2017-save-preemption"]
    assert e.type == "techreport"
    assert (e.fields["institution"], e.fields["type"], e.fields["number"]) == ("Heritage Foundation", "Backgrounder", "3195")
    assert "urldate" not in e.fields


def test_source_value_kept_and_correction_recorded_in_note(entries):
    e = entries["pytalski-2019-trump-says"]
    assert e.fields["url"].endswith("idUSKBNIYBOLD")  # as printed
    assert "idUSKBN1YB0LD" in e.fields["note"] and "not confirmed" in e.fields["note"]


def test_the_paper_itself_is_an_entry(entries):
    e = entries["klingner-2019-us-needs"]
    assert e.type == "techreport"
    assert e.fields["type"] == "Issue Brief" and e.fields["number"] == "5022"
    assert e.fields["url"] == "http://report.heritage.org/ib5022"
    assert e.fields["date"] == "2019-12-20"


def test_only_acronyms_and_names_keep_their_case():
    proper = bib.proper_nouns(["He said that Trump met Kim Jong-un, and North Korean envoys came to the U.S. in May."])
    assert bib.protect_case("Trump Says Does Not Think Kim Jong Un Wants a U.S. Election", proper) == (
        "{Trump} Says Does Not Think {Kim Jong Un} Wants a {U.S. }Election")
    assert bib.protect_case("Ship-to-Ship Transfers by AT&T and McMaster") == "Ship-to-Ship Transfers by {AT&T} and {McMaster}"


def test_corporate_and_family_first_names_are_literal():
    assert bib.bibtex_name("Kim Jong Un") == "{Kim Jong Un}"
    assert bib.bibtex_name("Moon Jae-in") == "{Moon Jae-in}"
    assert bib.bibtex_name("Congressional Research Service") == "{Congressional Research Service}"
    assert bib.bibtex_name("Sophie Jeong") == "Jeong, Sophie"
    assert bib.bibtex_name("Lee Smith") == "Smith, Lee"


def test_no_value_can_close_its_field_or_add_another():
    for hostile in ("x}, note = {evil", "a } b { c", "50% of AT&T_#1 $5 ~^\\", "{{{", "}}}"):
        entry = bib.Entry("online", "k", {"author": "{X}", "title": hostile, "note": hostile, "date": "2019-01-02"})
        parsed = parse_string(bib.format_entry(entry), "bibtex").entries["k"]
        assert set(parsed.fields) == {"title", "note", "date", "year", "month"}, hostile


def test_endnote_without_title_is_a_clear_error():
    note = Endnote(2, "Somebody, Some Outlet, May 1, 2019.", 66)
    with pytest.raises(SourceError) as err:
        bib.endnote_entry(note, "sources/x.txt")
    assert str(err.value).startswith("sources/x.txt:66: endnote 2: no quoted title")


def test_corrections_win_and_survive_reconversion(project_copy):
    (project_copy / "bib" / "corrections.yaml").write_text(
        "kcna-2019-supreme-leader:\n  title: Corrected Title\n", encoding="utf-8"
    )
    outputs = convert.plan(project_copy)
    bibtext = next(o.text for o in outputs if o.path.name == f"{KLINGNER_SLUG}.bib")
    assert parse_string(bibtext, "bibtex").entries["kcna-2019-supreme-leader"].fields["title"] == "Corrected Title"


def test_correction_for_unknown_key_names_file_and_line(project_copy):
    (project_copy / "bib" / "corrections.yaml").write_text("# c\nno-such-key:\n  note: x\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        convert.plan(project_copy)
    assert str(err.value) == (
        "bib/corrections.yaml:2: 'no-such-key' is not a key of any work (bib/keys.yml lists every key and its work); "
        "correct the key or remove the entry")


def test_papers_with_the_same_key_stem_get_distinct_keys_whatever_the_file_order(tmp_path):
    def project(root, names):
        (root / "sources").mkdir(parents=True)
        (root / "bib").mkdir()
        for n, name in zip((1, 2), names):
            (root / "sources" / f"{name}.txt").write_text(f"Talks are the only road, part {n}\n\nRichard Roe\n\nMarch 3, 2020\n\nText {n}.\n", encoding="utf-8")
            (root / "sources" / f"{name}.yml").write_text(f"publisher: P\nkind: article\nsummary: s\nslug: roe-part-{n}\n", encoding="utf-8")
        outputs = convert.plan(root)
        return {o.path.name: list(parse_string(o.text, "bibtex").entries)[0] for o in outputs if o.path.suffix == ".bib"}

    one = project(tmp_path / "a", ["a-1", "b-2"])
    two = project(tmp_path / "b", ["b-1", "a-2"])  # part 2 now sorts first
    assert one == two
    assert sorted(one.values())[0] == "roe-2020-talks-only"
    assert re.fullmatch(r"roe-2020-talks-only-[0-9a-f]{4}", sorted(one.values())[1])
