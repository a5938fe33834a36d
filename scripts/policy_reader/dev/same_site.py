"""The ProperDocs check: build the project with MkDocs and with ProperDocs and compare.

ProperDocs is a maintained continuation of MkDocs 1.x, our way out when MkDocs 1.x stops being
usable. CI runs this as its own step (``make properdocs-check``): each build starts from its own
copy of the project with no ``.cache/``, and every file must be equal apart from the generator tag
(and the sitemap's build dates). Any other difference is printed, one line per file, and the exit
status is 1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')
LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")
PROJECT_FILES = ("sources", "bib", "docs", "mkdocs.yml")


def normalised(site: Path) -> dict[str, bytes]:
    """Every file of a built site, by relative path, with the expected differences removed."""
    out: dict[str, bytes] = {}
    for p in sorted(site.rglob("*")):
        if not p.is_file() or p.name == "sitemap.xml.gz":
            continue
        data = p.read_bytes()
        if p.suffix == ".html":
            data = GENERATOR.sub(b"", data)
        elif p.name == "sitemap.xml":
            data = LASTMOD.sub(b"", data)
        out[p.relative_to(site).as_posix()] = data
    return out


def differences(a: Path, b: Path) -> list[str]:
    """Lines naming each file that is missing from one site or differs between the two."""
    left, right = normalised(a), normalised(b)
    lines = [f"{name}: only in the MkDocs build" for name in sorted(left.keys() - right.keys())]
    lines += [f"{name}: only in the ProperDocs build" for name in sorted(right.keys() - left.keys())]
    lines += [
        f"{name}: differs between the MkDocs and the ProperDocs build"
        for name in sorted(left.keys() & right.keys()) if left[name] != right[name]
    ]
    return lines


def generator_tags(site: Path) -> int:
    return sum(len(GENERATOR.findall(p.read_bytes())) for p in site.rglob("*.html"))


def _copy(root: Path, dest: Path) -> Path:
    dest.mkdir()
    for name in PROJECT_FILES:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def _build(tool: str, project: Path, site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    cmd = [str(Path(sys.executable).parent / tool), "build", "--strict", "--site-dir", str(site)]
    result = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-20:])
        raise SystemExit(f"properdocs-check: `{tool} build --strict` failed:\n{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="properdocs-check-") as tmp:
        work = Path(tmp)
        _build("mkdocs", _copy(args.project, work / "a"), work / "site-mkdocs")
        _build("properdocs", _copy(args.project, work / "b"), work / "site-properdocs")
        lines = differences(work / "site-mkdocs", work / "site-properdocs")
        if generator_tags(work / "site-mkdocs") == 0:
            lines.append("site-mkdocs: no generator tag found; the check no longer knows what to ignore")
        n = len(normalised(work / "site-mkdocs"))
    for line in lines:
        print(f"properdocs-check: {line}", file=sys.stderr)
    if lines:
        return 1
    print(f"properdocs-check: {n} files, the ProperDocs build equals the MkDocs build apart from the generator tag")
    return 0


if __name__ == "__main__":
    sys.exit(main())
