"""Paragraph-level search in a real browser: a query lands on the paragraph, terms highlighted."""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import expect

from support import GOMEZ_SLUG, KLINGNER_SLUG

pytestmark = pytest.mark.browser

K, G = KLINGNER_SLUG, GOMEZ_SLUG
QUERIES = [
    ("Damocles", K, "p-12"),
    ("Sohae", K, "p-6"),
    ("plenum", K, "p-7"),
    ("gloomy", K, "p-4"),
    ("Christmas", K, "p-5"),
    ("mothballed", K, "p-10"),
    ("laundering", K, "p-17"),
    ("reticent", K, "p-18"),
    ("lure", K, "kt-2"),
    ("handshake", G, "p-2"),
    ("embolden", G, "p-5"),
    ("summitry", G, "p-6"),
    ("messy", G, "p-9"),
]


def _search(page, base_url, query):
    page.goto(base_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(query, delay=20)
    results = page.locator(".md-search-result__list")
    expect(results.locator("a.md-search-result__link").first).to_be_visible(timeout=10000)
    return results


@pytest.mark.parametrize("query, slug, pid", QUERIES)
def test_query_lands_on_the_paragraph(page, base_url, query, slug, pid):
    results = _search(page, base_url, query)
    links = results.locator(f'a.md-search-result__link[href*="papers/{slug}/"][href*="#"]')
    expect(links.first).to_have_attribute("href", re.compile(rf"papers/{slug}/\?h=[^#]*#{pid}$"))
    expect(links.first.locator("mark").first).to_be_visible()
    links.first.click()
    page.wait_for_url(re.compile(rf"papers/{slug}/\?h=.*#{pid}$"))
    para = page.locator(f"#{pid}")
    expect(para).to_be_in_viewport()
    expect(para).to_have_class(re.compile(r"\bpr-target\b"))
    expect(para.locator("mark").first).to_have_text(re.compile(query, re.I))


def test_a_query_with_words_from_both_papers_returns_both(page, base_url):
    results = _search(page, base_url, "ballistic")
    expect(results.locator(f'a[href*="papers/{KLINGNER_SLUG}/"][href*="#p-"]').first).to_be_attached()
    expect(results.locator(f'a[href*="papers/{GOMEZ_SLUG}/"][href*="#p-"]').first).to_be_attached()


# The real site's postings fit in one term bundle. The same index cut into small
# bundles (search_shards.TERM_BUNDLE lowered) makes the worker look words up in
# many bundles, as it does in a large library.
SMALL_BUNDLE = 1024


@pytest.fixture(scope="module")
def small_bundles_url(built_site, tmp_path_factory):
    import functools
    import http.server
    import json
    import shutil
    import threading

    from policy_reader.site.search import shards as search_shards

    site = tmp_path_factory.mktemp("small-bundles") / "site"
    shutil.copytree(built_site, site)
    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search_shards, "TERM_BUNDLE", SMALL_BUNDLE)
        search_shards.write(site, config, search_shards.load_docs(built_site))
    where = json.loads((site / "search" / "shards" / "manifest.json").read_text(encoding="utf-8"))["termShards"]
    def key_of(word):  # the worker's bundleKey: the longest key the manifest names that begins the word
        return next((word[:n] for n in range(len(word), 1, -1) if word[:n] in where), None)

    words = [w for q, _, _ in QUERIES for w in search_shards.tokens(q)]
    assert len({where[key_of(w)] for w in words if key_of(w)}) >= 8  # the queries need many bundles
    assert any(len(key_of(w) or "") > 2 for w in words)  # and some look under a prefix cut longer
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_queries_land_on_their_paragraphs_across_small_term_bundles(page, small_bundles_url):
    for query, slug, pid in QUERIES + [("Kim Jong-un plen", K, "p-7")]:
        results = _search(page, small_bundles_url, query)
        links = results.locator(f'a.md-search-result__link[href*="papers/{slug}/"][href*="#"]')
        expect(links.first).to_have_attribute("href", re.compile(rf"papers/{slug}/\?h=[^#]*#{pid}$"))
        expect(links.first.locator("mark").first).to_be_visible()


# ------------------------------------------------------------------ the index's layout, in use

