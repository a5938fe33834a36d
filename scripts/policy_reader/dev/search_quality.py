"""Search quality: mean reciprocal rank of known answers, measured with the real worker.

``evaluate(site_dir, queries_file)`` serves ``site_dir`` on 127.0.0.1, opens its
home page in headless chromium (Debian's, driven by Playwright), starts the
site's own search worker (``assets/search-worker.js``, the file the pages name)
and sends it each query as Material's search box does (setup message, then a
query message). The worker's answer is read in the order Material shows it:
result groups in order, each group's hits in order; the page headers the
worker adds above a group of paragraphs (score 0, no terms) are not hits. The
rank of a query is the position of its expected ``URL#anchor`` among the hits
(a hit's ``?h=`` part, which Material adds for highlighting, plays no part);
a query whose answer is not among the hits scores 0.

The query set (``tests/data/search/queries.yml``) is a list of
``{query, expected, heldout}``, optionally with ``also`` (graded relevance: other
``URL#anchor`` answers judged, by reading them, as relevant to the query as
``expected``) and then ``why`` (the reason, in words). A query's rank is that of
the first of its answers among the hits. Queries marked ``heldout: true`` were written
with the others, and their figure is reported, but the ranking was not tuned
on them. A query whose expected page is not in the site is reported under
``missing`` and left out of the figures (the real site holds the two seed
papers; :func:`build_site` builds the site the set is written for: the seed
papers plus the development papers under ``tests/data``).

``python -m policy_reader.dev.search_quality [--site DIR] [--queries FILE]``
prints the figures and every query's rank; without ``--site`` it builds the
evaluation site in a temporary folder first.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
QUERIES = ROOT / "tests" / "data" / "search" / "queries.yml"
# The papers the query set is written over, beside the project's own sources/.
EXTRA_SOURCES = [
    Path("tests/data/topics/dev/sources"),
    Path("tests/data/unseen/sources"),
]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Runs in the site's home page: the site's worker, spoken to as Material speaks to it.
_RUN = """async ([worker, queries]) => {
  const w = new Worker(worker);
  const next = () => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('search worker did not answer')), 30000);
    w.onmessage = (ev) => { clearTimeout(t); resolve(ev.data); };
  });
  let answer = next();
  w.postMessage({type: 0, data: {config: {}, docs: [], options: {}}});
  await answer;
  const out = [];
  for (const q of queries) {
    answer = next();
    w.postMessage({type: 2, data: q});
    const result = await answer;
    const hits = [];
    for (const group of result.data.items) {
      for (const item of group) {
        if (item.score === 0 && Object.keys(item.terms || {}).length === 0) continue;  // a page header
        hits.push(item.location);
      }
    }
    out.push(hits);
  }
  w.terminate();
  return out;
}"""


def load_queries(queries_file: Path) -> list[dict]:
    """The query set: a YAML list of ``{query, expected, heldout}``; a bad entry is one line."""
    data = yaml.safe_load(Path(queries_file).read_text(encoding="utf-8"))
    if not isinstance(data, list) or not data:
        raise SystemExit(f"{queries_file}:1: expected a list of {{query, expected, heldout}} entries")
    out = []
    for i, entry in enumerate(data, 1):
        if not (isinstance(entry, dict) and isinstance(entry.get("query"), str) and isinstance(entry.get("expected"), str)
                and "#" in entry["expected"] and isinstance(entry.get("heldout"), bool)):
            raise SystemExit(f"{queries_file}: entry {i}: needs query (text), expected (page/#anchor) and heldout (true|false)")
        also = entry.get("also", [])
        if not (isinstance(also, list) and all(isinstance(a, str) and "#" in a for a in also)):
            raise SystemExit(f"{queries_file}: entry {i}: also must be a list of page/#anchor answers")
        if also and not (isinstance(entry.get("why"), str) and entry["why"].strip()):
            raise SystemExit(f"{queries_file}: entry {i}: an entry with also needs why (why those answers are as relevant)")
        out.append(entry)
    return out


def answers(entry: dict) -> list[str]:
    """Every answer of a query: ``expected``, then ``also``."""
    return [entry["expected"], *entry.get("also", [])]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(site_dir: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(site_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}/"


def run_queries(site_dir: Path, queries: list[str]) -> list[list[str]]:
    """The hits (locations, in the order shown) the site's worker returns for each query.

    Runs in a thread of its own: Playwright's sync API refuses a thread whose asyncio loop is
    running (as it is in a pytest session that already drives a browser)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_run_queries, site_dir, queries).result()


