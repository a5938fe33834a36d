"""Tooltips in a real browser: a note number shows its reference, a glossary term its explanation."""

import re

from playwright.sync_api import expect

from support import KLINGNER_SLUG

pytestmark = __import__("pytest").mark.browser


def test_footnote_tooltip_shows_the_formatted_reference(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    ref = page.locator("#p-8 sup a.footnote-ref").first
    expect(ref).to_have_text("4")
    ref.hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active").first
    expect(tooltip).to_be_visible(timeout=5000)
    expect(tooltip).to_contain_text("Jan Pytalski")
    expect(tooltip).to_contain_text("Reuters, December 7, 2019")
    expect(tooltip).to_contain_text("accessed December 17, 2019")


def test_paragraph_fragment_targets_the_paragraph(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/#p-3")
    para = page.locator("#p-3")
    expect(para).to_be_in_viewport()
    assert re.search(r"military deterrence, containment, pressure", para.inner_text())


def test_glossary_term_shows_its_explanation_as_a_tooltip(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    term = page.locator("#p-2 abbr", has_text="ICBM").first
    term.scroll_into_view_if_needed()
    term.hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active").first
    expect(tooltip).to_be_visible(timeout=5000)
    expect(tooltip).to_contain_text("Intercontinental ballistic missile")
