"""Topics, converter side: the rules, the vocabulary and override errors, explain, and
the score of the rules against hand labels of every paragraph (with a floor)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from support import GOMEZ_SLUG, KLINGNER_SLUG, ROOT

from policy_reader.convert import pipeline as convert
from policy_reader.topics import rules as T
from policy_reader.model import SourceError
from policy_reader.cli.topics import documents

DATA = Path(__file__).parent / "data"
VOCAB = T.load_vocabulary(ROOT)
BY = VOCAB.by_slug()

#: The floor for precision and recall of every topic on the labelled set. The measured
#: figures are in the README (`policy-reader topics --score tests/data/topic_labels.yml`).
FLOOR = 0.85


def tags(text: str) -> tuple[str, ...]:
    return T.classify(text, VOCAB)


# --------------------------------------------------------------------------- patterns and rules


@pytest.mark.parametrize("pattern, text, hit", [
    ("working-level", "working level talks", True),
    ("working-level", "working–level talks", True),
    ("working-level", "working-level talks", True),
    ("negotiat*", "they negotiated for hours", True),
    ("negotiat*", "renegotiated", False),
    ("drill", "drilling for oil", False),
    ("drill", "a drill.", True),
    ("ICBM*", "(ICBMs)", True),
    ("ICBM", "ICBMs", False),
    ("red line", "a Red Line", True),
    ("summit", "summitry", False),
])
def test_pattern_matching(pattern, text, hit):
    assert bool(T.compile_pattern(pattern).search(text)) is hit


def test_a_word_in_passing_does_not_tag():
    # "exercise" as a verb, "summit" as a date, "pressure" as a verb: weak or cancelled alone.
    assert "military-exercises" not in tags("Washington should exercise restraint here.")
    assert "diplomacy" not in tags("Since the Singapore summit, trade has grown.")
    assert "sanctions" not in tags("Pyongyang hopes to pressure Washington.")


def test_two_signals_tag():
    assert "military-exercises" in tags("The drills with South Korea were cut back.")
    assert "sanctions" in tags("More pressure on North Korea and its enablers is needed.")
    assert "diplomacy" in tags("Negotiations stalled when the demands grew.")


@pytest.mark.parametrize("text, slug", [
    ("Secondary sanctions on Chinese banks.", "sanctions"),
    ("Joint military exercises resumed.", "military-exercises"),
    ("An intercontinental ballistic missile test.", "icbm-thresholds"),
    ("A nuclear test would cross the red line.", "icbm-thresholds"),
    ("The working-level negotiations resumed.", "diplomacy"),
])
def test_strong_terms_tag(text, slug):
    assert slug in tags(text)


def test_negative_weight_cancels():
    s = T.score("North Korea tests to pressure Washington.", BY["sanctions"])
    assert [h.rule.weight for h in s.hits] == [1.0, -1.0] and not s.tagged


def test_the_verb_exercise_is_no_sign_of_the_drills():
    """"To exercise restraint" cancels the weak "exercise": the sentence has no sign of the topic, so
    neither the rules nor the model (which needs a sign, model.py) tag it. The rule of weak words
    counts once, so the verb cancels a "drills" beside it too; a strong term still tags."""
    assert T.score("None of this requires Washington to exercise blind trust.", BY["military-exercises"]).score == 0
    assert T.score("Seoul should exercise caution with the drills.", BY["military-exercises"]).score == 0
    assert T.score("Seoul should exercise caution before the joint exercises.", BY["military-exercises"]).tagged
    assert T.score("The exercise ran for ten days.", BY["military-exercises"]).score == 1  # the noun is unchanged
    assert "military-exercises" not in tags("None of this requires Washington to exercise blind trust. Verification can start "
                                            "small, and any relief from sanctions should come in steps that can be reversed.")


def test_talks_need_north_korea_as_a_party_when_only_meeting_words_say_so():
    """The diplomacy topic is talks WITH North Korea: a paragraph whose meeting or agreement words name
    neither it nor "the sides" (the allies meeting, a ministers' meeting of Seoul, Beijing and Tokyo)
    loses 2 points (an ``absent`` rule) and takes the topic neither by context nor from the model."""
    allies = ("The foreign ministers of the United States and Australia will meet in Canberra next week to discuss trade "
              "and the next summit.")
    s = T.score(allies, BY["diplomacy"])
    assert s.lacks and s.score == 2 and s.hits[-1].rule.absent and s.hits[-1].matches == ()
    assert "diplomacy" not in tags(allies) and "diplomacy" not in T.model_adds(allies, VOCAB, [s])
    # Japan, China and South Korea meeting: no party to the talks with the North either.
    three = ("The foreign ministers of Japan, China and South Korea will meet in Beijing next week to discuss trade "
             "and the next trilateral summit.")
    s = T.score(three, BY["diplomacy"])
    assert s.lacks and s.held and "diplomacy" not in tags(three) and "diplomacy" not in T.model_adds(three, VOCAB, [s])
    with_north = "The U.S. envoy will meet North Korean officials in Panmunjom next week to discuss a second summit."
    assert not T.score(with_north, BY["diplomacy"]).lacks and "diplomacy" in tags(with_north)
    assert "diplomacy" not in tags("The leaders of the United States, South Korea and Japan met at Camp David and "
                                   "signed an agreement.")
    assert "diplomacy" in tags("The leaders of the United States and North Korea met in Hanoi and failed to sign an agreement.")
    # Bargaining words are about the talks with the North whoever is named: no penalty without a meeting word.
    assert not T.score("A settlement will have to be built in phases.", BY["diplomacy"]).lacks
    # No context for a paragraph that lacks the party, next to one about the talks.
    seq = T.classify_sequence(["Negotiations with North Korea resumed in Stockholm after a year of deadlock.",
                               "The three allies met in Tokyo the next week to discuss their position."], VOCAB)
    assert seq == [("diplomacy",), ()]
    # With no match of the topic, a missing sign costs nothing: the score stays 0, no hits.
    assert T.score("The weather was fine.", BY["diplomacy"]).hits == ()


def test_talks_named_as_a_time_or_a_place_and_allied_contacts_count_against():
    assert "diplomacy" not in tags("The Treasury should keep naming the ship owners and brokers, summit or no summit.")
    assert T.score("Seoul wants to restore inter-Korean contacts.", BY["diplomacy"]).score < 0


def test_a_launch_said_to_breach_the_resolutions_is_not_the_sanctions():
    assert "sanctions" not in tags("The North fired two more missiles on Saturday, a violation of the Security Council resolutions.")
    assert "sanctions" in tags("The North shipped coal to China in violation of the Security Council resolutions.")


def test_short_range_launches_need_a_sign_of_the_long_range_or_nuclear_tests():
    assert "icbm-thresholds" not in tags("Shorter-range launches follow a different logic: they train missile units and test "
                                         "new designs for battlefield use.")
    assert "icbm-thresholds" in tags("Short-range launches stay below the moratorium on long-range and nuclear testing.")


def test_diplomats_as_people_are_a_weak_sign_their_work_a_strong_one():
    assert "diplomacy" not in tags("Pyongyang sealed its border so tightly that even its own diplomats could not get home.")
    assert "diplomacy" in tags("Diplomats from both sides met in Stockholm to discuss a statement.")  # with two more signs
    assert "diplomacy" in tags("Diplomacy with Pyongyang stalled at Hanoi.")
    # "after Hanoi" names the summit as a time (not_after): diplomacy alone is one strong word, short of the threshold
    assert "diplomacy" not in tags("Diplomacy with Pyongyang stalled after Hanoi.")


# --------------------------------------------------------------------------- talks named in passing


@pytest.mark.parametrize("text", [
    "In the months after the Singapore summit, North Korea dismantled a test stand at Sohae and said little about its rockets.",
    "Shortly before the Hanoi meeting, satellite imagery showed new work at the Sohae launch site.",
    "In the run-up to the 2018 summit, the allies quietly postponed Foal Eagle and trimmed the summer exercises.",
    "Engineers kept working on the solid-fuel motor while diplomacy stalled, and the tests resumed in the spring.",
    "The cuts to the drills were framed in both capitals as a gesture in support of diplomacy.",
    "Scholars of tacit bargaining argue that restraint can be coordinated without any exchange of words at all.",
    "Aid groups need the exemptions process to work quickly, whatever happens at the negotiating table this year.",
])
def test_talks_named_as_a_time_a_purpose_or_a_tacit_exchange_are_a_passing_mention(text):
    """``not_after`` (issue 15, set 7's wrong tags): a talk word governed by a time word ("after the
    summit"), a purpose ("in support of diplomacy"), a concession ("whatever happens at the
    negotiating table") or "tacit" does not count, and the paragraph, naming the talks in passing,
    takes diplomacy neither by context nor from the model."""
    s = T.score(text, BY["diplomacy"])
    assert s.framed and s.held and not s.tagged, s
    assert "diplomacy" not in tags(text)
    assert "diplomacy" not in T.model_adds(text, _sure_model("diplomacy"), [s])
    unframed = _sure_model("diplomacy", frames=False)  # the same rules without their not_after
    if T.score(text, unframed.by_slug()["diplomacy"]).score > 0:  # a sign the model could follow
        assert "diplomacy" in T.classify(text, unframed)
    # next to a paragraph about the talks, no context either
    about = "Negotiations with North Korea resumed in Stockholm after a year of deadlock, and both sides made offers."
    assert "diplomacy" in tags(about) and "diplomacy" not in T.classify_sequence([about, text], VOCAB)[1]


@pytest.mark.parametrize("text", [
    "After the summit, Pompeo flew to Pyongyang to negotiate the details of denuclearization.",
    "Working-level talks resumed in Stockholm after the Hanoi summit, but the two delegations met for a single day.",
    "Since the collapse of the Hanoi summit, neither side has offered a new proposal for a deal.",
    "Kim wants concessions before returning to diplomatic talks, and he has said which ones.",
])
def test_talks_that_are_talked_about_still_count(text):
    """A frame sets aside only the match it governs: another match of the rule, or a talk word
    after a preposition or a verb in -ing ("the collapse of the Hanoi summit", "before returning to
    talks"), still counts."""
    assert "diplomacy" in tags(text), T.score(text, BY["diplomacy"])


def test_a_frame_governs_a_short_noun_phrase_only():
    rule = T.Rule(("summit*",), 2.0, not_after=("after", "in support of"))
    counted = lambda text: [m[0] for m in rule.counted(text)]
    assert counted("after the summit") == [] and counted("after the 2018 Singapore summit") == []
    assert counted("after the long delayed second summit") == ["summit"]  # four words between: too far
    assert counted("after the collapse of the summit") == ["summit"]  # a preposition between
    assert counted("after preparing the summit") == ["summit"]  # a verb in -ing between
    assert counted("after the talks, the summit") == ["summit"]  # punctuation between
    assert counted("After the summit, a second summit") == ["summit"]  # the second one is free
    assert counted("in support of summitry") == [] and counted("support of the summit") == ["summit"]
    assert [m[0] for m in rule.find("after the summit")] == ["summit"]  # find is every match, as before
    topic = T.Topic("t", "T", "d.", 2.0, (rule,))
    assert T.highlight_spans("after the summit, a summit", topic) == [(20, 26)]  # only the match that counts is marked


def test_explain_prints_a_rule_whose_matches_were_set_aside():
    from policy_reader.model import Document, Metadata, Paragraph, Section
    text = "Shortly before the Hanoi meeting, satellite imagery showed new work at the Sohae launch site."
    doc = Document("p.txt", meta=Metadata(title="A", slug="a"), sections=(Section(None, (Paragraph(text, 1, "p-1"),), 1),))
    out = "\n".join(T.explain(doc, VOCAB))
    assert re.search(r'0  summit\*.*set aside "Hanoi": named in passing \(no context, no model\)', out), out
    assert re.search(r'0  meet \| meeting\*.*set aside "meeting"', out), out


@pytest.mark.parametrize("text", [
    "At the Camp David summit in August 2023, Washington, Tokyo and Seoul agreed to hold yearly trilateral exercises.",
    "Kim's summit with Vladimir Putin in Vladivostok produced an arms deal: shells for fuel, food and satellite know-how.",
    "The Kim-Putin meeting ended with a bargain on offer: artillery shells in return for technology.",
    "American brigades rarely train in the field with their South Korean counterparts any more, and readiness has suffered.",
    "The inter-Korean summit in Pyongyang produced a military agreement on the border.",
    "North Korea scrapped the 2018 Comprehensive Military Agreement with Seoul and rebuilt its guard posts on the border.",
    "The allies signed a new cost-sharing agreement that keeps American troops in Korea to deter North Korea until 2030.",
    "Washington opened talks with Beijing on how to police the cap on refined petroleum sold to North Korea.",
])
def test_summits_of_the_allies_talks_with_russia_and_counterparts_in_uniform_are_not_diplomacy(text):
    s = T.score(text, BY["diplomacy"])
    assert "diplomacy" not in tags(text), s
    assert "diplomacy" not in T.model_adds(text, _sure_model("diplomacy"), [s])


def test_the_counterparts_across_the_table_still_count():
    text = "North Korean negotiators told their American counterparts that the offer fell short of what Kim wanted."
    assert "diplomacy" in tags(text)
    s = T.score("The envoy briefed his North Korean counterparts.", BY["diplomacy"])
    assert all(h.rule.weight > 0 for h in s.hits)  # "North Korean counterparts": not the allies' (not_after: North)


#: A one-topic vocabulary whose second rule (``match: [beta]``) takes the fields given as ``{rule}``.
ONE_TOPIC = ("topics:\n  - slug: a\n    title: A\n    description: d.\n    threshold: 2\n    rules:\n"
             "      - match: [alpha]\n        weight: 2\n      - match: [beta]\n{rule}")


def test_not_after_and_hold_field_errors():
    base = ONE_TOPIC
    with pytest.raises(SourceError, match="'not_after' needs matches to set aside"):
        T.parse_vocabulary(base.format(rule="        weight: -1\n        absent: true\n        not_after: [gamma]\n"))
    with pytest.raises(SourceError, match="'not_after' must be a pattern or a non-empty list of patterns"):
        T.parse_vocabulary(base.format(rule="        weight: 1\n        not_after: []\n"))
    with pytest.raises(SourceError, match="'hold' keeps context and the model from a paragraph"):
        T.parse_vocabulary(base.format(rule="        weight: 1\n        hold: true\n"))
    with pytest.raises(SourceError, match="'hold' must be true or false"):
        T.parse_vocabulary(base.format(rule="        weight: -1\n        hold: maybe\n"))
    v = T.parse_vocabulary(base.format(rule="        weight: -1\n        hold: true\n      - match: [gamma]\n        weight: 1\n"
                                       "        not_after: [since the]\n"))
    [topic] = v.topics
    assert T.score("alpha beta", topic).held and not T.score("alpha", topic).held
    s = T.score("alpha since the gamma", topic)
    assert s.score == 2 and s.held and [h.rule.patterns for h in s.framed] == [("gamma",)]
    assert not T.score("alpha since gamma", topic).held  # "since the" is the frame, "since" alone is not


def _sure_model(slug: str, frames: bool = True) -> T.Vocabulary:
    """The vocabulary with a model sure of ``slug`` for every text (p = 1; the passing-mention rule on,
    as shipped): what it adds then depends on the rules' gates alone (a sign, ``held``).
    ``frames=False``: the rules without their ``not_after``."""
    from policy_reader.topics import model as M

    sure = {s: M.TopicWeights(50.0 if s == slug else -50.0, {}) for s in VOCAB.slugs()}
    vocab = VOCAB if frames else replace(VOCAB, topics=tuple(
        replace(t, rules=tuple(replace(r, not_after=()) for r in t.rules)) for t in VOCAB.topics))
    return replace(vocab, model=M.TopicModel(sure, 0.6, 0.3, 0, "", "", sign=True))


def test_absent_and_when_field_errors():
    base = ONE_TOPIC
    with pytest.raises(SourceError, match="an 'absent' rule lowers the score"):
        T.parse_vocabulary(base.format(rule="        weight: 1\n        absent: true\n"))
    with pytest.raises(SourceError, match="'absent' must be true or false"):
        T.parse_vocabulary(base.format(rule="        weight: -1\n        absent: sometimes\n"))
    with pytest.raises(SourceError, match=r"invalid pattern 'a \* b' \(word '\*'\)"):
        T.parse_vocabulary(base.format(rule="        weight: -1\n        when: [\"a * b\"]\n"))
    with pytest.raises(SourceError, match="'when' must be a pattern or a non-empty list of patterns"):
        T.parse_vocabulary(base.format(rule="        weight: -1\n        when: []\n"))
    v = T.parse_vocabulary(base.format(rule="        weight: -1\n        absent: true\n        when: gamma\n"))
    [topic] = v.topics
    assert T.score("alpha gamma", topic).score == 1 and T.score("alpha", topic).score == 2
    assert T.score("alpha beta gamma", topic).score == 2 and T.score("gamma", topic).score == 0


def test_only_the_verb_deal_with_cancels_and_only_what_deal_matched():
    # "deal" (+3) in "deal with" is cancelled to 1; "dealt with" matches no "deal" and cancels nothing.
    assert T.score("We must deal with Pyongyang.", BY["diplomacy"]).score == 1
    s = T.score("Banks that dealt with Pyongyang were cut off, and within months Kim was proposing summits.", BY["diplomacy"])
    assert s.score == 2 and all(h.rule.weight > 0 for h in s.hits)


@pytest.mark.parametrize("text, slug, words", [
    ("They are wrong to give up the measures for nothing.", "sanctions", "measures"),
    ("A handshake at Panmunjom changed the mood.", "diplomacy", "handshake"),
    ("Pyongyang will ask for an end to the drills as a precondition.", "diplomacy", "precondition"),
])
def test_weak_signs_count_one_point_and_never_tag_alone(text, slug, words):
    s = T.score(text, BY[slug])
    assert s.score == 1 and not s.tagged and any(words in m.lower() for h in s.hits for m in h.matches)


def test_highlight_spans_are_positive_rule_matches_only():
    text = "They want to pressure us with secondary sanctions."
    spans = T.highlight_spans(text, BY["sanctions"])
    words = [text[a:b] for a, b in spans]
    assert "secondary sanctions" in words
    assert all("to pressure" != w for w in words)


# --------------------------------------------------------------------------- vocabulary errors

GOOD = """topics:
  - slug: alpha
    title: Alpha
    description: About alpha.
    threshold: 2
    rules:
      - match: [alpha]
        weight: 2
"""


def vocab_error(text: str) -> str:
    with pytest.raises(SourceError) as exc:
        T.parse_vocabulary(text, "docs/topics/vocabulary.yml")
    return str(exc.value)


def test_good_minimal_vocabulary_parses():
    v = T.parse_vocabulary(GOOD)
    assert v.slugs() == ["alpha"] and T.classify("Alpha!", v) == ("alpha",)


def test_unknown_field_names_file_line_and_entry():
    msg = vocab_error(GOOD.replace("    threshold: 2\n", "    threshold: 2\n    colour: red\n"))
    assert msg.startswith("docs/topics/vocabulary.yml:6: topic 'alpha': unknown field 'colour'")


def test_unknown_rule_field():
    msg = vocab_error(GOOD.replace("        weight: 2\n", "        weight: 2\n        wieght: 3\n"))
    assert "topic 'alpha', rule 1: unknown rule field 'wieght'" in msg


def test_duplicate_slug():
    msg = vocab_error(GOOD + GOOD.split("topics:\n", 1)[1])
    assert re.search(r"vocabulary.yml:9: topic 'alpha': duplicate slug 'alpha' \(first at line 2\)", msg)


@pytest.mark.parametrize("rule, what", [
    ("      - match: []\n        weight: 2\n", "non-empty list of patterns"),
    ("      - match: ['']\n        weight: 2\n", "empty or non-text pattern"),
    ("      - match: ['*']\n        weight: 2\n", "invalid pattern '*'"),
    ("      - match: ['a(b']\n        weight: 2\n", "invalid pattern 'a(b'"),
    ("      - match: ['ne*go']\n        weight: 2\n", "invalid pattern 'ne*go'"),
    ("      - match: [alpha]\n        weight: 0\n", "'weight' must be a non-zero number"),
    ("      - match: [alpha]\n", "'weight' must be a non-zero number"),
    ("      - alpha\n", "a rule must be a mapping"),
])
def test_empty_or_invalid_rule(rule, what):
    text = GOOD.split("    rules:\n")[0] + "    rules:\n" + rule
    msg = vocab_error(text)
    assert msg.startswith("docs/topics/vocabulary.yml:") and "topic 'alpha', rule 1" in msg and what in msg


def test_empty_rules_and_bad_threshold():
    assert "'rules' must be a non-empty list" in vocab_error(GOOD.split("    rules:\n")[0] + "    rules: []\n")
    assert "'threshold' must be a positive number" in vocab_error(GOOD.replace("threshold: 2", "threshold: 0"))
    assert "missing field 'title'" in vocab_error(GOOD.replace("    title: Alpha\n", ""))


# --------------------------------------------------------------------------- overrides


def test_override_unknown_paragraph_fails_convert_and_touches_nothing(project_copy):
    (project_copy / T.OVERRIDES_PATH).write_text(
        f"{GOMEZ_SLUG}:\n  p-42:\n    topics: [diplomacy]\n    reason: test\n", encoding="utf-8")
    before = {p: p.read_text() for p in (project_copy / "docs" / "papers").glob("*.md")}
    result = subprocess.run(
        [sys.executable, "-m", "policy_reader", "convert", "--root", str(project_copy)],
        capture_output=True, text=True)
    assert result.returncode != 0
    line = result.stderr.strip()
    assert line.count("\n") == 0
    assert f"docs/topics/overrides.yml:2: '{GOMEZ_SLUG}' has no paragraph 'p-42'" in line
    assert before == {p: p.read_text() for p in (project_copy / "docs" / "papers").glob("*.md")}


@pytest.mark.parametrize("body, what", [
    ("nobody-2020-x:\n  p-1: {topics: [diplomacy], reason: r}\n", "unknown paper 'nobody-2020-x'"),
    (f"{GOMEZ_SLUG}:\n  p-1: {{topics: [trade], reason: r}}\n", "unknown topic 'trade'"),
    (f"{GOMEZ_SLUG}:\n  p-1: {{topics: [diplomacy]}}\n", "'reason' is required"),
    (f"{GOMEZ_SLUG}:\n  p-1: {{topics: [diplomacy], reason: r, extra: 1}}\n", "unknown field 'extra'"),
])
def test_override_errors(project_copy, body, what):
    (project_copy / T.OVERRIDES_PATH).write_text(body, encoding="utf-8")
    with pytest.raises(SourceError) as exc:
        convert.plan(project_copy)
    assert str(exc.value).startswith("docs/topics/overrides.yml:") and what in str(exc.value)


def test_override_wins_and_survives_reconversion(project_copy):
    (project_copy / T.OVERRIDES_PATH).write_text(
        f"{GOMEZ_SLUG}:\n  p-9:\n    topics: [sanctions]\n    reason: test\n", encoding="utf-8")
    for _ in range(2):  # convert, then convert again: the override is data, not an edit
        convert.write(project_copy, convert.plan(project_copy))
        md = (project_copy / "docs" / "papers" / f"{GOMEZ_SLUG}.md").read_text()
        assert '{: #p-9 .para data-topics="sanctions" }' in md
        assert '{: #p-8 .para data-topics="sanctions icbm-thresholds diplomacy" }' in md


def test_bad_vocabulary_fails_convert(project_copy):
    path = project_copy / T.VOCABULARY_PATH
    path.write_text(path.read_text().replace("    threshold: 2\n", "    threshold: 2\n    colour: red\n", 1))
    result = subprocess.run(
        [sys.executable, "-m", "policy_reader", "convert", "--root", str(project_copy)],
        capture_output=True, text=True)
    assert result.returncode == 2
    assert "docs/topics/vocabulary.yml:" in result.stderr and "topic 'sanctions': unknown field 'colour'" in result.stderr


# --------------------------------------------------------------------------- the committed Markdown and explain


def test_committed_markdown_carries_every_paragraphs_topics():
    """Every takeaway and paragraph line has its attr line; topics come from rules + overrides."""
    overrides = T.load_overrides(ROOT, VOCAB)
    for doc in documents(ROOT):
        md = (ROOT / "docs" / "papers" / f"{doc.meta.slug}.md").read_text()
        annotated = T.annotate(doc, VOCAB, overrides)
        for p in [*annotated.takeaways, *annotated.paragraphs()]:
            cls = "takeaway" if p.id.startswith("kt-") else "para"
            attr = f'{{: #{p.id} .{cls}' + (f' data-topics="{" ".join(p.topics)}"' if p.topics else "") + " }"
            assert attr in md.split("\n"), attr


def test_explain_names_rule_words_and_override():
    out = subprocess.run(
        [str(Path(sys.executable).parent / "policy-reader"), "topics", "--explain", "--paper", KLINGNER_SLUG],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout
    block = out.split("  p-17:")[1].split("  p-18:")[0]
    assert "sanctions: score" in block and "-> tagged" in block
    assert re.search(r'\+2  sanction\*  \(line \d+\)  matched "sanction", "sanctions"', block)
    assert re.search(r"military exercise\*.*matched \"military exercises\"", block)
    assert "override (docs/topics/overrides.yml:" in out.split("  p-16:")[1].split("  p-17:")[0]


# --------------------------------------------------------------------------- quality, measured


def load_labels(path: Path):
    return T.parse_overrides(path.read_text(encoding="utf-8"), VOCAB, path.relative_to(ROOT).as_posix())


def test_every_paragraph_of_both_papers_is_labelled_with_a_reason():
    labels = load_labels(DATA / "topic_labels.yml")
    for doc in documents(ROOT):
        if doc.meta.slug not in (KLINGNER_SLUG, GOMEZ_SLUG):
            continue  # hand labels are optional for papers a user adds
        ids = [p.id for p in [*doc.takeaways, *doc.paragraphs()]]
        assert sorted(labels[doc.meta.slug]) == sorted(ids)
        assert all(len(o.reason) > 10 for o in labels[doc.meta.slug].values())
    assert {KLINGNER_SLUG, GOMEZ_SLUG} == set(labels)


def test_rules_alone_score_above_the_floor():
    labels = load_labels(DATA / "topic_labels.yml")
    scores, misses = T.evaluate(documents(ROOT), VOCAB, labels, "tests/data/topic_labels.yml")
    report = "\n".join(f"{s.slug}: P {s.precision:.2f} R {s.recall:.2f}" for s in scores) + "\n" + "\n".join(misses)
    assert {s.slug for s in scores} == set(VOCAB.slugs())
    for s in scores:
        assert s.tp > 0, report
        assert s.precision >= FLOOR and s.recall >= FLOOR, report


def test_score_counts_against_labels():
    """The scorer itself: a label set that disagrees everywhere scores zero."""
    docs = documents(ROOT)
    wrong = {d.meta.slug: {pid: T.Override(d.meta.slug, pid, tuple(s for s in VOCAB.slugs() if s not in got), "x", 0)
                           for pid, got in T.rules_topics(d, VOCAB).items()} for d in docs}
    scores, _ = T.evaluate(docs, VOCAB, wrong)
    assert all(s.tp == 0 for s in scores)


def test_unseen_paper_gets_sensible_topics_from_rules_alone():
    """A third paper, written for the tests and never used to train the topic model. Its one rule
    fix: the verb "exercise" ("to exercise blind trust", p-6), a named rule since issue 15."""
    root = DATA / "unseen"
    docs = documents(root)
    assert [d.meta.slug for d in docs] == ["whitfield-2020-freeze-for-a-freeze"]
    labels = load_labels(root / "labels.yml")
    rules = replace(VOCAB, model=None)
    scores, misses = T.evaluate(docs, rules, labels, "tests/data/unseen/labels.yml")
    tp = sum(s.tp for s in scores)
    fp = sum(s.fp for s in scores)
    fn = sum(s.fn for s in scores)
    assert tp / (tp + fp) >= 0.85 and tp / (tp + fn) >= 0.75, misses
    # With the model (measured): false tags of 'diplomacy' from the rules ("a modest, verifiable
    # bargain", p-8) and, again, from the model on p-1, which names talks in passing ("summit photo
    # opportunities", one point short): the model trained on 51 papers (set 9 joined, issue 15,
    # topics8) gives it p = 0.43 (0.26 trained on 45, which left it out): pooled precision 10 / 12.
    # 10 / 13 before "whatever happens at the negotiating table", p-7, was set aside as a passing
    # mention by the not_after frames; 10 / 14 before the verb "exercise" was cancelled and the model
    # needed a sign of the topic.
    scores, misses = T.evaluate(docs, VOCAB, labels, "tests/data/unseen/labels.yml")
    assert sum(s.tp for s in scores) == 10 and sum(s.fn for s in scores) == 0 and sum(s.fp for s in scores) <= 2, misses
    # each wrong tag says which part of the tagging made it
    assert all(m.startswith("whitfield-2020-freeze-for-a-freeze p-1: model adds 'diplomacy'")
               for m in misses if m.startswith("whitfield-2020-freeze-for-a-freeze p-1:")), misses
    assert any(m.startswith("whitfield-2020-freeze-for-a-freeze p-8: rules add 'diplomacy'") for m in misses), misses
    [p7] = [p for p in docs[0].paragraphs() if p.id == "p-7"]
    assert T.score(T.plain_text(p7.text), BY["diplomacy"]).framed and not any("p-7:" in m for m in misses)
    assert "military-exercises" not in T.classify_sequence([T.plain_text(p.text) for p in docs[0].paragraphs()], VOCAB)[5]
    got = {p.id: T.classify(T.plain_text(p.text), rules) for p in [*docs[0].paragraphs()]}
    assert got["p-2"] == ("sanctions",)
    assert "military-exercises" in got["p-3"] and "icbm-thresholds" in got["p-4"]
    assert "military-exercises" not in got["p-6"]  # "exercise blind trust": a verb


def test_project_without_vocabulary_converts_without_topics(project_copy):
    (project_copy / T.OVERRIDES_PATH).unlink()
    (project_copy / T.VOCABULARY_PATH).unlink()
    outputs = convert.plan(project_copy)
    md = [o.text for o in outputs if o.path.suffix == ".md"]
    assert md and not any("data-topics" in t for t in md)
    (project_copy / T.OVERRIDES_PATH).write_text("{}\n")
    with pytest.raises(SourceError, match="overrides need the vocabulary"):
        convert.plan(project_copy)


def _every_match(rule: T.Rule, text: str) -> list[tuple[int, int, str]]:
    """What a rule finds without any shortcut: every regex scanned over the whole text."""
    return [(m.start(), m.end(), m[0]) for rx in rule.regexes for m in rx.finditer(text)]


def _found(rule: T.Rule, text: str, *args) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m[0]) for m in rule.find(text, *args)]


#: Texts that try the word index's edges: hyphens and dashes before a word, words that only
#: begin with a literal, underscores and digits, non-ASCII letters in a word, the letters
#: IGNORECASE matches to ASCII ones (ſ, K, İ, ı), capitals, a match at the very start and end.
EDGE_TEXTS = [
    "SANCTIONS and Sanction-busting", "ſanctions on the regime", "ICBM launches", "ıcbm İCBM",
    "the \u212aorean Peninsula", "joint  military\u2014exercises", "", "U.S.-South Korean drills",
    "u.s. U.N. un U.Nations US_sanctions re-sanction non-sanctions -sanctions _sanctions",
    "sanctionsé sanctioné naïve ICBMs ICBM_ ICBM2 2ICBM in-exchange in exchange in\u2013exchange",
    "a trade, a-trade; A TRADE. at the table at-sea transfers at\u00a0the\u00a0table",
    "long-range long range long\u2011range longer-range", "diplomat's diplomat’s diplomats’",
    "sanctions", "Sanction", "x" * 50 + "sanctions", "\u0130\u0131 sanctions",
]


def test_the_literal_prefilter_never_changes_what_a_rule_finds():
    """Rule.find tries a pattern only where a word starts that is (or begins with) the
    pattern's literal, and skips a rule none of whose literals is there; that must be a pure
    shortcut: same matches, in the same order, as running every regex, on the papers'
    paragraphs and on texts made to try its edges."""
    texts = [p.text for doc in documents(ROOT) for p in doc.paragraphs()]
    texts += [T.plain_text(p.text) for doc in documents(DATA / "topics" / "dev") for p in doc.paragraphs()]
    texts += EDGE_TEXTS
    assert len(texts) > 200
    for text in texts:
        for topic in VOCAB.topics:
            for rule in topic.rules:
                full = _every_match(rule, text)
                assert _found(rule, text) == full, (text[:60], rule.label())
                assert _found(rule, text, T.fold(text)) == full  # what callers once passed
                assert _found(rule, text, T.Words(text)) == full
    assert T.fold("ſanctions") is None and T.fold("Sanctions") == "sanctions"
    assert T.literal("sanction*") == "sanction" and T.literal("U.S.-South Korean") == "u"
    assert T.whole_literal("U.S.-South Korean") and T.whole_literal("in exchange") and T.whole_literal("diplomat's")
    assert not T.whole_literal("sanction*") and not T.whole_literal("naïve") and not T.whole_literal("US_x")


def test_lowercasing_keeps_places_and_word_characters_apart_from_the_lookalikes():
    """Words indexes the lowercased text: that holds only if lowercasing a character gives
    one character, a word character when it was one and not otherwise, for every character
    but the letters that switch the prefilter off."""
    word = re.compile(r"\w")
    for n in range(sys.maxunicode + 1):
        c = chr(n)
        if T._ASCII_LOOKALIKES.match(c):
            continue
        low = c.lower()
        assert len(low) == 1 and bool(word.match(c)) == bool(word.match(low)), hex(n)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.sampled_from(sorted({w for t in VOCAB.topics for r in t.rules for p in r.patterns
                            for w in re.split(T.DASHES, p.replace("*", ""))})),
    st.sampled_from([" ", "-", "\u2014", "_", "'", "’", ".", "s", "ing", "ed", "é", "2", "K", "ſ", "İ", "\n"]),
    st.text(max_size=3),
), max_size=40))
def test_the_prefilter_on_generated_texts(pieces):
    """The same on texts pieced together from the vocabulary's own words, joiners and
    endings (a literal's word at every kind of edge) and arbitrary characters."""
    text = "".join(p.upper() if i % 5 == 3 else p for i, p in enumerate(pieces))
    for topic in VOCAB.topics:
        for rule in topic.rules:
            assert _found(rule, text) == _every_match(rule, text), (text, rule.label())


