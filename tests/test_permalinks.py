"""Paragraph permalinks in the built paper pages: ¶ numbers, links, Cite controls, page weight."""

from __future__ import annotations

import gzip
import re

import jinja2
import pytest
from mkdocs.exceptions import PluginError

from cite_expected import SITE
from policy_reader.site.permalinks.panels import PermalinkManager, label, para_kind
from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, build_in_process, page_html
from test_fidelity import ParagraphText

EXPECTED_IDS = {
    KLINGNER_SLUG: ["kt-1", "kt-2", "kt-3", *[f"p-{i}" for i in range(1, 19)]],
    GOMEZ_SLUG: [f"p-{i}" for i in range(1, 10)],
}
BLOCK = re.compile(r'<p class="(?P<cls>para|takeaway)"(?P<attrs>[^>]*)>(?P<body>.*?)</p>\n(?=(?P<after>.{0,80}))', re.S)


def test_para_kind_and_labels():
    assert para_kind(' class="para" data-topics="x" id="p-12"') == ("p-12", "para")
    assert para_kind(' class="takeaway" id="kt-2"') == ("kt-2", "takeaway")
    assert para_kind(' class="bio" id="bio"') is None
    assert para_kind(' class="para" id="intro"') is None
    assert label("p-12", "para") == ("¶ 12", "¶ 12")
    assert label("kt-2", "takeaway") == ("KT 2", "key takeaway 2")


@pytest.mark.parametrize("slug", [KLINGNER_SLUG, GOMEZ_SLUG])
def test_every_paragraph_has_its_number_link_and_cite_control(built_site, slug):
    html = page_html(built_site, slug)
    blocks = list(BLOCK.finditer(html))
    ids = [re.search(r'id="([^"]+)"', b["attrs"])[1] for b in blocks]
    assert ids == EXPECTED_IDS[slug]
    for b, pid in zip(blocks, ids):
        visible, spoken = label(pid, b["cls"])
        assert b["body"].startswith(
            f'<a class="pr-link" href="#{pid}" data-permalink="{SITE}papers/{slug}/#{pid}" '
            f'title="Copy the link to {spoken}" aria-label="{spoken}: copy link">{visible}</a>'
        ), pid
        assert b["body"].endswith(f'aria-controls="cite-{pid}" aria-label="Cite {spoken}">Cite</button>'), pid
        assert not b["after"].startswith("<div class=\"cite-panel\""), pid  # built by cite.js when opened
    # the panel once per kind of paragraph, as a template (site/permalinks/panels.py)
    kinds = {"para", "takeaway"} if slug == KLINGNER_SLUG else {"para"}
    assert sorted(re.findall(r'<template class="pr-cite-template" data-kind="(\w+)"', html)) == sorted(kinds)
    assert html.count('<div class="cite-panel"') == len(kinds)


def test_paper_words_are_unchanged_by_the_controls(built_site):
    """The paragraph text without our decorations is the Markdown's text (no controls leak into it)."""
    text = ParagraphText()
    text.feed(page_html(built_site, GOMEZ_SLUG))
    blocks = dict(text.blocks)
    assert blocks["p-9"].startswith("Diplomacy with North Korea is messy and it wouldn't be surprising")
    assert "Cite" not in blocks["p-9"] and "¶" not in blocks["p-9"]


def test_successor_map_is_embedded_empty_when_nothing_was_retired(built_site):
    html = page_html(built_site, KLINGNER_SLUG)
    assert '<script type="application/json" id="pr-successors">{}</script>' in html


@pytest.mark.parametrize("slug", [KLINGNER_SLUG, GOMEZ_SLUG])
def test_paper_page_stays_light(built_site, slug):
    """The paper's citation is in the page once, not in every paragraph's panel (issue 16): with a
    full panel per paragraph the Heritage brief's page was 139 KB raw, now about 64 KB."""
    raw = (built_site / "papers" / slug / "index.html").read_bytes()
    assert len(raw) < 100_000
    assert len(gzip.compress(raw, 9)) < 25_000


def _templates(folder=ROOT / "docs" / "overrides"):
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)))


