"""Life after MkDocs 1.x: ProperDocs (a maintained continuation of MkDocs 1.x) builds the
same site as MkDocs, byte for byte apart from the generator tag.

Each build starts from its own copy of the project with no .cache/, so neither reuses the
other's stored pages. If this fails after a version bump, the page named shows what differs.
"""

from __future__ import annotations

import os
import re
import subprocess

from support import BIN, copy_project, mkdocs_build, site_files

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')



def test_properdocs_builds_the_same_site(tmp_path):
    a = copy_project(tmp_path / "a")
    b = copy_project(tmp_path / "b")
    result = mkdocs_build(a, tmp_path / "site-mkdocs")
    assert result.returncode == 0, result.stderr
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [str(BIN / "properdocs"), "build", "--strict", "--site-dir", str(tmp_path / "site-properdocs")],
        cwd=b, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    ours = site_files(tmp_path / "site-mkdocs")
    theirs = site_files(tmp_path / "site-properdocs")
    assert sorted(ours) == sorted(theirs)
    generator_tags = 0
    for name, data in ours.items():
        other = theirs[name]
        if name.endswith(".html"):
            generator_tags += len(GENERATOR.findall(data))
            data, other = GENERATOR.sub(b"", data), GENERATOR.sub(b"", other)
        assert data == other, f"{name} differs between the MkDocs and the ProperDocs build"
    assert generator_tags > 0  # the one expected difference was really there