# --------------------------------------------------------------------------- paraphrase families (issue 15, topics7)


@pytest.mark.parametrize("text, slug", [
    # ICBM: the range named by the American places a missile could reach
    ("Pyongyang now has a missile able to hit Denver, and it has told the world so.", "icbm-thresholds"),
    ("Analysts think the new rocket could reach Hawaii and perhaps the West Coast.", "icbm-thresholds"),
    # ICBM: the nuclear test, or the freeze on testing, in other words
    ("Seismologists recorded a shock consistent with a hydrogen bomb set off in the northeast.", "icbm-thresholds"),
    ("Nobody has set off a nuclear device since then, and no one wants to find out why.", "icbm-thresholds"),
    ("The offer was simple: a freeze on testing for a pause in the allied calendar.", "icbm-thresholds"),
    # sanctions: the pressure named by its effect
    ("The White House chose to keep tightening the economic screws on Pyongyang's trading houses.", "sanctions"),
    ("Congress would impose additional mandatory penalties on any firm that helps the regime.", "sanctions"),
    # exercises: named by their season or form, or by what is done to them
    ("This year the annual drills with Seoul will again be smaller than before 2018.", "military-exercises"),
    ("The springtime training went ahead as a computer-simulated command post event.", "military-exercises"),
    ("Washington agreed to suspend the summer exercises while the envoys talked.", "military-exercises"),
])
def test_paraphrase_families_tag_their_topic(text, slug):
    assert slug in T.classify(text, replace(VOCAB, model=None)), T.score(text, BY[slug])


