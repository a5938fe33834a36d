"""Privacy: reading any page requests nothing from any host but the site's own.

Every request the browser makes while a page loads and while the reader uses it
(scrolls, opens a footnote tooltip, searches, switches to dark mode) is recorded;
a request to any other host fails the test. A static scan of the built files
backs it up for resources the browser might not fetch in this session."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from reading_room import reading_pages
from support import KLINGNER_SLUG

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = {"data", "blob", "about"}


def foreign(requests: list[str], base_url: str) -> list[str]:
    own = urlsplit(base_url).netloc
    return [u for u in requests if urlsplit(u).scheme not in LOCAL_SCHEMES and urlsplit(u).netloc != own]


def test_foreign_detects_other_hosts():
    base = "http://127.0.0.1:8123/"
    assert foreign(["http://127.0.0.1:8123/a.css", "data:image/png;base64,AA"], base) == []
    assert foreign(["https://fonts.gstatic.com/x.woff2", "http://127.0.0.1:9999/"], base) == [
        "https://fonts.gstatic.com/x.woff2", "http://127.0.0.1:9999/"]


def _use_page(page) -> None:
    page.mouse.wheel(0, 20000)
    ref = page.locator("sup a.footnote-ref").first
    if ref.count():
        ref.hover()
    page.keyboard.press("/")
    page.locator("input.md-search__input").press_sequentially("missile")
    page.locator(".md-search-result__item").first.wait_for(state="visible")
    page.keyboard.press("Escape")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_load_state("networkidle")


def test_reading_requests_only_the_sites_own_host(page, base_url, built_site):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    pages = reading_pages(built_site) + ["404.html"]  # the page a static host shows for a missing address
    for path in pages:
        page.goto(base_url + path, wait_until="networkidle")
        _use_page(page)
    assert any(u.endswith("search/search_index.json") for u in requests), "the search index was not loaded"
    assert any(f"papers/{KLINGNER_SLUG}/" in u for u in requests)
    assert foreign(requests, base_url) == []


RESOURCE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc=["']?(?P<src>[^"'\s>]+)"""
    r"""|<link\b(?=[^>]*\brel=["']?(?:stylesheet|preload|icon|modulepreload|prefetch|preconnect|dns-prefetch|manifest))[^>]*\bhref=["']?(?P<href>[^"'\s>]+)"""
    r"""|url\(\s*["']?(?P<url>[^"')]+)""",
    re.I,
)


def test_built_files_reference_no_foreign_resource(built_site):
    bad = []
    for path in sorted(built_site.rglob("*")):
        if path.suffix not in {".html", ".css", ".js", ".json", ".xml"} or path.name == "sitemap.xml":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in RESOURCE.finditer(text):
            ref = m["src"] or m["href"] or m["url"]
            if re.match(r"(?:https?:)?//", ref):
                bad.append(f"{path.relative_to(built_site)}: {ref}")
    assert bad == []
