"""The permalink registry: every published paragraph id, with the words it stands for.

``docs/permalinks.yml`` (committed, excluded from the built site) records, per
paper slug and in reading order, every id a paragraph or key takeaway was ever
published under::

    klingner-2019-resolve-and-restraint:
      p-4: 3f0c1a9e5b7d2c44                  # live: the fingerprint of its words
      p-5:                                   # live, edited (it kept its id)
        fingerprint: 9a8b7c6d5e4f3a2b
        revisions:
        - {fingerprint: 0011223344556677, similarity: 0.92}   # its earlier words
      p-6: {fingerprint: 8899aabbccddeeff, successor: p-7}    # retired: old links open p-7 with a notice

Beside it, ``docs/permalinks-words.json`` keeps the words of every id (slug ->
id -> words, one line each): the conversion matches edited paragraphs against
them and ``--update`` measures edits with them. The build reads only the YAML
(a library's words would cost seconds to parse on every build).

The conversion (:mod:`policy_reader.convert.identity`) gives every paragraph
the id of the words it carries; ``policy-reader permalinks --update`` then
records what changed and prints each change and why (:func:`update`): a new
id, an edit (a revision, with how similar the words are), a removal (retired,
with its successor), and refuses a live id that now holds other words. A
rebuild must keep every live id on its recorded words; a retired id is never
published again.

This module is MkDocs-free (the CLI uses it); ``policy_reader.site.permalinks.check``
turns its errors into PluginErrors for the build.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from policy_reader import atomic
from policy_reader import fast_yaml
from policy_reader.page.markdown import read_blocks, unescape_text
from policy_reader.model import SourceError

REGISTRY_NAME = "permalinks.yml"
WORDS_NAME = "permalinks-words.json"  # beside it: id -> words, read by convert and --update only

KINDS = ("para", "takeaway")
_CITATION = re.compile(r"\[@[^\]]*\]")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
_FP = re.compile(r"^[0-9a-f]{16}$")

HEADER = """\
# Permalink registry: every paragraph id ever published, in reading order, with the fingerprint
# of its words (the words themselves are in permalinks-words.json beside this file).
# Written by `policy-reader permalinks --update` (it prints what changed and why) after
# `policy-reader convert` has matched every paragraph to the id of its words; checked on every
# build. A removed paragraph's id stays, retired, with a `successor` its old links open.
# Never delete an entry; ids are never reused.
"""


@dataclass(frozen=True)
class Para:
    """One permalinked block of a paper page as written in its Markdown."""

    id: str
    kind: str  # "para" or "takeaway"
    text: str  # the Markdown text of the block
    line: int  # 1-based line of the block's first line in the file

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)

    @property
    def words(self) -> str:
        return unescape_text(self.text)


def fingerprint(markdown_text: str) -> str:
    """16 hex digits of SHA-256 over the paragraph's words.

    Citation markers (``[@key]``) and Markdown escapes are dropped and white
    space is collapsed, so re-keying a citation or re-wrapping a line keeps the
    fingerprint; any change to the words changes it.
    """
    text = _CITATION.sub("", markdown_text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = " ".join(text.split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def paragraphs(markdown: str, path: str) -> list[Para]:
    """Every ``.para`` / ``.takeaway`` block of a paper page, in order.

    Two blocks with one id raise :class:`SourceError` naming both lines.
    """
    found: list[Para] = []
    seen: dict[str, Para] = {}
    for block in read_blocks(markdown):
        if block.kind not in KINDS:
            continue
        para = Para(block.id, block.kind, block.text, block.line)
        if para.id in seen:
            first = seen[para.id]
            raise SourceError(
                path, para.line,
                f"two paragraphs with id '{para.id}' (lines {first.line} and {para.line}); "
                "give each its own id (run `make convert`)",
            )
        seen[para.id] = para
        found.append(para)
    return found


@dataclass(frozen=True)
class Revision:
    """An edit a live id went through: the fingerprint of its earlier words and their similarity."""

    fingerprint: str
    similarity: float | None = None

    def as_yaml(self):
        out = {"fingerprint": self.fingerprint}
        if self.similarity is not None:
            out["similarity"] = self.similarity
        return out


@dataclass
class Entry:
    fingerprint: str
    successor: str | None = None
    words: str | None = None  # from permalinks-words.json (None: not read, or not recorded)
    revisions: tuple[Revision, ...] = ()

    def as_yaml(self):
        if not self.revisions:
            if self.successor:
                return {"fingerprint": self.fingerprint, "successor": self.successor}
            return self.fingerprint
        out: dict = {"fingerprint": self.fingerprint}
        if self.successor:
            out["successor"] = self.successor
        out["revisions"] = [r.as_yaml() for r in self.revisions]
        return out


Registry = dict[str, dict[str, Entry]]  # slug -> id -> entry

#: ``<slug>: {withdrawn: "<note>", p-1: ..., ...}``: the paper's source was removed; its
#: ids stay recorded (never reused) and its old address shows a "withdrawn" notice.
WITHDRAWN = "withdrawn"


@dataclass
class Withdrawn:
    """The marker of a withdrawn paper, kept among its ids under the key ``withdrawn``."""

    note: str

    def as_yaml(self):
        return self.note


def is_withdrawn(ids: dict) -> bool:
    return isinstance(ids.get(WITHDRAWN), Withdrawn)


def _ids(ids: dict) -> dict[str, "Entry"]:
    return {pid: e for pid, e in ids.items() if not isinstance(e, Withdrawn)}


def load_words(path: Path) -> dict[str, dict[str, str]]:
    """slug -> id -> words from ``permalinks-words.json`` beside the registry at ``path`` ({} if none)."""
    wpath = path.with_name(WORDS_NAME)
    if not wpath.exists():
        return {}
    label = _label(wpath)
    try:
        data = json.loads(wpath.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(label, exc.lineno, f"invalid JSON ({exc.msg}); restore it from git or rerun `policy-reader permalinks --update`") from None
    if not isinstance(data, dict) or not all(
        isinstance(ids, dict) and all(isinstance(w, str) for w in ids.values()) for ids in data.values()
    ):
        raise SourceError(label, 1, "expected {\"<slug>\": {\"<id>\": \"<words>\"}}; restore it from git")
    return data


def load(path: Path, words: bool = True) -> Registry:
    """Read the registry (with the words beside it unless ``words`` is false); a
    malformed entry raises SourceError naming it."""
    label = _label(path)
    if not path.exists():
        return {}
    texts = load_words(path) if words else {}
    try:
        data = fast_yaml.load(path.read_text(encoding="utf-8"))  # libyaml; PyYAML's errors (fast_yaml.py)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourceError(label, mark.line + 1 if mark else 0, "invalid YAML; fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SourceError(label, 1, "expected '<slug>:' mappings of '<id>: <fingerprint>'")
    reg: Registry = {}
    for slug, ids in data.items():
        if not isinstance(ids, dict):
            raise SourceError(label, 0, f"entry '{slug}' must map ids to fingerprints")
        reg[str(slug)] = {}
        for pid, value in ids.items():
            where = f"entry '{slug}: {pid}'"
            if pid == WITHDRAWN:
                reg[str(slug)][WITHDRAWN] = Withdrawn(str(value))
                continue
            if isinstance(value, str):
                entry = Entry(value, words=texts.get(str(slug), {}).get(str(pid)))
            elif isinstance(value, dict) and set(value) <= ENTRY_FIELDS and "fingerprint" in value:
                entry = Entry(
                    str(value["fingerprint"]),
                    str(value["successor"]) if value.get("successor") else None,
                    texts.get(str(slug), {}).get(str(pid)),
                    _revisions(value.get("revisions"), label, where),
                )
            else:
                raise SourceError(label, 0, f"{where}: write '<fingerprint>' or a mapping of {', '.join(sorted(ENTRY_FIELDS))}")
            if not _FP.match(entry.fingerprint):
                raise SourceError(label, 0, f"{where}: fingerprint '{entry.fingerprint}' is not 16 hex digits")
            reg[str(slug)][str(pid)] = entry
    return reg


ENTRY_FIELDS = {"fingerprint", "successor", "revisions"}


def _revisions(value, label: str, where: str) -> tuple[Revision, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(r, dict) and "fingerprint" in r for r in value):
        raise SourceError(label, 0, f"{where}: 'revisions' must list '{{fingerprint: ..., similarity: ...}}' mappings")
    out = []
    for r in value:
        sim = r.get("similarity")
        if sim is not None and not isinstance(sim, (int, float)):
            raise SourceError(label, 0, f"{where}: revision similarity '{sim}' is not a number")
        out.append(Revision(str(r["fingerprint"]), float(sim) if sim is not None else None))
    return tuple(out)


def dump(reg: Registry) -> str:
    """The registry as YAML: papers by slug, each paper's ids in the order they are kept (reading order)."""
    body = {slug: {pid: entry.as_yaml() for pid, entry in ids.items()} for slug, ids in sorted(reg.items())}
    return HEADER + fast_yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=200)


