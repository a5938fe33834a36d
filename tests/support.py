"""Constants and helpers shared by the tests (importable as ``support``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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
