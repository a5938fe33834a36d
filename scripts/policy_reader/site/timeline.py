"""The timeline page (/timeline/): the dated events the papers discuss.

The events are data (``docs/timeline.yml``, kept out of the site by
exclude_docs): a date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), a title, a
description, and the paragraphs that mention the event. Each mention names a
paper slug, a paragraph id and a short quote that must occur word for word in
that paragraph, so a link cannot point at the wrong paragraph silently. The
page is generated with ``File.generated``.

Only :class:`TimelinePage` touches MkDocs objects; any
problem is one line naming the file, the entry and what to fix.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from policy_reader import fast_yaml
from policy_reader.page.markdown import read_blocks
from policy_reader.site import fragments
from policy_reader.site.citations.bibliography import paragraph_label, short_name

DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")
EVENT_FIELDS = {"date", "title", "description", "mentions"}
MENTION_FIELDS = {"paper", "para", "quote"}


class TimelineError(ValueError):
    """Bad timeline data: one line naming the file, the line or entry, and the fix."""


@dataclass(frozen=True)
class Mention:
    paper: str  # slug
    para: str  # paragraph id
    quote: str


@dataclass(frozen=True)
class Event:
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD
    title: str
    description: str
    mentions: tuple[Mention, ...]
    line: int

    @property
    def anchor(self) -> str:
        words = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")
        return f"e-{self.date}-{words}"[:80].rstrip("-")

    @property
    def human_date(self) -> str:
        m = DATE.match(self.date)
        y, mo, d = m["y"], m["m"], m["d"]
        if mo is None:
            return y
        month = _dt.date(int(y), int(mo), 1).strftime("%B")
        return f"{month} {int(d)}, {y}" if d else f"{month} {y}"


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every mapping (for error messages)."""


