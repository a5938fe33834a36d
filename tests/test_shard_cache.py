"""The search shards kept across builds (scripts/policy_reader/site/search/shard_cache.py).

A hit must give exactly the files shards.build gives, without building; a changed
document, a damaged entry or a cache that is off must build. Whole builds from
damaged entries of this store are in tests/test_cache.py (BUILD_NAMESPACES).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_reader import cache
from policy_reader.cache import read_entry
from policy_reader.site.search import shard_cache
from policy_reader.site.search import shards as search_shards

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
    """A fresh run of the cache in tmp_path/c with small parts (several per index); builds counted."""
    monkeypatch.setattr(shard_cache, "PART_BYTES", 2048)
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


def test_a_hit_gives_the_built_files_without_building(run, tmp_path):
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    built.clear()
    start()
    first = list(shard_cache.files(docs))
    assert dict(first) == expected and len(first) == len(expected) and built == [len(docs)]
    assert len(entries(tmp_path)) > 2  # a head and several parts
    start()
    again = list(shard_cache.files(docs))
    assert again == list(expected.items())  # same names, same bytes, same order
    assert built == [len(docs)]  # not built again


def test_a_changed_document_builds_again(run):
    start, built = run
    docs = documents()
    start()
    list(shard_cache.files(docs))
    changed = [dict(d) for d in docs]
    changed[5]["text"] += " embargo"
    start()
    files = dict(shard_cache.files(changed))
    assert files == search_shards.build(changed) != search_shards.build(docs)
    assert built[:2] == [len(docs), len(docs)]


@pytest.mark.parametrize("how", ["truncate", "reshape"])
def test_a_damaged_part_builds_and_gives_every_file(run, tmp_path, how):
    """A part found damaged after earlier parts were given: every file is given again, as built."""
    start, built = run
    docs = documents()
    expected = search_shards.build(docs)
    built.clear()
    start()
    list(shard_cache.files(docs))
    store = cache.store(shard_cache.NAMESPACE)
    head = store.key(shard_cache.docs_digest(docs))
    parts = read_entry(tmp_path / "c" / shard_cache.NAMESPACE / f"{head}.json")["parts"]
    assert parts > 2
    last = tmp_path / "c" / shard_cache.NAMESPACE / f"{store.key(head, str(parts - 1))}.json"
    if how == "truncate":
        last.write_bytes(last.read_bytes()[:-20])
    else:
        cache.write_entry(last, {"not": "a part"})
    start()
    given = list(shard_cache.files(docs))
    assert dict(given) == expected and built == [len(docs), len(docs)]
    assert read_entry(last) is not None  # written again, verified
    start()
    assert list(shard_cache.files(docs)) == list(expected.items()) and len(built) == 2


def test_no_cache_builds_every_time(run, tmp_path):
    start, built = run
    cache.configure(None)
    docs = documents()
    assert dict(shard_cache.files(docs)) == search_shards.build(docs)
    assert not (tmp_path / "c").exists()


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
