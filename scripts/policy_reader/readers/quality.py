"""The quality gate: named checks over a document just read, before anything is written.

Each check is a function ``(Document, Context) -> list[Flag]``; :data:`CHECKS`
lists them. Any flag refuses the paper: ``convert`` prints one line per flag
(``file:line: what; how to fix``) and exits non-zero with nothing written.
Fixes are always in the sidecar ``sources/<name>.yml`` (a field that states the
fact, or an ``ignore:`` pattern that drops a paragraph of furniture) or in the
source itself. :func:`apply_ignore` runs before the checks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable

from policy_reader.model import Document, Paragraph, Section, SourceError
from policy_reader.readers.text import NOTE_CLOSE, NOTE_OPEN

TERMINAL = tuple(".?!:;\"”’')]…—")
ORG_WORDS = re.compile(
    r"\b(institute|institution|center|centre|foundation|council|association|university|college|program(?:me)?|"
    r"society|department|ministry|committee|office|agency|report|brief|research|studies|press|staff|editorial|"
    r"board|news|inc|llc|ltd|group|network|initiative|project)\b",
    re.I,
)
GENERIC_TITLES = re.compile(r"^(opinion|commentary|analysis|report|research report|issue brief|news|home|article|untitled|document\d*|microsoft word.*)$", re.I)
PAGE_NUMBER = re.compile(r"^(?:page\s*)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?$", re.I)
BARE_URL = re.compile(r"^<?(?:https?://|www\.)\S+>?$", re.I)
LEFTOVER = (
    (re.compile(r"\[\d{1,3}\]"), "bracketed note mark '{m}' left in the text"),
    (re.compile(r"</?sup\b[^>]*>", re.I), "markup '{m}' left in the text"),
    (re.compile(r"\\[_*#\[\]`]"), "escape '{m}' left in the text"),
    (re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d+);"), "HTML entity '{m}' left in the text"),
)


@dataclass(frozen=True)
class Flag:
    check: str
    line: int
    what: str
    fix: str


@dataclass(frozen=True)
class Context:
    source: str  # the source's label, e.g. sources/x.html
    sidecar: str  # its sidecar's label, e.g. sources/x.yml
    given: frozenset  # metadata fields the sidecar states (they are not checked)
    title_line: int = 0
    allow: frozenset = frozenset()  # the sidecar's ``allow:`` (checks that do not apply to this paper)


def _plain(text: str) -> str:
    return re.sub(f"{NOTE_OPEN}\\d+{NOTE_CLOSE}", "", text)


def _pattern(text: str) -> str:
    """A YAML single-quoted regular expression matching exactly ``text``."""
    return "'^" + re.sub(r"([.^$*+?{}\[\]\\|()])", r"\\\1", text).replace("'", "''") + "$'"


def _caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def check_title(doc: Document, ctx: Context) -> list[Flag]:
    if "title" in ctx.given:
        return []
    t = doc.meta.title.strip()
    fix = f"set 'title: <the title as printed>' in {ctx.sidecar}"
    if not t:
        return [Flag("title-missing", ctx.title_line, "no title found", fix)]
    if _caps(t) or GENERIC_TITLES.match(t) or len(t.split()) == 1 or (len(t.split()) <= 5 and ORG_WORDS.search(t.split()[-1])):
        return [Flag("title-furniture", ctx.title_line, f"title '{t}' looks like page furniture or an organisation banner", fix)]
    return []


def check_authors(doc: Document, ctx: Context) -> list[Flag]:
    if "authors" in ctx.given:
        return []
    fix = f"set 'authors: [First Last, ...]' in {ctx.sidecar}"
    if not doc.meta.authors:
        return [Flag("authors-missing", ctx.title_line, "no author found", fix)]
    title_words = {w.casefold() for w in re.findall(r"\w+", doc.meta.title)}
    flags = []
    for a in doc.meta.authors:
        words = re.findall(r"[\w'’.-]+", a)
        bad = (
            _caps(a) or ORG_WORDS.search(a) or re.search(r"\d", a) or len(words) > 5 or len(words) < 2
            or a[:1].islower() or (len(words) >= 2 and {w.casefold().strip(".") for w in words} <= title_words)
        )
        if bad:
            flags.append(Flag("author-furniture", ctx.title_line, f"author '{a}' does not look like a person's name (furniture, a banner or part of the headline)", fix))
    return flags


def _body(doc: Document) -> list[Paragraph]:
    return [*doc.takeaways, *doc.paragraphs()]


def check_paragraphs(doc: Document, ctx: Context) -> list[Flag]:
    flags = []
    paras = _body(doc)
    counts = Counter(" ".join(_plain(p.text).split()) for p in paras)
    banners = {" ".join(x.split()).casefold() for x in (doc.meta.title,) if x}
    for p in paras:
        text = " ".join(_plain(p.text).split())
        ignore = f"add {_pattern(text)} under 'ignore:' in {ctx.sidecar}"
        if PAGE_NUMBER.match(text):
            flags.append(Flag("page-number", p.line, f"paragraph '{text}' is a page number", ignore))
        elif BARE_URL.match(text):
            flags.append(Flag("bare-url", p.line, f"paragraph '{text}' is a bare URL", ignore))
        elif len(text.split()) <= 12 and not p.speaker and (
                counts[text] > 1 and not text.endswith(TERMINAL) or text.casefold() in banners or _caps(text)):
            # a repeated sentence ("Thank you.") is the author's; a repeated line without an end is furniture
            flags.append(Flag("running-header", p.line, f"paragraph '{text}' looks like a running header or banner", ignore))
        elif len(text.split()) < 5 and not p.speaker and not text.endswith(TERMINAL):
            flags.append(Flag("lone-short-line", p.line, f"paragraph '{text}' is a lone short line", ignore + " (or make it a heading in the source)"))
    return flags


def check_splits(doc: Document, ctx: Context) -> list[Flag]:
    flags = []
    for section in doc.sections:
        ps = section.paragraphs
        for a, b in zip(ps, ps[1:]):
            end = _plain(a.text).rstrip()
            start = _plain(b.text).lstrip()
            if end and start and not end.endswith(TERMINAL) and start[:1].islower() and not b.speaker:
                flags.append(Flag("split-paragraph", b.line, f"paragraph ends mid-sentence ('...{end[-30:]}') and the next starts in lower case ('{start[:30]}...')",
                                  "join the two paragraphs in the source (a page break cut one paragraph in two)"))
    return flags


def check_notes(doc: Document, ctx: Context) -> list[Flag]:
    flags = []
    numbers = {n.number for n in doc.endnotes}
    seen: set[int] = set()
    counts = Counter(n.number for n in doc.endnotes)
    for n in doc.endnotes:
        if counts[n.number] > 1 and n.number not in seen:
            flags.append(Flag("note-twice", n.line, f"note {n.number} is listed twice", "number the notes 1, 2, 3... in the source"))
        seen.add(n.number)
    marked = set()
    text_shape = doc.shape in ("markdown", "plain")  # a .txt: <sup>n</sup> marks, a "## Endnotes" list
    for p in [*_body(doc), *([doc.bio] if doc.bio else [])]:
        for n in p.notes:
            marked.add(n)
            if n not in numbers:
                fix = f"add it under ## Endnotes as '{n}. ...'" if text_shape else f"add note {n} in the source, or remove the mark"
                flags.append(Flag("mark-without-note", p.line, f"note {n} is cited here but there is no endnote {n}", fix))
    for n in doc.endnotes:
        if n.number not in marked:
            fix = f"add <sup>{n.number}</sup> where it belongs or remove it" if text_shape else "mark it where it belongs in the source, or remove the note"
            flags.append(Flag("note-never-marked", n.line, f"endnote {n.number} is never cited", fix))
    return flags


def check_leftovers(doc: Document, ctx: Context) -> list[Flag]:
    flags = []
    for p in [*_body(doc), *([doc.bio] if doc.bio else [])]:
        text = _plain(p.text)
        for pattern, what in LEFTOVER:
            m = pattern.search(text)
            if m:
                flags.append(Flag("leftover-marker", p.line, what.format(m=m[0]), "remove it in the source (a note mark must be a real footnote or <sup>n</sup> in a .txt)"))
                break
    return flags


CHECKS: tuple[tuple[str, Callable[[Document, Context], list[Flag]]], ...] = (
    ("title", check_title),
    ("authors", check_authors),
    ("paragraphs", check_paragraphs),
    ("splits", check_splits),
    ("notes", check_notes),
    ("leftovers", check_leftovers),
)


def flags(doc: Document, ctx: Context) -> list[Flag]:
    out: list[Flag] = []
    for _, check in CHECKS:
        out += check(doc, ctx)
    return out


def errors(doc: Document, ctx: Context) -> list[SourceError]:
    """One :class:`SourceError` per flag: ``file:line: what; how to fix``."""
    found = sorted((f for f in flags(doc, ctx) if f.check not in ctx.allow), key=lambda f: f.line)  # in reading order
    return [SourceError(ctx.source, f.line, f"{f.what} [{f.check}]; {f.fix}") for f in found]


def apply_ignore(doc: Document, patterns: list[str], sidecar: str, lines: dict | None = None) -> Document:
    """Drop every body paragraph whose whole text matches one of the sidecar's ``ignore:``
    patterns (regular expressions), then number the paragraphs again (p-1, p-2...)."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise SourceError(sidecar, (lines or {}).get("ignore", 0), f"ignore pattern '{pattern}' is not a valid regular expression ({exc}); fix it") from None
    if not compiled:
        return doc
    keep = lambda p: not any(c.fullmatch(" ".join(_plain(p.text).split())) for c in compiled)
    sections, counter = [], 0
    for s in doc.sections:
        paras = []
        for p in s.paragraphs:
            if keep(p):
                counter += 1
                paras.append(replace(p, id=f"p-{counter}"))
        if paras or s.title:
            sections.append(Section(s.title, tuple(paras), s.line))
    return doc.with_(sections=tuple(sections))
