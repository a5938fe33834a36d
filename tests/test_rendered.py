"""The one reader of the rendered page (scripts/policy_reader/page/rendered.py), on HTML
written here by hand, and the glossary's first-use marking it serves (site/glossary.py)."""

from __future__ import annotations

import re

import markdown
import pytest

from support import ROOT

from policy_reader.page import rendered
from policy_reader.page.markdown import read_blocks
from policy_reader.site.glossary import first_use_only, mark_terms

GLOSSARY = ROOT / "docs" / "includes" / "glossary.md"

PAGE = (
    '<h1 id="the-title">The Title</h1>\n'
    '<p class="byline">A. Author · Pub · 1 May 2019</p>\n'
    '<h2 id="key-takeaways">Key Takeaways<a class="headerlink" href="#key-takeaways" title="Permanent link">&para;</a></h2>\n'
    '<div class="takeaways">\n'
    '<p class="takeaway" id="kt-2" data-topics="sanctions diplomacy">Talks &amp; <em>pressure</em>.'
    '<sup id="fnref:kcna-2019"><a class="footnote-ref" href="#fn:kcna-2019">1</a></sup></p>\n'
    '</div>\n'
    '<h3>No id here</h3>\n'
    "<p data-topics='icbm' id=p-11a class=\"lead para\">An <abbr title=\"Intercontinental ballistic missile\">ICBM</abbr>"
    ' <strong>test</strong> (<a href="https://example.org/?a=1&amp;b=2">link</a>) <code>x &lt; y</code>.'
    '<sup id="fnref:jeong-2019"><a class="footnote-ref" href="#fn:jeong-2019">2</a></sup>'
    '<sup id="fnref2:kcna-2019"><a class="footnote-ref" href="#fn:kcna-2019">1</a></sup></p>\n'
    '<p class="para" id="intro">Not a permalink id.</p>\n'
    "<p>A plain paragraph.</p>\n"
    '<hr>\n<p class="bio" id="bio">The author is a fellow.</p>\n'
)


def test_blocks_in_page_order_with_kinds():
    page = rendered.Rendered(PAGE)
    got = [(b.tag, b.id, b.kind) for b in page.blocks]
    assert got == [
        ("h1", "the-title", "heading"),
        ("p", None, None),
        ("h2", "key-takeaways", "heading"),
        ("p", "kt-2", "takeaway"),
        ("h3", None, None),
        ("p", "p-11a", "para"),
        ("p", "intro", None),  # class para, but an id outside the p-N scheme: no permalink
        ("p", None, None),
        ("p", "bio", "bio"),
    ]
    assert [b.id for b in page.paragraphs()] == ["kt-2", "p-11a"]
    assert [b.id for b in page.headings()] == ["the-title", "key-takeaways"]
    assert [b.id for b in page.headings("2")] == ["key-takeaways"]
    assert page.byline().body == "A. Author · Pub · 1 May 2019"
    assert page.first("h1").words == "The Title"


def test_offsets_cover_the_element_its_body_and_its_tags():
    page = rendered.Rendered(PAGE)
    for b in page.blocks:
        whole = PAGE[b.start:b.end]
        assert whole.startswith(f"<{b.tag}") and whole.endswith(f"</{b.tag}>")
        assert PAGE[b.body_start:b.body_end] == b.body
        assert PAGE[b.start:b.body_start] == f"<{b.tag}{b.attr_text}>"


def test_attributes_in_any_order_and_quoting():
    [kt, para] = rendered.Rendered(PAGE).paragraphs()
    assert para.id == "p-11a" and para.classes == ("lead", "para") and para.topics == ("icbm",)
    assert para.attr_source("data-topics") == " data-topics='icbm'"
    assert para.attr_source("id") == " id=p-11a"
    assert para.attr_source("title") == ""
    assert kt.topics == ("sanctions", "diplomacy")
    [odd] = rendered.Rendered('<p  title="a &quot;b&quot; &lt;c&gt;"   class="para"\nid="p-3" hidden>x</p>').blocks
    assert (odd.id, odd.kind, odd.get("title"), odd.get("hidden")) == ("p-3", "para", 'a "b" <c>', "")
    # The first of a repeated attribute counts, as in a browser.
    [twice] = rendered.Rendered('<p id="p-1" class="para" id="p-2">x</p>').blocks
    assert twice.id == "p-1"


def test_words_leave_out_note_numbers_and_keep_the_text_exact():
    [kt, para] = rendered.Rendered(PAGE).paragraphs()
    assert kt.words == "Talks & pressure."
    assert para.words == "An ICBM test (link) x < y."
    assert rendered.words("<li>one</li><li>two</li>") == "onetwo"
    assert rendered.words("<li>one</li><li>two</li>", spaced=True) == "one two"
    assert rendered.words("a\n  <b>b</b>\tc &#64; d") == "a b c @ d"


