"""Constants and helpers shared by the tests (importable as ``support``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCAL_SITE_URL = "http://127.0.0.1:8000/"
BIN = Path(sys.executable).parent
SOURCES = ROOT / "sources"
KLINGNER_SRC = SOURCES / "klingner-2019-heritage-ib5022.txt"
GOMEZ_SRC = SOURCES / "gomez-2019-cato-oped.txt"
KLINGNER_SLUG = "klingner-2019-resolve-and-restraint"
GOMEZ_SLUG = "gomez-2019-consequences-for-missile-tests"


def mkdocs_build(project: Path, site_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Build ``project`` with --strict into ``site_dir`` (from the project root)."""
    full_env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    return subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project, env=full_env, capture_output=True, text=True,
    )


def page_html(site: Path, slug: str) -> str:
    return (site / "papers" / slug / "index.html").read_text(encoding="utf-8")


def site_files(site: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(site.rglob("*")):
        if p.is_file() and p.name != "sitemap.xml.gz":
            data = p.read_bytes()
            if p.name == "sitemap.xml":
                data = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", data)
            out[p.relative_to(site).as_posix()] = data
    return out


def build_in_process(project: Path, site: Path, monkeypatch):
    """Build like `mkdocs build --strict` from the project folder; return our plugin."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.config.defaults import MkDocsConfig

    # MkDocs keeps one instance of each plugin that has on_startup across config loads (its
    # plugin cache, for `mkdocs serve`); mkdocs-bibtex's would keep an earlier copy's library.
    # A fresh cache per build makes each in-process build start as `mkdocs build` does.
    MkDocsConfig.plugins.plugin_cache.clear()
    monkeypatch.chdir(project)  # snippet and CSL paths resolve from the working directory
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True)
    build(config)
    return config.plugins["policy-reader"]


def copy_project(dest: Path) -> Path:
    """A copy of the project's inputs (sources, bib, docs, mkdocs.yml) at ``dest``."""
    dest.mkdir()
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest
