"""Topic highlights recorded in a paper page: the ``highlights`` front matter field.

A topic page shows each tagged passage with the words that match the topic's rules in
``<mark>`` (:func:`policy_reader.topics.rules.highlight_spans`). The converter finds those
spans once, when it tags the paragraphs, and writes them into the page's front matter, so
the build reads them instead of running the rules over every tagged passage again.

The value is one line of text (one YAML scalar, so the front matter stays as quick to
read as before), records separated by a space::

    highlights: "3f2a9c1d0b7e6a54 p-1:diplomacy=120-131,400-410 p-3:military-exercises=270-284;diplomacy="

- first, the record's digest (:func:`digest`): the vocabulary file's bytes and every
  tagged passage's id, topics and words, as the build reads them back
  (:func:`policy_reader.page.markdown.read_blocks`, ``words``);
- then one record per tagged takeaway or body paragraph, in page order:
  ``<id>:<topic>=<spans>;<topic>=<spans>``, one entry per topic of the paragraph, each
  span ``start-end`` (character offsets into its words, end excluded), ``,`` between spans;
  a topic whose rules match nothing there (a tag from an override, a neighbour or the
  model) has none.

The build uses a page's record only when its digest is the digest of the page's passages
and the vocabulary as they are now; otherwise (a page written before this field, written
by hand, or converted with another vocabulary) it runs the rules for that paper, and the
topic pages are the same either way. ``policy-reader convert --check`` compares whole
pages, so a record made with another vocabulary fails it like any stale page.
"""

from __future__ import annotations

import hashlib
import re
from operator import ge
from typing import Callable, Iterable

#: Bumped when what a span means changes (the rules' code is covered by the converter's seal).
VERSION = "1"

Spans = list[tuple[int, int]]
#: ``{paragraph id: {topic: spans}}`` for every tagged paragraph and each of its topics.
Record = dict[str, dict[str, Spans]]

_DIGEST = re.compile(r"^[0-9a-f]{16}$")
_ID = re.compile(r"^[A-Za-z][\w-]*$")
_TOPIC = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


_last_vocabulary: tuple[bytes, bytes] | None = None


def _vocabulary_digest(vocabulary: bytes) -> bytes:
    """sha256 of the vocabulary file's bytes, kept for the last bytes object given: a build
    asks with the one object it read, once per paper (about 31 KB hashed each time before)."""
    global _last_vocabulary
    if _last_vocabulary is None or _last_vocabulary[0] is not vocabulary:
        _last_vocabulary = (vocabulary, hashlib.sha256(vocabulary).digest())
    return _last_vocabulary[1]


def digest(vocabulary: bytes, passages: Iterable[tuple[str, tuple[str, ...], str]]) -> str:
    """The digest of the vocabulary file and the tagged ``(id, topics, words)`` of one page."""
    h = hashlib.sha256(f"policy-reader highlights {VERSION}\0".encode())
    h.update(_vocabulary_digest(vocabulary))
    for pid, topics, words in passages:
        if topics:
            h.update(f"{pid}\0{' '.join(topics)}\0{words}\0".encode("utf-8"))
    return h.hexdigest()[:16]


def encode(record_digest: str, record: Record) -> str:
    """The ``highlights`` field's value (see the module docstring)."""
    out = [record_digest]
    for pid, topics in record.items():
        out.append(pid + ":" + ";".join(f"{t}=" + ",".join(f"{a}-{b}" for a, b in spans) for t, spans in topics.items()))
    return " ".join(out)


#: A record as the converter writes it (ASCII digits, the id and topic forms above): read in
#: bulk by :func:`decode`; anything else is read piece by piece, for the same value or error.
_TOPIC_SPANS = r"[a-z0-9]+(?:-[a-z0-9]+)*=(?:[0-9]+-[0-9]+(?:,[0-9]+-[0-9]+)*)?"
_PART = re.compile(rf"([A-Za-z][A-Za-z0-9_-]*):({_TOPIC_SPANS}(?:;{_TOPIC_SPANS})*)")


def decode(value: str) -> tuple[str, Record]:
    """``(digest, record)`` from a ``highlights`` value; ValueError naming what is wrong."""
    parts = value.split(" ")
    if not _DIGEST.match(parts[0]):
        raise ValueError("it does not start with a 16-digit digest")
    record: Record = {}
    for part in parts[1:]:
        got = _part_fast(part, record)
        if got is None:
            got = _part(part, record)
        record[got[0]] = got[1]
    return parts[0], record


def _part_fast(part: str, record: Record) -> tuple[str, dict[str, Spans]] | None:
    """One record ``<id>:<topic>=<spans>;...`` in the converter's form, or None (then
    :func:`_part` reads it, and names what is wrong)."""
    m = _PART.fullmatch(part)
    if m is None or m[1] in record:
        return None
    topics: dict[str, Spans] = {}
    for entry in m[2].split(";"):
        topic, _, spans = entry.partition("=")
        if topic in topics:
            return None
        if spans:
            numbers = list(map(int, spans.replace("-", ",").split(",")))
            starts, ends = numbers[::2], numbers[1::2]
            if any(map(ge, starts, ends)):
                return None
            got = list(zip(starts, ends))
        else:
            got = []
        topics[topic] = got
    return m[1], topics


def _part(part: str, record: Record) -> tuple[str, dict[str, Spans]]:
    pid, sep, rest = part.partition(":")
    if not sep or not _ID.match(pid) or pid in record:
        raise ValueError(f"'{part[:40]}' is not '<id>:<topic>=<start>-<end>,...'")
    topics: dict[str, Spans] = {}
    for entry in rest.split(";"):
        topic, sep, spans = entry.partition("=")
        if not sep or not _TOPIC.match(topic) or topic in topics:
            raise ValueError(f"'{part[:40]}' is not '<id>:<topic>=<start>-<end>,...'")
        got = []
        for span in spans.split(",") if spans else ():
            a, sep, b = span.partition("-")
            if not (sep and a.isdigit() and b.isdigit() and int(a) < int(b)):
                raise ValueError(f"'{span}' in '{pid}' is not '<start>-<end>'")
            got.append((int(a), int(b)))
        topics[topic] = got
    return pid, topics


def record(vocabulary: bytes, passages: list[tuple[str, tuple[str, ...], str]],
           spans_of: Callable[[str, str], Spans]) -> str:
    """The ``highlights`` value of a page whose tagged ``(id, topics, words)`` are ``passages``;
    ``spans_of(words, topic)`` gives a topic's spans in a passage's words."""
    tagged = [(pid, topics, words) for pid, topics, words in passages if topics]
    rec = {pid: {t: spans_of(words, t) for t in topics} for pid, topics, words in tagged}
    return encode(digest(vocabulary, tagged), rec)
