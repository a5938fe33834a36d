"""The search shards kept across builds (scripts/policy_reader/site/search/shard_cache.py).

A hit must give exactly the files shards.build gives, without building, as links to
the kept files; a changed document, a damaged entry, a kept file missing or written
over, or a cache that is off must build; no write may reach a kept file. Whole builds
from damaged entries of this store are in tests/test_cache.py (BUILD_NAMESPACES).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from policy_reader import cache
from policy_reader.cli.main import main
from policy_reader.cache import read_entry
from policy_reader.site.search import shard_cache
from policy_reader.site.search import shards as search_shards
from support import copy_project, mkdocs_build, site_files

WORDS = "sanctions relief missile exercises diplomacy talks freeze verification envoy summit".split()


def documents(n: int = 60) -> list[dict]:
    docs = [{"location": "", "title": "Home", "text": "<p>Welcome to the reader.</p>"}]
    for p in range(n // 10):
        docs.append({"location": f"papers/p{p}/", "title": f"Paper {p}", "text": ""})
        for i in range(1, 11):
            text = " ".join(WORDS[(p * 7 + i * k) % len(WORDS)] for k in range(1, 40))
            docs.append({"location": f"papers/p{p}/#p-{i}", "title": f"¶ {i} · Paper {p}", "text": f"{text} n{p}x{i}"})
    return docs


@pytest.fixture
def run(tmp_path, monkeypatch):
    """A fresh run of the cache in tmp_path/c; builds counted."""
    built = []
    real = search_shards.generate  # what build() and the cache's miss both run

    def counting(docs):
        built.append(len(docs))
        return real(docs)

    monkeypatch.setattr(search_shards, "generate", counting)

    def start():
        cache.configure(tmp_path / "c")
        return cache.store(shard_cache.NAMESPACE)

    yield start, built
    cache.configure(None)


def entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "c" / shard_cache.NAMESPACE).glob("*.json"))


def folders(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "c" / shard_cache.NAMESPACE).iterdir() if p.is_dir())


def written(tmp_path: Path, docs: list[dict], name: str) -> dict[str, bytes]:
    """shard_cache.write(docs) into a new folder tmp_path/name (in a fresh run); its files."""
    out = tmp_path / name
    out.mkdir()
    cache.configure(tmp_path / "c")
    shard_cache.write(out, docs)
    return {p.name: p.read_bytes() for p in out.iterdir()}


def kept_folder(tmp_path: Path, docs: list[dict]) -> Path:
    store = cache.store(shard_cache.NAMESPACE)
    return store.dir / (store.key(shard_cache.docs_digest(docs)) + shard_cache.FOLDER)


def test_a_hit_links_the_built_files_without_building(run, tmp_path):
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    built.clear()
    assert written(tmp_path, docs, "a") == expected and built == [len(docs)]
    assert len(entries(tmp_path)) == 1 and len(folders(tmp_path)) == 1
    kept = kept_folder(tmp_path, docs)
    assert sorted(p.name for p in kept.iterdir()) == sorted(expected)
    assert written(tmp_path, docs, "b") == expected and built == [len(docs)]  # not built again
    for name in expected:  # the same file, not a copy
        assert os.path.samefile(tmp_path / "b" / name, kept / name)
    listing = read_entry(entries(tmp_path)[0])["files"]
    assert [name for name, _, _ in listing] == list(expected)  # generate's order


def test_a_changed_document_builds_again_and_keeps_one_folder(run, tmp_path):
    start, built = run
    docs = documents()
    written(tmp_path, docs, "a")
    changed = [dict(d) for d in docs]
    changed[5]["text"] += " embargo"
    files = written(tmp_path, changed, "b")
    assert files == search_shards.build(changed) != search_shards.build(docs)
    assert built[:2] == [len(docs), len(docs)]
    assert folders(tmp_path) == [kept_folder(tmp_path, changed)]
    # the first site's files are still whole (links to the old folder's files, now removed names)
    assert {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()} == search_shards.build(docs)


@pytest.mark.parametrize("how", ["truncate", "reshape", "missing"])
def test_a_damaged_listing_builds_again(run, tmp_path, how):
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    built.clear()
    written(tmp_path, docs, "a")
    [entry] = entries(tmp_path)
    if how == "truncate":
        entry.write_bytes(entry.read_bytes()[:-20])
    elif how == "reshape":
        cache.write_entry(entry, {"files": [["../escape.json", 1, 2]]})
    else:
        entry.unlink()
    assert written(tmp_path, docs, "b") == expected and built == [len(docs), len(docs)]
    assert read_entry(entries(tmp_path)[0]) is not None and len(folders(tmp_path)) == 1
    assert not (tmp_path / "c" / "escape.json").exists()
    assert written(tmp_path, docs, "d") == expected and len(built) == 2


@pytest.mark.parametrize("how", ["missing", "shorter", "same-size", "replaced-by-folder"])
def test_a_kept_file_missing_or_written_over_builds_again(run, tmp_path, how):
    """A kept file gone, or written over through the site's link to it (a tool that edits
    the built site in place): the next build makes every file again, right."""
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    built.clear()
    written(tmp_path, docs, "a")
    kept = kept_folder(tmp_path, docs)
    name = sorted(expected)[len(expected) // 2]
    target = tmp_path / "a" / name  # the site's file: a link to the kept one
    if how == "missing":
        (kept / name).unlink()
    elif how == "shorter":
        with open(target, "r+b") as f:
            f.truncate(len(expected[name]) - 1)
    elif how == "same-size":
        with open(target, "r+b") as f:  # same length, other bytes, a later time
            f.write(b"#" * len(expected[name]))
        st = os.stat(target)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    else:
        (kept / name).unlink()
        (kept / name).mkdir()
    assert written(tmp_path, docs, "b") == expected and built == [len(docs), len(docs)]
    assert written(tmp_path, docs, "d") == expected and len(built) == 2


def test_no_write_reaches_a_kept_file(run, tmp_path):
    """Files of the same names in the folder written to (a build that does not clean the site,
    here links to the kept files): they are replaced, the kept files stay as they were."""
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    written(tmp_path, docs, "a")
    kept = kept_folder(tmp_path, docs)
    witness = tmp_path / "witness"  # more links to the kept files: they outlive the kept folder
    witness.mkdir()
    for p in kept.iterdir():
        os.link(p, witness / p.name)
    changed = [dict(d) for d in docs]
    changed[5]["text"] += " embargo"
    out = tmp_path / "a"  # holds links to the kept files of the same names
    cache.configure(None)  # no cache: every file written, by name, over the links
    shard_cache.write(out, changed)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == search_shards.build(changed)
    assert {p.name: p.read_bytes() for p in kept.iterdir()} == expected
    for name in expected:  # a miss with the cache, into a folder of links to the kept files
        os.unlink(out / name)
        os.link(kept / name, out / name)
    cache.configure(tmp_path / "c")
    shard_cache.write(out, changed)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == search_shards.build(changed)
    assert {p.name: p.read_bytes() for p in witness.iterdir()} == expected


@pytest.mark.parametrize("code", [errno.EXDEV, errno.EPERM])
def test_where_no_link_can_be_made_the_files_are_copied(run, tmp_path, monkeypatch, code):
    """Another file system (EXDEV) or a link the user may not make (EPERM,
    fs.protected_hardlinks): the kept files are copies, and a hit copies them."""
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    built.clear()

    def no_link(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(shard_cache.os, "link", no_link)
    assert written(tmp_path, docs, "a") == expected
    kept = kept_folder(tmp_path, docs)
    assert {p.name: p.read_bytes() for p in kept.iterdir()} == expected
    assert written(tmp_path, docs, "b") == expected and built == [len(docs)]
    assert all(os.stat(tmp_path / "b" / name).st_nlink == 1 for name in expected)


def test_no_cache_builds_every_time(run, tmp_path):
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    built.clear()
    for name in ("a", "b"):
        out = tmp_path / name
        out.mkdir()
        cache.configure(None)
        shard_cache.write(out, docs)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == expected
    assert len(built) == 2 and not (tmp_path / "c").exists()


def test_write_from_a_hit_writes_the_same_files(run, tmp_path):
    start, built = run
    docs = documents()
    config = {"lang": ["en"]}
    start()
    search_shards.write(tmp_path / "a", config, docs)
    start()
    search_shards.write(tmp_path / "b", config, docs)
    assert len(built) == 1

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert json.loads((tmp_path / "b" / "search" / "search_index.json").read_text()) == {"config": config, "docs": []}


def test_builds_warm_and_after_an_edit_equal_cold_builds(tmp_path):
    """mkdocs builds: a warm build links the kept files and equals the cold build; after a
    paper's words change, the warm build's search files change and the site equals a cold
    build of the edited project (a copy without a cache)."""
    project = copy_project(tmp_path / "project")
    result = mkdocs_build(project, tmp_path / "cold")
    assert result.returncode == 0, result.stderr
    cold = site_files(tmp_path / "cold")
    result = mkdocs_build(project, tmp_path / "warm")
    assert result.returncode == 0, result.stderr
    assert site_files(tmp_path / "warm") == cold
    [kept] = [p for p in (project / ".cache" / shard_cache.NAMESPACE).iterdir() if p.is_dir()]
    shards = sorted((tmp_path / "warm" / "search" / "shards").iterdir())
    assert shards and all(os.path.samefile(p, kept / p.name) for p in shards)

    page = project / "docs" / "papers" / "gomez-2019-consequences-for-missile-tests.md"
    text = page.read_text(encoding="utf-8")
    words = "Kim probably won't like such a response"  # a paragraph's words
    assert text.count(words) == 1
    page.write_text(text.replace(words, "Kim probably won't like such a zeppelinesque response"), encoding="utf-8")
    assert main(["permalinks", "--update", "--root", str(project)]) == 0  # the edit recorded
    result = mkdocs_build(project, tmp_path / "edited")
    assert result.returncode == 0, result.stderr
    edited = site_files(tmp_path / "edited")
    fresh = tmp_path / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(".cache"))
    result = mkdocs_build(fresh, tmp_path / "edited-cold")
    assert result.returncode == 0, result.stderr
    assert edited == site_files(tmp_path / "edited-cold")
    changed = {k for k in edited if k.startswith("search/shards/") and edited[k] != cold.get(k)}
    assert changed and any(b"zeppelinesque" in edited[k] for k in changed)
    assert len([p for p in (project / ".cache" / shard_cache.NAMESPACE).iterdir() if p.is_dir()]) == 1
