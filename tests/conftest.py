"""Shared fixtures: project paths and one build of the real site per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once from the committed docs/ and bib/."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT, site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A copy of the project's inputs (sources, bib, docs, mkdocs.yml) to change freely."""
    dest = tmp_path / "project"
    dest.mkdir()
    for name in ("sources", "bib", "docs"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def page_html(site: Path, slug: str) -> str:
    return (site / "papers" / slug / "index.html").read_text(encoding="utf-8")
