"""The one cache of the project: verified JSON entries in namespaced folders under ``.cache/``.

Every cache of the build and of ``convert`` goes through here (rendered pages,
paper pages, generated pages, pandoc runs, citation entries, .bib parses and
BibTeX text, pypandoc's version probe, convert's converter stamp):

* **Namespaces.** :meth:`Cache.store` gives the store of one namespace, a
  folder ``<cache dir>/<namespace>/`` with one file per entry.
* **Keys.** :meth:`Store.key` hashes every input the caller names together
  with the namespace and :func:`code_digest`, the one hash of our own code (by
  default every module of the ``policy_reader`` package), so a change to our
  code can never serve an entry computed by the old code.
* **Verified entries.** An entry is a JSON file
  ``{"sha256": "<digest>", "value": <value>}`` where the digest covers the
  entry's key and the exact bytes of the value. :meth:`Store.get` returns a
  value only when the file is complete, the digest matches and the caller's
  ``load`` accepts the value's shape; anything else (missing, truncated,
  corrupt, reshaped, copied from another key) is a miss, so the value is
  computed again and the entry rewritten. Nothing is ever unpickled: values are
  JSON (text, numbers, lists, objects).
* **Atomic writes** through :mod:`policy_reader.atomic`: a reader sees the old
  entry or the new one.
* **Eviction per namespace.** ``keep="build"`` (the default): :meth:`Cache.prune`,
  called after a successful build, deletes every file of the namespace that
  this build neither read nor wrote (stale entries, stray temporary files);
  ``keep=<n>``: at most ``n`` entries, the most recently used.
* **A cache folder that cannot be used** (unwritable, unreadable, not a
  folder): the store that meets it goes on without its cache for the rest of
  the run (every value is computed, which writes the same output); the first
  such failure of a run logs ONE warning line, later ones are silent.

tests/test_cache.py damages each store's entries in every one of these ways and
checks that the built site equals a clean build byte for byte.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import logging
import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from policy_reader import atomic

PACKAGE_DIR = Path(__file__).resolve().parent
FORMAT = "policy-reader cache 1"
SUFFIX = ".json"
# Not under "mkdocs": a warning there fails a --strict build; this one must not.
log = logging.getLogger("policy_reader.cache")

_HEAD = b'{"sha256":"'
_MID = b'","value":'
_TAIL = b"}"
_DIGEST_LEN = 64
_KEY = re.compile(r"[0-9a-f]{64}")


@lru_cache(maxsize=None)
def _code_digest(modules: tuple[str, ...] | None) -> str:
    h = hashlib.sha256(FORMAT.encode() + b"\0")
    if modules is None:
        paths = sorted(PACKAGE_DIR.rglob("*.py"))
    else:
        paths = [_module_path(name) for name in modules]
    for path in paths:
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).digest())
    return h.hexdigest()


def _module_path(name: str) -> Path:
    base = PACKAGE_DIR.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    raise ValueError(f"no module policy_reader.{name}")


def code_digest(modules: Iterable[str] | None = None) -> str:
    """The one hash of our own code: the source of every module of the ``policy_reader``
    package, or of ``modules`` only (names relative to the package, e.g. ``convert.pipeline``).
    Line endings are normalised, so a checkout on any system gives the same digest."""
    return _code_digest(None if modules is None else tuple(sorted(set(modules))))


def digest(*parts: str | bytes) -> str:
    """A hash of ``parts`` in order (each hashed on its own, so no two lists collide)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else bytes(part)
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def _entry_digest(key: str, value: bytes) -> str:
    digest = hashlib.sha256(key.encode() + b"\0")
    digest.update(value)  # not joined to the key: no copy of a large value (peak memory)
    return digest.hexdigest()


