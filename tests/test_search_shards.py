"""The sharded search index (scripts/policy_reader/search_shards.py)."""

from __future__ import annotations

import json

from policy_reader import search_shards

from support import KLINGNER_SLUG

DOCS = [
    {"location": "", "title": "Home", "text": "<p>Welcome to the reader.</p>"},
    {"location": "papers/a/", "title": "Paper A", "text": ""},
    {"location": "papers/a/#p-1", "title": "¶ 1 · Paper A", "text": "Secondary sanctions; sanctions relief."},
    {"location": "papers/a/#p-2", "title": "¶ 2 · Paper A", "text": "Joint military exercises resumed."},
    {"location": "papers/b/#p-1", "title": "¶ 1 · Paper B", "text": "Kim's ICBM test."},
]


def test_tokens_match_what_the_worker_looks_up():
    assert search_shards.tokens("<p>The U.S. “maximum pressure” Kim's ICBM-test</p>") == [
        "u", "s", "maximum", "pressure", "kims", "icbm", "test"]


def test_build_shards_postings_and_documents():
    files = search_shards.build(DOCS)
    manifest = json.loads(files["manifest.json"])
    assert manifest["docs"] == 5 and manifest["docShard"] == search_shards.DOC_SHARD
    sa = json.loads(files["t-sa.json"])
    assert sa["sanctions"][0] == 2 and len(sa["sanctions"]) == 2  # only doc 2 (twice there)
    pa = json.loads(files["t-pa.json"])
    assert pa["paper"][0::2] == [1, 2, 3, 4]  # in every title
    # BM25's tf part: doc 1 (empty text: shortest) outweighs the longer docs for the same title word
    assert pa["paper"][1] > pa["paper"][3]
    ex = json.loads(files["t-ex.json"])["exercises"]
    assert ex[0] == 3 and 0 < ex[1] < 100 * (search_shards.K1 + 1)
    docs = json.loads(files["d0.json"])
    assert docs[2] == ["papers/a/#p-1", "¶ 1 · Paper A", "Secondary sanctions; sanctions relief.", 1]
    assert docs[4][3] == -1  # no page document for papers/b/ in this index
    assert "t-th.json" not in files  # stopword "the" is not indexed
    assert set(manifest["termShards"]) == {n[2:-5] for n in files if n.startswith("t-")}


def test_build_is_deterministic():
    assert search_shards.build(DOCS) == search_shards.build(list(DOCS))


def test_built_site_keeps_config_and_moves_documents_to_shards(built_site):
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"] == [] and "separator" in index["config"]
    docs = search_shards.load_docs(built_site)
    locations = [d["location"] for d in docs]
    assert f"papers/{KLINGNER_SLUG}/#p-12" in locations
    assert "topics/sanctions/" in locations


def test_pages_name_our_worker(built_site):
    html = (built_site / "papers" / KLINGNER_SLUG / "index.html").read_text(encoding="utf-8")
    assert '"search": "../../assets/search-worker.js"' in html
    assert (built_site / "assets" / "search-worker.js").exists()
