"""Topics in a real browser: papers side by side on a desktop, stacked on a phone,
and a chip on a paper page leads to its topic page."""

from playwright.sync_api import expect

from support import GOMEZ_SLUG, KLINGNER_SLUG

pytestmark = __import__("pytest").mark.browser


def columns(page):
    sections = page.locator(".topic-papers > section.topic-paper")
    expect(sections).to_have_count(2)
    return [sections.nth(i).bounding_box() for i in range(2)]


def test_topic_page_side_by_side_on_desktop(page, base_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base_url}topics/military-exercises/")
    a, b = columns(page)
    assert abs(a["y"] - b["y"]) < 2  # same row
    assert a["x"] + a["width"] <= b["x"]  # first column left of the second
    assert a["width"] > 200 and b["width"] > 200


def test_topic_page_stacked_on_a_phone(page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base_url}topics/military-exercises/")
    a, b = columns(page)
    assert b["y"] >= a["y"] + a["height"]  # second below the first
    assert abs(a["x"] - b["x"]) < 2
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_chip_click_lands_on_the_topic_page(page, base_url):
    page.goto(f"{base_url}papers/{GOMEZ_SLUG}/")
    chip = page.locator('#p-7 .topic-chips a.topic-chip[data-topic="military-exercises"]')
    expect(chip).to_be_visible()
    chip.click()
    expect(page).to_have_url(f"{base_url}topics/military-exercises/")
    expect(page.locator("h1")).to_contain_text("Military exercises")
    # The passage link back lands on the exact paragraph.
    page.locator(f'section[data-paper="{KLINGNER_SLUG}"] a.topic-passage-link', has_text="¶ 17").click()
    expect(page).to_have_url(f"{base_url}papers/{KLINGNER_SLUG}/#p-17")
    expect(page.locator("#p-17")).to_be_in_viewport()


def test_header_lists_the_papers_topics(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/")
    chips = page.locator(".paper-topics a.topic-chip")
    expect(chips).to_have_count(4)
    chips.first.click()
    expect(page).to_have_url(f"{base_url}topics/sanctions/")
