"""Endnotes -> BibTeX entries; the papers themselves as entries; the .bib writer.

``bib/`` is the one source of truth for citation data: the converter writes
one generated file per paper (the paper's own entry and the works its endnotes
cite) and applies ``bib/corrections.yaml``, whose values win over parsed ones.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from policy_reader.convert.keys import Work
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
    """One BibTeX entry: type, key and fields in a fixed order.

    ``work`` is the work's identity (its key comes from the key registry,
    :mod:`policy_reader.convert.keys`); ``base`` the key a new work would get;
    ``literal`` the author names printed as written (corporate authors,
    family-name-first names).
    """

    type: str
    key: str
    fields: dict[str, str] = field(default_factory=dict)
    work: Work | None = None
    base: str = ""
    literal: frozenset[str] = frozenset()


def slug_words(text: str, count: int) -> list[str]:
    words = re.findall(r"[a-z0-9]+", re.sub(r"[’'.&]", "", text.lower()))
    picked = [w for w in words if w not in STOPWORDS]
    return picked[:count]


def make_key(name: str, year: str, title: str, words: int = 2) -> str:
    """Readable key: ``surname-year-two-words`` (letters, digits, ``-``)."""
    head = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return "-".join([head, year, *slug_words(title, words)])


#: Family names printed first (East Asian order): "Kim Jong Un", "Moon Jae-in".
FAMILY_FIRST = set(
    "kim lee yi park pak choi choe jung jeong kang cho jo yoon yun jang chang lim im han oh seo shin kwon "
    "hwang ahn an song yoo ryu hong jeon chun ko moon mun yang son bae baek nam noh roh ha kwak "
    "xi wang li zhang liu chen huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo mao deng jiang".split()
)
#: Words that make a name an organisation's (a corporate author, printed as written).
CORPORATE_WORDS = set(
    "agency association bureau center centre commission committee council department foundation institute "
    "institution ministry office organization organisation service news staff board university press "
    "administration command nations government house senate congress reuters kcna".split()
)


def literal_name(name: str) -> bool:
    """Whether ``name`` is printed as written: an organisation, one word, or family name first."""
    words = name.split()
    if len(words) == 1 or CORPORATE_WORDS & {w.lower().strip(".,") for w in words}:
        return True
    if name.isupper():  # an acronym of several words
        return True
    first, rest = words[0].lower(), words[1:]
    return first in FAMILY_FIRST and (len(rest) >= 2 or "-" in rest[0])


def bibtex_name(name: str, literal: bool | None = None) -> str:
    """``"Sophie Jeong"`` -> ``"Jeong, Sophie"``; a literal name (see :func:`literal_name`)
    is braced whole, so every tool prints it as written ("{Kim Jong Un}", "{KCNA}")."""
    if literal is None:
        literal = literal_name(name)
    safe = escape_text(name)
    if literal:
        return "{" + safe + "}"
    parts = safe.split()
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
    corporate = not authors
    if not authors:
        if not outlet or report or italic:
            fail("no author and no outlet to stand as corporate author")
        authors = [outlet]
    entry = Entry(kind, "", {"author": " and ".join(bibtex_name(a, True if corporate else None) for a in authors), "title": title, **fields})
    return identify(entry, authors[0] if corporate else _family(authors[0]))


def _family(name: str) -> str:
    """The family name of an author as printed (first word of a family-name-first name)."""
    if literal_name(name):
        words = name.split()
        return words[0] if len(words) > 1 and words[0].lower() in FAMILY_FIRST else name
    return name.split()[-1]


def identify(entry: Entry, family: str) -> Entry:
    """Give ``entry`` its work identity and the key a new work would get."""
    year = entry.fields.get("date", "")[:4] or "nd"
    url = entry.fields.get("url", "")
    doi = entry.fields.get("doi", "") or (url if re.match(r"^https?://(?:dx\.)?doi\.org/10\.", url, re.I) else "")
    entry.work = Work.of(family, year, entry.fields["title"], url, doi)
    entry.base = make_key(family, year, entry.fields["title"])
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
        name, year = (first[0] if first else "note"), fields.get("date", "")[:4] or "nd"
        entry = Entry("misc", "", fields)
        entry.work = Work.of(name, year, text, fields.get("url", ""), "")  # its words are its identity
        entry.base = make_key(name, year, text)
        return entry, f"warning: {exc}; kept as written (verbatim entry)"


def paper_entry(doc: Document) -> Entry:
    """The paper itself: a report (institution, series, number) or an article in its publication."""
    m = doc.meta
    fields = {"author": " and ".join(bibtex_name(a) for a in m.authors), "title": m.title}
    if m.kind == "report":
        kind = "techreport"
        fields.update(institution=m.publisher)
        if m.series:
            fields["type"] = m.series
        if m.number:
            fields["number"] = m.number
    else:  # an op-ed: an article of the publication that printed it
        kind = "article"
        fields.update(journaltitle=m.publisher, entrysubtype="newspaper")
    fields["date"] = m.date
    if m.url:
        fields["url"] = m.url
    if m.summary:
        fields["abstract"] = m.summary  # the paper's own summary, for reference managers
    entry = identify(Entry(kind, m.bib_key, fields), _family(m.authors[0]) if m.authors else "anon")
    if m.bib_key:  # the sidecar's bib_key: the key this work gets when it is new (a bound key never changes)
        entry.base = m.bib_key
    return entry


def assign_keys(entries: list[Entry], registry) -> list[Entry]:
    """Each entry's key from the key registry (registered there when the work is new)."""
    found = registry.assign_all([(e.base, e.work) for e in entries])
    for e in entries:
        e.key = found[e.work]
    return entries


