"""Convert only what changed: a fingerprint of every input of a paper, sealed into its outputs.

``policy-reader convert`` skips the parse of a source when its two outputs
(``docs/papers/<slug>.md`` and ``bib/<slug>.bib``) carry a seal that still
holds. The seal of an output is ``sha256(fingerprint, kind, text)`` over the
output's whole text without the seal itself, where the *fingerprint* covers
everything that output is computed from:

- the paper's own files: the bytes of ``sources/<name>.txt`` and ``<name>.yml``;
- ``docs/topics/vocabulary.yml`` and ``docs/topics/model.json`` (their bytes; every paper is tagged with them);
- the entries of ``docs/topics/overrides.yml`` for this paper's slug, and the
  entries of ``bib/corrections.yaml`` for this paper's keys;
- the paper's slug, its keys (own key first, then its endnotes' keys) and the
  works ``bib/keys.yml`` binds them to.

The Markdown keeps its seal in the front matter, after the body hash that
detects hand edits: ``generated: "policy-reader convert sha256:<body> inputs:<seal>"``;
the .bib in a header line ``% policy-reader inputs:<seal>``. The seal also covers
the front matter and header (the body hashes do not), so an output that holds
its seal is byte for byte what a full conversion would write: a hand edit
anywhere breaks it and the paper is converted again (and, as before, an edit
of the body is then refused without ``--force``). Everything is deterministic:
no times, paths outside the project or tool versions go in, so the committed
outputs check the same on every machine.

The converter itself is not in the seal, so that a change to its code does
not change every committed output: a hash of the source of every
``policy_reader`` module that ``convert`` imports (:func:`converter_modules`,
found by following the imports, :func:`policy_reader.cache.code_digest`) is part of
the key of a stamp in the ``convert`` namespace of the one cache (``.cache/convert/``,
not committed) written after a run that converted or checked every source. When the
recorded hash is missing or differs, nothing is skipped: every source is
parsed (a fresh clone, or a code change, costs one full conversion), so a
code change can never be missed.

Cross-paper dependencies, and how a skipped paper keeps them:

1. **Citation keys** come from the key registry ``bib/keys.yml``
   (:mod:`policy_reader.convert.keys`), which binds each key to its work once
   and for ever: a paper's keys depend on its own works and the registry only,
   never on other papers or the order of the sources. The keys are read from
   the paper's .bib, and they and their registry entries are part of the
   fingerprint, so a .bib holding other keys, or a registry edited by hand,
   cannot hold its seal.
2. **Slugs** must be unique; the check runs over all papers, skipped ones by
   their output file names. Nothing else of a paper depends on other slugs.
3. **Corrections** apply per key (hence in the fingerprint per paper); the check
   that every correction names a known key runs over the keys of all papers.
4. **Overrides** apply per slug (in the fingerprint per paper); the check that
   every override names a known paper runs over all slugs. A skipped paper's
   override ids were checked against its paragraphs when it was written, and
   neither has changed since.
5. Everything else (parse, repair rules, ids, topics, emit) is per paper.

A skipped paper converted without error from the same inputs with the same
converter, so it cannot raise now; errors still come in the order of a full
conversion (an unreadable ``bib/corrections.yaml`` turns skipping off, so that
a source error still wins as before). Not covered: the versions of Python and
of the pinned PyYAML; ``convert --force`` re-converts everything.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from policy_reader import cache
from policy_reader.convert.bib import BIB_HASH_LINE
from policy_reader.page.markdown import GENERATED_MARK
from policy_reader.topics.model import MODEL_PATH
from policy_reader.topics.rules import VOCABULARY_PATH

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the policy_reader package
PACKAGE = "policy_reader"
ENTRY_MODULE = "convert.pipeline"
SEAL_LENGTH = 16

MD_SEAL = re.compile(rf'^(generated: "{re.escape(GENERATED_MARK)} sha256:[0-9a-f]+)(?: inputs:([0-9a-f]+))?"$', re.M)
BIB_SEAL_PREFIX = "% policy-reader inputs:"
BIB_SEAL = re.compile(rf"^{re.escape(BIB_SEAL_PREFIX)}([0-9a-f]+)\n", re.M)
BIB_HASH = re.compile(rf"^{re.escape(BIB_HASH_LINE)}[0-9a-f]+\n", re.M)
BIB_KEY = re.compile(r"^@[A-Za-z]+\{([^,\s]+),$", re.M)
FRONT_SOURCE = re.compile(r'^source: (".*")$', re.M)


# --------------------------------------------------------------------------- the converter's own version


def _module_file(name: str) -> Path | None:
    base = PACKAGE_DIR.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imported(name: str, path: Path) -> list[str]:
    """Package modules named by the imports of module ``name`` (relative or absolute)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package[: len(package) - (node.level - 1)] if node.level > 1 else list(package)
                base = ".".join([*parts, *(node.module.split(".") if node.module else [])])
            elif node.module and (node.module == PACKAGE or node.module.startswith(PACKAGE + ".")):
                base = node.module[len(PACKAGE) + 1 :]
            else:
                continue
            if base:
                found.append(base)
            # ``from . import bib`` / ``from .site import x``: the names may be modules too
            found += [f"{base}.{a.name}" if base else a.name for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name[len(PACKAGE) + 1 :] for a in node.names if a.name.startswith(PACKAGE + ".")]
    return found