@pytest.mark.parametrize("text, slug", [
    # a place without a word of range or reach; "reached out" is still a place-free contact
    ("The envoy flew to Seattle for a conference on trade with Asia.", "icbm-thresholds"),
    ("Officials reached out through the mission in New York, with no reply.", "icbm-thresholds"),
    # the season without the exercises; "suspend" without an exercise word
    ("The annual report on human rights was published in the spring.", "military-exercises"),
    ("The allies agreed to suspend the pipeline project.", "military-exercises"),
    # export controls between allies are a trade dispute, not sanctions on the North
    ("Tokyo and Seoul have quarrelled over export controls on chip materials for two years.", "sanctions"),
    # a test said to be prohibited by the Council is the testing, not the sanctions
    ("The rocket launch was one more test the Security Council resolutions prohibit.", "sanctions"),
])
def test_paraphrase_families_need_their_sign(text, slug):
    assert slug not in T.classify(text, replace(VOCAB, model=None)), T.score(text, BY[slug])


@pytest.mark.parametrize("text, held", [
    # contacts between the two Koreas: held (neither context nor the model gives the topic)
    ("President Moon offered military talks at the border and a reunion of separated families; the North never answered.", True),
    # an allied forum: held
    ("The American, Japanese and South Korean defence ministers will meet at the Shangri-La Dialogue next week.", True),
    # a proposal of China and Russia: two points less
    ("Beijing and Moscow proposed that the allies halt their drills in return for a freeze on the North's tests.", False),
    # an allies-only meeting in a city that once hosted a summit: the city is no party to the talks
    ("The three allies' foreign ministers will meet in Singapore to discuss their trade agenda.", True),
])
def test_inter_korean_chinese_russian_and_allied_talks_are_not_diplomacy(text, held):
    s = T.score(text, BY["diplomacy"])
    assert "diplomacy" not in T.classify(text, replace(VOCAB, model=None)), s
    assert s.held is held, s
    if held:
        assert "diplomacy" not in T.model_adds(text, _sure_model("diplomacy"), [s])