@pytest.fixture(scope="module")
def resharded(built_site, tmp_path_factory):
    """The real site's index written again with other cut points: ``lazy`` has every
    term in files of its own in tiers of 3, 12, 48 ... postings (later tiers fetched only
    when needed), ``eager`` every term in one file of its own (nothing left to fetch)."""
    import json
    import shutil

    from policy_reader.site.search import shards as search_shards

    sites = {}
    for name, top in (("lazy", 3), ("eager", 10**9)):
        site = tmp_path_factory.mktemp(name) / "site"
        shutil.copytree(built_site, site)
        config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(search_shards, "OWN_FILE", 1)
            mp.setattr(search_shards, "TOP", top)
            search_shards.write(site, config, search_shards.load_docs(built_site))
        sites[name] = site
    manifest = json.loads((sites["lazy"] / "search" / "shards" / "manifest.json").read_text(encoding="utf-8"))
    assert sum(1 for v in manifest["ownFiles"].values() if len(v) > 2) > 50  # many terms have tiers
    return sites


TAIL_QUERIES = [q for q, _, _ in QUERIES] + [
    "sanctions", "sanctions relief", "North Korea", "Kim Jong-un", "ballistic missile tests", "maximum pressure",
    "denuclearization talks", "the United States", "missile", "kor", "sanc", "us nuclear weapons program",
]


def test_tails_fetched_only_when_needed_change_no_result(built_site, resharded):
    """The worker leaves a tail unfetched only when it cannot change the results shown
    or their order: the same hits, in the same order, as with every posting at hand."""
    from policy_reader.dev.search_quality import run_queries

    lazy = run_queries(resharded["lazy"], TAIL_QUERIES)
    eager = run_queries(resharded["eager"], TAIL_QUERIES)
    assert lazy == eager
    assert all(lazy) and max(len(h) for h in lazy) >= 10


def _fetched_for(page, base_url, typed, last):
    """The shard files a query fetches: ``typed`` filled in, then ``last`` pressed (one query;
    letter by letter, every prefix would be a query of its own)."""
    fetched = []
    page.on("request", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]) if "/search/shards/" in r.url else None)
    page.goto(base_url)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(typed)
    fetched.clear()
    box.press(last)
    results = page.locator(".md-search-result__list")
    expect(results.locator("a.md-search-result__link").first).to_be_visible(timeout=10000)
    return fetched, results


def test_a_query_fetches_its_postings_then_only_the_records_it_shows(page, base_url):
    import json

    from policy_reader.site.search import shards as search_shards

    # a rare word (in CARRY_DF documents or fewer): its bundle, then the record shards of its results
    fetched, _ = _fetched_for(page, base_url, "plenu", "m")
    records = [n for n in fetched if n.startswith("r")]
    assert records and len(set(records)) <= 10  # at most one record shard per result shown
    assert not [n for n in fetched if n.startswith("d")]  # no whole document shards
    # a middling word (in more than CARRY_DF documents): its file carries its results' records
    manifest = json.loads(page.request.get(base_url + "search/shards/manifest.json").body())
    assert manifest["ownFiles"]["sanctions"][0] > search_shards.CARRY_DF
    fetched, results = _fetched_for(page, base_url, "sanction", "s")
    assert not [n for n in fetched if n.startswith("r")], fetched
    expect(results.locator("a.md-search-result__link mark").first).to_have_text(re.compile("sanction", re.I))


# ------------------------------------------------------------------ ranking quality

@pytest.fixture(scope="module")
def evaluation_site(tmp_path_factory):
    """The seed papers plus the development papers the query set is written over."""
    from policy_reader.dev.search_quality import build_site

    return build_site(tmp_path_factory.mktemp("search-quality"))


# Measured with the real worker over the evaluation site (dev/search_quality.py):
# development queries 1.00, held-out 0.95 (30 queries, 10 held out). The floors sit
# just under: a change to ranking or indexing that loses a known answer fails here.
# Set 8's six papers joining the development papers (issue 15, topics7) grew the corpus the query
# set is written over: measured then, development 0.975 ('special envoy for human rights' rank 2:
# a set 8 report names the Special Envoy for North Korean Human Rights Issues), held out 0.845
# ('accept North Korea as a nuclear state' rank 5 behind a set 8 debate on North Korea's nuclear
# test; 'seventh test Punggye-ri' rank 4 behind set 7's papers). The ranking code is unchanged.
# Read (helper search3): set 7's two paragraphs name a seventh test at Punggye-ri as the expected
# one does, and are its answers too (graded relevance, `also` in queries.yml): held out 0.92. The
# set 8 paragraphs above 'accept North Korea as a nuclear state' are not answers (a Speaker's
# "move on to the next statement", a question on the 2017 test): a ranking miss, left standing
# ("accept" does not match "accepting": no stemming), so the floor stays under it.
# Set 10's six papers joining (issue 15, topics9): held out 0.92 -> 0.87, 'money laundering' rank 2
# behind set 10's obituary, whose p-6 has "money frozen at a bank in Macau" the Treasury "branded
# a laundering concern" (both words, not the phrase). Whether it is an answer too (`also`) is the
# search owner's call; the ranking code is unchanged, so the floor went under it. Read (lead, ninth
# session): that paragraph tells a money-laundering designation of a bank holding North Korean money,
# an answer as good as the expected one's single clause (`also` in queries.yml): held out back to
# 0.92 and the floor to 0.9.
MRR_DEV_FLOOR = 0.95
MRR_HELDOUT_FLOOR = 0.9