class Cache:
    """The cache folder of one run; ``root`` None: no cache (every store misses, writes nothing)."""

    def __init__(self, root: Path | None):
        self.root = Path(root) if root is not None else None
        self.stores: dict[str, Store] = {}
        self.warned = False
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def store(self, namespace: str, *, keep: str | int = "build", code: Iterable[str] | None = None) -> "Store":
        """The store of ``namespace`` (the same object on every call of this run).

        ``keep``: the eviction rule (module docstring); ``code``: the modules whose
        source is part of every key (default: the whole package)."""
        with self._lock:
            if namespace not in self.stores:
                self.stores[namespace] = Store(self, namespace, keep, code)
            return self.stores[namespace]

    def warn(self, folder: Path, exc: OSError, path: Path) -> None:
        """Say once per run that a cache folder cannot be used."""
        reason = exc.strerror or type(exc).__name__
        self.warn_once(f"policy-reader: cache folder {folder} cannot be used ({reason}: {path}); going on without that cache")

    def warn_once(self, message: str) -> None:
        """Log ``message`` unless this run already warned about its cache folder (the build
        lock in ``.cache/`` shares this one line). Not on the ``mkdocs`` logger: a build
        without its cache writes the same site, so ``--strict`` must not fail on it."""
        with self._lock:
            if self.warned:
                return
            self.warned = True
        log.warning("%s", message)

    def prune(self) -> int:
        """Evict in every store this run opened (after a successful run); how many files went."""
        return sum(store.prune() for store in list(self.stores.values()))


