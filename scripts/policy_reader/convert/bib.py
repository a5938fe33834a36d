"""Endnotes -> BibTeX entries; the papers themselves as entries; the .bib writer.

``bib/`` is the one source of truth for citation data: the converter writes
one generated file per paper (the paper's own entry and the works its endnotes
cite) and applies ``bib/corrections.yaml``, whose values win over parsed ones.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from policy_reader.model import Document, Endnote, SourceError
from policy_reader.readers.text import parse_date

STOPWORDS = set(
    "a an the and or of in on at to for from by with as is are be must there we have has it its "
    "this that these those".split()
)

ACCESSED_RE = re.compile(r"\s*\(accessed (?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{4})\)")
LINK_RE = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>https?://[^)\s]+)\)|<(?P<auto>https?://[^>\s]+)>")
TITLE_RE = re.compile(r"[\"“](?P<title>.+)[\"”]")
DATE_IN_TEXT_RE = re.compile(r"(?P<date>(?:January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4})")
REPORT_RE = re.compile(r"^(?P<institution>.+?)\s+\*(?P<type>[^*]+)\*\s+No\.\s*(?P<number>\S+)$")
ITALIC_RE = re.compile(r"^\*(?P<name>[^*]+)\*$")
PARTIAL_DATE_RE = re.compile(r"(?P<date>(?:(?:January|February|March|April|May|June|July|August|September|October|November|December) )?(?:19|20)\d{2})(?!\d)")


@dataclass
class Entry:
    """One BibTeX entry: type, key and fields in a fixed order."""

    type: str
    key: str
    fields: dict[str, str] = field(default_factory=dict)


def slug_words(text: str, count: int) -> list[str]:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", "").replace(".", ""))
    picked = [w for w in words if w not in STOPWORDS]
    return picked[:count]


def make_key(name: str, year: str, title: str, words: int = 2) -> str:
    """Readable stable key: ``surname-year-two-words`` (letters, digits, ``-``)."""
    head = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return "-".join([head, year, *slug_words(title, words)])


def bibtex_name(name: str) -> str:
    """``"Sophie Jeong"`` -> ``"Jeong, Sophie"``; a single word stays a corporate name."""
    parts = name.split()
    if len(parts) == 1:
        return "{" + name + "}"
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


def split_authors(text: str) -> list[str]:
    return [a.strip() for a in re.split(r",\s*and\s+|\s+and\s+|,\s*", text) if a.strip()]


def endnote_entry(note: Endnote, source: str) -> Entry:
    """Parse one Chicago-style endnote into an entry (key left for :func:`assign_keys`)."""

    def fail(what: str):
        raise SourceError(source, note.line, f"endnote {note.number}: {what}")

    text = note.text.strip()
    fields: dict[str, str] = {}
    m = ACCESSED_RE.search(text)
    if m:
        iso = parse_date(m["date"])
        if not iso:
            fail(f"cannot read the accessed date '{m['date']}'; write it like 'December 17, 2019'")
        fields["urldate"] = iso
        text = text[: m.start()] + text[m.end() :]
    link = LINK_RE.search(text)
    if link:
        fields["url"] = link["url"] or link["auto"]
        text = text[: link.start()] + text[link.end() :]
    text = text.strip().rstrip(".").strip().rstrip(",").strip()
    t = TITLE_RE.search(text)
    if not t:
        fail('no quoted title; write the title in double quotes, like \'"Title," Outlet, Month D, YYYY\'')
    title = t["title"].strip()
    # Chicago puts the comma inside the closing quotes: "Title," / "Title,'"
    title = re.sub(r",(?=['’]?$)", "", title)
    authors = split_authors(text[: t.start()].strip().rstrip(","))
    rest = text[t.end() :].strip().strip(",").strip()
    d = DATE_IN_TEXT_RE.search(rest) or PARTIAL_DATE_RE.search(rest)
    if not d:
        fail("no publication date; add it like 'December 9, 2019' after the outlet")
    fields["date"] = parse_date(d["date"]) or partial_date(d["date"])  # as precise as printed
    outlet = rest[: d.start()].strip().rstrip(",").strip()
    report = REPORT_RE.match(outlet)
    italic = ITALIC_RE.match(outlet)
    if report:
        kind = "techreport"
        fields.update(institution=report["institution"], type=report["type"], number=report["number"])
    elif italic:
        kind = "article"
        fields.update(journaltitle=italic["name"], entrysubtype="newspaper")
    else:
        kind = "online"
        if authors and outlet:
            fields["organization"] = outlet
    if not authors:
        if not outlet or report or italic:
            fail("no author and no outlet to stand as corporate author")
        authors = [outlet]
    entry = Entry(kind, "", {"author": " and ".join(bibtex_name(a) for a in authors), "title": title, **fields})
    entry.fields["_sort_name"] = authors[0].split()[-1]
    return entry


def partial_date(text: str) -> str:
    """``"July 2019"`` -> ``"2019-07"``; ``"2019"`` -> ``"2019"`` (a date stays as precise as printed)."""
    month, _, year = text.rpartition(" ")
    months = "January February March April May June July August September October November December".split()
    return f"{year}-{months.index(month) + 1:02d}" if month in months else year


def entry_or_verbatim(note: Endnote, source: str) -> tuple[Entry, str]:
    """:func:`endnote_entry`, or, for a note it cannot read into fields, an entry carrying the
    note's words verbatim (rendered as given) and the warning to print; a note never refuses a paper."""
    try:
        return endnote_entry(note, source), ""
    except SourceError as exc:
        text = " ".join(note.text.split())
        link = LINK_RE.search(text)
        year = PARTIAL_DATE_RE.search(text)
        fields = {"note": text}
        if year:
            fields["date"] = year["date"][-4:]
        if link:
            fields["url"] = link["url"] or link["auto"]
        first = re.findall(r"[A-Za-z]+", text)
        entry = Entry("misc", "", {**fields, "_sort_name": first[0] if first else "note", "_title_words": text})
        return entry, f"warning: {exc}; kept as written (verbatim entry)"