def dump_words(reg: Registry) -> str:
    """``permalinks-words.json``: slug -> id -> words, one id per line, in the registry's order."""
    body = {slug: {pid: e.words for pid, e in _ids(ids).items() if e.words is not None} for slug, ids in sorted(reg.items())}
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def _label(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else str(path)


def check(reg: Registry, pages: dict[str, tuple[str, list[Para]]], registry_label: str) -> dict[str, dict[str, str]]:
    """Check the published paragraphs against the registry.

    ``pages`` maps slug -> (page label, paragraphs). Returns, per slug, the map
    of retired ids to the live id their links now land on. Raises
    :class:`SourceError` naming the registry entry and the page when a recorded
    id vanished, holds other words, is reused, or has a bad successor.
    Ids not yet recorded are fine here (``unrecorded`` lists them).
    """
    redirects: dict[str, dict[str, str]] = {}
    for slug, ids in reg.items():
        if is_withdrawn(ids) and slug not in pages:
            continue  # its ids stay recorded; the site shows a "withdrawn" notice at its address
        ids = _ids(ids)
        where_page, paras = pages.get(slug, (f"docs/papers/{slug}.md", []))
        live = {p.id: p for p in paras}
        redirects[slug] = {}
        for pid, entry in ids.items():
            name = f"{registry_label}: entry '{slug}: {pid}'"
            if entry.successor is None:
                if pid not in live:
                    raise SourceError(
                        name, 0,
                        f"the paragraph is gone from {where_page}; run `policy-reader permalinks --update` to retire "
                        "its id (it prints the successor its links will open) and commit the registry",
                    )
                para = live[pid]
                if para.fingerprint != entry.fingerprint:
                    raise SourceError(
                        name, 0,
                        f"now points at other words ({where_page}:{para.line} has fingerprint {para.fingerprint}, "
                        f"recorded {entry.fingerprint}); run `policy-reader permalinks --update` to review and record "
                        "the edit (it refuses words that are not an edit of the recorded ones)",
                    )
                continue
            if pid in live:
                raise SourceError(
                    name, 0,
                    f"retired id is published again at {where_page}:{live[pid].line}; ids are never reused: "
                    "run `policy-reader convert` (it gives new paragraphs unused ids)",
                )
            target, hops = entry.successor, 0
            while target in ids and ids[target].successor and hops < len(ids):
                target, hops = ids[target].successor, hops + 1
            if target not in live:
                raise SourceError(
                    name, 0,
                    f"successor '{entry.successor}' is not a paragraph of {where_page}; name a published id",
                )
            redirects[slug][pid] = target
    return redirects


def unrecorded(reg: Registry, pages: dict[str, tuple[str, list[Para]]]) -> list[tuple[str, Para]]:
    out = []
    for slug, (_, paras) in pages.items():
        known = reg.get(slug, {})
        out += [(slug, p) for p in paras if p.id not in known]
    return out


def _merge_order(page_ids: list[str], old_ids: list[str]) -> list[str]:
    """The page's ids in reading order, with ids no longer on the page kept where they stood."""
    out = list(page_ids)
    placed = set(out)
    for n, pid in enumerate(old_ids):
        if pid in placed:
            continue
        before = next((q for q in reversed(old_ids[:n]) if q in placed), None)
        out.insert(out.index(before) + 1 if before else 0, pid)
        placed.add(pid)
    return out


def _moved(slug: str, where: str, paras: list[Para], before: list[str]) -> list[str]:
    """One line per recorded paragraph that now stands elsewhere in the reading order (it keeps its id)."""
    import difflib

    from policy_reader.convert import identity

    now = [p.id for p in paras if p.id in set(before)]
    kept = set()
    for block in difflib.SequenceMatcher(None, before, now, autojunk=False).get_matching_blocks():
        kept.update(before[block.a: block.a + block.size])
    lines = {p.id: p.line for p in paras}
    out = []
    for n, pid in enumerate(now):
        if pid not in kept:
            after = f"after {identity.label(now[n - 1])}" if n else "first"
            out.append(f"{slug}: {identity.label(pid)} ({pid}) moved ({where}:{lines[pid]}, now {after}): "
                       "same words, so it keeps its id and links")
    return out


def update(reg: Registry, pages: dict[str, tuple[str, list[Para]]]) -> tuple[Registry, list[str]]:
    """Record the pages as they are now; return the new registry and one line per change.

    A new id is recorded; a live id whose words changed gets a revision (its
    earlier fingerprint and the similarity of the words) when the words are an
    edit of the recorded ones, and is refused (:class:`SourceError`) when they
    are not (that would be a shift: links landing on other words); a live id
    gone from its page is retired with a successor
    (:func:`policy_reader.convert.identity.successor`). Retired ids are kept.
    Entries recorded without their words get them (no change to report).
    """
    from policy_reader.convert import identity

    new: Registry = {}
    changes: list[str] = []
    for slug in sorted(set(reg) | set(pages)):
        old = _ids(reg.get(slug, {}))  # a withdrawn paper whose source is back is published again
        if slug not in pages:
            new[slug] = dict(old)
            continue
        where, paras = pages[slug]
        live = {p.id: p for p in paras}
        ids: dict[str, Entry] = {}
        for p in paras:
            entry = old.get(p.id)
            if entry is None:
                ids[p.id] = Entry(p.fingerprint, words=p.words)
                changes.append(f"{slug}: {identity.label(p.id)} ({p.id}) is new ({where}:{p.line}): recorded")
            elif entry.successor is None and entry.fingerprint != p.fingerprint:
                sim = identity.similarity(entry.words, p.words) if entry.words is not None else None
                if sim is not None and sim < identity.THRESHOLD:
                    raise SourceError(
                        where, p.line,
                        f"'{p.id}' now holds other words ({sim:.0%} like the recorded ones, below "
                        f"{identity.THRESHOLD:.0%}); that would move its links to other words: run "
                        "`policy-reader convert` (it keeps ids on their words), then update again",
                    )
                ids[p.id] = Entry(p.fingerprint, None, p.words,
                                  entry.revisions + (Revision(entry.fingerprint, round(sim, 3) if sim is not None else None),))
                why = f"{sim:.0%} of the words are the same" if sim is not None else "its earlier words were not recorded"
                changes.append(f"{slug}: {identity.label(p.id)} ({p.id}) was edited ({where}:{p.line}; {why}): "
                               "links keep opening it; recorded as a revision")
            elif entry.successor is None:
                ids[p.id] = Entry(entry.fingerprint, None, p.words, entry.revisions)
            else:
                ids[p.id] = entry  # retired yet on the page again: check() names it
        order = list(old)
        changes += _moved(slug, where, paras, [pid for pid, e in old.items() if e.successor is None and pid in live])
        live_known = [identity.Known(p.id, p.kind, p.fingerprint, p.words) for p in paras]
        for pid, entry in old.items():
            if pid in live:
                continue
            if entry.successor is not None:
                ids[pid] = entry
                continue
            kind = "takeaway" if pid.startswith("kt-") else "para"
            if not live_known:
                raise SourceError(where, 0, f"'{pid}' is gone and the page has no paragraph left to send its links to")
            target, why = identity.successor(identity.Known(pid, kind, entry.fingerprint, entry.words), order, live_known)
            ids[pid] = Entry(entry.fingerprint, target, entry.words, entry.revisions)
            changes.append(f"{slug}: {identity.label(pid)} ({pid}) was removed: its links now open "
                           f"{identity.label(target)} ({target}) with a notice, because {why}; retired")
        new[slug] = {pid: ids[pid] for pid in _merge_order([p.id for p in paras], list(old))}
    return new, changes


def withdraw(path: Path, slug: str, note: str) -> bool:
    """Record that ``slug``'s source was removed (its ids stay, never reused); True when written."""
    reg = load(path)
    if slug not in reg or is_withdrawn(reg[slug]):
        return False
    reg[slug] = {WITHDRAWN: Withdrawn(note), **reg[slug]}
    atomic.write_text(path, dump(reg))
    return True


def withdrawn_slugs(path: Path) -> dict[str, str]:
    """slug -> note of every withdrawn paper (a line scan: the build reads it on every run)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    out = {}
    slug = None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")) and line.endswith(":"):
            slug = line[:-1].strip().strip("'\"")
        elif slug and line.startswith(f"  {WITHDRAWN}: "):
            out[slug] = yaml.safe_load(line.split(": ", 1)[1]) or ""
    return out


def read_pages(docs_dir: Path, papers_dir: str = "papers") -> dict[str, tuple[str, list[Para]]]:
    """slug -> (label, paragraphs) for every Markdown file in docs/<papers_dir>/."""
    pages = {}
    for md in sorted((docs_dir / papers_dir).glob("*.md")):
        label = f"{docs_dir.name}/{papers_dir}/{md.name}"
        pages[md.stem] = (label, paragraphs(md.read_text(encoding="utf-8"), label))
    return pages


def run(args) -> int:
    """``policy-reader permalinks [--check | --update]`` (see cli/main.py).

    Without a switch, or with ``--check``: fail (exit 1) when the committed
    registry does not match docs/papers/ or misses a published id. ``--update``
    records new ids, edits (as revisions) and removals (retired, with a
    successor), printing one line per change and why, after refusing an id
    that now holds other words; the file is written atomically.
    """
    import sys

    root = Path(args.root).resolve()
    path = root / "docs" / REGISTRY_NAME
    label = f"docs/{REGISTRY_NAME}"
    pages = read_pages(root / "docs")
    recorded = load(path)
    if args.update:
        new, changes = update(recorded, pages)
        check(new, pages, label)
        for line in changes:
            print(line)
        count = sum(len(v) for v in new.values())
        wrote = False
        for target, text in ((path, dump(new)), (path.with_name(WORDS_NAME), dump_words(new))):
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                atomic.write_text(target, text)
                wrote = True
        if not wrote:
            print(f"up to date: {label} ({count} ids)")
            return 0
        print(f"wrote {label} and its words ({count} ids, {len(changes)} changes)")
        return 0
    check(recorded, pages, label)
    missing = unrecorded(recorded, pages)
    for slug, para in missing:
        print(f"{pages[slug][0]}:{para.line}: id '{para.id}' is published but not recorded in {label}; "
              "run `policy-reader permalinks --update` and commit it", file=sys.stderr)
    return 1 if missing else 0
