from policy_reader.readers import repair
from policy_reader.model import Block, Document, Endnote


def doc_of(*texts):
    return Document(source="s.txt", blocks=tuple(Block(t, i + 1) for i, t in enumerate(texts)))


def test_drop_page_furniture_removes_the_three_blocks_and_keeps_the_url():
    doc = doc_of(
        "Para one,",
        "This paper, in its entirety, can be found at <http://report.heritage.org/ib5022>",
        "The Heritage Foundation | 214 Massachusetts Avenue, NE | Washington, DC 20002 | (202) 546-4400 | [heritage.org](http://heritage.org)",
        "Nothing written here is to be construed as necessarily reflecting the views of The Heritage Foundation or as an attempt to aid or hinder the passage of any bill before Congress.",
        "continued.",
    )
    out = repair.drop_page_furniture(doc)
    assert [b.text for b in out.blocks] == ["Para one,", "continued."]
    assert dict(out.furniture) == {"report_url": "http://report.heritage.org/ib5022"}


def test_drop_page_furniture_leaves_ordinary_paragraphs():
    text = "Nothing written here is final, says the author | and a pipe."
    doc = doc_of(text, "The Heritage Foundation argues that sanctions work.")
    assert repair.drop_page_furniture(doc).blocks == doc.blocks


def test_rejoin_page_break_splits_joins_only_open_then_lowercase():
    doc = doc_of(
        "Washington must implement a comprehensive strategy of military deterrence,",
        "containment, pressure, law enforcement.",
        "Craft also offered Pyongyang a way out of the crisis",
        "by emphasizing that the U.S. is “prepared to be flexible.”",
        "A full sentence.",
        "lower-case start after a full stop stays apart.",
        "**Heading.** Text",
    )
    out = repair.rejoin_page_break_splits(doc)
    assert [b.text for b in out.blocks] == [
        "Washington must implement a comprehensive strategy of military deterrence, containment, pressure, law enforcement.",
        "Craft also offered Pyongyang a way out of the crisis by emphasizing that the U.S. is “prepared to be flexible.”",
        "A full sentence.",
        "lower-case start after a full stop stays apart.",
        "**Heading.** Text",
    ]
    assert [b.line for b in out.blocks][:2] == [1, 3]


def test_unescape_url_escapes_only_inside_urls():
    note = Endnote(3, r"A \_b\_, [https://x.com/a\\_story.html](https://x.com/a_story.html) <https://y.org/c\_d>", 67)
    out = repair.unescape_url_escapes(Document(source="s", endnotes=(note,)))
    assert out.endnotes[0].text == r"A \_b\_, [https://x.com/a_story.html](https://x.com/a_story.html) <https://y.org/c_d>"


def test_rules_are_named_and_ordered():
    assert [name for name, _ in repair.RULES] == [
        "drop_page_furniture", "rejoin_page_break_splits", "unescape_url_escapes",
    ]
