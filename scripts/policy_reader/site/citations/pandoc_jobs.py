"""Calls of ``on_files`` run in background threads, beside the calling thread's work.

A cold build's ``on_files`` formats citations in two pandoc phases:
mkdocs-bibtex's footnotes, which also format the bibliography page's entries
(:func:`.bibtex_seam.prewarm`, see ``citeproc.sharing``; for a note style a few runs of
batches of entries, one after the other), and the cite panels (one run, :func:`.cite.prepare`). Pandoc uses one core
per process and the topic pages are Python work, so one after the other they
leave cores idle. The plugin starts the footnotes and the cite panels as
:class:`Background` jobs, adds the topic pages meanwhile, then the bibliography
page (which waits for the footnotes' run), then takes the jobs' results in the
order the calls used to have.

What keeps the build's behaviour as when the calls ran one after another:

* A job shares nothing mutable with the other work until its result is taken:
  the footnotes alone touch mkdocs-bibtex's registry, the cite panels alone
  cite.py's caches, neither touches the build's files; both go through the
  one cache (:mod:`policy_reader.cache`: pandoc runs, cite entries), which
  writes each entry to a fresh temporary file renamed into place, opens a
  namespace's store under a lock and records the entries a build used in a set
  (hit and miss counts, for tests only, may miss an increment).
* Errors come in the old order: :meth:`Background.result` raises the job's
  own exception (the same object: the same message, a ``PluginError`` stays
  one), and is called where the job's call used to be; an exception that leaves
  the ``with`` block first (a call that used to come before) wins, and the
  job's outcome is dropped.
* pypandoc looks for pandoc on first use and keeps its path and version in
  module globals, assigned candidate by candidate (a system pandoc before the
  one pypandoc-binary ships): :func:`_find_pandoc` does that in the calling
  thread before any job starts, so no job can see a half-done search.
* Leaving the ``with`` block always waits for the thread, also on an error:
  a failing build leaves no thread running.

Tests: tests/test_pandoc_jobs.py.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

import pypandoc


def _find_pandoc() -> None:
    """pypandoc's search for pandoc, done once (later calls return its cached answer)."""
    try:
        pypandoc.get_pandoc_version()
    except Exception:  # no usable pandoc: each job fails on its own, as it did before
        pass


class Background:
    """``fn(*args)`` in its own thread, started when the ``with`` block is entered.

    Leaving the block waits for the thread. Left normally, the block also
    takes the :meth:`result`, so a job's error cannot go unnoticed.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any):
        self._call = (fn, args)
        self._thread = threading.Thread(target=self._run, name=f"policy-reader {getattr(fn, '__name__', 'job')}")
        self._value: Any = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        fn, args = self._call
        try:
            self._value = fn(*args)
        except BaseException as exc:  # raised in the calling thread by result()
            self._error = exc

    def __enter__(self) -> "Background":
        _find_pandoc()
        self._thread.start()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._thread.join()
        if exc_type is None:
            self.result()

    def result(self) -> Any:
        """Wait for the job: what it returned, or the exception it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value
