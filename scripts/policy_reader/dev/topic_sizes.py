"""Topic page sizes of a synthetic library: ``python -m policy_reader.dev.topic_sizes 1000``.

Makes a copy of the project with N papers of :mod:`policy_reader.dev.synth` added,
converts it, generates the topic pages in-process (as the build does, cache off) and
prints, per topic, the number of pages and the largest page's passages, raw and
gzip-compressed. With ``--build`` it also runs ``mkdocs build`` and measures every
built topic page whole (Material's header, sidebar and footer included).
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policy_reader.dev import synth

BIN = Path(sys.executable).parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("papers", type=int)
    ap.add_argument("--root", default=".")
    ap.add_argument("--build", action="store_true", help="also build the site and measure the built topic pages")
    ap.add_argument("--keep", help="folder for the library (default: a temporary one, removed)")
    args = ap.parse_args(argv)
    root = Path(args.root).resolve()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="topic-sizes-"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    try:
        proj = tmp / "project"
        if not proj.exists():
            proj.mkdir(parents=True)
            for name in ("sources", "bib", "docs"):
                shutil.copytree(root / name, proj / name)
            shutil.copy(root / "mkdocs.yml", proj / "mkdocs.yml")
            synth.write_library(proj / "sources", args.papers)
            t = time.perf_counter()
            subprocess.run([str(BIN / "policy-reader"), "convert", "--root", str(proj)], cwd=proj, env=env, check=True, capture_output=True)
            subprocess.run([str(BIN / "policy-reader"), "permalinks", "--update", "--root", str(proj)], cwd=proj, env=env, check=True, capture_output=True)
            print(f"converted {args.papers} synthetic papers + the seeds in {time.perf_counter() - t:.0f} s")
        sizes = generate(proj)
        print(f"{'topic':<20} {'pages':>5} {'passages':>8} {'largest page: passages raw':>27} {'gzip':>9}")
        for slug, (pages, passages, raw, gz) in sizes.items():
            print(f"{slug:<20} {pages:>5} {passages:>8} {raw / 1000:>24.0f} KB {gz / 1000:>6.1f} KB")
        if args.build:
            site = proj / "site"
            t = time.perf_counter()
            r = subprocess.run([str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(site)], cwd=proj, env=env, capture_output=True, text=True)
            if r.returncode:
                print(r.stderr[-3000:])
                return 1
            print(f"built in {time.perf_counter() - t:.0f} s")
            pages = sorted((site / "topics").rglob("index.html"))
            whole = [(p.relative_to(site).parent.as_posix(), len(gzip.compress(p.read_bytes(), 6))) for p in pages]
            worst = max(whole, key=lambda x: x[1])
            print(f"{len(whole)} built topic pages; largest whole page gzip {worst[1] / 1000:.1f} KB ({worst[0]}/); "
                  f"median {sorted(w for _, w in whole)[len(whole) // 2] / 1000:.1f} KB")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


def generate(project: Path) -> dict[str, tuple[int, int, int, int]]:
    """Per topic: (pages, passages, largest raw passage HTML, its gzip size)."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from policy_reader.site.glossary import glossary_files, load_definitions
    from policy_reader.site.held_html import PLACEHOLDER, HeldHtml
    from policy_reader.site.plugin import PaperIndex
    from policy_reader.site.topics.pages import TopicPages

    cwd = os.getcwd()
    os.chdir(project)
    try:
        config = load_config(str(project / "mkdocs.yml"))
        config.plugins._current_plugin = "policy-reader"
        files = get_files(config)
        index = PaperIndex("papers")
        index.collect(files)
        kb = config.plugins["policy-reader"].config.topic_page_kb
        pages = TopicPages(project, "papers", cache_dir=None, page_kb=kb)
        pages.load(index.papers, files)
        held = HeldHtml(load_definitions(glossary_files(config.mdx_configs)))
        pages.add_files(files, config, held, index.papers)
    finally:
        os.chdir(cwd)
    out = {}
    for slug in pages.vocab.slugs():
        uris = [f.src_uri for f in files if f.src_uri == f"topics/{slug}.md" or f.src_uri.startswith(f"topics/{slug}/page/")]
        worst = (0, 0)
        n = 0
        for uri in uris:
            md = files.get_file_from_path(uri).content_string
            body = "".join(held.blocks[m["key"]] for m in PLACEHOLDER.finditer(md))
            n += len(re.findall(r'class="topic-passage-link"', body))
            size = (len(body.encode()), len(gzip.compress(body.encode(), 6)))
            worst = max(worst, size, key=lambda s: s[1])
        out[slug] = (len(uris), n, *worst)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