def _run_queries(site_dir: Path, queries: list[str]) -> list[list[str]]:
    from playwright.sync_api import sync_playwright

    server, url = _serve(Path(site_dir))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(bypass_csp=True).new_page()
                page.goto(url, wait_until="load")
                return page.evaluate(_RUN, [url + "assets/search-worker.js", queries])
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()


def rank_of(expected: str, hits: list[str]) -> int | None:
    """1-based position of ``expected`` among ``hits`` (``?h=...`` ignored), or None."""
    want = expected.lstrip("/")
    for i, hit in enumerate(hits, 1):
        page, _, anchor = hit.partition("#")
        if page.split("?", 1)[0].lstrip("/") + "#" + anchor == want:
            return i
    return None


def _present(site_dir: Path, expected: str) -> bool:
    page = expected.split("#", 1)[0].strip("/")
    return (Path(site_dir) / page / "index.html").exists() if page else (Path(site_dir) / "index.html").exists()


def evaluate(site_dir: Path, queries_file: Path) -> dict:
    """MRR of the query set over the built site, overall, on the development queries
    (``mrr_dev``: the ones ranking was tuned on) and on the held-out ones."""
    entries = load_queries(queries_file)
    missing = [e for e in entries if not all(_present(site_dir, a) for a in answers(e))]
    entries = [e for e in entries if all(_present(site_dir, a) for a in answers(e))]
    all_hits = run_queries(site_dir, [e["query"] for e in entries]) if entries else []
    per_query = []
    for e, hits in zip(entries, all_hits):
        ranks = [r for r in (rank_of(a, hits) for a in answers(e)) if r]
        r = min(ranks) if ranks else None
        per_query.append({"query": e["query"], "expected": e["expected"], "heldout": e["heldout"], "rank": r,
                          "top": hits[:3]})

    def mrr(rows):
        return round(sum(1 / r["rank"] for r in rows if r["rank"]) / len(rows), 4) if rows else None

    dev = [r for r in per_query if not r["heldout"]]
    held = [r for r in per_query if r["heldout"]]
    return {"mrr": mrr(per_query), "mrr_dev": mrr(dev), "mrr_heldout": mrr(held), "n": len(per_query),
            "n_dev": len(dev), "n_heldout": len(held), "missing": [e["expected"] for e in missing],
            "queries": per_query}


def build_site(dest: Path, root: Path = ROOT) -> Path:
    """Build the site the query set is written for into ``dest``/site: a copy of the
    project (sources, bib, docs, mkdocs.yml) with the development papers added to
    its sources, converted, its permalinks recorded, built with --strict."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": os.environ.get("SITE_URL", "http://127.0.0.1:8000/")}
    project = Path(dest) / "project"
    project.mkdir(parents=True)
    for name in ("sources", "bib", "docs"):
        shutil.copytree(root / name, project / name)
    shutil.copy(root / "mkdocs.yml", project / "mkdocs.yml")
    for folder in EXTRA_SOURCES:
        for f in sorted((root / folder).iterdir()):
            if f.suffix in (".txt", ".yml", ".md", ".html", ".docx", ".odt", ".pdf"):
                shutil.copy(f, project / "sources" / f.name)
    steps = [
        [str(bin_dir / "policy-reader"), "convert", "--root", str(project)],
        [str(bin_dir / "policy-reader"), "permalinks", "--update", "--root", str(project)],
        [str(bin_dir / "mkdocs"), "build", "--strict", "--site-dir", str(project / "site")],
    ]
    for cmd in steps:
        done = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:2])} failed:\n{done.stderr[-3000:]}")
    return project / "site"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="search_quality", description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", help="a built site (default: build the evaluation site in a temporary folder)")
    ap.add_argument("--queries", default=str(QUERIES))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(args.site) if args.site else build_site(Path(tmp))
        result = evaluate(site, Path(args.queries))
    for r in result["queries"]:
        mark = "held" if r["heldout"] else "dev "
        print(f"{mark} {str(r['rank'] or '-'):>3}  {r['query']!r} -> {r['expected']}" + ("" if r["rank"] == 1 else f"   top: {r['top']}"))
    print(json.dumps({k: v for k, v in result.items() if k != "queries"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
