"""Query-to-results time and bytes per query of built sites, measured side by side.

``python -m policy_reader.dev.search_timing SITE [SITE ...] [--rounds N]``

Each site is served on 127.0.0.1 and opened in headless chromium (Debian's,
through Playwright). For every query and round, the sites take turns (the
order alternates), so a slow spell of the machine falls on all of them alike:

- **cold**: a fresh tab whose worker has read only the manifest; the query is
  put in Material's search box, and the time runs until the result list
  changes. The bytes are every file requested from ``search/shards/`` after
  the manifest for that query, each file gzip-compressed (level 6), as a
  static host would send it;
- **warm**: the same queries typed one after another in one tab (a file an
  earlier query fetched is in the worker's memory), as ``make bench`` does.

Prints median and p95 of each, per site. With ``--phases`` it prints instead
where the worker's time goes: the site's worker is started in the page (as
Material starts it) and sent the queries one after another; the worker
reports per query (``timing`` beside its result) the milliseconds of each
phase (postings: first round of fetches; rank; tails: later rounds;
records: fetch of the shown results' records; render: building the result
list), its rounds of fetches, the files fetched with the time spent fetching
and parsing them. Medians per phase and site. Not a test: figures only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path

from policy_reader.dev.search_quality import CHROMIUM, CHROMIUM_ARGS, _serve

QUERIES = [
    "sanctions", "secondary sanctions", "joint military exercises", "intercontinental", "working-level",
    "moratorium", "verifiable freeze", "humanitarian exemptions", "satellite imagery", "deterrence",
    "ship-to-ship transfers", "preventive strike", "congress funding", "alliance readiness",
    "sanctions relief", "Damocles", "maximum pressure", "Kim Jong-un", "ballistic missile tests",
    "denuclearization talks", "Christmas gift", "summitry", "money laundering", "plenum",
]

PROBE = """async ([query]) => {
  const input = document.querySelector('.md-search__input');
  const list = document.querySelector('.md-search-result__list');
  const before = list.innerHTML;
  input.focus();
  const t0 = performance.now();
  input.value = query;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));
  while (list.innerHTML === before || list.children.length === 0) {
    if (performance.now() - t0 > 20000) return -1;
    await new Promise(r => setTimeout(r, 1));
  }
  return performance.now() - t0;
}"""


PHASES = """async ([worker, queries]) => {
  const next = () => new Promise((resolve) => { window.__w.onmessage = (ev) => resolve(ev.data); });
  let answer;
  if (!window.__w) {  /* one worker per tab, kept across calls: later queries find earlier files in its memory */
    window.__w = new Worker(worker);
    answer = next();
    window.__w.postMessage({type: 0, data: {config: {}, docs: [], options: {}}});
    await answer;
  }
  const w = window.__w;
  const out = [];
  for (const q of queries) {
    answer = next();
    const t0 = performance.now();
    w.postMessage({type: 2, data: q});
    const result = await answer;
    const timing = result.data.timing || {};
    timing.roundTripMs = performance.now() - t0;
    out.push(timing);
  }
  return out;
}"""


def phases(sites: list[Path], queries: list[str]) -> dict:
    """Per site: each query's ``timing`` from its worker (queries sent one after another, sites
    taking turns query by query, each in its own tab and worker)."""
    from playwright.sync_api import sync_playwright

    out: dict = {str(s): [] for s in sites}
    with _browser_and_servers(sites) as (browser, servers):
        pages = []
        for server, url in servers:
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(url, wait_until="load")
            pages.append((page, url))
        for qi, query in enumerate(queries):
            order = list(range(len(sites)))[:: -1 if qi % 2 else 1]
            for i in order:
                page, url = pages[i]
                out[str(sites[i])] += page.evaluate(PHASES, [url + "assets/search-worker.js", [query]])
    return out


@contextmanager
def _browser_and_servers(sites: list[Path]):
    """A chromium and one local server per site (``(server, url)``), both shut down after."""
    from playwright.sync_api import sync_playwright

    servers = [_serve(s) for s in sites]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield browser, servers
            finally:
                browser.close()
    finally:
        for server, _ in servers:
            server.shutdown()
            server.server_close()


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def measure(sites: list[Path], queries: list[str], rounds: int) -> dict:
    out = {str(s): {"cold_ms": [], "warm_ms": [], "bytes": []} for s in sites}
    with _browser_and_servers(sites) as (browser, servers):
        for r in range(rounds):
            for qi, query in enumerate(queries):
                order = list(range(len(sites)))
                if (r + qi) % 2:
                    order.reverse()
                for i in order:
                    ctx = browser.new_context(bypass_csp=True)
                    page = ctx.new_page()
                    sizes: list[int] = []
                    armed = []

                    def record(request, sizes=sizes, armed=armed, site=sites[i]):
                        if armed and "/search/shards/" in request.url:
                            name = request.url.split("?", 1)[0].rsplit("/", 1)[-1]
                            sizes.append(len(gzip.compress((site / "search" / "shards" / name).read_bytes(), 6)))

                    page.on("request", record)
                    with page.expect_response(lambda resp: resp.url.endswith("/search/shards/manifest.json")):
                        page.goto(servers[i][1], wait_until="load")
                    page.wait_for_timeout(300)
                    armed.append(True)
                    ms = page.evaluate(PROBE, [query])
                    page.wait_for_timeout(50)
                    out[str(sites[i])]["cold_ms"].append(ms)
                    out[str(sites[i])]["bytes"].append(sum(sizes))
                    ctx.close()
            order = list(range(len(sites))) if r % 2 == 0 else list(range(len(sites)))[::-1]
            for i in order:  # warm: one tab, the queries one after another
                ctx = browser.new_context(bypass_csp=True)
                page = ctx.new_page()
                with page.expect_response(lambda resp: resp.url.endswith("/search/shards/manifest.json")):
                    page.goto(servers[i][1], wait_until="load")
                page.wait_for_timeout(300)
                for query in queries:
                    out[str(sites[i])]["warm_ms"].append(page.evaluate(PROBE, [query]))
                ctx.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="search_timing", description=__doc__.split("\n\n")[0])
    ap.add_argument("sites", nargs="+")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--phases", action="store_true", help="where the worker's time goes, per phase")
    ap.add_argument("--queries", type=int, default=0, help="this many queries drawn from the site's library "
                    "(as make bench draws them: needs --papers) instead of the fixed set")
    ap.add_argument("--papers", type=int, default=0, help="papers of the synthetic library the sites hold")
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args(argv)
    queries = QUERIES
    if args.queries:
        from policy_reader.dev import bench, synth

        seed = synth.SEED if args.seed is None else args.seed
        paragraphs = [p for i in range(1, args.papers + 1) for p in synth.body_paragraphs(synth.paper(i, seed=seed)[1])]
        queries = bench.library_queries(paragraphs or synth.corpus().paragraphs, args.queries)
    if args.phases:
        result = phases([Path(s) for s in args.sites], queries)
        for site, rows in result.items():
            keys = sorted({k for r in rows for k in r.get("phases", {})})
            line = " ".join(f"{k} {statistics.median([r.get('phases', {}).get(k, 0) for r in rows]):.1f}" for k in keys)
            print(f"{site}: medians over {len(rows)} queries (ms): total {statistics.median([r.get('totalMs', 0) for r in rows]):.1f} "
                  f"(p95 {pct([r.get('totalMs', 0) for r in rows], 0.95):.1f}), round trip {statistics.median([r['roundTripMs'] for r in rows]):.1f} | {line} | "
                  f"rounds {statistics.median([r.get('rounds', 0) for r in rows])} fetches {statistics.median([r.get('fetches', 0) for r in rows])} "
                  f"fetch {statistics.median([r.get('fetchMs', 0) for r in rows]):.1f} parse {statistics.median([r.get('parseMs', 0) for r in rows]):.1f} "
                  f"KB {statistics.median([r.get('bytes', 0) for r in rows]) / 1024:.1f}")
        print(json.dumps(result))
        return 0
    result = measure([Path(s) for s in args.sites], queries, args.rounds)
    for site, r in result.items():
        bad = sum(1 for x in r["cold_ms"] + r["warm_ms"] if x < 0)
        cold = [x for x in r["cold_ms"] if x >= 0]
        warm = [x for x in r["warm_ms"] if x >= 0]
        print(f"{site}: cold median {statistics.median(cold):.0f} ms p95 {pct(cold, 0.95):.0f} ms | "
              f"warm median {statistics.median(warm):.0f} ms p95 {pct(warm, 0.95):.0f} ms | "
              f"bytes/query (gzip) median {statistics.median(r['bytes']) / 1024:.1f} KB "
              f"p95 {pct(r['bytes'], 0.95) / 1024:.1f} KB max {max(r['bytes']) / 1024:.1f} KB"
              + (f" | {bad} timed out" if bad else ""))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
