"""``make bench``: build and search figures, printed as a table and written to a file.

Not a test: it measures and reports, each figure beside its target.

(a) the real site: median wall time and peak memory of ``mkdocs build`` over
    several runs, beside stock Material (theme + search, our plugin and
    mkdocs-bibtex off) building the same Markdown;
(b) synthetic libraries (:mod:`policy_reader.dev.synth`) of 10, 100, 1,000 and
    2,000 papers added to the real ones: convert time (and again with nothing
    changed), topic-page generation time per paragraph (cache off), build time
    cold (no caches) and warm (the next build), site size, search index size
    raw and gzip-compressed;
(c) in headless chromium: search-ready time (page load to first results) and
    query-to-results latency on those libraries;
(d) bytes transferred, gzip-compressed, for the home, a paper and a topic page.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from policy_reader.dev import synth

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MiB of the child)."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty child never blocks
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"bench: {' '.join(cmd)} failed in {cwd}:\n{err.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def copy_project(root: Path, dest: Path) -> Path:
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
markdown_extensions: [toc, attr_list, md_in_html, footnotes, abbr]
plugins: [search]
exclude_docs: |
  overrides/
  includes/
  *.yml
"""


def build_cmd(site: Path, config: str | None = None) -> list[str]:
    cmd = [str(BIN / "mkdocs"), "build", "--site-dir", str(site)]
    if config:
        cmd += ["--config-file", config]
    else:
        cmd.append("--strict")
    return cmd


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def index_sizes(site: Path) -> tuple[int, int]:
    """The whole search index (search_index.json and every shard), raw and gzip-compressed."""
    files = [site / "search" / "search_index.json", *sorted((site / "search" / "shards").glob("*.json"))]
    blobs = [f.read_bytes() for f in files if f.exists()]
    return sum(map(len, blobs)), sum(len(gzip.compress(b, 6)) for b in blobs)


def median_builds(project: Path, runs: int, configs: list[str | None]) -> list[tuple[float, float]]:
    """(median wall, peak memory) of ``runs`` builds per config, after one untimed build each
    (it fills the caches a rebuild finds). The configs take turns, so a slow spell of the
    machine falls on all of them alike."""
    times: list[list[tuple[float, float]]] = [[] for _ in configs]
    with tempfile.TemporaryDirectory() as out:
        for config in configs:
            timed(build_cmd(Path(out) / "warm-up", config), project)
        for i in range(runs):
            for j, config in enumerate(configs):
                times[j].append(timed(build_cmd(Path(out) / f"site-{i}-{j}", config), project))
    return [(statistics.median(r[0] for r in t), max(r[1] for r in t)) for t in times]


