"""Two builds of the same commit give byte-identical sites (sitemap dates aside)."""

from __future__ import annotations

import re

from support import ROOT, mkdocs_build


def files(site):
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_builds_are_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        result = mkdocs_build(ROOT, out)
        assert result.returncode == 0, result.stderr
    fa, fb = files(a), files(b)
    assert sorted(fa) == sorted(fb)
    different = []
    for name in fa:
        x, y = fa[name], fb[name]
        if name == "sitemap.xml":
            x, y = (re.sub(rb"<lastmod>[^<]*</lastmod>", b"", v) for v in (x, y))
        if name == "sitemap.xml.gz":
            continue  # gzip of the dated sitemap
        if x != y:
            different.append(name)
    assert different == []
