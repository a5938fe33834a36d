"""Convert only what changed: sources whose inputs did not change are not parsed,
and the outputs stay byte for byte those of a full conversion.

Which sources were parsed is observed by counting calls to ``readers.read`` (and
through the CLI's report), never by timing. Every "equals a full conversion"
compares with ``convert --force`` run in another copy whose outputs were deleted.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys

import pytest

from policy_reader.convert import pipeline as convert
from policy_reader.convert import incremental
from policy_reader import readers
from policy_reader.dev import synth
from policy_reader.site.citations import parsed as parsed_records, records
from support import BIN, GOMEZ_SLUG, KLINGNER_SLUG

GOMEZ = "sources/gomez-2019-cato-oped.txt"
KLINGNER = "sources/klingner-2019-heritage-ib5022.txt"
SYNTH = 6  # synthetic papers added to the two real ones


def run(root, *args):
    return subprocess.run(
        [str(BIN / "policy-reader"), "convert", "--root", str(root), *args],
        capture_output=True, text=True,
    )


def outputs(root) -> dict[str, bytes]:
    files = [*(root / "docs" / "papers").glob("*.md"), *(root / "bib").glob("*.bib")]
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(files)}


def snapshot(root) -> dict:
    return {p: p.read_bytes() for d in ("docs", "bib") for p in sorted((root / d).rglob("*")) if p.is_file()}


_fresh = itertools.count()


def full_conversion(root, tmp_path) -> dict[str, bytes]:
    """The outputs of a full conversion of ``root``'s inputs, in another copy."""
    other = tmp_path / f"full-{next(_fresh)}"
    shutil.copytree(root, other)
    for path in outputs(other):
        (other / path).unlink()
    result = run(other, "--force")
    assert result.returncode == 0, result.stderr
    return outputs(other)