FIELD_ORDER = (
    "author", "title", "journaltitle", "journal", "entrysubtype", "organization", "institution", "type",
    "number", "date", "year", "month", "url", "urldate", "abstract", "note",
)
#: Fields a correction may set (the others are derived when the .bib is written).
CORRECTABLE = tuple(f for f in FIELD_ORDER if f not in ("journal", "year", "month"))
VERBATIM = {"url", "urldate", "date", "year", "month"}
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()

#: LaTeX for the characters that would end a value, open a group or start a command.
_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))


def escape_text(value: str) -> str:
    """Plain text -> a BibTeX value that prints it: every special character escaped.

    Braces become ``\\{`` / ``\\}`` and are then balanced by :func:`_balance`,
    so no value can close its field early or add another.
    """
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m[0]], value)


def _balance(value: str) -> str:
    """BibTeX counts braces even after a backslash: an escaped brace that is not
    matched is written ``{\\textbraceleft}`` / ``{\\textbraceright}`` instead."""
    opened: list[int] = []
    out = value
    unmatched: list[int] = []
    for m in re.finditer(r"\\[{}]", value):
        if m[0] == "\\{":
            opened.append(m.start())
        elif opened:
            opened.pop()
        else:
            unmatched.append(m.start())
    unmatched += opened
    for pos in sorted(unmatched, reverse=True):
        word = "{\\textbraceleft}" if out[pos + 1] == "{" else "{\\textbraceright}"
        out = out[:pos] + word + out[pos + 2:]
    return out


_EDGE = "\"'‘’“”`(),.:;!?"


def _bare(word: str) -> str:
    core = word.strip(_EDGE)
    return re.sub(r"['’]s$", "", core)


def keeps_case(bare: str, proper: frozenset[str]) -> bool:
    """Whether a title word's case must survive a style that recases titles:
    an acronym ("U.S.", "ICBM", "14th SPA"), an inner capital ("McMaster"), or a name."""
    if not any(c.isupper() for c in bare):
        return False
    if "-" in bare.strip("-") and not re.fullmatch(r"(?:[A-Z]\.)+-.*", bare):  # "Ship-to-Ship": each part
        return any(keeps_case(part, proper) for part in bare.split("-") if part) or bare in proper
    if sum(c.isupper() for c in bare) >= 2 or any(c.isupper() for c in bare[1:]):
        return True
    return bare in proper or bare.split("-")[0] in proper


def protect_case(title: str, proper: frozenset[str] = frozenset()) -> str:
    """Brace the runs of words of an (escaped) title whose case must not change.

    A word is kept by :func:`keeps_case`; a capitalised word next to a kept one is
    kept too when ``proper`` holds the pair ("North Korean"). Everything else is
    left to the style (sentence case for APA, title case for Chicago and MLA).
    """
    words = title.split(" ")
    bares = [_bare(w) for w in words]
    keep = [keeps_case(b, proper) for b in bares]
    for i in range(len(words) - 1):
        pair = f"{bares[i]} {bares[i + 1]}"
        if pair in proper or (bares[i + 1][:1].isupper() and pair.lower() in proper):
            keep[i] = keep[i + 1] = True
    out: list[str] = []
    i = 0
    while i < len(words):
        if not keep[i] or "{" in words[i]:
            out.append(words[i])
            i += 1
            continue
        j = i
        # a run continues while the next word is kept and nothing ends the phrase in between
        while j + 1 < len(words) and keep[j + 1] and "{" not in words[j + 1] \
                and not re.search(r"[,:;!?'’”)]$", words[j]) and not re.match(r"^[\"'‘“(`]", words[j + 1]):
            j += 1
        run = _brace_word(" ".join(words[i: j + 1]))
        if run.endswith(".}") and j + 1 < len(words) and words[j + 1][:1].isupper():
            # Pandoc takes a word after "U.S." for a sentence's first and keeps its capital
            # ("U.S. Needs resolve"); with the space inside the braces it is recased as usual.
            out.append(run[:-1] + " }" + words[j + 1])
            i = j + 2
            continue
        out.append(run)
        i = j + 1
    return " ".join(out)


