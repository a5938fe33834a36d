"""The seam around mkdocs-bibtex (site/citations/bibtex_seam.py): its two setup speed-ups change nothing.

The footnote-link fix is checked by the build tests that read the real site's footnotes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pybtex.plugin
from mkdocs_bibtex.registry import PandocRegistry
from pybtex.database import BibliographyData, Entry, Person, parse_file

from policy_reader import cache
from policy_reader.cache import read_entry
from policy_reader.site.citations import bibtex_seam
from policy_reader.site.citations import pandoc_cache

from support import ROOT

BIBS = sorted((ROOT / "bib").glob("*.bib"))
CSL = str(ROOT / "bib" / "policy-reader-notes.csl")


def test_pybtex_lookups_are_kept_and_find_the_same_classes(monkeypatch):
    calls = []
    original = pybtex.plugin.entry_points

    def counting(**params):
        calls.append(params)
        return original(**params)

    monkeypatch.setattr(pybtex.plugin, "entry_points", counting)  # restored after the test
    monkeypatch.setattr(pybtex.plugin, "_RUNTIME_PLUGINS", {})
    asks = [("pybtex.database.input", None, "x.bib"), ("pybtex.database.output", "bibtex", None), ("pybtex.backends", None, None)]
    before = [pybtex.plugin.find_plugin(g, n, filename=f) for g, n, f in asks]
    bibtex_seam.speed_up_pybtex()
    bibtex_seam.speed_up_pybtex()  # idempotent: one layer
    assert pybtex.plugin.entry_points.policy_reader_memo
    calls.clear()
    for _ in range(3):
        assert [pybtex.plugin.find_plugin(g, n, filename=f) for g, n, f in asks] == before
    assert len(calls) == len(asks)  # each selection scanned once
    for f in BIBS:  # what mkdocs-bibtex does per file
        parse_file(str(f))
    assert len(calls) == len(asks)

    class Custom(pybtex.plugin.Plugin):
        pass

    # A plugin registered at run time is found as before (pybtex checks those first).
    assert pybtex.plugin.register_plugin("pybtex.database.input", "policy-reader-test", Custom)
    assert pybtex.plugin.find_plugin("pybtex.database.input", "policy-reader-test") is Custom


def library() -> BibliographyData:
    refs = {}
    for f in BIBS:
        refs.update(parse_file(str(f)).entries)
    return BibliographyData(entries=refs)


def test_bibtex_key_changes_with_anything_the_writer_writes():
    base = bibtex_seam.bibtex_key(library())
    assert bibtex_seam.bibtex_key(library()) == base
    key = next(iter(library().entries))

    def changed(edit) -> str:
        data = library()
        edit(data, data.entries[key])
        return bibtex_seam.bibtex_key(data)

    edits = [
        lambda d, e: e.fields.__setitem__("title", e.fields.get("title", "") + "x"),
        lambda d, e: e.fields.__setitem__("note", "new field"),
        lambda d, e: e.persons.__setitem__("editor", [Person("Doe, Jane")]),
        lambda d, e: setattr(e, "original_type", "misc"),
        lambda d, e: d.add_to_preamble(r"\newcommand{\x}{}"),
        lambda d, e: d.entries.__setitem__("zz-new-key", Entry("misc", fields={"title": "T"})),
    ]
    keys = {changed(edit) for edit in edits}
    assert base not in keys and len(keys) == len(edits)
    # the order of the entries is written too
    entries = list(library().entries.items())
    assert bibtex_seam.bibtex_key(BibliographyData(entries=dict(entries[::-1]))) != base


def test_remembered_bibtex_is_mkdocs_bibtex_own_text(tmp_path, monkeypatch):
    def registry():
        return PandocRegistry(bib_files=[str(f) for f in BIBS], csl_file=CSL, csl_file_encoding=None)

    expected = registry().bib_data_bibtex
    pandoc_cache.install(tmp_path / "cache")
    try:
        first = registry()
        bibtex_seam._remember_bibtex(first)  # a miss: computed by the property, then stored
        assert first.bib_data_bibtex == expected
        [entry] = (tmp_path / "cache" / "bibtex").iterdir()
        assert read_entry(entry) == expected  # exactly, as text

        def no_writer(*args, **kwargs):
            raise AssertionError("the BibTeX text was computed again")

        monkeypatch.setattr(BibliographyData, "to_string", no_writer)
        second = registry()
        bibtex_seam._remember_bibtex(second)  # a hit: read back, byte for byte
        assert second.bib_data_bibtex == expected
    finally:
        pandoc_cache.uninstall()


def test_without_the_cache_nothing_is_kept():
    cache.configure(None)
    reg = PandocRegistry(bib_files=[str(BIBS[0])], csl_file=CSL, csl_file_encoding=None)
    bibtex_seam._remember_bibtex(reg)
    assert "bib_data_bibtex" not in vars(reg)


def _people(bib_data):
    return {
        key: [(role, [(p.first_names, p.middle_names, p.prelast_names, p.last_names, p.lineage_names) for p in people])
              for role, people in entry.persons.items()]
        for key, entry in bib_data.entries.items()
    }


def test_a_stored_bib_parse_gives_what_pybtex_gives(tmp_path, monkeypatch):
    """bibtex_seam.cache_bib_parsing: the second parse of a .bib file comes from its JSON entry
    in the cache (no pybtex parse) and is pybtex's own parse: the same entries, persons in
    their five parts, and the same BibTeX written."""
    import mkdocs_bibtex.registry as registry_module
    from pybtex.database import parse_file as pybtex_parse

    monkeypatch.setattr(registry_module, "parse_file", registry_module.parse_file)  # restored afterwards
    real = bibtex_seam.bib_data_from_json
    rebuilt = []
    monkeypatch.setattr(bibtex_seam, "bib_data_from_json", lambda data: rebuilt.append(1) or real(data))
    pandoc_cache.install(tmp_path / "cache")
    copies = tmp_path / "bib"  # without the converter's records (bib/parsed/: tests/test_bib_parse_records.py)
    copies.mkdir()
    for bib in (ROOT / "bib").glob("*.bib"):
        shutil.copy(bib, copies / bib.name)
    try:
        bibtex_seam.cache_bib_parsing()
        for bib in sorted(copies.glob("*.bib")):
            expected = pybtex_parse(str(bib))
            rebuilt.clear()
            first = registry_module.parse_file(str(bib))  # parsed and stored
            assert rebuilt == [] and first.to_string("bibtex") == expected.to_string("bibtex")
            stored = registry_module.parse_file(str(bib))  # from the store
            assert rebuilt == [1]
            assert stored.entries == expected.entries and _people(stored) == _people(expected)
            assert [e.original_type for e in stored.entries.values()] == [e.original_type for e in expected.entries.values()]
            assert stored.to_string("bibtex") == expected.to_string("bibtex")
        assert len(list((tmp_path / "cache" / "bibparse").glob("*.json"))) == len(list((ROOT / "bib").glob("*.bib")))
    finally:
        pandoc_cache.uninstall()


def test_footnotes_lose_pandoc_markup_and_the_rest_of_the_page_is_untouched():
    page = (
        '<p>Body \\$ keeps [x]{.nocase}</p><div class="footnote"><ol><li><p>Jo, "[Ship-to-Ship]{.nocase} AT\\&amp;T '
        'costs \\$5, x\\^2 \\~ \\| \\@ \\&lt;b\\&gt;," <a href="https://e.org/a_b">https://e.org/a_b</a></p></li></ol></div>'
    )
    out = bibtex_seam.fix_footnote_links(page)
    assert out.startswith("<p>Body \\$ keeps [x]{.nocase}</p>")
    foot = out[out.index('<div class="footnote">'):]
    assert 'Jo, "Ship-to-Ship AT&amp;T costs $5, x^2 ~ | @ &lt;b&gt;,"' in foot
    assert '<a href="https://e.org/a_b">https://e.org/a_b</a>' in foot


def test_pandoc_reads_the_library_bibtex_not_pybtexs_rewrite(tmp_path):
    """pybtex's writer turns an escaped `\\&` into `\\\\&` (a LaTeX line break) and `\\%` into
    `\\\\%` (a comment); mkdocs-bibtex's pandoc run gets the converter's own text instead."""
    bib = tmp_path / "bib"
    bib.mkdir()
    entry = "@online{k,\n  author = {{X}},\n  title = {AT\\&T Holds 50\\% of Trade},\n  date = {2020},\n}\n"
    (bib / "a.bib").write_text(entry, encoding="utf-8")
    (bib / "b.bib").write_text(entry, encoding="utf-8")  # one work in two papers' files: once
    registry = PandocRegistry([str(bib / "a.bib")], CSL, None)
    assert "\\\\&" in registry.bib_data.to_string("bibtex")  # what mkdocs-bibtex would hand pandoc

    class Config(dict):
        config_file_path = str(tmp_path / "mkdocs.yml")
        plugins = {"bibtex": type("P", (), {"config": type("C", (), {"bib_dir": "bib"})()})()}

    bibtex_seam.use_library_bibtex(Config(), registry)
    text = registry.bib_data_bibtex
    assert text.count("@online{k,") == 1 and "AT\\&T Holds 50\\% of Trade" in text


def test_the_library_is_let_go_after_the_pages_and_made_again_by_the_next_build(project_copy):
    from mkdocs.config import load_config

    from policy_reader.site.citations import citeproc

    config = load_config(str(project_copy / "mkdocs.yml"))
    plugin = config.plugins["bibtex"]
    plugin.on_config(config)
    keys = list(plugin.registry.bib_data.entries)
    assert keys and plugin.last_configured is not None
    library = citeproc.for_pandoc(Path(BIBS[0]).read_text(encoding="utf-8"))
    citeproc.csl_json(library)
    assert citeproc.csl_json.cache_info().currsize == 1
    bibtex_seam.release(config)
    assert plugin.registry is None and plugin.last_configured is None
    assert citeproc.csl_json.cache_info().currsize == 0 and citeproc.format_references.cache_info().currsize == 0
    # A rebuild of the same process (mkdocs serve keeps the plugin) reads bib/ again, unchanged files or not.
    plugin.on_config(config)
    assert list(plugin.registry.bib_data.entries) == keys
    bibtex_seam.release(config)  # twice, or with no registry: nothing to do
    bibtex_seam.release(config)
