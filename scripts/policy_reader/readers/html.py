"""A web page (.html/.htm): the article's body and its metadata.

trafilatura finds the main text (it drops navigation, share buttons, ads,
figure captions, related links, newsletter prompts, comments and footers);
after it, two generic rules: a paragraph that only repeats words of another
paragraph (a pull-quote) and a copyright line go. The metadata is read from
the page's own tags, most specific first:

- title: ``citation_title``, JSON-LD ``headline``, ``og:title``, then trafilatura's;
- authors: ``citation_author`` (one per tag), JSON-LD ``author`` names, ``article:author``
  and ``<meta name="author">`` (names, not profile URLs);
- date: ``citation_publication_date`` / ``citation_date``, ``article:published_time``,
  JSON-LD ``datePublished``, then trafilatura's (htmldate);
- subtitle (the dek): JSON-LD ``alternativeHeadline``, else an element whose class
  names a dek/standfirst/subtitle, when its words are printed on the page;
- publisher: ``citation_publisher``, JSON-LD ``publisher.name``, ``og:site_name``;
- url: ``citation_public_url`` / ``og:url`` / canonical link; summary: ``og:description``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from policy_reader.model import Document, Endnote, SourceError
from policy_reader.readers.common import Item, LineFinder, Read, assemble, read_date, split_names
from policy_reader.readers.text import NOTE_CLOSE, NOTE_OPEN

DEK_CLASS = re.compile(r"\b(dek|standfirst|sub-?title|subhead(?:line)?|summary-lede|article-summary)\b", re.I)
COPYRIGHT = re.compile(r"^(©|\(c\)|copyright\b)", re.I)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _metas(tree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in tree.iter("meta"):
        name = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        content = (m.get("content") or "").strip()
        if name and content:
            out.setdefault(name, []).append(" ".join(content.split()))
    return out


def _json_ld(tree) -> list[dict]:
    found = []
    for s in tree.iter("script"):
        if (s.get("type") or "").lower() != "application/ld+json" or not s.text:
            continue
        try:
            data = json.loads(s.text)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            d = stack.pop(0)
            if isinstance(d, dict):
                if "@graph" in d and isinstance(d["@graph"], list):
                    stack += d["@graph"]
                if any(k in d for k in ("headline", "datePublished", "author")):
                    found.append(d)
    return found


def _names(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name", ""))
    if isinstance(value, list):
        return [n for v in value for n in _names(v)]
    return []


def _person(name: str) -> bool:
    return bool(name) and not name.startswith(("http://", "https://", "/")) and len(name) < 80


def page_metadata(tree, page_text: str) -> dict:
    metas = _metas(tree)
    ld = _json_ld(tree)
    first = lambda *names: next((metas[n][0] for n in names if metas.get(n)), "")
    ld_first = lambda key: next((d[key] for d in ld if d.get(key)), None)
    meta: dict = {}
    title = first("citation_title", "dc.title") or (ld_first("headline") if isinstance(ld_first("headline"), str) else "") or first("og:title", "twitter:title")
    if title:
        meta["title"] = title
    authors = metas.get("citation_author") or [n for d in ld for n in _names(d.get("author"))]
    if not authors:
        for name in ("article:author", "author", "dc.creator", "parsely-author", "sailthru.author"):
            if metas.get(name):
                authors = [a for v in metas[name] for a in split_names(v)]
                break
    authors = [" ".join(a.split()) for a in authors if _person(a.strip())]
    if authors:
        meta["authors"] = list(dict.fromkeys(authors))
    for value in (first("citation_publication_date", "citation_date", "dc.date"), first("article:published_time"),
                  ld_first("datePublished") or "", first("date", "pubdate", "publish-date")):
        iso = read_date(str(value)) if value else ""
        if iso:
            meta["date"] = iso
            break
    dek = ld_first("alternativeHeadline")
    if not isinstance(dek, str):
        dek = ""
    if not dek:
        for el in tree.iter():
            if isinstance(el.tag, str) and DEK_CLASS.search(el.get("class") or ""):
                dek = " ".join(el.text_content().split())
                if dek:
                    break
    if dek and _norm(dek) in _norm(page_text):
        meta["subtitle"] = dek
    publisher = first("citation_publisher", "dc.publisher") or _names(ld_first("publisher"))[:1] or first("og:site_name")
    if isinstance(publisher, list):
        publisher = publisher[0]
    if publisher:
        meta["publisher"] = publisher
    url = first("citation_public_url", "citation_abstract_html_url", "og:url")
    if not url:
        link = next((l.get("href") for l in tree.iter("link") if (l.get("rel") or "").lower() == "canonical"), "")
        url = link or ""
    if url.startswith(("http://", "https://")):
        meta["url"] = url
    summary = first("og:description", "description", "twitter:description")
    if summary:
        meta["summary"] = summary
    return meta


def _body_items(xml_text: str, finder: LineFinder) -> list[Item]:
    from lxml import etree

    root = etree.fromstring(xml_text.encode("utf-8"))
    items: list[Item] = []
    main = root.find("main")
    if main is None:
        return items
    ordinal = 0
    for el in main.iter("p", "head", "item", "quote"):
        if el.tag == "quote" and el.find("p") is not None:
            continue  # its paragraphs come one by one
        if el.tag == "p" and any(a.tag == "item" for a in el.iterancestors()):
            continue
        text = " ".join("".join(el.itertext()).split())
        if not text:
            continue
        ordinal += 1
        level = 0
        if el.tag == "head":
            m = re.match(r"h(\d)", el.get("rend") or "h2")
            level = int(m[1]) if m else 2
        items.append(Item(text, finder.find(text, ordinal), level))
    return items


def drop_repeats(items: list[Item]) -> list[Item]:
    """A paragraph whose words all stand inside another paragraph (a pull-quote) or a
    copyright line is not the article's text."""
    paras = [_norm(i.text) for i in items]
    kept = []
    for k, it in enumerate(items):
        if it.level == 0:
            if COPYRIGHT.match(it.text):
                continue
            mine = paras[k]
            if mine and any(j != k and items[j].level == 0 and len(paras[j]) > len(mine) and mine in paras[j] for j in range(len(items))):
                continue
        kept.append(it)
    return kept


