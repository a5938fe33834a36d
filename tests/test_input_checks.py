"""Broken and hostile inputs: one line `file:line: what, how to fix`, a non-zero exit and
nothing written, or correct output (issue 12, items 2, 5, 6 and 8).

Each case runs the real command (`policy-reader convert`, `permalinks`, `mkdocs build`)
on a copy of the project; a subprocess timeout turns a hang into a failure instead of a
stuck test run (no timing is asserted).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest

from support import BIN, GOMEZ_SRC, KLINGNER_SRC, mkdocs_build

ONE_LINE_ERROR = re.compile(r"^error: (?P<file>[^\s:]+):(?P<line>\d+): .+$")
HOSTILE_SRC = "sources/hostile-2020.txt"
HOSTILE_META = "sources/hostile-2020.yml"

BRIEF = """# A Brief on Deterrence

*Jane Doe*

## KEY TAKEAWAYS

Deterrence needs allies.

Sanctions need enforcement.

Talks need preparation.

Deterrence on the peninsula has rested on alliances for decades, and it still does.<sup>1</sup>

A second paragraph of the body.

## Endnotes

1. John Roe, \u201cA Title,\u201d Example Press, January 1, 2020, https://example.org/a.
"""
META = "publisher: Example Institute\nkind: report\nsummary: A test brief.\ndate: 2020-01-01\nslug: doe-2020-brief\n"


def tree_digest(project: Path) -> dict[str, str]:
    """Every file under docs/ and bib/ with its content hash (to prove nothing was written)."""
    out = {}
    for folder in ("docs", "bib"):
        for p in sorted((project / folder).rglob("*")):
            if p.is_file():
                out[p.relative_to(project).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def run(project: Path, *args: str, timeout: int = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "policy-reader"), *args, "--root", str(project)],
                          capture_output=True, text=True, timeout=timeout, **kwargs)


def add_paper(project: Path, text: str | bytes, meta: str = META) -> None:
    src = project / HOSTILE_SRC
    src.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    (project / HOSTILE_META).write_text(meta, encoding="utf-8")


def assert_refused(project: Path, file: str, fragment: str, line: int | None = None) -> str:
    before = tree_digest(project)
    result = run(project, "convert")
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    m = ONE_LINE_ERROR.match(lines[0])
    assert m, lines[0]
    assert m["file"] == file, lines[0]
    if line is not None:
        assert int(m["line"]) == line, lines[0]
    assert fragment in lines[0], lines[0]
    assert tree_digest(project) == before  # nothing written
    return lines[0]


# -- item 5: takeaways counts that looped or grew without end --------------------------------

@pytest.mark.parametrize("count", ["-1", "-2", "0", "100000000"])
def test_takeaways_count_out_of_range_is_refused(project_copy, count):
    add_paper(project_copy, BRIEF, META + f"takeaways: {count}\n")
    assert_refused(project_copy, HOSTILE_META, "'takeaways'", line=6)


# -- item 6: garbage published with exit 0 -----------------------------------------------------

def test_utf8_bom_is_read_as_the_same_text(project_copy, tmp_path):
    add_paper(project_copy, BRIEF)
    assert run(project_copy, "convert").returncode == 0
    plain = (project_copy / "docs" / "papers" / "doe-2020-brief.md").read_bytes()
    add_paper(project_copy, b"\xef\xbb\xbf" + BRIEF.encode("utf-8"))
    result = run(project_copy, "convert")
    assert result.returncode == 0, result.stderr
    with_bom = (project_copy / "docs" / "papers" / "doe-2020-brief.md").read_text(encoding="utf-8")
    # Same words and structure: only the seal of the inputs (the source's bytes) differs.
    seal = re.compile(r" inputs:[0-9a-f]+")
    assert seal.sub("", with_bom) == seal.sub("", plain.decode("utf-8"))
    assert "## Key Takeaways" in with_bom and "<sup>" not in with_bom


def test_empty_title_is_refused(project_copy):
    add_paper(project_copy, BRIEF.replace("# A Brief on Deterrence", "# "))
    assert_refused(project_copy, HOSTILE_SRC, "title line is empty", line=1)


def test_op_ed_without_its_title_line_is_refused(project_copy):
    text = GOMEZ_SRC.read_text(encoding="utf-8")
    title = "There must be consequences for North Korea's new missile tests"
    assert title in text
    add_paper(project_copy, text.replace(title + "\n", "", 1),
              "publisher: Cato Institute\nkind: article\nsummary: An op-ed.\nslug: gomez-2019-no-title\n")
    assert_refused(project_copy, HOSTILE_SRC, "title line seems to be missing")


@pytest.mark.parametrize("slug", ["index"])
def test_reserved_slug_is_refused(project_copy, slug):
    add_paper(project_copy, BRIEF, META.replace("slug: doe-2020-brief", f"slug: {slug}"))
    assert_refused(project_copy, HOSTILE_META, "reserved", line=5)


@pytest.mark.parametrize("date", ["2019-02-30", "2019-13-01", "2019-00-10"])
def test_impossible_date_is_refused(project_copy, date):
    add_paper(project_copy, BRIEF, META.replace("date: 2020-01-01", f"date: {date}"))
    assert_refused(project_copy, HOSTILE_META, "not a date in the calendar", line=4)


@pytest.mark.parametrize("char", ["\ue000", "\ue001", "\uf8ff", "\U000f0000"])
def test_private_use_characters_in_a_source_are_refused(project_copy, char):
    add_paper(project_copy, BRIEF.replace("A second paragraph", f"A second{char}1{char} paragraph"))
    assert_refused(project_copy, HOSTILE_SRC, f"U+{ord(char):04X}", line=15)


def test_unclosed_note_mark_is_refused(project_copy):
    add_paper(project_copy, BRIEF.replace("A second paragraph of the body.", "A second paragraph of the body.<sup>7"))
    assert_refused(project_copy, HOSTILE_SRC, "note mark is not closed", line=15)


def test_two_printed_takeaways_with_the_default_count_are_refused(project_copy):
    two = BRIEF.replace("Talks need preparation.\n\n", "")
    add_paper(project_copy, two)
    assert_refused(project_copy, HOSTILE_SRC, "takeaways: 2", line=11)
    # Saying how many are printed converts it, with the body paragraph in the body.
    (project_copy / HOSTILE_META).write_text(META + "takeaways: 2\n", encoding="utf-8")
    result = run(project_copy, "convert")
    assert result.returncode == 0, result.stderr
    page = (project_copy / "docs" / "papers" / "doe-2020-brief.md").read_text(encoding="utf-8")
    assert "{: #kt-2 .takeaway" in page and "#kt-3" not in page
    assert re.search(r"Deterrence on the peninsula.*\n\{: #p-1", page)


def test_three_real_takeaways_still_convert(project_copy):
    add_paper(project_copy, BRIEF)
    result = run(project_copy, "convert")
    assert result.returncode == 0, result.stderr
    page = (project_copy / "docs" / "papers" / "doe-2020-brief.md").read_text(encoding="utf-8")
    assert "#kt-3" in page


def test_author_without_a_surname_is_refused(project_copy):
    add_paper(project_copy, BRIEF.replace("*Jane Doe*", "*Jane Doe `*"))
    assert_refused(project_copy, HOSTILE_SRC, "does not end in a surname", line=3)


# -- item 2 / build item 1: only http(s) URLs --------------------------------------------------

@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:x", "file:///etc/passwd", "ftp://example.org/x", "//evil.example/x", "https://", "https://x\"onmouseover=alert(1)",
    "https://example.org/<script>", "https://example.org/a b",
])
def test_only_http_and_https_urls_are_accepted(project_copy, url):
    add_paper(project_copy, BRIEF, META + f"url: '{url}'\n")
    assert_refused(project_copy, HOSTILE_META, "'url'", line=6)


def test_front_matter_url_is_checked_by_the_build(project_copy, tmp_path):
    """A page edited to carry a javascript: URL fails the build (the contract is checked on both sides)."""
    page = project_copy / "docs" / "papers" / "klingner-2019-resolve-and-restraint.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r'^source_url: .*$', 'source_url: "javascript:alert(1)"', text, count=1, flags=re.M), encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "source_url" in result.stderr and "http:// or https://" in result.stderr


# -- item 8: YAML bombs, other working directories, temporary files, modes, concurrent builds --

BOMB = "".join(
    f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9 if prev else ['"x"'] * 9) + "]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi")
)


def test_yaml_alias_bomb_is_refused_quickly(project_copy):
    (project_copy / "docs" / "permalinks.yml").write_text(BOMB, encoding="utf-8")
    result = run(project_copy, "permalinks", "--check", timeout=60)
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("error: docs/permalinks.yml:"), line


@pytest.mark.parametrize("target", ["docs/topics/vocabulary.yml", "docs/timeline.yml", HOSTILE_META])
def test_yaml_alias_bomb_in_any_data_file_is_refused(project_copy, target):
    add_paper(project_copy, BRIEF)
    (project_copy / target).write_text(BOMB, encoding="utf-8")
    if target == "docs/timeline.yml":
        from policy_reader.site.timeline import TimelineError, load_events
        with pytest.raises(TimelineError):
            load_events(BOMB, target)
        return
    result = run(project_copy, "convert", timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {target}"), result.stderr


def test_fast_yaml_bounds_aliases_but_not_ordinary_documents():
    import yaml
    from policy_reader import fast_yaml

    with pytest.raises(yaml.YAMLError) as err:
        fast_yaml.load(BOMB)
    assert err.value.problem_mark.line + 1 == 5  # the collection whose aliases pass the bound (e:)
    # A document that uses a few aliases, and a large one without any, load as before.
    assert fast_yaml.load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
    big = "".join(f"k{i}: [{i}, {i + 1}]\n" for i in range(20000))
    assert len(fast_yaml.load(big)) == 20000


def test_build_from_another_working_directory(project_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-f", str(project_copy / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
        cwd=elsewhere, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    page = (tmp_path / "site" / "papers" / "klingner-2019-resolve-and-restraint" / "index.html").read_text(encoding="utf-8")
    assert 'class="footnote"' in page  # citations formatted with the CSL file of mkdocs.yml's folder
    assert "<abbr" in page  # the glossary, appended by snippets from mkdocs.yml's folder


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_temporary_files_of_a_killed_write_are_removed_by_the_next_run(project_copy):
    assert run(project_copy, "convert").returncode == 0
    papers = project_copy / "docs" / "papers"
    dead = _dead_pid()
    leftover = papers / f".klingner-2019-resolve-and-restraint.md.pr{dead}-abc123.tmp"
    leftover.write_text("half a file", encoding="utf-8")
    live = papers / f".gomez.md.pr{os.getpid()}-def456.tmp"  # a writer that still runs: kept
    live.write_text("being written", encoding="utf-8")
    result = run(project_copy, "convert")
    assert result.returncode == 0, result.stderr
    assert not leftover.exists()
    assert live.exists()


def test_a_write_killed_before_its_rename_leaves_the_target_and_a_sweepable_file(tmp_path):
    """Kill a writer between its temporary write and the rename: the target is untouched."""
    target = tmp_path / "out.md"
    target.write_text("old", encoding="utf-8")
    script = (
        "import os, signal; from policy_reader import atomic\n"
        "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        f"atomic.write_text(__import__('pathlib').Path({str(target)!r}), 'new')\n"
    )
    proc = subprocess.run([str(BIN / "python"), "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -9
    assert target.read_text(encoding="utf-8") == "old"
    left = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(left) == 1
    from policy_reader import atomic
    assert atomic.sweep(tmp_path) == left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_follow_the_umask(project_copy, umask, mode):
    for p in (project_copy / "docs" / "papers").glob("*.md"):
        p.unlink()
    result = run(project_copy, "convert", preexec_fn=lambda: os.umask(umask))
    assert result.returncode == 0, result.stderr
    for p in (project_copy / "docs" / "papers").glob("*.md"):
        assert p.stat().st_mode & 0o777 == mode, (p, oct(p.stat().st_mode))


def test_two_builds_at_once_are_serialised_and_the_404_page_has_one_policy(project_copy, tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(site)]
    procs = [subprocess.Popen(cmd, cwd=project_copy, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-1500:] for o in outs]
    for page in site.rglob("*.html"):
        assert page.read_text(encoding="utf-8").count('http-equiv="Content-Security-Policy"') == 1, page
    # The second build waited for the first (serialised, not interleaved).
    assert any("another build of this project is running" in err for _, err in outs)


def test_the_build_lock_is_held_during_a_build_and_released_after(tmp_path):
    import fcntl

    from policy_reader.site.build_lock import BuildLock

    lock = BuildLock(tmp_path)
    lock.acquire()
    probe = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
             "except BlockingIOError:\n    print('held')\n")
    held = subprocess.run([str(BIN / "python"), "-c", probe, str(lock.path)], capture_output=True, text=True, timeout=60)
    assert held.stdout.strip() == "held"
    lock.release()
    free = subprocess.run([str(BIN / "python"), "-c", probe, str(lock.path)], capture_output=True, text=True, timeout=60)
    assert free.stdout.strip() == "free"
    assert fcntl  # imported for the probe's sake in this process too


# -- data files: markup is text or an error ---------------------------------------------------

@pytest.mark.parametrize("line, fragment", [
    ("<script>window.__pwned=1</script>", "not a glossary entry"),
    ("*[ICBM]: <img src=x onerror=alert(1)>", "'<' or '>'"),
    ("Some words that are not a definition", "not a glossary entry"),
])
def test_glossary_markup_is_refused(project_copy, tmp_path, line, fragment):
    glossary = project_copy / "docs" / "includes" / "glossary.md"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text + line + "\n", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    number = len(text.splitlines()) + 1
    assert f"docs/includes/glossary.md:{number}: " in result.stderr and fragment in result.stderr, result.stderr[-1500:]
    assert not (tmp_path / "site" / "index.html").exists()


def test_an_inline_script_no_template_emits_fails_a_strict_build(project_copy, tmp_path):
    """Raw HTML in a hand-written page is the one way left to put a script into a page: the
    policy has no hash for it, and the build says so (a warning: --strict fails)."""
    index = project_copy / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n<script>window.__pwned=1</script>\n", encoding="utf-8")
    result = mkdocs_build(project_copy, tmp_path / "site")
    assert result.returncode != 0
    assert "index.md: 1 inline <script> element(s) that no template of the theme emits" in result.stderr


def test_policy_hashes_come_from_the_templates_not_the_page(built_site):
    """The same hashes on every page of one depth, whatever the page holds."""
    def hashes(path):
        page = (built_site / path).read_text(encoding="utf-8")
        return re.search(r"script-src ([^;]*);", page)[1]

    assert hashes("papers/klingner-2019-resolve-and-restraint/index.html") == hashes("papers/gomez-2019-consequences-for-missile-tests/index.html")
    assert hashes("topics/sanctions/index.html") == hashes("papers/klingner-2019-resolve-and-restraint/index.html")
    assert KLINGNER_SRC.exists()


@pytest.mark.parametrize("value", ['"Example\\nTY  - JOUR"', '"Example\\tInstitute"', '"Example\\u2028Institute"'])
def test_a_field_is_one_line_of_text(project_copy, value):
    """No value can start a new line of a RIS record, a BibTeX entry or the front matter."""
    add_paper(project_copy, BRIEF, META.replace("publisher: Example Institute", f"publisher: {value}"))
    assert_refused(project_copy, HOSTILE_META, "control character", line=1)


def test_a_folded_summary_loses_only_its_final_line_break(project_copy):
    add_paper(project_copy, BRIEF, META.replace("summary: A test brief.", "summary: >\n  A test\n  brief.\n"))
    result = run(project_copy, "convert")
    assert result.returncode == 0, result.stderr
    page = (project_copy / "docs" / "papers" / "doe-2020-brief.md").read_text(encoding="utf-8")
    assert 'summary: "A test brief."' in page


def test_a_lock_left_held_in_this_process_does_not_block_the_next_build(tmp_path):
    from policy_reader.site.build_lock import BuildLock

    first = BuildLock(tmp_path)
    first.acquire()  # a build interrupted before it released its lock
    second = BuildLock(tmp_path)
    second.acquire()  # returns: the earlier lock of this process is dropped, not waited for
    assert second.fd is not None
    second.release()
    first.release()  # harmless afterwards
