"""What readers expect, in a real browser: filters on /papers/, the feed link, dark mode
from the OS, copy a quote with its citation and a highlighting link, a cite panel that
fits a phone, chips and Cite by keyboard, KT labels in view, paragraphs first in search."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from support import GOMEZ_SLUG, KLINGNER_SLUG, LOCAL_SITE_URL

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
TARGET_TEXT_RGB = (0xFF, 0xD2, 0x3F)  # ::target-text background in docs/assets/cite.css


def _visible_titles(page) -> list[str]:
    return page.locator("ul.papers li.paper-card:visible strong").all_inner_texts()


K_TITLE = "U.S. Needs Resolve and Restraint in Response to North Korean Provocations"
G_TITLE = "There must be consequences for North Korea's new missile tests"


# --------------------------------------------------------------------------- facets

def test_facets_filter_the_papers_and_keep_the_choice_in_the_address(page, base_url):
    page.goto(base_url + "papers/")
    form = page.locator("form[data-facets]")
    expect(form).to_be_visible()
    count = page.locator("[data-facet-count]")
    expect(count).to_have_text("2 papers")
    assert _visible_titles(page) == [K_TITLE, G_TITLE]

    page.select_option("select[name=publisher]", "Cato Institute")
    expect(count).to_have_text("1 of 2 papers")
    assert _visible_titles(page) == [G_TITLE]
    assert parse_qs(urlsplit(page.url).query) == {"publisher": ["Cato Institute"]}

    page.select_option("select[name=author]", "Bruce Klingner")  # and Cato: nothing
    expect(count).to_have_text("0 of 2 papers")
    assert _visible_titles(page) == []

    page.locator("button.facet-reset").click()
    expect(count).to_have_text("2 papers")
    assert _visible_titles(page) == [K_TITLE, G_TITLE]
    assert urlsplit(page.url).query == ""

    # a shared address opens with its filters applied
    page.goto(base_url + "papers/?year=2019&author=Bruce+Klingner&topic=sanctions")
    expect(count).to_have_text("1 of 2 papers")
    assert _visible_titles(page) == [K_TITLE]
    expect(page.locator("select[name=author]")).to_have_value("Bruce Klingner")
    expect(page.locator("select[name=topic]")).to_have_value("sanctions")


def test_facet_options_name_their_counts(page, base_url):
    page.goto(base_url + "papers/")
    options = page.locator("select[name=year] option").all_inner_texts()
    assert options == ["All years", "2019 (2)"]
    topics = page.locator("select[name=topic] option").all_inner_texts()
    assert "Sanctions and pressure (2)" in topics


def test_without_javascript_the_full_list_is_readable(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "papers/")
    expect(page.locator("form[data-facets]")).to_be_hidden()
    assert _visible_titles(page) == [K_TITLE, G_TITLE]
    context.close()


# --------------------------------------------------------------------------- feed

def test_the_feed_link_in_the_head_leads_to_valid_atom(page, base_url):
    for path in ("", f"papers/{GOMEZ_SLUG}/", "papers/", "bibliography/"):
        page.goto(base_url + path)
        link = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
        expect(link).to_have_count(1)
        href = urljoin(page.url, link.get_attribute("href"))
        assert href == base_url + "feed.xml", path
    response = page.request.get(base_url + "feed.xml")
    assert response.ok
    feed = ET.fromstring(response.body())
    assert feed.tag == f"{ATOM}feed"
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert titles == [K_TITLE, G_TITLE]


# --------------------------------------------------------------------------- dark mode

def _scheme(page) -> str:
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def _background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_dark_mode_follows_the_os_until_the_reader_picks(browser, base_url):
    light = browser.new_context(color_scheme="light")
    page = light.new_page()
    page.goto(base_url)
    assert _scheme(page) == "default"
    light_bg = _background(page)
    light.close()

    dark = browser.new_context(color_scheme="dark")
    page = dark.new_page()
    page.goto(base_url + f"papers/{KLINGNER_SLUG}/")
    assert _scheme(page) == "slate"
    assert _background(page) != light_bg
    # the reader picks light: the toggle cycles system -> dark -> light
    for _ in range(3):
        if _scheme(page) == "default":
            break
        page.locator("form[data-md-component=palette] label:visible").first.click()
    assert _scheme(page) == "default"
    page.reload()
    assert _scheme(page) == "default"  # the choice wins over the OS, and is remembered
    page.goto(base_url)
    assert _scheme(page) == "default"
    dark.close()


# --------------------------------------------------------------------------- copy quote

SELECT_JS = """([id, start, end]) => {
  const block = document.getElementById(id);
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
  let first = null, last = null, n;
  while ((n = walker.nextNode())) {
    if (n.parentElement.closest('.pr-link, .topic-chips, .pr-cite, sup')) continue;
    if (!first && n.data.indexOf(start) >= 0) first = [n, n.data.indexOf(start)];
    if (first && n.data.indexOf(end) >= 0) { last = [n, n.data.indexOf(end) + end.length]; break; }
  }
  const range = document.createRange();
  range.setStart(first[0], first[1]);
  range.setEnd(last[0], last[1]);
  const sel = getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}"""

COUNT_COLOUR_JS = """async ([data, rgb]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + data;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (Math.abs(px[i] - rgb[0]) <= 2 && Math.abs(px[i + 1] - rgb[1]) <= 2 && Math.abs(px[i + 2] - rgb[2]) <= 2) n++;
  }
  return n;
}"""


def _highlighted_pixels(page, selector: str) -> int:
    shot = page.locator(selector).screenshot()
    return page.evaluate(COUNT_COLOUR_JS, [base64.b64encode(shot).decode(), list(TARGET_TEXT_RGB)])


def _copy_quote(browser, base_url, slug, pid, start, end):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + f"papers/{slug}/")
    page.evaluate(SELECT_JS, [pid, start, end])
    button = page.locator("button.pr-quote")
    expect(button).to_be_visible()
    button.click()
    expect(button).to_have_text("Quote copied")
    return context, page.evaluate("navigator.clipboard.readText()")


def test_copy_quote_puts_the_words_citation_and_a_highlighting_link_on_the_clipboard(browser, base_url):
    # the selection starts inside a word: the quote is widened to whole words
    context, text = _copy_quote(browser, base_url, GOMEZ_SLUG, "p-2", "eavy on symbolism", "light on substance")
    quote, cite = text.split("\n")
    assert quote == "\u201cheavy on symbolism but light on substance\u201d"
    note, link = cite.rsplit(" ", 1)
    assert note == "Gomez, \u201cThere Must Be Consequences for North Korea\u2019s New Missile Tests,\u201d para. 2."
    assert link == (f"{LOCAL_SITE_URL}papers/{GOMEZ_SLUG}/#p-2"
                    ":~:text=heavy%20on%20symbolism%20but%20light%20on%20substance")

    # opening the link scrolls to the paragraph, marks it and highlights the quoted words
    page = context.new_page()
    page.goto(link.replace(LOCAL_SITE_URL, base_url))
    para = page.locator("#p-2")
    expect(para).to_have_class(re.compile(r"\bpr-target\b"))
    expect(para).to_be_in_viewport()
    assert page.evaluate("location.hash") == "#p-2"
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    assert _highlighted_pixels(page, "#p-2") > 500
    # the same paragraph opened without the text fragment has no such highlight
    plain = context.new_page()
    plain.goto(base_url + f"papers/{GOMEZ_SLUG}/#p-2")
    expect(plain.locator("#p-2")).to_have_class(re.compile(r"\bpr-target\b"))
    assert _highlighted_pixels(plain, "#p-2") == 0
    context.close()


def test_a_long_quote_leaves_out_note_numbers_and_links_by_its_first_and_last_words(browser, base_url):
    # Klingner ¶ 4 carries endnote marks; select across one of them
    context, text = _copy_quote(browser, base_url, KLINGNER_SLUG, "p-4", "April 2019, Kim", "insult President Trump")
    quote, cite = text.split("\n")
    assert quote.startswith("\u201c") and quote.endswith("\u201d")
    page = context.new_page()
    page.goto(base_url + f"papers/{KLINGNER_SLUG}/")
    words = page.evaluate("""() => {
      const p = document.getElementById('p-4').cloneNode(true);
      p.querySelectorAll('.pr-link, .topic-chips, .pr-cite, sup').forEach(e => e.remove());
      return p.textContent.replace(/\\s+/g, ' ').trim();
    }""")
    assert quote[1:-1] in words
    assert quote.startswith("\u201cApril 2019, Kim Jong-un declared") and quote.endswith("insult President Trump\u201d")
    assert "dangerous.\u201d North Korean" in quote  # the endnote number is left out
    note, link = cite.rsplit(" ", 1)
    assert "para. 4" in note
    directive = link.split(":~:text=", 1)[1]
    start, end = directive.split(",")
    assert start == "April%202019%2C%20Kim%20Jong%2Dun" and end == "and%20insult%20President%20Trump"
    page.goto(link.replace(LOCAL_SITE_URL, base_url))
    expect(page.locator("#p-4")).to_have_class(re.compile(r"\bpr-target\b"))
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    assert _highlighted_pixels(page, "#p-4") > 2000
    context.close()


# --------------------------------------------------------------------------- cite panel on a phone

def test_cite_panel_fits_a_phone_and_bibtex_keeps_its_lines(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=3)
    page = context.new_page()
    page.goto(base_url + f"papers/{KLINGNER_SLUG}/")
    for pid in ("p-17", "kt-1"):
        cite = page.locator(f"#{pid} .pr-cite")
        expect(cite).to_be_visible()  # touch screens always show it
        cite.tap()
        panel = page.locator(f"#cite-{pid}")
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert box["width"] <= 390 and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert box["height"] <= 844, box
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844 + 1, box  # wholly on screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # every BibTeX and RIS line is one line on screen: nothing wraps mid-word
        lines = page.evaluate("""(id) => [...document.querySelectorAll('#' + id + ' pre.cite-line')].map(pre => {
          const range = document.createRange();
          range.selectNodeContents(pre);
          const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
          return [pre.textContent.split('\\n').length, tops.size, getComputedStyle(pre).whiteSpace];
        })""", f"cite-{pid}")
        assert len(lines) == 2  # BibTeX and RIS
        for written, shown, white_space in lines:
            assert white_space == "pre"
            assert shown == written, lines
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
    context.close()


# --------------------------------------------------------------------------- quiet pages, keyboard

def _opacity(locator) -> float:
    """How opaque the element shows: its opacity times its ancestors'."""
    return float(locator.evaluate(
        "e => { let o = 1; for (; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; }"))


