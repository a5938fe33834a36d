"""Cite panels: exact strings from pandoc's citeproc + Debian CSL styles, in the built HTML."""

from __future__ import annotations

import html as _html
import json
import re

import pytest

from cite_expected import GOMEZ_P3, K, KLINGNER_KT2_APA_INTEXT, KLINGNER_P12, SITE
from policy_reader.site.citations.cite import PaperCiter, bib_entry, ris, with_url
from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, page_html


def _citer(slug, key):
    return PaperCiter((ROOT / "bib" / f"{slug}.bib").read_text(encoding="utf-8"), key)


def _copied(citation, style):
    """What a copy button copies: the panel lines joined by newlines."""
    for s, ref, pin in citation.styles:
        if s.key == style:
            return ref.text + ("\n" + pin.text if pin else "")
    raise KeyError(style)


def test_klingner_paragraph_citations_are_exact():
    c = _citer(KLINGNER_SLUG, "klingner-2019-us-needs").paragraph(f"{K}#p-12", 12)
    for style in ("chicago", "apa", "mla"):
        assert _copied(c, style) == KLINGNER_P12[style]
    assert c.bibtex == KLINGNER_P12["bibtex"]
    assert c.ris == KLINGNER_P12["ris"]


def test_gomez_paragraph_citations_are_exact():
    c = _citer(GOMEZ_SLUG, "gomez-2019-consequences-north").paragraph(
        f"{SITE}papers/{GOMEZ_SLUG}/#p-3", 3)
    for style in ("chicago", "apa", "mla"):
        assert _copied(c, style) == GOMEZ_P3[style]
    assert c.ris.startswith("TY  - NEWS\nAU  - Gomez, Eric\n")


def test_takeaway_pinpoint_names_the_takeaway():
    c = _citer(KLINGNER_SLUG, "klingner-2019-us-needs").paragraph(f"{K}#kt-2", 2, takeaway=True)
    assert _copied(c, "apa").endswith("\n" + KLINGNER_KT2_APA_INTEXT)


def test_only_the_papers_own_entry_is_formatted():
    bib = (ROOT / "bib" / f"{KLINGNER_SLUG}.bib").read_text(encoding="utf-8")
    entry = bib_entry(bib, "klingner-2019-us-needs")
    assert entry.startswith("@techreport{klingner-2019-us-needs,") and entry.endswith("}")
    assert "kcna-2019" not in entry
    # the same author's other work in the file must not turn the entry into "———."
    assert not _citer(KLINGNER_SLUG, "klingner-2019-us-needs").paragraph("x", 1).styles[0][1].text.startswith("—")


def test_with_url_replaces_or_adds_the_url():
    assert "url = {http://a/#p-1}," in with_url("@online{k,\n  title = {T},\n}", "http://a/#p-1")
    replaced = with_url("@online{k,\n  url = {http://old},\n  date = {2019-07},\n}", "http://new")
    assert "http://old" not in replaced and "url = {http://new}," in replaced and "month = {jul}," in replaced
    assert "UR  - http://b" in ris("@online{k,\n  author = {Doe, Jane},\n  title = {T},\n  date = {2019},\n}", "http://b")


def _panel(html, pid):
    """The panel of paragraph ``pid`` as cite.js builds it: the page's template for its kind with
    the placeholders replaced (the number everywhere but in BibTeX/RIS, the permalink everywhere).
    The browser tests (tests/browser/test_cite_panel.py) check cite.js itself does this."""
    kind, number = ("takeaway", pid[3:]) if pid.startswith("kt-") else ("para", pid[2:])
    m = re.search(rf'<template class="pr-cite-template" data-kind="{kind}" data-url="([^"]+)" data-locator="([^"]+)">'
                  r'(<div class="cite-panel" id="[^"]+" role="dialog" aria-label="Cite [^"]+" hidden>.*?</div>)</template>', html, re.S)
    assert m, kind
    url_token, locator, panel = m[1], m[2], m[3]
    permalink = _html.escape(re.search(rf'<a class="pr-link" href="#{pid}" data-permalink="([^"]+)"', html)[1], quote=False)
    parts = re.split(r"(<pre\b.*?</pre>)", panel, flags=re.S)
    panel = "".join(part if part.startswith("<pre") else part.replace(locator, number) for part in parts)
    panel = panel.replace(url_token, permalink)
    assert re.match(rf'<div class="cite-panel" id="cite-{pid}" role="dialog" aria-label="Cite [^"]+" hidden>', panel)
    return panel


