"""Topics: a small linear model on word stems, trained from the labelled papers, that adds
tags the rules miss (pure Python at run time; the training is in :mod:`policy_reader.topics.train`).

The rules (:mod:`policy_reader.topics.rules`) hold precision but miss new wording. The model
is a logistic regression per topic over the Snowball (Porter 2) stems of a paragraph's words,
one binary feature per stem, trained with balanced class weights on every labelled paragraph
(``tests/data/topic_labels.yml`` for the seed papers, ``tests/data/topics/dev/labels.yml``
for the development papers). Its weights live in ``docs/topics/model.json``, written by
``policy-reader topics --train`` and committed; nothing is downloaded.

A paragraph of at least ``min_features`` (12) distinct stems gets a topic from the model when
(see :meth:`TopicModel.adds`):

- the model's probability is at least ``alone`` (0.6), or
- the rules score it one point short of the threshold or closer (a sign of the topic, not
  enough alone) and the probability is at least ``near`` (0.3);

and, with ``sign`` on (the shipped setting), only where a rule of the topic matched (the rules
score it above 0). That is the *passing mention* rule: a paragraph about drills or sanctions that
brings up talks only in words no diplomacy rule holds ("a proposal for inter-Korean contacts",
"press Beijing") reads much like the paragraphs that are about talks to a bag of stems, and the
model gave it the topic; it may not now. Measured leave-one-paper-out over the 28 development
papers (``policy-reader topics --lopo`` prints the tagging with and without it): of the model's
additions to paragraphs without any sign, 3 were right and 7 wrong (5 of them diplomacy).

A shorter text ("Washington should exercise restraint here.") is left to the rules: a few words
give the model too little to go on, and its class-balanced probabilities lean to yes.

Both thresholds were chosen by leave-one-paper-out over the development papers
(``policy-reader topics --lopo``). The file records a digest of the labelled paragraphs it
was trained on; ``tests/test_topics_model.py`` fails when the labels or papers changed and the
model was not trained again.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from policy_reader.model import SourceError

MODEL_PATH = "docs/topics/model.json"
#: Bumped when :func:`features` changes: a model trained on other features is stale.
FEATURES = "snowball-english-stems-v1"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
#: Function words carry no topic; leaving them out keeps the model file small.
STOP = frozenset(
    "the a an of and to in on for is are was were be been that this it its with as by at from or "
    "but not no which who their they he she his her we our us you i".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    """Snowball's English stemmer, made at the first word stemmed: importing snowballstemmer
    loads all its 30-odd languages (about 0.3 s), and a site build, which never runs the
    model (the converter records its tags), should not pay for that."""
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def features(text: str) -> frozenset[str]:
    """The stems of the words of ``text`` (lowercased, curly apostrophes straightened),
    function words left out: "sanctioned", "sanctions" and "sanctioning" are one feature."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return frozenset(s for s in (_stem(w) for w in words) if s not in STOP)


