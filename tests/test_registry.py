"""The permalink registry (docs/permalinks.yml): unit checks and build failures."""

from __future__ import annotations

import re

import pytest

from policy_reader.page import registry as reg
from policy_reader.model import SourceError
from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT, mkdocs_build

MD = """# T

First paragraph with a note.[@key-a]
{: #p-1 .para }

Second
paragraph.
{: #p-2 .para data-topics="x" }

A takeaway.
{: #kt-1 .takeaway }
"""


def test_paragraphs_are_read_with_their_lines_and_kinds():
    paras = reg.paragraphs(MD, "x.md")
    assert [(p.id, p.kind, p.line) for p in paras] == [("p-1", "para", 3), ("p-2", "para", 6), ("kt-1", "takeaway", 10)]
    assert paras[1].text == "Second\nparagraph."


def test_fingerprint_ignores_citation_keys_and_wrapping_but_not_words():
    base = reg.fingerprint("Words here.[@key-a] More words.")
    assert reg.fingerprint("Words  here.[@other-key]\nMore words.") == base
    assert reg.fingerprint("Words here. More word.") != base
    assert re.fullmatch(r"[0-9a-f]{16}", base)


def test_two_paragraphs_with_one_id_name_both_lines():
    md = MD.replace("{: #p-2 .para", "{: #p-1 .para")
    with pytest.raises(SourceError) as err:
        reg.paragraphs(md, "docs/papers/x.md")
    assert str(err.value).startswith("docs/papers/x.md:6: two paragraphs with id 'p-1' (lines 3 and 6)")


def _pages(md=MD):
    return {"x": ("docs/papers/x.md", reg.paragraphs(md, "docs/papers/x.md"))}


def test_check_accepts_the_recorded_state_and_reports_redirects():
    recorded = reg.update({}, _pages())[0]
    recorded["x"]["p-0"] = reg.Entry("0123456789abcdef", successor="p-2")
    assert reg.check(recorded, _pages(), "docs/permalinks.yml") == {"x": {"p-0": "p-2"}}


@pytest.mark.parametrize("change, message", [
    (lambda md: md.replace("Second\nparagraph.", "Other words."),
     "docs/permalinks.yml: entry 'x: p-2': now points at other words (docs/papers/x.md:6"),
    (lambda md: md.replace("{: #p-2 .para", "{: #p-3 .para"),
     "docs/permalinks.yml: entry 'x: p-2': the paragraph is gone from docs/papers/x.md; run `policy-reader permalinks --update`"),
])
def test_check_fails_when_a_recorded_id_vanishes_or_changes_text(change, message):
    recorded = reg.update({}, _pages())[0]
    with pytest.raises(SourceError) as err:
        reg.check(recorded, _pages(change(MD)), "docs/permalinks.yml")
    assert str(err.value).startswith(message), str(err.value)


def test_a_vanished_id_mapped_to_its_successor_passes():
    recorded = reg.update({}, _pages())[0]
    new_md = MD.replace("{: #p-2 .para", "{: #p-3 .para")
    recorded["x"]["p-2"] = reg.Entry(recorded["x"]["p-2"].fingerprint, successor="p-3")
    assert reg.check(recorded, _pages(new_md), "docs/permalinks.yml") == {"x": {"p-2": "p-3"}}


def test_a_retired_id_is_never_reused_and_successors_must_exist():
    recorded = reg.update({}, _pages())[0]
    recorded["x"]["p-1"] = reg.Entry(recorded["x"]["p-1"].fingerprint, successor="p-2")
    with pytest.raises(SourceError, match=r"entry 'x: p-1': retired id is published again at docs/papers/x.md:3"):
        reg.check(recorded, _pages(), "docs/permalinks.yml")
    recorded = reg.update({}, _pages())[0]
    recorded["x"]["p-9"] = reg.Entry("0123456789abcdef", successor="p-99")
    with pytest.raises(SourceError, match=r"entry 'x: p-9': successor 'p-99' is not a paragraph of docs/papers/x.md"):
        reg.check(recorded, _pages(), "docs/permalinks.yml")


