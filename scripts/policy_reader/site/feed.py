"""An Atom feed of the papers (RFC 4287), ``/feed.xml``, newest first.

Generated from the papers' validated front matter, so it holds exactly the
library's papers; written with ElementTree (every value escaped as XML text).
It is dated by the newest paper, not by the build, so that a build of the
same inputs writes the same bytes. Every page links to it from its head
(docs/overrides/main.html).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urljoin

from mkdocs.structure.files import File

ATOM = "http://www.w3.org/2005/Atom"
FEED_URI = "feed.xml"


def _timestamp(iso_date: str) -> str:
    return f"{iso_date}T00:00:00Z"


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = text
    return el


def atom_feed(papers: list[dict], site_url: str, site_name: str, description: str, papers_dir: str, limit: int) -> bytes:
    """The feed of the newest ``limit`` papers (``papers`` newest first)."""
    ET.register_namespace("", ATOM)
    base = site_url if site_url.endswith("/") else site_url + "/"
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "en"})
    _text(feed, "id", urljoin(base, FEED_URI))
    _text(feed, "title", site_name)
    if description:
        _text(feed, "subtitle", description)
    _text(feed, "updated", _timestamp(papers[0]["date"]) if papers else "1970-01-01T00:00:00Z")
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "type": "application/atom+xml", "href": urljoin(base, FEED_URI)})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": base})
    _text(feed, "generator", "policy-reader")
    for m in papers[:limit]:
        url = urljoin(base, f"{papers_dir}/{m['slug']}/")
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", url)
        _text(entry, "title", m["title"])
        _text(entry, "published", _timestamp(m["date"]))
        _text(entry, "updated", _timestamp(m["date"]))
        for name in m["authors"]:
            author = ET.SubElement(entry, f"{{{ATOM}}}author")
            _text(author, "name", name)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": url})
        if m.get("source_url"):
            ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "via", "href": m["source_url"]})
        _text(entry, "summary", m["summary"])
        if m.get("rights"):
            _text(entry, "rights", m["rights"])
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": m["publisher"], "label": m["publisher"]})
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False) + b"\n"


def add_feed(files, config, papers: list[dict], papers_dir: str, limit: int) -> None:
    """Add ``feed.xml`` to the site's files (File.generated: no file in docs/)."""
    content = atom_feed(papers, config.site_url or "", config.site_name, config.site_description or "", papers_dir.strip("/"), limit)
    files.append(File.generated(config, FEED_URI, content=content))
