"""HTML kept out of Python-Markdown (site/held_html.py) and the glossary marks it gets
(site/glossary.py mark_terms): the same marks as Python-Markdown's abbr would make."""

from __future__ import annotations

import html
import re

import markdown
from hypothesis import HealthCheck, example, given, settings, strategies as st

from support import ROOT

from policy_reader.page.markdown import read_blocks, unescape_text
from policy_reader.site.glossary import load_definitions, mark_terms
from policy_reader.site.held_html import PLACEHOLDER, HeldHtml

GLOSSARY = ROOT / "docs" / "includes" / "glossary.md"


def abbr_render(text: str) -> str:
    """What Python-Markdown's abbr makes of ``text`` in a paragraph (the glossary appended)."""
    md = markdown.Markdown(extensions=["abbr"])
    out = md.convert(text + "\n\n" + GLOSSARY.read_text(encoding="utf-8"))
    assert out.startswith("<p>") and out.endswith("</p>"), out
    return out[3:-4]


def test_mark_terms_marks_what_abbr_marks_in_every_paragraph_of_the_papers():
    definitions = load_definitions([GLOSSARY])
    blocks = [b for p in sorted((ROOT / "docs" / "papers").glob("*-*.md")) for b in read_blocks(p.read_text(encoding="utf-8"))]
    assert len(blocks) >= 30
    marked = 0
    for b in blocks:
        source = re.sub(r"\[@[^\]]*\]", "", b.text)  # the paragraph's Markdown without citation markers
        expected = re.sub(r"</?strong>", "", abbr_render(source))  # a transcript's bold speaker label
        got = mark_terms(html.escape(unescape_text(source), quote=False), definitions)
        assert got == expected, b.id
        marked += got.count("<abbr")
    assert marked > 20


def test_mark_terms_leaves_tags_attributes_code_and_existing_marks_alone():
    d = {"ICBM": "Intercontinental ballistic missile", "U.N": "United Nations"}
    fragment = '<a href="/ICBM" title="ICBM">ICBM test</a> <code>ICBM</code> <abbr title="x">U.N</abbr> U.N. ICBMs'
    assert mark_terms(fragment, d) == (
        '<a href="/ICBM" title="ICBM"><abbr title="Intercontinental ballistic missile">ICBM</abbr> test</a> '
        '<code>ICBM</code> <abbr title="x">U.N</abbr> <abbr title="United Nations">U.N</abbr>. ICBMs'
    )


def test_held_blocks_come_back_in_place_and_only_there():
    held = HeldHtml({"ICBM": "a missile"})
    line = held.hold('<ul class="x"><li>an ICBM</li></ul>', glossary=True)
    plain = held.hold("<p>ICBM</p>")
    page = f"<h1>T</h1>{line.strip()}<p>between</p>{plain.strip()}"
    assert held.release(page) == '<h1>T</h1><ul class="x"><li>an <abbr title="a missile">ICBM</abbr></li></ul><p>between</p><p>ICBM</p>'
    assert held.release("<p>no placeholder</p>") == "<p>no placeholder</p>"


def test_no_placeholder_reaches_the_built_site(built_site):
    leaked = [p for p in built_site.rglob("*.html") if "policy-reader:held" in p.read_text(encoding="utf-8")]
    assert leaked == []


def test_packed_pages_come_back_unchanged_once():
    from policy_reader.site.held_html import PackedPages

    packed = PackedPages()
    page = '<p id="p-1">¶ 1 “quoted” text</p>\n' * 500 + "<div>\u2014 end</div>"
    packed.pack("papers/a.md", page)
    assert packed.unpack("papers/a.md") == page
    assert packed.unpack("papers/a.md") is None  # handed back once: nothing kept
    assert packed.unpack("papers/other.md") is None


def test_held_blocks_are_kept_packed_and_come_back_as_held():
    held = HeldHtml()
    block = "<ol>" + "<li>“Allies” ¶ 4</li>" * 300 + "</ol>"
    line = held.hold(block)
    key = PLACEHOLDER.search(line)["key"]
    assert held.blocks[key] == block and list(held.blocks) == [key]
    assert len(held.blocks._packed[key]) < len(block) // 5
    assert held.release(f"<p>x</p>{line}<p>y</p>") == f"<p>x</p>\n{block}\n<p>y</p>"
    held.blocks.update({"0" * 24: "<p>from the cache</p>"})
    assert held.blocks["0" * 24] == "<p>from the cache</p>"


def _abbr_sub(fragment: str, definitions: dict[str, str]) -> str:
    """mark_terms as plainly as it can be written: abbr's regular expression substituted in
    every text part (what mark_terms finds faster, see glossary._finditer)."""
    from policy_reader.page import rendered
    from policy_reader.site.glossary import _attribute
    rx = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(definitions, key=len, reverse=True)) + r")\b")
    return "".join(
        rx.sub(lambda m: f'<abbr title="{_attribute(definitions[m[0]])}">{m[0]}</abbr>' if definitions[m[0]] else m[0], part)
        if plain else part
        for part, plain in rendered.tokens(fragment))


#: Terms that start or end with a character that is not a word character, overlap, nest
#: and repeat letters, as a glossary may hold.
ODD_TERMS = {"ICBM": "a", "ICBMs": "b", "U.N": "c", ".NET": "d", "C++": "e", "Kim Jong-un": "f",
             "Jong-un": "f2", "Kim": "", "SS-N-6": "g", "ab": "h", "abab": "i", "é": "j", "Korea Workers’ Party": "k"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.sampled_from(sorted(ODD_TERMS) + [" ", "x", "_", "s", "-", ".", "<code>", "</code>", "<b>", "</b>",
                                         '<a title="ICBM">', "</a>", "<abbr>", "</abbr>", "\n", "&amp;"]),
    st.text(alphabet="aAbBIiCMN.+- é_", max_size=4),
), max_size=30))
@example(["xKim Jong-un", " .NET", "a.NET", "abab ab"])  # a term inside one that does not start a word
def test_mark_terms_marks_as_abbrs_own_expression_would(pieces):
    fragment = "".join(pieces)
    for definitions in (ODD_TERMS, load_definitions([GLOSSARY])):
        assert mark_terms(fragment, definitions) == _abbr_sub(fragment, definitions), fragment


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.sampled_from(sorted(ODD_TERMS) + [" ", "x", "-", ".", "<", ">", "<b>", "</b>", '<p class="ICBM">', "</p>",
                                         "<!-- ICBM -->", '<a href="#Kim">', "</a>", "<presentation>", "<br/>", "&lt;"]),
    st.text(alphabet="aAbBIiCMN.+- <>é_", max_size=4),
), max_size=30))
@example(["a < ICBM", " b"])  # a '<' with no '>' after it is text
@example(["a <x ICBM", ">"])  # inside a tag
@example(["> ICBM <b> ICBM"])
def test_mark_terms_searched_whole_marks_as_part_by_part(pieces):
    """A fragment without code, scripts or marks is searched whole (glossary.mark_terms), a match
    inside a tag skipped: the marks abbr's expression gives part by part (rendered.tokens),
    stray '<' and '>' in the text included."""
    fragment = "".join(pieces)
    for definitions in (ODD_TERMS, load_definitions([GLOSSARY])):
        assert mark_terms(fragment, definitions) == _abbr_sub(fragment, definitions), fragment
