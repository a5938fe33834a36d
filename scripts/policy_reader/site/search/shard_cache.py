"""The search shards of a build, kept across builds (the ``search-shards`` namespace of the one cache).

:func:`.shards.generate` is a pure function of the search documents (and of our
code, which the store adds to every key): counting every term of every
paragraph, weighting and splitting the postings is seconds at a few hundred
papers, and a build whose documents did not change would make the same files
again. Creating the tens of thousands of files costs seconds too (a file
created and written is several times the work of a name linked to one), so
:func:`write` keeps the files themselves, not their text:

* the files of one set of documents sit in a folder of the namespace,
  ``<key>.d/`` (the key: our code and a hash of the documents), and a verified
  entry under the same key lists them: ``{"files": [[name, size, mtime_ns], ...]}``
  in the order :func:`.shards.generate` gives them;
* a hit links each listed file into the site's ``search/shards/`` (``os.link``: the
  same bytes, no copy), or copies it where a link cannot be made (another file
  system, a file the user may not link, as with ``fs.protected_hardlinks``);
  each file is checked first against the entry's size and modification time, so a
  file written over since (a tool that edits the site in place writes through the
  link into the kept file) is a miss: the files are made again, and kept anew;
* a miss writes each file as :func:`.shards.generate` gives it (one at a time; no
  more than one file is held here) into the site, links it into a new folder
  ``<key>.d.tmp-<pid>``, renames that folder to ``<key>.d`` when all are there and
  then writes the entry, so an entry never lists a folder not complete;
* the files in the site are only ever created, never written in place: a file of
  that name is removed first (``O_EXCL``), so no write of a later build can reach a
  kept file through a link. ``mkdocs build`` removes the site's files before it
  builds (the kept ones stay: a link is a name), ``mkdocs serve`` builds into a
  folder of its own; both work the same;
* after a write, every other folder of the namespace (older documents, a folder
  left by a build that was stopped) is removed: one set of files is kept.

A folder that cannot be used turns the store off with the cache's one warning
line, and the files are written as without a cache. tests/test_shard_cache.py
checks a hit, a changed document, damaged, missing and edited kept files, a
copy where no link can be made, and that no write reaches a kept file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

from policy_reader import cache

NAMESPACE = "search-shards"
FOLDER = ".d"  # suffix of a kept folder: not the cache's ".json", so eviction of entries leaves it be

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")  # a file name of the shards, never a path
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _load_listing(value) -> list[tuple[str, int, int]]:
    if not isinstance(value, dict) or not isinstance(value["files"], list) or not value["files"]:
        raise ValueError("a listing of files")
    files = []
    for name, size, mtime in value["files"]:
        if not (isinstance(name, str) and _NAME.fullmatch(name) and type(size) is int and type(mtime) is int):
            raise TypeError("a file is [name, size, mtime_ns]")
        files.append((name, size, mtime))
    return files


DIGEST_RUN = 512  # documents encoded at once for the digest: one json.dumps call per run, not per document


def docs_digest(docs: list[dict]) -> str:
    """A hash of the documents, in order, with every field (JSON of runs of DIGEST_RUN)."""
    h = hashlib.sha256()
    for i in range(0, len(docs), DIGEST_RUN):
        h.update(json.dumps(docs[i : i + DIGEST_RUN], ensure_ascii=False, sort_keys=True).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _create(name: str, content: bytes, folder: int) -> int:
    """Create ``name`` in the folder ``folder`` (a descriptor) holding ``content``, never
    writing into a file that is there (it is removed first); the open descriptor."""
    try:
        fd = os.open(name, _CREATE, 0o644, dir_fd=folder)
    except FileExistsError:
        os.unlink(name, dir_fd=folder)
        fd = os.open(name, _CREATE, 0o644, dir_fd=folder)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_plain(files, out: int) -> None:
    for name, content in files:
        os.close(_create(name, content, out))


def _place(kept: Path, listing: list[tuple[str, int, int]], out: int) -> bool:
    """Link (or copy) the kept files of ``listing`` into ``out``; False, having placed
    perhaps some, when a kept file is missing or not as listed."""
    try:
        src = os.open(kept, os.O_RDONLY)
    except OSError:
        return False
    linking = True
    try:
        for name, size, mtime in listing:
            try:
                st = os.stat(name, dir_fd=src, follow_symlinks=False)
            except OSError:
                return False
            if st.st_size != size or st.st_mtime_ns != mtime or not (st.st_mode & 0o170000 == 0o100000):
                return False
            if linking:
                try:
                    os.link(name, name, src_dir_fd=src, dst_dir_fd=out, follow_symlinks=False)
                    continue
                except FileExistsError:
                    os.unlink(name, dir_fd=out)
                    try:
                        os.link(name, name, src_dir_fd=src, dst_dir_fd=out, follow_symlinks=False)
                        continue
                    except OSError:
                        linking = False
                except OSError:  # another file system, a link the user may not make, too many links
                    linking = False
            try:
                fd = os.open(name, os.O_RDONLY, dir_fd=src)
                try:
                    with os.fdopen(fd, "rb", closefd=False) as f:
                        content = f.read()
                finally:
                    os.close(fd)
            except OSError:
                return False
            if len(content) != size:
                return False
            os.close(_create(name, content, out))
        return True
    finally:
        os.close(src)


def _clear(out: int) -> None:
    for name in os.listdir(out):
        os.unlink(name, dir_fd=out)


def _tidy(store: cache.Store, keep: str) -> None:
    """Remove every folder of the namespace but ``keep`` (older documents, stopped builds)."""
    try:
        for entry in os.scandir(store.dir):
            if entry.name != keep and FOLDER in entry.name and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
    except OSError as exc:
        store.fail(exc, store.dir)


def write(out: Path, docs: list[dict]) -> None:
    """Write the files of ``shards.generate(docs)`` into the folder ``out`` (which exists),
    from the kept files when the same documents were built before (module docstring)."""
    from policy_reader.site.search import shards

    folder = os.open(out, os.O_RDONLY)
    try:
        store = cache.store(NAMESPACE)
        key = store.key(docs_digest(docs)) if store.enabled else None
        listing = store.get(key, _load_listing) if key is not None else None
        if listing is not None:
            if _place(store.dir / (key + FOLDER), listing, folder):
                _tidy(store, key + FOLDER)
                return
            _clear(folder)  # some were placed: made again below, every one
        if not store.enabled:
            _write_plain(shards.generate(docs), folder)
            return
        _write_and_keep(store, key, shards.generate(docs), folder)
    finally:
        os.close(folder)


def _write_and_keep(store: cache.Store, key: str, files, out: int) -> None:
    """Write ``files`` into ``out``, each linked into a new kept folder as it is written;
    then the folder takes its name and the entry lists it."""
    tmp = store.dir / f"{key}{FOLDER}.tmp-{os.getpid()}"
    kept: int | None = None
    try:
        store.dir.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        kept = os.open(tmp, os.O_RDONLY)
    except OSError as exc:
        store.fail(exc, store.dir)
    keeping = kept is not None
    listing: list[list] = []
    linking = True
    try:
        for name, content in files:
            fd = _create(name, content, out)
            try:
                st = os.fstat(fd)
            finally:
                os.close(fd)
            if not keeping:
                continue
            try:
                if linking:
                    try:
                        os.link(name, name, src_dir_fd=out, dst_dir_fd=kept)
                    except OSError as exc:
                        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EACCES):
                            raise
                        linking = False
                if not linking:  # another file system: a copy of its own
                    fd = _create(name, content, kept)
                    try:
                        st = os.fstat(fd)
                    finally:
                        os.close(fd)
            except OSError as exc:
                store.fail(exc, tmp)
                keeping = False
                continue
            listing.append([name, st.st_size, st.st_mtime_ns])
    finally:
        if kept is not None:
            os.close(kept)
    if not keeping:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    final = store.dir / (key + FOLDER)
    try:
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
    except OSError as exc:
        store.fail(exc, final)
        shutil.rmtree(tmp, ignore_errors=True)
        return
    store.put(key, {"files": listing})
    _tidy(store, key + FOLDER)
