"""The library's generated parts in HTML: home and /papers/ from the papers' front matter,
the Atom feed, OpenGraph/Twitter tags, the rights line, and the refusal to build
without SITE_URL. Browser behaviour is in tests/browser/test_reader_features.py."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from policy_reader.site.feed import atom_feed
from policy_reader.site.library import facets_form, library_summary, papers_list
from support import BIN, GOMEZ_SLUG, KLINGNER_SLUG, LOCAL_SITE_URL, ROOT, mkdocs_build, page_html

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def front_matter(slug: str) -> dict:
    text = (ROOT / "docs" / "papers" / f"{slug}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def paper(slug, title, authors, date, publisher, summary="S.", **more):
    return {"slug": slug, "title": title, "authors": authors, "date": date, "publisher": publisher,
            "summary": summary, **more}


# --------------------------------------------------------------------------- home and /papers/

def test_home_states_what_the_library_holds(built_site):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "two 2019 papers" not in home and "side by side" not in home
    assert ("The library holds 2 papers by 2 authors from 2 publishers, "
            "published from July 2019 to December 2019, on 4 topics.") in home
    # newest first
    listing = home[home.index('<ul class="papers">'):]
    assert listing.index(f'href="papers/{KLINGNER_SLUG}/"') < listing.index(f'href="papers/{GOMEZ_SLUG}/"')


def test_no_hand_written_text_claims_a_count():
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for text in (index, re.search(r"^site_description:.*$", config, re.M)[0]):
        assert not re.search(r"\b(two|three|both|2019)\b", text, re.I), text


def test_summary_counts_and_dates_follow_the_library():
    topics = {"a": [("x", "X")], "b": [("x", "X"), ("y", "Y")], "c": []}.get
    papers = [
        paper("a", "A", ["Ann Lee", "Bo Park"], "2021-03-02", "Inst One"),
        paper("b", "B", ["Ann Lee"], "2019-11-30", "Inst Two"),
        paper("c", "C", ["Cy Roe"], "2024-01-15", "Inst One"),
    ]
    assert library_summary(papers, topics) == (
        '<p class="library-summary">The library holds 3 papers by 3 authors from 2 publishers, '
        "published from November 2019 to January 2024, on 2 topics.</p>"
    )
    assert "holds 1 paper by 1 author from 1 publisher, published in November 2019." in library_summary(papers[1:2], lambda s: [])
    assert "no papers yet" in library_summary([], topics)


def test_facets_count_every_value_and_escape_it():
    topics = {"a": [("x", "X <1>")], "b": [("x", "X <1>")]}.get
    papers = [
        paper("a", "A", ['Ann "Q" Lee'], "2021-03-02", "R&D Inst"),
        paper("b", "B", ['Ann "Q" Lee', "Bo Park"], "2020-01-01", "R&D Inst"),
    ]
    form = facets_form(papers, topics)
    assert '<form class="paper-facets" data-facets hidden' in form  # shown by JavaScript only
    assert '<option value="Ann &quot;Q&quot; Lee">Ann &quot;Q&quot; Lee (2)</option>' in form
    assert '<option value="Bo Park">Bo Park (1)</option>' in form
    assert '<option value="R&amp;D Inst">R&amp;D Inst (2)</option>' in form
    assert '<option value="2021">2021 (1)</option>' in form and '<option value="2020">2020 (1)</option>' in form
    assert '<option value="x">X &lt;1&gt; (2)</option>' in form
    cards = papers_list(papers, "papers/", topics)
    first = re.search(r'<li class="paper-card"([^>]*)>', cards)[1]
    attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', first))
    assert json.loads(html.unescape(attrs["data-authors"])) == ['Ann "Q" Lee']
    assert html.unescape(attrs["data-publisher"]) == "R&D Inst"
    assert attrs["data-year"] == "2021"
    assert json.loads(html.unescape(attrs["data-topics"])) == ["x"]


def test_papers_page_lists_every_paper_with_its_facets(built_site):
    page = (built_site / "papers" / "index.html").read_text(encoding="utf-8")
    cards = re.findall(r'<li class="paper-card"([^>]*)>', page)
    assert len(cards) == 2
    k = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', cards[0]))
    assert json.loads(html.unescape(k["data-authors"])) == ["Bruce Klingner"]
    assert k["data-publisher"] == "The Heritage Foundation" and k["data-year"] == "2019"
    assert "sanctions" in json.loads(html.unescape(k["data-topics"]))
    for name in ("author", "publisher", "year", "topic"):
        assert f'<select name="{name}" data-facet="{name}">' in page


# --------------------------------------------------------------------------- feed

def test_feed_is_valid_atom_listing_every_paper(built_site):
    data = (built_site / "feed.xml").read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    feed = ET.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    # RFC 4287 4.1.1: exactly one id, title, updated; a self link
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{tag}")) == 1, tag
    assert RFC3339.match(feed.find(f"{ATOM}updated").text)
    self_links = [l for l in feed.findall(f"{ATOM}link") if l.get("rel") == "self"]
    assert [l.get("href") for l in self_links] == [LOCAL_SITE_URL + "feed.xml"]
    entries = feed.findall(f"{ATOM}entry")
    papers = {front_matter(s)["title"]: s for s in (KLINGNER_SLUG, GOMEZ_SLUG)}
    assert [e.find(f"{ATOM}title").text for e in entries] == [front_matter(KLINGNER_SLUG)["title"], front_matter(GOMEZ_SLUG)["title"]]
    ids = set()
    for e in entries:
        # RFC 4287 4.1.2: one id, title, updated; an author (no feed-level author); an alternate link
        for tag in ("id", "title", "updated", "summary"):
            assert len(e.findall(f"{ATOM}{tag}")) == 1, tag
        assert RFC3339.match(e.find(f"{ATOM}updated").text)
        assert e.findall(f"{ATOM}author/{ATOM}name")
        slug = papers[e.find(f"{ATOM}title").text]
        meta = front_matter(slug)
        alternate = [l.get("href") for l in e.findall(f"{ATOM}link") if l.get("rel") == "alternate"]
        assert alternate == [f"{LOCAL_SITE_URL}papers/{slug}/"]
        assert (built_site / urlsplit(alternate[0]).path.lstrip("/") / "index.html").is_file()
        assert e.find(f"{ATOM}summary").text == meta["summary"]
        assert e.find(f"{ATOM}rights").text == meta["rights"]
        assert e.find(f"{ATOM}published").text == meta["date"] + "T00:00:00Z"
        ids.add(e.find(f"{ATOM}id").text)
    assert len(ids) == len(entries)
    assert feed.find(f"{ATOM}updated").text == max(e.find(f"{ATOM}updated").text for e in entries)


def test_feed_escapes_text_and_keeps_the_newest():
    hostile = paper("x", 'A <b>bold</b> & "quoted" title', ["Ann <Lee>"], "2020-05-01", "P&Q", summary="</summary><x>")
    older = paper("y", "Older", ["Bo"], "2018-01-01", "P")
    data = atom_feed([hostile, older], "https://e.org/r/", "Site & co", "", "papers", 1)
    feed = ET.fromstring(data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}title").text == hostile["title"]
    assert entries[0].find(f"{ATOM}summary").text == "</summary><x>"
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "Ann <Lee>"
    assert feed.find(f"{ATOM}title").text == "Site & co"
    assert feed.find(f"{ATOM}id").text == "https://e.org/r/feed.xml"


def test_every_page_links_the_feed_from_its_head(built_site):
    pages = sorted(built_site.rglob("index.html")) + [built_site / "404.html"]
    assert len(pages) > 5
    for path in pages:
        text = path.read_text(encoding="utf-8")
        head = text[: text.index("</head>")]
        m = re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)">', head)
        assert m, path
        href = m[1]
        if not href.startswith("/"):
            assert (path.parent / href).resolve() == (built_site / "feed.xml").resolve(), path


# --------------------------------------------------------------------------- OpenGraph / Twitter

def _meta(text: str, attr: str, name: str) -> list[str]:
    head = text[: text.index("</head>")]
    return [html.unescape(v) for v in re.findall(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)">', head)]


@pytest.mark.parametrize("slug", [KLINGNER_SLUG, GOMEZ_SLUG])
def test_paper_pages_carry_their_own_opengraph_and_twitter_tags(built_site, slug):
    text = page_html(built_site, slug)
    meta = front_matter(slug)
    assert _meta(text, "property", "og:type") == ["article"]
    assert _meta(text, "property", "og:title") == [meta["title"]]
    assert _meta(text, "property", "og:description") == [meta["summary"]]
    assert _meta(text, "property", "og:url") == [f"{LOCAL_SITE_URL}papers/{slug}/"]
    assert _meta(text, "property", "article:published_time") == [meta["date"]]
    assert _meta(text, "property", "article:author") == meta["authors"]
    assert _meta(text, "name", "twitter:card") == ["summary"]
    assert _meta(text, "name", "twitter:title") == [meta["title"]]
    assert _meta(text, "name", "twitter:description") == [meta["summary"]]


def test_other_pages_describe_the_site(built_site):
    text = (built_site / "index.html").read_text(encoding="utf-8")
    config = yaml.safe_load(re.search(r"^site_description:.*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)[0])
    assert _meta(text, "property", "og:type") == ["website"]
    assert _meta(text, "property", "og:description") == [config["site_description"]]
    assert _meta(text, "name", "twitter:card") == ["summary"]


# --------------------------------------------------------------------------- rights

@pytest.mark.parametrize("slug", [KLINGNER_SLUG, GOMEZ_SLUG])
def test_rights_line_under_the_byline_and_in_the_metadata(built_site, slug):
    rights = front_matter(slug)["rights"]
    assert "rights remain with" in rights
    text = page_html(built_site, slug)
    byline = re.search(r'<p class="byline">.*?</p>', text, re.S)[0]
    assert f'<span class="rights"><span class="rights-label">Rights:</span> {html.escape(rights)}</span>' in byline
    assert text.index('<p class="byline">') < text.index('id="p-1"')
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)[1])
    assert ld["copyrightNotice"] == rights
    assert _meta(text, "name", "dcterms.rights") == [rights]


def test_rights_come_from_the_sidecar(project_copy):
    yml = project_copy / "sources" / "gomez-2019-cato-oped.yml"
    text = yml.read_text(encoding="utf-8")
    yml.write_text(re.sub(r"^rights: .*$", 'rights: "All rights <reserved> by Cato & co."', text, flags=re.M), encoding="utf-8")
    result = subprocess.run([str(BIN / "policy-reader"), "convert"], cwd=project_copy, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    page = (project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md").read_text(encoding="utf-8")
    assert 'rights: "All rights <reserved> by Cato & co."' in page


# --------------------------------------------------------------------------- SITE_URL

def test_a_build_without_site_url_refuses_in_one_line(project_copy, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    result = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(tmp_path / "out")],
                            cwd=project_copy, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr
    assert "SITE_URL is not set" in errors[0] and "SITE_URL=https://" in errors[0]
    assert not (tmp_path / "out" / "index.html").exists()


def test_an_explicit_address_builds(project_copy, tmp_path):
    result = mkdocs_build(project_copy, tmp_path / "out", env={"SITE_URL": "https://reader.example.org/x/"})
    assert result.returncode == 0, result.stderr
    feed = (tmp_path / "out" / "feed.xml").read_text(encoding="utf-8")
    assert "https://reader.example.org/x/papers/" in feed and "127.0.0.1" not in feed


def test_make_serve_keeps_a_local_default_and_build_has_none():
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^serve: export SITE_URL \?= \$\(LOCAL_SITE_URL\)$", make, re.M)
    assert "LOCAL_SITE_URL := http://127.0.0.1:8000/" in make
    assert re.search(r"^site_url: !ENV \[SITE_URL\]$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