def converter_modules() -> list[str]:
    """The package modules the conversion runs: ``convert`` and what it imports, transitively."""
    seen: set[str] = set()
    todo = [ENTRY_MODULE]
    while todo:
        name = todo.pop()
        path = _module_file(name) if name not in seen else None
        if path is None:
            continue
        seen.add(name)
        todo += _imported(name, path)
    return sorted(seen)


CACHE_DIR = Path(".cache")  # the one cache (policy_reader/cache.py), from the project root
STAMP_NAMESPACE = "convert"
CONVERTER_STAMP = CACHE_DIR / STAMP_NAMESPACE  # the stamp's folder


@lru_cache(maxsize=1)  # one cache per run: a folder that cannot be used warns once
def _stamp_store(root: Path) -> cache.Store:
    """The ``convert`` namespace of ``root``'s cache; its keys hold the converter's code only."""
    return cache.Cache(root / CACHE_DIR).store(STAMP_NAMESPACE, code=converter_modules())


def _stamp_key(store: cache.Store) -> str:
    return store.key("every output is what this converter writes", converter_version())


def _yes(value) -> bool:
    if value is not True:
        raise ValueError("a stamp is true")
    return True


def converter_recorded(root: Path) -> bool:
    """True when the last full run in ``root`` used this converter (see the module docstring)."""
    store = _stamp_store(root)
    return store.get(_stamp_key(store), _yes) is True


def record_converter(root: Path) -> None:
    """Note that every output in ``root`` is what this converter writes (best effort: a cache
    that cannot be written warns once, and the next run parses everything again)."""
    store = _stamp_store(root)
    store.put(_stamp_key(store), True)
    store.prune()  # one stamp: the one of this converter


def converter_version() -> str:
    """A hash of the source of every module in :func:`converter_modules` (line endings normalised)."""
    return cache.code_digest(converter_modules())


# --------------------------------------------------------------------------- fingerprints and seals


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes; ``absent`` for a missing or unreadable file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "absent"


def own_inputs(src: Path) -> str:
    """The digest of a source's own files, ``<name>.txt`` and ``<name>.yml``.

    Read before the source is parsed, so that a file changing during the run
    can only make the next run convert it again, never skip it wrongly.
    """
    return file_digest(src) + " " + file_digest(src.with_suffix(".yml"))


