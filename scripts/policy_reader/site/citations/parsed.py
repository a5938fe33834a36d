"""pybtex's parse of each paper's .bib, recorded once by the converter (``bib/parsed/<slug>.json``).

mkdocs-bibtex's ``on_config`` parses every file of ``bib_dir`` with pybtex, in pure Python:
about 3 s of CPU at 1,000 papers, on every cold build (before this, the parse was kept only
in the build's cache, ``bibtex_seam.cache_bib_parsing``). The converter, which writes each
paper's .bib, parses it with pybtex as the build would (:func:`parse_bytes`: the file's bytes
read as ``pybtex.database.parse_file`` reads them) and records the result beside it
(:func:`record_text`); the build's parse of that file is rebuilt from the record
(:func:`read`, through ``bibtex_seam.cache_bib_parsing``) instead of by pybtex.

A record is valid for exactly the bytes of its .bib, pybtex's version and the source of this
module (the code that writes and reads it), all hashed in its ``inputs`` field
(:func:`inputs_digest`). Any other record (missing, damaged, reshaped, of other bytes, another
pybtex or changed code) is not used: the build parses that file as before (through the
``bibparse`` cache), so the site is the same either way, and ``policy-reader convert --check``
reports the record as stale (``make convert`` writes it again). A file pybtex cannot parse
without an error has no record. Tests: tests/test_bib_parse_records.py.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from pathlib import Path

#: Folder of the records, under the bib folder (mkdocs-bibtex and the bibliography read only ``*.bib``).
FOLDER = "parsed"
FORMAT = "policy-reader pybtex parse 1"
_NAME_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


def path(bib_file: Path) -> Path:
    """The record of the .bib file ``bib_file`` (``<its folder>/parsed/<its stem>.json``)."""
    bib_file = Path(bib_file)
    return bib_file.parent / FOLDER / f"{bib_file.stem}.json"


@functools.lru_cache(maxsize=None)
def _salt() -> bytes:
    from importlib.metadata import version

    h = hashlib.sha256()
    for part in (FORMAT, version("pybtex"), hashlib.sha256(Path(__file__).read_bytes().replace(b"\r\n", b"\n")).hexdigest()):
        h.update(part.encode("utf-8") + b"\0")
    return h.digest()


def inputs_digest(data: bytes) -> str:
    """Everything a record of the .bib file whose bytes are ``data`` is made of."""
    return hashlib.sha256(_salt() + data).hexdigest()


# --------------------------------------------------------------------------- pybtex's parse as JSON


def to_json(bib_data) -> dict:
    """Everything of a pybtex parse that anyone reads: the preamble and, per entry in order,
    its key, type as written, fields and persons (five name parts each). Raises TypeError on
    a value that is not plain text."""
    def text(value) -> str:
        if type(value) is not str:
            raise TypeError(f"not text: {type(value).__name__}")
        return value

    return {
        "preamble": [text(p) for p in bib_data._preamble],
        "entries": [
            [
                text(key), text(entry.original_type),
                [[text(name), text(value)] for name, value in entry.fields.items()],
                [[text(role), [[[text(n) for n in getattr(p, part)] for part in _NAME_PARTS] for p in persons]]
                 for role, persons in entry.persons.items()],
            ]
            for key, entry in bib_data.entries.items()
        ],
    }


def from_json(data: dict):
    """The parse :func:`to_json` describes, built as pybtex's parser builds it (an ``Entry``
    per record, its fields and persons in order, ``add_entry`` in order): the same objects
    attribute for attribute. Raises KeyError, TypeError or ValueError on data of another shape."""
    from pybtex.database import BibliographyData, Entry, Person

    def text(value) -> str:
        if type(value) is not str:
            raise TypeError("not text")
        return value

    def names(value) -> list[str]:
        if type(value) is not list:
            raise TypeError("a name part is a list")
        return [text(n) for n in value]

    bib_data = BibliographyData()
    preamble = data["preamble"]
    if type(preamble) is not list:
        raise TypeError("the preamble is a list")
    bib_data._preamble.extend(text(p) for p in preamble)
    for key, original_type, fields, persons in data["entries"]:
        entry = Entry(text(original_type))
        for name, value in fields:
            entry.fields[text(name)] = text(value)
        for role, people in persons:
            for parts in people:
                if type(parts) is not list or len(parts) != len(_NAME_PARTS):
                    raise ValueError("five name parts expected")
                person = Person.__new__(Person)  # Person("") sets the five parts empty, nothing else
                person.first_names, person.middle_names, person.prelast_names, person.last_names, person.lineage_names = (
                    names(p) for p in parts)
                entry.add_person(person, text(role))
        if text(key) in bib_data.entries:
            raise ValueError(f"repeated entry {key}")
        bib_data.add_entry(key, entry)
    return bib_data


# --------------------------------------------------------------------------- the converter's side


def parse_bytes(data: bytes):
    """pybtex's parse of a .bib file whose bytes are ``data``, as ``pybtex.database.parse_file``
    reads the file (UTF-8, universal newlines); ValueError when pybtex reports an error (in
    strict mode it raises, else it prints a warning: either way no record)."""
    import pybtex.errors
    from pybtex.database.input.bibtex import Parser

    parser = Parser()
    with pybtex.errors.capture() as errors:
        bib_data = parser.parse_stream(io.TextIOWrapper(io.BytesIO(data), encoding=parser.encoding))
    if errors:
        raise ValueError(f"pybtex reports: {errors[0]}")
    return bib_data


def record_text(data: bytes) -> str | None:
    """The record of the .bib file whose bytes are ``data``, or None when pybtex reports an
    error in it (the build's pybtex reports it, as before).

    Two JSON texts: a first line ``{"format", "inputs", "sha256"}``, where ``sha256`` is the
    hash of the rest of the file, then the parse (:func:`to_json`), one entry a line. A record
    whose parse was changed after it was written does not match its hash: not used."""
    from pybtex.exceptions import PybtexError

    try:
        parse = to_json(parse_bytes(data))
    except (PybtexError, TypeError, ValueError, UnicodeDecodeError):
        return None
    dumps = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
    lines = ",\n".join(dumps(e) for e in parse["entries"])
    body = '{"preamble":' + dumps(parse["preamble"]) + ',"entries":[\n' + lines + ("\n" if lines else "") + "]}\n"
    head = dumps({"format": FORMAT, "inputs": inputs_digest(data), "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()})
    return head + "\n" + body


def outputs(root: Path, planned: list) -> list:
    """The converter's records (``policy-reader convert`` adds them to ``convert.pipeline.plan``'s
    outputs, as ``records.outputs``): one per paper's .bib among ``planned``, made from the text
    the .bib will hold; a .bib with no record (pybtex reports an error) loses an old one."""
    from policy_reader.convert.pipeline import Output

    root = Path(root)
    out = []
    for o in planned:
        if o.path.parent == root / "bib" and o.path.suffix == ".bib" and not o.remove and o.source:
            data = o.text.encode("utf-8")
            text = _kept(path(o.path), data)
            if text is None:
                text = record_text(data)  # pybtex parses (new or changed papers only)
            if text is not None:
                out.append(Output(path(o.path), text, o.source))
            elif path(o.path).exists():
                out.append(Output(path(o.path), "", o.source, remove=True))
    return out


def _kept(record: Path, data: bytes) -> str | None:
    """The text of ``record`` when it is what :func:`record_text` wrote for a .bib of bytes
    ``data`` (its inputs are these and its parse matches its hash), else None."""
    try:
        raw = record.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    head, found, body = raw.partition(b"\n")
    try:
        fields = json.loads(head)
    except ValueError:
        return None
    if not (found and type(fields) is dict and list(fields) == ["format", "inputs", "sha256"]
            and fields["format"] == FORMAT and fields["inputs"] == inputs_digest(data)
            and fields["sha256"] == hashlib.sha256(body).hexdigest()
            and head == json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")):
        return None
    return text


# --------------------------------------------------------------------------- the build's side


def parse(text: bytes, data: bytes):
    """The parse a record's bytes ``text`` hold if it is valid for a .bib file of bytes ``data``, else None."""
    try:
        end = text.index(b"\n")
        head = json.loads(text[:end])
        body = text[end + 1:]
        if (type(head) is not dict or head.get("format") != FORMAT or head.get("inputs") != inputs_digest(data)
                or head.get("sha256") != hashlib.sha256(body).hexdigest()):
            return None
        return from_json(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def read(bib_file: Path, data: bytes):
    """pybtex's parse of ``bib_file`` (whose bytes are ``data``) from its valid record, or None."""
    try:
        text = path(bib_file).read_bytes()
    except OSError:
        return None
    return parse(text, data)
