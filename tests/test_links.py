"""Link integrity over the built site: every internal href and fragment resolves;
links that open a new tab carry rel="noopener"."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "a" and "href" in a:
            self.links.append(a)


def parse_site(site):
    pages = {}
    for path in site.rglob("*.html"):
        c = Collect()
        c.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = c
    return pages


def resolve(page: str, href: str) -> tuple[str, str]:
    parts = urlsplit(href)
    base = posixpath.dirname(page)
    if parts.path.startswith("/"):  # root-relative (404.html); the default site_url path is "/"
        base, parts = "", parts._replace(path=parts.path.lstrip("/") or "./")
    target = posixpath.normpath(posixpath.join(base, unquote(parts.path))) if parts.path else page
    if parts.path.endswith("/") or parts.path == "":
        target = target if parts.path == "" else posixpath.join(target, "index.html")
    if target.startswith("./"):
        target = target[2:]
    return target, unquote(parts.fragment)


def test_every_internal_link_and_fragment_resolves(built_site):
    pages = parse_site(built_site)
    assert len(pages) >= 3
    broken = []
    checked = 0
    for page, c in pages.items():
        for a in c.links:
            href = a["href"]
            if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                continue
            target, fragment = resolve(page, href)
            if target == ".":
                target = "index.html"
            checked += 1
            if not (built_site / target).exists():
                broken.append(f"{page}: {href} -> missing {target}")
                continue
            if fragment and target.endswith(".html"):
                ids = pages[target].ids
                if fragment not in ids:
                    broken.append(f"{page}: {href} -> no id '{fragment}' in {target}")
    assert checked > 50
    assert broken == []


def test_new_tab_links_carry_noopener(built_site):
    for page, c in parse_site(built_site).items():
        for a in c.links:
            if a.get("target") == "_blank":
                assert "noopener" in (a.get("rel") or ""), f"{page}: {a['href']}"