def test_render_adds_only_inside_and_after_paragraphs():
    mgr = PermalinkManager("https://example.org/reader", ROOT / "bib", _templates())
    meta = {"slug": GOMEZ_SLUG, "bib_key": "gomez-2019-consequences-north"}
    src = '<p class="byline">B</p>\n<p class="para" id="p-1">Words.</p>\n<p>Other.</p>'
    out = mgr.render(src, meta, {"p-0": "p-1"})
    assert out.startswith('<p class="byline">B</p>\n<details class="cite-paper">')
    assert '<p class="para" id="p-1"><a class="pr-link" href="#p-1" data-permalink="https://example.org/reader/papers/' in out
    assert '<button type="button" class="pr-cite" aria-expanded="false" aria-controls="cite-p-1" aria-label="Cite ¶ 1">Cite</button></p>\n<p>Other.</p>' in out
    assert out.count('<template class="pr-cite-template" data-kind="para"') == 1
    assert 'data-kind="takeaway"' not in out  # no takeaway on the page, no template for one
    assert out.endswith('<script type="application/json" id="pr-successors">{"p-0": "p-1"}</script>\n')


def test_a_theme_override_replaces_the_panel_template(tmp_path):
    partials = tmp_path / "partials"
    partials.mkdir()
    (partials / "cite-panel.html").write_text(
        '{% if kind == "paper" %}<details class="cite-paper">{{ cite.styles[1][1].text | e }}</details>'
        '{% else %}<div class="cite-panel" id="{{ panel_id }}" hidden>{{ name }}</div>{% endif %}', encoding="utf-8")
    theme = _templates(tmp_path)
    mgr = PermalinkManager("https://example.org/reader", ROOT / "bib", type("Theme", (), {"get_env": lambda self: theme})())
    meta = {"slug": GOMEZ_SLUG, "bib_key": "gomez-2019-consequences-north"}
    out = mgr.render('<p class="byline">B</p>\n<p class="takeaway" id="kt-1">W.</p>', meta, {})
    assert '<details class="cite-paper">Gomez, E. (2019, July 25). There must be' in out
    assert '<div class="cite-panel" id="cite-kt-777777" hidden>key takeaway 777777</div></template>' in out
    assert mgr.template_source() == (partials / "cite-panel.html").read_text(encoding="utf-8")  # in the cache key
    # Read once per manager (once per build: plugin.py makes one in on_config), as the template is
    # compiled once: an edit during the build does not split the key from what was rendered.
    first = mgr.template_source()
    (partials / "cite-panel.html").write_text("edited", encoding="utf-8")
    assert mgr.template_source() is first
    next_build = PermalinkManager("https://example.org/reader", ROOT / "bib", type("Theme", (), {"get_env": lambda self: _templates(tmp_path)})())
    assert next_build.template_source() == "edited"


def test_an_edited_panel_override_changes_the_pages_of_the_next_build_in_one_process(project_copy, tmp_path, monkeypatch):
    """As `mkdocs serve` rebuilds: a second build in the same process, with the paper-page cache,
    after the cite panel's override was edited, has the edited panel."""
    panel = project_copy / "docs" / "overrides" / "partials" / "cite-panel.html"
    build_in_process(project_copy, tmp_path / "one", monkeypatch)
    before = page_html(tmp_path / "one", GOMEZ_SLUG)
    assert before.count('<div class="cite-panel" id=') > 0 and "cite-panel edited" not in before
    text = panel.read_text(encoding="utf-8")
    panel.write_text(text.replace('<div class="cite-panel" id=', '<div class="cite-panel edited" id='), encoding="utf-8")
    plugin = build_in_process(project_copy, tmp_path / "two", monkeypatch)
    after = page_html(tmp_path / "two", GOMEZ_SLUG)
    assert after.count('<div class="cite-panel edited" id=') == before.count('<div class="cite-panel" id=')
    assert after.replace("cite-panel edited", "cite-panel") == before
    assert plugin.permalinks.template_source() == panel.read_text(encoding="utf-8")


def test_a_missing_or_broken_panel_template_fails_with_one_line(tmp_path):
    meta = {"slug": GOMEZ_SLUG, "bib_key": "gomez-2019-consequences-north"}
    with pytest.raises(PluginError, match=r"partials/cite-panel.html: the cite panel's template is not in the theme"):
        PermalinkManager("https://example.org/", ROOT / "bib", _templates(tmp_path)).render('<p class="byline">B</p>', meta, {})
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "cite-panel.html").write_text("ok\n{% if %}\n", encoding="utf-8")
    with pytest.raises(PluginError, match=r"cite-panel.html:2: .*; fix the template"):
        PermalinkManager("https://example.org/", ROOT / "bib", _templates(tmp_path)).render('<p class="byline">B</p>', meta, {})


def test_scripts_and_styles_are_registered_and_local(built_site):
    html = page_html(built_site, KLINGNER_SLUG)
    assert re.search(r'<script src="[./]*assets/cite\.js[^"]*"></script>', html)
    assert re.search(r'<link rel="stylesheet" href="[./]*assets/cite\.css[^"]*">', html)
    js = (built_site / "assets" / "cite.js").read_text(encoding="utf-8")
    assert "fetch(" not in js and "XMLHttpRequest" not in js