def _mapping_with_line(loader, node):
    data = loader.construct_mapping(node, deep=True)
    data["__line__"] = node.start_mark.line + 1
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
# Dates stay text (YYYY, YYYY-MM or YYYY-MM-DD); they are checked below with a line number.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def load_events(text: str, label: str) -> list[Event]:
    """Parse and validate the timeline data; events come back sorted by date."""
    try:
        data = fast_yaml.load(text, _LineLoader)  # libyaml when present; the pure parser words errors
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise TimelineError(f"{label}{line}: not valid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None
    if not isinstance(data, list) or not data:
        raise TimelineError(f"{label}:1: expected a list of events (- date: ..., title: ..., description: ..., mentions: [...])")
    events = []
    for n, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            raise TimelineError(f"{label}: event {n}: expected a mapping with date, title, description, mentions")
        line = raw.pop("__line__")
        where = f"{label}:{line}: event {n}"
        unknown = sorted(set(raw) - EVENT_FIELDS)
        if unknown:
            raise TimelineError(f"{where}: unknown field '{unknown[0]}'; known fields: {', '.join(sorted(EVENT_FIELDS))}")
        missing = sorted(EVENT_FIELDS - set(raw))
        if missing:
            raise TimelineError(f"{where}: missing field '{missing[0]}'")
        date = raw["date"]
        if isinstance(date, _dt.date):
            date = date.isoformat()
        date = str(date)
        m = DATE.match(date)
        if not m:
            raise TimelineError(f"{where}: date '{date}' is not YYYY, YYYY-MM or YYYY-MM-DD")
        try:
            _dt.date(int(m["y"]), int(m["m"] or 1), int(m["d"] or 1))
        except ValueError:
            raise TimelineError(f"{where}: date '{date}' does not exist") from None
        for key in ("title", "description"):
            if not isinstance(raw[key], str) or not raw[key].strip():
                raise TimelineError(f"{where}: '{key}' must be non-empty text")
        if not isinstance(raw["mentions"], list) or not raw["mentions"]:
            raise TimelineError(f"{where}: 'mentions' must list at least one paragraph (paper, para, quote)")
        mentions = []
        for k, mraw in enumerate(raw["mentions"], start=1):
            mline = mraw.pop("__line__", line) if isinstance(mraw, dict) else line
            mwhere = f"{label}:{mline}: event {n} ('{raw['title']}'), mention {k}"
            if not isinstance(mraw, dict) or set(mraw) != MENTION_FIELDS:
                raise TimelineError(f"{mwhere}: expected exactly the fields paper, para, quote")
            if not all(isinstance(mraw[f], str) and mraw[f] for f in MENTION_FIELDS):
                raise TimelineError(f"{mwhere}: paper, para and quote must be non-empty text")
            mentions.append(Mention(mraw["paper"], mraw["para"], mraw["quote"]))
        events.append(Event(date, raw["title"].strip(), raw["description"].strip(), tuple(mentions), line))
    return sorted(events, key=lambda e: e.date)


def check_mentions(events: list[Event], papers_markdown: dict[str, str], label: str, successors=None) -> None:
    """Every mention names a known paper, an existing paragraph id, and a quote
    that occurs in that paragraph. ``papers_markdown`` maps slug -> Markdown;
    ``successors(slug)`` (optional) gives a paper's retired ids -> successor ids."""
    paragraphs: dict[str, dict[str, str]] = {}  # slug -> id -> words, read for the papers mentioned only
    for ev in events:
        for k, m in enumerate(ev.mentions, start=1):
            where = f"{label}:{ev.line}: event '{ev.title}', mention {k}"
            if m.paper not in papers_markdown:
                raise TimelineError(f"{where}: unknown paper '{m.paper}'; known: {', '.join(sorted(papers_markdown))}")
            if m.paper not in paragraphs:
                paragraphs[m.paper] = {b.id: b.words for b in read_blocks(papers_markdown[m.paper])}
            if m.para not in paragraphs[m.paper]:
                moved = (successors(m.paper) if successors else {}).get(m.para)
                if moved:
                    raise TimelineError(f"{where}: paragraph '{m.para}' was removed from {m.paper} (its links open "
                                        f"'{moved}'); point the mention at '{moved}' with a quote of its words, or remove it")
                raise TimelineError(f"{where}: {m.paper} has no paragraph '{m.para}'; name one of the ids of "
                                    f"docs/papers/{m.paper}.md (the '{{: #id' lines) or remove the mention")
            if " ".join(m.quote.split()) not in paragraphs[m.paper][m.para]:
                raise TimelineError(f"{where}: quote \"{m.quote}\" does not occur in {m.paper} #{m.para}; quote the paragraph exactly")


def render(events: list[Event], papers: dict[str, dict], hrefs: dict[str, str], frag: fragments.Fragments | None = None) -> str:
    """The page's Markdown. ``papers`` maps slug -> front matter, ``hrefs`` slug -> relative URL.
    The events' HTML is the template ``fragments/policy-reader/timeline.html``."""
    lines = [
        "---", "title: Timeline", "---", "",
        "# Timeline",
        "",
        "The dated events the papers discuss, oldest first. Each event links to the paragraphs "
        "that mention it, with the words they use.",
        "",
    ]
    shown = [
        {"anchor": ev.anchor, "date": ev.date, "human_date": ev.human_date, "title": ev.title, "description": ev.description,
         "mentions": [{"href": f"{hrefs[m.paper]}#{m.para}", "name": short_name(papers[m.paper]),
                       "label": paragraph_label(m.para), "quote": m.quote} for m in ev.mentions]}
        for ev in events
    ]
    lines += [(frag or fragments.for_config()).render("timeline.html", events=shown), ""]
    return "\n".join(lines)


def _retired(docs_dir: Path, slug: str) -> dict[str, str]:
    """A paper's retired paragraph ids -> successors, from the permalink registry (read on an error only)."""
    from policy_reader.page import registry as reg

    try:
        return {pid: e.successor for pid, e in reg.load(docs_dir / reg.REGISTRY_NAME, words=False).get(slug, {}).items() if e.successor}
    except Exception:  # the registry check reports a bad registry itself
        return {}


class TimelinePage:
    """Reads docs/timeline.yml, checks it against the papers, adds timeline.md."""

    src_uri = "timeline.md"

    def __init__(self, data_file: Path, label: str):
        self.data_file = data_file
        self.label = label

    def add_to(self, files, config, papers: dict[str, dict]) -> None:
        try:
            text = self.data_file.read_text(encoding="utf-8")
        except OSError as exc:
            raise PluginError(f"{self.label}: cannot read the timeline data ({exc.strerror})") from None
        by_slug = {meta["slug"]: (src_uri, meta) for src_uri, meta in papers.items()}
        markdown = {slug: files.get_file_from_path(src).content_string for slug, (src, _) in by_slug.items()}
        try:
            events = load_events(text, self.label)
            check_mentions(events, markdown, self.label, functools.partial(_retired, Path(config["docs_dir"])))
        except TimelineError as exc:
            raise PluginError(str(exc)) from None
        page_url = File(self.src_uri, "", "", config["use_directory_urls"]).url
        hrefs = {slug: get_relative_url(files.get_file_from_path(src).url, page_url) for slug, (src, _) in by_slug.items()}
        content = render(events, {s: m for s, (_, m) in by_slug.items()}, hrefs, fragments.for_config(config))
        files.append(File.generated(config, self.src_uri, content=content))
