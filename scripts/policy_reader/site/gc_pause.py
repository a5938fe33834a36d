"""Python's cyclic garbage collector kept out of the plugin's ``on_files``, and the objects it
leaves behind kept out of every later collection, until the build ends.

Why: ``on_files`` builds the state that the rest of the build reads (papers' front matter,
permalink records, topic pages, cite panels, the citations' library) and the heap grows
through it (at 1,000 papers from about 150 to 340 MiB, at 2,000 to about 650 MiB). CPython's
collector runs a full collection each time the long-lived objects have grown by a quarter,
and each full collection walks every object alive: several walks over a heap that doubles
with the library, so their cost grows with the square of the papers (measured on a cold build:
full collections 4.6 s at 1,000 papers, 15.5 s at 2,000; they found almost no garbage in
``on_files``). :class:`GcPause` therefore

* at the start of ``on_files`` freezes what exists (``gc.freeze``: configuration, the parsed
  bibliography; the objects stay alive and freed by reference counting as ever, only the
  collector's walks skip them) and turns automatic collection off;
* at the end of ``on_files`` turns it back on (if it was on) and freezes what ``on_files``
  left, so that the pages' renders (which make and drop their own short-lived objects, still
  collected as before) do not walk the long-lived state again and again;
* when the build ends, or fails, unfreezes everything and restores the collector as it found
  it (``mkdocs serve`` builds again in the same process: the next build starts as this one did,
  and a cycle that became garbage meanwhile is collected by the next full collection).

Objects are never freed by this module and none is kept alive: reference counting frees
everything as before; only the freeing of reference cycles among frozen objects waits until
the build ends. The built site is the same (tests/test_gc_pause.py; figures in CONTRIBUTING.md,
"Garbage collection during the build").
"""

from __future__ import annotations

import gc


class GcPause:
    """The collector's state around ``on_files``; one per plugin (per build, under ``mkdocs serve``)."""

    def __init__(self) -> None:
        self._was_enabled: bool | None = None  # None: not paused
        self._froze = False

    def pause(self) -> None:
        """Start of ``on_files``: freeze what exists, no automatic collection."""
        if self._was_enabled is not None:
            return
        self._was_enabled = gc.isenabled()
        if gc.get_freeze_count() == 0:  # objects frozen by someone else: theirs to unfreeze, none frozen here
            gc.freeze()
            self._froze = True
        gc.disable()

    def resume(self) -> None:
        """End of ``on_files``: freeze what it left, automatic collection as before."""
        if self._was_enabled is None:
            return
        if self._froze:
            gc.freeze()
        if self._was_enabled:
            gc.enable()
        self._was_enabled = None

    def end(self) -> None:
        """The build is over (written or failed): every object back under the collector."""
        self.resume()
        if self._froze:
            gc.unfreeze()
            self._froze = False
