"""Notes that compare papers on a topic, bound to the papers they discuss.

``docs/topics/notes.yml`` (kept out of the site by ``exclude_docs``) holds a list
of notes; each names its topic, the papers it discusses (their slugs) and what
it says, ``kind: agree`` ("Where Klingner and Gomez agree"), ``kind: differ`` or
``kind: note``. The heading is made from the named papers' authors, so no note
claims a number of papers the library does not have. A topic page shows each
note with the papers it names; the build fails when a note names a paper that is
not in the library (:func:`check_notes`). The vocabulary stays the rules only:
editing a note re-converts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policy_reader.model import SourceError
from policy_reader.topics.rules import SLUG, Vocabulary, _read, _text, load_yaml

NOTES_PATH = "docs/topics/notes.yml"
NOTE_FIELDS = {
    "topic": "the topic's slug",
    "papers": "the slugs of the papers the note discusses (one or more)",
    "kind": "agree, differ or note",
    "text": "what the note says (plain text)",
}
KINDS = ("agree", "differ", "note")


@dataclass(frozen=True)
class Note:
    topic: str
    papers: tuple[str, ...]
    kind: str
    text: str
    line: int
    number: int  # 1-based position in the file: the note's anchor is note-<number>

    @property
    def anchor(self) -> str:
        return f"note-{self.number}"


def parse_notes(text: str, vocab: Vocabulary, label: str = NOTES_PATH) -> list[Note]:
    data = load_yaml(text, label)
    if data is None:
        return []
    if not isinstance(data, list):
        raise SourceError(label, getattr(data, "line", 1), "expected a list of notes, each '- {topic: ..., papers: [...], kind: ..., text: ...}'")
    known = vocab.slugs()
    out = []
    for i, raw in enumerate(data, 1):
        line = data.item_lines[i - 1]
        where = f"note {i}"
        if not isinstance(raw, dict):
            raise SourceError(label, line, f"{where}: must be a mapping with {', '.join(NOTE_FIELDS)}")
        for key in raw:
            if key not in NOTE_FIELDS:
                raise SourceError(label, raw.line_of(key), f"{where}: unknown field '{key}'; known fields: {', '.join(NOTE_FIELDS)}")
        for key in NOTE_FIELDS:
            if key not in raw:
                raise SourceError(label, line, f"{where}: missing field '{key}': {NOTE_FIELDS[key]}")
        if raw["topic"] not in known:
            raise SourceError(label, raw.line_of("topic"), f"{where}: unknown topic {raw['topic']!r}; known topics: {', '.join(known)}")
        papers = raw["papers"]
        if isinstance(papers, str):
            papers = [papers]
        if not isinstance(papers, list) or not papers or not all(isinstance(p, str) and SLUG.match(p) for p in papers):
            raise SourceError(label, raw.line_of("papers"), f"{where}: 'papers' must be a list of paper slugs")
        if len(set(papers)) != len(papers):
            raise SourceError(label, raw.line_of("papers"), f"{where}: a paper is named twice in 'papers'")
        if raw["kind"] not in KINDS:
            raise SourceError(label, raw.line_of("kind"), f"{where}: 'kind' must be one of {', '.join(KINDS)} (got {raw['kind']!r})")
        if raw["kind"] in ("agree", "differ") and len(papers) < 2:
            raise SourceError(label, raw.line_of("papers"), f"{where}: a note on where papers {raw['kind']} names at least two papers")
        if not _text(raw["text"]):
            raise SourceError(label, raw.line_of("text"), f"{where}: 'text' must be non-empty text")
        out.append(Note(raw["topic"], tuple(papers), raw["kind"], " ".join(raw["text"].split()), line, i))
    return out


def load_notes(root: Path, vocab: Vocabulary) -> list[Note]:
    path = root / NOTES_PATH
    if not path.exists():
        return []
    return parse_notes(_read(path, NOTES_PATH), vocab, NOTES_PATH)


def check_notes(notes: list[Note], papers: set[str], label: str = NOTES_PATH) -> None:
    """Every paper a note names must be in the library."""
    for n in notes:
        for slug in n.papers:
            if slug not in papers:
                raise SourceError(
                    label, n.line,
                    f"note {n.number} ({n.topic}) names paper '{slug}', which is not in the library; "
                    "fix the slug or remove the note (or the paper from it)",
                )


def heading(note: Note, surnames: dict[str, str]) -> str:
    """"Where Klingner and Gomez agree": the named papers' authors, never a count."""
    names = [surnames[s] for s in note.papers]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if note.kind == "agree":
        return f"Where {joined} agree"
    if note.kind == "differ":
        return f"Where {joined} differ"
    return f"Note on {joined}"
