"""Command entry points (thin): ``policy-reader convert [--check] [--force]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from policy_reader.convert import pipeline as convert
from policy_reader.convert import incremental
from policy_reader.model import SourceError
from policy_reader.site.citations import parsed, records
from policy_reader.readers import EXTENSIONS


def _convert(args) -> int:
    root = Path(args.root).resolve()
    # All sources: keys and slugs must be unique across papers. Sources whose outputs
    # are sealed for their current inputs are not parsed (see incremental.py).
    outputs = convert.plan(root, force=args.force)
    converted = {o.source for o in outputs if not o.reused and o.source}  # "": library-wide (bib/keys.yml)
    unchanged = {o.source for o in outputs if o.reused}
    if args.sources:
        wanted = {Path(s).resolve().relative_to(root).as_posix() for s in args.sources}
        unknown = wanted - {o.source for o in outputs}
        if unknown:
            raise SourceError(sorted(unknown)[0], 0, "not a source of this project; sources are sources/<name> with one of " + ", ".join(EXTENSIONS))
        outputs = [o for o in outputs if o.source in wanted or not o.source]  # the key registry goes with them
    outputs += records.outputs(root, outputs)  # formatted citations recorded for the build
    outputs += parsed.outputs(root, outputs)  # pybtex's parse of each .bib recorded for the build
    if args.check:
        stale = convert.stale(root, outputs)
        gone = {o.path: o.source for o in outputs if o.remove}
        for path in stale:
            if path in gone:
                print(f"{path.relative_to(root)}: its source {gone[path]} is gone; run `make convert` to withdraw the paper and commit the result", file=sys.stderr)
            else:
                print(f"{path.relative_to(root)}: stale; run `make convert` and commit the result", file=sys.stderr)
        if not stale and not args.sources:
            incremental.record_converter(root)  # every output is what this converter writes
        return 1 if stale else 0
    changed = convert.write(root, outputs, force=args.force)
    for o in outputs:
        if o.remove and o.path in changed and o.path.suffix == ".md":  # its source is gone: withdrawn
            from policy_reader.page import registry
            registry.withdraw(root / "docs" / registry.REGISTRY_NAME, o.path.stem, f"source {o.source} removed")
    if not args.sources:
        incremental.record_converter(root)
    gone = {o.path for o in outputs if o.remove}
    for path in changed:
        print(f"{'removed' if path in gone else 'wrote'} {path.relative_to(root)}" + (" (its source is gone; its permalinks are withdrawn in docs/permalinks.yml)" if path in gone and path.suffix == ".md" else ""))
    counts = f"sources: converted {len(converted)}, unchanged {len(unchanged)}"
    if not changed:
        print(f"up to date: {len(outputs)} files ({counts})")
    else:
        print(f"wrote {len(changed)} of {len(outputs)} files ({counts})")
    return 0


def _preview(args) -> int:
    from policy_reader.cli.preview import run
    return run(args)


def _topics(args) -> int:
    from policy_reader.cli.topics import run
    return run(args)


def _permalinks(args) -> int:
    from policy_reader.page.registry import run
    return run(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="policy-reader", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="sources/* (.txt .md .html .docx .odt .pdf) -> docs/papers/*.md and bib/*.bib")
    c.add_argument("sources", nargs="*", help="only these sources (default: all)")
    c.add_argument("--root", default=".", help="project root (default: current directory)")
    c.add_argument("--check", action="store_true", help="fail if committed outputs are stale; write nothing")
    c.add_argument("--force", action="store_true", help="overwrite generated files even if edited by hand")
    c.set_defaults(func=_convert)
    pv = sub.add_parser("preview", help="print what was read from a source (metadata, sections, paragraphs, notes, flags); writes nothing")
    pv.add_argument("source", help="a file under sources/")
    pv.add_argument("--root", default=".", help="project root (default: current directory)")
    pv.set_defaults(func=_preview)
    t = sub.add_parser("topics", help="topics per paragraph from docs/topics/*.yml; --explain, --score, --suggest")
    t.add_argument("--root", default=".", help="project root (default: current directory)")
    t.add_argument("--paper", help="only this paper (slug)")
    t.add_argument("--explain", action="store_true", help="print which rule matched which words in each paragraph")
    t.add_argument("--score", metavar="LABELS", help="precision/recall per topic of the tagging (rules and model, no overrides) against a labels file")
    t.add_argument("--rules-only", action="store_true", help="with --score: leave the model out (the rules alone)")
    t.add_argument("--train", action="store_true", help="train the topic model on the labelled papers; writes docs/topics/model.json (needs scikit-learn)")
    t.add_argument("--lopo", action="store_true", help="leave-one-paper-out precision/recall over the development papers (needs scikit-learn)")
    t.add_argument("--leave-out", metavar="SLUGS", help="with --lopo: leave these development papers (comma-separated) out together instead")
    t.add_argument("--by-set", action="store_true", help="with --lopo: leave each former held-out set out together in turn (leave-one-set-out)")
    t.add_argument("--nested", action="store_true", help="with --lopo --by-set: also choose the abstain band inside each fold "
                   "(on the other sets) and print the figures and the bands chosen (minutes)")
    t.add_argument("--suggest", action="store_true", help="list borderline paragraphs for an editor to confirm in docs/topics/overrides.yml")
    t.set_defaults(func=_topics)
    pl = sub.add_parser("permalinks", help="check docs/permalinks.yml against docs/papers/; --update records new ids")
    pl.add_argument("--root", default=".", help="project root (default: current directory)")
    pl.add_argument("--check", action="store_true", help="fail if an id vanished, changed text or is not recorded (default)")
    pl.add_argument("--update", action="store_true", help="record new ids and reworded paragraphs")
    pl.set_defaults(func=_permalinks)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SourceError as exc:
        convert.WARNINGS.clear()  # a refused run prints its errors only
        for problem in getattr(exc, "problems", [exc]):  # every problem of a run, one per line
            print(f"error: {problem}", file=sys.stderr)
        return 2
    finally:
        for warning in convert.WARNINGS:
            print(warning, file=sys.stderr)
        convert.WARNINGS.clear()


if __name__ == "__main__":
    raise SystemExit(main())
