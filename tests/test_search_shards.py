"""The sharded search index (scripts/policy_reader/search_shards.py)."""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict

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


# The straightforward definitions the fast ones in search_shards.py replace
# (one regex match per term, a dict per document, sorted postings, json.dumps):
# the fast ones must give the same terms and the same bytes.


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


def test_build_equals_the_straightforward_build():
    for docs in (DOCS, _awkward_docs(), []):
        assert search_shards.build(docs) == reference_build(docs)


def test_build_equals_the_straightforward_build_on_the_real_site(built_site):
    docs = search_shards.load_docs(built_site)
    for d in docs:
        assert search_shards.tokens(d["text"]) == reference_tokens(d["text"]), d["location"]
        assert search_shards.tokens(d["title"]) == reference_tokens(d["title"]), d["location"]
    built = search_shards.build(docs)
    assert built == reference_build(docs)
    # and the site holds exactly those files
    shards = built_site / "search" / "shards"
    assert {p.name: p.read_bytes() for p in shards.glob("*.json")} == built


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