def _link_fragments(link_macro: str):
    """Our fragments, paragraph-link.html's ``link`` macro replaced (as an override would)."""
    from policy_reader.site import fragments as F
    ours = (F.TEMPLATES_DIR / "fragments" / "policy-reader" / "paragraph-link.html").read_text(encoding="utf-8")
    start = ours.index("{%- macro link(")
    end = ours.index("{%- endmacro -%}", start) + len("{%- endmacro -%}")
    frag = F.Fragments()
    frag.env.loader = jinja2.DictLoader({F.PREFIX + "paragraph-link.html": ours[:start] + link_macro + ours[end:]})
    return frag


def _link_cases():
    hostile = "<script>alert('x')</script> & \"q\""
    got = []
    for path in sorted((ROOT / "docs" / "papers").glob("*.md")):
        for pid in re.findall(r'\{: #((?:p|kt)-\w+)', path.read_text(encoding="utf-8")):
            visible, spoken = label(pid, "takeaway" if pid.startswith("kt-") else "para")
            got.append((pid, f"https://example.org/reader/papers/{path.stem}/#{pid}", visible, spoken))
    return got + [(hostile, hostile, hostile, hostile), ("p-1", "https://x.org/?a=1&b=2#p-1", "¶ 1", "¶ 1")]


def test_the_paragraph_link_is_filled_with_the_macros_bytes():
    """The ¶ link (a macro called once per paragraph) is filled without a Jinja call
    (topics/plain_macro.py via panels._paragraph_macros): the same bytes as the macro for every
    paragraph of the papers and hostile values; an override that only moves values is filled too."""
    from policy_reader.site import fragments as F
    from policy_reader.site.topics.plain_macro import plain_macro
    moved = ('{%- macro link(pid, permalink, visible, spoken) -%}<a class="mine" href="{{ permalink }}">'
             '{{ visible | md_text }} {{ pid | text }}</a>{%- endmacro -%}')
    cases = _link_cases()
    assert len(cases) > 30
    for frag in (F.Fragments(), _link_fragments(moved)):
        macro = frag.macro("paragraph-link.html", "link")
        fill = plain_macro(frag, "paragraph-link.html", "link")
        assert fill is not None
        mgr = PermalinkManager("https://example.org/reader", ROOT / "bib", _templates(), frag)
        link, cite = mgr._paragraph_macros()
        assert link is not macro
        for case in cases:
            assert fill(*case) == macro(*case)
            assert link(*case) == macro(*case)
        # the cite macro opens with a constant ({{ ' ' }}): filled too, the same bytes
        cite_macro, cite_fill = frag.macro("paragraph-link.html", "cite"), plain_macro(frag, "paragraph-link.html", "cite")
        assert cite_fill is not None and cite is not cite_macro
        for pid, _, _, spoken in cases:
            assert cite_fill(pid, spoken) == cite_macro(pid, spoken) == cite(pid, spoken)


def test_a_link_macro_with_more_than_values_is_called_and_a_wrong_fill_is_dropped(monkeypatch):
    """A link override with a condition is not filled (plain_macro gives None) and renders as
    its macro; a filler that differs from the macro on the first call is never used."""
    from policy_reader.site.topics import plain_macro as PM
    frag = _link_fragments('{%- macro link(pid, permalink, visible, spoken) -%}'
                           '{% if pid.startswith("kt") %}<b>{% endif %}{{ visible | text }}{%- endmacro -%}')
    mgr = PermalinkManager("https://example.org/reader", ROOT / "bib", _templates(), frag)
    meta = {"slug": GOMEZ_SLUG, "bib_key": "gomez-2019-consequences-north"}
    out = mgr.render('<p class="byline">B</p>\n<p class="takeaway" id="kt-1">W.</p>\n<p class="para" id="p-1">V.</p>', meta, {})
    assert '<p class="takeaway" id="kt-1"><b>KT 1W.' in out and '<p class="para" id="p-1">¶ 1V.' in out
    monkeypatch.setattr(PM, "plain_macro", lambda *a: (lambda *args: "wrong"))
    mgr = PermalinkManager("https://example.org/reader", ROOT / "bib", _templates())
    link, _ = mgr._paragraph_macros()
    macro = mgr.fragments.macro("paragraph-link.html", "link")
    assert [link(*c) for c in _link_cases()[:5]] == [macro(*c) for c in _link_cases()[:5]]