class Server:
    def __init__(self, directory: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        handler = functools.partial(_Quiet, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}/"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


SEARCH_PROBE = """async ([query]) => {
  const input = document.querySelector('.md-search__input');
  const meta = () => document.querySelector('.md-search-result__meta');
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

QUERY_PROBE = """async ([query]) => {
  const input = document.querySelector('.md-search__input');
  const list = document.querySelector('.md-search-result__list');
  const before = list.innerHTML;
  const t0 = performance.now();
  input.value = query;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));
  while (list.innerHTML === before || list.children.length === 0) {
    if (performance.now() - t0 > 10000) return -1;
    await new Promise(r => setTimeout(r, 1));
  }
  return performance.now() - t0;
}"""


# The first gives the search-ready time; the others are typed one after another in the same
# tab, as a reader would (a word whose bundle an earlier query loaded finds it in the worker's
# cache): query-to-results median and max over them.
LIBRARY_QUERIES = [
    "sanctions", "secondary sanctions", "joint military exercises", "intercontinental", "working-level",
    "moratorium", "verifiable freeze", "humanitarian exemptions", "satellite imagery", "deterrence",
    "ship-to-ship transfers", "preventive strike", "congress funding", "alliance readiness",
]


def browser_figures(site: Path, queries: list[str], pages: dict[str, str]) -> dict:
    """Search-ready time, query latency, and compressed bytes per page."""
    from playwright.sync_api import sync_playwright

    server = Server(site)
    out: dict = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = browser.new_context(bypass_csp=True)
            page = context.new_page()
            page.goto(server.url, wait_until="load")
            load_at = page.evaluate("performance.timing.loadEventEnd - performance.timing.navigationStart")
            ready_at = page.evaluate(SEARCH_PROBE, [queries[0]])
            out["search_ready_ms"] = round(ready_at - load_at) if ready_at >= 0 else None
            lat = [page.evaluate(QUERY_PROBE, [q]) for q in queries[1:]]
            lat = [x for x in lat if x >= 0]
            out["query_ms_median"] = round(statistics.median(lat), 1) if lat else None
            out["query_ms_max"] = round(max(lat), 1) if lat else None
            heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
            out["tab_heap_mib"] = round(heap / 2**20, 1)
            for label, path in pages.items():
                sizes: list[int] = []
                pg = context.new_page()

                def record(response, sizes=sizes):
                    try:
                        body = response.body()
                    except Exception:
                        return
                    sizes.append(len(gzip.compress(body, 6)))

                pg.on("response", record)
                pg.goto(server.url + path, wait_until="networkidle")
                out[f"bytes_{label}_gz"] = sum(sizes)
                pg.close()
            browser.close()
    finally:
        server.close()
    return out


def topic_generation(project: Path) -> tuple[int, float]:
    """(tagged paragraphs, seconds) to generate the topic pages of ``project``, cache off.

    In-process, from the project folder (snippet paths resolve from there)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from policy_reader.site.glossary import glossary_files, load_definitions
    from policy_reader.site.held_html import HeldHtml
    from policy_reader.site.plugin import PaperIndex
    from policy_reader.site.topics.pages import TopicPages

    cwd = os.getcwd()
    os.chdir(project)
    try:
        config = load_config(str(project / "mkdocs.yml"))
        config.plugins._current_plugin = "policy-reader"  # as MkDocs sets it during a plugin event
        files = get_files(config)
        index = PaperIndex("papers")
        index.collect(files)
        pages = TopicPages(project, "papers", cache_dir=None)
        start = time.perf_counter()
        pages.load(index.papers, files)
        pages.add_files(files, config, HeldHtml(load_definitions(glossary_files(config.mdx_configs))), index.papers)
        seconds = time.perf_counter() - start
    finally:
        os.chdir(cwd)
    return sum(len(ps) for ps in pages.passages.values()), seconds


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1024:.0f} KB" if n < 10 * 2**20 else f"{n / 2**20:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="policy-reader-bench", description=__doc__)
    ap.add_argument("--root", default=".")
    ap.add_argument("--sizes", default="10,100,1000,2000", help="library sizes (papers)")
    ap.add_argument("--runs", type=int, default=9, help="builds of the real site for the median")
    ap.add_argument("--out", default="bench/results", help="folder for results.json and results.md")
    ap.add_argument("--no-browser", action="store_true", help="skip the chromium measurements")
    args = ap.parse_args(argv)
    root = Path(args.root).resolve()
    targets: list[str] = []
    results: dict = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    lines: list[str] = []

    def say(line: str = ""):
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # (a) the real site vs stock Material on the same Markdown
        real = copy_project(root, tmp / "real")
        stock_cfg = tmp / "stock.yml"
        stock_cfg.write_text(STOCK_CONFIG.format(docs=real / "docs"), encoding="utf-8")
        (ours_t, ours_m), (stock_t, stock_m) = median_builds(real, args.runs, [None, str(stock_cfg)])
        ratio = ours_t / stock_t
        results["real"] = {"ours_s": ours_t, "ours_mib": ours_m, "stock_s": stock_t, "stock_mib": stock_m, "ratio": ratio}
        say("## (a) The real site (2 papers), median of %d builds each, taking turns, after one warm-up build" % args.runs)
        say("")
        say("| build | wall | peak memory |")
        say("|---|---|---|")
        say(f"| policy-reader (all steps) | {ours_t:.2f} s | {ours_m:.0f} MiB |")
        say(f"| stock Material, same Markdown | {stock_t:.2f} s | {stock_m:.0f} MiB |")
        say(f"| ratio | {ratio:.2f} | |")
        targets.append(f"- our steps add <= 50% to stock Material: ratio {ratio:.2f} {'OK' if ratio <= 1.5 else 'MISSED'}")
        say("")

        # (b) + (c) synthetic libraries
        say("## (b, c) Synthetic libraries (papers added to the real two; 30 paragraphs each)")
        say("")
        say("| papers | convert (again, nothing changed) | topic pages (paragraphs) | build cold | build warm | site | index raw | index gz | search ready | query median / max | tab heap |")
        say("|---|---|---|---|---|---|---|---|---|---|---|")
        lib_results = {}
        for n in [int(x) for x in args.sizes.split(",") if x]:
            proj = copy_project(root, tmp / f"lib{n}")
            synth.write_library(proj / "sources", n)
            convert_t, _ = timed([str(BIN / "policy-reader"), "convert", "--root", str(proj)], proj)
            reconvert_t, _ = timed([str(BIN / "policy-reader"), "convert", "--root", str(proj)], proj)  # nothing changed
            subprocess.run([str(BIN / "policy-reader"), "permalinks", "--update", "--root", str(proj)],
                           cwd=proj, env=ENV, capture_output=True)
            site = proj / "site"
            build_t, build_m = timed(build_cmd(site), proj)  # cold: no pandoc cache yet
            warm_t, _ = timed(build_cmd(proj / "site-warm"), proj)  # the next build: cache warm
            raw, gz = index_sizes(site)
            paragraphs, topics_t = topic_generation(proj)
            row = {"convert_s": convert_t, "reconvert_s": reconvert_t, "paragraphs": paragraphs, "topics_s": topics_t,
                   "build_s": build_t, "warm_build_s": warm_t, "build_mib": build_m,
                   "site_bytes": dir_size(site), "index_raw": raw, "index_gz": gz}
            if not args.no_browser:
                row.update(browser_figures(site, LIBRARY_QUERIES, {}))
            lib_results[n] = row
            say(f"| {n} | {convert_t:.1f} s ({reconvert_t:.2f} s) | {topics_t:.2f} s ({paragraphs}) | {build_t:.1f} s ({build_m:.0f} MiB) | {warm_t:.1f} s | {fmt_bytes(row['site_bytes'])} | "
                f"{fmt_bytes(raw)} | {fmt_bytes(gz)} | {row.get('search_ready_ms', '-')} ms | "
                f"{row.get('query_ms_median', '-')} / {row.get('query_ms_max', '-')} ms | {row.get('tab_heap_mib', '-')} MiB |")
            shutil.rmtree(proj)
        results["libraries"] = lib_results
        say("")
        if 1000 in lib_results:
            b = lib_results[1000]["build_s"]
            w = lib_results[1000]["warm_build_s"]
            targets.append(f"- 1,000 papers build <= 10 s: {b:.1f} s cold, {w:.1f} s warm {'OK' if min(b, w) <= 10 else 'MISSED'}")
            if 2000 in lib_results:
                g = lib_results[2000]["build_s"] / b
                gw = lib_results[2000]["warm_build_s"] / w
                targets.append(f"- 2,000 papers <= 2.2x the time of 1,000: {g:.2f}x cold, {gw:.2f}x warm {'OK' if max(g, gw) <= 2.2 else 'MISSED'}")
            small = min(lib_results)
            per = {k: v["topics_s"] / v["paragraphs"] for k, v in lib_results.items()}
            growth = per[max(lib_results)] / per[small]
            targets.append(f"- topic generation linear in the paragraphs: {per[max(lib_results)] * 1e6:.0f} µs per paragraph at "
                           f"{max(lib_results)} papers vs {per[small] * 1e6:.0f} µs at {small} ({growth:.2f}x) {'OK' if growth <= 1.5 else 'MISSED'}")
            r = lib_results[1000].get("search_ready_ms")
            q = lib_results[1000].get("query_ms_median")
            if r is not None:
                targets.append(f"- search ready at 1,000 papers <= 500 ms: {r} ms {'OK' if r <= 500 else 'MISSED'}")
            if q is not None:
                targets.append(f"- query to results at 1,000 papers <= 100 ms: {q} ms {'OK' if q <= 100 else 'MISSED'}")

        # (d) bytes per page on the real site, as a host that gzips would send them
        if not args.no_browser:
            site = real / "site"
            timed(build_cmd(site), real)
            paper = sorted((real / "docs" / "papers").glob("*.md"))[0].stem
            topics = sorted(p.parent.name for p in (site / "topics").glob("*/index.html")) if (site / "topics").exists() else []
            pages = {"home": "", "paper": f"papers/{paper}/"}
            if topics:
                pages["topic"] = f"topics/{topics[0]}/"
            fig = browser_figures(site, ["sanctions", "exercises"], pages)
            results["bytes"] = {k: v for k, v in fig.items() if k.startswith("bytes_")}
            say("## (d) Bytes transferred per page load (all requests, gzip-compressed)")
            say("")
            say("| page | bytes |")
            say("|---|---|")
            for label, path in pages.items():
                say(f"| {label} (/{path}) | {fmt_bytes(fig[f'bytes_{label}_gz'])} |")
            say("")
            pb = fig["bytes_paper_gz"]
            targets.append(f"- a paper page <= 100 KB transferred, compressed: {pb / 1024:.0f} KB {'OK' if pb <= 100 * 1024 else 'MISSED'}")
        say("## Targets")
        say("")
        for t in targets:
            say(t)
    out = root / args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True), encoding="utf-8")
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwrote {out / 'results.md'} and results.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
