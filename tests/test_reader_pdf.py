"""The PDF reader: PDFs built here with reportlab, read back into the document model.

Papers are typeset by :mod:`pdf_fixtures` from text in :mod:`pdf_papers`; the
typesetter reports what it printed (paragraphs, note marks, furniture, words
cut by hyphens, paragraphs cut by page breaks), and the tests compare the
reader with that. Each step of the reader has its own tests below.
"""

from __future__ import annotations

from dataclasses import replace

import pdfplumber
import pytest

import pdf_papers
from pdf_fixtures import encrypted_pdf, image_only_pdf
from policy_reader.model import SourceError
from policy_reader.readers import furniture, pdf
from policy_reader.readers import text as text_reader
from policy_reader.readers.pdf_layout import Line, Span, page_lines


def structured(doc):
    """:func:`pdf.read` returns the structured model: nothing left to do."""
    assert not doc.blocks and (doc.sections or not doc.paragraphs())
    return doc


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    built = pdf_papers.report(tmp_path_factory.mktemp("report"))
    return built, pdf.read(built.path, "sources/harbors.pdf")


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    built = pdf_papers.brief(tmp_path_factory.mktemp("brief"))
    return built, pdf.read(built.path, "sources/libraries.pdf")


def assert_body_verbatim(built, doc, bio: bool):
    paras = doc.paragraphs()
    expected = built.paragraphs[:-1] if bio else built.paragraphs
    got = [text_reader.plain(p.text) for p in paras]
    assert got == expected  # every sentence, verbatim, in order; nothing else (no furniture)
    assert [p.notes for p in paras] == built.notes_of[: len(expected)]
    if bio:
        assert doc.bio is not None and doc.bio.text == built.paragraphs[-1]
    body = " ".join([*got, *(t.text for t in doc.takeaways)])
    for printed in built.furniture:
        if not printed.isdigit():
            assert printed not in body
    titles = [s.title for s in doc.sections]
    assert not any(quote in (title or "") for quote in built.pull_quotes for title in titles)
    # (notes are compared whole in each paper's notes test: no furniture there either)


# ------------------------------------------------------------------ A: think-tank report


def test_report_fixture_has_the_hard_parts(report):
    built, _ = report
    assert built.hyphenated, "no word was cut by a hyphen at a line end"
    assert built.split_across_pages, "no paragraph was cut by a page break"
    with pdfplumber.open(built.path) as doc:
        raw = "".join(c["text"] for page in doc.pages for c in page.chars)
    assert "ﬁ" in raw and "“" in raw and "’" in raw  # a ligature and curly quotes are printed


def test_report_metadata_from_the_cover(report):
    _, doc = report
    assert doc.meta.title == pdf_papers.REPORT_TITLE  # not the larger all-caps banner above it
    assert doc.meta.authors == ("Marta Quillan", "Desmond Achebe")  # the printed byline, not the info dict
    assert doc.meta.date == "2025-03-03"
    assert dict(doc.furniture)["subtitle"] == "A plan for federal and state partners"
    assert doc.shape == "markdown"


def test_report_takeaways_sections_and_body(report):
    built, raw = report
    doc = structured(raw)
    assert doc.takeaways_heading == "Key Takeaways"
    assert [t.text for t in doc.takeaways] == built.takeaways
    assert [s.title for s in doc.sections] == [
        None,
        "The Scale of the Problem",
        "Closures Are Getting Longer.",
        "Small Harbors Carry the Risk.",
        "A Resilience Fund for Ports",
        "Standards Before Money.",
        "Recommendations",
    ]
    assert_body_verbatim(built, doc, bio=True)


def test_report_pull_quote_is_not_a_heading(report):
    built, doc = report
    assert built.pull_quotes and all(q not in (s.title or "") for q in built.pull_quotes for s in doc.sections)