def test_chips_and_cite_are_quiet_until_hover_or_focus_and_reachable_by_keyboard(page, base_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base_url + f"papers/{GOMEZ_SLUG}/")
    page.mouse.move(5, 5)
    para = page.locator("#p-3")
    chips = para.locator("a.topic-chip")
    cite = para.locator("button.pr-cite")
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    assert _opacity(chips.first) == 0 and _opacity(cite) == 0  # quiet while reading

    para.hover()
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    assert _opacity(chips.first) == 1 and _opacity(cite) == 1
    page.mouse.move(5, 5)

    # keyboard: Tab from the ¶ number reaches each chip, then Cite, and they show
    para.locator(".pr-link").focus()
    for i in range(chips.count()):
        page.keyboard.press("Tab")
        expect(chips.nth(i)).to_be_focused()
        page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
        assert _opacity(chips.nth(i)) == 1
    page.keyboard.press("Tab")
    expect(cite).to_be_focused()
    assert _opacity(cite) == 1
    page.keyboard.press("Enter")
    expect(cite).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#cite-p-3")).to_be_visible()
    page.keyboard.press("Escape")
    expect(cite).to_be_focused()
    expect(page.locator("#cite-p-3")).to_be_hidden()
    # a chip followed by Enter opens its topic page
    para.locator(".pr-link").focus()
    page.keyboard.press("Tab")
    href = chips.first.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(href.replace("../", "")) + "$"))