class Store:
    """One namespace of a :class:`Cache`: ``<root>/<namespace>/<key>.json``."""

    def __init__(self, cache: Cache, namespace: str, keep: str | int, code: Iterable[str] | None):
        if keep != "build" and not (isinstance(keep, int) and keep > 0):
            raise ValueError(f"keep must be 'build' or a positive count, not {keep!r}")
        self.cache = cache
        self.namespace = namespace
        self.keep = keep
        self._salt = f"{FORMAT}\0{namespace}\0{code_digest(code)}\0".encode()
        self.hits = 0
        self.misses = 0
        self.used: set[str] = set()  # file names this run read or wrote
        self.failed = False  # the folder could not be used: off for the rest of the run
        self.dir = cache.root / namespace if cache.root is not None else None

    @property
    def enabled(self) -> bool:
        return self.cache.enabled and not self.failed

    def fail(self, exc: OSError, path: Path) -> None:
        self.failed = True
        self.cache.warn(self.dir, exc, path)

    def key(self, *parts: str | bytes) -> str:
        """The key of an entry computed from ``parts`` (every input, in order) by our code."""
        h = hashlib.sha256(self._salt)
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else bytes(part)
            h.update(hashlib.sha256(data).digest())
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.dir / (key + SUFFIX)

    def get(self, key: str, load: Callable[[Any], Any] | None = None) -> Any:
        """The value stored under ``key``, passed through ``load`` (which raises KeyError,
        TypeError, ValueError or AttributeError on a value of another shape), or None."""
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                self.misses += 1
                return None
            self.fail(exc, path)
            return None
        value = self._verify(key, data)
        if value is not None:
            try:
                value = value[0] if load is None else load(value[0])
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                value = None
            else:
                self.hits += 1
                self.used.add(path.name)
                if self.keep != "build":
                    self._touch(path)
                return value
        self.misses += 1
        return None

    @staticmethod
    def _verify(key: str, data: bytes) -> tuple[Any] | None:
        start = len(_HEAD) + _DIGEST_LEN + len(_MID)
        if len(data) <= start or not data.startswith(_HEAD) or not data.endswith(_TAIL):
            return None
        if data[len(_HEAD) + _DIGEST_LEN: start] != _MID:
            return None
        stored = data[len(_HEAD): len(_HEAD) + _DIGEST_LEN]
        raw = data[start: -len(_TAIL)]
        if stored.decode("ascii", "replace") != _entry_digest(key, raw):
            return None
        try:
            return (json.loads(raw.decode("utf-8")),)
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None

    def keep_entry(self, key: str) -> None:
        """Mark the entry under ``key`` as used by this run without reading it (a value
        this process holds in memory): eviction keeps it."""
        if self.enabled:
            self.used.add(key + SUFFIX)

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` (JSON: text, numbers, booleans, None, lists, objects) under ``key``."""
        self._write(key, write_entry, value)

    def put_pieces(self, key: str, pieces: Callable[[], Iterable[bytes]]) -> None:
        """:meth:`put` of a value given as its JSON text in pieces (see :func:`write_entry_pieces`)."""
        self._write(key, write_entry_pieces, pieces)

    def _write(self, key: str, writer: Callable[[Path, Any], None], value: Any) -> None:
        if not self.enabled:
            return
        path = self._path(key)
        self.used.add(path.name)
        try:
            writer(path, value)
        except OSError as exc:
            self.fail(exc, path)

    @staticmethod
    def _touch(path: Path) -> None:
        try:
            os.utime(path)
        except OSError:
            pass

    def prune(self) -> int:
        """Apply this namespace's eviction rule; how many files were deleted."""
        if not self.enabled:
            return 0
        try:
            names = [p for p in self.dir.iterdir() if p.is_file()] if self.dir.is_dir() else []
            if self.keep == "build":
                doomed = [p for p in names if p.name not in self.used]
            else:
                entries = [p for p in names if p.name.endswith(SUFFIX) and not p.name.startswith(".")]
                entries.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
                kept = {p.name for p in entries[: self.keep]}
                doomed = [p for p in names if p.name not in kept]
            for p in doomed:
                p.unlink(missing_ok=True)
        except OSError as exc:
            self.fail(exc, self.dir)
            return 0
        return len(doomed)


# The cache of the current run: configured by the MkDocs plugin (on_config) or by the
# command line; off until then.
_current = Cache(None)


def configure(root: Path | None) -> Cache:
    """Start a run with the cache folder ``root`` (None: no cache); returns it."""
    global _current
    _current = Cache(root)
    return _current


def current() -> Cache:
    return _current


def store(namespace: str, **kwargs) -> Store:
    """The store of ``namespace`` in the current run's cache."""
    return _current.store(namespace, **kwargs)


def read_entry(path: Path) -> Any:
    """The value of the entry file ``path`` if it verifies, else None (tests, inspection)."""
    path = Path(path)
    found = Store._verify(path.name[: -len(SUFFIX)], path.read_bytes())
    return found[0] if found is not None else None


def write_entry(path: Path, value: Any) -> None:
    """Write ``value`` as a verified entry at ``path`` (its file name is the key), as
    :meth:`Store.put` does (tests that prove a stored value is what a build uses)."""
    path = Path(path)
    key = path.name[: -len(SUFFIX)]
    # ASCII JSON (\u escapes): one byte a character in memory, where text with a "’" would make
    # the whole string two or four bytes a character before it is encoded (peak memory)
    raw = json.dumps(value, ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode("ascii")
    # written in pieces, not joined: a large value (the topic pages) is not copied again
    atomic.write_bytes(path, (_HEAD + _entry_digest(key, raw).encode("ascii") + _MID, raw, _TAIL))


def write_entry_pieces(path: Path, pieces: Callable[[], Iterable[bytes]]) -> None:
    """:func:`write_entry` of a value whose JSON text (ASCII, as write_entry writes it) is the
    pieces ``pieces()`` yields, one after the other. ``pieces()`` is called twice (the digest,
    which the entry names first, then the file), so the whole text is never in memory at once
    (the topic pages at 1,000 papers: about 150 MiB less at the build's peak)."""
    path = Path(path)
    key = path.name[: -len(SUFFIX)]
    digest = hashlib.sha256(key.encode() + b"\0")
    for piece in pieces():
        digest.update(piece)
    head = _HEAD + digest.hexdigest().encode("ascii") + _MID
    atomic.write_bytes(path, itertools.chain((head,), pieces(), (_TAIL,)))
