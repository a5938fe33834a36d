"""The library as a whole: the papers' validated front matter, bylines, the home
page's summary and newest papers, and the /papers/ index with its facets.

Everything here is generated from the papers' front matter (and their topics), so
no page claims a count, a date or a paper the library does not have. HTML written
here is escaped where it is made and held out of Python-Markdown (site/held_html.py).
"""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import date as _date
from typing import Callable, Iterable

from mkdocs.exceptions import PluginError
from mkdocs.utils.meta import get_data

from policy_reader.model import SourceError
from policy_reader.page.schema import validate_front_matter
from policy_reader.site import fragments as F

PAPERS_MARKER = "<!-- policy-reader:papers -->"
ALL_PAPERS_MARKER = "<!-- policy-reader:all-papers -->"
LIBRARY_MARKER = "<!-- policy-reader:library -->"

#: (slug, title) of each topic a paper has, in the vocabulary's order.
TopicsOf = Callable[[str], "list[tuple[str, str]]"]


def human_date(iso: str) -> str:
    d = _date.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def month_year(iso: str) -> str:
    d = _date.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.year}"


class PaperIndex:
    """Front matter of every paper page, read once per build and validated."""

    def __init__(self, papers_dir: str):
        self.papers_dir = papers_dir.strip("/")
        self.papers: dict[str, dict] = {}  # src_uri -> validated front matter

    def collect(self, files) -> None:
        self.papers = {}
        for f in files.documentation_pages():
            if not f.src_uri.startswith(self.papers_dir + "/") or f.src_uri == f"{self.papers_dir}/index.md":
                continue
            _, meta = get_data(f.content_string)
            label = f"docs/{f.src_uri}"
            try:
                data = validate_front_matter(meta, label)
            except SourceError as exc:
                raise PluginError(str(exc)) from None
            expected = f"{self.papers_dir}/{data['slug']}.md"
            if f.src_uri != expected:
                raise PluginError(f"{label}: front matter slug '{data['slug']}' does not match the file name; run `make convert`")
            self.papers[f.src_uri] = data

    def sorted(self) -> list[dict]:
        return sorted(self.papers.values(), key=lambda d: (d["date"], d["slug"]))

    def newest(self) -> list[dict]:
        return self.sorted()[::-1]


def byline_parts(meta: dict) -> list[str]:
    """Authors, publisher, series and number, date: the parts of a byline, as text."""
    parts = [", ".join(meta["authors"]), meta["publisher"]]
    if meta.get("series"):
        parts.append(f"{meta['series']} No. {meta['number']}" if meta.get("number") else meta["series"])
    parts.append(human_date(meta["date"]))
    return parts


def byline_text(meta: dict) -> str:
    """Authors · publisher · series and number · date, HTML-escaped."""
    return " · ".join(html.escape(p) for p in byline_parts(meta))


def byline(meta: dict, fragments: F.Fragments | None = None) -> str:
    """The lines under a paper's title: byline with a link to the original, then the
    publisher's rights statement (front matter ``rights``, from the source's .yml).
    Template ``fragments/policy-reader/byline.html``."""
    return (fragments or F.for_config()).render(
        "byline.html", parts=byline_parts(meta), source_url=meta.get("source_url") or "", rights=meta.get("rights") or "")


def papers_list(papers: list[dict], page_url: str, topics_of: TopicsOf | None = None,
                fragments: F.Fragments | None = None) -> str:
    """One card per paper; each card carries its facet values (authors, publisher,
    year, topics) as data attributes for the /papers/ filters (docs/assets/library.js).
    Template ``fragments/policy-reader/papers-list.html``."""
    prefix = "papers/" if not page_url.startswith("papers/") else ""
    cards = []
    for m in papers:
        facets = None
        if topics_of is not None:
            facets = {
                "authors": json.dumps(list(m["authors"]), ensure_ascii=False),
                "publisher": m["publisher"],
                "year": m["date"][:4],
                "topics": json.dumps([slug for slug, _ in topics_of(m["slug"])], ensure_ascii=False),
            }
        cards.append({"href": f"{prefix}{m['slug']}/", "title": m["title"], "parts": byline_parts(m),
                      "summary": m["summary"], "facets": facets})
    return (fragments or F.for_config()).render("papers-list.html", papers=cards)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def library_summary(papers: list[dict], topics_of: TopicsOf, fragments: F.Fragments | None = None) -> str:
    """One sentence of counts and the date range, computed from the library.
    Template ``fragments/policy-reader/library-summary.html``."""
    fragments = fragments or F.for_config()
    if not papers:
        return fragments.render("library-summary.html", empty=True)
    authors = {a for m in papers for a in m["authors"]}
    publishers = {m["publisher"] for m in papers}
    topics = {slug for m in papers for slug, _ in topics_of(m["slug"])}
    dates = sorted(m["date"] for m in papers)
    return fragments.render(
        "library-summary.html", empty=False,
        papers=_plural(len(papers), "paper"), authors=_plural(len(authors), "author"),
        publishers=_plural(len(publishers), "publisher"), topics=_plural(len(topics), "topic") if topics else "",
        first=month_year(dates[0]), last=month_year(dates[-1]),
    )


