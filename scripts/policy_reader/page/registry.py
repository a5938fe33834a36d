"""The permalink registry: every published paragraph id, with a fingerprint of its text.

``docs/permalinks.yml`` (committed, excluded from the built site) records, per
paper slug, every id a paragraph or key takeaway was ever published under::

    klingner-2019-resolve-and-restraint:
      p-1: 3f0c1a9e5b7d2c44                                  # live: fingerprint of its text
      p-19: {fingerprint: 9a8b7c6d5e4f3a2b, successor: p-18}  # retired: old links go to p-18

A rebuild must keep every live id on the same text. When a paragraph changes
or disappears, record where its readers should go (``successor``); the site
then sends the old fragment to the successor in the browser. A retired id is
never published again.

This module is MkDocs-free (the CLI uses it); ``policy_reader.site.registry``
turns its errors into PluginErrors for the build.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from policy_reader import atomic
from policy_reader import fast_yaml
from policy_reader.page.markdown import read_blocks
from policy_reader.model import SourceError

REGISTRY_NAME = "permalinks.yml"

KINDS = ("para", "takeaway")
_CITATION = re.compile(r"\[@[^\]]*\]")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
_FP = re.compile(r"^[0-9a-f]{16}$")

HEADER = """\
# Permalink registry: every paragraph id ever published, with a fingerprint of its text.
# Checked on every build. Update with `policy-reader permalinks --update` after reviewing why
# an id changed; for a paragraph that changed or vanished, write
#   <old-id>: {fingerprint: <its old fingerprint>, successor: <new-id>}
# so that old links land on the new paragraph. Never delete an entry; ids are never reused.
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


@dataclass
class Entry:
    fingerprint: str
    successor: str | None = None

    def as_yaml(self):
        if self.successor:
            return {"fingerprint": self.fingerprint, "successor": self.successor}
        return self.fingerprint


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


def _ids(ids: dict) -> dict[str, Entry]:
    return {pid: e for pid, e in ids.items() if not isinstance(e, Withdrawn)}


def load(path: Path) -> Registry:
    """Read the registry; a malformed entry raises SourceError naming it."""
    label = _label(path)
    if not path.exists():
        return {}
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
                entry = Entry(value)
            elif isinstance(value, dict) and set(value) <= {"fingerprint", "successor"} and "fingerprint" in value:
                entry = Entry(str(value["fingerprint"]), str(value["successor"]) if value.get("successor") else None)
            else:
                raise SourceError(label, 0, f"{where}: write '<fingerprint>' or '{{fingerprint: ..., successor: <id>}}'")
            if not _FP.match(entry.fingerprint):
                raise SourceError(label, 0, f"{where}: fingerprint '{entry.fingerprint}' is not 16 hex digits")
            reg[str(slug)][str(pid)] = entry
    return reg


def dump(reg: Registry) -> str:
    body = {slug: {pid: ids[pid].as_yaml() for pid in sorted(ids, key=_id_order)} for slug, ids in sorted(reg.items())}
    return HEADER + fast_yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=200)


def _id_order(pid: str):
    """kt-1, kt-2, ..., p-1, p-2, ..., p-10: by prefix, then by number."""
    m = re.fullmatch(r"(.*?)(\d+)", pid)
    return (m[1], int(m[2]), pid) if m else (pid, -1, pid)


def _label(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[-2:]) if len(parts) >= 2 else str(path)


def check(reg: Registry, pages: dict[str, tuple[str, list[Para]]], registry_label: str) -> dict[str, dict[str, str]]:
    """Check the published paragraphs against the registry.

    ``pages`` maps slug -> (page label, paragraphs). Returns, per slug, the map
    of retired ids to the live id their links now land on. Raises
    :class:`SourceError` naming the registry entry and the page when a recorded
    id vanished, points at other text, is reused, or has a bad successor.
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
                        f"the paragraph is gone from {where_page}; map the old id to its successor "
                        f"('{pid}: {{fingerprint: {entry.fingerprint}, successor: <new id>}}') and rebuild",
                    )
                para = live[pid]
                if para.fingerprint != entry.fingerprint:
                    raise SourceError(
                        name, 0,
                        f"now points at other text ({where_page}:{para.line} has fingerprint {para.fingerprint}, "
                        f"recorded {entry.fingerprint}); give the new text a new id and map '{pid}' to it as successor, "
                        "or run `policy-reader permalinks --update` if only the wording was corrected",
                    )
                continue
            if pid in live:
                raise SourceError(
                    name, 0,
                    f"retired id is published again at {where_page}:{live[pid].line}; ids are never reused: give that paragraph a new id",
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


def update(reg: Registry, pages: dict[str, tuple[str, list[Para]]]) -> Registry:
    """Record every published id's current fingerprint; keep retired entries.

    A recorded live id that vanished is kept only if it has a successor
    (otherwise the caller must decide: :func:`check` names it first).
    """
    new: Registry = {slug: dict(ids) for slug, ids in reg.items()}
    for slug, (_, paras) in pages.items():
        ids = new.setdefault(slug, {})
        ids.pop(WITHDRAWN, None)  # its source is back: the paper is published again
        for p in paras:
            old = ids.get(p.id)
            if old is None or old.successor is None:
                ids[p.id] = Entry(p.fingerprint)
    return new


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
    """``policy-reader permalinks [--check | --update]`` (see cli.py).

    Without a switch, or with ``--check``: fail (exit 1) when the committed
    registry does not match docs/papers/ or misses a published id. ``--update``
    records new ids and corrected wording (after the same checks for vanished
    or reused ids), writing the file atomically.
    """
    import sys

    root = Path(args.root).resolve()
    path = root / "docs" / REGISTRY_NAME
    label = f"docs/{REGISTRY_NAME}"
    pages = read_pages(root / "docs")
    recorded = load(path)
    if args.update:
        # Reworded paragraphs are re-fingerprinted; vanished or reused ids still fail.
        new = update(recorded, pages)
        check(new, pages, label)
        text = dump(new)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            print(f"up to date: {label} ({sum(len(v) for v in new.values())} ids)")
            return 0
        atomic.write_text(path, text)
        print(f"wrote {label} ({sum(len(v) for v in new.values())} ids)")
        return 0
    check(recorded, pages, label)
    missing = unrecorded(recorded, pages)
    for slug, para in missing:
        print(f"{pages[slug][0]}:{para.line}: id '{para.id}' is published but not recorded in {label}; "
              "run `policy-reader permalinks --update` and commit it", file=sys.stderr)
    return 1 if missing else 0
