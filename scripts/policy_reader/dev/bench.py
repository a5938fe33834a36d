"""``make bench``: every figure of issue 16 against stock Material, each beside its target.

Not a test: it measures and reports. For each library size (synthetic papers of
:mod:`policy_reader.dev.synth` added to the real two):

- builds, ours and stock Material taking turns (ours cold, stock, ours warm,
  stock, repeated ``--runs`` times; medians): wall time, CPU time (user + system
  of the build and every process it waited for, pandoc included) and peak
  memory. "Cold" means no ``.cache/``; "warm" is the next build. Stock
  Material is the theme with its search plugin building the same Markdown,
  papers out of the sidebar (``nav`` lists the home page only), our plugin and
  mkdocs-bibtex off;
- linearity: the cold build at 2,000 papers over the one at 1,000;
- in headless chromium, ours and stock side by side: search ready after page
  load (ours: our worker; stock: Material's lunr), query to results for a set
  of queries drawn from the library's words (frequent, middling, rare, and
  two-word), typed in turn on our site and on stock's: median and p95; and the
  bytes a query fetches (gzip-compressed, as a host that compresses sends
  them);
- topic page sizes: the largest page (gzip) of every topic;
- MRR of our search on the real site, from
  ``policy_reader.dev.search_quality.evaluate`` when that module exists.

Every run appends one JSON line to ``bench/history.jsonl`` (with the git commit,
the date and the machine's load before and after) and writes the table to
``bench/results.md``; each run prints the change from the previous run of
the same sizes; ``--compare`` prints it for the last two recorded runs
without running anything.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import importlib
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from policy_reader.dev import synth

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:8000/")}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TOPIC_PAGE_KB = 150


def timed(cmd: list[str], cwd: Path) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds (user + system, waited-for descendants
    included) and peak RSS in MiB (the largest process of the tree)."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty child never blocks
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"bench: {' '.join(cmd)} failed in {cwd}:\n{err.read().decode()[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "mib": usage.ru_maxrss / 1024}


def copy_project(root: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in ("sources", "bib", "docs"):
        shutil.copytree(root / name, dest / name)
    shutil.copy(root / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


STOCK_CONFIG = """\
site_name: stock
site_url: http://127.0.0.1:8000/
docs_dir: {docs}
theme:
  name: material
  font: false
nav:
  - index.md
markdown_extensions: [toc, attr_list, md_in_html, footnotes, abbr]
plugins: [search]
exclude_docs: |
  overrides/
  includes/
  *.yml
  *.json
