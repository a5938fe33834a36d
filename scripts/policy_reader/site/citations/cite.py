"""Citations of a paper and of any of its paragraphs, generated at build time from bib/.

Every formatted string comes from a CSL processor (pandoc's citeproc) with the
CSL styles Debian installs: the reference entry and the note or in-text
citation with its pinpoint. Each paper is formatted once per style with two
placeholders, a URL and a locator, in batches of many papers
(:func:`prepare`); the per-paragraph strings are then composed by
substituting the paragraph's permalink and number, which keeps the build
linear and every paragraph's text identical in form.

BibTeX is the paper's own entry from bib/ (the source of truth) with the
permalink as its ``url``; RIS is written from pandoc's CSL JSON of that entry.
"""

from __future__ import annotations

import functools
import hashlib
import html as _html
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypandoc

from policy_reader import cache
from policy_reader.site.citations.citeproc import CiteprocError, cite_style, for_pandoc, parse_references, plain_text

#: (key, label shown in the panel, Debian CSL style name, how the pinpoint citation is called)
STYLES = (
    ("chicago", "Chicago (notes-bibliography)", "chicago-note-bibliography", "Note"),
    ("apa", "APA", "apa", "In-text"),
    ("mla", "MLA", "modern-language-association", "In-text"),
)

URL_PLACEHOLDER = "http://permalink.invalid/policy-reader-placeholder"
LOCATOR_PLACEHOLDER = "777777"
PARA_LOCATOR = f"para. {LOCATOR_PLACEHOLDER}"
TAKEAWAY_LOCATOR = f"{{key takeaway {LOCATOR_PLACEHOLDER}}}"
_SPANS = re.compile(r"</?span[^>]*>")
# A few styles print a short locator label glued to the number ("para.12", MLA); CSL
# leaves the space to the style, so put it back for readers.
_GLUED_LABEL = re.compile(r"(?<=[A-Za-z]\.)(?=" + LOCATOR_PLACEHOLDER + ")")


@dataclass(frozen=True)
class Formatted:
    """One formatted string as HTML (shown) and as plain text (copied, tested)."""

    html: str
    text: str

    def fill(self, url: str, locator: str, url_html: str | None = None) -> "Formatted":
        """The citation for ``url`` at ``locator``; ``url_html`` is ``url`` HTML-escaped
        (pass it when filling many citations with one URL)."""
        if url_html is None:
            url_html = _html.escape(url, quote=True)
        return Formatted(
            self.html.replace(URL_PLACEHOLDER, url_html).replace(LOCATOR_PLACEHOLDER, locator),
            self.text.replace(URL_PLACEHOLDER, url).replace(LOCATOR_PLACEHOLDER, locator),
        )


@dataclass(frozen=True)
class StyleCitation:
    key: str
    label: str
    citation_name: str
    reference: Formatted   # bibliography entry, URL = placeholder
    para: Formatted        # note / in-text citation with a "para." locator placeholder
    takeaway: Formatted    # the same with "key takeaway" as the locator


#: An entry's first line, ``@type{key,``: one pattern for every key (a pattern made per key is
#: compiled again for each paper once a library has more keys than ``re`` caches).
_ENTRY_START = re.compile(r"^@\w+\{([^,\n]*),", re.M)