def test_known_answers_rank_first(evaluation_site):
    from policy_reader.dev.search_quality import QUERIES as QUERY_SET, evaluate

    result = evaluate(evaluation_site, QUERY_SET)
    assert result["n"] >= 20 and result["n_heldout"] >= 5 and not result["missing"]
    misses = [(q["query"], q["rank"], q["top"]) for q in result["queries"] if q["rank"] != 1]
    assert result["mrr_dev"] >= MRR_DEV_FLOOR, misses
    assert result["mrr_heldout"] >= MRR_HELDOUT_FLOOR, misses


# ------------------------------------------------------------------ one round for a frequent word

# The worker spoken to as Material speaks to it; every answer it posts is collected.
_ASK = """async ([worker, queries]) => {
  const w = new Worker(worker);
  const answers = [];
  let wake = null;
  w.onmessage = (ev) => { answers.push(ev.data); if (wake) wake(); };
  const until = (n) => new Promise((resolve) => {
    wake = () => { if (answers.length >= n) resolve(); };
    wake();
  });
  w.postMessage({type: 0, data: {config: {}, docs: [], options: {}}});
  await until(1);
  let expected = 1;
  for (const group of queries) {  /* the queries of a group are sent at once, the next group after an answer */
    for (const q of group) w.postMessage({type: 2, data: q});
    expected += 1;
    await until(expected);
  }
  w.terminate();
  return answers.slice(1).map((a) => a.data.items.map((g) => g.map((i) => [i.location, i.title, i.text])));
}"""


def _ask(page, base_url, groups):
    page.goto(base_url)
    return page.evaluate(_ASK, [base_url + "assets/search-worker.js", groups])


