"""The one cache (scripts/policy_reader/cache.py): no cache state can change a build.

Every store's entries are truncated, corrupted, reshaped, made read-only; the
cache folder is made unusable; our code "changes": each time the built site
equals a clean build byte for byte, and a damaged entry is computed again and
rewritten, never used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from policy_reader import cache
from policy_reader.cache import read_entry, write_entry
from support import ROOT, build_in_process, mkdocs_build, site_files

PACKAGE = ROOT / "scripts" / "policy_reader"

# Every namespace a build of the real site writes (convert's stamp is tested below).
BUILD_NAMESPACES = ("pages", "paper-pages", "generated", "pandoc", "pandoc-version", "cite", "bibparse", "search-shards")  # "bibtex" only when mkdocs-bibtex is not given the library text (no bib_dir)


# --------------------------------------------------------------------------- the store itself


@pytest.fixture
def store(tmp_path):
    return cache.Cache(tmp_path / "c").store("things")


def test_a_value_comes_back_as_stored(store):
    key = store.key("input", b"\x00bytes")
    value = {"text": "a\r\nb\n", "n": [1, 2.5, None, True], "uni": "¶ “q”"}
    assert store.get(key) is None
    store.put(key, value)
    assert store.get(key) == value
    assert store.hits == 1 and store.misses == 1
    assert json.loads((store.dir / f"{key}.json").read_text(encoding="utf-8"))["value"] == value  # plain JSON


def test_keys_cover_every_input_in_order(store):
    assert store.key("a", "b") != store.key("b", "a")
    assert store.key("ab", "") != store.key("a", "b")
    assert store.key("a") == store.key(b"a")
    other = cache.Cache(store.cache.root).store("others")
    assert other.key("a") != store.key("a")  # the namespace is part of the key


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "truncate-tail":  # only the closing brace goes
        path.write_bytes(data[:-1])
    elif how == "corrupt":
        middle = len(data) * 2 // 3
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    elif how == "reshape":  # valid JSON of another shape
        path.write_text('{"content": "truncated", "value": [1, 2]}', encoding="utf-8")
    elif how == "reshape-verified":  # a well-formed, verified entry whose value has another shape
        write_entry(path, {"unexpected": ["shape"]})
    elif how == "empty":
        path.write_bytes(b"")
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["truncate", "truncate-tail", "corrupt", "reshape", "empty"])
def test_a_damaged_entry_is_a_miss(store, how):
    key = store.key("x")
    store.put(key, {"html": "<p>whole</p>" * 20})
    damage(store.dir / f"{key}.json", how)
    assert store.get(key) is None


def test_an_entry_copied_from_another_key_is_a_miss(store):
    a, b = store.key("a"), store.key("b")
    store.put(a, "value of a")
    shutil.copy(store.dir / f"{a}.json", store.dir / f"{b}.json")
    assert store.get(b) is None


def test_a_value_of_another_shape_is_a_miss(store):
    key = store.key("x")
    store.put(key, {"unexpected": 1})

    def load(value):
        return value["content"]

    assert store.get(key, load) is None
    assert store.hits == 0


def test_values_are_json_only(store):
    with pytest.raises(TypeError):
        store.put(store.key("x"), {"a set": {1, 2}})
    with pytest.raises(ValueError):
        store.put(store.key("y"), float("nan"))


def test_eviction_keeps_what_this_run_used(tmp_path):
    first = cache.Cache(tmp_path).store("ns")
    for name in "abc":
        first.put(first.key(name), name)
    (first.dir / ".stale.json.1234.tmp").write_text("left by a killed run", encoding="utf-8")
    second = cache.Cache(tmp_path).store("ns")
    assert second.get(second.key("a")) == "a"
    second.keep_entry(second.key("b"))
    second.put(second.key("d"), "d")
    assert second.cache.prune() == 2  # c and the temporary file
    assert sorted(p.name for p in second.dir.iterdir()) == sorted(f"{second.key(k)}.json" for k in "abd")


def test_eviction_by_count_keeps_the_most_recently_used(tmp_path):
    store = cache.Cache(tmp_path).store("ns", keep=2)
    for i, name in enumerate("abc"):
        store.put(store.key(name), name)
        os.utime(store.dir / f"{store.key(name)}.json", ns=(10**18 + i, 10**18 + i))
    assert store.get(store.key("a")) == "a"  # used now: the newest
    store.prune()
    assert sorted(p.name for p in store.dir.iterdir()) == sorted(f"{store.key(k)}.json" for k in "ac")


def test_an_unusable_folder_means_no_cache_and_one_warning(tmp_path, caplog):
    (tmp_path / "c").write_text("a file where the cache folder should be", encoding="utf-8")
    run = cache.Cache(tmp_path / "c")
    one, two = run.store("one"), run.store("two")
    with caplog.at_level("WARNING", logger="policy_reader.cache"):
        assert one.get(one.key("x")) is None
        one.put(one.key("x"), 1)
        two.put(two.key("y"), 2)
        assert two.get(two.key("y")) is None
        run.prune()
    assert not one.enabled and not two.enabled  # each store that met the folder is off
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "going on without that cache" in warnings[0].getMessage()


def test_a_write_leaves_no_temporary_file(store):
    for i in range(3):
        store.put(store.key("x"), i)
    assert [p.name for p in store.dir.iterdir()] == [f"{store.key('x')}.json"]


def test_the_code_digest_follows_our_source(tmp_path, monkeypatch):
    """A change to any module of the package changes the digest, so every key."""
    copy = tmp_path / "policy_reader"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_DIR", copy)
    cache._code_digest.cache_clear()
    try:
        before = cache.code_digest()
        before_some = cache.code_digest(["convert.pipeline"])
        assert cache.code_digest() == before
        module = copy / "site" / "citations" / "cite.py"
        module.write_text(module.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
        cache._code_digest.cache_clear()
        assert cache.code_digest() != before
        assert cache.code_digest(["convert.pipeline"]) == before_some  # not one of these modules
        # line endings are not a change
        text = module.read_bytes()
        module.write_bytes(text.replace(b"\n", b"\r\n"))
        crlf = (cache._code_digest.cache_clear(), cache.code_digest())[1]
        module.write_bytes(text)
        cache._code_digest.cache_clear()
        assert crlf == cache.code_digest()
    finally:
        cache._code_digest.cache_clear()


def test_a_new_code_digest_misses_every_entry(tmp_path, monkeypatch):
    """Among them the citation store's (its key used to leave our code out)."""
    from policy_reader.site.citations import cite

    cache.configure(tmp_path)
    try:
        entry = cite.bib_entry((ROOT / "bib" / "gomez-2019-consequences-for-missile-tests.bib").read_text(encoding="utf-8"),
                               "gomez-2019-consequences-north")
        csl = ROOT / "bib" / "policy-reader-notes.csl"
        stored = (cite.Formatted("h1", "t1"), cite.Formatted("h2", "t2"), cite.Formatted("h3", "t3"))
        cite._EntryStore().put(entry, csl, stored)
        assert cite._EntryStore().get(entry, csl) == stored
        real = cache.code_digest()
        monkeypatch.setattr(cache, "code_digest", lambda modules=None: "another " + real)
        cache.configure(tmp_path)
        assert cite._EntryStore().get(entry, csl) is None
    finally:
        cache.configure(None)


