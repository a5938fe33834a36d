"""One citeproc pass for the footnotes and the bibliography page (site/citations/citeproc.py,
site/citations/bibtex_seam.py): mkdocs-bibtex gets what its own run gives for every work it
cites, the bibliography page gets what its own run gives, and a build runs no pandoc for the
bibliography page."""

from __future__ import annotations

from pathlib import Path

import pypandoc
import pytest
from mkdocs_bibtex.citation import CitationBlock
from mkdocs_bibtex.registry import PandocRegistry

from policy_reader.site.citations import bibtex_seam, citeproc
from policy_reader.site.citations.bibliography import library_bib, library_entries

from support import ROOT

CSL = str(ROOT / "bib" / "policy-reader-notes.csl")

# Works of my own making: two share an author (no style here adds "2019a": ours has no
# disambiguation), one is cited by no paper (only the bibliography page lists it), one has
# a case-protected word and a URL with an underscore.
LIBRARY = """\
@report{ana2019,
  author = {Ana Quist},
  title = {Harbour Dues in the {North} Sea},
  institution = {Example Institute},
  type = {Brief},
  number = {12},
  date = {2019-03-04},
  url = {https://example.org/briefs/harbour_dues},
}

@online{ana2020,
  author = {Ana Quist},
  title = {Ferry Fares After the Storm},
  date = {2020-05-06},
}

@article{bo2018,
  author = {Bo Rinne and Cy Salo},
  title = {Tolls and Lanes},
  journaltitle = {The Example Review},
  date = {2018},
}

@report{own2021,
  author = {Dee Tarn},
  title = {The Paper Itself},
  institution = {Example Institute},
  date = {2021-01-02},
}
"""


def registry(tmp_path: Path) -> PandocRegistry:
    bib = tmp_path / "lib.bib"
    bib.write_text(LIBRARY, encoding="utf-8")
    reg = PandocRegistry([str(bib)], CSL, None)
    vars(reg)["bib_data_bibtex"] = citeproc.for_pandoc(library_bib(library_entries([LIBRARY])))
    return reg


BLOCKS = "See [@ana2019]. Also [@bo2018; @ana2020]. Again [@ana2019]."


def test_the_shared_run_gives_mkdocs_bibtex_and_the_bibliography_what_their_own_runs_give(tmp_path):
    blocks = CitationBlock.from_markdown(BLOCKS)
    alone = registry(tmp_path)._process_with_pandoc(blocks)  # mkdocs-bibtex's own run
    shared = citeproc.SharedReferences()
    with bibtex_seam._footnote_run_shared_with(shared):
        together = registry(tmp_path)._process_with_pandoc(blocks)
    shared.finish()
    inline, refs = together
    assert inline == alone[0]
    cited = {"ana2019", "ana2020", "bo2018"}
    assert set(alone[1]) == cited
    assert {k: refs[k] for k in cited} == alone[1]  # every footnote as before
    assert set(refs) == cited | {"own2021"}  # and the work no paper cites, which no footnote reads
    library = library_bib(library_entries([LIBRARY]))
    found = shared.get(citeproc.for_pandoc(library), CSL)
    own = citeproc.format_references.__wrapped__(library, CSL)  # the bibliography page's own run
    assert found == own and set(own) == cited | {"own2021"}


def test_outside_a_shared_run_mkdocs_bibtex_calls_pandoc_as_before(tmp_path, monkeypatch):
    bibtex_seam.share_footnote_run()
    calls = []
    real = pypandoc.convert_text

    def spy(source, to, format=None, extra_args=(), **kwargs):
        calls.append(to)
        return real(source, to, format=format, extra_args=extra_args, **kwargs)

    monkeypatch.setattr(pypandoc, "convert_text", spy)
    registry(tmp_path)._process_with_pandoc(CitationBlock.from_markdown(BLOCKS))
    assert calls == ["markdown-citations"]


def test_a_style_whose_entries_depend_on_each_other_is_not_shared(tmp_path):
    dependent = tmp_path / "numbered.csl"
    dependent.write_text(Path(CSL).read_text(encoding="utf-8").replace(
        "<text macro=\"names\"/>", "<text variable=\"citation-number\"/><text macro=\"names\"/>", 1), encoding="utf-8")
    assert citeproc.entries_stand_alone(CSL)
    assert not citeproc.entries_stand_alone(dependent)
    assert not citeproc.entries_stand_alone(citeproc.style_path("apa"))  # disambiguates names and years
    reg = registry(tmp_path)
    reg.csl_file = str(dependent)
    shared = citeproc.SharedReferences()
    with bibtex_seam._footnote_run_shared_with(shared):
        _, refs = reg._process_with_pandoc(CitationBlock.from_markdown(BLOCKS))
    shared.finish()
    assert set(refs) == {"ana2019", "ana2020", "bo2018"}  # cited works only: the run as before
    assert shared.get(citeproc.for_pandoc(library_bib(library_entries([LIBRARY]))), str(dependent)) is None