def _panel_copy_texts(panel):
    """Per style block: the .cite-line texts joined by newlines (as cite.js copies them)."""
    out = []
    for block in re.findall(r'<div class="cite-style">(.*?)<button type="button" class="cite-copy"', panel, re.S):
        lines = re.findall(r'<(?:span|pre) class="cite-line">(.*?)</(?:span|pre)>', block, re.S)
        out.append("\n".join(_html.unescape(re.sub(r"<[^>]+>", "", l)) for l in lines))
    return out


def test_built_panel_template_holds_the_exact_text(built_site):
    """The page holds the panel once, as a template; filled for ¶ 12 it is the exact citation."""
    html = page_html(built_site, KLINGNER_SLUG)
    assert re.search(r'<p class="para"[^>]*\bid="p-12"[^>]*>.*?<button type="button" class="pr-cite" aria-expanded="false" '
                     r'aria-controls="cite-p-12" aria-label="Cite ¶ 12">Cite</button></p>', html, re.S)
    assert '<div class="cite-panel"' not in html.split("<template", 1)[0]  # no panel repeated per paragraph
    texts = _panel_copy_texts(_panel(html, "p-12"))
    assert texts == [KLINGNER_P12[k] for k in ("chicago", "apa", "mla", "bibtex", "ris")]
    takeaway = _panel_copy_texts(_panel(html, "kt-2"))
    assert takeaway[1].endswith("\n" + KLINGNER_KT2_APA_INTEXT)
    gomez = _panel_copy_texts(_panel(page_html(built_site, GOMEZ_SLUG), "p-3"))
    assert gomez[:3] == [GOMEZ_P3[k] for k in ("chicago", "apa", "mla")]


def test_cite_this_paper_block_under_the_byline(built_site):
    for slug, url in ((KLINGNER_SLUG, "http://report.heritage.org/ib5022"), (GOMEZ_SLUG, f"{SITE}papers/{GOMEZ_SLUG}/")):
        html = page_html(built_site, slug)
        m = re.search(r'<p class="byline">.*?</p>\n<details class="cite-paper"><summary>Cite this paper</summary>(.*?)</details>',
                      html, re.S)
        assert m, slug
        texts = _panel_copy_texts(m[1])
        assert len(texts) == 5
        assert all(url in t for t in texts), texts
        assert "para." not in m[1]


@pytest.mark.parametrize("slug", [KLINGNER_SLUG, GOMEZ_SLUG])
def test_highwire_tags_and_json_ld(built_site, slug):
    html = page_html(built_site, slug)
    meta = dict(re.findall(r'<meta name="(citation_[a-z_]+)" content="([^"]*)">', html))
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    if slug == KLINGNER_SLUG:
        assert meta["citation_title"] == "U.S. Needs Resolve and Restraint in Response to North Korean Provocations"
        assert meta["citation_publication_date"] == "2019/12/20"
        assert meta["citation_technical_report_institution"] == "The Heritage Foundation"
        assert meta["citation_technical_report_number"] == "5022"
        assert ld["@type"] == "Report" and ld["reportNumber"] == "5022"
    else:
        assert _html.unescape(meta["citation_title"]) == "There must be consequences for North Korea's new missile tests"
        assert meta["citation_publication_date"] == "2019/07/25"
        assert "citation_technical_report_number" not in meta
        assert ld["@type"] == "OpinionNewsArticle"
    assert re.findall(r'<meta name="citation_author" content="([^"]*)">', html) == [a["name"] for a in ld["author"]]
    assert meta["citation_public_url"] == ld["url"] == f"{SITE}papers/{slug}/"
    assert ld["datePublished"] == meta["citation_publication_date"].replace("/", "-")


def test_other_pages_carry_no_paper_metadata(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "citation_title" not in home and "application/ld+json" not in home


@pytest.mark.parametrize("url", [
    "https://example.org/papers/x/#p-3",
    "https://example.org/a_b%20c/papers/x/#kt-1",
    r"https://example.org/back\slash/&amp;{braces}/#p-12",
])
def test_bibtex_and_ris_filled_per_paragraph_equal_formatting_each(url):
    """PaperCiter formats BibTeX and RIS once with a placeholder URL and fills it in per
    paragraph: that must give exactly what formatting with the URL gives."""
    for slug in (GOMEZ_SLUG, KLINGNER_SLUG):
        text = (ROOT / "bib" / f"{slug}.bib").read_text(encoding="utf-8")
        key = re.search(r'^bib_key: "([^"]+)"', (ROOT / "docs" / "papers" / f"{slug}.md").read_text(encoding="utf-8"), re.M)[1]
        citer = PaperCiter(text, key)
        got = citer.paragraph(url, 3)
        entry = bib_entry(text, key)
        assert got.bibtex == with_url(entry, url)
        assert got.ris == ris(entry, url)
        for style, ref, pin in got.styles:
            assert ref == citer.with_original(style.reference.fill(url, "3")) and pin == style.para.fill(url, "3")
