from policy_reader.convert import pipeline as convert
from policy_reader.readers import text as parse
from policy_reader.model import SourceError
from policy_reader.readers.text import plain

import pytest

from support import GOMEZ_SRC, KLINGNER_SRC


def build(path, **meta):
    base = {"publisher": "P", "kind": "report", "summary": "S", "date": "2019-12-20"}
    base.update(meta)
    return convert.build_document(path.read_text(encoding="utf-8"), base, path.name, "meta.yml")


def test_heritage_structure():
    doc = build(KLINGNER_SRC)
    assert doc.meta.title == "U.S. Needs Resolve and Restraint in Response to North Korean Provocations"
    assert doc.meta.authors == ("Bruce Klingner",)
    assert doc.takeaways_heading == "KEY TAKEAWAYS"
    assert [t.id for t in doc.takeaways] == ["kt-1", "kt-2", "kt-3"]
    assert doc.takeaways[2].text.endswith("regional allies..")  # printed with two dots; kept
    titles = [s.title for s in doc.sections]
    assert titles == [
        None,
        "North Korean Warnings.",
        "Mixed U.S. Response.",
        "Brinksmanship as Negotiating Tactic.",
        "How the U.S. Should Respond.",
    ]
    paras = doc.paragraphs()
    assert [p.id for p in paras] == [f"p-{i}" for i in range(1, 19)]
    assert doc.bio is not None and doc.bio.text.startswith("Bruce Klingner is a Senior Research Fellow")
    assert [n.number for n in doc.endnotes] == [1, 2, 3, 4, 5, 6]
    # note markers, in order, on the right paragraphs
    assert paras[3].notes == (1, 2) and paras[4].notes == (3,) and paras[7].notes == (4, 5)
    assert paras[13].notes == (6,)
    assert "<sup>" not in "".join(p.text for p in paras)


def test_op_ed_structure():
    doc = build(GOMEZ_SRC, date=None, kind="article")
    assert doc.meta.title == "There must be consequences for North Korea's new missile tests"
    assert doc.meta.authors == ("Eric Gomez",)
    assert doc.meta.date == "2019-07-25"
    assert doc.takeaways == () and doc.endnotes == ()
    assert len(doc.paragraphs()) == 9
    assert doc.bio.text == "Eric Gomez is a policy analyst for defense and foreign policy studies at the Cato Institute."


def test_parse_date():
    assert parse.parse_date("July 25, 2019") == "2019-07-25"
    assert parse.parse_date("Julyish 25, 2019") == ""
    assert parse.parse_date("February 30, 2019") == ""


def test_plain_strips_note_markers():
    text, notes = parse.mark_notes("a “b.”<sup>1</sup> c.<sup>2</sup>")
    assert notes == (1, 2)
    assert plain(text) == "a “b.” c."


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("", 0, "empty"),
        ("# Title\n", 1, "no byline"),
        ("# T\n\n*A*\n\n## KEY TAKEAWAYS\n\nOne.\n\nTwo.\n", 5, "expected 3 takeaway paragraphs"),
        ("# T\n\n*A*\n\nBody.\n\n## Endnotes\n\n1. ok\nnot a note\n", 10, "must start with its number"),
    ],
)
def test_parse_errors_name_the_line(text, line, fragment):
    with pytest.raises(SourceError) as err:
        parse.parse(text, "sources/x.txt")
    assert err.value.line == line
    assert fragment in str(err.value)
    assert str(err.value).startswith("sources/x.txt")


@pytest.mark.parametrize("text", [
    "Plain words.", "A <b>tag</b> & an entity &amp; a@b.org", r"Back\slash *stars* _under_ [x](y) {: .c} #h `c`",
    "1. looks like a list", "- also", "[@key] stays text",
])
def test_what_emit_escapes_reads_back_as_the_same_words(text):
    from policy_reader.page import markdown as emit

    assert emit.unescape_text(emit.escape_text(text)) == text


def test_read_blocks_reads_what_emit_writes():
    from policy_reader.page import markdown as emit

    md = emit.emit(build(KLINGNER_SRC), {n: f"key-{n}" for n in range(1, 7)})
    blocks = emit.read_blocks(md)
    assert [b.id for b in blocks] == ["kt-1", "kt-2", "kt-3", *[f"p-{i}" for i in range(1, 19)], "bio"]
    assert [b.kind for b in blocks][:4] == ["takeaway"] * 3 + ["para"]
    p4 = blocks[6]
    assert p4.text.endswith("[@key-2]") and "[@" not in p4.words
    assert md.split("\n")[p4.line - 1] == p4.text
