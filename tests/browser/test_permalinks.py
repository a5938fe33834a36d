"""Permalinks in a real browser: scroll below the header and mark; copy; unknown fragment; successor."""

from __future__ import annotations

import functools
import http.server
import re
import socket
import threading

import pytest
from playwright.sync_api import expect

from cite_expected import SITE
from support import GOMEZ_SLUG, KLINGNER_SLUG, mkdocs_build

pytestmark = pytest.mark.browser


def test_permalink_scrolls_below_the_header_and_marks(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/#p-14")
    para = page.locator("#p-14")
    expect(para).to_be_in_viewport()
    expect(para).to_have_class(re.compile(r"\bpr-target\b"))
    header = page.locator("header.md-header").bounding_box()
    box = para.bounding_box()
    assert box["y"] >= header["y"] + header["height"] - 1, (box, header)
    assert page.evaluate("window.scrollY") > 0
    bg = para.evaluate("el => getComputedStyle(el).backgroundColor")
    assert bg == "rgb(255, 244, 194)", bg
    assert para.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    # other paragraphs are not marked
    expect(page.locator(".pr-target")).to_have_count(1)


def test_number_is_shown_and_its_link_copies_the_absolute_permalink(page, base_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    page.goto(f"{base_url}papers/{GOMEZ_SLUG}/")
    link = page.locator("#p-4 a.pr-link")
    expect(link).to_have_text("¶ 4")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#p-4$"))
    expect(page.locator("#p-4")).to_have_class(re.compile(r"\bpr-target\b"))
    assert page.evaluate("navigator.clipboard.readText()") == f"{SITE}papers/{GOMEZ_SLUG}/#p-4"
    expect(page.locator(".pr-status")).to_have_text("Link to ¶ 4 copied")


def test_unknown_fragment_opens_the_top_with_a_notice(page, base_url):
    page.goto(f"{base_url}papers/{KLINGNER_SLUG}/#p-99")
    notice = page.locator("#pr-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("#p-99")
    expect(notice).to_contain_text("not on this page")
    assert page.evaluate("window.scrollY") == 0
    expect(page.locator(".pr-target")).to_have_count(0)


@pytest.fixture(scope="module")
def retired_site(tmp_path_factory):
    """The real site with one retired id in its registry: gomez p-42 -> p-7."""
    import shutil

    from support import ROOT

    project = tmp_path_factory.mktemp("retired") / "project"
    project.mkdir()
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    registry = project / "docs" / "permalinks.yml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace(f"{GOMEZ_SLUG}:\n", f"{GOMEZ_SLUG}:\n  p-42: {{fingerprint: 0123456789abcdef, successor: p-7}}\n", 1),
                        encoding="utf-8")
    site = project.parent / "site"
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    server.server_close()


def test_retired_fragment_opens_its_successor_with_a_notice(page, retired_site):
    page.goto(f"{retired_site}papers/{GOMEZ_SLUG}/#p-42")
    para = page.locator("#p-7")
    expect(para).to_be_in_viewport()
    expect(para).to_have_class(re.compile(r"\bpr-target\b"))
    notice = page.locator("#pr-notice")
    expect(notice).to_have_text("This paragraph (¶ 42) was removed; the nearest is ¶ 7.")
    expect(notice).to_be_in_viewport()
    assert page.url.endswith("#p-42")  # the link as cited; the notice explains where it went
