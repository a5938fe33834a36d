"""Training and measuring the topic model (:mod:`policy_reader.topics.model`); needs scikit-learn
(a development dependency: the converter and the build only read the committed weights).

- ``policy-reader topics --train`` fits one logistic regression per topic on every labelled
  paragraph (the seed papers and the development set) and writes ``docs/topics/model.json``;
- ``policy-reader topics --lopo`` measures it honestly: leave one development paper out, train on
  the rest (and the seeds), tag the paper left out, pool the counts. It prints the rules alone,
  the model alone and the two combined as shipped. The rules were written while reading every
  development paper, so their share of the figures is optimistic (their leave-one-out is their
  score); the model's is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from policy_reader import atomic
from policy_reader.model import SourceError
from policy_reader.topics import model as M
from policy_reader.topics import rules as T

#: Labelled papers: (label file, folder whose sources/ holds the papers; None for the project's).
LABELS = (("tests/data/topic_labels.yml", None), ("tests/data/topics/dev/labels.yml", "tests/data/topics/dev"))
DEV = "tests/data/topics/dev/labels.yml"
#: Inverse regularisation strength, and the probabilities that tag (chosen by --lopo; see model.py).
C = 1.0
ALONE = 0.6
NEAR = 0.3
#: Fewer distinct stems than this and the model says nothing (a short sentence is the rules' alone).
MIN_FEATURES = 12
#: The model adds a topic only where a rule of the topic matched (the passing-mention rule; model.py).
SIGN = True
#: The abstain band (model.py, ``TopicModel.doubts``), ``{topic: (rules_below, model_below)}``: a tag the
#: rules give where the model says p < rules_below, or one the model alone gives at p < model_below, is
#: withheld and listed for the editor. Diplomacy's chosen by leave-one-set-out on sets 0-9 (topics9); the
#: exercises' and sanctions' by leave-one-set-out on sets 0-11, nested (:func:`nested_bands`: chosen on
#: each fold's training sets; topics10). ICBM has none: withholding its model-alone tags below 0.65 took
#: as many right tags as wrong ones (CONTRIBUTING.md, "Topics: development and held-out sets").
DOUBT = {"sanctions": (0.02, 0.65), "military-exercises": (0.0, 0.65), "diplomacy": (0.2, 0.7)}
#: The cut-offs :func:`nested_bands` tries (rules_below x model_below; 0 is no band on that side).
BAND_GRID = ((0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3), (0.0, 0.65, 0.7, 0.75, 0.8))


@dataclass(frozen=True)
class Row:
    paper: str
    pid: str
    text: str
    topics: frozenset[str]
    rules: frozenset[str]  # what the rules alone give it (context included)
    scores: dict  # {slug: the rules' score of the paragraph itself}
    label_file: str
    lacks: frozenset[str] = frozenset()  # topics the model may not add (Score.held: a missing party, a passing mention)


def rows(root: Path, vocab: T.Vocabulary) -> list[Row]:
    """Every labelled paragraph and takeaway, in a fixed order (label file, paper, reading order)."""
    from policy_reader.cli.topics import documents  # the papers as the converter reads them

    plain = replace(vocab, model=None)
    by_slug = plain.by_slug()
    out = []
    for label_file, folder in LABELS:
        labels = T.parse_overrides((root / label_file).read_text(encoding="utf-8"), plain, label_file)
        docs = sorted(documents(root / folder if folder else root), key=lambda d: d.meta.slug)
        for d in docs:
            if d.meta.slug not in labels:
                continue
            ruled = T.rules_topics(d, plain)
            for p in [*d.takeaways, *d.paragraphs()]:
                text = T.plain_text(p.text)
                scored = {s: T.score(text, by_slug[s]) for s in plain.slugs()}
                out.append(Row(d.meta.slug, p.id, text, frozenset(labels[d.meta.slug][p.id].topics), frozenset(ruled[p.id]),
                               {s: sc.score for s, sc in scored.items()}, label_file,
                               frozenset(s for s, sc in scored.items() if sc.held)))
    return out


def digest(rs: list[Row]) -> str:
    return M.training_digest((r.paper, r.pid, r.text, r.topics) for r in rs)


def fit(rs: list[Row], slugs: list[str], c: float = C) -> dict[str, M.TopicWeights]:
    """One class-weighted L2 logistic regression per topic on binary stem features (deterministic)."""
    try:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise SourceError("requirements.txt", 0, "training the topic model needs scikit-learn; run `make deps` "
                          "(pip install -r requirements.txt)") from None

    vec = DictVectorizer(sparse=False)
    X = vec.fit_transform([{f: 1.0 for f in M.features(r.text)} for r in rs])
    names = vec.get_feature_names_out()
    out = {}
    for s in slugs:
        y = [s in r.topics for r in rs]
        if not any(y) or all(y):
            continue  # nothing to learn for this topic
        lr = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=5000, random_state=0)
        lr.fit(X, y)
        out[s] = M.TopicWeights(float(lr.intercept_[0]), {str(n): float(w) for n, w in zip(names, lr.coef_[0]) if round(float(w), 4)})
    return out


def train(root: Path, vocab: T.Vocabulary) -> tuple[M.TopicModel, list[Row]]:
    rs = rows(root, vocab)
    papers = len({(r.label_file, r.paper) for r in rs})
    model = M.TopicModel(fit(rs, vocab.slugs()), ALONE, NEAR, MIN_FEATURES, digest(rs),
                         f"{len(rs)} labelled paragraphs of {papers} papers ({', '.join(f for f, _ in LABELS)})", sign=SIGN,
                         doubt=dict(DOUBT))
    return model, rs


def write(root: Path, model: M.TopicModel) -> Path:
    path = root / M.MODEL_PATH
    atomic.write_text(path, M.dumps(model))
    return path


@dataclass
class Counts(T.PrecisionRecall):
    tp: int = 0
    fp: int = 0
    fn: int = 0
    asked: int = 0  # tags withheld for the editor (the abstain band); counted as not tagged
    asked_right: int = 0  # of those, the ones the labels have

    def add(self, got: bool, want: bool, asked: bool = False) -> None:
        self.tp += got and want
        self.fp += got and not want
        self.fn += want and not got
        self.asked += asked
        self.asked_right += asked and want

    def __iadd__(self, other: "Counts") -> "Counts":
        self.tp += other.tp; self.fp += other.fp; self.fn += other.fn
        self.asked += other.asked; self.asked_right += other.asked_right
        return self


#: A line of the development labels that starts a former held-out set ("# ---- Formerly held-out set 8
#: ..."); papers before the first such line are the first development papers (set 0).
SET_HEADER = re.compile(r"^# -{3,} (?:Formerly )?held-out set (\d+)", re.I)


def dev_sets(root: Path) -> dict[int, list[str]]:
    """``{set number: [paper slugs]}`` of the development labels, in file order: each former held-out set
    (written by one writer, scored once, then moved into dev with its header) and set 0, the papers
    before the first one. Leaving a whole set out (``lopo(by_set=True)``) measures the model on a
    writer whose other papers it has not seen: the closest to a new blind set."""
    out: dict[int, list[str]] = {}
    number = 0
    for line in (root / DEV).read_text(encoding="utf-8").splitlines():
        m = SET_HEADER.match(line)
        if m:
            number = int(m.group(1))
            continue
        m = re.match(r"^([a-z0-9][a-z0-9-]*):\s*$", line)
        if m:
            out.setdefault(number, []).append(m.group(1))
    return out


def lopo(root: Path, vocab: T.Vocabulary, c: float = C, alone: float = ALONE, near: float = NEAR,
         min_features: int = MIN_FEATURES, group: list[str] | None = None, sign: bool = SIGN,
         by_set: bool = False, doubt: dict | None = None,
         per_fold: list | None = None) -> dict[str, dict[str, Counts]]:
    """Leave-one-paper-out over the development papers: ``{"rules" | "model" | "shipped" | "unsigned" |
    "confirmed": {slug: Counts}}`` ("unsigned": as shipped but without the passing-mention rule, ``sign``;
    with ``sign`` off it equals "shipped"). "shipped" is what the converter tags automatically: tags in
    the abstain band (``doubt``, default :data:`DOUBT`; ``{}`` for none) are withheld and counted in
    ``asked``; "confirmed" is the tagging after an editor has settled each withheld tag as labelled.
    ``per_fold``: a list that receives each fold's own result (for leave-one-set-out, one per set).

    Each development paper is tagged by a model trained on every other labelled paper (the
    other development papers and the seeds); its counts are pooled. ``group``: instead, leave
    these development papers out together (a former held-out set) and tag them. ``by_set``: leave each
    set of :func:`dev_sets` out together in turn and pool the counts (leave-one-set-out)."""
    rs = rows(root, vocab)
    slugs = vocab.slugs()
    by_slug = vocab.by_slug()
    doubt = dict(DOUBT) if doubt is None else doubt
    kinds = ("rules", "model", "unsigned", "shipped", "confirmed")
    out = {k: {s: Counts() for s in slugs} for k in kinds}
    dev_papers = list(dict.fromkeys(r.paper for r in rs if r.label_file == DEV))
    if group is not None:
        unknown = [g for g in group if g not in dev_papers]
        if unknown:
            raise SourceError("--leave-out", 0, f"no development paper '{unknown[0]}'; papers: {', '.join(dev_papers)}")
    folds = ([set(group)] if group is not None else [set(ps) for ps in dev_sets(root).values()] if by_set
             else [{p} for p in dev_papers])
    for out_now in folds:
        held = [r for r in rs if r.label_file == DEV and r.paper in out_now]
        weights = fit([r for r in rs if not (r.label_file == DEV and r.paper in out_now)], slugs, c)
        m = M.TopicModel(weights, alone, near, min_features, "", "", sign=sign, doubt=doubt)
        unsigned = replace(m, sign=False)
        fold = {k: {s: Counts() for s in slugs} for k in kinds}
        for r in held:
            probs, n = m.assess(r.text)
            for s in slugs:
                want = s in r.topics
                p = probs.get(s, 0.0)
                by_model = s not in r.lacks and m.adds(s, p, r.scores[s], by_slug[s].threshold, n)
                free = s not in r.lacks and unsigned.adds(s, p, r.scores[s], by_slug[s].threshold, n)
                ruled = s in r.rules
                ask = (ruled or by_model) and m.doubts(s, p, ruled, n)
                ask_free = (ruled or free) and m.doubts(s, p, ruled, n)
                fold["unsigned"][s].add((ruled or free) and not ask_free, want, ask_free)
                fold["rules"][s].add(ruled, want)
                fold["model"][s].add(n >= min_features and p >= alone, want)
                fold["shipped"][s].add((ruled or by_model) and not ask, want, ask)
                fold["confirmed"][s].add(want if ask else ruled or by_model, want, ask)
        for k in kinds:
            for s in slugs:
                out[k][s] += fold[k][s]
        if per_fold is not None:
            per_fold.append(fold)
    return out


def lopo_lines(result: dict[str, dict[str, Counts]], n_papers: int, group: bool = False, by_set: bool = False) -> list[str]:
    names = {
        "rules": "rules alone" + ("" if group else " (tuned on every dev paper: optimistic)"),
        "model": f"model alone (p >= {ALONE:g}; honest)",
        "shipped": "rules + model as shipped" + (" (honest if the rules were frozen before these papers were written)"
                                                  if group else " (rules' share optimistic)"),
        "unsigned": "rules + model without the passing-mention rule (the model adding topics no rule of theirs matched)",
        "confirmed": "rules + model after the editor settles the withheld tags as labelled (`topics --suggest`)",
    }
    lines = [f"{n_papers} development papers left out together (model trained on the others and the seeds)" if group else
             f"leave-one-set-out over {n_papers} sets of development papers (each set's papers left out together; "
             "model trained on the others and the seeds)" if by_set else
             f"leave-one-paper-out over {n_papers} development papers (model trained on the others and the seeds)"]
    for k, per in result.items():
        lines.append(f"{names[k]}")
        asks = k in ("shipped", "confirmed", "unsigned") and any(c.asked for c in per.values())
        lines.append(f"  {'topic':<20} {'precision':>9} {'recall':>7}   tp fp fn" + ("  withheld for the editor (right)" if asks else ""))
        for s, c in per.items():
            lines.append(f"  {s:<20} {c.precision:>9.2f} {c.recall:>7.2f}   {c.tp:>2} {c.fp:>2} {c.fn:>2}"
                         + (f"  {c.asked} ({c.asked_right})" if asks else ""))
    return lines


def per_set_lines(folds: list[dict[str, dict[str, Counts]]], numbers: list[int], paragraphs: list[int],
                  slug: str = "diplomacy") -> list[str]:
    """Leave-one-set-out per set for one topic as shipped: precision, recall, the tags withheld for the
    editor per 100 paragraphs (how many of them right), and the mean, minimum and pooled figures over the
    sets (a new writer is one set)."""
    lines = [f"{slug} per set left out, as shipped (withheld: tags listed for the editor, per 100 paragraphs)"]
    ps, rs = [], []
    pooled = Counts()
    for number, n, fold in zip(numbers, paragraphs, folds):
        c = fold["shipped"][slug]
        pooled += c
        ps.append(c.precision)
        rs.append(c.recall)
        lines.append(f"  set {number:>2}: P {c.precision:.2f} R {c.recall:.2f}   tp {c.tp:>2} fp {c.fp:>2} fn {c.fn:>2}  "
                     f"withheld {c.asked} ({100 * c.asked / n if n else 0:.1f} per 100 of {n}; {c.asked_right} right)")
    if ps:
        total = sum(paragraphs)
        lines.append(f"  mean P {sum(ps) / len(ps):.2f} R {sum(rs) / len(rs):.2f}; minimum P {min(ps):.2f} R {min(rs):.2f}; "
                     f"pooled P {pooled.precision:.2f} R {pooled.recall:.2f}; withheld {pooled.asked} "
                     f"({100 * pooled.asked / total if total else 0:.1f} per 100; {pooled.asked_right} right)")
    return lines


#: One labelled paragraph and topic as a fold's model saw it: (topic, labelled?, probability, distinct
#: stems, the rules tag it?, the model adds it?). A band's effect is counted from these without refitting.
Seen = tuple


def _seen(held: list[Row], m: M.TopicModel, slugs: list[str], by_slug: dict) -> list[Seen]:
    out = []
    for r in held:
        probs, n = m.assess(r.text)
        for s in slugs:
            p = probs.get(s, 0.0)
            out.append((s, s in r.topics, p, n, s in r.rules,
                        s not in r.lacks and m.adds(s, p, r.scores[s], by_slug[s].threshold, n)))
    return out


def band_counts(seen: list[Seen], slug: str, band: tuple[float, float] | None, min_features: int = MIN_FEATURES) -> Counts:
    """What the converter would publish for ``slug`` with this abstain band (None: no band)."""
    c = Counts()
    for s, want, p, n, ruled, by_model in seen:
        if s != slug:
            continue
        got = ruled or by_model
        ask = got and band is not None and n >= min_features and p < (band[0] if ruled else band[1])
        c.add(got and not ask, want, ask)
    return c


def choose_band(seen: list[Seen], slug: str, grid=BAND_GRID, weight: float = 1.5) -> tuple[float, float]:
    """The band of ``grid`` with the fewest errors on ``seen``: ``weight`` per wrong tag published, 1 per
    labelled tag not published (a withheld right one counts as missed until the editor confirms it); ties
    go to the band that withholds fewer tags, then to the lower cut-offs. (0, 0) withholds nothing. The
    wrong tags weigh more because on new writers the three topics besides diplomacy fall short of the
    target on precision, not recall (blind sets 6, 8, 9, 11)."""
    best = None
    for lo in grid[0]:
        for hi in grid[1]:
            c = band_counts(seen, slug, (lo, hi))
            key = (weight * c.fp + c.fn, c.asked, lo, hi)
            if best is None or key < best[0]:
                best = (key, (lo, hi))
    return best[1]


def nested_bands(root: Path, vocab: T.Vocabulary, grid=BAND_GRID, weight: float = 1.5) -> list[tuple[int, dict, dict]]:
    """Leave-one-set-out with the abstain band chosen inside each fold (nested): for each set left out,
    each other set is left out in turn from the remaining ones (the model trained without both), the band
    per topic chosen on those inner results (:func:`choose_band`), then applied to the left-out set as a
    model trained on all the other sets tags it. So the figure is honest about the choice of cut-offs.
    Returns ``[(set number, {topic: band}, {topic: Counts})]``, one per set (12 x 11 fits: minutes)."""
    rs = rows(root, vocab)
    slugs, by_slug = vocab.slugs(), vocab.by_slug()
    sets = dev_sets(root)

    def seen_without(out_sets: set[int], held_set: int) -> list[Seen]:
        gone = {p for k in out_sets for p in sets[k]}
        m = M.TopicModel(fit([r for r in rs if not (r.label_file == DEV and r.paper in gone)], slugs), ALONE, NEAR,
                         MIN_FEATURES, "", "", sign=SIGN)
        return _seen([r for r in rs if r.label_file == DEV and r.paper in sets[held_set]], m, slugs, by_slug)

    out = []
    for k in sets:
        inner = [x for j in sets if j != k for x in seen_without({k, j}, j)]
        bands = {s: choose_band(inner, s, grid, weight) for s in slugs}
        outer = seen_without({k}, k)
        out.append((k, bands, {s: band_counts(outer, s, bands[s]) for s in slugs}))
    return out


def nested_lines(result: list[tuple[int, dict, dict]], slugs: list[str]) -> list[str]:
    lines = ["leave-one-set-out with the abstain band chosen on each fold's training sets (nested; as shipped, per set "
             "P/R, the band chosen (rules_below/model_below), withheld)"]
    for s in slugs:
        lines.append(f"{s}")
        ps, rs = [], []
        pooled = Counts()
        for k, bands, counts in result:
            c = counts[s]
            pooled += c
            ps.append(c.precision)
            rs.append(c.recall)
            lo, hi = bands[s]
            lines.append(f"  set {k:>2}: P {c.precision:.2f} R {c.recall:.2f}  band {lo:g}/{hi:g}  withheld {c.asked} ({c.asked_right} right)")
        if ps:
            lines.append(f"  mean P {sum(ps) / len(ps):.2f} R {sum(rs) / len(rs):.2f}; minimum P {min(ps):.2f} R {min(rs):.2f}; "
                         f"pooled P {pooled.precision:.2f} R {pooled.recall:.2f}; withheld {pooled.asked} ({pooled.asked_right} right)")
    return lines
