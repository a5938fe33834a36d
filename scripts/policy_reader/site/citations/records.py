"""Each paper's formatted citations, recorded once by the converter (``bib/formatted/<slug>.json``).

The cite panel of a paper shows its own entry in every style of :data:`.cite.STYLES` (the
reference, the paragraph citation and the takeaway citation, with placeholders for the
permalink and the number) and copies RIS made from pandoc's CSL JSON of the entry. A cold
build used to format them all in one pandoc run (about 11 s of CPU and 330 MiB at 1,000
papers). The converter, which runs once per new or changed paper, formats them with the
same code (:func:`.cite.formatted`) and writes them here; the build reads them
(:func:`lookup`) and formats at build time only what no valid record holds.

A record is valid for exactly the inputs its strings are made of, hashed in its ``inputs``
field (:func:`inputs_digest`): the paper's entry as the panel formats it, each style's CSL
text (Debian's style with ``citeproc.STYLE_EDITS`` applied), pandoc's version, the
placeholders, and the source of the code that formats (cite.py, citeproc.py, bibtex_seam.py,
bibliography.py, this module).
Any other record (missing, damaged, another entry, another style or pandoc, changed code)
is not used: the build formats that paper as before, so its site is the same either way,
and ``policy-reader convert --check`` reports the record as stale (``make convert``
writes it again). Tests: tests/test_cite_records.py.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path

#: Folder of the records, under the bib folder (mkdocs-bibtex and the bibliography page read only ``*.bib``).
FOLDER = "formatted"
FORMAT = "policy-reader formatted citations 1"


def path(bib_dir: Path, slug: str) -> Path:
    return Path(bib_dir) / FOLDER / f"{slug}.json"


@functools.lru_cache(maxsize=None)
def _code_digest() -> str:
    """The source of the code whose output a record holds (an edit there makes every record stale)."""
    from policy_reader.site.citations import bibliography, bibtex_seam, cite, citeproc

    h = hashlib.sha256()
    for module in (cite, citeproc, bibtex_seam, bibliography):
        h.update(Path(module.__file__).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def _styles_digest() -> str:
    """pandoc's version, the placeholders and every style's CSL text as the panel formats with it."""
    import pypandoc

    from policy_reader.site.citations.cite import LOCATOR_PLACEHOLDER, STYLES, URL_PLACEHOLDER
    from policy_reader.site.citations.citeproc import cite_style

    h = hashlib.sha256()
    for part in (FORMAT, pypandoc.get_pandoc_version(), URL_PLACEHOLDER, LOCATOR_PLACEHOLDER, _code_digest()):
        h.update(part.encode("utf-8") + b"\0")
    for _, _, style, _ in STYLES:
        h.update(style.encode("utf-8") + b"\0" + cite_style(style).read_bytes() + b"\0")
    return h.hexdigest()


def inputs_digest(entry: str, key: str) -> str:
    """Everything a record of entry ``entry`` (the paper's own, as in its .bib) under ``key`` is made of."""
    h = hashlib.sha256()
    h.update(_styles_digest().encode("ascii") + b"\0" + key.encode("utf-8") + b"\0" + entry.encode("utf-8"))
    return h.hexdigest()


def record_text(entry: str, key: str, works: dict | None = None) -> str:
    """The record of the paper whose own entry is ``entry`` (formats with pandoc unless
    :func:`.cite.formatted` already holds it: call :func:`.cite.prepare` for many papers first);
    ``works``: what :func:`paper_works` gives for its .bib."""
    from policy_reader.site.citations.cite import formatted

    styles, csljson = formatted(entry, key)
    data = {
        "format": FORMAT,
        "inputs": inputs_digest(entry, key),
        "key": key,
        "styles": {style: [[f.html, f.text] for f in triple] for style, triple in styles.items()},
        "csljson": csljson,
    }
    if works is not None:
        data["works_inputs"], data["works"] = works
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def paper_entries(bibtex: str) -> dict[str, str]:
    """{entry digest: entry} of a paper's .bib, each entry as the library's BibTeX holds it and
    pandoc reads it (bibliography.split_entries, citeproc.for_pandoc)."""
    from policy_reader.site.citations.bibliography import split_entries
    from policy_reader.site.citations.citeproc import for_pandoc

    out = {}
    for text in split_entries(bibtex).values():
        text = for_pandoc(text).strip()
        out[entry_digest(text)] = text
    return out


def _works_valid(data: dict, bibtex: str, expect: str) -> bool:
    works = data.get("works")
    return (data.get("works_inputs") == expect and isinstance(works, dict)
            and set(works) == set(paper_entries(bibtex)))


def _formatted(value) -> list[tuple[str, str]]:
    if not (isinstance(value, list) and len(value) == 3 and all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in value)):
        raise ValueError("three [html, text] pairs expected")
    return [tuple(p) for p in value]


