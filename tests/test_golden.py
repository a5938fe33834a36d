"""Golden tests: small source trees -> expected Markdown and BibTeX.

Each folder under tests/golden/ holds ``sources/`` (input) and ``expected/``
(what the converter must write). On a difference the test prints a unified
diff; ``pytest --update-golden`` rewrites the expected files after review.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from policy_reader.convert import pipeline as convert

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "sources").is_dir())


@pytest.mark.parametrize("case", CASES)
def test_golden(case, tmp_path, request):
    root = tmp_path / case
    shutil.copytree(GOLDEN / case / "sources", root / "sources")
    (root / "bib").mkdir()
    outputs = convert.plan(root)
    expected_dir = GOLDEN / case / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for o in outputs:
            dest = expected_dir / o.path.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(o.text, encoding="utf-8")
    produced = {o.path.relative_to(root).as_posix(): o.text for o in outputs}
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(expected_dir.rglob("*")) if p.is_file()
    }
    assert sorted(produced) == sorted(expected)
    for name, text in produced.items():
        if text != expected[name]:
            diff = "".join(difflib.unified_diff(
                expected[name].splitlines(True), text.splitlines(True), f"expected/{name}", f"produced/{name}"))
            pytest.fail(f"{case}/{name} differs (run pytest --update-golden after review):\n{diff}")