def test_nothing_in_the_package_unpickles():
    pattern = re.compile(r"^\s*(?:import|from)\s+(?:c?pickle|shelve|marshal|dill|joblib)\b|\bpickle\.|\bshelve\.|\bmarshal\.", re.M)
    found = [p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert found == []


# --------------------------------------------------------------------------- whole builds from damaged caches


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A project copy built once (its .cache filled), and that clean build's site."""
    base = tmp_path_factory.mktemp("warm")
    project = base / "project"
    project.mkdir()
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    # Without the converter's records, so the build runs pandoc and fills its store
    # (a build from the records: tests/test_cite_records.py).
    shutil.rmtree(project / "bib" / "formatted")
    # and without pybtex's recorded parses, so it fills the bibparse store (tests/test_bib_parse_records.py).
    shutil.rmtree(project / "bib" / "parsed")
    result = mkdocs_build(project, base / "clean")
    assert result.returncode == 0, result.stderr
    namespaces = sorted(p.name for p in (project / ".cache").iterdir())
    assert set(BUILD_NAMESPACES) <= set(namespaces), namespaces
    return project, site_files(base / "clean")


def copy_of(warm, tmp_path) -> Path:
    project, _ = warm
    dest = tmp_path / "project"
    shutil.copytree(project, dest, ignore=shutil.ignore_patterns("site"))
    return dest


def entries(project: Path, namespace: str) -> list[Path]:
    return sorted(p for p in (project / ".cache" / namespace).iterdir() if p.suffix == ".json")


@pytest.mark.parametrize("how", ["truncate", "corrupt", "reshape", "reshape-verified"])
def test_a_build_from_damaged_entries_equals_a_clean_build(warm, tmp_path, how):
    """Every entry of every store damaged: the site is the clean one, byte for byte, and
    each store computed its entries again (each namespace holds as many verified entries as
    before: none was used, none was left damaged)."""
    project = copy_of(warm, tmp_path)
    counts = {}
    for namespace in BUILD_NAMESPACES:
        found = entries(project, namespace)
        assert found, namespace
        counts[namespace] = len(found)
        for path in found:
            damage(path, how)
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert site_files(tmp_path / "site") == warm[1]
    for namespace in ("pages", "paper-pages", "generated", "cite", "bibparse", "pandoc-version", "search-shards"):
        after = entries(project, namespace)
        assert len(after) == counts[namespace], namespace
        assert all(read_entry(p) is not None for p in after), namespace
    # pandoc: the runs the cite store no longer answered ran again (the rest were evicted)
    assert entries(project, "pandoc") and all(read_entry(p) is not None for p in entries(project, "pandoc"))


@pytest.mark.parametrize("namespace", BUILD_NAMESPACES)
def test_a_truncated_entry_of_each_store_is_never_used(warm, tmp_path, namespace):
    """One store at a time (a truncated pandoc entry used to publish a cut-off footnote)."""
    project = copy_of(warm, tmp_path)
    for path in entries(project, namespace):
        damage(path, "truncate")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert site_files(tmp_path / "site") == warm[1]
    assert all(read_entry(p) is not None for p in entries(project, namespace))


def build_as_a_user_without_rights(project: Path, site: Path):
    """``mkdocs build`` in ``project`` by a user whom file modes bind: this user, or (as root,
    which file modes do not bind) the user nobody. ``project`` must be readable by all."""
    import subprocess

    from support import BIN

    site.mkdir(mode=0o777)
    site.chmod(0o777)
    cmd = [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(site)]
    if os.geteuid() == 0:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "HOME": str(site.parent)}
    env.pop("PYTHONPYCACHEPREFIX", None)
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)