def parse(text: str, entry: str, key: str):
    """``(styles, csljson)`` of a record's text if it is valid for ``entry`` and ``key``
    (``styles``: Debian style name -> three (html, text) pairs), else None."""
    from policy_reader.site.citations.cite import STYLES

    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        if data.get("inputs") != inputs_digest(entry, key):
            return None
        styles = {style: _formatted(data["styles"][style]) for _, _, style, _ in STYLES}
        csljson = data["csljson"]
        if not isinstance(csljson, dict) or csljson.get("id") != key:
            return None
        return styles, csljson
    except (ValueError, KeyError, TypeError):
        return None


def lookup(bib_dir: Path, slug: str, entry: str, key: str):
    """The valid record of paper ``slug`` (see :func:`parse`), or None."""
    try:
        text = path(bib_dir, slug).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return parse(text, entry, key)


_FIRST_KEY = re.compile(r"^@\w+\{([^,\s]+),", re.M)


def outputs(root: Path, planned: list) -> list:
    """The converter's records (``policy-reader convert`` adds them to ``convert.pipeline.plan``'s
    outputs; not a parsed source's output, so not in the converter's seal): one per paper's .bib
    (its own entry first) among ``planned``; only stale ones are formatted (pandoc)."""
    from policy_reader.convert.pipeline import Output

    root = Path(root)
    cited = [(o.source, o.path.stem, o.text, _FIRST_KEY.search(o.text)[1]) for o in planned
             if o.path.parent == root / "bib" and o.path.suffix == ".bib" and not o.remove and o.source]
    texts = plan(root, [(slug, bibtex, key) for _, slug, bibtex, key in cited])
    return [Output(path(root / "bib", slug), texts[path(root / "bib", slug)], source) for source, slug, _, _ in cited]


def plan(root: Path, papers: list[tuple[str, str, str]]) -> dict[Path, str]:
    """The converter's records: ``papers`` lists (slug, the paper's .bib text, its key) ->
    {record path: its text}. A valid record on disk is kept as it is; the others are
    formatted together (one pandoc run, :func:`.cite.prepare`)."""
    from policy_reader.site.citations.cite import bib_entry, prepare

    bib_dir = Path(root) / "bib"
    csl = Path(root) / NOTES_CSL
    expect = works_digest(csl.read_bytes()) if csl.is_file() else None
    out: dict[Path, str] = {}
    todo = []
    for slug, bibtex, key in papers:
        p = path(bib_dir, slug)
        entry = bib_entry(bibtex, key)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = None
        if (text is not None and parse(text, entry, key) is not None and text == _canonical(text)
                and (expect is None or _works_valid(json.loads(text), bibtex, expect))):
            out[p] = text
        else:
            todo.append((p, bibtex, entry, key))
    if todo:
        from policy_reader.model import SourceError
        from policy_reader.site.citations.citeproc import CiteprocError

        works = {}
        try:
            prepare([(bibtex, key) for _, bibtex, _, key in todo])
            if expect is not None:
                entries = {d: e for _, bibtex, _, _ in todo for d, e in paper_entries(bibtex).items()}
                works = format_works(list(entries.values()), csl)
        except (CiteprocError, RuntimeError, ValueError, OSError) as exc:
            where = f"bib/{todo[0][0].stem}.bib" if len(todo) == 1 else "bib/"
            raise SourceError(where, 0, f"pandoc cannot format the citations ({exc}); correct the entry "
                              "in bib/corrections.yaml or the source") from None
        for p, bibtex, entry, key in todo:
            mine = {d: works.get(d) for d in paper_entries(bibtex)} if expect is not None else None
            out[p] = record_text(entry, key, (expect, mine) if mine is not None else None)
    return out


#: Works of every valid record of this build: {entry digest: work} (:func:`load_works`).
_WORKS: dict[str, dict] = {}


def load_works(bib_dir: Path, csl: str | Path) -> None:
    """Read the works of every record under ``bib_dir`` valid for note style ``csl`` (the build's
    footnotes, before its runs; :func:`clear_works` lets them go)."""
    _WORKS.clear()
    try:
        expect = works_digest(Path(csl).read_bytes())
        if b"second-field-align" in Path(csl).read_bytes():
            return  # references in two parts: mkdocs-bibtex reads another shape
        files = sorted((Path(bib_dir) / FOLDER).glob("*.json"))
    except OSError:
        return
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("works_inputs") != expect or not isinstance(data.get("works"), dict):
            continue
        for digest, work in data["works"].items():
            if (isinstance(work, dict) and isinstance(work.get("key"), str) and isinstance(work.get("md"), str)
                    and isinstance(work.get("html"), list) and len(work["html"]) == 2
                    and all(isinstance(x, str) for x in work["html"]) and isinstance(work.get("csljson"), dict)
                    and work["csljson"].get("id") == work["key"] and _recordable(work["md"], work["html"][0])):
                _WORKS[digest] = work


def clear_works() -> None:
    _WORKS.clear()


def _batch_works(batch: str) -> list[tuple[str, dict]] | None:
    from policy_reader.site.citations.bibliography import split_entries

    if not _WORKS:
        return None
    found = []
    for key, text in split_entries(batch).items():
        work = _WORKS.get(entry_digest(text))
        if work is None or work["key"] != key:
            return None
        found.append((key, work))
    return found or None


