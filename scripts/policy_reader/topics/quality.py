"""How sure the rules are: borderline paragraphs for an editor to confirm.

:func:`suggest` lists each paragraph whose tagging for a topic hangs on one
weight point, so an editor can read it and confirm or correct it in
``docs/topics/overrides.yml`` (the paragraph then leaves the list):

- *near*: the rules score it one point below the threshold, so it is not tagged;
- *edge*: it is tagged with exactly the threshold, or only by context (a tagged
  neighbour, see :func:`rules.classify_sequence`), or only by the model
  (:mod:`policy_reader.topics.model`; its probability is shown);
- *unsigned*: not tagged, though the model alone would tag it (p >= ``alone``): no rule of the
  topic matched, so the passing-mention rule (``sign``) holds the model back. Often a topic named
  in passing; sometimes new wording the vocabulary lacks (confirm it, or add the word).
- *withheld*: the abstain band (``TopicModel.doubts``) withholds the tag: the rules give it but the
  model's probability is very low (the two disagree), or the model alone gives it without being sure
  enough. Measured leave-one-set-out, most such diplomacy, exercise and sanctions tags are wrong on
  a new writer, so they are not published until the editor confirms them.
- *held*: not tagged, and held back (:attr:`rules.Score.held`): matches set aside as a passing
  mention (``not_after``), or a ``hold`` rule, without which the rules would score it within a
  point of the threshold or above. The frames are guesses about a sentence; the editor reads the
  paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from policy_reader.model import Document
from policy_reader.topics.rules import (
    OVERRIDES_PATH, Override, Vocabulary, model_adds, plain_text, rules_topics, score, withheld_topics,
)


@dataclass(frozen=True)
class Suggestion:
    paper: str
    pid: str
    topic: str
    kind: str  # "near" (not tagged, one point short), "edge" (tagged at the threshold or by context), "unsigned", "held" or "withheld"
    score: float
    threshold: float
    rules: tuple[str, ...]  # the paragraph's topics from the rules
    text: str
    model_p: float | None = None  # the model's probability when the model alone tags it
    #: "held": the words set aside or counted against the paragraph, and its score without them
    aside: tuple[str, ...] = ()
    unheld: float | None = None
    #: "withheld": whether the rules gave the tag (else the model alone), and the probability it needed
    by_rules: bool = False
    below: float | None = None

    def proposed(self) -> tuple[str, ...]:
        """The topics the editor is asked about: the rules' topics with this one flipped."""
        return tuple(t for t in self.rules if t != self.topic) if self.kind == "edge" else (*self.rules, self.topic)


def suggest(doc: Document, vocab: Vocabulary, overrides: dict[str, dict[str, Override]] | None = None) -> list[Suggestion]:
    """Borderline paragraphs of ``doc`` that no override has settled yet."""
    mine = (overrides or {}).get(doc.meta.slug, {})
    ruled = rules_topics(doc, vocab)
    withheld = withheld_topics(doc, vocab)
    out = []
    for p in [*doc.takeaways, *doc.paragraphs()]:
        if p.id in mine:
            continue
        text = plain_text(p.text)
        scores = [score(text, t) for t in vocab.topics]
        added = model_adds(text, vocab, scores)
        held = _held_back(text, vocab, scores, ruled[p.id])
        for t, s in zip(vocab.topics, scores):
            w = withheld[p.id].get(t.slug)
            if w is not None:
                out.append(Suggestion(doc.meta.slug, p.id, t.slug, "withheld", s.score, t.threshold, ruled[p.id], text,
                                      w.p, by_rules=w.by_rules, below=w.below))
                continue
            if t.slug in held:
                out.append(Suggestion(doc.meta.slug, p.id, t.slug, "unsigned", s.score, t.threshold, ruled[p.id], text, held[t.slug]))
                continue
            if not s.hits and not s.framed and t.slug not in added:
                continue
            unheld = _unheld(s)
            if t.slug not in ruled[p.id] and s.held and unheld is not None and unheld >= t.threshold - 1:
                aside = tuple(dict.fromkeys(w for h in s.framed for w in h.matches)) + tuple(
                    dict.fromkeys(w for h in s.hits if h.rule.hold or h.rule.absent for w in (h.matches or ("(no party named)",))))
                out.append(Suggestion(doc.meta.slug, p.id, t.slug, "held", s.score, t.threshold, ruled[p.id], text,
                                      aside=aside, unheld=unheld))
                continue
            if t.slug in ruled[p.id] and (not s.tagged or s.score == t.threshold):
                kind = "edge"
            elif t.slug not in ruled[p.id] and t.threshold - 1 <= s.score < t.threshold:
                kind = "near"
            else:
                continue
            out.append(Suggestion(doc.meta.slug, p.id, t.slug, kind, s.score, t.threshold, ruled[p.id], text, added.get(t.slug)))
    return out


def _unheld(s) -> float | None:
    """The rules' score of a held paragraph without what held it: the matches set aside counted, the
    ``hold`` and ``absent`` rules not; None when nothing was set aside or counted against it."""
    against = [h for h in s.hits if h.rule.hold or h.rule.absent]
    if not s.framed and not against:
        return None
    return s.score + sum(h.rule.weight for h in s.framed) - sum(h.rule.weight for h in against)


def _held_back(text: str, vocab: Vocabulary, scores, ruled) -> dict[str, float]:
    """``{topic: probability}`` the model would add to ``text`` but for the passing-mention rule."""
    m = vocab.model
    if m is None or not m.sign:
        return {}
    free = replace(vocab, model=replace(m, sign=False))
    return {t: p for t, p in model_adds(text, free, scores).items() if t not in ruled}


def _excerpt(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def suggestion_lines(suggestions: list[Suggestion], vocab: Vocabulary) -> list[str]:
    """What ``policy-reader topics --suggest`` prints: each borderline paragraph, then the
    override line that would confirm the other reading."""
    order = vocab.slugs()
    lines = [f"{len(suggestions)} borderline paragraph-topic pair(s); confirm each by adding its line "
             f"to {OVERRIDES_PATH} under the paper's slug (with your reason), or keep the rules' reading with "
             f"topics: [...] as they are."]
    for s in suggestions:
        how = (f"by the model (p={s.model_p:.2f})" if s.model_p is not None
               else "by context" if s.score < s.threshold else "at the threshold")
        aside = ", ".join(f'"{w}"' for w in s.aside)
        what = (f"tagged '{s.topic}' {how}" if s.kind == "edge" else
                f"not tagged '{s.topic}': held back by {aside} (set aside as a passing mention, "
                f"or counted against it; {s.unheld:g} without them)" if s.kind == "held" else
                f"not tagged '{s.topic}': the model says p={s.model_p:.2f} but no rule of it matched (a passing mention?)"
                if s.kind == "unsigned" else
                (f"not tagged '{s.topic}': the rules tag it but the model says p={s.model_p:.2f}, below {s.below:g} "
                 f"(they disagree)" if s.by_rules else
                 f"not tagged '{s.topic}': the model alone says p={s.model_p:.2f}, below {s.below:g} (not sure enough)")
                + "; withheld until you confirm it" if s.kind == "withheld" else f"not tagged '{s.topic}', one point short")
        proposed = [t for t in order if t in s.proposed()]
        lines += [
            f"{s.paper} {s.pid}: {what} (score {s.score:g} / threshold {s.threshold:g}); rules: [{' '.join(s.rules)}]",
            f'    "{_excerpt(s.text)}"',
            f"  {s.pid}: {{topics: [{', '.join(proposed)}], reason: \"...\"}}",
        ]
    return lines
