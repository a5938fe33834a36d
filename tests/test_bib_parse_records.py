"""The converter's records of pybtex's parse of each paper's .bib (site/citations/parsed.py).

A valid record rebuilds exactly the objects pybtex's own parse of the file makes (compared
attribute for attribute, not through a writer), and the build uses it instead of parsing;
a missing, stale or damaged record is never used (the build parses the file as before), and
``policy-reader convert --check`` fails on it until ``policy-reader convert`` writes it again.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from pybtex.database import parse_file as pybtex_parse

from policy_reader.site.citations import bibtex_seam, parsed
from support import BIN, GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build, site_files

#: Things pybtex's parser does that a record must give back: a preamble, @string macros and
#: concatenation, month macros, field names and types in mixed case, persons of several roles
#: with von/Jr parts and braces, "and others", non-ASCII text, nested braces and quotes,
#: escapes, empty fields, a crossref, a comment between entries, a key with odd characters.
AWKWARD = """% a comment line
@PREAMBLE{ "\\newcommand{\\noopsort}[1]{}" # " and more" }
@String{ inst = "Institute for {P}eace \\& Security" }
junk between entries is a comment to BibTeX
@Article{Smith:2020/x-1,
  Author = {van der Berg, Jr., Jan and {World Bank} and D{\\'\\i}az, Mar{\\'\\i}a Jos{\\'e} and others},
  TITLE = {The {UN} and {\\"U}ber-{W}orld: 50\\% of {AT\\&T}'s ``trade''},
  journal = inst # { Review},
  month = jul,
  year = 2020,
  editor = "Ludwig van Beethoven and Jean-Paul Sartre",
  note = {},
  Url = {https://example.org/a_b?c=d&e=%20f},
  abstract = {Line one
              line   two	with a tab
  and ‘curly’ quotes — and an em dash, ñ, 中文, emoji 🙂},
  crossref = {Coll2019},
}

@incollection{Coll2019,
  title = "Quoted {"}inner{"} title",
  booktitle = {Book},
  author = {Aristotle},
  date = {2019-03},
}
@misc{empty-one,}
"""


def _state(x):
    """Everything an object holds, recursively and in order (pybtex's objects by their attributes)."""
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    if isinstance(x, (list, tuple)):
        return [type(x).__name__, [_state(i) for i in x]]
    if isinstance(x, dict):
        return ["dict", [(k, _state(v)) for k, v in x.items()]]
    if isinstance(x, (set, frozenset)):
        return ["set", sorted(x)]
    if isinstance(x, type) or callable(x):
        return ["callable", getattr(x, "__qualname__", repr(x))]
    return [type(x).__qualname__, _state(vars(x))]


def _bibs():
    return sorted((ROOT / "bib").glob("*.bib"))


def test_every_committed_bib_has_a_valid_record_that_is_pybtexs_own_parse():
    assert _bibs()
    for bib in _bibs():
        data = bib.read_bytes()
        record = parsed.path(bib)
        assert record.read_text(encoding="utf-8") == parsed.record_text(data)  # as the converter writes it
        got = parsed.read(bib, data)
        assert got is not None, bib
        assert _state(got) == _state(pybtex_parse(str(bib)))
        assert got.to_string("bibtex") == pybtex_parse(str(bib)).to_string("bibtex")


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_awkward_fields_come_back_exactly(tmp_path, newline):
    bib = tmp_path / "awkward.bib"
    bib.write_bytes(AWKWARD.replace("\n", newline).encode("utf-8"))
    expected = pybtex_parse(str(bib))
    assert len(expected.entries) == 3 and expected._preamble and expected.entries["Smith:2020/x-1"].persons["Author"]
    data = bib.read_bytes()
    assert _state(parsed.parse_bytes(data)) == _state(expected)  # the converter reads the file as pybtex does
    text = parsed.record_text(data)
    got = parsed.parse(text.encode("utf-8"), data)
    assert _state(got) == _state(expected)
    assert got.to_string("bibtex") == expected.to_string("bibtex")
    assert _state(parsed.from_json(parsed.to_json(expected))) == _state(expected)


def test_a_bib_with_an_error_has_no_record_and_pybtex_still_reports_it(tmp_path):
    from pybtex.database import BibliographyDataError

    bib = tmp_path / "twice.bib"
    bib.write_text("@misc{a, title={One}}\n@misc{a, title={Two}}\n", encoding="utf-8")
    assert parsed.record_text(bib.read_bytes()) is None
    with pytest.raises(BibliographyDataError):
        pybtex_parse(str(bib))
    assert parsed.record_text(b"@misc{a, title={One}, title={Two}}\n") is None  # a repeated field
    assert parsed.record_text(b"\xff@misc{a, title={One}}\n") is None  # not UTF-8


def test_a_stale_or_damaged_record_is_not_used(tmp_path, monkeypatch):
    bib = tmp_path / "awkward.bib"
    data = AWKWARD.encode("utf-8")
    bib.write_bytes(data)
    text = parsed.record_text(data).encode("utf-8")
    assert parsed.parse(text, data) is not None
    assert parsed.parse(text, data.replace(b"Book", b"Bock")) is None  # the .bib changed after
    assert parsed.parse(text[:-30], data) is None  # truncated
    assert parsed.parse(text.replace(b"Aristotle", b"Aristotla"), data) is None  # its parse edited
    assert parsed.parse(text.replace(b"parse 1", b"parse 2"), data) is None  # another format
    head, _, body = text.partition(b"\n")
    assert parsed.parse(body, data) is None and parsed.parse(head, data) is None and parsed.parse(b"", data) is None
    # A record whose parse has another shape, with a matching hash: refused by its reader.
    reshaped = b'{"preamble":[],"entries":[["k","misc",[["title",1]],[]]]}\n'
    fake = json.loads(head)
    fake["sha256"] = __import__("hashlib").sha256(reshaped).hexdigest()
    assert parsed.parse(json.dumps(fake).encode() + b"\n" + reshaped, data) is None
    # Made by other code or another pybtex (both are in its inputs).
    monkeypatch.setattr(parsed, "_salt", lambda: b"another pybtex")
    assert parsed.parse(text, data) is None


def test_the_build_parses_only_a_bib_without_a_valid_record(tmp_path, monkeypatch):
    """bibtex_seam.cache_bib_parsing: a valid record answers (pybtex is not called); a stale
    or damaged one is passed over for the cache and pybtex, which give the same parse."""
    import mkdocs_bibtex.registry as registry_module

    from policy_reader import cache
    from policy_reader.site.citations import pandoc_cache

    calls = []
    monkeypatch.setattr(registry_module, "parse_file", lambda path: calls.append(path) or pybtex_parse(path))
    folder = tmp_path / "bib"
    folder.mkdir()
    bib = folder / "awkward.bib"
    data = AWKWARD.encode("utf-8")
    bib.write_bytes(data)
    expected = _state(pybtex_parse(str(bib)))
    record = parsed.path(bib)
    record.parent.mkdir()
    record.write_text(parsed.record_text(data), encoding="utf-8")
    pandoc_cache.install(tmp_path / "cache")
    try:
        bibtex_seam.cache_bib_parsing()
        assert _state(registry_module.parse_file(str(bib))) == expected and calls == []  # the record
        record.write_text(record.read_text(encoding="utf-8").replace("Aristotle", "Plato"), encoding="utf-8")
        assert _state(registry_module.parse_file(str(bib))) == expected and calls == [str(bib)]  # pybtex
        record.unlink()
        assert _state(registry_module.parse_file(str(bib))) == expected and calls == [str(bib)]  # the cache
        cache.configure(None)  # no cache at all: the record still answers
        record.write_text(parsed.record_text(data), encoding="utf-8")
        assert _state(registry_module.parse_file(str(bib))) == expected and calls == [str(bib)]
    finally:
        pandoc_cache.uninstall()
        cache.configure(None)


def _convert(project, *args):
    return subprocess.run([str(BIN / "policy-reader"), "convert", "--root", str(project), *args],
                          capture_output=True, text=True)


def test_convert_check_fails_on_a_missing_or_damaged_record_and_convert_writes_it(project_copy):
    path = parsed.path(project_copy / "bib" / f"{GOMEZ_SLUG}.bib")
    good = path.read_text(encoding="utf-8")
    assert _convert(project_copy, "--check").returncode == 0
    path.unlink()
    got = _convert(project_copy, "--check")
    assert got.returncode == 1 and f"bib/parsed/{GOMEZ_SLUG}.json: stale; run `make convert`" in got.stderr
    assert not path.exists()  # --check writes nothing
    assert _convert(project_copy).returncode == 0
    assert path.read_text(encoding="utf-8") == good
    path.write_text(good.replace('"article"', '"book"', 1), encoding="utf-8")
    assert _convert(project_copy, "--check").returncode == 1
    assert _convert(project_copy).returncode == 0
    assert path.read_text(encoding="utf-8") == good


def test_a_withdrawn_paper_loses_its_record(project_copy):
    for src in (project_copy / "sources").glob("gomez-2019-cato-oped.*"):
        src.unlink()
    assert _convert(project_copy).returncode == 0
    assert not parsed.path(project_copy / "bib" / f"{GOMEZ_SLUG}.bib").exists()
    assert parsed.path(project_copy / "bib" / f"{KLINGNER_SLUG}.bib").exists()


def test_the_site_is_the_same_with_and_without_records(project_copy, tmp_path):
    def build(site):
        shutil.rmtree(project_copy / ".cache", ignore_errors=True)  # a cold build
        result = mkdocs_build(project_copy, site)
        assert result.returncode == 0, result.stderr
        return site_files(site)

    with_records = build(tmp_path / "a")
    shutil.rmtree(project_copy / "bib" / parsed.FOLDER)
    assert build(tmp_path / "b") == with_records