@pytest.fixture
def open_copy(warm):
    """A copy of the warm project in a folder every user may read."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="policy-reader-cache-"))
    base.chmod(0o755)
    project = base / "project"
    shutil.copytree(warm[0], project, ignore=shutil.ignore_patterns("site"))
    for path in [project, *project.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield project
    for path in [project, *project.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(base)


def test_read_only_entries_and_folders(warm, open_copy):
    """Entries and folders the build may read but not write, the page entries truncated so
    that they must be written again: the same site, one warning line."""
    project = open_copy
    for path in entries(project, "pages"):
        damage(path, "truncate")
    folders = [project / ".cache", *(project / ".cache" / ns for ns in BUILD_NAMESPACES)]
    for folder in folders:
        for path in folder.iterdir():
            if path.is_file():
                path.chmod(0o444)
        folder.chmod(0o555)
    result = build_as_a_user_without_rights(project, project.parent / "site")
    assert result.returncode == 0, result.stderr
    assert site_files(project.parent / "site") == warm[1]
    warnings = [line for line in result.stderr.splitlines() if "without that cache" in line or "without caches that cannot be written" in line]
    assert len(warnings) == 1, result.stderr


def test_unreadable_cache_folders(warm, open_copy):
    """Every store's folder unreadable (mode 000): the same site, one warning line."""
    project = open_copy
    for ns in BUILD_NAMESPACES:
        (project / ".cache" / ns).chmod(0)
    result = build_as_a_user_without_rights(project, project.parent / "site")
    assert result.returncode == 0, result.stderr
    assert site_files(project.parent / "site") == warm[1]
    warnings = [line for line in result.stderr.splitlines() if "without that cache" in line or "without caches that cannot be written" in line]
    assert len(warnings) == 1, result.stderr


