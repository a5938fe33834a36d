"""Phones, desktops and paper: every reading page fits 360 px without horizontal
scrolling (phone and desktop screenshots), and a paper printed (print media
emulation) shows the text, ¶ numbers and permalinks without navigation chrome."""

from __future__ import annotations

import struct

import pytest
from playwright.sync_api import expect

from reading_room import reading_pages, use_scheme
from support import GOMEZ_SLUG, KLINGNER_SLUG

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("device", VIEWPORTS)
def test_pages_fit_the_width_without_horizontal_scroll(browser, base_url, built_site, tmp_path, device):
    size = VIEWPORTS[device]
    context = browser.new_context(viewport=size, device_scale_factor=1)
    page = context.new_page()
    too_wide = []
    for scheme in ("default", "slate"):
        for path in reading_pages(built_site):
            page.goto(base_url + path)
            use_scheme(page, scheme)
            widths = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
            )
            if max(widths[:2]) > widths[2]:
                too_wide.append(f"/{path} ({scheme}): scrollWidth {widths[:2]} > viewport {widths[2]}")
            shot = page.screenshot(full_page=True, path=tmp_path / f"{device}-{scheme}-{path.replace('/', '_') or 'home'}.png")
            width, height = png_size(shot)
            if width != size["width"]:
                too_wide.append(f"/{path} ({scheme}): full-page screenshot is {width} px wide, not {size['width']}")
            assert height >= size["height"]
    context.close()
    assert not too_wide, "\n".join(too_wide)


def _hidden(page, selector: str) -> bool:
    return page.locator(selector).evaluate_all(
        "els => els.length > 0 && els.every(e => getComputedStyle(e).display === 'none' || !e.offsetParent && getComputedStyle(e).position !== 'fixed')"
    )


@pytest.mark.parametrize("slug", [KLINGNER_SLUG, GOMEZ_SLUG])
def test_a_paper_prints_without_chrome_with_numbers_and_permalinks(page, base_url, slug):
    page.goto(f"{base_url}papers/{slug}/")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer"):
        expect(page.locator(selector).first).to_be_visible()
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer", ".md-search"):
        assert _hidden(page, selector), f"{selector} is printed"
    expect(page.locator("#p-1")).to_be_visible()
    # every body paragraph prints its ¶ number and its full permalink
    rows = page.locator("p.para").evaluate_all(
        """ps => ps.map(p => {
             const first = p.firstElementChild;
             const own = first && first.tagName === 'A' && (first.getAttribute('href') || '').startsWith('#')
                         && getComputedStyle(first).display !== 'none' ? first.textContent : null;
             return {id: p.id, link: own, before: getComputedStyle(p, '::before').content,
                     after: getComputedStyle(p, '::after').content,
                     printedText: p.innerText};
           })"""
    )
    assert rows, "no paragraphs"
    for n, row in enumerate(rows, start=1):
        assert row["id"] == f"p-{n}"
        number = row["link"] if row["link"] is not None else row["before"]
        assert "¶" in number and str(n) in number, row
        assert f"papers/{slug}/" in row["after"] and f"#p-{n}" in row["after"], row
    # the cite controls and topic chips are not printed
    assert page.locator("p.para button").evaluate_all("bs => bs.every(b => getComputedStyle(b).display === 'none')")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


def test_dark_mode_toggle_switches_and_is_remembered(page, base_url):
    page.goto(base_url)
    light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    use_scheme(page, "slate")
    dark_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_bg != light_bg
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