def test_report_kept_as_printed(report):
    built, raw = report
    words = " ".join(text_reader.plain(p.text) for p in structured(raw).paragraphs())
    assert "ﬁnancing" in words and "“pay later”" in words and "water’s edge" in words
    assert "long-term" in words  # a compound keeps its hyphen
    for head, tail in built.hyphenated:
        assert head + tail not in words  # no hyphen left where a word was cut
        assert head[:-1] + tail.rstrip(".,") in words


def test_report_notes_list(report):
    _, doc = report
    assert [(n.number, n.text) for n in doc.endnotes] == sorted(pdf_papers.REPORT_NOTES.items())
    assert all(n.line == 3 for n in doc.endnotes)  # the page they are printed on
    assert not any("Notes" == (s.title or "") for s in structured(doc).sections)


def test_report_blocks_name_their_pages(report):
    built, doc = report
    blocks = pdf.read_blocks(built.path, "sources/harbors.pdf")
    assert blocks.blocks[0].line == 2 and blocks.blocks[-1].line == 3  # the cover is page 1
    assert blocks.blocks[2].text.startswith("## The Scale") and blocks.blocks[3].text.startswith("**Closures Are Getting Longer.** Over")
    assert "<sup>2</sup>" in blocks.blocks[3].text
    assert doc.paragraphs()[0].line == 2 and doc.bio.line == 3
    assert dict(doc.furniture)["title_line"] == "1"


# ------------------------------------------------------------------ B: a short brief


def test_brief_reads_right(brief):
    built, raw = brief
    assert raw.meta.title == pdf_papers.BRIEF_TITLE  # below a bolder, all-caps masthead
    assert raw.meta.authors == ("Priya Natarajan",)
    assert raw.meta.date == "2024-06-12"  # from "By Priya Natarajan | June 12, 2024"
    doc = structured(raw)
    assert [s.title for s in doc.sections] == [None, "What Funding Exists", "A Budget Line, Not a Favor"]
    assert_body_verbatim(built, doc, bio=False)
    assert [(n.number, n.text) for n in doc.endnotes] == sorted(pdf_papers.BRIEF_NOTES.items())
    assert "[1]" not in " ".join(p.text for p in doc.paragraphs())


# ------------------------------------------------------------------ C: two publishers, footnotes
# This shape was kept aside while the reader was written; its first reading kept
# the one running header of page 2 (unrepeated in a two-page paper) as a paragraph
# and left "About the Authors" as an empty section: see in_margin, about_the_authors.


@pytest.fixture(scope="module")
def joint(tmp_path_factory):
    built = pdf_papers.joint(tmp_path_factory.mktemp("joint"))
    return built, pdf.read(built.path, "sources/customs.pdf")


def test_joint_paper_reads_right(joint):
    built, raw = joint
    assert built.split_across_pages and built.hyphenated
    assert raw.meta.title == pdf_papers.JOINT_TITLE
    assert raw.meta.authors == ("Aiko Tanabe", "Rafael Mendes", "Grace Oyelaran")  # not the info dict's publisher
    assert raw.meta.date == "2024-10-15"
    doc = structured(raw)
    assert [s.title for s in doc.sections] == [
        None, "How Crossings Work Today", "What Forwarders Told Us", "Safeguards", "A Pilot Corridor"]
    assert_body_verbatim(built, doc, bio=True)


def test_joint_paper_footnotes(joint):
    built, doc = joint
    assert [(n.number, n.text) for n in doc.endnotes] == sorted(pdf_papers.JOINT_NOTES.items())
    assert [n.line for n in doc.endnotes] == [1, 1, 1, 1, 2]  # the page each is printed on


# ------------------------------------------------------------------ D: two columns