def test_inter_korean_contacts_hold_context_but_talks_with_the_united_states_still_count():
    s = T.score("Seoul proposed family reunions and border talks to the North.", BY["diplomacy"])
    assert s.held
    seq = T.classify_sequence(["Negotiations with North Korea resumed in Stockholm after a year of deadlock.",
                               "Seoul proposed family reunions and border talks to the North."], replace(VOCAB, model=None))
    assert seq[1] == ()
    assert "diplomacy" in tags("President Moon carried Kim's offer of a summit to Washington, and Trump agreed to meet him "
                               "in Singapore for talks on denuclearization.")
    # the Singapore summit (not the city alone) still names the talks' parties
    text = "The delegations met again to discuss what the Singapore summit statement required."
    assert not T.score(text, BY["diplomacy"]).lacks and "diplomacy" in tags(text)


# --------------------------------------------------------------------------- who talks to whom (parties, taken out)


def test_the_sentence_by_sentence_party_check_is_gone():
    """The ``parties`` check (topics8: talk words in a sentence naming a third country or Seoul and the
    North without Washington did not count) was taken out in topics9: leave-one-set-out with the
    abstain band it took 1 wrong diplomacy tag and 3 right ones (CONTRIBUTING.md). A vocabulary that
    still has the field says so in one line."""
    with pytest.raises(SourceError, match="unknown field 'parties'"):
        T.parse_vocabulary(ONE_TOPIC.format(rule="        weight: 1\n") + "    parties: {first: [us]}\n")
    with pytest.raises(SourceError, match="unknown rule field 'parties'"):
        T.parse_vocabulary(ONE_TOPIC.format(rule="        weight: 1\n        parties: true\n"))
    assert not hasattr(T, "sentences") and not hasattr(T, "Parties")
    # the sentence the check was made for counts again; its paragraph is left to the abstain band and the editor
    text = "Seoul offered Pyongyang talks on the railway. Washington, for its part, sent an envoy to negotiate a freeze."
    assert not T.score(text, BY["diplomacy"]).framed