def test_first_desktop_screen_shows_the_papers_paragraphs(page, base_url):
    """Issue 15: on a 1280x800 desktop the quiet chips and Cite take no line of their own, so
    the first screen of the Heritage brief shows its key takeaways and its first body paragraph
    whole (stock Material shows three paragraphs of the same Markdown)."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(base_url + f"papers/{KLINGNER_SLUG}/")
    page.mouse.move(5, 5)
    whole = page.evaluate("""() => [...document.querySelectorAll('p.para, p.takeaway')]
      .filter(p => { const r = p.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })
      .map(p => p.id)""")
    assert len(whole) >= 3 and "p-1" in whole, whole
    # the controls add no height to a paragraph: taking them out changes nothing
    grown = page.evaluate("""() => [...document.querySelectorAll('p.para, p.takeaway')].filter(p => {
        const before = p.getBoundingClientRect().height;
        const parts = [...p.querySelectorAll(':scope > .topic-chips, :scope > .pr-cite')];
        const marks = parts.map(e => { const m = document.createComment(''); e.replaceWith(m); return [m, e]; });
        const after = p.getBoundingClientRect().height;
        marks.forEach(([m, e]) => m.replaceWith(e));
        return Math.abs(before - after) > 0.5;
      }).map(p => p.id)""")
    assert grown == [], grown
    # hovered, a paragraph's chips and Cite show under it, over the gap, not over its own text
    para = page.locator("#p-1")
    para.hover()
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    cite = para.locator("button.pr-cite").bounding_box()
    chip = para.locator("a.topic-chip").first.bounding_box()
    box = para.bounding_box()
    assert cite["y"] >= box["y"] + box["height"] - 4 and chip["y"] >= box["y"] + box["height"] - 4, (cite, chip, box)
    assert _opacity(para.locator("button.pr-cite")) == 1
    # with its panel open a paragraph keeps Cite in its text (never over the panel's close button)
    para.locator("button.pr-cite").click()
    panel = page.locator("#cite-p-1")
    expect(panel).to_be_visible()
    cite = para.locator("button.pr-cite").bounding_box()
    assert cite["y"] + cite["height"] <= panel.bounding_box()["y"], (cite, panel.bounding_box())


def test_touch_screens_always_show_chips_and_cite(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(base_url + f"papers/{GOMEZ_SLUG}/")
    assert _opacity(page.locator("#p-3 a.topic-chip").first) == 1
    assert _opacity(page.locator("#p-3 button.pr-cite")) == 1
    context.close()


@pytest.mark.parametrize("width", [1280, 800, 390])
def test_key_takeaway_labels_are_not_under_the_bar(page, base_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base_url + f"papers/{KLINGNER_SLUG}/")
    bar = page.locator(".takeaways").evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.left + parseFloat(getComputedStyle(e).borderLeftWidth); }")
    for i in (1, 2, 3):
        label = page.locator(f"#kt-{i} .pr-link")
        expect(label).to_be_visible()
        box = label.bounding_box()
        assert box["x"] >= bar, (i, box, bar)
        assert box["x"] >= 0


# --------------------------------------------------------------------------- search

def test_search_lists_paragraphs_with_their_paper_before_other_pages(page, base_url, built_site):
    from policy_reader.site.search import shards

    # a topic page, "All papers" and the home page hold both words (no paragraph does): they compete
    docs, terms = shards.load_docs(built_site), shards.load_terms(built_site)
    holders = set.intersection(*({docs[d]["location"] for d in terms[w][0::2]} for w in ("sanctions", "relief")))
    assert any(loc.startswith("topics/") for loc in holders), holders
    page.goto(base_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("sanctions relief", delay=20)
    links = page.locator(".md-search-result__list a.md-search-result__link")
    expect(links.first).to_be_visible(timeout=10000)
    hrefs = [a.get_attribute("href") for a in links.all()]
    kinds = ["para" if re.search(r"#(p-\d+|kt-\d+|bio)$", h) else
             "paper" if re.search(r"/papers/[a-z0-9-]+/\?h=[^#]*$", h) else "other" for h in hrefs]
    assert "para" in kinds
    last_para = max(i for i, k in enumerate(kinds) if k == "para")
    assert "other" not in kinds[:last_para], list(zip(kinds, hrefs))
    # each paragraph result names the paper and the paragraph
    for a in links.all():
        if re.search(r"#(p-\d+|kt-\d+)$", a.get_attribute("href")):
            title = a.locator("h1, h2").first.inner_text()
            assert re.match(r"(¶ \d+|Key takeaway \d+) · ", title), title
            assert title.split(" · ", 1)[1] in (K_TITLE, G_TITLE)