def test_two_column_brief_reads_in_column_order(tmp_path):
    built = pdf_papers.columns(tmp_path)
    assert built.split_across_pages  # a paragraph runs from one column into the next
    raw = pdf.read(built.path, "sources/schools.pdf")
    assert (raw.meta.title, raw.meta.authors, raw.meta.date) == (
        pdf_papers.COLUMNS_TITLE, ("Noor Vance", "Tobias Lind"), "2025-09-09")
    doc = structured(raw)
    assert [s.title for s in doc.sections] == [None, "The Cost of Heat", "What Works"]
    assert_body_verbatim(built, doc, bio=False)
    assert [(n.number, n.text) for n in doc.endnotes] == sorted(pdf_papers.COLUMNS_NOTES.items())


# ------------------------------------------------------------------ E: bracketed marks, footnotes


def test_bracketed_marks_with_page_bottom_footnotes(tmp_path):
    built = pdf_papers.water(tmp_path)
    assert built.hyphenated
    doc = pdf.read(built.path, "sources/water.pdf")
    assert (doc.meta.title, doc.meta.authors, doc.meta.date) == (pdf_papers.WATER_TITLE, ("Lena Ortiz",), "2024-04-02")
    assert [s.title for s in doc.sections] == [None, "1. The Case for Tiers", "2. Lessons From Early Adopters"]
    assert_body_verbatim(built, doc, bio=False)
    assert [(n.number, n.line, n.text) for n in doc.endnotes] == [
        (1, 1, pdf_papers.WATER_NOTES[1]), (2, 1, pdf_papers.WATER_NOTES[2]), (3, 2, pdf_papers.WATER_NOTES[3])]


# ------------------------------------------------------------------ bad input


def test_encrypted_pdf_is_refused(tmp_path):
    with pytest.raises(SourceError) as err:
        pdf.read(encrypted_pdf(tmp_path / "locked.pdf"), "sources/locked.pdf")
    assert str(err.value).startswith("sources/locked.pdf: the PDF is encrypted")
    assert "\n" not in str(err.value)


def test_image_only_pdf_is_refused(tmp_path):
    with pytest.raises(SourceError) as err:
        pdf.read(image_only_pdf(tmp_path / "scan.pdf"), "sources/scan.pdf")
    assert str(err.value).startswith("sources/scan.pdf:1: the PDF has no text layer")
    assert "OCR" in str(err.value)


def test_text_named_pdf_is_refused(tmp_path):
    fake = tmp_path / "paper.pdf"
    fake.write_text("A Title\n\nJane Doe\n\nSome words.\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        pdf.read(fake, "sources/paper.pdf")
    assert str(err.value).startswith("sources/paper.pdf:1: not a PDF")


def test_empty_pdf_is_refused(tmp_path):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="sources/empty.pdf: the file is empty"):
        pdf.read(empty, "sources/empty.pdf")


def test_unmapped_glyphs_are_refused():
    pages = [[_line(f"Words (cid:{k})(cid:9)", page=2, top=100 + 13 * k) for k in range(4)], [_line("fine", page=3)]]
    with pytest.raises(SourceError, match=r"^sources/x.pdf:2: 4 lines have characters with no text mapping"):
        pdf.check_text_layer(pages, "sources/x.pdf")
    pdf.check_text_layer([[_line("Plain words.")]], "sources/x.pdf")


