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


# --------------------------------------------------------------------------- paging at scale

import functools  # noqa: E402
import http.server  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urljoin  # noqa: E402

import pytest  # noqa: E402

from support import ROOT, mkdocs_build  # noqa: E402


@pytest.fixture(scope="module")
def library_url(tmp_path_factory):
    """A library of the seeds plus 12 synthetic papers, built with 2 KB of passages per topic
    page so every topic runs to several pages; served on 127.0.0.1."""
    from policy_reader.dev import synth

    proj = tmp_path_factory.mktemp("paged")
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, proj / name)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (proj / "mkdocs.yml").write_text(config.replace("  - policy-reader\n", "  - policy-reader:\n      topic_page_kb: 2\n", 1), encoding="utf-8")
    synth.write_library(proj / "sources", 12, 6)
    bin_dir = Path(sys.executable).parent
    for cmd in (["convert"], ["permalinks", "--update"]):
        subprocess.run([str(bin_dir / "policy-reader"), *cmd, "--root", str(proj)], cwd=proj, check=True, capture_output=True)
    site = proj / "site"
    assert mkdocs_build(proj, site).returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    server.server_close()


def test_topic_pages_page_through_every_passage(page, library_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{library_url}topics/sanctions/")
    pager = page.locator("nav.topic-pager").first
    expect(pager).to_contain_text("Page 1 of")
    total = int(pager.inner_text().split("Page 1 of ")[1].split(":")[0])
    assert total >= 3
    seen = []
    for k in range(1, total + 1):
        expect(page.locator("h1")).to_contain_text(f"(page {k} of {total})")
        links = page.locator("a.topic-passage-link")
        assert links.count() > 0
        seen += [urljoin(page.url, links.nth(i).get_attribute("href")) for i in range(links.count())]
        if k < total:
            page.locator("nav.topic-pager").first.get_by_role("link", name="Next →").click()
            expect(page).to_have_url(f"{library_url}topics/sanctions/page/{k + 1}/")
    assert page.locator("nav.topic-pager").first.get_by_role("link", name="Next →").count() == 0
    # Back to the first page by its number, and by keyboard from the pager.
    page.locator("nav.topic-pager").first.get_by_role("link", name="1", exact=True).click()
    expect(page).to_have_url(f"{library_url}topics/sanctions/")
    nxt = page.locator("nav.topic-pager").first.get_by_role("link", name="Next →")
    nxt.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{library_url}topics/sanctions/page/2/")
    # A passage on page 2 leads to its paragraph.
    link = page.locator("a.topic-passage-link").first
    href = link.get_attribute("href")
    link.click()
    anchor = href.split("#")[1]
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()
    # The pages list each passage once.
    assert len(seen) == len(set(seen)) and all("/papers/" in u and "#" in u for u in seen)