def convert_counting(root, monkeypatch, force=False) -> set[str]:
    """Convert in-process; return the sources that were parsed."""
    parsed = []
    real = readers.read  # every format's reader goes through it

    def counting(path, source, *args, **kwargs):
        parsed.append(source)
        return real(path, source, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(readers, "read", counting)
        planned = convert.plan(root, force=force)
        planned += records.outputs(root, planned)  # as the CLI does
        convert.write(root, planned + parsed_records.outputs(root, planned), force=force)
    incremental.record_converter(root)  # as the CLI does after converting every source
    assert len(parsed) == len(set(parsed)), "a source was parsed twice"
    return set(parsed)


@pytest.fixture
def library(project_copy, monkeypatch):
    """The two real papers plus a few synthetic ones, converted once."""
    synth.write_library(project_copy / "sources", SYNTH)
    assert len(convert_counting(project_copy, monkeypatch, force=True)) == len(convert.find_sources(project_copy))
    return project_copy


def test_committed_papers_are_not_parsed(project_copy, monkeypatch):
    """The committed outputs are sealed for the committed inputs: once this converter has
    checked them (a fresh clone's first run parses everything), nothing is parsed."""
    assert not (project_copy / incremental.CONVERTER_STAMP).exists()
    assert convert_counting(project_copy, monkeypatch) == sources_of(project_copy)  # no record of this converter yet
    assert convert_counting(project_copy, monkeypatch) == set()


def test_a_passing_check_records_the_converter(project_copy, monkeypatch):
    result = run(project_copy, "--check")
    assert result.returncode == 0, result.stderr
    assert convert_counting(project_copy, monkeypatch) == set()


def test_converting_some_sources_does_not_record_the_converter(project_copy):
    result = run(project_copy, str(project_copy / GOMEZ))
    assert result.returncode == 0, result.stderr
    assert not (project_copy / incremental.CONVERTER_STAMP).exists()


def sources_of(root) -> set[str]:
    return {p.relative_to(root).as_posix() for p in convert.find_sources(root)}


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --------------------------------------------------------------------------- (1) nothing changed: nothing parsed


def test_second_run_parses_nothing(library, monkeypatch, tmp_path):
    before = outputs(library)
    assert convert_counting(library, monkeypatch) == set()
    assert outputs(library) == before == full_conversion(library, tmp_path)
    result = run(library)
    assert result.returncode == 0, result.stderr
    n = len(convert.find_sources(library))  # the real papers (two, or more a user added) and SYNTH
    # .md, .bib, bib/formatted/<slug>.json and bib/parsed/<slug>.json per paper, + bib/keys.yml
    assert result.stdout.strip() == f"up to date: {4 * n + 1} files (sources: converted 0, unchanged {n})"


def test_every_output_carries_its_seal(library):
    for name, data in outputs(library).items():
        text = data.decode("utf-8")
        if name.endswith(".md"):
            plain, seal = incremental.unseal_markdown(text)
            assert seal and not convert.hand_edited(library / name)
        else:
            plain, seal = incremental.unseal_bib(text)
            assert seal and text.splitlines()[3] == f"% policy-reader inputs:{seal}"
        assert len(seal) == 16 and plain != text


def test_check_parses_nothing_and_passes(library, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(readers, "read", lambda *a, **k: pytest.fail("--check parsed a source whose inputs did not change"))
        planned = convert.plan(library)
    assert all(o.reused for o in planned if o.source) and convert.stale(library, planned) == []
    assert run(library, "--check").returncode == 0


def test_force_parses_everything(library, monkeypatch):
    before = outputs(library)
    assert convert_counting(library, monkeypatch, force=True) == sources_of(library)
    assert outputs(library) == before


# --------------------------------------------------------------------------- (2) a change re-converts exactly what it affects


def touch_text(root):
    edit(root / GOMEZ, "highlights the flaws", "highlights the many flaws")
    return {GOMEZ}


def touch_meta(root):
    edit(root / "sources" / "klingner-2019-heritage-ib5022.yml", "summary: Argues", "summary: Holds")
    return {KLINGNER}


def touch_synthetic_text(root):
    edit(root / "sources" / "synth-00003.txt", "is a columnist", "is a senior columnist")
    return {"sources/synth-00003.txt"}


def touch_corrections(root):
    edit(root / "bib" / "corrections.yaml", "(not confirmed)", "(not yet confirmed)")
    return {KLINGNER}  # the corrected key is cited by Klingner's paper only


def add_correction(root):
    path = root / "bib" / "corrections.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "gomez-2019-consequences-north:\n  note: checked\n", encoding="utf-8")
    return {GOMEZ}


def comment_in_corrections(root):
    path = root / "bib" / "corrections.yaml"
    path.write_text("# reviewed\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    return set()  # no paper's corrections changed


def touch_vocabulary(root):
    edit(root / "docs" / "topics" / "vocabulary.yml", "threshold: 2", "threshold: 3")
    return sources_of(root)  # every paper is tagged with the vocabulary


def touch_overrides(root):
    edit(root / "docs" / "topics" / "overrides.yml", "topics: [sanctions]\n", "topics: [sanctions, diplomacy]\n")
    return {KLINGNER}


@pytest.mark.parametrize("change", [
    touch_text, touch_meta, touch_synthetic_text, touch_corrections, add_correction,
    comment_in_corrections, touch_vocabulary, touch_overrides,
])
def test_change_reconverts_exactly_the_affected_papers(library, monkeypatch, tmp_path, change):
    before = outputs(library)
    expected = change(library)
    assert convert_counting(library, monkeypatch) == expected
    after = outputs(library)
    assert after == full_conversion(library, tmp_path)
    changed = {name for name in after if after[name] != before[name]}
    for name in changed:  # only outputs of the affected papers differ
        assert any(f"convert from {src}." in after[name].decode("utf-8") for src in expected), name
    assert convert_counting(library, monkeypatch) == set()  # and then it is current again


def test_check_reports_a_stale_source_and_writes_nothing(library):
    edit(library / "sources" / "synth-00004.yml", "summary: ", "summary: Changed. ")
    before = snapshot(library)
    result = run(library, "--check")
    assert result.returncode == 1
    slug = next(p.stem for p in (library / "docs" / "papers").glob("*-synthetic-4.md"))
    # the page's summary changed; the .bib's seal, which covers every input of the paper, too
    assert result.stderr.splitlines() == [f"{name}: stale; run `make convert` and commit the result"
                                          for name in (f"docs/papers/{slug}.md", f"bib/{slug}.bib",
                                                       f"bib/formatted/{slug}.json",  # its entry's abstract
                                                       f"bib/parsed/{slug}.json")]  # the .bib's bytes
    assert snapshot(library) == before


def test_code_change_reconverts_everything(library, monkeypatch):
    monkeypatch.setattr(incremental, "converter_version", lambda: "another version of the converter")
    assert convert_counting(library, monkeypatch) == sources_of(library)


def test_converter_version_covers_every_module_the_conversion_runs(project_copy):
    """The modules hashed are those a conversion loads, found by following imports."""
    modules = set(incremental.converter_modules())
    assert {"convert.pipeline", "readers.text", "readers.repair", "convert.bib", "page.markdown", "topics.rules",
            "model", "page.schema", "convert.incremental",
            "convert.identity", "page.registry"} <= modules  # ids are matched to the registry's words
    assert not modules & {"cli.main", "dev.bench", "dev.synth", "site.search.shards", "cli.topics", "cli.preview"}
    assert not any(m.startswith("site") for m in modules)
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys; from pathlib import Path; from policy_reader.convert import pipeline as convert; "
         f"convert.plan(Path({str(project_copy)!r}), force=True); "
         "print(' '.join(m for m in sys.modules if m.startswith('policy_reader.')))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert loaded and {m.removeprefix("policy_reader.") for m in loaded} <= modules


# --------------------------------------------------------------------------- (3) hand edits are still found


def test_hand_edited_body_is_refused_although_inputs_did_not_change(library):
    page = library / "docs" / "papers" / f"{GOMEZ_SLUG}.md"
    edit(page, "highlights the flaws", "highlights the big flaws")
    before = snapshot(library)
    result = run(library)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: docs/papers/{GOMEZ_SLUG}.md:1: was edited by hand (its hash does not match); move the change into "
        "the source, metadata or bib/corrections.yaml, or rerun with --force to overwrite it"
    ]
    assert snapshot(library) == before
    check = run(library, "--check")
    assert check.returncode == 1 and f"docs/papers/{GOMEZ_SLUG}.md: stale" in check.stderr
    assert run(library, "--force").returncode == 0
    assert b"highlights the flaws" in page.read_bytes()


def test_hand_edited_bib_entry_is_refused(library):
    path = library / "bib" / f"{KLINGNER_SLUG}.bib"
    edit(path, "organization = {Reuters}", "organization = {Reuters Wire}")
    result = run(library)
    assert result.returncode == 2 and result.stderr.startswith(f"error: bib/{KLINGNER_SLUG}.bib:1: was edited by hand")


@pytest.mark.parametrize("name, old, new", [
    (f"docs/papers/{GOMEZ_SLUG}.md", 'summary: "Argues', 'summary: "Claims'),  # front matter: not in the body hash
    (f"docs/papers/{GOMEZ_SLUG}.md", " inputs:", " inputs:0"),  # the seal itself
    (f"bib/{GOMEZ_SLUG}.bib", "Do not edit:", "Please do not edit:"),  # header: not in the entries' hash
    (f"bib/{GOMEZ_SLUG}.bib", "% policy-reader inputs:", "% policy-reader inputs:0"),
])
def test_edit_outside_the_hashed_body_is_reconverted(library, monkeypatch, tmp_path, name, old, new):
    edit(library / name, old, new)
    assert convert_counting(library, monkeypatch) == {GOMEZ}
    assert outputs(library) == full_conversion(library, tmp_path)


def test_missing_or_old_outputs_are_reconverted(library, monkeypatch, tmp_path):
    (library / "bib" / f"{GOMEZ_SLUG}.bib").unlink()
    page = library / "docs" / "papers" / f"{KLINGNER_SLUG}.md"
    page.write_text(incremental.unseal_markdown(page.read_text(encoding="utf-8"))[0], encoding="utf-8")  # no seal yet
    assert convert_counting(library, monkeypatch) == {GOMEZ, KLINGNER}
    assert outputs(library) == full_conversion(library, tmp_path)


# --------------------------------------------------------------------------- (4) what crosses papers


def brief(title: str, cited_author: str, paragraph: str = "Deterrence needs allies.",
          cited_title: str = "Shared Title Here", url: str = "https://example.com/a") -> str:
    return (
        f"# {title}\n\n*Jane Doe*\n\n## KEY TAKEAWAYS\n\nOne.\n\nTwo.\n\nThree.\n\n"
        f"{paragraph}<sup>1</sup>\n\n**Jane Doe** is a fellow at The Example Institute.\n\n## Endnotes\n\n"
        f'1. {cited_author}, "{cited_title}," *The Example Times*, May 3, 2021, '
        f"<{url}> (accessed May 5, 2021).\n"
    )


def add_brief(root, stem, title, cited_author, **kw):
    (root / "sources" / f"{stem}.txt").write_text(brief(title, cited_author, **kw), encoding="utf-8")
    (root / "sources" / f"{stem}.yml").write_text(
        f"publisher: The Example Institute\nkind: report\ndate: 2021-06-10\nsummary: s\nslug: {stem}\n", encoding="utf-8")


@pytest.fixture
def clashing(tmp_path, monkeypatch):
    """Two briefs citing the same work (same URL, author, title and year)."""
    root = tmp_path / "clash"
    (root / "sources").mkdir(parents=True)
    (root / "bib").mkdir()
    add_brief(root, "a-first", "Alliances First", "John Smith")
    add_brief(root, "b-second", "Burdens Second", "John Smith")
    assert convert_counting(root, monkeypatch) == {"sources/a-first.txt", "sources/b-second.txt"}
    return root


def keys(root, stem):
    return incremental.BIB_KEY.findall((root / "bib" / f"{stem}.bib").read_text(encoding="utf-8"))


def test_a_work_cited_by_two_papers_has_one_key(clashing):
    assert keys(clashing, "a-first")[1] == keys(clashing, "b-second")[1] == "smith-2021-shared-title"
    assert "smith-2021-shared-title:" in (clashing / "bib" / "keys.yml").read_text(encoding="utf-8")


def test_changing_one_paper_never_touches_another(clashing, monkeypatch, tmp_path):
    before = outputs(clashing)
    # a-first now cites another work: b-second is not parsed and keeps its key and files
    edit(clashing / "sources" / "a-first.txt", "John Smith", "John Smyth")
    edit(clashing / "sources" / "a-first.txt", "https://example.com/a", "https://example.com/other")
    assert convert_counting(clashing, monkeypatch) == {"sources/a-first.txt"}
    assert keys(clashing, "a-first")[1] == "smyth-2021-shared-title"
    after = outputs(clashing)
    assert {n for n in before if after[n] != before[n]} == {"bib/a-first.bib", "docs/papers/a-first.md"}
    assert outputs(clashing) == full_conversion(clashing, tmp_path)


def test_a_new_paper_that_sorts_first_rewrites_no_other_file(clashing, monkeypatch, tmp_path):
    before = outputs(clashing)
    registry = (clashing / "bib" / "keys.yml").read_text(encoding="utf-8")
    # another work of Smith's whose key would be the same: it gets a suffix, the old key stays put
    add_brief(clashing, "aa-new", "Another Angle", "John Smith", cited_title="Shared Title Again", url="https://example.com/b")
    assert convert_counting(clashing, monkeypatch) == {"sources/aa-new.txt"}
    after = outputs(clashing)
    assert {n: after[n] for n in before} == before
    new_key = keys(clashing, "aa-new")[1]
    assert re.fullmatch(r"smith-2021-shared-title-[0-9a-f]{4}", new_key)
    grown = (clashing / "bib" / "keys.yml").read_text(encoding="utf-8")
    assert set(registry.splitlines()) <= set(grown.splitlines()) and new_key in grown
    assert outputs(clashing) == full_conversion(clashing, tmp_path)


def test_a_retired_key_is_never_given_to_another_work(clashing, monkeypatch):
    for stem in ("a-first", "b-second"):  # nobody cites Smith's work any more
        edit(clashing / "sources" / f"{stem}.txt", "https://example.com/a", "https://example.com/c")
        edit(clashing / "sources" / f"{stem}.txt", "Shared Title Here", "Different Words")
    convert_counting(clashing, monkeypatch)
    assert "smith-2021-shared-title:" in (clashing / "bib" / "keys.yml").read_text(encoding="utf-8")
    add_brief(clashing, "c-third", "Counting Third", "John Smith", cited_title="Shared Title Anew", url="https://example.com/d")
    convert_counting(clashing, monkeypatch)
    assert keys(clashing, "c-third")[1] != "smith-2021-shared-title"


def test_an_edited_registry_reconverts_the_papers_it_names(clashing, monkeypatch):
    path = clashing / "bib" / "keys.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("smith-2021-shared-title:", "smith-2021-renamed:"), encoding="utf-8")
    assert convert_counting(clashing, monkeypatch) == {"sources/a-first.txt", "sources/b-second.txt"}
    assert keys(clashing, "b-second")[1] == "smith-2021-renamed"  # the registry binds the work to that key now


def test_slug_clash_with_an_unchanged_paper_is_an_error(clashing):
    before = snapshot(clashing)
    add_brief(clashing, "z-late", "Zebra Late", "Ann Lee")
    edit(clashing / "sources" / "z-late.yml", "slug: z-late", "slug: a-first")
    result = run(clashing)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: sources/z-late.txt: slug 'a-first' is also used by sources/a-first.txt; set 'slug:' in its metadata file")
    assert snapshot(clashing) == before
    assert run(clashing, "--force").stderr == result.stderr  # the same as a full conversion


def test_library_checks_see_the_unchanged_papers(library, monkeypatch):
    """Corrections and overrides are checked against every paper, parsed or not."""
    corrections = library / "bib" / "corrections.yaml"
    text = corrections.read_text(encoding="utf-8")
    corrections.write_text(text + "no-such-key:\n  note: x\n", encoding="utf-8")
    result = run(library)
    assert result.returncode == 2 and "'no-such-key' is not a key of any work" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert run(library, "--force").stderr == result.stderr
    corrections.write_text(text, encoding="utf-8")
    overrides = library / "docs" / "topics" / "overrides.yml"
    overrides.write_text(overrides.read_text(encoding="utf-8") + "nobody-2020-x:\n  p-1: {topics: [diplomacy], reason: r}\n")
    result = run(library)
    assert result.returncode == 2 and "unknown paper 'nobody-2020-x'" in result.stderr and GOMEZ_SLUG in result.stderr
    assert run(library, "--force").stderr == result.stderr


# --------------------------------------------------------------------------- errors keep their form


def test_bad_metadata_among_unchanged_papers(library):
    before = snapshot(library)
    (library / "sources" / "synth-00002.yml").write_text("publisher: X\nkind: essay\nsummary: s\n", encoding="utf-8")
    result = run(library)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: sources/synth-00002.yml:2: metadata field 'kind' is 'essay'; use one of report, article")
    assert snapshot(library) == before


def test_source_error_still_wins_over_a_broken_corrections_file(library):
    """As in a full conversion, a source error is reported before a corrections error."""
    before = outputs(library)
    corrections = library / "bib" / "corrections.yaml"
    corrections.write_text("pytalski-2019-trump-says: [unclosed\n", encoding="utf-8")
    meta = library / "sources" / "synth-00002.yml"
    good = meta.read_text(encoding="utf-8")
    meta.write_text(good + "pubisher: x\n", encoding="utf-8")
    result = run(library)
    assert result.returncode == 2 and result.stderr.startswith("error: sources/synth-00002.yml:"), result.stderr
    assert run(library, "--force").stderr == result.stderr
    meta.write_text(good, encoding="utf-8")
    result = run(library)
    assert result.returncode == 2 and result.stderr.startswith("error: bib/corrections.yaml:2: invalid YAML"), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert outputs(library) == before
