"""Accessibility in the real browser: axe-core (shipped in axe-playwright-python's
wheel) finds no serious or critical violation on the reading pages, in the light
and the dark scheme; the three violations of stock Material are fixed by our
overrides (docs/overrides/, docs/assets/a11y.css); the page is operable by keyboard."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from reading_room import CORE_PAGES, reading_pages, settle, use_scheme
from support import KLINGNER_SLUG

pytestmark = pytest.mark.browser

AXE = Axe()


def serious(results) -> list[str]:
    out = []
    for v in results.response["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
            out.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']} -> {targets}")
    return out


def test_every_reading_page_is_checked(built_site):
    pages = reading_pages(built_site)
    assert pages[: len(CORE_PAGES)] == CORE_PAGES
    for path in pages:
        assert (built_site / path / "index.html").exists(), path


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_no_serious_axe_violations(page, base_url, built_site, scheme):
    problems = []
    for path in reading_pages(built_site):
        page.goto(base_url + path)
        use_scheme(page, scheme)
        problems += [f"/{path}: {p}" for p in serious(AXE.run(page))]
    assert not problems, "\n".join(problems)


def test_the_open_search_dialog_has_no_serious_violation(page, base_url):
    page.goto(base_url)
    page.keyboard.press("/")  # Material's shortcut opens the search dialog
    query = page.locator("input.md-search__input")
    expect(query).to_be_focused()
    query.press_sequentially("Singapore")
    expect(page.locator(".md-search-result__item").first).to_be_visible()
    settle(page)
    assert not serious(AXE.run(page, context=".md-search"))


def test_stock_material_problems_are_fixed(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    dialog = page.locator(".md-search[role=dialog]")
    expect(dialog).to_have_attribute("aria-label", "Search")
    results = AXE.run(page, options={"runOnly": ["aria-dialog-name", "color-contrast", "link-in-text-block"]})
    assert results.response["violations"] == []
    # links inside running text are underlined, not told apart by colour alone
    decoration = page.locator("#p-4 a.footnote-ref, .md-typeset p a").first.evaluate(
        "a => getComputedStyle(a).textDecorationLine"
    )
    assert "underline" in decoration


def _tab_until(page, predicate_js: str, limit: int = 80) -> list[str]:
    """Press Tab until the focused element satisfies ``predicate_js`` (a JS function of it)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(
            "() => { const e = document.activeElement; return [e.tagName, e.id, e.getAttribute('href') || '', "
            "e.getAttribute('aria-label') || ''].join('|') }"
        ))
        if page.evaluate(f"({predicate_js})(document.activeElement)"):
            return seen
    raise AssertionError("not reached by Tab; focus went through:\n" + "\n".join(seen))


def test_keyboard_reaches_the_reading_pages(page, base_url):
    page.goto(base_url)
    # to the back-to-top button, or to the end of the page when it is too short to need one
    seen = _tab_until(page, "e => (e.tagName === 'BUTTON' && e.classList.contains('md-top')) || e === document.body")
    joined = "\n".join(seen)
    for href in ("bibliography/", "timeline/", f"papers/{KLINGNER_SLUG}/"):
        assert f"|{href}|" in joined, joined


def test_keyboard_toggles_dark_mode(page, base_url):
    page.goto(base_url)
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    _tab_until(page, "e => e.name === '__palette'")
    page.keyboard.press("Space")
    expect(page.locator("body")).not_to_have_attribute("data-md-color-scheme", before)


def test_keyboard_opens_a_paper_and_follows_a_timeline_link(page, base_url):
    page.goto(f"{base_url}timeline/")
    _tab_until(page, f"e => (e.getAttribute('href') || '').endsWith('{KLINGNER_SLUG}/#p-8')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/papers/{KLINGNER_SLUG}/#p-8")
    expect(page.locator("#p-8")).to_be_in_viewport()
