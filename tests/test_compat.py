"""Version guards (site/compat.py): a patched package at an untested version stops the build."""

from __future__ import annotations

import pytest

from policy_reader.site import compat
from support import ROOT, copy_project, mkdocs_build


def test_installed_versions_are_the_tested_ones():
    assert compat.problems() == []


def test_an_untested_version_is_named_with_what_to_do():
    versions = {p.package: sorted(p.tested)[-1] for p in compat.PATCHES}
    versions["mkdocs-bibtex"] = "5.0.0"
    [line] = compat.problems(versions, engine="mkdocs")
    assert line.startswith("mkdocs-bibtex 5.0.0 is not a version policy-reader was tested with (4.4.0)")
    assert "Pin mkdocs-bibtex==4.4.0" in line and "site/citations/bibtex_seam.py" in line


def test_only_the_running_engine_is_checked():
    versions = {p.package: sorted(p.tested)[-1] for p in compat.PATCHES}
    versions["properdocs"] = "9.9.9"
    assert compat.problems(versions, engine="mkdocs") == []
    assert "properdocs 9.9.9" in compat.problems(versions, engine="properdocs")[0]


def test_the_build_fails_with_one_line_on_an_untested_version(tmp_path):
    """A real build with mkdocs-bibtex's installed version reported as untested."""
    project = copy_project(tmp_path / "p")
    # sitecustomize in PYTHONPATH narrows the tested set before the build imports compat
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        "import policy_reader.site.compat as c\n"
        "c.PATCHES = tuple(p if p.package != 'mkdocs-bibtex' else "
        "c.Patch(p.package, frozenset({'0.0.1'}), p.what, p.where, p.tests) for p in c.PATCHES)\n"
    )
    result = mkdocs_build(project, tmp_path / "site", env={"PYTHONPATH": str(hook)})
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "mkdocs-bibtex" in line and "tested with (0.0.1)" in line]
    assert len(errors) == 1, result.stderr


def test_templates_use_nothing_zensical_lacks():
    """Zensical's template engine has no list.append / dict.update: our overrides and templates use neither."""
    found = []
    ours = ROOT / "scripts" / "policy_reader" / "site" / "templates"  # our generated HTML (site/fragments.py)
    assert sorted(ours.rglob("*.html"))
    for path in sorted([*(ROOT / "docs" / "overrides").rglob("*.html"), *ours.rglob("*.html")]):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ".append(" in line or ".update(" in line:
                found.append(f"{path.relative_to(ROOT)}:{n}")
    assert found == []