def test_a_waiting_bibliography_is_released_when_the_footnotes_fail():
    shared = citeproc.SharedReferences()

    def footnotes(config, pages, shared):
        raise RuntimeError("footnotes failed")

    with pytest.raises(RuntimeError, match="footnotes failed"):
        shared.run(footnotes, None, [])
    assert shared.get("@x{y,}", CSL) is None  # does not wait: the page formats its entries itself


# A fresh interpreter, as `mkdocs build` is: pandoc runs are watched there, with no state left
# by other in-process builds of this test session.
_WATCHED_BUILD = """
import json, sys
import pypandoc
runs = []
real = pypandoc.convert_text
def spy(source, to, format=None, extra_args=(), **kwargs):
    runs.append((str(to), source if isinstance(source, str) else ""))
    return real(source, to, format=format, extra_args=extra_args, **kwargs)
pypandoc.convert_text = spy
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config("mkdocs.yml", site_dir=sys.argv[1], strict=True))
print(json.dumps(runs))
"""


def test_a_build_formats_the_bibliography_in_the_footnotes_run(project_copy, tmp_path):
    import json
    import shutil
    import subprocess
    import sys

    shutil.rmtree(project_copy / "bib" / "formatted")  # no converter's records: everything formatted at build (test_cite_records.py)

    result = subprocess.run(
        [sys.executable, "-c", _WATCHED_BUILD, str(tmp_path / "site")],
        cwd=project_copy, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    runs = json.loads(result.stdout.strip().splitlines()[-1])
    shared = [source for to, source in runs if to.endswith("footnotes-and-bibliography.lua")]
    # one batch of entries (the two papers' library), formatted alone: no citation in the run
    assert len(shared) == 1 and "nocite: '@*'" in shared[0] and "[@" not in shared[0]
    # the cite panels are one more run (site/citations/cite.py), the library's CSL JSON another
    assert len([1 for to, _ in runs if to.endswith("cite-batches-writer.lua")]) == 1
    assert [to for to, _ in runs if to == "csljson"] == ["csljson"]
    assert not [1 for to, source in runs if to == "html" and source == "---\nnocite: '@*'\n---\n"]
    page = (tmp_path / "site" / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert page.count('<span class="reference">') == len(library_entries(
        [p.read_text(encoding="utf-8") for p in sorted((project_copy / "bib").glob("*.bib"))]))


# A note style (ours): mkdocs-bibtex reads only the References of its run, so the shared run
# formats the entries alone, in batches of entries (site/citations/bibtex_seam.py _entries_only_run).

def _watched(monkeypatch):
    """Every pandoc run as (to, source, the --bibliography file's text)."""
    runs = []
    real = pypandoc.convert_text

    def spy(source, to, format=None, extra_args=(), **kwargs):
        args = list(extra_args or ())
        bib = Path(args[args.index("--bibliography") + 1]).read_text(encoding="utf-8") if "--bibliography" in args else ""
        runs.append((str(to), source, bib))
        return real(source, to, format=format, extra_args=extra_args, **kwargs)

    monkeypatch.setattr(pypandoc, "convert_text", spy)
    return runs


def test_a_note_styles_footnotes_run_formats_the_entries_alone_in_batches(tmp_path, monkeypatch):
    blocks = CitationBlock.from_markdown(BLOCKS)
    own = registry(tmp_path)
    alone = own._process_with_pandoc(blocks)  # mkdocs-bibtex's own run: notes and references
    assert own._is_inline is False  # ours is a note style
    monkeypatch.setattr(citeproc, "BATCH_MAX", 2)  # two batches of two entries
    runs = _watched(monkeypatch)
    shared = citeproc.SharedReferences()
    reg = registry(tmp_path)
    with bibtex_seam._footnote_run_shared_with(shared, notes_unread=True):
        inline, refs = reg._process_with_pandoc(blocks)
    shared.finish()
    monkeypatch.undo()
    # no citation was formatted, each run read only its own entries
    assert [to.endswith("footnotes-and-bibliography.lua") for to, _, _ in runs] == [True, True]
    assert all("[@" not in source and "nocite: '@*'" in source for _, source, _ in runs)
    assert [citeproc._bibtex_keys(bib) for _, _, bib in runs] == [["ana2019", "ana2020"], ["bo2018", "own2021"]]
    cited = {"ana2019", "ana2020", "bo2018"}
    assert {k: refs[k] for k in cited} == alone[1]  # every footnote as mkdocs-bibtex's own run gives it
    assert set(refs) == cited | {"own2021"}
    assert inline == {}  # the notes, which mkdocs-bibtex reads for author-date styles only
    reg._inline_cache, reg._reference_cache = inline, refs
    own._inline_cache, own._reference_cache = alone
    for block in blocks:  # what a page gets: the same footnote marks and texts
        assert reg.inline_text(block) == own.inline_text(block)
        for citation in block.citations:
            assert reg.reference_text(citation) == own.reference_text(citation)
    library = citeproc.for_pandoc(library_bib(library_entries([LIBRARY])))
    assert shared.get(library, CSL) == citeproc.format_references.__wrapped__(library, CSL)


def test_the_real_papers_footnotes_are_what_one_run_of_the_library_gives(tmp_path, monkeypatch):
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "bib").glob("*.bib"))]
    bib = tmp_path / "real.bib"
    bib.write_text("\n\n".join(texts), encoding="utf-8")
    library = citeproc.for_pandoc(library_bib(library_entries(texts)))
    keys = citeproc._bibtex_keys(library)
    blocks = CitationBlock.from_markdown(" ".join(f"[@{k}]" for k in keys))

    def fresh():
        reg = PandocRegistry([str(bib)], CSL, None)
        vars(reg)["bib_data_bibtex"] = library
        return reg

    _, whole = fresh()._process_with_pandoc(blocks)  # one run citing every work
    monkeypatch.setattr(citeproc, "BATCH_MEAN", 3)  # many small batches, ends chosen by key
    shared = citeproc.SharedReferences()
    with bibtex_seam._footnote_run_shared_with(shared, notes_unread=True):
        _, batched = fresh()._process_with_pandoc(blocks)
    shared.finish()
    assert len(citeproc.entry_batches(library)) > 2
    assert batched == whole and set(whole) == set(keys)
    assert shared.get(library, CSL) == citeproc.format_references.__wrapped__(library, CSL)


