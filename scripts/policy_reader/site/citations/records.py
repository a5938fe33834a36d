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
placeholders, and the source of the code that formats (cite.py, citeproc.py, this module).
Any other record (missing, damaged, another entry, another style or pandoc, changed code)
is not used: the build formats that paper as before, so its site is the same either way,
and ``policy-reader convert --check`` reports the record as stale (``make convert``
writes it again). Tests: tests/test_cite_records.py.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

#: Folder of the records, under the bib folder (mkdocs-bibtex and the bibliography page read only ``*.bib``).
FOLDER = "formatted"
FORMAT = "policy-reader formatted citations 1"


def path(bib_dir: Path, slug: str) -> Path:
    return Path(bib_dir) / FOLDER / f"{slug}.json"


@functools.lru_cache(maxsize=None)
def _code_digest() -> str:
    """The source of the code whose output a record holds (an edit there makes every record stale)."""
    from policy_reader.site.citations import cite, citeproc

    h = hashlib.sha256()
    for module in (cite, citeproc):
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


def record_text(entry: str, key: str) -> str:
    """The record of the paper whose own entry is ``entry`` (formats with pandoc unless
    :func:`.cite.formatted` already holds it: call :func:`.cite.prepare` for many papers first)."""
    from policy_reader.site.citations.cite import formatted

    styles, csljson = formatted(entry, key)
    data = {
        "format": FORMAT,
        "inputs": inputs_digest(entry, key),
        "key": key,
        "styles": {style: [[f.html, f.text] for f in triple] for style, triple in styles.items()},
        "csljson": csljson,
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


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


def plan(root: Path, papers: list[tuple[str, str, str]]) -> dict[Path, str]:
    """The converter's records: ``papers`` lists (slug, the paper's .bib text, its key) ->
    {record path: its text}. A valid record on disk is kept as it is; the others are
    formatted together (one pandoc run, :func:`.cite.prepare`)."""
    from policy_reader.site.citations.cite import bib_entry, prepare

    bib_dir = Path(root) / "bib"
    out: dict[Path, str] = {}
    todo = []
    for slug, bibtex, key in papers:
        p = path(bib_dir, slug)
        entry = bib_entry(bibtex, key)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = None
        if text is not None and parse(text, entry, key) is not None and text == _canonical(text):
            out[p] = text
        else:
            todo.append((p, bibtex, entry, key))
    if todo:
        prepare([(bibtex, key) for _, bibtex, _, key in todo])
        for p, _, entry, key in todo:
            out[p] = record_text(entry, key)
    return out


def _canonical(text: str) -> str:
    """The text as :func:`record_text` writes its data (a record edited by hand is written again)."""
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    except ValueError:
        return ""
