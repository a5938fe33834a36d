"""Pandoc runs across builds, in the one cache (:mod:`policy_reader.cache`).

Citation formatting (cite panels, footnotes through mkdocs-bibtex, the
bibliography page) runs pandoc with citeproc: about a tenth of a second per
run, most of a small site's build. The result depends only on pandoc's
version, its arguments, the input text and the files it reads (the
``--bibliography`` and ``--csl`` files), so :func:`install` wraps
``pypandoc.convert_text`` to look the output up in the ``pandoc`` namespace
under a key of exactly those (and our code), with file paths replaced by their
contents (callers write bibliographies to fresh temporary paths; a ``.lua`` reader or
writer is also keyed by its content). The output is
kept as the exact text pandoc gave (a JSON string: no newline is folded); a
miss, or an entry that fails verification, runs pandoc and stores the result.

pypandoc also finds its pandoc anew in every process, by running
``pandoc --version`` for each place pandoc may be (four runs, ~20 ms a build).
:func:`install` keeps each answer in the ``pandoc-version`` namespace under the
identity of the executable it came from (real path, size, modification time):
a probe of an unchanged executable reads its version from there, so pypandoc
still picks the same pandoc by the same rule.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pypandoc

from policy_reader import cache

_FILE_ARGS = {"--bibliography", "--csl"}
_state: dict = {}
NAMESPACE = "pandoc"
VERSIONS = "pandoc-version"


def _key(store: cache.Store, input_text, to, format, extra_args, kwargs) -> str:
    parts: list[str | bytes] = [pypandoc.get_pandoc_version(), _format_key(to), _format_key(format)]
    parts.append(input_text.encode("utf-8") if isinstance(input_text, str) else bytes(input_text))
    args = list(extra_args or [])
    for i, arg in enumerate(args):
        if i and args[i - 1] in _FILE_ARGS and os.path.isfile(arg):
            parts.append(b"file\0" + Path(arg).read_bytes())
        else:
            parts.append("arg\0" + str(arg))
    parts.append(repr(sorted(kwargs.items())))
    return store.key(*parts)


def _format_key(name) -> str:
    """A reader or writer by name; one of ours in a temporary ``.lua`` file by its content."""
    name = str(name)
    if name.endswith(".lua") and os.path.isfile(name):
        return "lua\0" + Path(name).read_text(encoding="utf-8")
    return name


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError("a pandoc output is text")
    return value


def install(cache_dir: Path | None = None) -> None:
    """Route ``pypandoc.convert_text`` through the ``pandoc`` store of the current run's cache
    (idempotent). ``cache_dir``: configure the current run's cache there first (tests, scripts)."""
    if cache_dir is not None:
        cache.configure(Path(cache_dir))
        _state["configured"] = True
    original = _state.get("original") or pypandoc.convert_text
    _state["original"] = original

    def convert_text(source, to, format=None, extra_args=(), **kwargs):
        store = cache.store(NAMESPACE)
        if not store.enabled or kwargs.get("outputfile") or kwargs.get("sandbox") is not None:
            return original(source, to, format=format, extra_args=extra_args, **kwargs)
        key = _key(store, source, to, format, extra_args, kwargs)
        out = store.get(key, _text)
        if out is not None:
            return out
        out = original(source, to, format=format, extra_args=extra_args, **kwargs)
        if isinstance(out, str):
            store.put(key, out)
        return out

    pypandoc.convert_text = convert_text
    _remember_versions()


def _remember_versions() -> None:
    """Route pypandoc's ``pandoc --version`` probe through the ``pandoc-version`` store."""
    probe = _state.get("probe") or pypandoc._get_pandoc_version
    _state["probe"] = probe

    def remembered(pandoc_path: str) -> str:
        exe = shutil.which(os.path.expanduser(pandoc_path))
        if exe is None:  # nothing to run there: fail as running it would, without a process
            raise FileNotFoundError(2, "No such file or directory", pandoc_path)
        st = os.stat(exe)
        store = cache.store(VERSIONS, keep=8)  # a few executables, not one entry per build
        key = store.key(os.path.realpath(exe), str(st.st_size), str(st.st_mtime_ns))
        version = store.get(key, _text)
        if version is None:
            version = probe(pandoc_path)
            store.put(key, version)
        return version

    pypandoc._get_pandoc_version = remembered


def uninstall() -> None:
    if "original" in _state:
        pypandoc.convert_text = _state.pop("original")
    if "probe" in _state:
        pypandoc._get_pandoc_version = _state.pop("probe")
    if _state.pop("configured", False):
        cache.configure(None)
