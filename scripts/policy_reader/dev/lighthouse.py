#!/usr/bin/env python3
"""Lighthouse scores (mobile) of the built site: home, a paper, a topic page.

Builds the site with --strict into a temporary folder (with SITE_URL set to the
local address, so canonical links match the origin Lighthouse sees), serves it
over http on 127.0.0.1 (text gzip-compressed, as static hosts serve it), runs the pinned npm ``lighthouse`` (node_modules/, from
package-lock.json via ``npm ci``) with Debian's chromium, and prints the four
category scores per page. ``--min N`` exits non-zero when any score is below N.
Nothing is fetched from any other host. Usage: ``make lighthouse``.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the project (scripts/policy_reader/dev/)
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
# The flags Debian's chromium needs on these machines (headless, no network of its own).
CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for text types as static hosts (GitHub Pages) serve them."""

    COMPRESS = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt")

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in self.COMPRESS or not path.is_file():
            return super().do_GET()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(site: Path, base: str) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": base}
    mkdocs = Path(sys.executable).parent / "mkdocs"
    result = subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"error: mkdocs build failed:\n{result.stderr}")


def default_pages(site: Path) -> list[str]:
    papers = sorted(p.parent.name for p in site.glob("papers/*/index.html"))
    topics = sorted(p.parent.name for p in site.glob("topics/*/index.html"))
    pages = [""]
    pages += [f"papers/{papers[-1]}/"] if papers else []
    pages += [f"topics/{topics[0]}/"] if topics else []
    return pages


def run_lighthouse(url: str, out: Path) -> dict[str, int]:
    cmd = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}", "--form-factor=mobile",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    result = subprocess.run(cmd, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"error: lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    scores["_failing"] = [
        a["id"] for c in CATEGORIES for ref in report["categories"][c]["auditRefs"]
        if ref["weight"] and (a := report["audits"][ref["id"]])["score"] is not None and a["score"] < 0.9
    ]
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="*", help="paths under the site (default: home, a paper, a topic page)")
    ap.add_argument("--min", type=int, default=0, help="fail when any score is below this")
    args = ap.parse_args(argv)
    if not LIGHTHOUSE.exists():
        sys.exit("error: node_modules/.bin/lighthouse missing; run `make lighthouse` (npm ci installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        port = free_port()
        base = f"http://127.0.0.1:{port}/"
        build(site, base)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        low = []
        try:
            print(f"{'page':48} " + " ".join(f"{c:>14}" for c in CATEGORIES))
            for path in args.pages or default_pages(site):
                scores = run_lighthouse(base + path, Path(tmp) / "report.json")
                print(f"{'/' + path:48} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES), flush=True)
                if scores["_failing"]:
                    print(f"{'':48} audits below 0.9: {', '.join(scores['_failing'])}")
                low += [f"/{path} {c} {scores[c]}" for c in CATEGORIES if scores[c] < args.min]
        finally:
            server.shutdown()
            server.server_close()
    if low:
        print(f"below {args.min}: " + "; ".join(low), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