def _facet(name: str, label: str, everything: str, options: list[tuple[str, str, int]]) -> dict:
    return {"name": name, "label": label, "everything": everything,
            "options": [{"value": v, "text": t, "count": f"{n:,}"} for v, t, n in options]}


def facets_form(papers: list[dict], topics_of: TopicsOf, fragments: F.Fragments | None = None) -> str:
    """Filters by author, publisher, year and topic, with the number of papers each
    option holds. The form is ``hidden`` until docs/assets/library.js shows it, so
    without JavaScript the page is the full list. Template ``fragments/policy-reader/facets-form.html``."""
    authors = Counter(a for m in papers for a in m["authors"])
    publishers = Counter(m["publisher"] for m in papers)
    years = Counter(m["date"][:4] for m in papers)
    titles: dict[str, str] = {}
    topics: Counter = Counter()
    order: dict[str, int] = {}
    for m in papers:
        for i, (slug, title) in enumerate(topics_of(m["slug"])):
            topics[slug] += 1
            titles[slug] = title
            order.setdefault(slug, i)
    facets = [
        _facet("author", "Author", "All authors", [(a, a, n) for a, n in sorted(authors.items(), key=lambda kv: (kv[0].split()[-1], kv[0]))]),
        _facet("publisher", "Publisher", "All publishers", [(p, p, n) for p, n in sorted(publishers.items())]),
        _facet("year", "Year", "All years", [(y, y, n) for y, n in sorted(years.items(), reverse=True)]),
        _facet("topic", "Topic", "All topics", [(s, titles[s], n) for s, n in sorted(topics.items(), key=lambda kv: titles[kv[0]])]),
    ]
    return (fragments or F.for_config()).render("facets-form.html", facets=facets, total=str(len(papers)), count=_plural(len(papers), "paper"))


class Library:
    """The home page's and /papers/' generated parts (markers in their Markdown)."""

    def __init__(self, index: PaperIndex, home_papers_max: int):
        self.index = index
        self.home_papers_max = home_papers_max

    def fill(self, markdown: str, page_url: str, held, topics_of: TopicsOf, fragments: F.Fragments | None = None) -> str:
        if PAPERS_MARKER not in markdown and ALL_PAPERS_MARKER not in markdown and LIBRARY_MARKER not in markdown:
            return markdown
        newest = self.index.newest()
        if LIBRARY_MARKER in markdown:
            markdown = markdown.replace(LIBRARY_MARKER, held.hold(library_summary(newest, topics_of, fragments)))
        if PAPERS_MARKER in markdown:
            shown = newest[: self.home_papers_max]
            more = ""
            if len(newest) > len(shown):
                more = f"\n\n[All {len(newest):,} papers, with filters by author, publisher, year and topic](papers/index.md)\n"
            elif newest:
                more = "\n\n[All papers, with filters by author, publisher, year and topic](papers/index.md)\n"
            markdown = markdown.replace(PAPERS_MARKER, held.hold(papers_list(shown, page_url, fragments=fragments)) + more)
        if ALL_PAPERS_MARKER in markdown:
            markdown = markdown.replace(
                ALL_PAPERS_MARKER,
                held.hold(facets_form(newest, topics_of, fragments) + "\n" + papers_list(newest, page_url, topics_of, fragments)),
            )
        return markdown