def test_note_marks_are_the_notes_keys_in_order():
    [kt, para] = rendered.Rendered(PAGE).paragraphs()
    assert kt.notes == ("kcna-2019",)
    assert para.notes == ("jeong-2019", "kcna-2019")


def test_heading_words_without_the_anchor_link():
    h2 = rendered.Rendered(PAGE).headings("2")[0]
    assert h2.words == "Key Takeaways" and h2.level == 2


def test_one_label_per_id():
    assert rendered.label("p-12") == ("¶ 12", "¶ 12", "¶ 12")
    assert rendered.label("p-11a") == ("¶ 11a", "¶ 11a", "¶ 11a")
    assert rendered.label("kt-2") == rendered.Label("KT 2", "key takeaway 2", "Key takeaway 2")
    assert rendered.label("bio") == ("bio", "about the author", "About the author")
    assert rendered.label("intro") == ("intro",) * 3  # outside the scheme: its own label
    # Every label delegates to the page contract's one definition.
    from policy_reader.page import markdown
    from policy_reader.site.citations.bibliography import paragraph_label
    from policy_reader.site.topics.pages import Passage
    for pid in ("p-12", "p-11a", "kt-2", "bio"):
        assert rendered.label(pid) is markdown.labels(pid) and markdown.label(pid) == markdown.labels(pid).visible
    assert Passage("x", "kt-1a", "takeaway", (), "").label == "Key takeaway 1a"
    assert Passage("x", "p-3", "para", (), "").label == "¶ 3" and paragraph_label("p-3") == "¶\u00a03"
    [kt, para] = rendered.Rendered(PAGE).paragraphs()
    assert (kt.label.visible, para.label.visible) == ("KT 2", "¶ 11a")


def test_html_words_match_the_page_contract_words_of_the_seed_papers(built_site):
    """What the converter wrote (page/markdown.py) is what the page shows (page/rendered.py)."""
    compared = 0
    for md in sorted((ROOT / "docs" / "papers").glob("*-*.md")):
        slug = md.stem
        written = {b.id: b.words for b in read_blocks(md.read_text(encoding="utf-8"))}
        page = rendered.Rendered((built_site / "papers" / slug / "index.html").read_text(encoding="utf-8"))
        for b in page.blocks:
            if b.kind in ("para", "takeaway", "bio"):
                body = re.sub(r'<a class="pr-link".*?</a>|<button.*?</button>|<span class="topic-chips">.*?</a></span>', "", b.body)
                assert rendered.words(body) == written[b.id], (slug, b.id)
                compared += 1
    assert compared >= 30


def test_splice_replaces_and_inserts_in_one_pass():
    assert rendered.splice("abcdef", [(0, 0, "<"), (2, 4, "XY"), (6, 6, ">")]) == "<abXYef>"
    assert rendered.splice("abc", []) == "abc"


def test_read_keeps_the_last_page():
    text = "".join(["<p>", "x", "</p>"])
    assert rendered.read(text) is rendered.read(text)
    other = "<p>y</p>"
    assert rendered.read(other).blocks[0].body == "y"


def test_tokens_mark_text_where_a_term_may_be_marked():
    parts = list(rendered.tokens('a <code>b</code> <abbr title="x">c</abbr> <a href="d">e</a>'))
    assert parts == [
        ("a ", True), ("<code>", False), ("b", False), ("</code>", False), (" ", True),
        ('<abbr title="x">', False), ("c", False), ("</abbr>", False), (" ", True),
        ('<a href="d">', False), ("e", True), ("</a>", False),
    ]


# ---- glossary marks at the first use only (site/glossary.py)

SOURCE = """# ICBM tests

An ICBM and an ICBM again; the U.N. said *ICBM*.

- ICBM in a list
- U.N and `ICBM in code`

## Pyongyang and ICBMs

<div class="box" markdown>
Pyongyang's ICBM [^n]
</div>

Last: Pyongyang, U.N, [ICBM](https://example.org/ICBM).

[^n]: A note on the ICBM and the U.N.
"""


def _md(extensions: list[str]) -> markdown.Markdown:
    return markdown.Markdown(extensions=["abbr", "attr_list", "md_in_html", "footnotes", "toc", *extensions])


@pytest.mark.parametrize("text", [SOURCE, *[p.read_text(encoding="utf-8").split("\n---\n", 1)[1]
                                           for p in sorted((ROOT / "docs" / "papers").glob("*-*.md"))]])
