"""A content-addressed cache of pandoc runs across builds.

Citation formatting (cite panels, footnotes through mkdocs-bibtex, the
bibliography page) runs pandoc with citeproc: about a tenth of a second per
run, most of a small site's build. The result depends only on pandoc's
version, its arguments, the input text and the files it reads (the
``--bibliography`` and ``--csl`` files), so :func:`install` wraps
``pypandoc.convert_text`` to look the output up under a hash of exactly
those, with file paths replaced by their contents' hashes (callers write
bibliographies to fresh temporary paths). A miss runs pandoc and stores the
result; nothing else changes, and a build with a cold cache writes the same
site as one with a warm cache (tests/test_determinism.py builds twice).

pypandoc also finds its pandoc anew in every process, by running
``pandoc --version`` for each place pandoc may be (four runs, ~20 ms a build).
:func:`install` keeps each answer in the same folder under the identity of the
executable it came from (real path, size, modification time): a probe of an
unchanged executable reads its version from there, so pypandoc still picks the
same pandoc by the same rule.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pypandoc

from policy_reader import atomic

_FILE_ARGS = {"--bibliography", "--csl"}
_state: dict = {}


def _digest(input_text, to, format, extra_args) -> str:
    h = hashlib.sha256()
    h.update(pypandoc.get_pandoc_version().encode())
    h.update(f"\0{to}\0{format}\0".encode())
    h.update(input_text.encode("utf-8") if isinstance(input_text, str) else bytes(input_text))
    args = list(extra_args or [])
    for i, arg in enumerate(args):
        h.update(b"\0")
        if i and args[i - 1] in _FILE_ARGS and os.path.isfile(arg):
            h.update(hashlib.sha256(Path(arg).read_bytes()).digest())
        else:
            h.update(str(arg).encode())
    return h.hexdigest()


def install(cache_dir: Path) -> None:
    """Route ``pypandoc.convert_text`` through the cache in ``cache_dir`` (idempotent)."""
    original = _state.get("original") or pypandoc.convert_text
    _state["original"] = original
    _state["dir"] = Path(cache_dir)

    def convert_text(source, to, format=None, extra_args=(), **kwargs):
        if kwargs.get("outputfile") or kwargs.get("sandbox") is not None:
            return original(source, to, format=format, extra_args=extra_args, **kwargs)
        path = _state["dir"] / f"{_digest(source, to, format, extra_args)}.out"
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
        out = original(source, to, format=format, extra_args=extra_args, **kwargs)
        atomic.write_text(path, out)
        return out

    pypandoc.convert_text = convert_text
    _remember_versions()


def _remember_versions() -> None:
    """Route pypandoc's ``pandoc --version`` probe through ``versions.json`` in the cache folder."""
    probe = _state.get("probe") or pypandoc._get_pandoc_version
    _state["probe"] = probe

    def remembered(pandoc_path: str) -> str:
        exe = shutil.which(os.path.expanduser(pandoc_path))
        if exe is None:  # nothing to run there: fail as running it would, without a process
            raise FileNotFoundError(2, "No such file or directory", pandoc_path)
        st = os.stat(exe)
        key = f"{os.path.realpath(exe)}\0{st.st_size}\0{st.st_mtime_ns}"
        store = _state["dir"] / "versions.json"
        try:
            known = json.loads(store.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        if key in known:
            return known[key]
        version = probe(pandoc_path)
        known[key] = version
        atomic.write_text(store, json.dumps(known, sort_keys=True))
        return version

    pypandoc._get_pandoc_version = remembered


def uninstall() -> None:
    if "original" in _state:
        pypandoc.convert_text = _state.pop("original")
    if "probe" in _state:
        pypandoc._get_pandoc_version = _state.pop("probe")


def cache_dir() -> Path | None:
    """The folder in use, or None when the cache is not installed."""
    return _state.get("dir") if "original" in _state else None