def paper_entry(doc: Document) -> Entry:
    m = doc.meta
    fields = {"author": " and ".join(bibtex_name(a) for a in m.authors), "title": m.title}
    if m.kind == "report":
        kind = "techreport"
        fields.update(institution=m.publisher)
        if m.series:
            fields["type"] = m.series
        if m.number:
            fields["number"] = m.number
    else:
        kind = "online"
        fields["organization"] = m.publisher
    fields["date"] = m.date
    if m.url:
        fields["url"] = m.url
    return Entry(kind, m.bib_key, fields)


def unique_key(base: str, taken: set[str]) -> str:
    """``base``, or on a clash ``base-b``, ``base-c``...; the key returned is added to ``taken``."""
    key, suffix = base, ord("b")
    while key in taken:
        key, suffix = f"{base}-{chr(suffix)}", suffix + 1
    taken.add(key)
    return key


def assign_keys(entries: list[Entry], taken: set[str]) -> list[Entry]:
    """Give each entry ``name-year-two-words``, unique among ``taken``."""
    for e in entries:
        name = e.fields.pop("_sort_name", "") or e.fields["author"]
        title = e.fields.pop("_title_words", "") or e.fields["title"]
        e.key = unique_key(make_key(name, e.fields.get("date", "")[:4] or "nd", title), taken)
    return entries


FIELD_ORDER = (
    "author", "title", "journaltitle", "entrysubtype", "organization", "institution", "type",
    "number", "date", "url", "urldate", "note",
)
VERBATIM = {"url", "urldate", "date"}


def protect_case(title: str) -> str:
    """Brace every word holding a capital so no style recases the printed title."""
    return re.sub(r"(?<![{\w])([^\s{}]*[A-Z][^\s{}]*)", lambda m: _brace_word(m[1]), title)


def _brace_word(word: str) -> str:
    # keep leading/trailing quotes and punctuation outside the braces
    m = re.match(r"^([\"'‘“(`]*)(.*?)([\"'’”):,.;!?]*)$", word)
    lead, core, tail = m.groups()
    if "." in core and tail.startswith("."):  # an abbreviation keeps its final dot: {U.S.}
        core, tail = core + ".", tail[1:]
    if not core:
        return word
    return f"{lead}{{{core}}}{tail}"


def escape_value(name: str, value: str) -> str:
    if name in VERBATIM:
        return value
    value = value.replace("\\", "\\textbackslash{}")
    for ch in "&%$#_":
        value = value.replace(ch, "\\" + ch)
    if name == "title":
        # A quotation inside a title: LaTeX quote marks, so styles nest it properly.
        value = re.sub(r"(^|\s)'([^']+?)'(?=$|[\s,.:;!?])", r"\1`\2'", value)
        value = protect_case(value)
    return value


def format_entry(entry: Entry) -> str:
    names = [f for f in FIELD_ORDER if f in entry.fields] + sorted(
        f for f in entry.fields if f not in FIELD_ORDER
    )
    lines = [f"@{entry.type}{{{entry.key},"]
    for name in names:
        value = entry.fields[name]
        if name == "author":
            rendered = value  # names are already in BibTeX form
        else:
            rendered = escape_value(name, value)
        lines.append(f"  {name} = {{{rendered}}},")
    lines.append("}")
    return "\n".join(lines)


BIB_HASH_LINE = "% policy-reader sha256:"


def format_bib(entries: list[Entry], header: str) -> str:
    """The .bib text: header comment, a hash of the entries (to detect hand edits), entries."""
    body = "\n\n".join(format_entry(e) for e in entries) + "\n"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    return f"{header}\n{BIB_HASH_LINE}{digest}\n\n{body}"


def bib_hand_edited(text: str) -> bool:
    """True when a generated .bib no longer matches the hash in its header."""
    head, sep, body = text.partition("\n\n")
    line = next((ln for ln in head.splitlines() if ln.startswith(BIB_HASH_LINE)), None)
    if line is None or not sep:
        return True
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16] != line[len(BIB_HASH_LINE):]


def apply_corrections(entries: list[Entry], corrections: dict[str, dict[str, str]]) -> list[Entry]:
    """Corrections win over parsed values (``type`` changes the entry type)."""
    for e in entries:
        for name, value in corrections.get(e.key, {}).items():
            if name == "entrytype":
                e.type = value
            else:
                e.fields[name] = value
    return entries
