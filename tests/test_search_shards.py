"""The sharded search index (scripts/policy_reader/search_shards.py)."""

from __future__ import annotations

import hashlib
import json
import random
import re
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


def _records(files: dict[str, bytes]) -> list[list]:
    manifest = json.loads(files["manifest.json"])
    out = []
    for k in range((manifest["docs"] + manifest["recordShard"] - 1) // manifest["recordShard"]):
        out += json.loads(files[f"r{k}.json"])
    return out


def test_build_shards_postings_and_documents():
    files = search_shards.build(DOCS)
    manifest = json.loads(files["manifest.json"])
    assert manifest["docs"] == 5 and manifest["recordShard"] == search_shards.RECORD_SHARD
    # paragraphs are numbered first, so the worker knows a result's kind from its id
    assert manifest["paragraphs"] == 3
    records = _records(files)
    assert [r[0] for r in records] == ["papers/a/#p-1", "papers/a/#p-2", "papers/b/#p-1", "", "papers/a/"]
    assert records[0] == ["papers/a/#p-1", "¶ 1 · Paper A", "Secondary sanctions; sanctions relief.", "Paper A"]
    assert records[2][3] is None and records[3][3] is None  # no page document for papers/b/; the home is a page
    terms = search_shards.read_terms(files)
    assert terms["sanctions"][0] == 0 and len(terms["sanctions"]) == 2  # only doc 0 (twice there)
    # the paper page (no text, its paragraphs indexed) has no postings: its title is in theirs
    assert terms["paper"][0::2] == [0, 1, 2]
    ex = terms["exercises"]
    assert ex[0] == 1 and 0 < ex[1] < 100 * (search_shards.K1 + 1)
    assert "the" not in terms and "th" not in manifest["termShards"]  # stopword "the" is not indexed
    # a small index is one term bundle, which the manifest names for every prefix; postings are gap-coded
    assert sorted(n for n in files if n.startswith("t-")) == ["t-0.json"] and manifest["ownFiles"] == {}
    assert set(manifest["termShards"].values()) == {0}
    assert set(manifest["termShards"]) == {t[:2] for t in terms} >= {"sa", "pa", "ex", "ki", "1"}
    bundle = json.loads(files["t-0.json"])
    assert bundle["pa"]["paper"] == [0, terms["paper"][1], 1, terms["paper"][3], 1, terms["paper"][5]]


# The straightforward definitions the fast ones in search_shards.py replace
# (one regex match per term, a dict per document, sorted postings, json.dumps):
# the fast ones must give the same terms, the same records and the same postings,
# however they are cut into bundles, files of their own, and tails.


def reference_tokens(text: str) -> list[str]:
    plain = search_shards.TAG.sub(" ", text).lower().replace("’", "").replace("'", "")
    return [t for t in search_shards.TOKEN.findall(plain) if t not in search_shards.STOPWORDS]


def reference_build(docs: list[dict]) -> tuple[list[list], dict[str, list[int]], int]:
    """(records, {term: [doc, weight, ...]}, paragraphs) as the index should hold them."""
    s = search_shards
    para = lambda d: re.search(r"#(p-\d+[a-z]*|kt-\d+[a-z]*|bio)$", d["location"]) is not None  # noqa: E731
    docs = [d for d in docs if para(d)] + [d for d in docs if not para(d)]
    page_ids = {d["location"]: i for i, d in enumerate(docs) if "#" not in d["location"]}
    records, counted, parents = [], [], set()
    for d in docs:
        page = d["location"].split("#", 1)[0]
        parent = page_ids.get(page, -1) if "#" in d["location"] else -1
        parents.add(parent)
        text = d.get("text", "")
        if len(text) > s.SNIPPET and not para(d):
            text = text[: text.rfind(" ", 0, s.SNIPPET)].rstrip() + " …"
        records.append([d["location"], d.get("title", ""), text, docs[parent].get("title", "") if parent >= 0 else None])
        counts: dict[str, int] = defaultdict(int)
        text_tokens = reference_tokens(d.get("text", ""))
        for t in text_tokens:
            counts[t] += 1
        for t in reference_tokens(d.get("title", "")):
            counts[t] += s.TITLE_WEIGHT
        counted.append((counts, len(text_tokens)))
    skip = {i for i in parents if i >= 0 and not docs[i].get("text")}
    kept = [n for i, (_, n) in enumerate(counted) if i not in skip]
    average = max(1.0, sum(kept) / max(1, len(kept)))
    postings: dict[str, list[int]] = defaultdict(list)
    for i, (counts, length) in enumerate(counted):
        if i in skip:
            continue
        norm = s.K1 * (1 - s.B + s.B * length / average)
        for t, f in counts.items():
            postings[t] += [i, max(1, round(100 * f * (s.K1 + 1) / (f + norm)))]
    return records, dict(postings), sum(1 for d in docs if para(d))


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
    """The term bundles' layout: runs of consecutive keys in sorted order, numbered
    from 0, each key in exactly the bundle the manifest names; every bundle within
    ``target`` bytes unless it holds a single key, and none could have taken the
    next bundle's first key; a key is a term's first two characters (or the term, if
    shorter), or longer only when the terms under the key one character shorter would
    not fit in ``target`` bytes; every term is under the longest key that begins it (as
    the worker looks it up); the files are canonical JSON; the version is the digest."""
    manifest = json.loads(files["manifest.json"])
    where = manifest["termShards"]

    def key_of(term: str) -> str | None:  # the worker's bundleKey
        for n in range(len(term), min(2, len(term)) - 1, -1):
            if term[:n] in where:
                return term[:n]
        return None

    entries = {}  # term -> its '"term":[...]' entry
    for name in (n for n in files if n.startswith("t-")):
        for shard in json.loads(files[name]).values():
            entries.update({t: _dump({t: v})[1:-1] for t, v in shard.items()})
    for p in where:
        assert len(p) <= 2 or len(_dump({p[:-1]: {t: json.loads(b"{" + e + b"}")[t] for t, e in entries.items()
                                                  if t.startswith(p[:-1])}})) > target, p
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
            assert shard and all(key_of(t) == p and t not in manifest["ownFiles"] for t in shard), (name, p)
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


def check_own_files(files: dict[str, bytes]) -> None:
    """A frequent term's own files: tiers by weight, paragraphs and other documents
    cut apart (ties never split): every weight of a tier above every later one of the
    same kind, each tier naming the heaviest weight left after it (of each kind, 0
    after the last); no other p- file. Exactly the terms whose postings are longer than
    OWN_FILE or that are in more than CARRY_DF documents have files of their own."""
    manifest = json.loads(files["manifest.json"])
    paragraphs = manifest["paragraphs"]
    records = _records(files)
    used = set()
    for term, (df, *tiers) in manifest["ownFiles"].items():
        assert tiers, term
        tier_files = [json.loads(files[f"p-{n}.json"]) for n, _, _ in tiers]
        assert all(sorted(f) == ["postings", "records"] for f in tier_files), term
        got = [search_shards._absolute(f["postings"]) for f in tier_files]
        gaps, last = [], 0  # the term's postings as one gap-coded list, as a bundle would hold them
        for d, w in sorted((d, w) for g in got for d, w in zip(g[0::2], g[1::2])):
            gaps += [d - last, w]
            last = d
        long = len(json.dumps(gaps, separators=(",", ":"))) > search_shards.OWN_FILE
        assert long or df > search_shards.CARRY_DF, term
        check_carried(term, got, tier_files, records, paragraphs, search_shards.EMBED if long else search_shards.SHOWN)
        used |= {f"p-{n}.json" for n, _, _ in tiers}
        assert sum(len(g) // 2 for g in got) == df, term
        for k, (n, left, left_other) in enumerate(tiers):
            for kind, most in ((True, left), (False, left_other)):
                later = [w for g in got[k + 1:] for d, w in zip(g[0::2], g[1::2]) if (d < paragraphs) == kind]
                mine = [w for d, w in zip(got[k][0::2], got[k][1::2]) if (d < paragraphs) == kind]
                assert max(later, default=0) == most, (term, k)
                assert not later or not mine or min(mine) > most, (term, k)
    assert used == {n for n in files if n.startswith("p-")}
    for n in set(manifest["termShards"].values()):  # the terms left in bundles: short and in few documents
        for shard in json.loads(files[f"t-{n}.json"]).values():
            for term, flat in shard.items():
                assert len(json.dumps(flat, separators=(",", ":"))) <= search_shards.OWN_FILE, term
                assert len(flat) // 2 <= search_shards.CARRY_DF, term


def check_carried(term, got, tier_files, records, paragraphs, embed) -> None:
    """A term's first tier carries the records of its ``embed`` heaviest paragraphs (ties by id),
    then of its heaviest other documents up to ``embed`` in all (EMBED for a term whose postings
    are longer than OWN_FILE, SHOWN for a middling one); later tiers carry none. A
    carried record is the document's record with its text cut to a window: at most WINDOW
    characters (and the marks of what was left out), no tags, holding the term when the
    text around it does."""
    pairs = [(d, w) for g in got for d, w in zip(g[0::2], g[1::2])]
    paras = sorted((-w, d) for d, w in pairs if d < paragraphs)[:embed]
    others = sorted((-w, d) for d, w in pairs if d >= paragraphs)[: embed - len(paras)]
    carried = tier_files[0]["records"]
    assert sorted(map(int, carried)) == sorted(d for _, d in paras + others), term
    assert all(not f["records"] for f in tier_files[1:]), term
    for d, rec in carried.items():
        full = records[int(d)]
        assert [rec[0], rec[1], rec[3]] == [full[0], full[1], full[3]], (term, d)
        text = rec[2].removeprefix("… ").removesuffix(" …")
        assert len(text) <= search_shards.WINDOW and "<" not in rec[2].replace("<unclosed", ""), (term, d, rec[2])
        plain = re.sub(r"<[^>]*>", "", full[2])
        if int(d) >= paragraphs and full[2].endswith(" …"):
            continue  # the shard keeps only the start of a long section: the window may lie beyond it
        assert text in plain, (term, d)
        if term in search_shards.tokens(plain) and term not in search_shards.tokens(rec[1]):
            assert term in search_shards.tokens(rec[2]), (term, d, rec[2])


def assert_same_content(built: dict[str, bytes], reference: tuple) -> None:
    """``built`` holds the reference's records (in shards of RECORD_SHARD) and postings."""
    records, postings, paragraphs = reference
    manifest = json.loads(built["manifest.json"])
    assert manifest["docs"] == len(records) and manifest["paragraphs"] == paragraphs
    assert _records(built) == records
    assert search_shards.read_terms(built) == postings
    shards = (len(records) + search_shards.RECORD_SHARD - 1) // search_shards.RECORD_SHARD
    assert {n for n in built if n.startswith("r")} == {f"r{k}.json" for k in range(shards)}
    check_own_files(built)


def test_build_equals_the_straightforward_build():
    for docs in (DOCS, _awkward_docs(), []):
        built = search_shards.build(docs)
        assert_same_content(built, reference_build(docs))
        check_bundles(built, search_shards.TERM_BUNDLE)


def _split_by_rescan(gaps: list[str], paragraphs: int) -> list[tuple[bytes, int, int]]:
    """The tiers as the rule says them: each tier cuts what is left again (shards._cut)."""
    left, doc = [], 0
    for i in range(0, len(gaps), 2):
        doc += int(gaps[i])
        left.append((doc, int(gaps[i + 1])))
    tiers: list[tuple[bytes, int, int]] = []
    size = search_shards.TOP
    while left:
        cuts = (search_shards._cut([w for d, w in left if d < paragraphs], size),
                search_shards._cut([w for d, w in left if d >= paragraphs], max(1, size // 4)))
        taken = [(d, w) for d, w in left if w >= cuts[d >= paragraphs]]
        left = [(d, w) for d, w in left if w < cuts[d >= paragraphs]]
        flat, last = [], 0
        for d, w in taken:
            flat += [d - last, w]
            last = d
        tiers.append((f'[{",".join(map(str, flat))}]'.encode("utf-8"),
                      max((w for d, w in left if d < paragraphs), default=0),
                      max((w for d, w in left if d >= paragraphs), default=0)))
        size *= 4
    return tiers


def _split_by_tiers(docs: list[int], weights: list[int], paragraphs: int) -> list[tuple[bytes, int, int]]:
    """A frequent term's tiers as generate makes them (search_shards._tiers, then _tier_json per tier)."""
    import numpy as np

    docs, weights = np.array(docs, dtype=np.int64), np.array(weights, dtype=np.int64)
    tier, left = search_shards._tiers(docs, weights, paragraphs)
    if tier is None:
        return [(search_shards._tier_json(docs, weights), *left[0])]
    return [(search_shards._tier_json(docs[tier == t], weights[tier == t]), *left[t]) for t in range(len(left))]


def test_split_equals_cutting_what_is_left_tier_by_tier(monkeypatch):
    rng = random.Random(16)
    for top in (1, 2, 5, 16, search_shards.TOP):
        monkeypatch.setattr(search_shards, "TOP", top)
        for _ in range(150):
            n = rng.choice([1, 2, 3, 10, 40, 200, 1500])
            docs = sorted(rng.sample(range(n * 3), n))
            spread = rng.choice([1, 2, 5, 30, 300])
            weights = [rng.randint(1, spread) for _ in docs]
            gaps, last = [], 0
            for d, w in zip(docs, weights):
                gaps += [str(d - last), str(w)]
                last = d
            paragraphs = rng.choice([0, docs[0], docs[n // 2], docs[-1], docs[-1] + 1])
            assert _split_by_tiers(docs, weights, paragraphs) == _split_by_rescan(gaps, paragraphs), (top, n, spread, paragraphs)


def test_small_bundles_own_files_and_tails(monkeypatch):
    docs = _awkward_docs() + [{"location": f"papers/z/#p-{i}", "title": "Z", "text": "x y " * (i % 7 + 1)}
                              for i in range(1, 400)]
    reference = reference_build(docs)
    for target, own, top in ((1, 10**9, 1), (60, 200, 3), (200, 50, 10), (1000, 1024, 256)):
        monkeypatch.setattr(search_shards, "TERM_BUNDLE", target)
        monkeypatch.setattr(search_shards, "OWN_FILE", own)
        monkeypatch.setattr(search_shards, "CARRY_DF", 10**9 if own == 10**9 else search_shards.CARRY_DF)
        monkeypatch.setattr(search_shards, "TOP", top)
        built = search_shards.build(docs)
        assert_same_content(built, reference)
        check_bundles(built, target)
        assert sum(1 for n in built if n.startswith("t-")) > 1
        if own < 10**9:
            assert json.loads(built["manifest.json"])["ownFiles"]
        if own < 10**9 and top < 256:  # "x" is in 400 documents: cut into tiers
            assert len(json.loads(built["manifest.json"])["ownFiles"]["x"]) > 2


def test_long_sections_are_cut_in_records_paragraphs_are_not():
    long = " ".join(f"word{i}" for i in range(500))
    files = search_shards.build([{"location": "papers/", "title": "All", "text": long},
                                 {"location": "papers/a/#p-1", "title": "¶ 1 · A", "text": long}])
    paragraph, section = _records(files)
    assert paragraph[2] == long
    assert section[2].endswith(" …") and len(section[2]) <= search_shards.SNIPPET + 2
    assert long.startswith(section[2][:-2])
    assert "word499" in search_shards.read_terms(files)  # every word is still found


def test_the_real_sites_index(built_site):
    docs = search_shards.load_docs(built_site)
    for d in docs:
        assert search_shards.tokens(d["text"]) == reference_tokens(d["text"]), d["location"]
        assert search_shards.tokens(d["title"]) == reference_tokens(d["title"]), d["location"]
    shards = built_site / "search" / "shards"
    files = {p.name: p.read_bytes() for p in shards.glob("*.json")}
    check_bundles(files, search_shards.TERM_BUNDLE)
    check_own_files(files)
    records = _records(files)
    assert {n for n in files if n.startswith("r")} == {f"r{k}.json" for k in range(-(-len(records) // search_shards.RECORD_SHARD))}
    # paragraphs are whole and first; every paragraph's words lead to it
    manifest = json.loads(files["manifest.json"])
    paragraphs = [r for r in records if search_shards.PARAGRAPH.search(r[0])]
    assert records[: manifest["paragraphs"]] == paragraphs and len(paragraphs) > 30
    terms = search_shards.load_terms(built_site)
    assert terms == search_shards.read_terms(files)
    for i, r in enumerate(paragraphs):
        for t in set(search_shards.tokens(r[2])):
            assert i in terms[t][0::2], (r[0], t)


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


def test_a_big_librarys_bundles_stay_small_and_every_term_is_found():
    """Thousands of rare words under a few two-letter prefixes (as a library of a thousand
    papers has): their prefixes are cut longer, so no bundle a query fetches exceeds
    TERM_BUNDLE, and the worker's lookup (the longest named key beginning a word) still
    finds every term with its postings."""
    import random

    rng = random.Random(16)
    words = sorted({p + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(1, 9)))
                    for p in ("ma", "co", "st", "z", "cona") for _ in range(2500)} | {"ma", "co", "con", "m", "z"})
    shuffled = words * 2
    rng.shuffle(shuffled)
    docs = [{"location": f"papers/w/#p-{i}", "title": f"¶ {i} · W", "text": " ".join(shuffled[i * 12 : i * 12 + 12])}
            for i in range(len(shuffled) // 12 + 1)]
    files = search_shards.build(docs)
    check_bundles(files, search_shards.TERM_BUNDLE)
    manifest = json.loads(files["manifest.json"])
    where = manifest["termShards"]
    assert any(len(k) > 3 for k in where)  # cut more than once
    bundles = {n: json.loads(files[f"t-{n}.json"]) for n in set(where.values())}
    assert len(bundles) > 20
    for b in bundles.values():
        assert len(_dump(b)) <= search_shards.TERM_BUNDLE or len(b) == 1
    terms = search_shards.read_terms(files)
    assert set(terms) >= set(words) - search_shards.STOPWORDS
    for t, postings in terms.items():
        if t in manifest["ownFiles"]:
            continue
        key = next(t[:n] for n in range(len(t), min(2, len(t)) - 1, -1) if t[:n] in where)
        held = bundles[where[key]][key][t]
        assert search_shards._absolute(held) == postings, t


def test_a_word_in_more_documents_than_a_query_shows_carries_its_records():
    """A word in CARRY_DF + 1 documents has a file of its own, however short its postings, whose
    first tier carries the records of its documents (a query for it needs no record shard); a
    word in CARRY_DF documents stays in its bundle."""
    n = search_shards.CARRY_DF
    docs = [{"location": f"papers/m/#p-{i}", "title": f"¶ {i} · M", "text": f"middling {'rarer' if i <= n else ''} text {i}"}
            for i in range(1, n + 2)]
    files = search_shards.build(docs)
    manifest = json.loads(files["manifest.json"])
    assert set(manifest["ownFiles"]) == {"m", "middling", "text"}, manifest["ownFiles"]  # "m": the title of all
    df, (first, _, _) = manifest["ownFiles"]["middling"]
    assert df == n + 1 and len(json.dumps(search_shards.read_terms(files)["middling"])) < search_shards.OWN_FILE
    carried = json.loads(files[f"p-{first}.json"])["records"]
    assert sorted(map(int, carried)) == [*range(search_shards.SHOWN - 1), n]
    assert carried["0"] == ["papers/m/#p-1", "¶ 1 · M", "middling rarer text 1", None]  # the 11th (shorter text, heavier), then the first 9 (ties by id)
    assert "rarer" not in manifest["ownFiles"] and len(search_shards.read_terms(files)["rarer"]) == 2 * n
    check_own_files(files)


def _first_word_by_reading(low: str, term: str) -> int:
    """The rule window() states: the first run of term characters (apostrophes in it) that is
    ``term`` once its apostrophes are dropped, read run by run; -1 if none."""
    for m in re.finditer(r"[0-9a-z\u00c0-\u024f’']+", low):
        if m[0].replace("’", "").replace("'", "") == term:
            return m.start()
    return -1


def test_first_word_equals_reading_every_run():
    """shards._first_word finds a term by str.find and reads the runs only when an apostrophe
    comes before; on random strings (apostrophes, the term inside longer words, at either end)
    it finds what reading every run finds."""
    alphabet = ["ab", "b", "a", "'", "’", " ", "-", "é", "x", "ab'", "a’b", "<", "9"]
    rng = random.Random(1616)
    for _ in range(4000):
        low = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14)))
        for term in ("ab", "a", "b", "abab", "é", "ab9"):
            assert search_shards._first_word(low, term) == _first_word_by_reading(low, term), (low, term)


def test_record_json_equals_json_dumps():
    """The records and carried records are written without json.dumps; byte for byte what it writes."""
    fields = [s for s in AWKWARD if "\ud800" not in s] + ["", None, "a\"b\\c\n\t\x00\x1f\u2028</script>"]
    rng = random.Random(7)
    for _ in range(300):
        records = [tuple(rng.choice(fields) for _ in range(4)) for _ in range(rng.randrange(0, 4))]
        assert search_shards._records_json(records) == _dump(records)
        carried = {rng.randrange(0, 200): r for r in records}
        assert search_shards._carried_json(carried) == _dump({str(k): v for k, v in carried.items()})


def test_weights_equal_the_bm25_weights_of_each_length():
    """The postings' weights, worked out in arrays, equal :class:`shards._Weights` (the formula,
    one document length at a time) for every length and count, ties of rounding included."""
    rng = random.Random(99)
    docs = []
    for i in range(600):
        words = [rng.choice(["alpha", "beta", "gamma", "delta", f"w{i % 37}"]) for _ in range(rng.randrange(0, 60))]
        docs.append({"location": f"papers/r/#p-{i + 1}", "title": rng.choice(["T", "alpha · T", "beta beta · U"]),
                     "text": " ".join(words)})
    postings, lengths = search_shards._count(docs, set())
    kept = [n for n in lengths]
    average = max(1.0, sum(kept) / max(1, len(kept)))
    postings.weigh(lengths, lambda n: search_shards._Weights(n, average).norm)
    counts = {}
    for i, d in enumerate(docs):
        for t in search_shards.tokens(d["text"]) + search_shards.tokens(d["title"]) * search_shards.TITLE_WEIGHT:
            counts[(t, i)] = counts.get((t, i), 0) + 1
    seen = 0
    for k, term, flat in postings.flats():
        if flat is None:  # in more than CARRY_DF documents: its files are made from its arrays
            ds, ws = postings.of(k)
            flat = search_shards._tier_json(ds, ws)
        doc = 0
        pairs = json.loads(flat)
        for gap, weight in zip(pairs[0::2], pairs[1::2]):
            doc += gap
            assert str(weight) == search_shards._Weights(lengths[doc], average)[counts[(term, doc)]], (term, doc)
            seen += 1
    assert seen == len(counts)
