"""The sharded search index (scripts/policy_reader/search_shards.py)."""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict

from policy_reader.site.search import shards as search_shards

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
    terms = search_shards.read_terms(files)
    assert terms["sanctions"][0] == 2 and len(terms["sanctions"]) == 2  # only doc 2 (twice there)
    assert terms["paper"][0::2] == [1, 2, 3, 4]  # in every title
    # BM25's tf part: doc 1 (empty text: shortest) outweighs the longer docs for the same title word
    assert terms["paper"][1] > terms["paper"][3]
    ex = terms["exercises"]
    assert ex[0] == 3 and 0 < ex[1] < 100 * (search_shards.K1 + 1)
    docs = json.loads(files["d0.json"])
    assert docs[2] == ["papers/a/#p-1", "¶ 1 · Paper A", "Secondary sanctions; sanctions relief.", 1]
    assert docs[4][3] == -1  # no page document for papers/b/ in this index
    assert "the" not in terms and "th" not in manifest["termShards"]  # stopword "the" is not indexed
    # a small index is one term bundle, which the manifest names for every prefix
    assert sorted(n for n in files if n.startswith("t-")) == ["t-0.json"]
    assert set(manifest["termShards"].values()) == {0}
    assert set(manifest["termShards"]) == {t[:2] for t in terms} >= {"sa", "pa", "ex", "ki", "1"}
    bundle = json.loads(files["t-0.json"])
    assert bundle["sa"]["sanctions"] == terms["sanctions"] and bundle["1"] == {"1": terms["1"]}  # "¶ 1"


# The straightforward definitions the fast ones in search_shards.py replace
# (one regex match per term, a dict per document, sorted postings, json.dumps):
# the fast ones must give the same terms, the same documents (byte for byte) and
# the same postings. reference_build writes the term shards as they were before
# they were bundled (one t-<prefix>.json per prefix, "termShards" listing the
# prefixes): the bundles hold the same content in fewer files.


def reference_tokens(text: str) -> list[str]:
    plain = search_shards.TAG.sub(" ", text).lower().replace("’", "").replace("'", "")
    return [t for t in search_shards.TOKEN.findall(plain) if t not in search_shards.STOPWORDS]


def reference_build(docs: list[dict]) -> dict[str, bytes]:
    s = search_shards
    page_ids = {d["location"]: i for i, d in enumerate(docs) if "#" not in d["location"]}
    records, counted = [], []
    for d in docs:
        page = d["location"].split("#", 1)[0]
        parent = page_ids.get(page, -1) if "#" in d["location"] else -1
        records.append([d["location"], d.get("title", ""), d.get("text", ""), parent])
        counts: dict[str, int] = defaultdict(int)
        text_tokens = reference_tokens(d.get("text", ""))
        for t in text_tokens:
            counts[t] += 1
        for t in reference_tokens(d.get("title", "")):
            counts[t] += s.TITLE_WEIGHT
        counted.append((counts, len(text_tokens)))
    average = max(1.0, sum(n for _, n in counted) / max(1, len(counted)))
    postings: dict[str, dict[int, int]] = defaultdict(dict)
    for i, (counts, length) in enumerate(counted):
        norm = s.K1 * (1 - s.B + s.B * length / average)
        for t, f in counts.items():
            postings[t][i] = max(1, round(100 * f * (s.K1 + 1) / (f + norm)))
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for term in sorted(postings):
        flat: list[int] = []
        for doc, weight in sorted(postings[term].items()):
            flat += [doc, weight]
        shards[s.prefix(term)][term] = flat

    def dump(obj) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")

    files = {f"d{k // s.DOC_SHARD}.json": dump(records[k : k + s.DOC_SHARD]) for k in range(0, len(records), s.DOC_SHARD)}
    for p, terms in shards.items():
        files[f"t-{p}.json"] = dump(terms)
    digest = hashlib.sha256(b"".join(files[name] for name in sorted(files))).hexdigest()[:12]
    files["manifest.json"] = dump({"docs": len(records), "docShard": s.DOC_SHARD, "termShards": sorted(shards),
                                   "stopwords": sorted(s.STOPWORDS), "version": digest})
    return files


AWKWARD = [
    "", " ", "'", "’", "a", "The", "THE the ThE", "Kim's ICBM-test", "Kim’s “maximum pressure” ‘policy’",
    "O’Brien's rock'n'roll ’90s '80s", "5,500 troops; 2019–2020 — 3.5% (1/2) #12 $40bn", "well-known re-entry---x",
    "Café Señor NAÏVE ÉCOLE Ångström Łódź ĞÜŞ Ǆemal ǅ ẞ straße Øresund", "İstanbul KELVIN K ﬁne x² ½ ℌ ＡＢＣ",
    "ΣΟΦΟΣ σοφός ΑΣ. Москва 北朝鮮 한국어 🚀 emoji", "nbsp\u00a0here thin\u2009space\u3000ideo\u2028line\u0085nel",
    "tabs\tand\nnew\r\nlines\x0b\x0c\x1c\x1d\x1e\x1f", "nul\x00byte del\x7f", "lone \ud800 surrogate",
    "<p>The <b>bold</b>text</p>", "a < b and c > d", "<unclosed tag and words", "x<y>z", "&amp; &lt;tag&gt; &#39;",
    "snake_case CamelCase x86_64 v2.0.1 e.g. i.e.", "ÀÉÎÕÜ àéîõü \u00bf\u00d7\u00f7 \u024f\u0250\u00c0",
    "combining e\u0301 and a\u0308", "ǲ ǳ Ǳ", "¶ 12 · Kim’s “maximum pressure”", "Key takeaway 2 · ΣΑΣ",
]