@dataclass(frozen=True)
class Context:
    """What every paper's fingerprint shares: the vocabulary, overrides, corrections."""

    vocabulary: str  # digest of docs/topics/vocabulary.yml, or "absent"
    overrides: dict  # {slug: {paragraph id: topics.Override}}
    corrections: dict  # {key: {field: value}}

    def fingerprint(self, source: str, own: str, slug: str, keys: list[str], registry) -> str:
        paper_overrides = sorted((pid, list(o.topics)) for pid, o in self.overrides.get(slug, {}).items())
        paper_corrections = [[k, list(self.corrections[k].items())] for k in keys if k in self.corrections]
        record = {
            "source": source,
            "files": own,
            "vocabulary": self.vocabulary,
            "overrides": paper_overrides,
            "corrections": paper_corrections,
            "slug": slug,
            "keys": keys,
            "works": [registry.bound.get(k) for k in keys],  # what bib/keys.yml binds them to
        }
        return hashlib.sha256(json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def vocabulary_digest(root: Path) -> str:
    """The vocabulary's digest, joined by the topic model's when the project has one."""
    model = file_digest(root / MODEL_PATH)
    vocab = file_digest(root / VOCABULARY_PATH)
    return vocab if model == "absent" else f"{vocab} {model}"


def _seal(fingerprint: str, kind: str, text: str) -> str:
    return hashlib.sha256(f"{fingerprint}\0{kind}\0{text}".encode("utf-8")).hexdigest()[:SEAL_LENGTH]


def _front_matter_end(text: str) -> int:
    if not text.startswith("---\n"):
        return -1
    return text.find("\n---\n", 4)


def seal_markdown(text: str, fingerprint: str) -> str:
    """``text`` (as :func:`emit.emit` wrote it) with its seal in the ``generated`` field."""
    end = _front_matter_end(text)
    m = MD_SEAL.search(text, 0, end)
    seal = _seal(fingerprint, "md", text)
    return text[: m.end(1)] + f' inputs:{seal}"' + text[m.end() :]


def unseal_markdown(text: str) -> tuple[str, str | None]:
    """``(text without the seal, seal)``; seal None when there is none."""
    end = _front_matter_end(text)
    m = MD_SEAL.search(text, 0, end) if end != -1 else None
    if not m or not m[2]:
        return text, None
    return text[: m.end(1)] + '"' + text[m.end() :], m[2]


def seal_bib(text: str, fingerprint: str) -> str:
    """``text`` (as :func:`bib.format_bib` wrote it) with a seal line after its hash line."""
    m = BIB_HASH.search(text)
    seal = _seal(fingerprint, "bib", text)
    return text[: m.end()] + f"{BIB_SEAL_PREFIX}{seal}\n" + text[m.end() :]


def unseal_bib(text: str) -> tuple[str, str | None]:
    head_end = text.find("\n\n")
    m = BIB_SEAL.search(text, 0, head_end + 1) if head_end != -1 else None
    if not m:
        return text, None
    return text[: m.start()] + text[m.end() :], m[1]


# --------------------------------------------------------------------------- reuse of sealed outputs


@dataclass(frozen=True)
class Reused:
    """A paper whose outputs hold their seals: taken as they are, not parsed."""

    source: str
    slug: str
    keys: list[str]
    md_path: Path
    markdown: str
    bib_path: Path
    bibtex: str


def index_outputs(root: Path) -> dict[str, list[tuple[Path, str]]]:
    """The existing generated pages by the source they name: ``{source: [(path, text)]}``."""
    out: dict[str, list[tuple[Path, str]]] = {}
    for path in sorted((root / "docs" / "papers").glob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        end = _front_matter_end(text)
        m = FRONT_SOURCE.search(text, 0, end) if end != -1 else None
        if not m:
            continue
        try:
            source = json.loads(m[1])
        except ValueError:
            continue
        out.setdefault(source, []).append((path, text))
    return out


def reuse(root: Path, source: str, own: str, candidates: list[tuple[Path, str]], registry, ctx: Context) -> Reused | None:
    """The paper's outputs, when one pair of them holds its seals against the inputs now."""
    for md_path, markdown in candidates:
        md_plain, md_seal = unseal_markdown(markdown)
        if md_seal is None:
            continue
        slug = md_path.stem
        bib_path = root / "bib" / f"{slug}.bib"
        try:
            bibtex = bib_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        bib_plain, bib_seal = unseal_bib(bibtex)
        if bib_seal is None:
            continue
        keys = BIB_KEY.findall(bib_plain)
        fingerprint = ctx.fingerprint(source, own, slug, keys, registry)
        if _seal(fingerprint, "md", md_plain) == md_seal and _seal(fingerprint, "bib", bib_plain) == bib_seal:
            return Reused(source, slug, keys, md_path, markdown, bib_path, bibtex)
    return None