def test_damaged_pdf_is_refused(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" + b"\x00" * 20)
    with pytest.raises(SourceError, match="sources/broken.pdf"):
        pdf.read(broken, "sources/broken.pdf")


# ------------------------------------------------------------------ the steps


def char(text, x0, top, size=10.0, font="Serif", rise=0.0):
    """A pdfplumber-shaped character (width 0.5 em)."""
    bottom = top + size
    return {"text": text, "x0": x0, "x1": x0 + size * 0.5, "top": top - rise, "bottom": bottom - rise,
            "size": size, "fontname": font, "upright": True}


def word(text, x0, top, **kw):
    size = kw.get("size", 10.0)
    return [char(c, x0 + i * size * 0.5, top, **kw) for i, c in enumerate(text)]


def test_layout_lines_superscripts_and_spaces():
    chars = word("Ports", 72, 100) + word("close.", 72 + 5 * 5 + 3, 100)  # a gap, no space character
    chars += word("12", 72 + 11 * 5 + 3, 104, size=6.0, rise=3.5)  # smaller, raised off the same baseline
    chars += word("Next", 72, 114)  # the next line
    chars += word("Head", 72 + 13 * 5 + 6, 101, font="ABCDEF+Minion-Bold")
    chars += word("7", 400, 100)  # beyond a gutter: a piece of its own
    lines = page_lines(chars, page=4)
    assert [line.words for line in lines] == ["Ports close. Head", "7", "Next"]
    spaced = [char(c, 72 + i * 8.0, 200) for i, c in enumerate("REPORT")] + [char(c, 72 + 6 * 8.0 + 6 + i * 8.0, 200) for i, c in enumerate("NO")]
    assert [line.words for line in page_lines(spaced, page=1)] == ["REPORT NO"]  # letters 3pt apart, words 9pt
    tabbed = word("12.", 72, 300) + word("Source text", 72 + 40, 300)  # a note number, a tab, the note
    assert [line.words for line in page_lines(tabbed, page=1)] == ["12. Source text"]
    first = lines[0]
    assert first.page == 4 and first.size == 10.0
    assert [(s.text.strip(), s.sup) for s in first.spans][:3] == [("Ports close.", False), ("12", True), ("Head", False)]
    assert first.spans[-1].font == "Minion-Bold" and first.spans[-1].bold
    assert pdf.line_markup(first) == "Ports close.<sup>12</sup> Head"


def test_dedupe_drops_overprinted_copies():
    from policy_reader.readers.pdf_layout import dedupe
    chars = word("Bold", 72, 100) + word("Bold", 72.4, 100.3) + word("Bold", 72, 114)
    assert [c["top"] for c in dedupe(chars)] == [100] * 4 + [114] * 4


def test_reading_order_of_two_columns():
    lines = [_line("Title across the page", top=60, x0=72, x1=540)]
    lines += [_line(f"left {k}", top=100 + 13 * k, x0=72, x1=296) for k in range(6)]
    lines += [_line(f"right {k}", top=100 + 13 * k, x0=316, x1=540) for k in range(6)]
    lines += [_line("A heading across", top=200, x0=72, x1=540), _line("left after", top=220, x0=72, x1=296),
              _line("right after", top=220, x0=316, x1=540)]
    from policy_reader.readers.pdf_layout import reading_order
    assert [line.words for line in reading_order(lines)] == [
        "Title across the page", *(f"left {k}" for k in range(6)), *(f"right {k}" for k in range(6)),
        "A heading across", "left after", "right after"]
    one_column = [_line(f"line {k}", top=100 + 13 * k, x0=72 if k % 4 else 90, x1=540 if k % 3 else 200) for k in range(12)]
    assert reading_order(one_column) == one_column  # short lines and indented first lines: one column
    sidebar = [_line("Title", top=60, x0=72, x1=540)]
    sidebar += [_line(f"takeaway {k}", top=100 + 13 * k, x0=72, x1=200) for k in range(5)]
    sidebar += [_line(f"text {k}", top=100 + 13 * k, x0=220, x1=540) for k in range(12)]
    assert [line.words for line in reading_order(sidebar)] == [
        "Title", *(f"takeaway {k}" for k in range(5)), *(f"text {k}" for k in range(12))]


def _line(text, page=1, top=100.0, size=10.0, x0=72.0, x1=540.0, font="Serif", spans=None):
    return Line(page, top, top + size, x0, x1, size, spans or (Span(text, font, size),))


def test_furniture_by_repetition_and_position():
    pages = [
        [("Cover Title", 0.3)],
        [("Harbors Under Strain | Report 7", 0.04), ("Body text that is long.", 0.5), ("2", 0.96)],
        [("Harbors Under Strain | Report 7", 0.04), ("Other body text here.", 0.5), ("Page 3 of 4", 0.96)],
        [("Harbors Under Strain | Report 7", 0.04), ("Harbors Under Strain | Report 7", 0.5), ("- 4 -", 0.96)],
    ]
    found = furniture.find(pages)
    # the header thrice at the top, three page numbers; the same words in mid-page are text
    assert found == {(1, 0), (2, 0), (3, 0), (1, 2), (2, 2), (3, 2)}
    # without positions, the first and last lines of pages are the candidates
    pages = [[("Brief", None), *[(f"words {p}{i}", None) for i in "abc"], ("Brief", None)] for p in "xy"]
    assert furniture.find(pages) == {(0, 0), (0, 4), (1, 0), (1, 4)}
    assert furniture.is_page_number("xii") and not furniture.is_page_number("civic")


def test_furniture_whose_words_change_is_found_by_its_place():
    names = ["Part One: Costs", "Part Two: Funds", "Part Three: Rules"]
    pages = [[(name, 0.05), *[(f"{name} body line {'x' * k}", 0.12 + 0.02 * k) for k in range(30)]]
             for p, name in enumerate(names)]
    # a header naming each page's part: no repetition, but apart from the text at one place
    assert furniture.find(pages) == {(0, 0), (1, 0), (2, 0)}
    pages[1][0] = ("A top line in the flow", 0.10)  # in the text's flow: kept
    assert (1, 0) not in furniture.find(pages)


def test_a_lone_small_line_in_a_margin_is_furniture():
    page = [_line("Section name", page=2, top=30, size=8)] + [_line(f"text {k}", page=2, top=80 + 13 * k) for k in range(10)]
    page.append(_line("1 A one-line footnote.", page=2, top=740, size=8))
    page_end = page[:-1] + [_line("printed for review only", page=2, top=750, size=7)]
    assert pdf.in_margin(page, 0, 10.0) and not pdf.in_margin(page, 1, 10.0)
    assert not pdf.in_margin(page, len(page) - 1, 10.0)  # a footnote starts with its number
    assert pdf.in_margin(page_end, len(page_end) - 1, 10.0)
    first = [_line("Masthead", page=1, top=30, size=8)] + page[1:]
    assert not pdf.in_margin(first, 0, 10.0)  # page 1's top is the front matter's


def test_takeaways_end_where_their_list_or_column_ends():
    def para(text, kind="body", column=0, size=10.0):
        line = Line(1, 100, 110, 72, 300, size, (Span(text, "Serif", size),), column=column)
        return pdf.Para(kind, (line,)), ("## " + text if kind == "heading" else text)

    bullets = [para("Key Takeaways", "heading"), para("• One."), para("• Two."), para("Body starts.")]
    heading, items, blocks = pdf.split_takeaways(bullets)
    assert heading == "Key Takeaways" and [t.text for t in items] == ["• One.", "• Two."]
    assert [b.text for b in blocks] == ["Body starts."]
    sidebar = [para("Key Takeaways", "heading"), para("One."), para("Two."), para("Body starts.", column=1)]
    assert [t.text for t in pdf.split_takeaways(sidebar)[1]] == ["One.", "Two."]
    look = [para("Key Takeaways", "heading"), para("One.", size=9), para("Body starts.")]
    assert [b.text for b in pdf.split_takeaways(look)[2]] == ["Body starts."]


def test_about_the_authors_becomes_the_bio_block():
    from policy_reader.model import Block
    blocks = [Block("Text.", 1), Block("## About the Authors", 2), Block("Ann Poe is a fellow.", 2), Block("Li Wei is an analyst.", 2)]
    assert pdf.about_the_authors(blocks) == [Block("Text.", 1), Block("Ann Poe is a fellow. Li Wei is an analyst.", 2)]
    kept = [Block("## About the Author", 1), Block("Text.", 1), Block("## Later", 2), Block("More.", 2)]
    assert pdf.about_the_authors(kept) == kept  # not the closing section: left alone


def test_join_lines_hyphenation():
    assert pdf.join_lines(["the eco-", "nomic case"]) == "the economic case"
    assert pdf.join_lines(["a long-", "term lease"], frozenset({"long-term"})) == "a long-term lease"
    assert pdf.join_lines(["the Indo-", "Pacific"]) == "the Indo-Pacific"
    assert pdf.join_lines(["soft\u00ad", "ware"]) == "software"
    assert pdf.join_lines(["1990–", "2000 and", "then—", "later"]) == "1990–2000 and then—later"
    assert pdf.join_lines(["see https://example.org/", "report"]) == "see https://example.org/report"


def test_marks():
    assert pdf.bracket_marks("lack [1]. And [2, 3] or [9].", {1, 2, 3}) == "lack<sup>1</sup>. And<sup>2</sup><sup>3</sup> or [9]."
    assert pdf._sup_marks("4–6") == "<sup>4</sup><sup>5</sup><sup>6</sup>"


def test_unicode_superscript_digits_are_marks():
    assert pdf.line_markup(_line("as reported.¹² Then “this”³ but 10⁹")) == "as reported.<sup>12</sup> Then “this”<sup>3</sup> but 10⁹"


def test_drop_cap_goes_back_to_its_paragraph():
    chars = [char("T", 72, 96, size=36.0)]  # three lines tall, beside the paragraph's first lines
    chars += word("he storm came early.", 100, 100) + word("Ports closed for days", 100, 113) + word("and the docks flooded.", 100, 126)
    lines = page_lines(chars, page=2)
    assert [line.words for line in lines] == ["T", "he storm came early.", "Ports closed for days", "and the docks flooded."]
    paras = pdf.attach_drop_caps(pdf.group_paragraphs(lines, 10.0))
    assert [pdf.render(p) for p in paras] == ["The storm came early. Ports closed for days and the docks flooded."]
    title = [replace(_line("A Title Above", top=40, size=20), page=2)]
    front, rest = pdf.split_front([*title, *lines], 10.0)  # on the first page: the cap is not the title
    assert [line.words for line in front] == ["A Title Above"] and rest[0].words == "T"
    assert pdf.read_front(front, 10.0).title == "A Title Above"


def test_table_of_contents_is_dropped():
    paras = [pdf.Para("heading", (_line("Contents", page=2, size=14),)),
             pdf.Para("heading", (_line("Introduction", page=2, top=130, size=14),)),
             pdf.Para("body", (_line("Why it matters 3", page=2, top=160),)),
             pdf.Para("heading", (_line("Introduction", page=3, size=14),)),
             pdf.Para("body", (_line("The text begins.", page=3, top=130),))]
    assert [p.page for p in pdf.drop_contents(paras)] == [3, 3]


def test_dates_and_authors():
    assert pdf.parse_date("Issue Brief | July 25, 2019") == "2019-07-25"
    assert pdf.parse_date("3 March 2025") == "2025-03-03"
    assert pdf.parse_date("Sept. 9, 2021") == "2021-09-09"
    assert pdf.parse_date("June 2024") == "2024-06"  # as precise as printed
    assert pdf.parse_date("February 30, 2019") == ""
    assert pdf.split_authors("By Jane Doe, John Roe, and Ann Poe") == ("Jane Doe", "John Roe", "Ann Poe")
    assert pdf.split_authors("Jane Doe & Li Wei") == ("Jane Doe", "Li Wei")


def test_read_front_title_byline_date():
    front = [
        _line("THE CIVIC LEDGER", size=20, top=60, font="Serif-Bold"),
        _line("A Title in Two", size=18, top=100),
        _line("Printed Lines", size=18, top=120),
        _line("With a subtitle", size=13, top=150),
        _line("Ann Poe and Li Wei", size=10, top=180),
        _line("March 2024", size=10, top=200),
    ]
    got = pdf.read_front(front, 10.0)
    assert (got.title, got.subtitle, got.authors, got.date) == (
        "A Title in Two Printed Lines", "With a subtitle", ("Ann Poe", "Li Wei"), "2024-03")


def test_metadata_falls_back_to_the_info_dict():
    meta = pdf.to_metadata(pdf.Front(), {"Title": "Info Title", "Author": "A. Writer; B. Writer", "CreationDate": "D:20230105120000Z"})
    assert (meta.title, meta.authors, meta.date) == ("Info Title", ("A. Writer", "B. Writer"), "2023-01-05")
    placeholders = {"Title": "Microsoft Word - draft3.docx", "Author": "anonymous"}
    assert pdf.to_metadata(pdf.Front(), placeholders) == pdf.to_metadata(pdf.Front(), {})
    printed = pdf.Front(title="Printed", authors=("Ann Poe",), date="2024-01-02")
    assert pdf.to_metadata(printed, {"Title": "Info", "Author": "Someone"}).authors == ("Ann Poe",)


def test_notes_section_and_footnotes():
    lines = [
        _line("Body text ends here.", top=100),
        _line("Notes", top=130, size=14, font="Serif-Bold"),
        _line("1. First source, 2020.", top=150, size=8),
        _line("continued here.", top=160, size=8),
        _line("2. Second source, 2021.", top=170, size=8),
        _line("About the Author", top=200, size=14, font="Serif-Bold"),
    ]
    body, notes, heading = pdf.split_notes_section(lines, 10.0)
    assert heading == "Notes" and [line.words for line in body] == ["Body text ends here.", "About the Author"]
    section = [_line("Sources", top=100, size=14), _line("Power comes from three sources today.", top=120)]
    assert pdf.split_notes_section(section, 10.0) == (section, [], "")  # a section about sources
    assert [(n.number, n.text) for n in pdf.parse_notes(notes)] == [(1, "First source, 2020. continued here."), (2, "Second source, 2021.")]
    sup = (Span("3", "Serif", 5.0, sup=True), Span("Third source.", "Serif", 8.0))
    page1 = [_line("Text with a mark.", top=100), _line("", top=700, size=8, spans=sup)]
    page2 = [_line("More text.", page=2, top=100), _line("still the third note.", page=2, top=700, size=8)]
    kept, foot = pdf.split_footnotes([page1, page2], 10.0)
    assert [[line.words for line in page] for page in kept] == [["Text with a mark."], ["More text."]]
    assert [(n.number, n.text) for n in pdf.parse_notes(foot)] == [(3, "Third source. still the third note.")]


def test_paragraphs_across_a_page_break_and_run_ins():
    bold = (Span("Run-In Head. ", "Serif-Bold", 10.0), Span("and the rest of the line", "Serif", 10.0))
    lines = [
        _line("", top=100, spans=bold),
        _line("ends a sentence.", top=113, x1=300),
        _line("A new paragraph that runs to the", top=126),
        _line("margin without a stop and goes on", top=139),
        _line("over the page break.", page=2, top=72, x1=200),
        _line("A Heading", page=2, top=100, size=14),
        _line("POLICY OPTIONS", page=2, top=130, x1=160),
        _line("NATO AND THE EU", page=2, top=150, x1=160),  # capitals running on into text are text
        _line("Text again.", page=2, top=163, x1=160),
    ]
    paras = pdf.group_paragraphs(lines, 10.0)
    assert [p.kind for p in paras] == ["body", "body", "heading", "heading", "body"]
    assert [pdf.render(p) for p in paras] == [
        "**Run-In Head.** and the rest of the line ends a sentence.",
        "A new paragraph that runs to the margin without a stop and goes on over the page break.",
        "## A Heading",
        "## POLICY OPTIONS",
        "NATO AND THE EU Text again.",
    ]