@pytest.mark.parametrize("where", [".cache", ".cache/pandoc", ".cache/pages"])
def test_an_unusable_cache_folder_builds_the_same_site_with_one_warning(warm, tmp_path, where):
    """The cache folder (or one namespace's) is a file: nothing can be read or written there."""
    project = copy_of(warm, tmp_path)
    target = project / where
    shutil.rmtree(target)
    target.write_text("not a folder\n", encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert site_files(tmp_path / "site") == warm[1]
    warnings = [line for line in result.stderr.splitlines() if "without that cache" in line or "without caches that cannot be written" in line]
    assert len(warnings) == 1, result.stderr
    assert target.read_text(encoding="utf-8") == "not a folder\n"


def test_cache_false_writes_nothing(warm, tmp_path):
    project = copy_of(warm, tmp_path)
    shutil.rmtree(project / ".cache")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - policy-reader\n", "  - policy-reader:\n      cache: false\n"), encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert site_files(tmp_path / "site") == warm[1]
    # nothing but the build lock (site/build_lock.py), which is not a cache
    assert [p.name for p in (project / ".cache").iterdir()] == ["build.lock"]


def test_a_code_change_computes_every_entry_again(warm, tmp_path, monkeypatch):
    """A build whose code digest differs uses no stored entry and writes the same site."""
    from policy_reader.site.citations import cite, citeproc

    project = copy_of(warm, tmp_path)
    real = cache.code_digest()
    monkeypatch.setattr(cache, "code_digest", lambda modules=None: "changed " + real)
    # what this process holds in memory from other tests' builds is not the cache under test
    monkeypatch.setattr(cite, "_PREPARED", {})
    monkeypatch.setattr(cite, "_PREPARED_CSLJSON", {})
    citeproc.format_references.cache_clear()
    cite._csl_json.cache_clear()
    before = {ns: {p.name for p in entries(project, ns)} for ns in BUILD_NAMESPACES}
    plugin = build_in_process(project, tmp_path / "site", monkeypatch)
    assert site_files(tmp_path / "site") == warm[1]
    stores = plugin.cache.stores
    assert {ns: stores[ns].hits for ns in stores if ns != "pandoc-version"} == {ns: 0 for ns in stores if ns != "pandoc-version"}
    for ns in ("pages", "paper-pages", "generated", "cite", "bibparse"):
        after = {p.name for p in entries(project, ns)}
        assert after and not after & before[ns], ns  # all new, the old evicted
    cache.configure(None)


def test_the_convert_stamp_is_a_verified_entry(tmp_path):
    """convert's record of the converter (convert/incremental.py) lives in the same cache:
    a damaged stamp is no stamp (everything is parsed again, as on a fresh clone)."""
    from policy_reader.convert import incremental

    incremental._stamp_store.cache_clear()
    try:
        assert not incremental.converter_recorded(tmp_path)
        incremental.record_converter(tmp_path)
        incremental._stamp_store.cache_clear()
        assert incremental.converter_recorded(tmp_path)
        [stamp] = entries(tmp_path, "convert")
        for how in ("truncate", "corrupt", "reshape", "reshape-verified"):
            incremental.record_converter(tmp_path)
            damage(stamp, how)
            incremental._stamp_store.cache_clear()
            assert not incremental.converter_recorded(tmp_path), how
    finally:
        incremental._stamp_store.cache_clear()


def test_convert_with_an_unusable_cache_folder_converts_and_warns_once(project_copy):
    """The converter's stamp cannot be read or written: every source is parsed (as on a fresh
    clone), the outputs are right, one warning line says why."""
    import subprocess

    from support import BIN

    (project_copy / ".cache").write_text("not a folder\n", encoding="utf-8")
    result = subprocess.run([str(BIN / "policy-reader"), "convert", "--check", "--root", str(project_copy)],
                            cwd=project_copy, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "without that cache" in line or "without caches that cannot be written" in line]
    assert len(warnings) == 1, result.stderr