@pytest.mark.parametrize("text", [
    # both parties named beside a third
    "Beijing welcomed the talks between Washington and Pyongyang and offered to host the next round.",
    "Seoul and Washington agreed on what to offer Kim at the next summit.",
    # the two together, in a third country
    "The two sides held working-level talks in Stockholm and agreed to meet again in Beijing.",
    # no one named: the talks of the paragraph's parties
    "The negotiations resumed after a year of silence, and the envoys exchanged draft texts.",
    # the two Koreas' contacts named in talks between Washington and Pyongyang
    "Trump and Kim agreed at their Hanoi summit to negotiate the reopening of the Kaesong zone.",
    # the United States with its allies: what to offer the North, though it is not named
    "Washington and Tokyo should settle their negotiating position and name one envoy to carry it.",
])
def test_talk_words_between_the_parties_or_no_one_in_particular_count(text):
    s = T.score(text, BY["diplomacy"])
    assert not s.framed and "diplomacy" in tags(text), s


# --------------------------------------------------------------------------- North Korea's own drills (topics10)


def test_north_korea_s_drills_of_its_own_take_no_context_from_the_allied_exercises():
    """Sets 4 and 10 (and set 0's "own forces") describe the North's drills of its own beside paragraphs on
    the allied exercises; the definition is the allied exercises. A ``hold`` rule: the paragraph takes the
    topic neither by context nor from the model; the rules alone may still tag one that names the allied
    drills too (leave-one-set-out: exercises 7 wrong tags for 8, no right one lost)."""
    rules_only = replace(VOCAB, model=None)
    texts = ["Combined exercises of the allied forces began on Monday with command-post training.",
             "Pyongyang runs exercises of its own every winter, far from the border."]
    s = T.score(texts[1], BY["military-exercises"])
    assert s.held and not s.tagged, s
    assert T.classify_sequence(texts, rules_only)[1] == ()
    # without the rule the same paragraph took the topic from its neighbour
    unheld = replace(BY["military-exercises"], rules=tuple(r for r in BY["military-exercises"].rules if "its own drills" not in r.patterns))
    vocab = replace(rules_only, topics=tuple(unheld if t.slug == "military-exercises" else t for t in rules_only.topics))
    assert "military-exercises" in T.classify_sequence(texts, vocab)[1]
    # a paragraph on the allied drills that also names the North's still counts
    both = ("When the allies resumed large-scale field training, the North answered with its own drills and launches, "
            "timed to the opening of the combined exercises.")
    assert "military-exercises" in T.classify(both, rules_only)
    assert "military-exercises" not in T.model_adds(texts[1], _sure_model("military-exercises"), [T.score(texts[1], t) for t in VOCAB.topics])
