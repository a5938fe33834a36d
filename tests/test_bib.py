"""Endnotes -> BibTeX: every endnote of the Heritage paper, the papers' own entries, corrections."""

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


def test_titles_are_protected_from_recasing():
    assert bib.protect_case("Trump Says in U.S. Election") == "{Trump} {Says} in {U.S.} {Election}"


def test_endnote_without_title_is_a_clear_error():
    note = Endnote(2, "Somebody, Some Outlet, May 1, 2019.", 66)
    with pytest.raises(SourceError) as err:
        bib.endnote_entry(note, "sources/x.txt")
    assert str(err.value).startswith("sources/x.txt:66: endnote 2: no quoted title")


def test_key_clash_gets_a_suffix():
    a = bib.Entry("online", "", {"author": "X", "title": "Same Title", "date": "2019-01-01", "_sort_name": "Doe"})
    b = bib.Entry("online", "", {"author": "X", "title": "Same Title", "date": "2019-02-01", "_sort_name": "Doe"})
    bib.assign_keys([a, b], set())
    assert (a.key, b.key) == ("doe-2019-same-title", "doe-2019-same-title-b")


def test_corrections_win_and_survive_reconversion(project_copy):
    (project_copy / "bib" / "corrections.yaml").write_text(
        "kcna-2019-supreme-leader:\n  title: Corrected Title\n", encoding="utf-8"
    )
    outputs = convert.plan(project_copy)
    bibtext = next(o.text for o in outputs if o.path.name == f"{KLINGNER_SLUG}.bib")
    assert parse_string(bibtext, "bibtex").entries["kcna-2019-supreme-leader"].fields["title"] == "{Corrected} {Title}"


def test_correction_for_unknown_key_names_file_and_line(project_copy):
    (project_copy / "bib" / "corrections.yaml").write_text("# c\nno-such-key:\n  note: x\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        convert.plan(project_copy)
    assert str(err.value).startswith("bib/corrections.yaml:2: no bib entry has the key 'no-such-key'")


def test_papers_with_the_same_key_stem_get_distinct_keys(tmp_path):
    src = tmp_path / "sources"
    src.mkdir()
    (tmp_path / "bib").mkdir()
    for n in (1, 2):
        (src / f"roe-{n}.txt").write_text(f"Talks are the only road, part {n}\n\nRichard Roe\n\nMarch 3, 2020\n\nText {n}.\n", encoding="utf-8")
        (src / f"roe-{n}.yml").write_text(f"publisher: P\nkind: article\nsummary: s\nslug: roe-part-{n}\n", encoding="utf-8")
    outputs = convert.plan(tmp_path)
    keys = [list(parse_string(o.text, "bibtex").entries)[0] for o in outputs if o.path.suffix == ".bib"]
    assert keys == ["roe-2020-talks-only", "roe-2020-talks-only-b"]
