"""Topics on papers beyond the seeds: a development set the tagging is tuned on
(tests/data/topics/dev/: papers written for the tests in several shapes, every paragraph labelled
before the tagger ran on it), context tagging, and `topics --suggest`.

Measured figures: `policy-reader topics --score tests/data/topics/dev/labels.yml`.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from support import ROOT

from policy_reader.cli.topics import documents
from policy_reader.model import SourceError
from policy_reader.topics import quality
from policy_reader.topics import rules as T

SETS = Path(__file__).parent / "data" / "topics"
VOCAB = T.load_vocabulary(ROOT)

#: The issue's target on papers the rules were not tuned on: precision 0.90, recall 0.85.
TARGET = (0.90, 0.85)
#: Floors (precision, recall): the figures measured with the vocabulary and model of this commit,
#: rounded down, so that a change that makes the tagging worse fails. Where a topic meets the
#: target the test asserts the target as well (``*_MEETS``).
#: Development set: 63 papers (held-out sets 1-11 joined it after being scored once each). The
#: model (docs/topics/model.json) is trained on these labels, so these figures are in-sample;
#: the honest ones are leave-one-paper-out (tests/test_topics_model.py).
DEV_FLOOR = {
    "sanctions": (0.98, 0.97),
    "military-exercises": (0.95, 0.99),
    "icbm-thresholds": (0.98, 0.99),
    "diplomacy": (0.99, 0.93),
}
DEV_MEETS = {"sanctions", "military-exercises", "icbm-thresholds", "diplomacy"}
#: The rules alone on the development set (no model): they must keep their precision.
RULES_FLOOR = {
    "sanctions": (0.98, 0.86),
    "military-exercises": (0.95, 0.97),
    "icbm-thresholds": (0.99, 0.87),
    "diplomacy": (0.90, 0.75),
}
#: The held-out set in tests/data/topics/heldout/ (labels.yml and sources/), when there is one: papers
#: written BLIND, after the tagging of this commit froze, by someone who did not read the vocabulary,
#: the rules, the model or the development set. Scored once; then it is seen and moves into dev/.
#: Set 11 is in dev/ (labels and their history in dev/labels.yml: scored once against 590421d,
#: sanctions 0.88 / 0.92, exercises 0.74 / 1.00, ICBM 0.88 / 1.00, diplomacy 0.89 / 0.89). With a new
#: set in place, set HELDOUT_FLOOR to its measured figures rounded down (the test prints them) and
#: HELDOUT_MEETS to the topics that meet the target; with none, both stay empty.
HELDOUT = SETS / "heldout"
#: Set 12 is in place: scored once against d2ac790 (header of heldout/labels.yml).
HELDOUT_FLOOR: dict[str, tuple[float, float]] = {
    "sanctions": (0.95, 0.80),
    "military-exercises": (0.93, 0.93),
    "icbm-thresholds": (0.76, 0.86),
    "diplomacy": (0.80, 0.85),
}
HELDOUT_MEETS: set[str] = {"military-exercises"}


def labelled_sets() -> list[str]:
    """The labelled sets present: dev always, heldout when it has been put in place."""
    return [name for name in ("dev", "heldout") if (SETS / name / "labels.yml").exists()]


def score_set(name: str, vocab=VOCAB):
    root = SETS / name
    labels = T.parse_overrides((root / "labels.yml").read_text(encoding="utf-8"), vocab, f"tests/data/topics/{name}/labels.yml")
    docs = documents(root)
    return docs, labels, T.evaluate(docs, vocab, labels, f"tests/data/topics/{name}/labels.yml")


@pytest.mark.parametrize("name", labelled_sets())
def test_every_paragraph_of_the_set_is_labelled_with_a_reason(name):
    docs, labels, _ = score_set(name)
    assert len(docs) >= (4 if name == "dev" else 3)
    for doc in docs:
        ids = [p.id for p in [*doc.takeaways, *doc.paragraphs()]]
        assert sorted(labels[doc.meta.slug]) == sorted(ids), doc.meta.slug
        assert all(len(o.reason) > 10 for o in labels[doc.meta.slug].values())
    assert set(labels) == {d.meta.slug for d in docs}
    assert sum(len(ids) for ids in labels.values()) >= (40 if name == "dev" else 30)
    if name == "dev":  # several shapes: op-eds, hearing statements and transcripts, reports with key takeaways
        assert any(d.takeaways for d in docs) and any(not d.takeaways for d in docs)
        assert any(p.speaker for d in docs for p in d.paragraphs())


def test_no_paper_is_in_both_sets_or_a_seed():
    dev = {d.meta.slug for d in documents(SETS / "dev")}
    held = {d.meta.slug for d in documents(HELDOUT)} if "heldout" in labelled_sets() else set()
    seeds = {d.meta.slug for d in documents(ROOT)}
    assert not dev & seeds and not held & seeds and not dev & held


def check_floors(name, floors, meets, vocab=VOCAB):
    _, _, (scores, misses) = score_set(name, vocab)
    report = "\n".join(f"{s.slug}: P {s.precision:.2f} R {s.recall:.2f}" for s in scores) + "\n" + "\n".join(misses)
    assert {s.slug for s in scores} == set(floors) and meets <= set(floors)
    for s in scores:
        p, r = floors[s.slug]
        assert s.precision >= p and s.recall >= r, report
        if s.slug in meets:
            assert s.precision >= TARGET[0] and s.recall >= TARGET[1], report
    return scores


def test_development_set_holds_its_floors_and_the_target_where_met():
    scores = check_floors("dev", DEV_FLOOR, DEV_MEETS)
    assert all(s.tp >= 30 for s in scores)


def test_held_out_set_holds_its_floors_and_the_target_where_met():
    """With a held-out set in place, its floors must be set and held; without one, no floors may
    claim figures (the floors and the set come and go together)."""
    if "heldout" not in labelled_sets():
        assert not HELDOUT_FLOOR and not HELDOUT_MEETS, "floors for a held-out set that is not in tests/data/topics/heldout/"
        assert not HELDOUT.exists() or not any(HELDOUT.iterdir()), "tests/data/topics/heldout/ needs labels.yml"
        return
    _, _, (scores, misses) = score_set("heldout")
    measured = "\n".join(f"{s.slug}: P {s.precision:.2f} R {s.recall:.2f} (tp {s.tp} fp {s.fp} fn {s.fn})" for s in scores)
    assert HELDOUT_FLOOR, f"a held-out set is in place: set HELDOUT_FLOOR (and HELDOUT_MEETS) from\n{measured}\n" + "\n".join(misses)
    scores = check_floors("heldout", HELDOUT_FLOOR, HELDOUT_MEETS)
    assert all(s.tp >= 5 for s in scores), measured  # fewer right tags than this measure nothing


def test_the_rules_alone_hold_their_floors_on_the_development_set():
    scores = check_floors("dev", RULES_FLOOR, {"military-exercises"}, replace(VOCAB, model=None))
    assert all(s.tp >= 30 for s in scores)


# --------------------------------------------------------------------------- context


def test_a_paragraph_that_goes_on_about_the_topic_is_tagged_by_context():
    texts = [
        "Joint military exercises with South Korea were cancelled in 2018.",
        "The drills had kept units ready.",
        "The weather was fine that year, and the drills ran on time.",
    ]
    assert T.classify(texts[1], VOCAB) == ()  # one weak word alone
    got = T.classify_sequence(texts, VOCAB)
    assert "military-exercises" in got[0] and "military-exercises" in got[1]
    assert "military-exercises" not in got[2]  # context never chains from a context-tagged paragraph
    assert T.context_tagged(texts, VOCAB)[1] == {"military-exercises"}


def test_context_needs_a_word_that_names_the_topic():
    # "allies" is a sign of the exercises topic, but not a word that names it: no context.
    texts = ["Joint military exercises with South Korea were cancelled in 2018.", "The allies disagreed."]
    assert "military-exercises" not in T.classify_sequence(texts, VOCAB)[1]


def test_context_field_errors():
    base = "topics:\n  - slug: a\n    title: A\n    description: d.\n    threshold: 2\n{ctx}    rules:\n      - match: [alpha]\n        weight: 2\n{rule}"
    with pytest.raises(SourceError, match="'context' must be a number from 0 to below the threshold"):
        T.parse_vocabulary(base.format(ctx="    context: 2\n", rule=""))
    with pytest.raises(SourceError, match="'context' must be true or false"):
        T.parse_vocabulary(base.format(ctx="", rule="        context: yes please\n"))
    with pytest.raises(SourceError, match="a negative rule cannot tag by context"):
        T.parse_vocabulary(base.format(ctx="", rule="      - match: [beta]\n        weight: -1\n        context: true\n"))


# --------------------------------------------------------------------------- suggest


def test_suggest_lists_borderline_paragraphs_and_skips_settled_ones():
    [doc] = [d for d in documents(SETS / "dev") if d.meta.slug == "okada-2023-after-the-pause"]
    found = quality.suggest(doc, VOCAB, {})
    assert found, "a report on drills has paragraphs at the edge"
    for s in found:
        got = T.score(s.text, VOCAB.by_slug()[s.topic]).score
        assert got == s.score
        if s.kind == "near":
            assert s.topic not in s.rules and s.threshold - 1 <= s.score < s.threshold
        elif s.kind == "unsigned":  # the model alone would tag it, but no rule of the topic matched
            assert s.topic not in s.rules and s.score <= 0 and s.model_p >= VOCAB.model.alone
        elif s.kind == "held":  # set aside or held back, within a point of the threshold without it
            assert s.topic not in s.rules and T.score(s.text, VOCAB.by_slug()[s.topic]).held and s.aside
            assert s.unheld >= s.threshold - 1
        else:
            assert s.topic in s.rules and s.score <= s.threshold
    settled = {doc.meta.slug: {s.pid: T.Override(doc.meta.slug, s.pid, s.rules, "checked", 0) for s in found}}
    assert quality.suggest(doc, VOCAB, settled) == []


def test_suggest_lists_paragraphs_held_back_by_the_frames_and_hold_rules():
    """A paragraph whose talk words were set aside (a passing mention) or that a ``hold`` rule counted
    against is a guess about its sentences: ``--suggest`` shows it to the editor, with the words that
    held it and its score without them, and the override line that would tag it."""
    from policy_reader.model import Document, Metadata, Paragraph, Section
    texts = ["Since the Hanoi summit, the price of rice in the markets has doubled.",  # the summit as a time
             "Since the Hanoi summit, the envoys have not met and no new proposal for a deal has been made.",
             "The weather in Pyongyang was fine."]
    doc = Document("p.txt", meta=Metadata(title="A", slug="a"),
                   sections=(Section(None, tuple(Paragraph(t, i, f"p-{i}") for i, t in enumerate(texts, 1)), 1),))
    found = [s for s in quality.suggest(doc, VOCAB, {}) if s.topic == "diplomacy"]
    held = {s.pid: s for s in found if s.kind == "held"}
    assert "p-1" in held and "p-3" not in held
    s = held["p-1"]
    assert "summit" in s.aside and s.unheld >= s.threshold - 1 and "diplomacy" not in s.rules
    out = "\n".join(quality.suggestion_lines([s], VOCAB))
    assert "held back by" in out and '"summit"' in out and "p-1: {topics: [diplomacy" in out
    settled = {"a": {s.pid: T.Override("a", s.pid, s.rules, "checked", 0) for s in found}}
    assert not [s for s in quality.suggest(doc, VOCAB, settled) if s.topic == "diplomacy"]


def test_suggest_command_prints_override_lines_an_editor_can_paste():
    out = subprocess.run(
        [str(Path(sys.executable).parent / "policy-reader"), "topics", "--suggest"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert "borderline" in lines[0] and "docs/topics/overrides.yml" in lines[0]
    entries = [l for l in lines[1:] if l.startswith("  ") and not l.startswith("    ")]
    assert entries
    for line in entries:  # each one parses as an overrides.yml entry naming known topics
        [(pid, value)] = yaml.safe_load(line.strip()).items()
        assert set(value["topics"]) <= set(VOCAB.slugs()) and value["reason"]
    # Paragraphs already in overrides.yml are settled: none of them is listed.
    settled = T.load_overrides(ROOT, VOCAB)
    for line in lines[1:]:
        if not line.startswith(" ") and line:
            paper, pid = line.split(":")[0].split()
            assert pid not in settled.get(paper, {}), line


def test_score_command_reads_a_labelled_set_with_its_own_sources():
    out = subprocess.run(
        [str(Path(sys.executable).parent / "policy-reader"), "topics", "--score", "tests/data/topics/dev/labels.yml"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "63 papers" in out.splitlines()[0]
    assert all(slug in out for slug in VOCAB.slugs())
