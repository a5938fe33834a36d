"""The cite panel in a real browser: keyboard alone, Escape closes, copy buttons copy exact strings."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cite_expected import GOMEZ_P3, KLINGNER_P12
from support import GOMEZ_SLUG, KLINGNER_SLUG

pytestmark = pytest.mark.browser


def _clipboard(page, base_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))


def _focused(page, selector):
    return page.evaluate(f"document.activeElement.matches({selector!r})")


def _tab_to(page, selector, limit=15):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_cite_panel_by_keyboard_alone(page, base_url):
    _clipboard(page, base_url)
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    page.locator("#p-12 a.pr-link").focus()  # start of the paragraph; from here on, keys only
    _tab_to(page, '#p-12 button.pr-cite')
    button = page.locator("#p-12 button.pr-cite")
    expect(button).to_have_accessible_name("Cite ¶ 12")
    expect(button).to_have_attribute("aria-expanded", "false")
    panel = page.locator("#cite-p-12")
    expect(panel).to_be_hidden()

    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(panel).to_have_attribute("role", "dialog")
    expect(panel).to_have_accessible_name("Cite ¶ 12")
    assert _focused(page, "#cite-p-12 .cite-copy")  # focus moved into the panel

    expected = [KLINGNER_P12[k] for k in ("chicago", "apa", "mla", "bibtex", "ris")]
    for i, text in enumerate(expected):
        if i:
            _tab_to(page, "#cite-p-12 .cite-copy", limit=3)
        page.keyboard.press("Enter")
        assert page.evaluate("navigator.clipboard.readText()") == text
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    assert _focused(page, "#p-12 button.pr-cite")
    page.keyboard.press("Space")
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()


def test_copy_buttons_by_mouse_and_close_button(page, base_url):
    _clipboard(page, base_url)
    page.goto(f"{base_url}papers/{GOMEZ_SLUG}/")
    page.locator("#p-3 button.pr-cite").click()
    panel = page.locator("#cite-p-3")
    expect(panel).to_be_visible()
    for i, key in enumerate(("chicago", "apa", "mla")):
        copy = panel.locator(".cite-copy").nth(i)
        copy.click()
        assert page.evaluate("navigator.clipboard.readText()") == GOMEZ_P3[key]
        expect(copy).to_have_text("Copied")
    # opening another paragraph's panel closes this one
    page.locator("#p-4 button.pr-cite").click()
    expect(panel).to_be_hidden()
    expect(page.locator("#cite-p-4")).to_be_visible()
    page.locator("#cite-p-4 .cite-close").click()
    expect(page.locator("#cite-p-4")).to_be_hidden()


def test_cite_this_paper_block(page, base_url):
    _clipboard(page, base_url)
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    summary = page.locator("details.cite-paper summary")
    expect(summary).to_have_text("Cite this paper")
    summary.focus()
    page.keyboard.press("Enter")
    copy = page.locator("details.cite-paper .cite-copy").nth(1)
    expect(copy).to_be_visible()
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == (
        "Klingner, B. (2019). U.S. needs resolve and restraint in response to North Korean provocations "
        "(Issue Brief No. 5022). The Heritage Foundation. http://report.heritage.org/ib5022"  # APA 7: sentence case
    )


def test_footnote_tooltip_still_works_beside_the_controls(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    ref = page.locator("#p-4 sup a.footnote-ref").first
    ref.hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active").first
    expect(tooltip).to_be_visible(timeout=5000)
    expect(tooltip).to_contain_text("Supreme Leader Kim Jong Un Makes Policy Speech")


@pytest.mark.parametrize("slug", [KLINGNER_SLUG, GOMEZ_SLUG])
def test_every_built_panel_equals_the_citations_formatted_for_its_paragraph(page, base_url, slug):
    """cite.js builds each paragraph's panel from the page's one template: for every paragraph
    and key takeaway, what its copy buttons would copy is what PaperCiter.paragraph formats for
    that permalink and number (the strings the panels held when each paragraph carried its own)."""
    import re

    from cite_expected import SITE
    from policy_reader.site.citations.cite import PaperCiter
    from support import ROOT

    key = re.search(r'^bib_key: "([^"]+)"', (ROOT / "docs" / "papers" / f"{slug}.md").read_text(encoding="utf-8"), re.M)[1]
    citer = PaperCiter((ROOT / "bib" / f"{slug}.bib").read_text(encoding="utf-8"), key)
    page.goto(f"{base_url}papers/{slug}/")
    built = page.evaluate("""() => [...document.querySelectorAll('p.para, p.takeaway')].map(p => {
        const panel = window.policyReaderCitePanel(p);
        return [p.id, panel.id, panel.getAttribute('aria-label'), [...panel.querySelectorAll('.cite-style')].map(block =>
          [...block.querySelectorAll('.cite-line')].map(l => l.textContent).join('\\n'))];
      })""")
    assert len(built) >= 9
    for pid, panel_id, name, texts in built:
        number = pid.split("-", 1)[1]
        got = citer.paragraph(f"{SITE}papers/{slug}/#{pid}", number, takeaway=pid.startswith("kt-"))
        expected = [ref.text + ("\n" + pin.text if pin else "") for _, ref, pin in got.styles] + [got.bibtex, got.ris]
        assert panel_id == f"cite-{pid}"
        assert name == ("Cite key takeaway " if pid.startswith("kt-") else "Cite ¶ ") + number
        assert texts == expected, pid
    assert page.locator(".cite-panel:not([hidden])").count() == 0  # built closed
