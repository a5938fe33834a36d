"""The converter's records of each paper's formatted citations (site/citations/records.py).

A valid record is what the build formats, and the build uses it instead of running pandoc;
a missing or stale record changes nothing in the site (the build formats that paper), and
``policy-reader convert --check`` fails on it until ``policy-reader convert`` writes it again.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from policy_reader.site.citations import cite, records
from support import BIN, GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build, page_html, site_files


def _entry(bib_dir, slug):
    data = json.loads(records.path(bib_dir, slug).read_text(encoding="utf-8"))
    return cite.bib_entry((bib_dir / f"{slug}.bib").read_text(encoding="utf-8"), data["key"]), data["key"]


def test_the_committed_records_are_valid_and_are_what_formatting_gives(project_copy):
    bib_dir = ROOT / "bib"
    papers = []
    for slug in (KLINGNER_SLUG, GOMEZ_SLUG):
        entry, key = _entry(bib_dir, slug)
        text = records.path(bib_dir, slug).read_text(encoding="utf-8")
        assert records.parse(text, entry, key) is not None
        assert all(work is not None for work in json.loads(text)["works"].values())  # every work recorded
        papers.append((slug, (bib_dir / f"{slug}.bib").read_text(encoding="utf-8"), key))
    shutil.rmtree(project_copy / "bib" / records.FOLDER)
    cite._PREPARED.clear()
    cite._PREPARED_CSLJSON.clear()
    cite._csl_json.cache_clear()
    planned = records.plan(project_copy, papers)  # formatted again by pandoc
    assert {p.name: t for p, t in planned.items()} == {
        records.path(bib_dir, slug).name: records.path(bib_dir, slug).read_text(encoding="utf-8") for slug, _, _ in papers}


def test_a_record_of_another_entry_key_or_damaged_is_not_valid():
    bib_dir = ROOT / "bib"
    entry, key = _entry(bib_dir, KLINGNER_SLUG)
    text = records.path(bib_dir, KLINGNER_SLUG).read_text(encoding="utf-8")
    assert records.parse(text, entry.replace("Heritage", "Heritage Foundation"), key) is None
    assert records.parse(text, entry, key + "x") is None
    assert records.parse(text[:-20], entry, key) is None
    data = json.loads(text)
    del data["styles"]["apa"]
    assert records.parse(json.dumps(data), entry, key) is None
    data = json.loads(text)
    data["styles"]["apa"][0] = ["only html"]
    assert records.parse(json.dumps(data), entry, key) is None


def _convert(project, *args):
    return subprocess.run([str(BIN / "policy-reader"), "convert", "--root", str(project), *args],
                          capture_output=True, text=True)


def test_convert_check_fails_on_a_missing_or_stale_record_and_convert_writes_it(project_copy):
    path = records.path(project_copy / "bib", GOMEZ_SLUG)
    good = path.read_text(encoding="utf-8")
    assert _convert(project_copy, "--check").returncode == 0
    path.unlink()
    got = _convert(project_copy, "--check")
    assert got.returncode == 1 and f"bib/formatted/{GOMEZ_SLUG}.json: stale; run `make convert`" in got.stderr
    assert not path.exists()  # --check writes nothing
    assert _convert(project_copy).returncode == 0
    assert path.read_text(encoding="utf-8") == good
    data = json.loads(good)
    data["inputs"] = "0" * 64  # made for other inputs (another style, pandoc, entry or code)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert _convert(project_copy, "--check").returncode == 1
    assert _convert(project_copy).returncode == 0
    assert path.read_text(encoding="utf-8") == good


def test_a_withdrawn_paper_loses_its_record(project_copy):
    for src in (project_copy / "sources").glob("gomez-2019-cato-oped.*"):
        src.unlink()
    assert _convert(project_copy).returncode == 0
    assert not records.path(project_copy / "bib", GOMEZ_SLUG).exists()
    assert records.path(project_copy / "bib", KLINGNER_SLUG).exists()


def _build(project, site):
    shutil.rmtree(project / ".cache", ignore_errors=True)  # a cold build
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr
    return site_files(site)


def test_the_site_is_the_same_with_records_without_and_with_stale_ones_and_a_valid_one_is_used(project_copy, tmp_path):
    with_records = _build(project_copy, tmp_path / "a")

    folder = project_copy / "bib" / records.FOLDER
    kept = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    shutil.rmtree(folder)
    assert _build(project_copy, tmp_path / "b") == with_records  # every paper formatted at build

    # Records whose strings were changed: used only where the inputs they name are the paper's.
    folder.mkdir()
    for name, text in kept.items():
        data = json.loads(text)
        data["styles"]["apa"][0] = ["RECORDED-REFERENCE " + data["styles"]["apa"][0][0], "RECORDED-REFERENCE"]
        if name.startswith(GOMEZ_SLUG):
            data["inputs"] = "0" * 64  # stale
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    _build(project_copy, tmp_path / "c")
    assert "RECORDED-REFERENCE" in page_html(tmp_path / "c", KLINGNER_SLUG)  # the record, not pandoc
    assert "RECORDED-REFERENCE" not in page_html(tmp_path / "c", GOMEZ_SLUG)
    assert page_html(tmp_path / "c", GOMEZ_SLUG).encode("utf-8") == with_records[f"papers/{GOMEZ_SLUG}/index.html"]


def _mark_works(folder, stale_slug=None):
    for path in folder.iterdir():
        data = json.loads(path.read_text(encoding="utf-8"))
        for work in data["works"].values():
            work["md"] = "RECORDED-NOTE " + work["md"]
            work["html"] = ["RECORDED-HTML " + work["html"][0], "RECORDED-HTML " + work["html"][1]]
            work["csljson"]["title"] = "RECORDED-TITLE"
        if path.name.startswith(str(stale_slug)):
            data["works_inputs"] = "0" * 64  # made with another note style, pandoc or code
        path.write_text(json.dumps(data), encoding="utf-8")


def test_recorded_works_make_the_footnotes_bibliography_and_library_json_only_when_every_entry_of_a_batch_is_valid(project_copy, tmp_path):
    folder = project_copy / "bib" / records.FOLDER
    kept = {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}
    _mark_works(folder)
    _build(project_copy, tmp_path / "a")
    assert "RECORDED-NOTE" in page_html(tmp_path / "a", KLINGNER_SLUG)  # a footnote, from mkdocs-bibtex
    assert "RECORDED-HTML" in (tmp_path / "a" / "bibliography" / "index.html").read_text(encoding="utf-8")
    assert "RECORDED-TITLE" in (tmp_path / "a" / "bib" / "library.json").read_text(encoding="utf-8")

    for name, text in kept.items():
        (folder / name).write_text(text, encoding="utf-8")
    clean = _build(project_copy, tmp_path / "b")
    _mark_works(folder, stale_slug=GOMEZ_SLUG)  # the library's one batch holds a work no valid record has
    assert _build(project_copy, tmp_path / "c") == clean