def test_first_use_marking_gives_what_marking_all_then_unmarking_gave(text):
    glossary = "\n\n" + GLOSSARY.read_text(encoding="utf-8")
    old = first_use_only(_md([]).convert(text + glossary))
    new = _md(["policy_reader.site.glossary"]).convert(text + glossary)
    assert new == old
    terms = re.findall(r'<abbr title="[^"]*">([^<]*)</abbr>', new)
    assert terms and len(terms) == len(set(terms))


def test_first_use_only_continues_from_the_terms_already_seen():
    seen = {"ICBM"}
    out = first_use_only('<abbr title="a">ICBM</abbr> <abbr title="b">SPA</abbr> <abbr title="b">SPA</abbr>', seen)
    assert out == 'ICBM <abbr title="b">SPA</abbr> SPA' and seen == {"ICBM", "SPA"}


def test_mark_terms_skips_fragments_without_a_term_and_marks_those_with_one():
    d = {"ICBM": "missile"}
    plain = '<p class="x">no term here</p>'
    assert mark_terms(plain, d) is plain
    assert mark_terms('<a title="ICBM">x</a>', d) == '<a title="ICBM">x</a>'  # only in a tag
    assert mark_terms("<p>an ICBM</p>", d) == '<p>an <abbr title="missile">ICBM</abbr></p>'


# The block pattern as it was first written (a lazy body): the reference the faster one must equal.
_LAZY_BLOCK = re.compile(r"<(?:(?P<p>p)(?:\s[^>]*)?>(?P<pbody>.*?)</p>|(?P<h>h[1-6])(?:\s[^>]*)?>(?P<hbody>.*?)</(?P=h)>)", re.S)

AWKWARD = [
    PAGE,
    "<p>unclosed <p>then <b>closed</b></p> tail</p>",
    "<p>a </P> b </p><p>c</ p> d</p><p>e</p",
    "<h2>x</h3> y</h2><h2 id=a>z</h2><h1>no end",
    "<p>one < two <<</p><pre><p>in pre</p></pre><p>x</p>",
    "<h3>a <p>inside</p> b</h3><h4><h5>c</h5></h4>",
    "<p\nclass='x'>newline</p><px>not a p</px><p/>",
    "<p>é ¶ 12 &amp; <a href=\"#\">l</a></p>" * 3,
]


def _spans(pattern, text):
    return [(m.span(), m.span(2), m.span(4), m[1], m[3]) for m in pattern.finditer(text)]


@pytest.mark.parametrize("text", AWKWARD)
def test_the_block_pattern_finds_what_the_lazy_one_finds(text):
    assert _spans(rendered._BLOCK, text) == _spans(_LAZY_BLOCK, text)


