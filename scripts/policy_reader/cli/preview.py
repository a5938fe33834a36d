"""``policy-reader preview sources/<file>``: what the converter read, before publishing.

Prints the metadata (after the sidecar), the sections with the first words of
each paragraph (and its speaker), the notes, and every flag of the quality
gate. Writes nothing; exits 2 when the gate would refuse the paper.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from policy_reader.convert import pipeline
from policy_reader.model import SourceError, SourceErrors
from policy_reader.readers import quality, text


def _words(t: str, n: int = 10) -> str:
    words = text.plain(t).split()
    return " ".join(words[:n]) + (" ..." if len(words) > n else "")


def run(args) -> int:
    root = Path(args.root).resolve()
    src = Path(args.source).resolve()
    try:
        label = src.relative_to(root).as_posix()
    except ValueError:
        raise SourceError(args.source, 0, "not under the project root; preview a file in sources/") from None
    meta_path = src.with_suffix(".yml")
    meta_label = meta_path.relative_to(root).as_posix()
    meta, lines = pipeline.load_meta(meta_path, meta_label)
    from policy_reader import readers

    doc, own, own_lines = readers.read(src, label, takeaways=meta.get("takeaways", 3))
    if own:
        meta = {**pipeline.validate_source_meta(dict(own), label, own_lines), **meta}
    problems: list[SourceError] = []
    try:
        doc = pipeline.complete(doc, meta, label, meta_label, lines)
    except SourceErrors as exc:
        problems = exc.problems
        doc = quality.apply_ignore(doc, meta.get("ignore", []), meta_label, lines)
        m = doc.meta
        doc = doc.with_(meta=replace(m, title=meta.get("title") or m.title, subtitle=meta.get("subtitle") or m.subtitle,
                                     authors=tuple(meta.get("authors") or m.authors), date=meta.get("date") or m.date))
    m = doc.meta
    out = [f"source:    {label}" + (f" (sidecar {meta_label})" if meta_path.exists() else " (no sidecar)")]
    for name in ("title", "subtitle", "authors", "date", "publisher", "kind", "series", "number", "url", "summary", "slug", "bib_key"):
        value = getattr(m, name)
        if value:
            out.append(f"{name + ':':10} {', '.join(value) if isinstance(value, tuple) else value}")
    if doc.takeaways:
        out.append(f"\n{doc.takeaways_heading or 'Key takeaways'}")
        out += [f"  {t.id:6} line {t.line:<5} {_words(t.text)}" for t in doc.takeaways]
    for s in doc.sections:
        out.append(f"\n## {s.title}" if s.title else "\n(lead)")
        for p in s.paragraphs:
            who = f"[{p.speaker}] " if p.speaker else ""
            notes = f"  notes {','.join(map(str, p.notes))}" if p.notes else ""
            out.append(f"  {p.id:6} line {p.line:<5} {who}{_words(p.text)}{notes}")
    if doc.bio:
        out.append(f"\nbio: {_words(doc.bio.text)}")
    if doc.endnotes:
        out.append("\nnotes")
        out += [f"  {n.number:>3}. {_words(n.text, 14)}" for n in doc.endnotes]
    out.append(f"\nflags: {len(problems)}" if problems else "\nflags: none (convert will accept it)")
    print("\n".join(out))
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 2 if problems else 0
