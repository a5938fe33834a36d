"""The document model: what the converter knows about one paper.

Parsing fills it from a source text, repair rules and annotators transform it,
and the emitter writes it as annotated Markdown. Every step is a pure function
``Document -> Document`` (see :mod:`policy_reader.convert.pipeline`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional


@dataclass(frozen=True)
class Block:
    """One paragraph-like block of the body as it came out of the source.

    ``line`` is the 1-based line of the source where the block starts, kept so
    that every error can name it.
    """

    text: str
    line: int


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the paper.

    ``text`` is the paper's words with note markers written as ``{{n}}``
    placeholders (n = the endnote number printed in the source); ``notes``
    lists those numbers in order; ``cites`` maps a note number to its bib key
    once citations are annotated.
    """

    text: str
    line: int
    id: str = ""
    notes: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    # A transcript: who speaks, on the paragraph that opens the turn ("Mr. Smith");
    # ``text`` then holds the words after the printed label. Later paragraphs of
    # the same turn have no speaker of their own.
    speaker: str = ""


@dataclass(frozen=True)
class Section:
    """A run of paragraphs under one heading (``title`` is None for the lead)."""

    title: Optional[str]
    paragraphs: tuple[Paragraph, ...]
    line: int = 0


@dataclass(frozen=True)
class Endnote:
    number: int
    text: str
    line: int
    key: str = ""


@dataclass(frozen=True)
class Metadata:
    """Facts about the paper, from its text and from its metadata file."""

    title: str = ""
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    date: str = ""  # ISO 8601, YYYY-MM-DD
    publisher: str = ""
    series: str = ""
    number: str = ""
    url: str = ""
    summary: str = ""
    rights: str = ""  # the publisher's terms for the reproduced text (sidecar ``rights:``)
    kind: str = ""  # "report" or "article"
    slug: str = ""
    bib_key: str = ""


@dataclass(frozen=True)
class Document:
    source: str  # path of the source text, as given (for messages)
    meta: Metadata = field(default_factory=Metadata)
    takeaways_heading: str = ""
    takeaways: tuple[Paragraph, ...] = ()
    sections: tuple[Section, ...] = ()
    bio: Optional[Paragraph] = None
    endnotes: tuple[Endnote, ...] = ()
    # Raw body blocks, between parsing and structuring.
    blocks: tuple[Block, ...] = ()
    # "markdown" (title line starts with '#': headings, **run-ins** and <sup>n</sup>
    # are structure) or "plain" (an op-ed: every body line is the author's text).
    shape: str = "markdown"
    # Facts found in page furniture (e.g. the report URL), by name.
    furniture: tuple[tuple[str, str], ...] = ()

    def with_(self, **changes) -> "Document":
        return replace(self, **changes)

    def paragraphs(self) -> list[Paragraph]:
        """Every body paragraph in reading order (takeaways and bio excluded)."""
        return [p for s in self.sections for p in s.paragraphs]


class SourceError(Exception):
    """A problem in an input file: one line naming the file, the line and the fix."""

    def __init__(self, path: str, line: int, message: str):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class SourceErrors(SourceError):
    """Every problem found in one run, each a :class:`SourceError` (printed one per line)."""

    def __init__(self, problems: list[SourceError]):
        self.problems = list(problems)
        first = self.problems[0]
        Exception.__init__(self, "\n".join(str(p) for p in self.problems))
        self.path, self.line, self.message = first.path, first.line, first.message
