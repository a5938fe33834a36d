"""Topics: a vocabulary read from data, rules that tag paragraphs, overrides.

Pure and MkDocs-free. The vocabulary lives in ``docs/topics/vocabulary.yml``
and the per-paragraph overrides in ``docs/topics/overrides.yml`` (both kept out
of the built site by ``exclude_docs``). Every paragraph and key takeaway gets
the topics whose rules score at least the topic's threshold; an override then
replaces one paragraph's topics outright.

A rule is a list of patterns and a weight. A pattern is one or more words,
matched case-insensitively on word boundaries; a space or hyphen in a pattern
matches a space, hyphen or dash in the text (``working-level`` also finds
"working level"); a trailing ``*`` matches any word ending (``negotiat*``).
Each rule counts once per paragraph, however often it matches; a negative
weight lets a rule cancel a misleading use (``to pressure``, a verb). A rule with
``absent: true`` (and a negative weight) counts when none of its patterns matches, in a
paragraph another rule of the topic matched: a sign the topic needs and the paragraph
lacks (diplomacy without North Korea as a party); such a paragraph takes the topic neither
by context nor from the model (:attr:`Score.lacks`). ``when: [patterns]`` makes a rule
count only where one of those patterns matches as well. ``not_after: [patterns]``: a match of
the rule does not count where it follows one of those patterns, with at most
:data:`FRAME_GAP` words and nothing else between them ("after the summit", "since the Hanoi
meeting": talks named as a time, not talked about); the rule counts when another of its
matches is free (:meth:`Rule.counted`); a paragraph where every match of such a rule was set
aside names the topic in passing and, like one a rule with ``hold: true`` counted against (a
summit of the allies), takes the topic neither by context nor from the model (:attr:`Score.held`).

A project with ``docs/topics/model.json`` also tags with a small model trained on the labelled
papers (:mod:`policy_reader.topics.model`): it adds topics the rules miss, never removes one.
:func:`load_vocabulary` attaches it to the vocabulary; a vocabulary parsed from text alone
(:func:`parse_vocabulary`) has none and tags by the rules alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable

import yaml

from policy_reader import fast_yaml
from policy_reader.model import Document, Paragraph, SourceError
from policy_reader.readers.text import NOTE_CLOSE, NOTE_OPEN

VOCABULARY_PATH = "docs/topics/vocabulary.yml"
OVERRIDES_PATH = "docs/topics/overrides.yml"

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: What one word of a pattern may hold: letters, digits, apostrophes, periods.
PATTERN_WORD = re.compile(r"^[\w'’.]+\*?$")
DASHES = r"[\s\-‐‑‒–—]+"
#: ``not_after``: how many words may stand between the frame ("after") and the match ("the
#: Hanoi" in "after the Hanoi summit"); only words and the spaces or hyphens between them, and
#: none of :data:`FRAME_BREAKS`.
FRAME_GAP = 3
#: Words that end a frame: a preposition, conjunction or relative word, or a word in -ing (a
#: verb: "before returning to talks" is about the return to the talks, not a date), start a
#: phrase of its own, so the match is no longer the noun the frame governs.
FRAME_BREAKS = ("to", "of", "with", "for", "and", "or", "but", "nor", "that", "which", "who", "whom", "in", "on", "at",
                "by", "from", "into", "as", "than", "about", "over", "between", "among", "against")

TOPIC_FIELDS = {
    "slug": "URL name: /topics/<slug>/ (lower case, digits, hyphens)",
    "title": "the topic's name as shown on pages",
    "description": "a short neutral description",
    "threshold": "the score a paragraph needs to be tagged (a positive number)",
    "rules": "a list of rules, each {match: [patterns], weight: number}",
    "context": "optional: how much lower the threshold is for a paragraph next to one the rules tag (0: off)",
}
REQUIRED_TOPIC_FIELDS = ("slug", "title", "description", "threshold", "rules")
RULE_FIELDS = {
    "match": "a pattern or a list of patterns", "weight": "a non-zero number", "why": "optional note",
    "context": "optional true: a match of this rule may tag by context (the topic's 'context')",
    "absent": "optional true: the rule counts when NONE of its patterns matches (a missing sign, such as a party to talks)",
    "when": "optional patterns: the rule counts only in a paragraph where one of these matches as well",
    "not_after": "optional patterns: a match right after one of these (a few words between at most) does not count",
    "hold": "optional true (negative weight): when the rule counts, neither context nor the model gives the topic",
}
OVERRIDE_FIELDS = {"topics": "the paragraph's topics (a list of slugs; [] for none)", "reason": "why the rules are overridden"}


# --------------------------------------------------------------------------- YAML with lines


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings remember the line of each key."""


class LineDict(dict):
    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list


def _construct_mapping(loader, node):
    d = LineDict()
    d.line = node.start_mark.line + 1
    d.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(None, None, "a key must be plain text", key_node.start_mark)
        d[key] = loader.construct_object(value_node, deep=True)
        d.key_lines[key] = key_node.start_mark.line + 1
    return d


