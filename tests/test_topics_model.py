"""The topic model (scripts/policy_reader/topics/model.py, train.py): the committed weights
follow the labels, training is deterministic, leave-one-paper-out holds its measured floors,
and a tag that comes from the model is explained, suggested and rendered.

Measured figures: `policy-reader topics --lopo`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from support import ROOT

from policy_reader.convert import incremental
from policy_reader.model import Document, Metadata, Paragraph, Section, SourceError
from policy_reader.site.topics.pages import excerpt
from policy_reader.topics import model as M
from policy_reader.topics import quality
from policy_reader.topics import rules as T
from policy_reader.topics import train

VOCAB = T.load_vocabulary(ROOT)
CLI = str(Path(sys.executable).parent / "policy-reader")


@pytest.fixture(scope="module")
def rows():
    return train.rows(ROOT, VOCAB)


def test_the_committed_model_is_trained_on_the_committed_labels(rows):
    """Fails when a label, a labelled paper or the features changed and `policy-reader topics
    --train` was not run again (the model would then lag behind the labels)."""
    assert VOCAB.model is not None, f"{M.MODEL_PATH} is missing"
    assert VOCAB.model.digest == train.digest(rows), f"{M.MODEL_PATH} is stale: run `policy-reader topics --train`"
    assert set(VOCAB.model.topics) == set(VOCAB.slugs())
    m = VOCAB.model
    assert (m.alone, m.near, m.min_features, m.sign) == (train.ALONE, train.NEAR, train.MIN_FEATURES, train.SIGN), \
        "train again: the thresholds changed"


def test_the_staleness_check_can_fail(rows):
    r = rows[0]
    flipped = [replace(r, topics=r.topics ^ {"diplomacy"}), *rows[1:]]
    reworded = [replace(r, text=r.text + " More words."), *rows[1:]]
    assert len({train.digest(rows), train.digest(flipped), train.digest(reworded), train.digest(rows[1:])}) == 4


def test_training_again_gives_the_committed_weights(rows):
    weights = train.fit(rows, VOCAB.slugs())
    for slug, w in VOCAB.model.topics.items():
        assert abs(weights[slug].intercept - w.intercept) < 1e-3
        assert set(w.weights) <= set(weights[slug].weights)
        assert max(abs(weights[slug].weights[f] - v) for f, v in w.weights.items()) < 1e-3
    model = M.TopicModel(weights, train.ALONE, train.NEAR, train.MIN_FEATURES, train.digest(rows), VOCAB.model.trained_on,
                         sign=train.SIGN, doubt=dict(train.DOUBT))
    again = M.parse(M.dumps(model), "again", VOCAB.slugs())
    assert again.digest == VOCAB.model.digest and again.alone == VOCAB.model.alone and again.near == VOCAB.model.near
    assert again.sign is VOCAB.model.sign is True
    assert again.doubt == VOCAB.model.doubt == train.DOUBT == {
        "sanctions": (0.02, 0.65), "military-exercises": (0.0, 0.65), "diplomacy": (0.2, 0.7)}


#: Leave-one-paper-out over the 63 development papers (`policy-reader topics --lopo`), rounded down.
#: "model": the model alone (honest); "shipped": rules + model as the converter tags (the rules'
#: share is optimistic: they were written while reading every development paper). As shipped, the
#: abstain band withholds 20 diplomacy tags for the editor (5 of them right): diplomacy 0.96 / 0.84;
#: after the editor settles them ("confirmed") 0.96 / 0.87.
LOPO_FLOOR = {
    "model": {"sanctions": (0.95, 0.77), "military-exercises": (0.97, 0.85), "icbm-thresholds": (0.96, 0.83), "diplomacy": (0.89, 0.73)},
    "shipped": {"sanctions": (0.98, 0.92), "military-exercises": (0.95, 0.99), "icbm-thresholds": (0.95, 0.97), "diplomacy": (0.96, 0.83)},
    "confirmed": {"sanctions": (0.98, 0.95), "diplomacy": (0.96, 0.87)},
}
TARGET = (0.90, 0.85)
#: The topics whose precision and recall as shipped meet the target leave-one-paper-out: all four
#: (with set 8 joined and e9c7e4c's rules diplomacy recall was 0.849, 152 of 179; topics7's rules 154).
#: Diplomacy meets it once the editor has settled the tags the abstain band withholds ("confirmed").
LOPO_MEETS = {"sanctions", "military-exercises", "icbm-thresholds"}


@pytest.fixture(scope="module")
def loo():
    return train.lopo(ROOT, VOCAB)


@pytest.fixture(scope="module")
def loo_without_band():
    return train.lopo(ROOT, VOCAB, doubt={})


def test_leave_one_paper_out_holds_its_floors_and_the_target_as_shipped(loo):
    result = loo
    report = "\n".join(train.lopo_lines(result, 63))
    for kind, floors in LOPO_FLOOR.items():
        for slug, (p, r) in floors.items():
            c = result[kind][slug]
            assert c.precision >= p and c.recall >= r, f"{kind} {slug}\n{report}"
    for slug, c in result["shipped"].items():
        assert slug not in LOPO_MEETS or (c.precision >= TARGET[0] and c.recall >= TARGET[1]), report
    d = result["confirmed"]["diplomacy"]
    assert d.precision >= TARGET[0] and d.recall >= TARGET[1], report
    # The model adds what the rules miss: as shipped, recall is at least the rules' own on every topic, and
    # above it on every topic but the exercises, whose rules miss one paragraph the model does not find.
    assert all(result["shipped"][s].recall >= result["rules"][s].recall for s in VOCAB.slugs())
    assert all(result["shipped"][s].recall > result["rules"][s].recall for s in VOCAB.slugs()
               if result["rules"][s].fn and s != "military-exercises"), report


def test_the_passing_mention_rule_takes_more_wrong_tags_than_right_ones(loo_without_band):
    """Measured (without the abstain band, which takes some of the same wrong tags) leave-one-paper-out over the 45 development papers: without the rule (the model
    adding topics to paragraphs no rule of the topic matched) diplomacy scores 0.90 / 0.86 (18 wrong
    tags, mostly talks named in passing beside drills or sanctions); with it 0.96 / 0.86. Over the
    four topics the rule takes 18 wrong tags and 1 right one (39 papers: 16 and 1; 34: 13 and 2; 28: 7 and 3)."""
    loo = loo_without_band
    shipped, unsigned = loo["shipped"], loo["unsigned"]
    report = "\n".join(train.lopo_lines(loo, 63))
    removed_wrong = sum(unsigned[s].fp - shipped[s].fp for s in VOCAB.slugs())
    removed_right = sum(unsigned[s].tp - shipped[s].tp for s in VOCAB.slugs())
    assert all(shipped[s].fp <= unsigned[s].fp and shipped[s].tp <= unsigned[s].tp for s in VOCAB.slugs()), report
    assert removed_wrong >= 7 and removed_wrong >= 2 * removed_right, report
    d_now, d_then = shipped["diplomacy"], unsigned["diplomacy"]
    assert d_now.precision >= d_then.precision + 0.03 and d_now.tp >= d_then.tp - 1, report


# --------------------------------------------------------------------------- tags from the model


#: One weak sign of sanctions ("cargo", weight 1): the rules alone do not tag it, the model does.
MODEL_ONLY = ("The controls work only when Beijing inspects the cargo of the trucks and barges that cross the river border "
              "at Dandong; for most of the past decade its officers have waved them through while the regime's brokers "
              "shipped what they pleased.")
#: The same without that sign: no rule of sanctions matches a word of it.
NO_SIGN = MODEL_ONLY.replace("the cargo of ", "")


def test_a_short_text_is_left_to_the_rules():
    short = "Washington should exercise restraint here."
    assert len(M.features(short)) < VOCAB.model.min_features
    assert T.model_adds(short, VOCAB) == {}


def test_features_are_stems_without_function_words():
    assert M.features("Sanctioned, sanctions and sanctioning") == {"sanction"}
    assert M.features("The talks’ agenda") >= {"talk", "agenda"} and "the" not in M.features("The talks")


def test_the_model_adds_a_topic_the_rules_miss_and_explains_it():
    s = T.score(MODEL_ONLY, VOCAB.by_slug()["sanctions"])
    assert 0 < s.score < s.topic.threshold  # a sign of the topic, not enough for the rules
    assert "sanctions" in T.classify(MODEL_ONLY, VOCAB)
    assert "sanctions" not in T.classify(MODEL_ONLY, replace(VOCAB, model=None))
    assert T.classify_sequence([MODEL_ONLY], VOCAB) == [T.classify(MODEL_ONLY, VOCAB)]
    assert VOCAB.model.why(MODEL_ONLY, "sanctions").startswith("model p=0.")


def test_the_model_adds_no_topic_where_no_rule_of_it_matched():
    """The passing-mention rule (model.py): however sure the model is, a paragraph with no sign of
    a topic in the rules does not get it from the model."""
    sanctions = VOCAB.by_slug()["sanctions"]
    s = T.score(NO_SIGN, sanctions)
    assert not s.hits and T.highlight_spans(NO_SIGN, sanctions) == []
    p, n = VOCAB.model.assess(NO_SIGN)
    assert p["sanctions"] >= VOCAB.model.alone and n >= VOCAB.model.min_features  # the model alone would tag it
    assert "sanctions" not in T.classify(NO_SIGN, VOCAB) and T.model_adds(NO_SIGN, VOCAB) == {}
    assert "sanctions" in T.classify(NO_SIGN, replace(VOCAB, model=replace(VOCAB.model, sign=False)))
    assert VOCAB.model.adds("sanctions", 0.99, 0, 2, 20) is False and VOCAB.model.adds("sanctions", 0.99, 1, 2, 20) is True
    assert VOCAB.model.adds("diplomacy", 0.99, -1, 3, 20) is False  # a negative rule cancelled the sign


def test_suggest_lists_a_topic_the_passing_mention_rule_held_back():
    doc = T.annotate(_doc(NO_SIGN), VOCAB)
    [p] = doc.paragraphs()
    assert "sanctions" not in p.topics
    [s] = [s for s in quality.suggest(doc, VOCAB) if s.topic == "sanctions"]
    assert s.kind == "unsigned" and s.model_p >= VOCAB.model.alone and s.score <= 0
    out = "\n".join(quality.suggestion_lines([s], VOCAB))
    assert "not tagged 'sanctions': the model says p=0." in out and "no rule of it matched" in out
    assert "  p-1: {topics: [sanctions], reason:" in out  # the line that would confirm it
    no_sign = replace(VOCAB, model=replace(VOCAB.model, sign=False))
    assert not [s for s in quality.suggest(T.annotate(_doc(NO_SIGN), no_sign), no_sign) if s.kind == "unsigned"]


def test_explain_and_suggest_name_a_tag_from_the_model():
    doc = T.annotate(_doc(MODEL_ONLY), VOCAB)
    [p] = doc.paragraphs()
    assert "sanctions" in p.topics
    lines = "\n".join(T.explain(doc, VOCAB))
    assert "sanctions: score" in lines and "-> tagged by the model" in lines and "model p=0." in lines
    [s] = [s for s in quality.suggest(doc, VOCAB) if s.topic == "sanctions"]
    assert s.kind == "edge" and s.model_p is not None and s.model_p >= VOCAB.model.near
    out = "\n".join(quality.suggestion_lines([s], VOCAB))
    assert "tagged 'sanctions' by the model (p=0." in out
    assert "  p-1: {topics: [], reason:" in out  # the line that would undo it


#: Talks between the parties: the rules tag it diplomacy by themselves (score 8 of 3).
TALKS = ("Negotiators from Washington and Pyongyang met in Stockholm for talks on a freeze of the missile programme "
         "and a path to denuclearization, and agreed to meet again in the spring.")
#: One weak sign of diplomacy (North Korean "diplomats", 1 of 3): a tag only the model could give.
WEAK = ("North Korean diplomats posted to Stockholm said little this season, with few visitors from abroad and less "
        "news from the ministries about the harvest or the markets.")


def _sure(p: float) -> T.Vocabulary:
    """The project's vocabulary and model, with diplomacy's probability ``p`` for every text (a model
    that weighs no word), so the abstain band can be tested at a known probability."""
    import math
    weights = {**VOCAB.model.topics, "diplomacy": M.TopicWeights(math.log(p / (1 - p)), {})}
    return replace(VOCAB, model=replace(VOCAB.model, topics=weights))


def test_the_abstain_band_withholds_a_rules_tag_the_model_finds_very_unlikely():
    d = VOCAB.by_slug()["diplomacy"]
    assert T.score(TALKS, d).tagged and len(M.features(TALKS)) >= VOCAB.model.min_features
    unsure = _sure(0.1)
    assert "diplomacy" not in T.classify(TALKS, unsure) and "diplomacy" in T.classify(TALKS, _sure(0.3))
    assert "diplomacy" in T.classify(TALKS, replace(unsure, model=replace(unsure.model, doubt={})))  # no band: tagged
    [got], [withheld] = T.tag_sequence([TALKS], unsure)
    assert "diplomacy" not in got and withheld["diplomacy"] == T.Withheld(withheld["diplomacy"].p, True, 0.2)
    assert abs(withheld["diplomacy"].p - 0.1) < 1e-9
    # the rules alone still tag it, and a text too short for the model keeps the rules' tag
    assert "diplomacy" in T.classify(TALKS, replace(VOCAB, model=None))
    short = "Negotiators from Washington and Pyongyang resumed talks on denuclearization."
    assert len(M.features(short)) < VOCAB.model.min_features and "diplomacy" in T.classify(short, unsure)


def test_the_abstain_band_withholds_a_model_tag_that_is_not_sure_enough():
    d = VOCAB.by_slug()["diplomacy"]
    s = T.score(WEAK, d)
    assert 0 < s.score < d.threshold and not s.held
    assert "diplomacy" not in T.classify(WEAK, _sure(0.65)) and "diplomacy" in T.classify(WEAK, _sure(0.75))
    [_], [withheld] = T.tag_sequence([WEAK], _sure(0.65))
    assert withheld["diplomacy"].by_rules is False and withheld["diplomacy"].below == 0.7
    assert T.tag_sequence([WEAK], _sure(0.5))[1] == [{}]  # below the model's own threshold: not a tag at all


def test_suggest_and_explain_list_a_withheld_tag_and_an_override_settles_it():
    unsure = _sure(0.1)
    doc = T.annotate(_doc(TALKS), unsure)
    [p] = doc.paragraphs()
    assert "diplomacy" not in p.topics
    [s] = [s for s in quality.suggest(doc, unsure) if s.topic == "diplomacy"]
    assert s.kind == "withheld" and s.by_rules and abs(s.model_p - 0.1) < 1e-9
    out = "\n".join(quality.suggestion_lines([s], unsure))
    assert "not tagged 'diplomacy': the rules tag it but the model says p=0.10, below 0.2 (they disagree)" in out
    assert "withheld until you confirm it" in out and "  p-1: {topics: [diplomacy], reason:" in out
    assert "diplomacy: score 8 / threshold 3 -> withheld for the editor" in "\n".join(T.explain(doc, unsure))
    [s] = [s for s in quality.suggest(T.annotate(_doc(WEAK), _sure(0.65)), _sure(0.65)) if s.topic == "diplomacy"]
    assert "the model alone says p=0.65, below 0.7 (not sure enough)" in "\n".join(quality.suggestion_lines([s], VOCAB))
    # the editor confirms it in overrides.yml: the tag is back and the paragraph leaves the list
    overrides = T.parse_overrides('a-paper:\n  p-1: {topics: [diplomacy], reason: "talks between the two, confirmed"}\n',
                                  unsure, "overrides.yml")
    [p] = T.annotate(_doc(TALKS), unsure, overrides).paragraphs()
    assert p.topics == ("diplomacy",)
    assert not quality.suggest(T.annotate(_doc(TALKS), unsure, overrides), unsure, overrides)


@pytest.mark.parametrize("doubt, what", [
    ([], "'doubt' must map topic slugs"),
    ({"weather": {"rules_below": 0.2, "model_below": 0.7}}, "'doubt' names topic 'weather'"),
    ({"diplomacy": {"rules_below": 0.2}}, "needs 'rules_below' and 'model_below'"),
    ({"diplomacy": {"rules_below": 2, "model_below": 0.7}}, "needs 'rules_below' and 'model_below'"),
])
def test_a_bad_abstain_band_is_one_line(doubt, what):
    text = json.dumps({"features": M.FEATURES, "alone": 0.6, "near": 0.3, "min_features": 12, "doubt": doubt,
                       "topics": {"sanctions": {"intercept": 0, "weights": {}}}})
    with pytest.raises(SourceError) as exc:
        M.parse(text, M.MODEL_PATH, VOCAB.slugs())
    assert str(exc.value).startswith(f"{M.MODEL_PATH}:1: ") and what in str(exc.value)


def _doc(text: str) -> Document:
    return Document("paper.txt", meta=Metadata(title="A paper", slug="a-paper"),
                    sections=(Section(None, (Paragraph(text, 1, "p-1"),), 1),))


def test_a_passage_without_highlighted_words_renders():
    """A model tag may come with no rule match: the topic page shows the passage's first
    sentence, escaped, with nothing marked."""
    text = "Banks in <Dandong> moved the money. Then it stopped."
    html = excerpt(text, VOCAB.by_slug()["sanctions"], [])
    assert html == "Banks in &lt;Dandong&gt; moved the money. …"


# --------------------------------------------------------------------------- the file


@pytest.mark.parametrize("text, what", [
    ("{", "invalid JSON"),
    ("[]", "expected a JSON object"),
    ('{"features": "other"}', "trained on features 'other'"),
    (json.dumps({"features": M.FEATURES, "alone": 2, "near": 0.3, "topics": {}}), "'alone' must be a probability"),
    (json.dumps({"features": M.FEATURES, "alone": 0.6, "near": 0.3, "min_features": "12", "topics": {}}), "'min_features' must be a whole number"),
    (json.dumps({"features": M.FEATURES, "alone": 0.6, "near": 0.3, "min_features": 12,
                 "topics": {"weather": {"intercept": 0, "weights": {}}}}), "topic 'weather' is not in the vocabulary"),
    (json.dumps({"features": M.FEATURES, "alone": 0.6, "near": 0.3, "min_features": 12,
                 "topics": {"sanctions": {"intercept": 0, "weights": {"a": "x"}}}}), "needs a number 'intercept' and 'weights' of numbers"),
])
def test_a_bad_model_file_is_one_line(text, what):
    with pytest.raises(SourceError) as exc:
        M.parse(text, M.MODEL_PATH, VOCAB.slugs())
    assert str(exc.value).startswith(f"{M.MODEL_PATH}:") and what in str(exc.value)
    assert "policy-reader topics --train" in str(exc.value)


def test_a_project_without_a_model_tags_by_the_rules_alone(tmp_path):
    (tmp_path / "docs" / "topics").mkdir(parents=True)
    shutil.copy(ROOT / T.VOCABULARY_PATH, tmp_path / T.VOCABULARY_PATH)
    assert T.load_vocabulary(tmp_path).model is None
    without = incremental.vocabulary_digest(tmp_path)
    shutil.copy(ROOT / M.MODEL_PATH, tmp_path / M.MODEL_PATH)
    assert T.load_vocabulary(tmp_path).model is not None
    assert incremental.vocabulary_digest(tmp_path) != without  # a new model converts every paper again


def test_train_command_writes_the_model_file(tmp_path):
    project = tmp_path / "p"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", "site", ".cache", "node_modules"))
    (project / M.MODEL_PATH).unlink()
    out = subprocess.run([CLI, "topics", "--train", "--root", str(project)], capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"wrote {M.MODEL_PATH}: ")
    assert (project / M.MODEL_PATH).read_text(encoding="utf-8") == (ROOT / M.MODEL_PATH).read_text(encoding="utf-8")


def test_leaving_a_group_of_papers_out():
    """Set 4 was written after the vocabulary froze: rules + a model trained without it, on it."""
    set4 = ["natarajan-2025-memo-for-the-envoy", "han-2024-remarks-at-the-forum",
            "whitcombe-2023-why-the-drills-make-headlines", "maddox-2024-review-the-long-squeeze"]
    result = train.lopo(ROOT, VOCAB, group=set4)
    assert sum(c.tp + c.fn for c in result["rules"].values()) == sum(c.tp + c.fn for c in result["shipped"].values()) == 49
    # Measured (rounded down). Sanctions recall was >= 0.85 with the model trained on 28 papers; trained
    # on 34 (set 6 added) the model gave 2 fewer of set 4's 15 sanctions tags (0.73, the same with
    # 14547b8's rules, so it came from the retraining); trained on 39 (set 7 added), 0.80, and diplomacy
    # 0.81 (13 of 16; 14 trained on 34); 0.75 with the not_after frames (issue 15, topics6): its "After
    # the Singapore summit, President Trump announced ..." is labelled diplomacy, a summit named as a time.
    # Trained on 45 (set 8 added): sanctions 0.73 (11 of 15), diplomacy 0.68 (11 of 16).
    floors = {"sanctions": (1.00, 0.73), "military-exercises": (0.90, 1.00), "icbm-thresholds": (0.88, 1.00), "diplomacy": (1.00, 0.68)}
    for slug, c in result["shipped"].items():
        p, r = floors[slug]
        assert c.recall >= result["rules"][slug].recall and c.recall >= r and c.precision >= p, slug
    with pytest.raises(SourceError, match="no development paper 'nobody'"):
        train.lopo(ROOT, VOCAB, group=["nobody"])


#: Set 5 (now in dev), left out together: scored once blind at c9ae937 (rules + model: diplomacy
#: 0.89 / 0.93, three wrong tags from the model on paragraphs with no diplomacy rule match;
#: sanctions 0.91 / 1.00, two). A model trained without it, with the passing-mention rule: diplomacy
#: 1.00 / 0.93, sanctions 0.95 / 1.00. Seen figures now (the rule was found by reading its misses);
#: the new held-out set measures the rule blind.
SET5 = ["ferrante-2019-after-the-stockholm-walkout", "halvorsen-2020-talks-at-an-impasse", "ledger-2022-the-freeze-is-over",
        "marchetti-2024-the-calendar-as-a-bargaining-chip", "okonjo-2025-is-the-squeeze-still-working"]


def left_out_together(group: list[str], labels: int, floors: dict[str, tuple[float, float]]):
    """A former held-out set left out together (the model trained without it): its label count and
    its floors per topic -> (LOPO result, report)."""
    result = train.lopo(ROOT, VOCAB, group=group)
    report = "\n".join(train.lopo_lines(result, len(group), group=True))
    assert sum(c.tp + c.fn for c in result["shipped"].values()) == labels, report
    for slug, (p, r) in floors.items():
        c = result["shipped"][slug]
        assert c.precision >= p and c.recall >= r, f"{slug}\n{report}"
    return result, report


def test_set_5_left_out_keeps_the_passing_mention_rule_s_gain():
    result, report = left_out_together(SET5, 83, {
        "sanctions": (0.95, 1.00), "military-exercises": (1.00, 1.00), "icbm-thresholds": (0.95, 1.00), "diplomacy": (1.00, 0.92)})
    # diplomacy recall 0.92 -> 0.89 with the party check (issue 15, topics8): marchetti p-9's "the freeze-for-freeze
    # idea Beijing has long promoted" was China's proposal in its sentence; back to 0.93 without it (topics9).
    # 3 wrong tags without the rule on 28 papers; 2 with the model trained on 34 (the party rule takes none of them).
    # 1 with the model trained on 45 (set 8 added).
    assert result["unsigned"]["diplomacy"].fp == 1 and result["shipped"]["diplomacy"].fp == 0, report


#: Set 6 (now in dev), left out together: scored once blind at 14547b8 (rules + model: diplomacy
#: 0.66 / 1.00, 11 wrong tags, mostly meetings among the allies, talks named as a time or a place,
#: inter-Korean contacts, a press briefing's opening; sanctions 0.87 / 0.96, launches said to breach
#: the Council's resolutions). With the 'absent' party rule, the allied-only and "X or no X" rules
#: of diplomacy, "diplomats" (the people) made a weak sign, and the launch-breach rule of sanctions
#: (issue 15, helper topics5), a model trained
#: without it: diplomacy 0.88 / 1.00, sanctions 0.90 / 0.96. Seen figures (the rules came from
#: reading its misses); the next held-out set measures them blind.
SET6 = ["abernethy-2026-seven-things-to-watch-if-they-meet-again", "castellanos-2018-keeping-the-door-open-after-singapore",
        "deshmukh-2024-north-korea-typologies-for-correspondent-banking", "han-2019-regular-press-briefing",
        "lindqvist-2021-north-korea-and-canadas-role", "marwick-2023-the-man-who-counts-dark-tankers"]


def test_set_6_left_out_keeps_the_party_rule_s_gain():
    result, report = left_out_together(SET6, 78, {
        "sanctions": (0.86, 0.96), "military-exercises": (0.93, 1.00), "icbm-thresholds": (1.00, 0.86), "diplomacy": (0.91, 1.00)})
    # sanctions 0.86 (26 of 30) with the model retrained on set 9 as well (was 0.89).
    assert result["shipped"]["diplomacy"].fp <= 2 < 11, report  # 11 wrong diplomacy tags blind; 3 before topics6's rules


#: Set 7 (now in dev), left out together: scored once blind at 4bdc87f (rules + model: diplomacy
#: 0.65 / 0.94, 8 wrong tags: an academic framing ("tacit bargaining"), "a gesture in support of
#: diplomacy", summits named as a time ("after the summit", "since the Hanoi meeting"), a paragraph
#: carried by the ones before it; sanctions 0.95 / 1.00, exercises 0.92 / 1.00, ICBM 0.95 / 0.95).
#: A model trained without it gave the same figures with the rules of the time. With the not_after
#: frames, 'hold' rules and the tacit and counterparts rules (issue 15, helper topics6): diplomacy
#: 0.88 / 0.94 (2 wrong tags, 8 before: the tacit-bargaining article's "rather than reciprocity" and
#: "the arrangement was ended", whose tacitness only earlier paragraphs say). Seen figures: the rules
#: came from reading its misses; the next blind set measures them.
SET7 = ["brandt-2023-north-korea-fires-icbm-as-allied-drills-begin", "hallworth-2018-the-summit-was-the-easy-part",
        "okafor-2022-the-end-of-the-long-range-pause", "solberg-2025-aid-at-the-margins", "voss-2021-signalling-through-restraint"]


def test_set_7_left_out_keeps_the_passing_mention_frames_gain():
    result, report = left_out_together(SET7, 68, {
        "sanctions": (0.95, 1.00), "military-exercises": (0.92, 1.00), "icbm-thresholds": (0.95, 0.95), "diplomacy": (0.87, 0.87)})
    # diplomacy 0.875 / 0.875 (14 right, 2 wrong, 2 missed) with the model trained on set 9 and the two relabelled
    # paragraphs (0.88 / 0.93 before: the model no longer adds one right tag)
    assert result["shipped"]["diplomacy"].fp <= 2 < 8, report  # 8 wrong diplomacy tags blind
    assert result["rules"]["diplomacy"].fp <= 2 < 5, report  # 5 of them the rules'


#: Set 8 (now in dev), left out together: scored once blind at e9c7e4c (rules + model: sanctions
#: 0.84 / 0.84, exercises 1.00 / 0.94, ICBM 0.95 / 0.79, diplomacy 0.81 / 0.88; rules alone 0.84 /
#: 0.84, 1.00 / 0.82, 1.00 / 0.62, 0.79 / 0.79); a model trained without it, with e9c7e4c's rules,
#: gave the same figures. With the paraphrase families and the stricter diplomacy rules (issue 15,
#: helper topics7): sanctions 0.90 / 1.00, exercises 1.00 / 1.00, ICBM 0.95 / 0.95, diplomacy 0.95 /
#: 0.91. Seen figures: the families came from reading its misses; the next blind set measures them.
SET8 = ["adebayo-lund-2021-freeze-for-freeze", "fennimore-2019-between-deadlines", "lisle-2017-north-korea-nuclear-test",
        "raghunathan-2020-north-koreas-testing-pause", "ravensworth-2026-pausing-the-drills", "whitcombe-2025-peninsula-weekly-214"]


def test_set_8_left_out():
    result, report = left_out_together(SET8, 84, {
        "sanctions": (0.90, 1.00), "military-exercises": (1.00, 1.00), "icbm-thresholds": (0.95, 0.95), "diplomacy": (1.00, 0.79)})
    # diplomacy 1.00 / 0.79 (19 right, 5 missed) with the model retrained on set 11 as well (0.83 before: the band
    # withholds one right tag more, 3 of them, 2 right).
    # diplomacy recall 0.92 -> 0.875 with the party check (issue 15, topics8): adebayo-lund p-2, Beijing's "dual
    # suspension" and Moscow's joint statement, sentences of third parties; labelled for the bargain they describe.
    # Without the party check and the abstain band (issue 15, topics9) 0.96 / 0.92; the band withholds 3 tags, 2 of
    # them right: 1.00 / 0.83.
    assert result["shipped"]["diplomacy"].fp == 0 < 5, report  # 5 wrong diplomacy tags blind


#: Set 9 (now in dev), left out together: scored once blind at 7755939 (rules + model: sanctions
#: 0.90 / 0.86, exercises 0.94 / 1.00, ICBM 0.92 / 1.00, diplomacy 0.70 / 1.00 with 8 wrong tags;
#: rules alone 0.94 / 0.71, 1.00 / 0.94, 1.00 / 1.00, 0.77 / 0.89); a model trained without it gives the same.
SET9 = ["tarrasch-2021-the-ghost-tankers-of-the-east-china-sea", "achterberg-2019-after-hanoi-rapporteurs-report",
        "ellingwood-2023-stop-apologizing-for-training", "bjelland-2018-foreign-minister-welcomes-singapore-meeting",
        "quarrie-2020-the-long-pause-an-annotated-chronology", "wierzbicki-2026-options-for-reopening-a-channel-to-pyongyang"]


def test_set_9_left_out():
    result, report = left_out_together(SET9, 69, {
        "sanctions": (0.93, 0.71), "military-exercises": (0.94, 1.00), "icbm-thresholds": (0.92, 1.00), "diplomacy": (0.86, 1.00)})
    # sanctions 0.94 / 0.71 with the sanctions band (topics10; 0.89 / 0.76 without: it withholds 2 tags, 1 right).
    # diplomacy 0.86 / 1.00 (19 right, 3 wrong) with the model retrained on set 11 as well (0.90 / 0.95 before).
    # Without the party check (topics9) 0.70 / 1.00; the abstain band withholds 7 tags, 6 of them wrong.
    # sanctions 0.89 / 0.76 (16 right, 2 wrong, 5 missed) with the model retrained on set 10 as well (0.90 / 0.86
    # before: the model no longer adds two right tags).
    # With the party check (issue 15, topics8; seen): 6 wrong diplomacy tags, Russia's arms-for-oil exchange and
    # "leave the initiative to South Korea: family reunions, a reopened liaison office" gone.
    assert result["shipped"]["diplomacy"].fp <= 3 < 8, report  # 8 wrong diplomacy tags blind


#: Set 10 (now in dev), left out together: scored once blind at 0e71d6d (rules + model: sanctions
#: 0.92 / 1.00, exercises 0.92 / 1.00, ICBM 0.93 / 1.00, diplomacy 0.62 / 0.67 with 6 wrong tags and 5
#: missed; rules alone 0.95 / 0.83, 0.91 / 0.91, 1.00 / 1.00, 0.71 / 0.67). Its papers moved into dev
#: unchanged; with that commit's rules and a model trained without it, the same figures.
SET10 = ["okonkwo-lim-2025-north-korea-fires-long-range-missile", "grunewald-2025-corin-haldane-diplomat-obituary",
         "solberg-nakamura-2024-members-circular-korean-peninsula", "lindqvist-2021-pol-3412-final-examination-model-answers",
         "abernathy-kwon-2019-field-monitoring-report-winter-assistance", "ostrander-2026-seventh-kestrel-harbour-dialogue-programme"]


def test_set_10_left_out():
    result, report = left_out_together(SET10, 63, {
        "sanctions": (1.00, 0.95), "military-exercises": (0.91, 1.00), "icbm-thresholds": (0.92, 1.00), "diplomacy": (0.84, 0.73)})
    # sanctions 1.00 / 0.96 with the sanctions band (topics10; 0.92 / 1.00 without: it withholds 3 tags, 1 right).
    # Without the party check (topics9; the other rules are those set 10 was scored against) 0.61 / 0.73, as
    # topics7's tagging scored it blind; the abstain band (chosen by leave-one-set-out on sets 0-9) withholds 5
    # diplomacy tags, all wrong: 0.85 / 0.73.
    assert result["shipped"]["diplomacy"].fp <= 2 < 6, report  # 6 wrong diplomacy tags blind
    assert result["shipped"]["diplomacy"].asked == 5 and result["shipped"]["diplomacy"].asked_right == 0, report
    without = train.lopo(ROOT, VOCAB, group=SET10, doubt={})["shipped"]["diplomacy"]
    assert (without.tp, without.fp, without.fn) == (11, 7, 4)  # topics7's blind figures


#: Set 11 (now in dev), left out together: scored once blind at 590421d (rules + model: sanctions
#: 0.88 / 0.92, exercises 0.74 / 1.00, ICBM 0.88 / 1.00, diplomacy 0.89 / 0.89, tp/fp/fn 23/3/2, 14/5/0,
#: 15/2/0, 17/2/2; rules alone 1.00 / 0.76, 0.78 / 1.00, 1.00 / 0.93, 0.80 / 0.84). Its papers moved into
#: dev unchanged; with that commit's rules and a model trained without it, the same figures.
SET11 = ["quarshie-vance-2024-sentencing-thackeray-liu", "quennell-abrahamsen-2023-cold-lantern-after-action",
         "solvang-okafor-2022-council-meeting-record", "ferraby-nkemelu-2025-freeze-for-freeze-entry",
         "brathwaite-okoye-2024-old-tankers-dark-trade", "vantongeren-2025-written-questions-korean-peninsula"]


def test_set_11_left_out():
    result, report = left_out_together(SET11, 73, {
        "sanctions": (0.95, 0.92), "military-exercises": (0.77, 1.00), "icbm-thresholds": (0.88, 1.00), "diplomacy": (0.89, 0.89)})
    got = {s: (c.tp, c.fp, c.fn, c.asked, c.asked_right) for s, c in result["shipped"].items()}
    # With the exercises' and sanctions' bands (topics10): sanctions 0.96 / 0.92, exercises 0.78 / 1.00 (its other
    # four wrong tags are the rules', on which the model does not disagree enough: p 0.38-0.72).
    assert got == {"sanctions": (23, 1, 2, 2, 0), "military-exercises": (14, 4, 0, 1, 0), "icbm-thresholds": (15, 2, 0, 0, 0),
                   "diplomacy": (17, 2, 2, 3, 0)}, report
    # with 590421d's band (diplomacy only), the blind figures
    blind = train.lopo(ROOT, VOCAB, group=SET11, doubt={"diplomacy": train.DOUBT["diplomacy"]})["shipped"]
    assert {s: (c.tp, c.fp, c.fn) for s, c in blind.items()} == {
        "sanctions": (23, 3, 2), "military-exercises": (14, 5, 0), "icbm-thresholds": (15, 2, 0), "diplomacy": (17, 2, 2)}


def test_development_sets_are_read_from_the_label_headers():
    sets = train.dev_sets(ROOT)
    assert list(sets) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert sorted(sets[11]) == sorted(SET11) and sorted(sets[10]) == sorted(SET10) and sorted(sets[9]) == sorted(SET9) and sorted(sets[8]) == sorted(SET8) and sorted(sets[7]) == sorted(SET7) and sorted(sets[6]) == sorted(SET6)
    assert sum(len(p) for p in sets.values()) == 63


#: Leave-one-set-out (`policy-reader topics --lopo --by-set`): each former held-out set left out
#: together in turn, pooled; the proxy for a new writer the topics7 rules were chosen by (rounded
#: down). The rules' share is optimistic (they were written reading every set), the model's is not.
LOSO_FLOOR = {
    "model": {"sanctions": (0.96, 0.79), "military-exercises": (0.97, 0.83), "icbm-thresholds": (0.96, 0.81), "diplomacy": (0.89, 0.73)},
    "shipped": {"sanctions": (0.98, 0.92), "military-exercises": (0.95, 0.99), "icbm-thresholds": (0.95, 0.97), "diplomacy": (0.95, 0.84)},
    "confirmed": {"sanctions": (0.98, 0.95), "diplomacy": (0.95, 0.87)},
}


def test_leave_one_set_out_holds_its_floors_and_the_target_as_shipped():
    result = train.lopo(ROOT, VOCAB, by_set=True)
    report = "\n".join(train.lopo_lines(result, 12, by_set=True))
    for kind, floors in LOSO_FLOOR.items():
        for slug, (p, r) in floors.items():
            c = result[kind][slug]
            assert c.precision >= p and c.recall >= r, f"{kind} {slug}\n{report}"
    for slug, c in result["shipped"].items():  # diplomacy: once the editor has settled the withheld tags
        c = result["confirmed"][slug] if slug == "diplomacy" else c
        assert c.precision >= TARGET[0] and c.recall >= TARGET[1], f"{slug}\n{report}"


def _per_set(doubt=None):
    folds: list = []
    pooled = train.lopo(ROOT, VOCAB, by_set=True, doubt=doubt, per_fold=folds)
    return pooled, folds


@pytest.fixture(scope="module")
def loso_with_and_without_band():
    return _per_set(), _per_set({})


def test_the_abstain_band_withholds_mostly_wrong_diplomacy_tags_on_every_writer(loso_with_and_without_band):
    """Leave-one-set-out (each writer's set left out in turn; `policy-reader topics --lopo --by-set`), as
    shipped: without the band diplomacy precision per set is 0.61 at worst (set 10: the rules were not
    tuned on it), mean 0.90; with it 0.85 at worst, mean 0.95. The band withholds 22 tags (2.9 per 100
    paragraphs), 16 of them wrong, and takes no wrong tag it does not also list for the editor."""
    (with_band, folds), (without, folds_without) = loso_with_and_without_band
    report = "\n".join(train.lopo_lines(with_band, len(folds), by_set=True) + train.per_set_lines(folds, list(range(len(folds))), [0] * len(folds)))
    d, d0 = with_band["shipped"]["diplomacy"], without["shipped"]["diplomacy"]
    removed_wrong, removed_right = d0.fp - d.fp, d0.tp - d.tp
    assert d.asked == removed_wrong + removed_right and d.asked_right == removed_right, report
    assert removed_wrong >= 8 and removed_wrong >= 2 * removed_right, report
    paragraphs = sum(1 for r in train.rows(ROOT, VOCAB) if r.label_file == train.DEV)
    assert d.asked <= 0.03 * paragraphs, report  # the editor's load: at most 3 paragraphs per 100
    worst = min(f["shipped"]["diplomacy"].precision for f in folds)
    worst_without = min(f["shipped"]["diplomacy"].precision for f in folds_without)
    assert worst >= 0.84 and worst_without < 0.65, report
    assert sum(f["shipped"]["diplomacy"].precision for f in folds) / len(folds) >= 0.95, report


def test_the_abstain_band_of_the_exercises_and_sanctions_withholds_more_wrong_tags_than_right(loso_with_and_without_band):
    """Issue 15, helper topics10 (set 11's wrong exercise and sanctions tags). Leave-one-set-out over 12 sets:
    the exercises' band (model-alone tags below p 0.65) withholds 5 tags, none right: pooled 0.93 / 0.99 ->
    0.96 / 0.99 (with the hold rule for the North's own drills; 0.92 -> 0.95 without it), worst set 0.74 ->
    0.78 (set 11, whose wrong tags are the rules'). The sanctions band
    (model-alone tags below 0.65, rules tags below 0.02) withholds 16, 6 right: 0.94 / 0.95 -> 0.98 / 0.92,
    worst set precision 0.87 -> 0.94, worst recall 0.76 -> 0.71 until the editor confirms. ICBM has no band
    (below 0.65 it would take 5 right tags for 5 wrong ones): untouched."""
    (with_band, folds), (without, folds_without) = loso_with_and_without_band
    report = "\n".join(line for s in VOCAB.slugs() for line in train.per_set_lines(folds, list(range(len(folds))), [1] * len(folds), s))
    for slug, wrong, right in (("military-exercises", 5, 0), ("sanctions", 10, 6)):
        c, c0 = with_band["shipped"][slug], without["shipped"][slug]
        assert (c0.fp - c.fp, c0.tp - c.tp) == (wrong, right) and (c.asked, c.asked_right) == (wrong + right, right), report
        assert c.precision >= 0.95 and c.recall >= 0.92 and c0.precision < 0.94, report
        assert with_band["confirmed"][slug].recall == c0.recall  # the editor's confirmations give the right ones back
        assert min(f["shipped"][slug].precision for f in folds) > min(f["shipped"][slug].precision for f in folds_without), report
    assert with_band["shipped"]["icbm-thresholds"] == without["shipped"]["icbm-thresholds"]
    # set 11 (blind at 590421d: sanctions 0.88 / 0.92, exercises 0.74 / 1.00), as its own fold
    s11 = folds[11]["shipped"]
    assert (s11["sanctions"].tp, s11["sanctions"].fp) == (23, 1) and (s11["military-exercises"].tp, s11["military-exercises"].fp) == (14, 4), report


def test_choose_band_picks_the_fewest_weighted_errors():
    # (topic, labelled?, p, stems, rules tag?, model adds?)
    seen = [("sanctions", False, 0.4, 20, False, True), ("sanctions", False, 0.5, 20, False, True),
            ("sanctions", True, 0.9, 20, False, True), ("sanctions", True, 0.62, 20, False, True),
            ("sanctions", True, 0.01, 20, True, False), ("sanctions", True, 0.5, 5, False, True)]
    # two wrong model tags below 0.6 (and a short text the band never touches): (0, 0.6) withholds them, no right one
    assert train.choose_band(seen, "sanctions", ((0.0, 0.02), (0.0, 0.6, 0.7))) == (0.0, 0.6)
    c = train.band_counts(seen, "sanctions", (0.0, 0.6))
    assert (c.tp, c.fp, c.fn, c.asked, c.asked_right) == (4, 0, 0, 2, 0)
    assert train.band_counts(seen, "sanctions", (0.02, 0.7)).asked_right == 2  # a rules tag at p 0.01 and the 0.62 one
    # with one wrong tag worth less than a right one withheld, no band
    seen = seen[:1] + [("sanctions", True, 0.45, 20, False, True)]
    assert train.choose_band(seen, "sanctions", ((0.0,), (0.0, 0.6)), weight=0.9) == (0.0, 0.0)
    assert train.choose_band(seen, "sanctions", ((0.0,), (0.0, 0.6)), weight=1.5) == (0.0, 0.6)


def test_band_counts_agree_with_the_lopo_figures():
    """The nested choice counts a band from the fold's probabilities (no refit): the same figures as lopo's."""
    rs = train.rows(ROOT, VOCAB)
    out = set(SET11)
    m = M.TopicModel(train.fit([r for r in rs if not (r.label_file == train.DEV and r.paper in out)], VOCAB.slugs()),
                     train.ALONE, train.NEAR, train.MIN_FEATURES, "", "", sign=True)
    seen = train._seen([r for r in rs if r.label_file == train.DEV and r.paper in out], m, VOCAB.slugs(), VOCAB.by_slug())
    result = train.lopo(ROOT, VOCAB, group=SET11)
    for slug in VOCAB.slugs():
        assert train.band_counts(seen, slug, train.DOUBT.get(slug)) == result["shipped"][slug], slug


def test_lopo_by_set_prints_each_topic_s_figures_per_set_and_the_editor_load():
    out = subprocess.run([CLI, "topics", "--lopo", "--by-set"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for slug in VOCAB.slugs():
        assert f"{slug} per set left out, as shipped" in out
    dip = out[out.index("diplomacy per set left out"):]
    assert "  set 10: P 0.85 R 0.73" in dip and "withheld 5 (6.2 per 100 of 80; 0 right)" in dip
    assert "mean P 0.95 R 0.84; minimum P 0.85 R 0.60; pooled P 0.95 R 0.85; withheld 22 (2.9 per 100; 6 right)" in dip
    ex = out[out.index("military-exercises per set left out"):out.index("icbm-thresholds per set left out")]
    assert "  set 11: P 0.78 R 1.00" in ex and "pooled P 0.96 R 0.99; withheld 5 (0.7 per 100; 0 right)" in ex
    assert "rules + model after the editor settles the withheld tags as labelled" in out