def test_tokens_equal_the_regex_definition_on_awkward_strings():
    for text in AWKWARD:
        assert search_shards.tokens(text) == reference_tokens(text), text


def test_tokens_equal_the_regex_definition_on_random_strings():
    alphabet = "aZ09 '’-–—.,;:<>/\"&#_·¶éÉßİΣσς×÷\u00a0\u0301\u024f\u0250\u00bf\u2009北🚀\x00\t\n"
    rng = random.Random(20240601)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert search_shards.tokens(text) == reference_tokens(text), repr(text)


def _awkward_docs() -> list[dict]:
    docs = [{"location": "papers/x/", "title": "Paper X", "text": ""}]
    titles = ["¶ 1 · Kim’s “maximum pressure”", "¶ 2 · Kim’s “maximum pressure”", "Key takeaway 1 · ΣΑΣ the the",
              "a · b · c", "x ·y", " · ", "·", "<b>x · y</b>", "x <a · b> y", "the · a", "The U.S. · ", " · of"]
    for i, text in enumerate(t for t in AWKWARD if "\ud800" not in t):  # not UTF-8: no file can hold it
        docs.append({"location": f"papers/x/#p-{i + 1}", "title": titles[i % len(titles)], "text": text})
    docs.append({"location": "papers/y/#p-1", "title": "no page document", "text": "x " * 300})
    docs.append({"location": "notes/", "text": "no title at all"})
    return docs


def _dump(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def check_bundles(files: dict[str, bytes], target: int) -> None:
    """The term bundles' layout: runs of consecutive prefixes in sorted order, numbered
    from 0, each prefix in exactly the bundle the manifest names; every bundle within
    ``target`` bytes unless it holds a single prefix, and none could have taken the
    next bundle's first prefix; the files are canonical JSON; the version is the digest."""
    manifest = json.loads(files["manifest.json"])
    where = manifest["termShards"]
    names = sorted((n for n in files if n.startswith("t-")), key=lambda n: int(n[2:-5]))
    assert names == [f"t-{n}.json" for n in range(len(names))]
    assert sorted(set(where.values())) == list(range(len(names)))
    runs = []
    for n, name in enumerate(names):
        bundle = json.loads(files[name])
        assert files[name] == _dump(bundle), name
        assert bundle and all(where[p] == n for p in bundle), name
        assert len(files[name]) <= target or len(bundle) == 1, (name, len(files[name]))
        for p, shard in bundle.items():
            assert shard and all(t[:2] == p for t in shard), (name, p)
        runs.append(sorted(bundle))
    flat = [p for run in runs for p in run]
    assert flat == sorted(where) and len(set(flat)) == len(flat)  # sorted, no prefix split or repeated
    for this, after in zip(names, names[1:]):
        first = json.loads(files[after])
        p = min(first)
        grown = dict(json.loads(files[this]), **{p: first[p]})
        assert len(_dump(grown)) > target, (this, after)  # a bundle is closed only when full
    digest = hashlib.sha256(b"".join(files[name] for name in sorted(files) if name != "manifest.json"))
    assert manifest["version"] == digest.hexdigest()[:12]


def assert_same_content(built: dict[str, bytes], reference: dict[str, bytes]) -> None:
    """``built`` holds what the reference (per-prefix files) holds: the same documents
    byte for byte, every term's postings, the same other manifest fields."""
    docs = {n: c for n, c in built.items() if n.startswith("d")}
    assert docs == {n: c for n, c in reference.items() if n.startswith("d")}
    ref_manifest = json.loads(reference["manifest.json"])
    ref_terms = {}
    for p in ref_manifest["termShards"]:
        ref_terms.update(json.loads(reference[f"t-{p}.json"]))
    assert search_shards.read_terms(built) == ref_terms
    manifest = json.loads(built["manifest.json"])
    assert sorted(manifest["termShards"]) == ref_manifest["termShards"]
    assert set(manifest) == set(ref_manifest)
    for key in set(manifest) - {"termShards", "version"}:
        assert manifest[key] == ref_manifest[key], key
    assert set(built) == set(docs) | {"manifest.json"} | {f"t-{n}.json" for n in manifest["termShards"].values()}


def test_build_equals_the_straightforward_build():
    for docs in (DOCS, _awkward_docs(), []):
        built = search_shards.build(docs)
        assert_same_content(built, reference_build(docs))
        check_bundles(built, search_shards.TERM_BUNDLE)


def test_small_bundles_split_at_prefixes(monkeypatch):
    docs = _awkward_docs()
    reference = reference_build(docs)
    for target in (1, 60, 200, 1000):
        monkeypatch.setattr(search_shards, "TERM_BUNDLE", target)
        built = search_shards.build(docs)
        assert_same_content(built, reference)
        check_bundles(built, target)
        bundles = sum(1 for n in built if n.startswith("t-"))
        if target == 1:  # every prefix alone
            assert bundles == len(json.loads(reference["manifest.json"])["termShards"])
        assert bundles > 1


def test_build_equals_the_straightforward_build_on_the_real_site(built_site):
    docs = search_shards.load_docs(built_site)
    for d in docs:
        assert search_shards.tokens(d["text"]) == reference_tokens(d["text"]), d["location"]
        assert search_shards.tokens(d["title"]) == reference_tokens(d["title"]), d["location"]
    built = search_shards.build(docs)
    assert_same_content(built, reference_build(docs))
    check_bundles(built, search_shards.TERM_BUNDLE)
    # and the site holds exactly those files, a handful of them
    shards = built_site / "search" / "shards"
    assert {p.name: p.read_bytes() for p in shards.glob("*.json")} == built
    assert sum(1 for n in built if n.startswith("t-")) <= 4
    assert search_shards.load_terms(built_site) == search_shards.read_terms(built)


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
