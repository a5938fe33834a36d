"""A user adds a paper of each format by following the README ("Adding a paper"), with
no code change: convert, record the permalinks, and the checks `make test` runs
(`convert --check`, `permalinks --check`, `mkdocs build --strict`) pass; removing a
source withdraws its page (a notice at the old address, its ids kept)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypandoc
import yaml

from support import GOMEZ_SLUG, KLINGNER_SLUG, mkdocs_build, page_html
from test_readers import DOCX_MD, FIXTURES, MD_SOURCE, TRANSCRIPT

CLI = [sys.executable, "-m", "policy_reader"]


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args, "--root", str(root)], capture_output=True, text=True, cwd=root, timeout=600)


def slug_of(root: Path, source: str) -> str:
    for md in (root / "docs" / "papers").glob("*.md"):
        front = yaml.safe_load(md.read_text(encoding="utf-8").split("---\n")[1])
        if front["source"] == source:
            return front["slug"]
    raise AssertionError(f"no page for {source}")


def test_a_paper_of_each_format_goes_in_with_no_code_change(project_copy, tmp_path):
    root = project_copy
    src = root / "sources"
    # README: a web page saved as .html needs no sidecar when the page names its publisher.
    shutil.copy(FIXTURES / "article.html", src / "meridian-2020-ports.html")
    # README: a Word file, with a sidecar for what it does not say (its publisher).
    pypandoc.convert_text(DOCX_MD, "docx", format="markdown", outputfile=str(src / "souza-2021-cables.docx"))
    (src / "souza-2021-cables.yml").write_text("publisher: Deepwater Council\nsummary: Repair ships keep the undersea internet running.\n", encoding="utf-8")
    # README: a paper written in Markdown carries its facts in its front matter.
    (src / "lind-2018-lighthouses.md").write_text(MD_SOURCE, encoding="utf-8")
    # README: a transcript as text, the sidecar naming the committee.
    (src / "ports-2020-hearing.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (src / "ports-2020-hearing.yml").write_text(
        "publisher: U.S. House of Representatives\nauthors: [Subcommittee on Ports]\nsummary: A hearing on harbor security.\n", encoding="utf-8")

    first = run(root, "convert")
    assert first.returncode == 0, first.stderr
    assert "sources: converted" in first.stdout
    assert "warning: sources/souza-2021-cables.docx" in first.stderr  # a note kept verbatim is said, not refused
    recorded = run(root, "permalinks", "--update")
    assert recorded.returncode == 0, recorded.stderr
    for check in (("convert", "--check"), ("permalinks", "--check")):
        result = run(root, *check)
        assert result.returncode == 0, (check, result.stderr)

    site = tmp_path / "site"
    built = mkdocs_build(root, site)
    assert built.returncode == 0, built.stderr
    expect = {
        "sources/meridian-2020-ports.html": "Smaller ports offer something the big terminals cannot: quiet redundancy.",
        "sources/souza-2021-cables.docx": "A single busy season can leave a broken cable waiting for weeks.",
        "sources/lind-2018-lighthouses.md": "The debate has not ended since.",
        "sources/ports-2020-hearing.txt": "The harbors are safer than they were, but not safe enough.",
    }
    for source, sentence in expect.items():
        html = page_html(site, slug_of(root, source))
        assert sentence in re.sub(r"<[^>]+>", "", html), source
    cables = page_html(site, slug_of(root, "sources/souza-2021-cables.docx"))
    assert "Interview with a repair-ship captain, shared with the authors." in cables  # the verbatim note, as given
    assert "Traffic on the Seabed" in cables  # a parsed note, formatted
    for seed in (KLINGNER_SLUG, GOMEZ_SLUG):
        assert (site / "papers" / seed / "index.html").exists()

    # A source removed: its page and .bib go, its ids stay recorded as withdrawn.
    gone = slug_of(root, "sources/meridian-2020-ports.html")
    (src / "meridian-2020-ports.html").unlink()
    check = run(root, "convert", "--check")
    assert check.returncode == 1
    assert f"docs/papers/{gone}.md: its source sources/meridian-2020-ports.html is gone" in check.stderr
    removed = run(root, "convert")
    assert removed.returncode == 0, removed.stderr
    assert f"removed docs/papers/{gone}.md" in removed.stdout
    assert not (root / "docs" / "papers" / f"{gone}.md").exists() and not (root / "bib" / f"{gone}.bib").exists()
    registry = yaml.safe_load((root / "docs" / "permalinks.yml").read_text(encoding="utf-8"))
    assert registry[gone]["withdrawn"] == "source sources/meridian-2020-ports.html removed"
    assert "p-1" in registry[gone]
    for check in (("convert", "--check"), ("permalinks", "--check")):
        result = run(root, *check)
        assert result.returncode == 0, (check, result.stderr)
    site2 = tmp_path / "site2"
    built = mkdocs_build(root, site2)
    assert built.returncode == 0, built.stderr
    notice = page_html(site2, gone)
    assert "This paper has been withdrawn from the library" in notice
    assert "Smaller ports offer" not in notice