def _brace_word(word: str) -> str:
    # keep leading/trailing quotes and punctuation outside the braces
    m = re.match(r"^([\"'‘“(`]*)(.*?)([\"'’”):,.;!?]*)$", word)
    lead, core, tail = m.groups()
    if "." in core and tail.startswith("."):  # an abbreviation keeps its final dot: {U.S.}
        core, tail = core + ".", tail[1:]
    if not core:
        return word
    return f"{lead}{{{core}}}{tail}"


def escape_value(name: str, value: str, proper: frozenset[str] = frozenset()) -> str:
    if name in VERBATIM:
        return re.sub(r"[{}\\\s]", lambda m: "" if m[0] in "{}\\" else "%20", value) if name == "url" else value
    value = escape_text(value)
    if name == "title":
        # A quotation inside a title: LaTeX quote marks, so styles nest it properly.
        value = re.sub(r"(^|\s)'([^']+?)'(?=$|[\s,.:;!?])", r"\1`\2'", value)
        value = protect_case(value, proper)
    return _balance(value)


def classic_fields(entry: Entry) -> dict[str, str]:
    """The entry's fields plus what classic BibTeX styles read: ``year``/``month``
    beside ``date``, ``journal`` beside ``journaltitle``."""
    fields = dict(entry.fields)
    date = fields.get("date", "")
    if re.match(r"^\d{4}", date) and "year" not in fields:
        fields["year"] = date[:4]
        if re.match(r"^\d{4}-\d{2}", date):
            fields["month"] = MONTHS[int(date[5:7]) - 1]
    if "journaltitle" in fields and "journal" not in fields:
        fields["journal"] = fields["journaltitle"]
    return fields


def format_entry(entry: Entry, proper: frozenset[str] = frozenset()) -> str:
    fields = classic_fields(entry)
    names = [f for f in FIELD_ORDER if f in fields] + sorted(f for f in fields if f not in FIELD_ORDER)
    lines = [f"@{entry.type}{{{entry.key},"]
    for name in names:
        value = fields[name]
        if name == "author":
            rendered = value  # names are already in BibTeX form (bibtex_name)
        else:
            rendered = escape_value(name, value, proper)
        lines.append(f"  {name} = {{{rendered}}},")
    lines.append("}")
    return "\n".join(lines)


BIB_HASH_LINE = "% policy-reader sha256:"


def format_bib(entries: list[Entry], header: str, proper: frozenset[str] = frozenset()) -> str:
    """The .bib text: header comment, a hash of the entries (to detect hand edits), entries.

    ``proper`` holds the proper nouns whose case a title keeps (:func:`proper_nouns`).
    """
    body = "\n\n".join(format_entry(e, proper) for e in entries) + "\n"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    return f"{header}\n{BIB_HASH_LINE}{digest}\n\n{body}"


def proper_nouns(texts: list[str]) -> frozenset[str]:
    """Names in ``texts`` (a paper's own prose): capitalised words, and pairs of them
    ("North Korean"), whose every use away from the start of a sentence is capitalised."""
    upper: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        words = re.findall(r"[\w’'.-]+|[^\w\s]", text)
        for i in range(1, len(words)):
            prev, word = words[i - 1], _bare(words[i])
            if not word or not word[0].isalpha() or prev.endswith((".", "!", "?", ":")) or prev in "“\"(—":
                continue
            if word[0].isupper():
                upper.add(word)
                if "-" in word:  # "Jong-un" also names "Jong Un" in a title
                    upper.add(word.replace("-", " ").lower())
                nxt = _bare(words[i + 1]) if i + 1 < len(words) else ""
                if nxt[:1].isupper():
                    upper.add(f"{word} {nxt}")
            else:
                lower.add(word.lower())
    return frozenset(w for w in upper if w.split(" ")[0].lower() not in lower or " " in w)


def bib_hand_edited(text: str) -> bool:
    """True when a generated .bib no longer matches the hash in its header."""
    head, sep, body = text.partition("\n\n")
    line = next((ln for ln in head.splitlines() if ln.startswith(BIB_HASH_LINE)), None)
    if line is None or not sep:
        return True
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16] != line[len(BIB_HASH_LINE):]


def apply_corrections(entries: list[Entry], corrections: dict[str, dict[str, str]]) -> list[Entry]:
    """Corrections win over parsed values (``entrytype`` changes the entry type).

    An ``author`` correction is a list of names joined by `` and ``, as printed.
    """
    for e in entries:
        for name, value in corrections.get(e.key, {}).items():
            if name == "entrytype":
                e.type = value
            elif name == "author":
                e.fields[name] = " and ".join(bibtex_name(a.strip()) for a in value.split(" and ") if a.strip())
            else:
                e.fields[name] = value
    return entries
