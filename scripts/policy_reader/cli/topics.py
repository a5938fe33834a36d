"""``policy-reader topics``: the topics the rules give, why, and how well they do.

- ``policy-reader topics`` lists every paragraph's topics (overrides applied);
- ``--explain`` prints, per paragraph, each rule that matched, the words it
  matched, the score against the threshold, and any override;
- ``--score tests/data/topic_labels.yml`` prints precision and recall per topic
  of the tagging (rules and model; overrides ignored; ``--rules-only`` leaves the model
  out) against hand labels. A label file with a ``sources/`` folder beside it
  (``tests/data/topics/dev/labels.yml``) labels the papers in that folder, scored with the
  project's vocabulary and model (the model was trained on those labels: in-sample);
- ``--train`` trains the model on the labelled papers and writes ``docs/topics/model.json``;
  ``--lopo`` measures it leave-one-paper-out, ``--lopo --by-set`` leave-one-set-out (each former
  held-out set left out together; topics/train.py; both need scikit-learn);
- ``--suggest`` lists borderline paragraphs (one point from the threshold, or
  tagged only by context) with the ``overrides.yml`` line that would confirm the
  other reading (topics/quality.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from policy_reader.convert import identity
from policy_reader.convert import pipeline as convert
from policy_reader.topics import quality
from policy_reader.topics import rules as topics
from policy_reader.model import Document, SourceError


def documents(root: Path) -> list[Document]:
    """Every paper under sources/, parsed and structured (nothing written)."""
    registry = identity.load_registry(root)
    docs = []
    for src in convert.find_sources(root):
        doc = convert.read_source(root, src)[0]
        docs.append(identity.assign(doc, identity.load_state(root, doc.meta.slug, registry)))  # ids follow words
    return docs


def run(args) -> int:
    root = Path(args.root).resolve()
    if args.train or args.lopo:  # the model file may be missing, stale or broken: it is what --train writes
        from policy_reader.topics import train

        vocab = topics.load_vocabulary(root, model=False)

        if args.lopo:
            group = [g.strip() for g in args.leave_out.split(",") if g.strip()] if args.leave_out else None
            if getattr(args, "by_set", False) and not group:
                sets = train.dev_sets(root)
                folds: list = []
                result = train.lopo(root, vocab, by_set=True, per_fold=folds)
                print("\n".join(train.lopo_lines(result, len(sets), by_set=True)))
                rows = train.rows(root, vocab)
                sizes = [sum(r.label_file == train.DEV and r.paper in papers for r in rows) for papers in sets.values()]
                for slug in vocab.slugs():
                    print("\n".join(train.per_set_lines(folds, list(sets), sizes, slug)))
                for number, papers in sets.items():
                    print(f"  set {number}: {', '.join(papers)}")
                if getattr(args, "nested", False):
                    print("\n".join(train.nested_lines(train.nested_bands(root, vocab), vocab.slugs())))
            else:
                result = train.lopo(root, vocab, group=group)
                n = len(group) if group else len({r.paper for r in train.rows(root, vocab) if r.label_file == train.DEV})
                print("\n".join(train.lopo_lines(result, n, group=bool(group))))
        if args.train:
            model, rows = train.train(root, vocab)
            path = train.write(root, model)
            print(f"wrote {path.relative_to(root).as_posix()}: {model.trained_on}; digest {model.digest[:12]}")
        return 0
    vocab = topics.load_vocabulary(root)
    overrides = topics.load_overrides(root, vocab)
    if getattr(args, "rules_only", False):
        vocab = replace(vocab, model=None)
    labels_path = None
    if args.score:
        labels_path = Path(args.score) if Path(args.score).is_absolute() else root / args.score
    if labels_path is not None and (labels_path.parent / "sources").is_dir() and labels_path.parent.resolve() != root:
        docs = documents(labels_path.parent)  # a labelled set with its own papers, scored with this vocabulary
    else:
        docs = documents(root)
        topics.check_overrides(overrides, {d.meta.slug: [p.id for p in [*d.takeaways, *d.paragraphs()]] for d in docs})
    if args.paper:
        slugs = [d.meta.slug for d in docs]
        if args.paper not in slugs:
            raise SourceError("--paper", 0, f"no paper '{args.paper}'; papers: {', '.join(slugs)}")
        docs = [d for d in docs if d.meta.slug == args.paper]
    if args.suggest:
        found = [s for d in docs for s in quality.suggest(d, vocab, overrides)]
        print("\n".join(quality.suggestion_lines(found, vocab)))
        return 0
    if labels_path is not None:
        label = args.score
        labels = topics.parse_overrides(topics._read(labels_path, label), vocab, label)
        if args.paper:
            labels = {k: v for k, v in labels.items() if k == args.paper}
        scores, misses = topics.evaluate(docs, vocab, labels, label)
        n = sum(len(d.takeaways) + len(d.paragraphs()) for d in docs)
        what = "rules alone" if vocab.model is None else "rules + model"
        print(f"{what} (no overrides) vs {label}: {len(docs)} papers, {n} paragraphs and takeaways")
        if vocab.model is not None and label in vocab.model.trained_on:
            print(f"  (the model was trained on {label}: these figures are in-sample; `--lopo` measures unseen papers)")
        print(f"{'topic':<20} {'precision':>9} {'recall':>7}   tp fp fn")
        for s in scores:
            print(f"{s.slug:<20} {s.precision:>9.2f} {s.recall:>7.2f}   {s.tp:>2} {s.fp:>2} {s.fn:>2}")
        for line in misses:
            print(f"  {line}")
        return 0
    for d in docs:
        if args.explain:
            print("\n".join(topics.explain(d, vocab, overrides)))
            continue
        annotated = topics.annotate(d, vocab, overrides)
        for p in [*annotated.takeaways, *annotated.paragraphs()]:
            print(f"{d.meta.slug} {p.id}: {' '.join(p.topics) or '-'}")
    return 0