NOTE_TOKEN = "{{policy-reader-note-%d}}"
NOTE_TOKEN_RE = re.compile(r"\s*\{\{policy-reader-note-(\d+)\}\}")
MARK_TEXT = re.compile(r"^\s*\[?\s*(\d{1,3})\s*\]?\s*$")
BACK_LINK = re.compile(r"^\s*(↩︎?|↑|\^|back(?: to text)?|return to text)\s*$", re.I)
NOTES_HEADING = re.compile(r"^\s*((end|foot)?notes|references|sources)\s*$", re.I)


def lift_notes(tree) -> list[str]:
    """Footnotes of a web page: each mark (``<sup><a href="#fn1">1</a></sup>``, ``[1]``) that
    links to an element of the page becomes a token in the text, its target's words a note,
    and the list of notes leaves the page (so the body reads verbatim). Returns the notes'
    words in the order they are first marked."""
    ids = {el.get("id"): el for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    notes: list[str] = []
    numbers: dict[str, int] = {}
    targets = []
    for a in list(tree.iter("a")):
        href = a.get("href") or ""
        m = MARK_TEXT.match(a.text_content())
        if not href.startswith("#") or not m or href[1:] not in ids:
            continue
        target = ids[href[1:]]
        if target is a or any(x is target for x in a.iterancestors()):
            continue
        key = href[1:]
        if key not in numbers:
            for back in list(target.iter("a")):
                if BACK_LINK.match(back.text_content()) or (back.get("href") or "").startswith("#") and MARK_TEXT.match(back.text_content()):
                    back.drop_tree()
            words = " ".join(target.text_content().split())
            words = re.sub(r"^\d{1,3}[.)]?\s+", "", words)  # a number printed before the note
            notes.append(words)
            numbers[key] = len(notes)
            targets.append(target)
        mark = a.getparent() if a.getparent() is not None and a.getparent().tag == "sup" and len(a.getparent()) == 1 else a
        tail = mark.tail or ""
        token = NOTE_TOKEN % numbers[key]
        prev = mark.getprevious()
        parent = mark.getparent()
        if prev is not None:
            prev.tail = (prev.tail or "") + token + tail
        else:
            parent.text = (parent.text or "") + token + tail
        parent.remove(mark)
    for target in targets:
        parent = target.getparent()
        if parent is None:
            continue
        parent.remove(target)
        if parent.tag in ("ol", "ul", "div", "section", "aside") and not len(parent) and not parent.text_content().strip():
            heading = parent.getprevious()
            if heading is not None and heading.tag in ("h2", "h3", "h4", "h5", "p") and NOTES_HEADING.match(heading.text_content()):
                heading.drop_tree()
            parent.drop_tree()
    return notes


def read(path: Path, label: str) -> Document:
    import trafilatura
    from lxml import html as lhtml

    from policy_reader.readers import read_utf8

    raw = read_utf8(path, label)
    if not raw.strip():
        raise SourceError(label, 0, "the web page is empty; save the page again with its article text")
    tree = lhtml.fromstring(raw)
    notes = lift_notes(tree)
    page = lhtml.tostring(tree, encoding="unicode") if notes else raw
    xml = trafilatura.extract(
        page, output_format="xml", include_comments=False, include_tables=False, include_images=False,
        include_links=False, include_formatting=False, favor_precision=True, deduplicate=False,
    )
    if not xml:
        raise SourceError(label, 0, "no article text found in the web page; save the full article page (not a cover or login page)")
    items = drop_repeats(_body_items(xml, LineFinder(raw)))
    items = [_with_marks(i) for i in items]
    items = [i for i in items if i.text]
    if not any(i.level == 0 for i in items):
        raise SourceError(label, 0, "no article text found in the web page; save the full article page (not a cover or login page)")
    meta = page_metadata(tree, " ".join(i.text for i in items) + " " + " ".join(tree.text_content().split()))
    if not meta.get("title") and not (items and items[0].level == 1):
        found = trafilatura.extract_metadata(raw)  # <title> without the site's name
        if found is not None and found.title:
            meta["title"] = found.title
    read_ = Read(label, meta, items, [Endnote(n, words, 0) for n, words in enumerate(notes, 1)])
    return assemble(read_)


def _with_marks(item: Item) -> Item:
    """Tokens -> the model's note markers (a heading keeps none)."""
    numbers = [int(n) for n in NOTE_TOKEN_RE.findall(item.text)]
    if item.level:
        return Item(NOTE_TOKEN_RE.sub("", item.text).strip(), item.line, item.level)
    text = NOTE_TOKEN_RE.sub(lambda m: f"{NOTE_OPEN}{m[1]}{NOTE_CLOSE}", item.text)
    return Item(" ".join(text.split()), item.line, 0, tuple(numbers))