def bib_entry(bibtex: str, key: str) -> str:
    """The text of entry ``key`` in ``bibtex`` (balanced braces), or CiteprocError."""
    m = next((m for m in _ENTRY_START.finditer(bibtex) if m[1] == key), None)
    if not m:
        raise CiteprocError(f"no entry '{key}' in the paper's .bib file")
    depth = 0
    for i in range(bibtex.index("{", m.start()), len(bibtex)):
        ch = bibtex[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return bibtex[m.start(): i + 1]
    raise CiteprocError(f"entry '{key}' has unbalanced braces")


def with_url(entry: str, url: str) -> str:
    """``entry`` with its ``url`` field set to ``url`` (added if missing), plus year/month for BibTeX."""
    field = f"  url = {{{url}}},"
    if re.search(r"^[ \t]*url[ \t]*=", entry, re.M | re.I):
        out = re.sub(r"^[ \t]*url[ \t]*=[ \t]*\{[^}\n]*\},?[ \t]*$", lambda _: field, entry, count=1, flags=re.M | re.I)
    else:
        out = re.sub(r"\n\}$", lambda _: "\n" + field + "\n}", entry)
    date = re.search(r"^[ \t]*date[ \t]*=[ \t]*\{(\d{4})(?:-(\d{2}))?", out, re.M)
    if date and not re.search(r"^[ \t]*year[ \t]*=", out, re.M):
        extra = f"  year = {{{date[1]}}},"
        if date[2]:
            extra += "\n  month = {" + ("jan feb mar apr may jun jul aug sep oct nov dec".split()[int(date[2]) - 1]) + "},"
        out = re.sub(r"(^[ \t]*date[ \t]*=[^\n]*\n)", lambda mm: mm[1] + extra + "\n", out, count=1, flags=re.M)
    return out


#: Filled by :func:`prepare`: (entry, key) -> citations in every style; entry -> CSL JSON.
_PREPARED: dict[tuple[str, str], tuple[StyleCitation, ...]] = {}
_PREPARED_CSLJSON: dict[str, dict] = {}


def _families(entry: str) -> set[str]:
    m = re.search(r"^[ \t]*author[ \t]*=[ \t]*\{(.*)\},?[ \t]*$", entry, re.M)
    if not m:
        return set()
    return {name.split(",")[0].strip("{} ").lower() for name in m[1].split(" and ")}


#: Entries per batch: citeproc's work grows faster than the bibliography (APA: 300 entries
#: in one batch cost 3x three batches of 100), so a large library is formatted in many
#: batches of this size (all in one pandoc run, :func:`_format`) rather than a few huge ones.
MAX_BATCH = 120


def _groups(entries: dict[str, str]) -> list[dict[str, str]]:
    """Split entries so that no two in a group share an author's family name
    (and no group exceeds :data:`MAX_BATCH`).

    A CSL style formats an entry differently when the bibliography holds
    another work by the same name (year suffixes, added titles or initials,
    "———" for a repeated author); apart, every entry prints as it would alone.
    """
    groups: list[tuple[set[str], dict[str, str]]] = []
    for key, entry in entries.items():
        fam = _families(entry)
        for names, members in groups:
            if not names & fam and len(members) < MAX_BATCH:
                names |= fam
                members[key] = entry
                break
        else:
            groups.append((set(fam), {key: entry}))
    return [members for _, members in groups]


def _batch(entries: dict[str, str], csl: Path, locators: tuple[str, ...], bibliography: bool) -> tuple[dict, list[dict]]:
    """Each key cited once per locator -> (references, [citations per locator]).

    The document cites every key with the first locator, then every key with the
    next one. More than one locator only for a style where :func:`_positionless`
    holds: in a note style, the second citation of a work is its short form.
    One batch of :func:`_format` (one pandoc run).
    """
    return _format([(entries, csl, locators, bibliography)])[1][0]


def _batch_doc(keys: list[str], locators: tuple[str, ...], bibliography: bool) -> str:
    head = "nocite: '@*'" if bibliography else "suppress-bibliography: true"
    return f"---\n{head}\n---\n" + "".join(f"X [@{k}, {locator}]\n\n" for locator in locators for k in keys)


#: The pandoc run of :func:`_format`: a reader that hands the job (JSON) to the writer as it
#: is, and a writer that reads the entries once and runs citeproc once per batch, each batch
#: with only its own entries as ``references`` and its style as ``csl``: what
#: ``pandoc -f markdown -t html --citeproc --bibliography <the batch's entries> --csl <style>
#: --wrap=none`` writes for the batch's document (tests/test_cite_batch.py compares), without a
#: process, a BibTeX parse and a style parse per batch. It also writes the CSL JSON of
#: ``csljson`` (as ``-f biblatex -t csljson`` does). Output: a JSON array, that CSL JSON
#: first, then each batch's HTML.
BATCH_READER = r"""-- policy-reader (site/citations/cite.py): the job, as it is, for the writer.
function Reader(input)
  return pandoc.Pandoc({pandoc.CodeBlock(tostring(input))})
end
"""
BATCH_WRITER = r"""-- policy-reader (site/citations/cite.py): every batch of citations in one pandoc run.
function Writer(doc, opts)
  local job = pandoc.json.decode(doc.blocks[1].text, false)
  local entries = {}
  for _, ref in ipairs(pandoc.read(job.bib, 'biblatex').meta.references or {}) do
    entries[pandoc.utils.stringify(ref.id)] = ref
  end
  local out = {''}
  if job.csljson ~= '' then
    out[1] = pandoc.write(pandoc.read(job.csljson, 'biblatex'), 'csljson')
  end
  local html = pandoc.WriterOptions{wrap_text = 'wrap-none'}
  pandoc.system.with_temporary_directory('policy-reader-csl', function (dir)
    local styles = {}
    for i, text in ipairs(job.styles) do
      styles[i] = pandoc.path.join{dir, i .. '.csl'}
      local f = assert(io.open(styles[i], 'wb'))
      f:write(text)
      f:close()
    end
    for _, batch in ipairs(job.batches) do
      local page = pandoc.read(batch.doc, 'markdown')
      local refs = {}
      for _, key in ipairs(batch.keys) do refs[#refs + 1] = entries[key] end
      page.meta.references = refs
      page.meta.csl = styles[batch.style]
      out[#out + 1] = pandoc.write(pandoc.utils.citeproc(page), 'html', html) .. '\n'
    end
  end)
  return pandoc.json.encode(out)
end
"""
_BATCH_FILES: dict[str, Path] = {}


def _batch_files() -> tuple[Path, Path]:
    """:data:`BATCH_READER` and :data:`BATCH_WRITER` as files (once per process)."""
    if not _BATCH_FILES:
        folder = Path(tempfile.mkdtemp(prefix="policy-reader-cite-"))
        for name, text in (("reader", BATCH_READER), ("writer", BATCH_WRITER)):
            path = folder / f"cite-batches-{name}.lua"
            path.write_text(text, encoding="utf-8")
            _BATCH_FILES[name] = path
    return _BATCH_FILES["reader"], _BATCH_FILES["writer"]


def _format(batches: list[tuple[dict[str, str], Path, tuple[str, ...], bool]], csljson: str = "") -> tuple[str, list[tuple[dict, list[dict]]]]:
    """Every batch ``(entries, csl, locators, bibliography)`` of :func:`_batch` in one pandoc run
    -> (CSL JSON of ``csljson``, what :func:`_batch` returns for each batch).

    ``csljson``: BibTeX whose CSL JSON the run makes too ("" when none is asked for). A batch's
    entries are given in one BibTeX text with every batch's (an entry in two batches is the
    same entry: its key names one work); styles by content, so the run is cached
    (site/citations/pandoc_cache.py) by what it formats.
    """
    texts: dict[str, str] = {}
    styles: list[str] = []
    jobs = []
    for entries, csl, locators, bibliography in batches:
        for key, entry in entries.items():
            if texts.setdefault(key, entry) != entry:  # one BibTeX text holds every batch's entries
                raise CiteprocError(f"two different entries '{key}' in one formatting run")
        style = Path(csl).read_text(encoding="utf-8")
        if style not in styles:
            styles.append(style)
        keys = list(entries)
        jobs.append({"style": styles.index(style) + 1, "keys": keys, "doc": _batch_doc(keys, locators, bibliography)})
    job = json.dumps({"bib": for_pandoc("\n\n".join(texts.values())), "csljson": for_pandoc(csljson),
                      "styles": styles, "batches": jobs}, ensure_ascii=False)
    reader, writer = _batch_files()
    out = json.loads(pypandoc.convert_text(job, to=str(writer), format=str(reader), verify_format=False))
    if not isinstance(out, list) or len(out) != len(batches) + 1 or not all(isinstance(x, str) for x in out):
        raise CiteprocError("pandoc's run of the cite batches gave another output than expected")
    return out[0], [_parse_batch(html, list(entries), csl, locators, bibliography)
            for html, (entries, csl, locators, bibliography) in zip(out[1:], batches)]


def _parse_batch(out: str, keys: list[str], csl: Path, locators: tuple[str, ...], bibliography: bool) -> tuple[dict, list[dict]]:
    refs = {k: Formatted(*v) for k, v in parse_references(out).items()} if bibliography else {}
    cites: list[dict[str, Formatted]] = [{} for _ in locators]

    def found(i: int, key: str, body: str) -> None:
        body = _GLUED_LABEL.sub(" ", _SPANS.sub("", body).strip())
        cites[i][key] = Formatted(body, plain_text(body))

    notes = re.findall(r'<li id="fn(\d+)"><p>(.*?)<a href="#fnref\1"', out, re.S)
    if notes:  # one note per citation, in the document's order
        cited = [(i, k) for i in range(len(locators)) for k in keys]
        for (_number, body), (i, key) in zip(sorted(notes, key=lambda n: int(n[0])), cited):
            found(i, key, body)
    else:  # in-text: the n-th citation of a key has the n-th locator
        seen: dict[str, int] = {}
        for m in re.finditer(r'<span class="citation" data-cites="(?P<key>[^"]+)">(?P<body>.*?)</span></p>', out, re.S):
            i = seen[m["key"]] = seen.get(m["key"], -1) + 1
            if i < len(cites):
                found(i, m["key"], m["body"])
    missing = [k for k in keys if any(k not in c for c in cites) or (bibliography and k not in refs)]
    if missing:
        raise CiteprocError(f"pandoc did not format {', '.join(missing)} with {csl}")
    return refs, cites


@functools.lru_cache(maxsize=None)
def _positionless(csl: Path) -> bool:
    """Whether style ``csl`` formats a citation whatever citations come before it.

    CSL makes a citation depend on earlier ones only through cite positions
    (``position="subsequent"``, ``ibid``, ``near-note``...), the
    ``et-al-subsequent-*`` options and ``first-reference-note-number`` (and a
    note style numbers its notes). An in-text style using none of them (Debian's
    APA and MLA) prints the second citation of a work as it would the first, so
    one run can cite each entry with both locators (tests/test_cite_batch.py
    compares with one run per locator).
    """
    text = Path(csl).read_text(encoding="utf-8")
    return 'class="in-text"' in text and not re.search(
        r"position=|et-al-subsequent-|first-reference-note-number|near-note", text
    )


def prepare(papers: list[tuple[str, str]], recorded: dict | None = None) -> None:
    """Format every paper's citations in every style with one pandoc run.

    ``papers`` lists (the paper's .bib text, its key). Per style and per group
    of entries without a shared author name (see :func:`_groups`): one batch for
    the references and paragraph citations, one for the takeaway citations
    (a single batch for both in APA and MLA, see :func:`_positionless`); and the
    CSL JSON of all entries; all in one run (:func:`_format`). The results fill
    the caches that :func:`style_citations` and :func:`ris` read, so a page costs
    no pandoc run.

    ``recorded``: key -> what the converter recorded for that paper (site/citations/records.py,
    valid for its entry: ``records.lookup``), used instead of formatting it.
    """
    _prepare({key: bib_entry(bibtex, key) for bibtex, key in papers}, keep=True, recorded=recorded)


def formatted(entry: str, key: str) -> tuple[dict[str, tuple[Formatted, Formatted, Formatted]], dict]:
    """The paper's (reference, paragraph citation, takeaway citation) per Debian style name
    and its CSL JSON, as the build formats them (the converter's records, site/citations/records.py)."""
    _prepare({key: entry})
    styles = {style: (s.reference, s.para, s.takeaway) for (_, _, style, _), s in zip(STYLES, _PREPARED[(entry, key)])}
    return styles, _csl_json(entry)


def _prepare(entries: dict[str, str], keep: bool = False, recorded: dict | None = None) -> None:
    """``keep``: the stored entries of papers this process holds formatted are still in use
    (a build's one call with every paper marks them, so eviction keeps them)."""
    recorded = recorded or {}
    todo = {k: e for k, e in entries.items() if (e, k) not in _PREPARED}
    store = _EntryStore()
    if keep and len(todo) < len(entries) and store.store.enabled:
        for k, e in entries.items():
            if k not in todo:
                placeheld = with_url(e, URL_PLACEHOLDER)
                for _, _, style, _ in STYLES:
                    store.keep(placeheld, cite_style(style))
    if not todo:
        return
    styles = [(style, cite_style(style)) for _, _, style, _ in STYLES]
    placeholder = {k: with_url(e, URL_PLACEHOLDER) for k, e in todo.items()}
    # (style, key) -> (reference, paragraph citation, takeaway citation), from the store or pandoc
    known = {(style, k): store.get(e, csl) for style, csl in styles for k, e in placeholder.items()}
    for (style, k), got in known.items():
        if got is None and k in recorded:  # the converter's record (site/citations/records.py)
            known[(style, k)] = tuple(Formatted(*pair) for pair in recorded[k][0][style])
            store.put(placeholder[k], dict(styles)[style], known[(style, k)])
    jobs = [
        (style, csl, group)
        for style, csl in styles
        for group in _groups({k: e for k, e in placeholder.items() if known[(style, k)] is None})
    ]

    batches = []
    for style, csl, group in jobs:
        if _positionless(csl):  # both locators in one batch
            batches.append((group, csl, (PARA_LOCATOR, TAKEAWAY_LOCATOR), True))
        else:
            batches += [(group, csl, (PARA_LOCATOR,), True), (group, csl, (TAKEAWAY_LOCATOR,), False)]
    # Every (style, group) batch and the CSL JSON of the entries (for RIS) in one pandoc run.
    unrecorded = "\n\n".join(e for k, e in todo.items() if k not in recorded)
    csljson, done = _format(batches, csljson=unrecorded) if batches or unrecorded else ("[]", [])
    results = iter(done)
    for style, csl, group in jobs:
        if _positionless(csl):
            refs, (paras, takeaways) = next(results)
        else:
            (refs, (paras,)), (_, (takeaways,)) = next(results), next(results)
        for k, entry in group.items():
            known[(style, k)] = (refs[k], paras[k], takeaways[k])
            store.put(entry, csl, known[(style, k)])
    data = json.loads(csljson)
    by_id = {item["id"]: item for item in data}
    for k, entry in todo.items():
        _PREPARED[(entry, k)] = tuple(
            StyleCitation(skey, label, citation_name, *known[(style, k)])
            for skey, label, style, citation_name in STYLES
        )
        if k in recorded:
            _PREPARED_CSLJSON[entry] = recorded[k][1]
        elif k in by_id:
            _PREPARED_CSLJSON[entry] = by_id[k]


class _EntryStore:
    """Formatted citations per (entry, style) kept across builds, in the ``cite`` namespace of
    the one cache (:mod:`policy_reader.cache`).

    A batch formats many entries in one pandoc run; storing each entry's result
    on its own means a library that gains one paper formats only that paper.
    The key holds everything the strings are made of: the entry, the CSL style,
    pandoc's version, the placeholders and, through the store, our own code (the
    clean-up in :func:`_batch` is ours: a change to it formats every entry again).
    """

    def __init__(self):
        self.store = cache.store("cite")

    @functools.cached_property
    def _salt(self) -> str:
        return "\0".join((pypandoc.get_pandoc_version(), LOCATOR_PLACEHOLDER, URL_PLACEHOLDER))

    def key(self, entry: str, csl: Path) -> str:
        return self.store.key(self._salt, _csl_digest(csl), entry)

    @staticmethod
    def _load(data) -> tuple:
        if not isinstance(data, list) or len(data) != 3:
            raise ValueError("three formatted strings expected")
        out = []
        for pair in data:
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise ValueError("a formatted string is [html, text]")
            out.append(Formatted(*pair))
        return tuple(out)

    def get(self, entry: str, csl: Path):
        if not self.store.enabled:
            return None
        return self.store.get(self.key(entry, csl), self._load)

    def keep(self, entry: str, csl: Path) -> None:
        """An entry this process holds in :data:`_PREPARED`: still in use."""
        if self.store.enabled:
            self.store.keep_entry(self.key(entry, csl))

    def put(self, entry: str, csl: Path, formatted) -> None:
        if self.store.enabled:
            self.store.put(self.key(entry, csl), [[f.html, f.text] for f in formatted])


@functools.lru_cache(maxsize=None)
def _csl_digest(csl: Path) -> str:
    """The style's content, as a hash (a key is made per entry and style: hashing the whole
    CSL file each time would cost more than the look-up saves)."""
    return hashlib.sha256(Path(csl).read_bytes()).hexdigest()


def style_citations(entry: str, key: str) -> tuple[StyleCitation, ...]:
    """The paper's reference and pinpoint citations in every style of :data:`STYLES`."""
    _prepare({key: entry})
    return _PREPARED[(entry, key)]


_RIS_TYPES = {"report": "RPRT", "webpage": "ELEC", "post-weblog": "BLOG", "article-newspaper": "NEWS",
              "article-magazine": "MGZN", "article-journal": "JOUR", "book": "BOOK", "chapter": "CHAP"}


@functools.lru_cache(maxsize=32)
def _csl_json(entry: str) -> dict:
    if entry in _PREPARED_CSLJSON:
        return _PREPARED_CSLJSON[entry]
    data = json.loads(pypandoc.convert_text(for_pandoc(entry), to="csljson", format="biblatex"))
    if len(data) != 1:
        raise CiteprocError("expected exactly one BibTeX entry for RIS")
    return data[0]


_LATEX_TEXT = {"{\\textbraceleft}": "{", "{\\textbraceright}": "}", "\\textbackslash{}": "\\",
               "\\textasciitilde{}": "~", "\\textasciicircum{}": "^", "`": "'"}
_LATEX_RE = re.compile("|".join(re.escape(k) for k in _LATEX_TEXT) + r"|\\([{}&%$#_])|[{}]")


def bibtex_text(value: str) -> str:
    """A value written by policy_reader.convert.bib as the text it prints (braces of case
    protection dropped, escapes undone): the title as printed, for RIS."""
    return _LATEX_RE.sub(lambda m: _LATEX_TEXT.get(m[0], m[1] or ""), value)


def _field(entry: str, name: str) -> str | None:
    m = re.search(r"^[ \t]*" + name + r"[ \t]*=[ \t]*\{(.*)\},?[ \t]*$", entry, re.M)
    return m[1] if m else None


def _ris_value(value) -> str:
    """One RIS line's value: a tag line ends at the line break, so none may hold one."""
    return " ".join(str(value).split())


def ris(entry: str, url: str) -> str:
    """RIS of one BibTeX entry (via pandoc's CSL JSON), with ``url`` as UR.

    Tags as Zotero's RIS importer reads them: a report's series in T2 (seriesTitle),
    its type in M3 (reportType), its number in SN (reportNumber) and its institution
    in PB; an article's publication in T2 (publicationTitle); the summary in AB.
    """
    item = _csl_json(entry)
    kind = item.get("type", "")
    lines = [f"TY  - {_RIS_TYPES.get(kind, 'GEN')}"]
    for person in item.get("author", []):
        name = ", ".join(p for p in (person.get("family"), person.get("given")) if p) or person.get("literal", "")
        lines.append(f"AU  - {_ris_value(name)}")
    title = _field(entry, "title")
    lines.append(f"TI  - {_ris_value(bibtex_text(title) if title is not None else item['title'])}")
    parts = (item.get("issued", {}).get("date-parts") or [[]])[0]
    if parts:
        lines.append(f"PY  - {parts[0]}")
        lines.append("DA  - " + "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) + "/" * (4 - len(parts)))
    if kind == "report":
        if item.get("genre"):
            lines.append(f"T2  - {_ris_value(item['genre'])}")
            lines.append(f"M3  - {_ris_value(item['genre'])}")
        if item.get("number"):
            lines.append(f"SN  - {_ris_value(item['number'])}")
    if item.get("publisher"):
        lines.append(f"PB  - {_ris_value(item['publisher'])}")
    if item.get("container-title"):
        lines.append(f"T2  - {_ris_value(item['container-title'])}")
    if item.get("abstract"):
        lines.append(f"AB  - {_ris_value(item['abstract'])}")
    lines.append(f"UR  - {_ris_value(url)}")
    lines.append("ER  - ")
    return "\n".join(lines)


@dataclass(frozen=True)
class Citation:
    """Everything the panel of one paragraph (or the paper) shows and copies."""

    styles: tuple[tuple[StyleCitation, Formatted, Formatted | None], ...]  # style, reference, pinpoint citation
    bibtex: str
    ris: str


class PaperCiter:
    """Citations of one paper: formatted once, filled in per paragraph."""

    def __init__(self, bibtex_text: str, key: str):
        self.key = key
        self.entry = bib_entry(bibtex_text, key)
        self.styles = style_citations(self.entry, key)
        # BibTeX and RIS with the URL as a placeholder, filled in per paragraph (the URL goes in
        # verbatim and no other field depends on it: tests/test_cite.py checks the equality).
        self.bibtex_template = with_url(self.entry, URL_PLACEHOLDER)
        self.ris_template = ris(self.entry, URL_PLACEHOLDER)  # also fails early on an entry pandoc cannot read
        # A paragraph is cited here, in the reproduction; where the original is known it is named too.
        original = re.search(r"^[ \t]*url[ \t]*=[ \t]*\{([^}\n]*)\},?[ \t]*$", self.entry, re.M)
        self.original = original[1] if original and re.match(r"^https?://", original[1]) else ""

    def with_original(self, ref: Formatted) -> Formatted:
        if not self.original:
            return ref
        url = _html.escape(self.original, quote=True)
        return Formatted(
            f'{ref.html} Originally published at <a href="{url}">{url}</a>.',
            f"{ref.text} Originally published at {self.original}.",
        )

    def paragraph(self, permalink: str, number: int | str, takeaway: bool = False) -> Citation:
        styles = []
        number = str(number)
        url_html = _html.escape(permalink, quote=True)
        for s in self.styles:
            pin = (s.takeaway if takeaway else s.para).fill(permalink, number, url_html)
            styles.append((s, self.with_original(s.reference.fill(permalink, number, url_html)), pin))
        return Citation(
            tuple(styles),
            self.bibtex_template.replace(URL_PLACEHOLDER, permalink),
            self.ris_template.replace(URL_PLACEHOLDER, permalink),
        )

    def paper(self, url: str) -> Citation:
        styles = tuple((s, s.reference.fill(url, ""), None) for s in self.styles)
        return Citation(styles, with_url(self.entry, url), ris(self.entry, url))
