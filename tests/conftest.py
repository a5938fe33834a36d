"""Shared fixtures: one build of the real site per session, a scratch project copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import LOCAL_SITE_URL, ROOT, copy_project, mkdocs_build

# A build refuses without SITE_URL (a wrong address must not be deployed); the tests build
# for a local address explicitly, unless the caller set one (tests/test_deploy.py unsets it).
os.environ.setdefault("SITE_URL", LOCAL_SITE_URL)


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
    return copy_project(tmp_path / "project")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*/expected from the converter")