def test_entries_are_batched_whole_in_order_and_only_when_they_stand_apart(monkeypatch):
    library = citeproc.for_pandoc(library_bib(library_entries([LIBRARY])))
    monkeypatch.setattr(citeproc, "BATCH_MAX", 3)
    batches = citeproc.entry_batches(library)
    assert [citeproc._bibtex_keys(b) for b in batches] == [["ana2019", "ana2020", "bo2018"], ["own2021"]]
    assert "".join(batches).replace("\n", "") == library.split("\n\n", 1)[1].replace("\n", "")  # whole entries
    extra = "@online{cy2001,\n  author = {Cy Salo},\n  title = {Piers},\n  date = {2001},\n}\n"
    for bad in (
        library.replace("  date = {2018},", "  date = {2018},\n  crossref = {ana2019},"),  # takes another's fields
        "@string{inst = {Example Institute}}\n\n" + library,  # a macro other entries may use
        library + "\n" + library.split("\n\n", 1)[1],  # a key twice
        library.replace("  title = {Tolls and Lanes},", "  title = {Tolls\n@and Lanes},"),  # not an entry start
    ):
        assert citeproc.entry_batches(bad) is None
    # a new work changes the batch it falls in (two when its key ends a batch), not the others
    monkeypatch.setattr(citeproc, "BATCH_MAX", 1000)
    monkeypatch.setattr(citeproc, "BATCH_MEAN", 2)
    entries = library_entries([LIBRARY, extra])
    before = citeproc.entry_batches(citeproc.for_pandoc(library_bib(library_entries([LIBRARY]))))
    after = citeproc.entry_batches(citeproc.for_pandoc(library_bib(entries)))
    assert len(set(after) - set(before)) <= 2 and len(set(before) - set(after)) == 1


def test_the_library_csl_json_in_batches_is_one_runs(monkeypatch):
    import json

    library = library_bib(library_entries([LIBRARY]))
    whole = json.loads(pypandoc.convert_text(citeproc.for_pandoc(library), to="csljson", format="biblatex"))
    expected = json.dumps(sorted(whole, key=lambda item: item["id"]), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    monkeypatch.setattr(citeproc, "BATCH_MAX", 1)
    runs = _watched(monkeypatch)
    assert citeproc.csl_json.__wrapped__(library) == expected
    assert [to for to, _, _ in runs] == ["csljson"] * 4
    assert sorted(citeproc._bibtex_keys(source)[0] for _, source, _ in runs) == ["ana2019", "ana2020", "bo2018", "own2021"]