@dataclass(frozen=True)
class TopicWeights:
    intercept: float
    weights: dict[str, float]

    def probability(self, feats: frozenset[str]) -> float:
        z = self.intercept + sum(self.weights.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def top(self, feats: frozenset[str], n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` features of ``feats`` that push the probability up most."""
        got = sorted(((f, self.weights[f]) for f in feats if self.weights.get(f, 0.0) > 0), key=lambda x: (-x[1], x[0]))
        return got[:n]


@dataclass(frozen=True)
class TopicModel:
    topics: dict[str, TopicWeights]
    alone: float  # a probability that tags on its own
    near: float  # a probability that tags a paragraph the rules score one point short or closer
    min_features: int  # a text with fewer distinct stems is left to the rules
    digest: str  # of the labelled paragraphs trained on (see training_digest)
    trained_on: str  # what it was trained on, in words
    path: str = MODEL_PATH
    sign: bool = False  # add a topic only where a rule of it matched (the rules score it above 0)
    #: The abstain band: ``{topic: (rules_below, model_below)}``. A tag of the topic the rules give (own
    #: score or context) whose probability is below ``rules_below``, or one the model alone gives below
    #: ``model_below``, is withheld and listed by ``topics --suggest`` for the editor (see :meth:`doubts`).
    doubt: dict = field(default_factory=dict)

    def probabilities(self, text: str) -> dict[str, float]:
        return self.assess(text)[0]

    def assess(self, text: str) -> tuple[dict[str, float], int]:
        """``({topic: probability}, number of distinct stems)`` for ``text``."""
        feats = features(text)
        return {slug: w.probability(feats) for slug, w in self.topics.items()}, len(feats)

    def adds(self, slug: str, p: float, rule_score: float, threshold: float, n_features: int) -> bool:
        """Whether probability ``p`` tags a text of ``n_features`` stems the rules score ``rule_score``."""
        if slug not in self.topics or n_features < self.min_features or (self.sign and rule_score <= 0):
            return False
        return p >= self.alone or (0 < rule_score and threshold - 1 <= rule_score and p >= self.near)

    def doubts(self, slug: str, p: float, by_rules: bool, n_features: int) -> bool:
        """Whether a tag of ``slug`` (``by_rules``: the rules gave it, by score or context; else the
        model alone) is too uncertain to publish: the rules and the model disagree (the rules tag, the
        model's probability is below ``rules_below``) or the model alone is not sure enough (below
        ``model_below``). A text too short for the model (``min_features``) keeps the rules' tag."""
        band = self.doubt.get(slug)
        if band is None or n_features < self.min_features:
            return False
        return p < (band[0] if by_rules else band[1])

    def why(self, text: str, slug: str) -> str:
        """Words for ``--explain``: the probability and the stems that weigh most."""
        feats = features(text)
        w = self.topics[slug]
        stems = ", ".join(f"{f} {v:+.2f}" for f, v in w.top(feats))
        where = " where a rule of the topic matched" if self.sign else ""
        return (f"model p={w.probability(feats):.2f} (tags at {self.alone:g}, or at {self.near:g} one point short of the "
                f"rules' threshold{where}); stems {stems or '(none)'}")


def training_digest(rows) -> str:
    """sha256 of the labelled paragraphs a model is trained on: ``(paper, id, text, topics)``
    rows in order, and the feature version."""
    h = hashlib.sha256(FEATURES.encode())
    for paper, pid, text, topics in rows:
        h.update(json.dumps([paper, pid, text, sorted(topics)], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


def dumps(model: TopicModel) -> str:
    """The model file's text: stable (sorted keys, rounded weights), so retraining on the same
    labels writes the same bytes and a review diff shows what changed."""
    data = {
        "about": "Topic model weights, written by `policy-reader topics --train` from the labelled papers; "
                 "do not edit by hand (see scripts/policy_reader/topics/model.py).",
        "features": FEATURES,
        "trained_on": model.trained_on,
        "digest": model.digest,
        "alone": model.alone,
        "near": model.near,
        "min_features": model.min_features,
        "sign": model.sign,
        "doubt": {slug: {"rules_below": lo, "model_below": hi} for slug, (lo, hi) in sorted(model.doubt.items())},
        "topics": {
            slug: {"intercept": round(w.intercept, 4), "weights": {f: round(v, 4) for f, v in sorted(w.weights.items())}}
            for slug, w in model.topics.items()
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def parse(text: str, label: str = MODEL_PATH, slugs=None) -> TopicModel:
    """A model file read back; a bad file is one ``file:line: what`` error."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(label, exc.lineno, f"invalid JSON ({exc.msg}); run `policy-reader topics --train` to write it again") from None
    def bad(what):
        return SourceError(label, 1, f"{what}; run `policy-reader topics --train` to write it again")
    if not isinstance(data, dict):
        raise bad("expected a JSON object")
    if data.get("features") != FEATURES:
        raise bad(f"trained on features '{data.get('features')}', this code makes '{FEATURES}'")
    for key in ("alone", "near"):
        v = data.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 < v <= 1:
            raise bad(f"'{key}' must be a probability above 0")
    n = data.get("min_features")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise bad("'min_features' must be a whole number from 0")
    sign = data.get("sign", False)  # a file from before the passing-mention rule: off
    if not isinstance(sign, bool):
        raise bad("'sign' must be true or false")
    doubt = {}
    raw_doubt = data.get("doubt", {})  # a file from before the abstain band: none
    if not isinstance(raw_doubt, dict):
        raise bad("'doubt' must map topic slugs to {rules_below, model_below}")
    for slug, band in raw_doubt.items():
        if slugs is not None and slug not in slugs:
            raise bad(f"'doubt' names topic '{slug}', which is not in the vocabulary (known: {', '.join(slugs)})")
        if (not isinstance(band, dict) or set(band) != {"rules_below", "model_below"}
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in band.values())):
            raise bad(f"'doubt' of '{slug}' needs 'rules_below' and 'model_below', probabilities from 0 to 1")
        doubt[slug] = (float(band["rules_below"]), float(band["model_below"]))
    topics = data.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise bad("'topics' must map topic slugs to weights")
    out = {}
    for slug, raw in topics.items():
        if slugs is not None and slug not in slugs:
            raise bad(f"topic '{slug}' is not in the vocabulary (known: {', '.join(slugs)})")
        if (not isinstance(raw, dict) or not isinstance(raw.get("intercept"), (int, float))
                or not isinstance(raw.get("weights"), dict)
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw["weights"].values())):
            raise bad(f"topic '{slug}' needs a number 'intercept' and 'weights' of numbers")
        out[slug] = TopicWeights(float(raw["intercept"]), {str(k): float(v) for k, v in raw["weights"].items()})
    return TopicModel(out, float(data["alone"]), float(data["near"]), n, str(data.get("digest", "")),
                      str(data.get("trained_on", "")), label, sign, doubt)


def load_model(root: Path, slugs=None) -> TopicModel | None:
    """The committed model, or None for a project without ``docs/topics/model.json`` (rules only)."""
    path = root / MODEL_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise SourceError(MODEL_PATH, 0, "not valid UTF-8; run `policy-reader topics --train` to write it again") from None
    return parse(text, MODEL_PATH, slugs)