def test_registry_round_trips_and_rejects_bad_entries(tmp_path):
    recorded = reg.update({}, _pages())[0]
    recorded["x"]["p-0"] = reg.Entry("0123456789abcdef", successor="p-2")
    path = tmp_path / "permalinks.yml"
    path.write_text(reg.dump(recorded), encoding="utf-8")
    (tmp_path / reg.WORDS_NAME).write_text(reg.dump_words(recorded), encoding="utf-8")
    assert reg.load(path) == recorded
    path.write_text("x:\n  p-1: not-a-fingerprint\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"entry 'x: p-1': fingerprint 'not-a-fingerprint' is not 16 hex digits"):
        reg.load(path)


def test_committed_registry_records_every_published_id():
    recorded = reg.load(ROOT / "docs" / "permalinks.yml")
    pages = reg.read_pages(ROOT / "docs")
    reg.check(recorded, pages, "docs/permalinks.yml")
    assert reg.unrecorded(recorded, pages) == []
    assert {f"p-{i}" for i in range(1, 19)} | {"kt-1", "kt-2", "kt-3"} <= set(recorded[KLINGNER_SLUG])
    assert {f"p-{i}" for i in range(1, 10)} <= set(recorded[GOMEZ_SLUG])


def test_cli_check_and_update(project_copy, capsys):
    from policy_reader.cli.main import main

    assert main(["permalinks", "--root", str(project_copy)]) == 0
    path = project_copy / "docs" / "permalinks.yml"
    text = path.read_text(encoding="utf-8")
    recorded = reg.load(path)
    renamed = {GOMEZ_SLUG: {("p-9x" if k == "p-9" else k): v for k, v in recorded[GOMEZ_SLUG].items()}}
    path.write_text(reg.dump({**recorded, **renamed}), encoding="utf-8")  # gomez p-9 unrecorded, p-9x vanished
    assert main(["permalinks", "--root", str(project_copy)]) == 2
    dropped = {GOMEZ_SLUG: {k: v for k, v in recorded[GOMEZ_SLUG].items() if k != "p-9"}}
    path.write_text(reg.dump({**recorded, **dropped}), encoding="utf-8")
    assert main(["permalinks", "--root", str(project_copy)]) == 1
    capsys.readouterr()
    assert main(["permalinks", "--update", "--root", str(project_copy)]) == 0
    assert f"{GOMEZ_SLUG}: ¶ 9 (p-9) is new (docs/papers/{GOMEZ_SLUG}.md:" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == text
    assert main(["permalinks", "--update", "--root", str(project_copy)]) == 0
    assert capsys.readouterr().out.startswith("up to date: docs/permalinks.yml")


# ---- the real build fails, naming the registry entry and the page ----

def _paper(project, slug):
    return project / "docs" / "papers" / f"{slug}.md"


def test_build_fails_when_a_paragraph_changes_text(project_copy, tmp_path):
    md = _paper(project_copy, GOMEZ_SLUG)
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("Diplomacy with North Korea is messy", "Diplomacy with North Korea is hard"), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert f"docs/permalinks.yml: entry '{GOMEZ_SLUG}: p-9': now points at other words (docs/papers/{GOMEZ_SLUG}.md:" in result.stderr


def test_build_fails_when_a_paragraph_is_gone_and_redirects_once_mapped(project_copy, tmp_path):
    md = _paper(project_copy, GOMEZ_SLUG)
    md.write_text(md.read_text(encoding="utf-8").replace("{: #p-9 .para", "{: #p-10 .para"), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "a")
    assert result.returncode != 0
    assert (f"docs/permalinks.yml: entry '{GOMEZ_SLUG}: p-9': the paragraph is gone from docs/papers/{GOMEZ_SLUG}.md"
            in result.stderr)
    from policy_reader.cli.main import main

    assert main(["permalinks", "--update", "--root", str(project_copy)]) == 0  # p-9 retired: p-10 holds its words
    assert reg.load(project_copy / "docs" / "permalinks.yml")[GOMEZ_SLUG]["p-9"].successor == "p-10"
    result = mkdocs_build(project_copy, tmp_path / "b")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "b" / "papers" / GOMEZ_SLUG / "index.html").read_text(encoding="utf-8")
    assert '<script type="application/json" id="pr-successors">{"p-9": "p-10"}</script>' in html
    assert not (tmp_path / "b" / "permalinks.yml").exists()


def test_build_fails_on_two_paragraphs_with_one_id(project_copy, tmp_path):
    md = _paper(project_copy, KLINGNER_SLUG)
    md.write_text(md.read_text(encoding="utf-8").replace("{: #p-4 .para", "{: #p-3 .para"), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert re.search(rf"docs/papers/{KLINGNER_SLUG}.md:\d+: two paragraphs with id 'p-3' \(lines \d+ and \d+\)", result.stderr)
    assert not (tmp_path / "site" / "papers").exists()


def test_the_checked_outcome_is_reused_until_the_registry_or_a_paper_changes(project_copy, tmp_path, monkeypatch):
    """site/permalinks/check.py caches a passed check under a digest of the registry and the paper
    pages: an edited entry shows in the pages (proof that it is read), a changed registry is
    checked again (and a broken one fails)."""
    from support import build_in_process

    build_in_process(project_copy, tmp_path / "one", monkeypatch)
    from policy_reader.cache import read_entry, write_entry

    [entry] = [e for e in (project_copy / ".cache" / "generated").glob("*.json") if "redirects" in read_entry(e)]
    data = read_entry(entry)
    data["redirects"] = {KLINGNER_SLUG: {"p-99": "p-1"}}
    write_entry(entry, data)  # a verified entry (a damaged one is never used: tests/test_cache.py)
    build_in_process(project_copy, tmp_path / "two", monkeypatch)
    page = (tmp_path / "two" / "papers" / KLINGNER_SLUG / "index.html").read_text(encoding="utf-8")
    assert '{"p-99": "p-1"}' in page

    registry = project_copy / "docs" / "permalinks.yml"
    registry.write_text(registry.read_text(encoding="utf-8").replace("p-1:", "p-1x:", 1), encoding="utf-8")
    with pytest.raises(Exception):
        build_in_process(project_copy, tmp_path / "three", monkeypatch)