@pytest.fixture(scope="module")
def lazy_url(resharded):
    """The real site's index with every term in files of its own (``resharded["lazy"]``), served."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(resharded["lazy"])))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_frequent_word_shows_its_results_from_its_own_file_alone(page, lazy_url):
    """A whole word with a file of its own needs no record shard: the records of its heaviest
    paragraphs come with its postings, their text a window holding the word, marked."""
    fetched = []
    page.context.on("request", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]) if "/search/shards/" in r.url else None)
    [groups] = _ask(page, lazy_url, [["sanctions "]])  # a trailing space: the word is whole
    hits = [item for group in groups for item in group if item[2]]
    paragraphs = [h for h in hits if re.search(r"papers/[^/]+/#(p-\d+[a-z]*|kt-\d+[a-z]*|bio)$", h[0])]
    assert len(hits) >= 10 and len(paragraphs) >= 3, hits
    assert not [n for n in fetched if n.startswith("r")], fetched  # no record shard
    assert [n for n in fetched if n.startswith("p-")]
    for location, title, text in paragraphs:
        assert re.match(r"(¶ \d+[a-z]*|Key takeaway \d+|About the author)", title) or "·" in title, title
        assert "<mark data-md-highlight>" in text and len(re.sub(r"<[^>]+>", "", text)) <= 210, text


def test_a_query_overtaken_by_a_newer_one_is_not_answered(page, base_url):
    """Queries sent while an earlier one still waits for its files: only the newest is
    answered (an older answer arriving later would replace the results of what the reader
    typed last)."""
    answers = _ask(page, base_url, [["sanctions relief", "ballistic", "Damocles"], ["plenum"]])
    assert len(answers) == 2
    first = [item[0] for group in answers[0] for item in group]
    second = [item[0] for group in answers[1] for item in group]
    assert any(h.endswith(f"papers/{K}/#p-12") for h in first), first  # Damocles
    assert any(h.endswith(f"papers/{K}/#p-7") for h in second), second  # plenum


@pytest.fixture(scope="module")
def mixed_site(built_site, tmp_path_factory):
    """The real site's index with frequent words in files of their own (OWN_FILE lowered) beside
    term bundles: "sanctions" has its own file, and words beginning "sa" a bundle."""
    import json
    import shutil

    from policy_reader.site.search import shards as search_shards

    site = tmp_path_factory.mktemp("mixed") / "site"
    shutil.copytree(built_site, site)
    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(search_shards, "OWN_FILE", 40)
        search_shards.write(site, config, search_shards.load_docs(built_site))
    manifest = json.loads((site / "search" / "shards" / "manifest.json").read_text(encoding="utf-8"))
    assert "sanctions" in manifest["ownFiles"] and "sa" in manifest["termShards"]
    return site


@contextlib.contextmanager
def _holding_server(site, releases, holds):
    """A server of ``site`` that answers a file for which ``holds(name)`` only once a file for
    which ``releases(name)`` has been asked for (or 10 s have passed). Yields (its URL, a list
    with one bool per held file: whether the release came in time)."""
    import functools
    import http.server
    import threading

    asked = threading.Event()
    held: list[bool] = []

    class Holding(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            name = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
            if releases(name):
                asked.set()
            elif holds(name):
                held.append(asked.wait(10))
            return super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Holding, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", held
    finally:
        server.shutdown()
        server.server_close()


def test_a_frequent_words_own_file_is_fetched_beside_its_bundle(page, mixed_site):
    """A word still being typed (no trailing space) needs its bundle (for its rarer completions)
    and the first tier of its own file: both are asked for in one round. The server holds back
    every term bundle until the own file has been asked for (or 10 s have passed): the own file
    must be asked for while the bundle is still on its way."""
    with _holding_server(mixed_site, lambda name: name.startswith("p-"), lambda name: name.startswith("t-")) as (url, held):
        [groups] = _ask(page, url, [["sanctions"]])  # no trailing space: its bundle and its own file
    assert [item for group in groups for item in group], groups
    assert held and all(held), held  # the own file was asked for before any bundle was answered


def test_a_query_of_several_words_fetches_second_tiers_beside_the_first(page, resharded):
    """In a query of two whole words ("sanctions korea "), the second tier of each word's own file is asked for
    beside its first, not in a round after the first ranking: the server holds back the
    first tiers until the second tier of "sanctions" has been asked for (or 10 s have
    passed). The results are those of the index with every posting at hand."""
    import json

    from policy_reader.dev.search_quality import run_queries

    site = resharded["lazy"]
    own = json.loads((site / "search" / "shards" / "manifest.json").read_text(encoding="utf-8"))["ownFiles"]
    assert len(own["sanctions"]) > 3 and len(own["korea"]) > 2  # [df, tier 1, tier 2, ...]
    firsts = {f"p-{own[w][1][0]}.json" for w in ("sanctions", "korea")}
    second = f"p-{own['sanctions'][2][0]}.json"
    with _holding_server(site, lambda name: name == second, lambda name: name in firsts) as (url, held):
        [groups] = _ask(page, url, [["sanctions korea "]])
    hits = [item[0] for group in groups for item in group]
    assert hits, groups
    assert len(held) == 2 and all(held), held  # the second tier was asked for before any first tier was answered
    [eager] = run_queries(resharded["eager"], ["sanctions korea "])
    [lazy] = run_queries(site, ["sanctions korea "])
    assert lazy == eager and lazy



@pytest.fixture(scope="module")
def bare_url(built_site, tmp_path_factory):
    """The real site's index with every term in files of their own in tiers of 3, 12, 48 ...
    postings, carrying one record each: a query's records come from the record shards."""
    import functools
    import http.server
    import json
    import shutil
    import threading

    from policy_reader.site.search import shards as search_shards

    site = tmp_path_factory.mktemp("bare") / "site"
    shutil.copytree(built_site, site)
    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    with pytest.MonkeyPatch.context() as mp:
        for name, value in (("OWN_FILE", 1), ("TOP", 3), ("EMBED", 1), ("SHOWN", 1)):
            mp.setattr(search_shards, name, value)
        search_shards.write(site, config, search_shards.load_docs(built_site))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_records_fetched_beside_the_tails_are_those_of_results_shown(page, bare_url):
    """While a query's tails are fetched, the worker asks beside them only for the records of
    results no tail can push out of those shown: every record shard a query fetches holds a
    result it shows (a fresh worker per query, so no file comes from an earlier one). On the
    two seed papers the old worker (records of the ten best so far) passes too: their top ten
    seldom changes with the tails; at 1,000 papers half of those records went unshown."""
    from policy_reader.site.search import shards as search_shards

    site, url = bare_url
    ids = {d["location"]: i for i, d in enumerate(search_shards.load_docs(site))}
    fetched: list[str] = []
    page.context.on("request", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]) if "/search/shards/r" in r.url else None)
    checked = 0
    for query in [q for q in TAIL_QUERIES if " " in q.strip()]:
        fetched.clear()
        [groups] = _ask(page, url, [[query]])
        shown = {f"r{ids[item[0]] // search_shards.RECORD_SHARD}.json" for group in groups for item in group if item[0] in ids}
        assert set(fetched) <= shown, (query, sorted(set(fetched) - shown))
        checked += bool(fetched)
    assert checked >= 3  # queries that did fetch record shards