"""


def build_cmd(site: Path, config: Path | None = None) -> list[str]:
    cmd = [str(BIN / "mkdocs"), "build", "--site-dir", str(site)]
    if config:
        cmd += ["--config-file", str(config)]
    else:
        cmd.append("--strict")
    return cmd


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def p95(xs: list[float]) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def builds(proj: Path, stock_cfg: Path, runs: int, out: Path) -> dict:
    """Ours cold, stock, ours warm, stock; ``runs`` rounds; medians."""
    got: dict[str, list[dict]] = {"ours_cold": [], "stock_cold": [], "ours_warm": [], "stock_warm": []}
    for r in range(runs):
        for kind in ("ours_cold", "stock_cold", "ours_warm", "stock_warm"):
            site = out / f"{kind}-{r}"
            if kind == "ours_cold":
                shutil.rmtree(proj / ".cache", ignore_errors=True)
            got[kind].append(timed(build_cmd(site, None if kind.startswith("ours") else stock_cfg), proj))
            if not (kind == "ours_cold" and r == runs - 1) and not (kind == "stock_cold" and r == runs - 1):
                shutil.rmtree(site, ignore_errors=True)  # keep one site of each for the browser
    res = {}
    for kind, rows in got.items():
        res[kind] = {k: round(median([row[k] for row in rows]), 3) for k in ("wall", "cpu", "mib")}
        res[kind]["mib"] = round(max(row["mib"] for row in rows), 1)
    return res


class Server:
    def __init__(self, directory: Path):
        handler = functools.partial(_Quiet, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# From page load to the first results of a query typed into a page that has just loaded.
SEARCH_PROBE = """async ([query]) => {
  const input = document.querySelector('.md-search__input');
  const items = () => document.querySelectorAll('.md-search-result__item').length;
  input.focus();
  input.value = query;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));
  const t0 = performance.now();
  while (items() === 0) {
    if (performance.now() - t0 > 60000) return -1;
    await new Promise(r => setTimeout(r, 2));
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
  return performance.now();
}"""

# Clear the box (and wait until the results list is empty), then type the query and time
# until the result count line changes from the cleared one: results, or "no matching".
QUERY_PROBE = """async ([query]) => {
  const input = document.querySelector('.md-search__input');
  const meta = document.querySelector('.md-search-result__meta');
  const items = () => document.querySelectorAll('.md-search-result__item').length;
  const fire = () => { input.dispatchEvent(new Event('input', {bubbles: true}));
                       input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true})); };
  input.value = ''; fire();
  let t = performance.now();
  while (items() !== 0) {
    if (performance.now() - t > 10000) return -1;
    await new Promise(r => setTimeout(r, 1));
  }
  const cleared = meta.textContent;
  await new Promise(r => setTimeout(r, 20));
  const t0 = performance.now();
  input.value = query; fire();
  while (meta.textContent === cleared && items() === 0) {
    if (performance.now() - t0 > 20000) return -1;
    await new Promise(r => setTimeout(r, 1));
  }
  return performance.now() - t0;
}"""


def library_queries(paragraphs: list[str], count: int, seed: int = 16) -> list[str]:
    """Queries from the library's own words: a quarter frequent, a quarter middling, a quarter
    rare (two to five occurrences), a quarter two words of one paragraph (neighbours once
    stopwords are skipped)."""
    from collections import Counter

    rng = random.Random(seed)
    freq: Counter[str] = Counter()
    for p in paragraphs:
        freq.update(t for t in synth.terms(p) if t.isalpha() and len(t) >= 4 and t not in synth.STOPWORDS)
    ranked = [t for t, _ in freq.most_common()]
    q = count // 4
    frequent = rng.sample(ranked[:100], min(q, len(ranked[:100])))
    middle = rng.sample(ranked[100:2000], min(q, len(ranked[100:2000])))
    rare_pool = [t for t in ranked if 2 <= freq[t] <= 5]
    rare = rng.sample(rare_pool, min(q, len(rare_pool)))
    pairs = []
    while len(pairs) < count - len(frequent) - len(middle) - len(rare):
        words = [w for w in synth.terms(rng.choice(paragraphs)) if w.isalpha() and len(w) >= 4 and w not in synth.STOPWORDS]
        if len(words) >= 2:
            k = rng.randrange(len(words) - 1)
            pairs.append(f"{words[k]} {words[k + 1]}")
    out = [x for group in zip(frequent, middle, rare, pairs) for x in group]
    return out + [x for x in frequent + middle + rare + pairs if x not in out]


def browser_figures(ours: Path, stock: Path, queries: list[str], loads: int) -> dict:
    """Ours and stock in one browser, taking turns: search ready after load (``loads`` fresh
    page loads each), then query to results for each query, and our bytes per query."""
    from playwright.sync_api import sync_playwright

    servers = {"ours": Server(ours), "stock": Server(stock)}
    out: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            contexts = {k: browser.new_context(bypass_csp=True, service_workers="block") for k in servers}
            fetched: dict[str, list[str]] = {k: [] for k in servers}
            roots = {"ours": ours, "stock": stock}
            sizes: dict[Path, int] = {}

            # Only the URL is noted while a query runs: asking the browser for each response's
            # body (and compressing it) then took time from the query being timed. The bytes
            # are the files' own, gzip-compressed, once the query is done.
            def recorder(name):
                def record(request):
                    fetched[name].append(request.url)
                return record

            def gzip_bytes(name: str, url: str) -> int:
                path = roots[name] / url.split("?", 1)[0].split("#", 1)[0].split("/", 3)[3]
                if path.is_dir():
                    path = path / "index.html"
                if path not in sizes:
                    sizes[path] = len(gzip.compress(path.read_bytes(), 6)) if path.is_file() else 0
                return sizes[path]

            ready: dict[str, list[float]] = {k: [] for k in servers}
            pages = {}
            for i in range(loads):
                for name in (("ours", "stock") if i % 2 == 0 else ("stock", "ours")):
                    if name in pages:
                        pages[name].close()
                    page = contexts[name].new_page()
                    page.goto(servers[name].url, wait_until="load")
                    load_at = page.evaluate("performance.timing.loadEventEnd - performance.timing.navigationStart")
                    at = page.evaluate(SEARCH_PROBE, [queries[0]])
                    if at >= 0:
                        ready[name].append(at - load_at)
                    pages[name] = page
            for name in servers:
                contexts[name].on("request", recorder(name))
                fetched[name].clear()
            latency: dict[str, list[float]] = {k: [] for k in servers}
            per_query_bytes: dict[str, list[int]] = {k: [] for k in servers}
            failed: dict[str, int] = {k: 0 for k in servers}
            for i, q in enumerate(queries):
                for name in (("ours", "stock") if i % 2 == 0 else ("stock", "ours")):
                    before = len(fetched[name])
                    ms = pages[name].evaluate(QUERY_PROBE, [q])
                    pages[name].wait_for_timeout(60)  # let the response events of this query arrive
                    per_query_bytes[name].append(sum(gzip_bytes(name, u) for u in fetched[name][before:]))
                    if ms >= 0:
                        latency[name].append(ms)
                    else:
                        failed[name] += 1
            for name in servers:
                out[name] = {
                    "ready_ms": round(median(ready[name]), 1) if ready[name] else None,
                    "query_ms_median": round(median(latency[name]), 1) if latency[name] else None,
                    "query_ms_p95": round(p95(latency[name]), 1) if latency[name] else None,
                    "query_ms_max": round(max(latency[name]), 1) if latency[name] else None,
                    "query_bytes_median": median(per_query_bytes[name]),
                    "query_bytes_p95": p95(per_query_bytes[name]),
                    "query_bytes_max": max(per_query_bytes[name]),
                    "queries": len(queries),
                    "failed": failed[name],
                }
            browser.close()
    finally:
        for s in servers.values():
            s.close()
    return out


def topic_page_sizes(site: Path) -> dict[str, int]:
    """Largest page of each topic, gzip-compressed bytes (its first page and pages 2, 3...)."""
    sizes: dict[str, int] = {}
    for index in sorted((site / "topics").glob("*/index.html")) if (site / "topics").exists() else []:
        slug = index.parent.name
        pages = [index, *(index.parent / "page").glob("*/index.html")]
        sizes[slug] = max(len(gzip.compress(p.read_bytes(), 6)) for p in pages)
    return sizes


def index_bytes(site: Path) -> tuple[int, int]:
    files = [site / "search" / "search_index.json", *sorted((site / "search" / "shards").glob("*.json"))]
    blobs = [f.read_bytes() for f in files if f.exists()]
    return sum(map(len, blobs)), sum(len(gzip.compress(b, 6)) for b in blobs)


def mrr(root: Path, tmp: Path, queries_file: str | None) -> dict:
    """Our search's MRR on the real site (with the development papers, when the module's
    ``build_site`` adds them), or why it was not measured."""
    try:
        quality = importlib.import_module("policy_reader.dev.search_quality")
    except ModuleNotFoundError:
        return {"note": "not measured (module missing)"}
    candidates = [queries_file] if queries_file else []
    candidates += [getattr(quality, n) for n in ("QUERIES", "QUERIES_FILE", "DEFAULT_QUERIES") if isinstance(getattr(quality, n, None), (str, Path))]
    paths = [Path(c) if Path(c).is_absolute() else root / c for c in candidates if c]
    qfile = next((p for p in paths if p.exists()), None)
    if qfile is None:
        return {"note": "not measured (no queries file: pass --queries-file)"}
    if hasattr(quality, "build_site"):
        site = Path(quality.build_site(tmp / "mrr", root))
    else:
        real = copy_project(root, tmp / "mrr")
        timed([str(BIN / "policy-reader"), "permalinks", "--update", "--root", str(real)], real)
        site = real / "site"
        timed(build_cmd(site), real)
    result = {k: v for k, v in dict(quality.evaluate(site, qfile)).items() if k != "queries"}  # per-query detail stays out of the history
    result["queries_file"] = str(qfile.relative_to(root)) if qfile.is_relative_to(root) else str(qfile)
    return result


def git_commit(root: Path) -> dict:
    def git(*a):
        r = subprocess.run(["git", *a], cwd=root, capture_output=True, text=True)
        return r.stdout.strip()
    return {"commit": git("rev-parse", "HEAD")[:12], "dirty": bool(git("status", "--porcelain", "--", "scripts", "docs", "bib", "sources", "mkdocs.yml")),
            "subject": git("log", "-1", "--format=%s")[:100]}


def measure_size(root: Path, tmp: Path, n: int, args) -> dict:
    proj = copy_project(root, tmp / f"lib{n}")
    synth.write_library(proj / "sources", n, seed=args.seed)
    row: dict = {}
    row["convert_s"] = round(timed([str(BIN / "policy-reader"), "convert", "--root", str(proj)], proj)["wall"], 2)
    row["reconvert_s"] = round(timed([str(BIN / "policy-reader"), "convert", "--root", str(proj)], proj)["wall"], 2)
    subprocess.run([str(BIN / "policy-reader"), "permalinks", "--update", "--root", str(proj)], cwd=proj, env=ENV, capture_output=True)
    stock_cfg = tmp / f"stock{n}.yml"
    stock_cfg.write_text(STOCK_CONFIG.format(docs=proj / "docs"), encoding="utf-8")
    out = tmp / f"sites{n}"
    row["builds"] = builds(proj, stock_cfg, args.runs, out)
    ours_site, stock_site = out / f"ours_cold-{args.runs - 1}", out / f"stock_cold-{args.runs - 1}"
    row["index_raw"], row["index_gz"] = index_bytes(ours_site)
    row["stock_index_raw"], row["stock_index_gz"] = index_bytes(stock_site)
    row["topic_page_gz"] = topic_page_sizes(ours_site)
    if not args.no_browser:
        paragraphs = [p for i in range(1, n + 1) for p in synth.body_paragraphs(synth.paper(i, seed=args.seed)[1])]
        queries = library_queries(paragraphs or synth.corpus().paragraphs, args.queries)
        row["queries"] = queries
        row["search"] = browser_figures(ours_site, stock_site, queries, args.loads)
    shutil.rmtree(proj)
    shutil.rmtree(out)
    return row


# --- the table ----------------------------------------------------------------------------------

def _ratio(a, b):
    return a / b if a is not None and b else None


def _mark(ok):
    return "-" if ok is None else ("met" if ok else "MISSED")


def figures(record: dict) -> list[tuple[str, str, str, str, str, str, str]]:
    """Rows: (figure, papers, ours, anchor, ratio, target, met)."""
    rows = []
    for n_text, r in sorted(record["results"].items(), key=lambda kv: int(kv[0])):
        n = int(n_text)
        b = r["builds"]
        for label, key, kind, target in (("cold build wall", "wall", "cold", 1.5), ("cold build CPU", "cpu", "cold", 1.5),
                                         ("warm build wall", "wall", "warm", 1.0)):
            o, s = b[f"ours_{kind}"][key], b[f"stock_{kind}"][key]
            x = _ratio(o, s)
            rows.append((label, n, f"{o:.1f} s", f"{s:.1f} s", f"{x:.2f}x", f"<= {target}x", _mark(x <= target)))
        o, s = b["ours_cold"]["mib"], b["stock_cold"]["mib"]
        x = _ratio(o, s)
        rows.append(("build peak memory", n, f"{o:.0f} MiB", f"{s:.0f} MiB", f"{x:.2f}x", "<= 2x", _mark(x <= 2)))
        srch = r.get("search")
        if srch:
            o, s = srch["ours"], srch["stock"]
            for label, key, target in (("query to results, median", "query_ms_median", 50), ("query to results, p95", "query_ms_p95", 100)):
                x = _ratio(o[key], s[key])
                rows.append((f"{label} ({o['queries']} queries)", n, f"{o[key]} ms", f"lunr {s[key]} ms", f"{x:.2f}x" if x else "-",
                             f"<= {target} ms", _mark(o[key] <= target if o[key] is not None else None)))
            kb = lambda v: "-" if v is None else f"{v / 1024:.1f} KB"
            rows.append(("bytes per query, gzip, median / p95 / max", n,
                         f"{kb(o['query_bytes_median'])} / {kb(o['query_bytes_p95'])} / {kb(o['query_bytes_max'])}",
                         f"lunr 0 per query; index {kb(r['stock_index_gz'])} on load", "", "<= 30 KB (p95)",
                         _mark(o["query_bytes_p95"] <= 30 * 1024 if o["query_bytes_p95"] is not None else None)))
            rows.append(("search ready after page load", n, f"{o['ready_ms']} ms", f"lunr {s['ready_ms']} ms", "",
                         "no number in issue 16 (51 ms was fine)", "-"))
            if o["failed"] or s["failed"]:
                rows.append(("queries that timed out", n, str(o["failed"]), str(s["failed"]), "", "0", _mark(o["failed"] == 0)))
        tp = r.get("topic_page_gz") or {}
        if tp:
            worst = max(tp, key=tp.get)
            rows.append(("largest topic page, gzip", n, f"{tp[worst] / 1024:.0f} KB ({worst})", "", "",
                         f"<= {TOPIC_PAGE_KB} KB at 1,000 papers", _mark(tp[worst] <= TOPIC_PAGE_KB * 1024) if n >= 1000 else "-"))
        rows.append(("search index, gzip (ours shards / stock json)", n, f"{r['index_gz'] / 1024:.0f} KB", f"{r['stock_index_gz'] / 1024:.0f} KB", "", "", "-"))
        rows.append(("convert (again, nothing changed)", n, f"{r['convert_s']:.1f} s ({r['reconvert_s']:.2f} s)", "", "", "", "-"))
    res = record["results"]
    if "1000" in res and "2000" in res:
        # Wall time follows the machine's load, which moves in a run of an hour; CPU time much less.
        for what in ("wall", "cpu"):
            for who in ("ours", "stock"):
                x = res["2000"]["builds"][f"{who}_cold"][what] / res["1000"]["builds"][f"{who}_cold"][what]
                rows.append((f"linearity, cold build {'CPU' if what == 'cpu' else what} 2,000 / 1,000 ({who})", "1000-2000", f"{x:.2f}x", "", "", "<= 2.2x",
                             _mark(x <= 2.2) if who == "ours" else "-"))
    else:
        rows.append(("linearity 1,000 -> 2,000", "-", "not measured (needs sizes 1000 and 2000)", "", "", "<= 2.2x", "-"))
    m = record.get("mrr") or {}
    if "mrr" in m:
        rows.append(("ranking, MRR on the real site", "real", f"{m['mrr']:.3f} (dev {m.get('mrr_dev', float('nan')):.3f}, held out {m.get('mrr_heldout', float('nan')):.3f}, n={m.get('n')})",
                     "Pagefind 0.817 (issue 16)", "", ">= 0.9, n >= 20", _mark(m["mrr"] >= 0.9 and (m.get("n") or 0) >= 20)))
    else:
        rows.append(("ranking, MRR on the real site", "real", m.get("note", "not measured"), "", "", ">= 0.9, n >= 20", "-"))
    return rows


def table(record: dict) -> str:
    lines = [
        f"Bench of commit {record['commit']}{' (with uncommitted changes)' if record['dirty'] else ''} ({record['subject']}), {record['date']}",
        f"sizes {','.join(map(str, record['sizes']))} papers; {record['runs']} rounds of builds (ours cold, stock, ours warm, stock), medians; "
        f"load average {record['load_before']} before, {record['load_after']} after ({record['cores']} cores); {record['seconds']:.0f} s in all",
        "",
        "| figure | papers | ours | anchor (stock Material / lunr) | ratio | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(str(c) for c in row)} |" for row in figures(record)]
    return "\n".join(lines)


def _flat(record: dict) -> dict[str, float]:
    """Comparable numbers of a record: {"1000 cold build wall ours": 71.2, ...}."""
    out = {}
    for n, r in record.get("results", {}).items():
        for kind, v in r["builds"].items():
            for k, x in v.items():
                out[f"{n} {kind} {k}"] = x
        for who, v in (r.get("search") or {}).items():
            for k, x in v.items():
                if isinstance(x, (int, float)) and k not in ("queries", "failed"):
                    out[f"{n} search {who} {k}"] = x
        if r.get("topic_page_gz"):
            out[f"{n} topic page max gz"] = max(r["topic_page_gz"].values())
    if "mrr" in (record.get("mrr") or {}):
        out["mrr"] = record["mrr"]["mrr"]
    return out


def compare(prev: dict, now: dict) -> str:
    a, b = _flat(prev), _flat(now)
    lines = [f"Change from {prev['commit']} ({prev['date']}, load {prev['load_before']}) to {now['commit']} ({now['date']}, load {now['load_before']}):",
             "", "| figure | before | now | now / before |", "|---|---|---|---|"]
    for k in b:
        if k in a:
            lines.append(f"| {k} | {a[k]:g} | {b[k]:g} | {b[k] / a[k]:.2f} |" if a[k] else f"| {k} | {a[k]:g} | {b[k]:g} | - |")
    return "\n".join(lines)


def history(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_results(out: Path) -> None:
    """``results.md``: the latest run of each set of sizes in ``history.jsonl``, newest first."""
    latest: dict[tuple, dict] = {}
    for r in history(out / "history.jsonl"):
        latest[tuple(r["sizes"])] = r
    runs = sorted(latest.values(), key=lambda r: r["date"], reverse=True)
    head = ["# Bench results", "", "Written by `make bench` (`python -m policy_reader.dev.bench`): the latest run of each set",
            "of library sizes; every run is a line of `history.jsonl`. Ratios count, not seconds: the",
            "machine is shared, and its load is given with each run.", ""]
    body = [table(r) + f"\n\nCommand: `{r.get('command') or 'python -m policy_reader.dev.bench --sizes ' + ','.join(map(str, r['sizes']))}`" for r in runs]
    (out / "results.md").write_text("\n".join(head) + "\n" + "\n\n".join(body) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m policy_reader.dev.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=".")
    ap.add_argument("--sizes", default="100,1000,2000", help="library sizes (synthetic papers added to the real two)")
    ap.add_argument("--runs", type=int, default=3, help="rounds of builds (ours cold, stock, ours warm, stock) per size")
    ap.add_argument("--queries", type=int, default=40, help="search queries per size")
    ap.add_argument("--loads", type=int, default=3, help="page loads per site for the search-ready time")
    ap.add_argument("--seed", type=int, default=synth.SEED)
    ap.add_argument("--queries-file", help="the MRR query set (default: the one search_quality names)")
    ap.add_argument("--out", default="bench", help="folder of history.jsonl and results.md")
    ap.add_argument("--no-browser", action="store_true", help="skip the chromium measurements")
    ap.add_argument("--compare", action="store_true", help="run nothing: print the last recorded run of --sizes and its change from the one before")
    args = ap.parse_args(argv)
    root = Path(args.root).resolve()
    out = root / args.out
    hist_path = out / "history.jsonl"
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.compare:
        same = [r for r in history(hist_path) if r["sizes"] == sizes]
        if len(same) < 2:
            print(f"bench: fewer than two recorded runs of sizes {args.sizes} in {hist_path}")
            return 1
        print(table(same[-1]) + "\n\n" + compare(same[-2], same[-1]))
        return 0
    started = time.perf_counter()
    record: dict = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), **git_commit(root),
                    "load_before": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count(),
                    "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
                    "sizes": sizes, "runs": args.runs, "seed": args.seed, "results": {},
                    "command": " ".join(["python -m policy_reader.dev.bench", *(argv if argv is not None else sys.argv[1:])])}
    print(f"bench: commit {record['commit']}, sizes {sizes}, load {record['load_before']}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        tmp = Path(tmp)
        for n in sizes:
            t = time.perf_counter()
            record["results"][str(n)] = measure_size(root, tmp, n, args)
            print(f"bench: {n} papers measured in {time.perf_counter() - t:.0f} s", flush=True)
        record["mrr"] = mrr(root, tmp, args.queries_file)
    record["load_after"] = [round(x, 2) for x in os.getloadavg()]
    record["seconds"] = round(time.perf_counter() - started, 1)
    prev = [r for r in history(hist_path) if r["sizes"] == sizes]
    out.mkdir(parents=True, exist_ok=True)
    with hist_path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n")
    write_results(out)
    print("\n" + table(record))
    if prev:
        print("\n" + compare(prev[-1], record))
    print(f"\nbench: appended to {hist_path}, wrote {out / 'results.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
