"""Command entry points (thin): ``policy-reader convert [--check] [--force]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import convert
from .model import SourceError


def _convert(args) -> int:
    root = Path(args.root).resolve()
    outputs = convert.plan(root)
    if args.check:
        stale = convert.stale(root, outputs)
        for path in stale:
            print(f"{path.relative_to(root)}: stale; run `make convert` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    changed = convert.write(root, outputs, force=args.force)
    for path in changed:
        print(f"wrote {path.relative_to(root)}")
    if not changed:
        print(f"up to date: {len(outputs)} files")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="policy-reader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="sources/*.txt -> docs/papers/*.md and bib/*.bib")
    c.add_argument("--root", default=".", help="project root (default: current directory)")
    c.add_argument("--check", action="store_true", help="fail if committed outputs are stale; write nothing")
    c.add_argument("--force", action="store_true", help="overwrite generated files even if edited by hand")
    c.set_defaults(func=_convert)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