def batch_output(batch: str) -> tuple[str, str] | None:
    """(the References part of pandoc's Markdown as mkdocs-bibtex reads it, the entries as HTML)
    of an entries-only run of ``batch`` (bibtex_seam._entries_only_run), from the records, when
    every entry of the batch is recorded; else None."""
    found = _batch_works(batch)
    if found is None:
        return None
    md = "\n\n" + "".join(f"::: {{#ref-{key} .csl-entry}}\n{work['md']}\n:::\n\n" for key, work in found)
    html = "".join(f'<div id="ref-{key}" class="csl-entry">\n{work["html"][0]}\n</div>\n' for key, work in found)
    return md, html


def batch_csljson(batch: str) -> list[dict] | None:
    """pandoc's CSL JSON of ``batch`` (citeproc.csl_json), from the records, or None."""
    found = _batch_works(batch)
    return None if found is None else [json.loads(json.dumps(work["csljson"])) for _, work in found]


def _canonical(text: str) -> str:
    """The text as :func:`record_text` writes its data (a record edited by hand is written again)."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    except ValueError:
        return ""


# The works a paper cites, as the footnotes' run and the library's CSL JSON format them.
#
# For a note style whose entries stand alone, the footnotes' run formats the library's entries
# only, in batches (bibtex_seam._entries_only_run), and bib/library.json is pandoc's CSL JSON of
# the same batches (citeproc.csl_json): each entry prints the same in any batch. So the record
# of a paper also holds, per entry of its .bib (as pandoc reads it: ``citeproc.for_pandoc``),
# the reference as mkdocs-bibtex reads it from pandoc's Markdown, as the bibliography page
# reads it from pandoc's HTML, and its CSL JSON; valid for the note style's CSL text, pandoc's
# version and the code (``works_inputs``) and for the entry's exact text (its hash). A batch
# whose every entry is recorded is put together from the records (:func:`batch_output`), any
# other batch runs pandoc as before.

#: The note style the converter formats the works with (mkdocs.yml's bibtex csl_file); a build
#: with another style finds the records' ``works_inputs`` other than its own and formats.
NOTES_CSL = "bib/policy-reader-notes.csl"
_REF_START = re.compile(r"^::: \{#ref-(\S+) \.csl-entry\}\n", re.M)


def works_digest(csl_bytes: bytes) -> str:
    import pypandoc

    h = hashlib.sha256()
    for part in (FORMAT, "works", pypandoc.get_pandoc_version(), _code_digest()):
        h.update(part.encode("utf-8") + b"\0")
    h.update(csl_bytes)
    return h.hexdigest()


def entry_digest(entry: str) -> str:
    return hashlib.sha256(entry.strip().encode("utf-8")).hexdigest()


def _markdown_references(references: str) -> dict[str, str]:
    """``{key: reference}`` of the References part of pandoc's Markdown, each reference as one
    line (the fenced div of each entry, up to the next line that starts with ``:::``)."""
    found = {}
    for m in _REF_START.finditer(references):
        end = references.find("\n:::", m.end() - 1)
        found[m[1]] = references[m.end(): end if end != -1 else len(references)].replace("\n", " ").strip()
    return found


def _recordable(md: str, body: str) -> bool:
    """A reference that the parts put together give back exactly (see :func:`batch_output`)."""
    return ":::" not in md and "{.csl-" not in md and "<div" not in body and "</div" not in body and md != ""


def format_works(entries: list[str], csl: Path) -> dict[str, dict]:
    """Entries (as pandoc reads them) -> {entry digest: {"md", "html", "csljson"}}, formatted as
    the build's runs format them (the same pandoc runs, in rounds of distinct keys); an entry
    whose reference the records cannot give back exactly is left out (the build formats it)."""
    from policy_reader.site.citations.bibliography import split_entries
    from policy_reader.site.citations.bibtex_seam import _entries_only_run
    from policy_reader.site.citations.citeproc import SharedReferences, csl_json, entry_batches

    rounds: list[dict[str, str]] = []
    for entry in dict.fromkeys(e.strip() for e in entries):
        [(key, text)] = split_entries(entry).items()
        for r in rounds:
            if key not in r:
                r[key] = text
                break
        else:
            rounds.append({key: text})
    out: dict[str, dict] = {}
    for r in rounds:
        bibtex = "\n\n".join(r.values()) + "\n"
        shared = SharedReferences()
        args = ["--citeproc", "--bibliography", "", "--csl", str(csl)]
        markdown = _entries_only_run(shared, bibtex, args, entry_batches(bibtex) or [bibtex])
        shared.finish()
        html = shared.get(bibtex, csl) or {}
        md = _markdown_references(markdown.partition("# References")[2])
        data = {item["id"]: item for item in json.loads(csl_json(bibtex))}
        for key, text in r.items():
            if key in md and key in html and key in data and _recordable(md[key], html[key][0]):
                out[entry_digest(text)] = {"key": key, "md": md[key], "html": list(html[key]), "csljson": data[key]}
    return out
