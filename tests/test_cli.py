"""The converter as a command: one-line errors, exit codes, atomic and guarded writes."""

from __future__ import annotations

import subprocess

import pytest

from support import BIN, GOMEZ_SLUG, KLINGNER_SLUG, ROOT


def run(root, *args):
    return subprocess.run(
        [str(BIN / "policy-reader"), "convert", "--root", str(root), *args],
        capture_output=True, text=True,
    )


def snapshot(root):
    return {p: p.read_bytes() for d in ("docs", "bib") for p in sorted((root / d).rglob("*")) if p.is_file()}


def test_committed_output_is_current():
    result = run(ROOT, "--check")
    assert result.returncode == 0, result.stderr


def test_convert_is_idempotent(project_copy):
    before = snapshot(project_copy)
    result = run(project_copy)
    assert result.returncode == 0 and "up to date" in result.stdout
    assert snapshot(project_copy) == before


def test_check_reports_stale_output(project_copy):
    src = project_copy / "sources" / "gomez-2019-cato-oped.yml"
    src.write_text(src.read_text().replace("publisher: Cato Institute", "publisher: The Cato Institute"))
    result = run(project_copy, "--check")
    assert result.returncode == 1
    assert f"docs/papers/{GOMEZ_SLUG}.md: stale" in result.stderr


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("gomez-2019-cato-oped.yml", "publisher: Cato\nkind: article\nsummary: s\npubisher: x\n",
         "error: sources/gomez-2019-cato-oped.yml:4: unknown metadata field 'pubisher'"),
        ("gomez-2019-cato-oped.yml", "publisher: Cato\nkind: essay\nsummary: s\n",
         "error: sources/gomez-2019-cato-oped.yml:2: metadata field 'kind' is 'essay'; use one of report, article"),
        ("gomez-2019-cato-oped.yml", "publisher: [unclosed\n",
         "error: sources/gomez-2019-cato-oped.yml:2: invalid YAML"),
        ("gomez-2019-cato-oped.txt", "A Title of Some Words\n\nJane Doe\n\nNo date here.\n\nText.\n",
         "error: sources/gomez-2019-cato-oped.yml: the source prints no date; add 'date: YYYY-MM-DD'"),
    ],
)
def test_bad_input_is_one_line_nonzero_and_touches_nothing(project_copy, name, text, expected):
    before = snapshot(project_copy)
    (project_copy / "sources" / name).write_text(text, encoding="utf-8")
    result = run(project_copy)
    assert result.returncode == 2
    assert result.stderr.startswith(expected), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(project_copy) == before


def test_uncited_endnote_names_its_line(project_copy):
    src = project_copy / "sources" / "klingner-2019-heritage-ib5022.txt"
    text = src.read_text(encoding="utf-8").replace("or its allies.<sup>6</sup>", "or its allies.")
    src.write_text(text, encoding="utf-8")
    result = run(project_copy)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: sources/klingner-2019-heritage-ib5022.txt:70: endnote 6 is never cited [note-never-marked]; "
        "add <sup>6</sup> where it belongs or remove it"
    )


def test_not_utf8_names_the_line(project_copy):
    (project_copy / "sources" / "gomez-2019-cato-oped.txt").write_bytes(b"Title\n\nAuthor\n\n\xff\xfe bad\n")
    result = run(project_copy)
    assert result.returncode == 2
    assert result.stderr.startswith("error: sources/gomez-2019-cato-oped.txt:5: not valid UTF-8")


def test_hand_edited_output_is_not_overwritten_without_force(project_copy):
    page = project_copy / "docs" / "papers" / f"{KLINGNER_SLUG}.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Pyongyang is ratcheting", "Pyongyang was ratcheting"), encoding="utf-8")
    edited = page.read_bytes()
    result = run(project_copy)
    assert result.returncode == 2
    assert "was edited by hand" in result.stderr and "--force" in result.stderr
    assert page.read_bytes() == edited
    forced = run(project_copy, "--force")
    assert forced.returncode == 0
    assert b"Pyongyang is ratcheting" in page.read_bytes()


def test_writes_leave_no_temporary_files(project_copy):
    (project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md").unlink()
    assert run(project_copy).returncode == 0
    leftovers = [p.name for p in (project_copy / "docs" / "papers").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_convert_one_source_writes_only_its_outputs(project_copy):
    for slug in (GOMEZ_SLUG, KLINGNER_SLUG):
        (project_copy / "docs" / "papers" / f"{slug}.md").unlink()
    result = subprocess.run(
        [str(BIN / "policy-reader"), "convert", "--root", str(project_copy),
         str(project_copy / "sources" / "gomez-2019-cato-oped.txt")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md").exists()
    assert not (project_copy / "docs" / "papers" / f"{KLINGNER_SLUG}.md").exists()


def test_hand_edited_bib_is_not_overwritten_without_force(project_copy):
    bib = project_copy / "bib" / f"{KLINGNER_SLUG}.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("organization = {Reuters}", "organization = {Reuters Wire}"), encoding="utf-8")
    edited = bib.read_bytes()
    result = run(project_copy)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: bib/{KLINGNER_SLUG}.bib:1: was edited by hand")
    assert bib.read_bytes() == edited
    assert run(project_copy, "--force").returncode == 0
    assert b"organization = {Reuters}," in bib.read_bytes()