def test_the_block_pattern_finds_what_the_lazy_one_finds_on_the_built_site(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert _spans(rendered._BLOCK, text) == _spans(_LAZY_BLOCK, text), path


def _attrs_slowly(attrs):
    """parse_attrs by the general pattern alone (the fast path of plain attribute text left out)."""
    out = {}
    for m in rendered._ATTR.finditer(attrs):
        name, dq, sq, uq = m.groups()
        value = dq if dq is not None else sq if sq is not None else uq or ""
        out.setdefault(name.lower(), (rendered.html.unescape(value), m.start(), m.end()))
    return out


@pytest.mark.parametrize("attrs", [
    "", ' class="para" id="p-3"', ' class="para" id="p-3" data-topics="a b"', ' id="a" id="b"',
    ' class="x" class="y" id="z"', ' title="a=b" id="c"', ' title="&amp;" id="c"', ' ID="Up"',
    " id='single'", " id=bare class", '  id="two spaces"', ' hidden id="x"', ' data-x="" id="y"',
    ' id="p-1"\nclass="para"',
])
def test_plain_attribute_text_reads_as_the_general_pattern_reads_it(attrs):
    assert rendered.parse_attrs(attrs) == _attrs_slowly(attrs)


def test_a_blocks_id_is_read_once_and_stays_its_attribute():
    [block] = rendered.Rendered('<p class="para" id="p-3" id="p-4">x</p>').blocks
    assert block.id == "p-3" and block.id == block.attrs["id"][0] and block.kind == "para"
    [none] = rendered.Rendered("<p>x</p>").blocks
    assert none.id is None and none.id is None and none.kind is None


def _blocks(page):
    return [(b.tag, b.start, b.body_start, b.body_end, b.end, b.id, b.kind, b.attrs) for b in page.blocks]


def _check_splice_read(text, edits, page=None):
    """splice_read gives splice's HTML, and read() of it the blocks a fresh scan finds."""
    page = page or rendered.Rendered(text)
    for b in page.blocks[::2]:
        b.kind  # some read already (kept when their tag stays), some not
    got = rendered.splice_read(page, edits)
    assert got == rendered.splice(text, edits)
    assert _blocks(rendered.read(got)) == _blocks(rendered.Rendered(got))
    return rendered.read(got)


def test_splice_read_follows_the_topic_chips_edits_without_a_scan():
    page = rendered.Rendered(PAGE)
    kt, para = page.paragraphs()
    byline = page.byline()
    edits = [
        (byline.end, byline.end, '\n<p class="paper-topics">Topics: <a href="x">x</a></p>'),
        (kt.start, kt.body_start, '<p class="takeaway" id="kt-2"  data-topics="sanctions diplomacy">'),
        (kt.body_end, kt.body_end, ' <span class="topic-chips">a</span>'),
        (para.body_end, para.body_end, " <span>b</span>"),
    ]
    new = _check_splice_read(PAGE, edits, page)
    assert [b.get("class") for b in new.blocks if b.tag == "p"][:3] == ["byline", "paper-topics", "takeaway"]
    # made from the old blocks (no scan): the unedited paragraph kept what it had read
    assert new.paragraphs()[1]._attrs is para._attrs


@pytest.mark.parametrize("text, edits", [
    ("<h2>open <p>a</p>", [(len("<h2>open <p>a</p>"), len("<h2>open <p>a</p>"), "</h2>")]),  # completes a block before
    ("<p>a</p><p>b</p>", [(3, 3, "</p>")]),  # a closing tag into a body
    ("<p>a</p><p>b</p>", [(2, 4, "")]),  # into a closing tag
    ("<p>a</p><p>b</p>", [(8, 8, "<p>new ")]),  # a gap's block running into the next
    ("<p>a</p> x <p>b</p>", [(9, 10, "<h3>y</h3>")]),  # a block of its own in a gap
    ("<p>a</p><p>b</p>", [(0, 3, '<p class="x">'), (9, 9, "<")]),  # a tag, and a stray "<"
    ("<p>a</p><p>b</p>", [(0, 3, "<div>")]),  # a tag of another element
    ("<p>a</p><h1>b</h1>", [(0, 8, "<h1>c</h1>")]),  # a block replaced whole
    ("<p>a<</p><p>b</p>", [(4, 4, "/p>")]),  # a closing tag made of two pieces
    ("<p>a</p>", [(8, 8, "<p>tail</p>"), (8, 8, "<h2>x")]),  # after the last block
    ('<p class="para" id="p-1">a</p>', [(0, 25, '<p class="para" id="x-1">')]),  # a new id: another kind
    ('<p class="para" id="p-1">a</p>', [(0, 25, '<p class="bio" id="p-1">')]),  # a new class: another kind
    ('<p class="para" id="p-1">a</p>', [(0, 25, '<p id="p-1" data-t="x" class="para">')]),  # moved: the same
])
def test_splice_read_reads_again_or_follows_exactly(text, edits):
    _check_splice_read(text, edits)


def test_splice_read_matches_a_scan_on_random_edits_of_the_built_pages(built_site):
    import random
    rng = random.Random(16)
    pieces = ["", "x", "<", "</p>", "<p>", "</h2>", "<h2>", '<p class="para" id="p-9">', " <span>c</span>", ">", "&amp;"]
    pages = sorted(built_site.glob("papers/*/index.html"))
    assert pages
    for path in pages:
        text = path.read_text(encoding="utf-8")
        blocks = rendered.Rendered(text).blocks
        for _ in range(60):
            points = sorted(rng.sample(range(len(text)), 4) + [rng.choice(blocks).body_end, rng.choice(blocks).end])
            edits = [(a, a if rng.random() < 0.5 else min(a + rng.randrange(4), b), rng.choice(pieces))
                     for a, b in zip(points[::2], points[1::2])]
            _check_splice_read(text, edits)
        tagged = [b for b in blocks if b.tag == "p" and b.id]
        edits = sorted([(b.start, b.body_start, "<p" + b.attr_text + ' data-x="1">') for b in tagged] +
                       [(b.body_end, b.body_end, " <span>chips</span>") for b in tagged])
        _check_splice_read(text, edits)


@pytest.mark.parametrize("glossary", [
    "*[ICBM]: missile\n*[U.N]: United Nations",  # both marked early: the walk ends there
    "*[ICBM]: missile\n*[U.N]: United Nations\n*[Nowhere]: a term no text holds",  # not counted: in no text
])
def test_first_use_marking_ends_its_walk_with_the_same_marks(glossary):
    text = ("The ICBM met.\n\n" + "- an *ICBM* in a *U.N* list, ICBMs U.N\n" * 3
            + "\nMore: *the U.N* and **ICBM** [ICBM](https://example.org/ICBM) U.N.\n\n" + glossary + "\n")
    old = first_use_only(_md([]).convert(text))
    new = _md(["policy_reader.site.glossary"]).convert(text)
    assert new == old and new.count("<abbr") == 2