def _construct_sequence(loader, node):
    seq = LineList(loader.construct_object(n, deep=True) for n in node.value)
    seq.line = node.start_mark.line + 1
    seq.item_lines = [n.start_mark.line + 1 for n in node.value]
    return seq


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str, label: str):
    try:
        return fast_yaml.load(text, _LineLoader)  # libyaml when present; the pure parser words errors
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise SourceError(label, line, f"invalid YAML ({getattr(exc, 'problem', exc)}); fix the syntax") from None


def _read(path: Path, label: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(label, 0, "missing; the topics feature needs this file (see README, 'Topics')") from None
    except UnicodeDecodeError:
        raise SourceError(label, 0, "not valid UTF-8; save the file as UTF-8 text") from None


# --------------------------------------------------------------------------- the vocabulary


# Non-ASCII letters that IGNORECASE matches to ASCII letters (Python's re documentation).
_ASCII_LOOKALIKES = re.compile("[\u0130\u0131\u017f\u212a]")


def fold(text: str) -> str | None:
    """``text`` lowercased; None when the text holds a letter that IGNORECASE matches to an
    ASCII one (the literal prefilter of :meth:`Rule.find` is then off, see :class:`Words`)."""
    return None if _ASCII_LOOKALIKES.search(text) else text.lower()


def literal(pattern: str) -> str:
    """Lowercase letters every match of ``pattern`` contains: its first word's leading
    ASCII letters and digits ("" when none: the prefilter then always passes)."""
    first = re.split(DASHES, pattern.strip())[0]
    m = re.match(r"[A-Za-z0-9]+", first)
    return m.group(0).lower() if m else ""


def _body(pattern: str) -> str:
    """A pattern's regular expression without the word boundaries around it."""
    parts = []
    for w in re.split(DASHES, pattern.strip()):
        parts.append(re.escape(w[:-1]) + r"[\w'’]*" if w.endswith("*") else re.escape(w))
    return DASHES.join(parts)


def compile_frame(patterns: tuple[str, ...]) -> re.Pattern:
    """``not_after`` patterns as one regular expression that matches at the END of the text
    before a match: a frame word, then at most :data:`FRAME_GAP` words (nothing else
    between: no comma, no full stop; none of :data:`FRAME_BREAKS` and no word in -ing) and the
    space before the match."""
    frames = "|".join(_body(p) for p in sorted(patterns, key=len, reverse=True))
    end = r"(?![\w'’.\-‐‑])"
    word = (r"(?!(?:" + "|".join(FRAME_BREAKS) + r")" + end + r")(?![\w'’.\-‐‑]*ing" + end + r")"
            r"[\w'’.]+(?:[\-‐‑][\w'’.]+)*")
    return re.compile(r"(?<![\w-])(?:" + frames + r")(?:" + DASHES + word + r"){0," + str(FRAME_GAP) + r"}" + DASHES + r"\Z", re.I)


def compile_pattern(pattern: str) -> re.Pattern:
    """A pattern as a regular expression (see the module docstring)."""
    body = _body(pattern)
    return re.compile(r"(?<![\w-])" + body + r"(?![\w-])" if not pattern.endswith("*") else r"(?<![\w-])" + body, re.I)


def whole_literal(pattern: str) -> bool:
    """Whether the word of the text where a match of ``pattern`` starts is its :func:`literal`
    (in any case) and not only begins with it: the pattern's first word ends with its literal
    or goes on with a character that ends a word ("U.S." gives "u"; "sanction*" and
    "naïve" only begin a word with theirs)."""
    lit = literal(pattern)
    rest = re.split(DASHES, pattern.strip())[0][len(lit):]
    return bool(lit) and (rest == "" or (rest[0] != "*" and re.match(r"\w", rest[0]) is None))


@dataclass(frozen=True)
class Rule:
    patterns: tuple[str, ...]
    weight: float
    line: int = 0
    context: bool = False
    #: The rule counts when none of its patterns matches (``absent: true``): a sign the topic
    #: needs and the paragraph lacks. Only with a negative weight, and only in a paragraph
    #: another rule of the topic matched (:func:`score`).
    absent: bool = False
    #: The rule counts only where a pattern of this rule (``when:``) matches as well.
    when: "Rule | None" = None
    #: A match right after one of these patterns (``not_after:``) does not count (:meth:`counted`).
    not_after: tuple[str, ...] = ()
    #: When the rule counts, neither context nor the model gives the topic (``hold: true``; an
    #: ``absent`` rule always holds): the paragraph is about something else (:attr:`Score.held`).
    hold: bool = False
    literals: tuple[str, ...] = field(default=(), init=False, compare=False, repr=False)
    wholes: tuple[bool, ...] = field(default=(), init=False, compare=False, repr=False)

    @cached_property
    def regexes(self) -> tuple[re.Pattern, ...]:
        """The patterns compiled, on first use: a build that takes its topic pages from the
        cache matches no rule and compiles none."""
        return tuple(compile_pattern(p) for p in self.patterns)

    @cached_property
    def _plan(self) -> tuple[tuple, frozenset, frozenset, bool]:
        """(regex, literal, whole) per pattern; the whole literals; the others; whether a
        pattern has no literal (it is scanned over every text)."""
        plan = tuple(zip(self.regexes, self.literals, self.wholes, strict=True))
        whole = frozenset(lit for _, lit, w in plan if lit and w)
        begins = frozenset(lit for _, lit, w in plan if lit and not w)
        return plan, whole, begins, any(not lit for _, lit, _ in plan)

    @cached_property
    def frame(self) -> re.Pattern | None:
        return compile_frame(self.not_after) if self.not_after else None

    def label(self) -> str:
        return ("none of: " if self.absent else "") + " | ".join(self.patterns) + (
            f" (not after: {' | '.join(self.not_after)})" if self.not_after else "")

    def counted(self, text: str, words: "Words | None" = None) -> list[re.Match]:
        """The matches that count: :meth:`find`'s, less those right after a ``not_after``
        pattern (at most :data:`FRAME_GAP` words between: "after the summit")."""
        found = self.find(text, words if words is not None else Words.of(text))
        frame = self.frame
        if frame is None or not found:
            return found
        return [m for m in found if not frame.search(text, max(0, m.start() - 160), m.start())]

    def __post_init__(self):
        object.__setattr__(self, "literals", tuple(literal(p) for p in self.patterns))
        object.__setattr__(self, "wholes", tuple(whole_literal(p) for p in self.patterns))

    def find(self, text: str, folded: "str | None | bool | Words" = False) -> list[re.Match]:
        """Every match of every pattern, pattern by pattern, each left to right.

        A pattern with a literal (:func:`literal`) can only match where a word of the text
        is its literal or begins with it (:func:`whole_literal`), so its regex is tried at
        those places alone, not scanned over the whole text; a rule none of whose literals
        is there finds nothing. Same matches as every regex's ``finditer``, faster. The
        text's words are indexed once (:class:`Words`) for every rule run over it;
        ``folded``: those words when the caller has them, else ignored (callers once
        passed :func:`fold`)."""
        words = folded if isinstance(folded, Words) else Words.of(text)
        plan, whole, begins, scan = self._plan
        if not words.exact:  # a letter IGNORECASE matches to an ASCII one: scan every regex
            return [m for rx, _, _ in plan for m in rx.finditer(text)]
        if not scan and words.words.isdisjoint(whole) and words.begun.isdisjoint(begins):
            return []  # most rules, most paragraphs
        out: list[re.Match] = []
        places, begun = words.places, words.begun
        for rx, lit, w in plan:
            if not lit:
                out.extend(rx.finditer(text))
                continue
            if w:
                starts = places.get(lit)
            elif lit in begun:
                starts = words.beginning(lit)
            else:
                continue
            if not starts:
                continue
            end = 0
            for at in starts:  # what finditer finds: the leftmost match, then on from its end
                if at >= end:
                    m = rx.match(text, at)  # the lookbehind sees the text before ``at``
                    if m is not None:
                        out.append(m)
                        end = m.end()
        return out


#: Where a pattern's match can start: a word character not after a word character or
#: hyphen (compile_pattern's ``(?<![\w-])``), and the word that starts there.
WORD_START = re.compile(r"(?<![\w-])\w+")


class Words:
    """A text's words (:data:`WORD_START`), lowercased, and where each starts: what
    :meth:`Rule.find` needs to try a pattern only where it can match.

    A match of a pattern with a literal starts where a word starts that is the literal or
    begins with it, in any case: the literal is ASCII letters and digits, which IGNORECASE
    matches only to themselves in a text without :data:`_ASCII_LOOKALIKES` (``exact``;
    in a text with one, every regex is scanned). Made once per text (:meth:`of` keeps the
    last few), so every rule of every topic run over a paragraph shares it.
    """

    __slots__ = ("exact", "places", "words", "begun", "_sorted", "_begins")

    def __init__(self, text: str):
        self.exact = _ASCII_LOOKALIKES.search(text) is None
        #: Each word, lowercased, and where it starts, in order.
        self.places: dict[str, list[int]] = {}
        if self.exact:
            # Without those letters, lowercasing keeps every character in its place and a
            # word character a word character (tests/test_topics.py checks every one).
            places = self.places
            for m in WORD_START.finditer(text.lower()):
                got = places.get(m[0])
                if got is None:
                    places[m[0]] = [m.start()]
                else:
                    got.append(m.start())
        #: The words, lowercased.
        self.words = self.places.keys()
        #: Every beginning of a word ("sanctions" gives "s", "sa", ..., "sanctions").
        self.begun = {w[:k] for w in self.places for k in range(1, len(w) + 1)}
        self._sorted: list[str] | None = None
        self._begins: dict[str, list[int]] = {}

    @staticmethod
    @lru_cache(maxsize=32)
    def of(text: str) -> "Words":
        return Words(text)

    def beginning(self, lit: str) -> list[int]:
        """Where a word beginning with ``lit`` starts, in order."""
        got = self._begins.get(lit)
        if got is None:
            if self._sorted is None:
                self._sorted = sorted(self.places)
            words = self._sorted
            i = bisect_left(words, lit)
            found = []
            while i < len(words) and words[i].startswith(lit):
                found.append(self.places[words[i]])
                i += 1
            got = self._begins[lit] = found[0] if len(found) == 1 else sorted(a for f in found for a in f)
        return got


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    description: str
    threshold: float
    rules: tuple[Rule, ...]
    line: int = 0
    context: float = 0.0


@dataclass(frozen=True)
class Vocabulary:
    topics: tuple[Topic, ...]
    path: str = VOCABULARY_PATH
    model: object = field(default=None, compare=False, repr=False)  # a topics.model.TopicModel, or None

    def by_slug(self) -> dict[str, Topic]:
        return {t.slug: t for t in self.topics}

    def slugs(self) -> list[str]:
        return [t.slug for t in self.topics]


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def parse_rule(raw, label: str, where: str, line: int) -> Rule:
    if not isinstance(raw, dict):
        raise SourceError(label, line, f"{where}: a rule must be a mapping {{match: [patterns], weight: number}}")
    line = getattr(raw, "line", line)
    for key in raw:
        if key not in RULE_FIELDS:
            raise SourceError(label, raw.line_of(key), f"{where}: unknown rule field '{key}'; known fields: {', '.join(RULE_FIELDS)}")
    patterns = _patterns(raw.get("match"), label, where, line, "match")
    weight = raw.get("weight")
    if not _number(weight) or weight == 0:
        raise SourceError(label, line, f"{where}: 'weight' must be a non-zero number (got {weight!r})")
    context = raw.get("context", False)
    if not isinstance(context, bool):
        raise SourceError(label, raw.line_of("context"), f"{where}: 'context' must be true or false (got {context!r})")
    if context and weight < 0:
        raise SourceError(label, raw.line_of("context"), f"{where}: a negative rule cannot tag by context; remove 'context'")
    absent = raw.get("absent", False)
    if not isinstance(absent, bool):
        raise SourceError(label, raw.line_of("absent"), f"{where}: 'absent' must be true or false (got {absent!r})")
    if absent and (weight > 0 or context):
        raise SourceError(label, raw.line_of("absent"), f"{where}: an 'absent' rule lowers the score: give it a negative "
                          "weight and no 'context'")
    when = _patterns(raw["when"], label, where, raw.line_of("when"), "when") if "when" in raw else ()
    not_after = _patterns(raw["not_after"], label, where, raw.line_of("not_after"), "not_after") if "not_after" in raw else ()
    if not_after and absent:
        raise SourceError(label, raw.line_of("not_after"), f"{where}: 'not_after' needs matches to set aside; an 'absent' "
                          "rule has none: remove one of the two")
    hold = raw.get("hold", False)
    if not isinstance(hold, bool):
        raise SourceError(label, raw.line_of("hold"), f"{where}: 'hold' must be true or false (got {hold!r})")
    if hold and weight > 0:
        raise SourceError(label, raw.line_of("hold"), f"{where}: 'hold' keeps context and the model from a paragraph a "
                          "rule counts against: give the rule a negative weight")
    return Rule(patterns, float(weight), line, context, absent, Rule(when, 1.0, line) if when else None, not_after, hold)


def _patterns(value, label: str, where: str, line: int, name: str) -> tuple[str, ...]:
    """A rule field of patterns (``match``, ``when``, ``not_after``): one pattern or a non-empty list of them."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise SourceError(label, line, f"{where}: '{name}' must be a pattern or a non-empty list of patterns")
    patterns = []
    for p in value:
        if not _text(p):
            raise SourceError(label, line, f"{where}: empty or non-text pattern {p!r}; write a word or phrase")
        p = p.strip()
        bad = [w for w in re.split(DASHES, p) if not PATTERN_WORD.match(w) or w == "*"]
        if bad:
            raise SourceError(
                label, line,
                f"{where}: invalid pattern '{p}' (word '{bad[0]}'); use words of letters and digits, "
                "spaces or hyphens between them, and '*' only at the end of a word",
            )
        patterns.append(p)
    return tuple(patterns)


def parse_vocabulary(text: str, label: str = VOCABULARY_PATH) -> Vocabulary:
    data = load_yaml(text, label)
    if not isinstance(data, dict) or set(data) != {"topics"}:
        extra = sorted(set(data) - {"topics"}) if isinstance(data, dict) else []
        what = f"unknown field '{extra[0]}'; " if extra else ""
        raise SourceError(label, data.line_of(extra[0]) if extra else 1, f"{what}the file must hold one key, 'topics:', with a list of topics")
    raw_topics = data["topics"]
    if not isinstance(raw_topics, list) or not raw_topics:
        raise SourceError(label, data.line_of("topics"), "'topics' must be a non-empty list of topics")
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_topics, 1):
        line = raw_topics.item_lines[i - 1]
        if not isinstance(raw, dict):
            raise SourceError(label, line, f"topic {i}: must be a mapping with {', '.join(REQUIRED_TOPIC_FIELDS)}")
        where = f"topic '{raw['slug']}'" if isinstance(raw.get("slug"), str) else f"topic {i}"
        for key in raw:
            if key in ("agree", "differ"):
                raise SourceError(label, raw.line_of(key), f"{where}: '{key}' is now a note bound to the papers it compares; "
                                  "move it to docs/topics/notes.yml (see README, 'Topics')")
            if key not in TOPIC_FIELDS:
                raise SourceError(label, raw.line_of(key), f"{where}: unknown field '{key}'; known fields: {', '.join(TOPIC_FIELDS)}")
        for key in REQUIRED_TOPIC_FIELDS:
            if key not in raw or raw[key] in (None, ""):
                raise SourceError(label, line, f"{where}: missing field '{key}': {TOPIC_FIELDS[key]}")
        slug = raw["slug"]
        if not isinstance(slug, str) or not SLUG.match(slug):
            raise SourceError(label, raw.line_of("slug"), f"{where}: slug {slug!r} must be lower-case words joined by hyphens")
        if slug == "index":
            raise SourceError(label, raw.line_of("slug"), f"{where}: 'index' is reserved for the list of topics; choose another slug")
        if slug in seen:
            raise SourceError(label, raw.line_of("slug"), f"{where}: duplicate slug '{slug}' (first at line {seen[slug]}); every topic needs its own slug")
        seen[slug] = raw.line_of("slug")
        for key in ("title", "description"):
            if key in raw and not _text(raw[key]):
                raise SourceError(label, raw.line_of(key), f"{where}: '{key}' must be non-empty text")
        threshold = raw["threshold"]
        if not _number(threshold) or threshold <= 0:
            raise SourceError(label, raw.line_of("threshold"), f"{where}: 'threshold' must be a positive number (got {threshold!r})")
        context = raw.get("context", 0)
        if not _number(context) or context < 0 or context >= threshold:
            raise SourceError(label, raw.line_of("context"), f"{where}: 'context' must be a number from 0 to below the threshold (got {context!r})")
        rules_raw = raw["rules"]
        if not isinstance(rules_raw, list) or not rules_raw:
            raise SourceError(label, raw.line_of("rules"), f"{where}: 'rules' must be a non-empty list of {{match, weight}}")
        rules = tuple(
            parse_rule(r, label, f"{where}, rule {j}", rules_raw.item_lines[j - 1])
            for j, r in enumerate(rules_raw, 1)
        )
        if not any(r.weight > 0 for r in rules):
            raise SourceError(label, raw.line_of("rules"), f"{where}: no rule has a positive weight, so nothing could ever be tagged")
        topics.append(Topic(
            slug=slug, title=raw["title"].strip(), description=" ".join(raw["description"].split()),
            threshold=float(threshold), rules=rules,
            line=line, context=float(context),
        ))
    return Vocabulary(tuple(topics), label)


def load_topic_data(root: Path):
    """``(vocabulary, overrides)``, or None for a project without a vocabulary file."""
    if not (root / VOCABULARY_PATH).exists():
        if (root / OVERRIDES_PATH).exists():
            raise SourceError(OVERRIDES_PATH, 0, f"overrides need the vocabulary; add {VOCABULARY_PATH} or remove this file")
        return None
    vocab = load_vocabulary(root)
    return vocab, load_overrides(root, vocab)


def load_vocabulary(root: Path, model: bool = True) -> Vocabulary:
    """The vocabulary, with the trained model (docs/topics/model.json) when the project has one
    (``model=False``: without it, as the training needs)."""
    from policy_reader.topics.model import load_model

    vocab = parse_vocabulary(_read(root / VOCABULARY_PATH, VOCABULARY_PATH), VOCABULARY_PATH)
    return replace(vocab, model=load_model(root, vocab.slugs())) if model else vocab


# --------------------------------------------------------------------------- overrides


@dataclass(frozen=True)
class Override:
    paper: str
    pid: str
    topics: tuple[str, ...]
    reason: str
    line: int


def parse_overrides(text: str, vocab: Vocabulary, label: str = OVERRIDES_PATH) -> dict[str, dict[str, Override]]:
    """``{paper slug: {paragraph id: Override}}``; ids are checked later, against the papers."""
    data = load_yaml(text, label)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError(label, 1, "expected '<paper slug>:' keys, each holding '<paragraph id>: {topics: [...], reason: ...}'")
    known = vocab.slugs()
    out: dict[str, dict[str, Override]] = {}
    for paper, entries in data.items():
        pline = data.line_of(paper)
        if not isinstance(entries, dict):
            raise SourceError(label, pline, f"'{paper}': must hold '<paragraph id>: {{topics: [...], reason: ...}}' lines")
        for pid, raw in entries.items():
            line = entries.line_of(pid)
            where = f"'{paper}' {pid}"
            if not isinstance(raw, dict):
                raise SourceError(label, line, f"{where}: must be a mapping {{topics: [...], reason: ...}}")
            for key in raw:
                if key not in OVERRIDE_FIELDS:
                    raise SourceError(label, raw.line_of(key), f"{where}: unknown field '{key}'; known fields: {', '.join(OVERRIDE_FIELDS)}")
            topics = raw.get("topics")
            if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
                raise SourceError(label, line, f"{where}: 'topics' must be a list of topic slugs ([] for none)")
            for t in topics:
                if t not in known:
                    raise SourceError(label, line, f"{where}: unknown topic '{t}'; known topics: {', '.join(known)}")
            if not _text(raw.get("reason")):
                raise SourceError(label, line, f"{where}: 'reason' is required; say why the rules are overridden")
            ordered = tuple(s for s in known if s in topics)
            out.setdefault(str(paper), {})[str(pid)] = Override(str(paper), str(pid), ordered, raw["reason"].strip(), line)
    return out


def load_overrides(root: Path, vocab: Vocabulary) -> dict[str, dict[str, Override]]:
    path = root / OVERRIDES_PATH
    if not path.exists():
        return {}
    return parse_overrides(_read(path, OVERRIDES_PATH), vocab, OVERRIDES_PATH)


def check_overrides(overrides: dict[str, dict[str, Override]], papers: dict[str, Iterable[str]], label: str = OVERRIDES_PATH,
                    hint=None) -> None:
    """Every override must name a known paper and one of its paragraph ids.

    ``hint(paper, id)`` (optional) says what became of an id the paper no longer has."""
    for paper, entries in overrides.items():
        if paper not in papers:
            first = next(iter(entries.values()), None)
            raise SourceError(label, first.line if first else 0, f"unknown paper '{paper}'; known papers: {', '.join(sorted(papers))}")
        ids = list(papers[paper])
        for pid, o in entries.items():
            if pid not in ids:
                why = hint(paper, pid) if hint else None
                if why:
                    raise SourceError(label, o.line, f"'{paper}' has no paragraph '{pid}' ({why}); move the override "
                                      "to the paragraph that now holds its words, or delete it")
                raise SourceError(label, o.line, f"'{paper}' has no paragraph '{pid}'; its ids are {', '.join(ids)}")


# --------------------------------------------------------------------------- tagging


def plain_text(text: str) -> str:
    """A model paragraph's words without note markers."""
    return re.sub(f"{NOTE_OPEN}\\d+{NOTE_CLOSE}", "", text)


@dataclass(frozen=True)
class Hit:
    rule: Rule
    matches: tuple[str, ...]


@dataclass(frozen=True)
class Score:
    topic: Topic
    score: float
    hits: tuple[Hit, ...]
    #: Rules that matched only where a ``not_after`` pattern set their matches aside (the talks
    #: named as a time: "after the summit"); with their words, for ``--explain``.
    framed: tuple[Hit, ...] = ()

    @property
    def tagged(self) -> bool:
        return self.score >= self.topic.threshold

    @property
    def lacks(self) -> bool:
        """Whether an ``absent`` rule counted against the paragraph: it lacks a sign the topic
        needs (a party to the talks), so neither context nor the model gives it the topic."""
        return any(h.rule.absent for h in self.hits)

    @property
    def held(self) -> bool:
        """Whether neither context nor the model may give the paragraph the topic: it lacks a
        sign the topic needs (:attr:`lacks`); a rule with ``hold: true`` counted against it (the
        talks are another pair's: Kim and Putin, the allies' summit); or it names the topic only
        in passing, every match of a rule set aside by ``not_after`` (talks named as a time, a
        purpose or a tacit exchange: the passing-mention rule of the model, for words a rule
        did match)."""
        return self.lacks or bool(self.framed) or any(h.rule.hold for h in self.hits)


def score(text: str, topic: Topic) -> Score:
    hits = []
    total = 0.0
    words = Words.of(text)
    missing = []
    framed = []
    for rule in topic.rules:
        if rule.when is not None and not rule.when.find(text, words):
            continue
        found = rule.counted(text, words)
        if not found and rule.not_after and rule.weight > 0:
            aside = rule.find(text, words)
            if aside:
                framed.append(Hit(rule, tuple(m.group(0) for m in aside)))
        if rule.absent:
            if not found:
                missing.append(rule)
        elif found:
            hits.append(Hit(rule, tuple(m.group(0) for m in found)))
            total += rule.weight
    if hits:  # a missing sign counts only against what matched: a paragraph with no match stays at 0
        for rule in missing:
            hits.append(Hit(rule, ()))
            total += rule.weight
    return Score(topic, total, tuple(hits), tuple(framed))


def model_adds(text: str, vocab: Vocabulary, scores: list[Score] | None = None,
               assessed: tuple[dict[str, float], int] | None = None) -> dict[str, float]:
    """``{topic: probability}`` for each topic the model (if any) adds to ``text`` beyond its rules
    (see :meth:`policy_reader.topics.model.TopicModel.adds`); ``scores`` are the rules' scores of
    ``text``, one per topic, and ``assessed`` the model's ``assess(text)``, when the caller has them."""
    m = vocab.model
    if m is None:
        return {}
    scores = scores if scores is not None else [score(text, t) for t in vocab.topics]
    probs, n = assessed if assessed is not None else m.assess(text)
    return {s.topic.slug: probs[s.topic.slug] for s in scores
            if not s.tagged and not s.held
            and m.adds(s.topic.slug, probs.get(s.topic.slug, 0.0), s.score, s.topic.threshold, n)}


@dataclass(frozen=True)
class Withheld:
    """A tag in the model's abstain band (``TopicModel.doubts``): not published; ``topics --suggest``
    lists it for the editor. ``by_rules``: the rules gave it (and the model's ``p`` is low), else the
    model alone (not sure enough)."""
    p: float
    by_rules: bool
    below: float  # the probability it needed


def tag_sequence(texts: list[str], vocab: Vocabulary) -> tuple[list[tuple[str, ...]], list[dict[str, Withheld]]]:
    """:func:`classify_sequence` and, per text, the tags it withholds for the editor (the abstain band)."""
    scores = [[score(t, topic) for topic in vocab.topics] for t in texts]
    own = [[s.tagged for s in row] for row in scores]
    m = vocab.model
    out, withheld = [], []
    for i, row in enumerate(scores):
        got = []
        assessed = m.assess(texts[i]) if m is not None else ({}, 0)
        added = model_adds(texts[i], vocab, row, assessed) if m is not None else {}
        doubts: dict[str, Withheld] = {}
        for j, s in enumerate(row):
            t = s.topic
            near = (i > 0 and own[i - 1][j]) or (i + 1 < len(scores) and own[i + 1][j])
            by_rules = own[i][j] or bool(t.context and near and s.score >= t.threshold - t.context
                                         and any(h.rule.context for h in s.hits) and not s.held)
            if not (by_rules or t.slug in added):
                continue
            p = assessed[0].get(t.slug)
            if m is not None and p is not None and m.doubts(t.slug, p, by_rules, assessed[1]):
                band = m.doubt[t.slug]
                doubts[t.slug] = Withheld(p, by_rules, band[0] if by_rules else band[1])
                continue
            got.append(t.slug)
        out.append(tuple(got))
        withheld.append(doubts)
    return out, withheld


def classify(text: str, vocab: Vocabulary) -> tuple[str, ...]:
    """The topics the rules (and the model, if any) give to ``text`` (in vocabulary order): a
    paragraph alone, without neighbours (no context)."""
    return tag_sequence([text], vocab)[0][0]


def classify_sequence(texts: list[str], vocab: Vocabulary) -> list[tuple[str, ...]]:
    """The topics the rules give to each of ``texts``, paragraphs in reading order.

    A paragraph tagged by its own score tags as :func:`classify` does. A topic with
    ``context`` also tags a paragraph that scores at least ``threshold - context``, has
    a match of a rule marked ``context: true`` (a word that names the topic itself, such
    as "drills"), and stands next to a paragraph tagged by its own score: a
    paragraph that goes on about the topic of the one before it ("the drills" after a
    paragraph on the exercises) rarely repeats its strong terms. Context never chains, and a
    paragraph an ``absent`` rule counted against (it lacks a sign the topic needs, such as a
    party to the talks), a ``hold`` rule counted against, or whose matches of a rule were all
    set aside by ``not_after`` (the topic named in passing; :attr:`Score.held`) takes nothing by
    context.
    The model (if any) then adds its topics to each paragraph (:func:`model_adds`); context
    follows the rules' own tags only. Last, a tag in the model's abstain band (the rules tag
    but the model's probability is very low, or the model alone tags without being sure enough:
    ``TopicModel.doubts``) is withheld: ``topics --suggest`` lists it for the editor.
    """
    return tag_sequence(texts, vocab)[0]


def context_tagged(texts: list[str], vocab: Vocabulary) -> list[set[str]]:
    """Per text, the topics it gets only from a tagged neighbour (see :func:`classify_sequence`)."""
    seq = classify_sequence(texts, vocab)
    return [set(got) - set(classify(t, vocab)) for t, got in zip(texts, seq)]


def highlight_spans(text: str, topic: Topic) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the topic's positive rules in ``text``."""
    words = Words.of(text)
    spans = sorted((m.start(), m.end()) for r in topic.rules if r.weight > 0 and not r.absent for m in r.counted(text, words))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged



def highlights_recorder(root: Path, vocab: Vocabulary):
    """The converter's writer of a page's ``highlights`` field (:mod:`policy_reader.page.highlights`):
    given the page's ``(id, topics, words)``, the spans of :func:`highlight_spans` for each tag."""
    from policy_reader.page import highlights as H  # the page contract's format

    vocabulary = (root / VOCABULARY_PATH).read_bytes()
    by = vocab.by_slug()

    def spans_of(words: str, topic: str) -> list[tuple[int, int]]:
        return highlight_spans(words, by[topic]) if topic in by else []

    return lambda passages: H.record(vocabulary, passages, spans_of)

def _tag_all(ps, vocab: Vocabulary, overrides: dict[str, Override]) -> list[Paragraph]:
    """Tag paragraphs in reading order (rules with context), overrides winning."""
    ps = list(ps)
    ruled = classify_sequence([plain_text(p.text) for p in ps], vocab)
    out = []
    for p, got in zip(ps, ruled):
        o = overrides.get(p.id)
        out.append(Paragraph(p.text, p.line, p.id, p.notes, o.topics if o is not None else got, p.speaker))
    return out


def rules_topics(doc: Document, vocab: Vocabulary) -> dict[str, tuple[str, ...]]:
    """``{paragraph id: topics}`` from the rules (and the model, if any) without overrides:
    takeaways in their order, then the body."""
    out = {}
    for ps in (list(doc.takeaways), list(doc.paragraphs())):
        for p, got in zip(ps, classify_sequence([plain_text(p.text) for p in ps], vocab)):
            out[p.id] = got
    return out


def withheld_topics(doc: Document, vocab: Vocabulary) -> dict[str, dict[str, Withheld]]:
    """``{paragraph id: {topic: Withheld}}``: the tags the abstain band withholds (see :func:`tag_sequence`)."""
    out = {}
    for ps in (list(doc.takeaways), list(doc.paragraphs())):
        for p, w in zip(ps, tag_sequence([plain_text(p.text) for p in ps], vocab)[1]):
            out[p.id] = w
    return out


def annotate(doc: Document, vocab: Vocabulary, overrides: dict[str, dict[str, Override]] | None = None) -> Document:
    """Tag every takeaway and body paragraph (pure). Overrides win over the rules."""
    mine = (overrides or {}).get(doc.meta.slug, {})
    ids = [p.id for p in [*doc.takeaways, *doc.paragraphs()]]
    check_overrides({doc.meta.slug: mine} if mine else {}, {doc.meta.slug: ids})
    body = iter(_tag_all(doc.paragraphs(), vocab, mine))
    sections = tuple(s.__class__(s.title, tuple(next(body) for _ in s.paragraphs), s.line) for s in doc.sections)
    takeaways = tuple(_tag_all(doc.takeaways, vocab, mine))
    return doc.with_(sections=sections, takeaways=takeaways)


def explain(doc: Document, vocab: Vocabulary, overrides: dict[str, dict[str, Override]] | None = None) -> list[str]:
    """Lines saying, for each paragraph, which rule matched which words and the result."""
    mine = (overrides or {}).get(doc.meta.slug, {})
    out = [f"{doc.meta.slug}"]
    ruled = rules_topics(doc, vocab)
    withheld = withheld_topics(doc, vocab)
    for p in [*doc.takeaways, *doc.paragraphs()]:
        text = plain_text(p.text)
        by_rules = ruled[p.id]
        scores = [score(text, t) for t in vocab.topics]
        added = model_adds(text, vocab, scores)
        o = mine.get(p.id)
        final = o.topics if o else by_rules
        out.append(f"  {p.id}: {' '.join(final) or '(no topics)'}")
        for t, s in zip(vocab.topics, scores):
            if not s.hits and not s.framed and t.slug not in added:
                continue
            w = withheld[p.id].get(t.slug)
            verdict = (f"withheld for the editor (`topics --suggest`): the model says p={w.p:.2f}, below {w.below:g} "
                       + ("for a tag of the rules" if w.by_rules else "for a tag of the model alone")) if w else "tagged" if s.tagged else (
                "tagged by the model" if t.slug in added else
                f"tagged by context (threshold {t.threshold - t.context:g} next to a tagged paragraph)"
                if t.slug in by_rules else "below threshold")
            out.append(f"    {t.slug}: score {s.score:g} / threshold {t.threshold:g} -> {verdict}")
            if t.slug in added:
                out.append(f"      {vocab.model.why(text, t.slug)}")
            for h in s.hits:
                words = ", ".join(f'"{w}"' for w in dict.fromkeys(h.matches))
                out.append(f"      {h.rule.weight:+g}  {h.rule.label()}  (line {h.rule.line})  "
                           + (f"matched {words}" if h.matches else "none found"))
            for h in s.framed:
                words = ", ".join(f'"{w}"' for w in dict.fromkeys(h.matches))
                out.append(f"       0  {h.rule.label()}  (line {h.rule.line})  set aside {words}: named in passing "
                           "(no context, no model)")
        if o:
            out.append(f"    override ({OVERRIDES_PATH}:{o.line}): rules gave [{' '.join(by_rules)}]; set to [{' '.join(o.topics)}] because {o.reason}")
    return out


# --------------------------------------------------------------------------- measuring the rules


class PrecisionRecall:
    """Precision and recall from the counts ``tp``, ``fp`` and ``fn`` (1.0 when undefined)."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass(frozen=True)
class TopicScore(PrecisionRecall):
    slug: str
    tp: int
    fp: int
    fn: int


def evaluate(docs: Iterable[Document], vocab: Vocabulary, labels: dict[str, dict[str, Override]],
             label_path: str = "labels") -> tuple[list[TopicScore], list[str]]:
    """Score the tagging (the rules, and the model if the vocabulary has one; no overrides)
    against hand labels of every paragraph.

    Returns one :class:`TopicScore` per topic and a line per disagreement. Every
    takeaway and body paragraph of a labelled paper must be labelled (papers without
    labels are skipped), and every label must name one.
    """
    counts = {s: [0, 0, 0] for s in vocab.slugs()}
    misses: list[str] = []
    docs = list(docs)
    check_overrides(labels, {d.meta.slug: [p.id for p in [*d.takeaways, *d.paragraphs()]] for d in docs}, label_path)
    for d in docs:
        if d.meta.slug not in labels:
            continue  # hand labels are optional for a paper; a labelled paper labels every paragraph
        mine = labels[d.meta.slug]
        ruled = rules_topics(d, vocab)
        # which part of the tagging made a wrong tag: the rules, or the model beside them
        by_rules = rules_topics(d, replace(vocab, model=None)) if vocab.model is not None else ruled
        for p in [*d.takeaways, *d.paragraphs()]:
            if p.id not in mine:
                raise SourceError(label_path, 0, f"'{d.meta.slug}' {p.id} has no label; label every paragraph")
            want = set(mine[p.id].topics)
            got = set(ruled[p.id])
            for s in vocab.slugs():
                if s in want and s in got:
                    counts[s][0] += 1
                elif s in got:
                    counts[s][1] += 1
                    who = "rules add" if s in by_rules[p.id] else "model adds"
                    misses.append(f"{d.meta.slug} {p.id}: {who} '{s}' (label: {' '.join(sorted(want)) or 'none'})")
                elif s in want:
                    counts[s][2] += 1
                    misses.append(f"{d.meta.slug} {p.id}: rules miss '{s}' (label reason: {mine[p.id].reason})")
    return [TopicScore(s, *c) for s, c in counts.items()], misses
