"""One build at a time in one project folder.

Two builds at once share ``.cache/`` and usually the site folder: one would
clean or rewrite files the other is writing. The first build takes an exclusive
lock on ``.cache/build.lock`` (``flock``, released by the system if the process
dies, so a killed build never leaves a stale lock); a second one waits for it,
saying so in one line, then runs. Without a writable ``.cache`` the build runs
unlocked (one warning line), as it runs without its caches.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from policy_reader import cache

log = logging.getLogger("mkdocs.plugins.policy_reader")

# Locks this process holds, by path: a build of this process that ended without releasing
# its lock (interrupted between events) must not make the next one wait for itself.
_HELD: dict[str, int] = {}


class BuildLock:
    def __init__(self, root: Path):
        self.path = Path(root) / ".cache" / "build.lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        if self.fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:  # the run's one line about an unusable .cache (policy_reader/cache.py)
            cache.current().warn_once(f"{self.path}: cannot be created ({exc.strerror}); building without the lock that keeps two builds in this folder apart, and without caches that cannot be written")
            return
        stale = _HELD.pop(str(self.path), None)
        if stale is not None:
            fcntl.flock(stale, fcntl.LOCK_UN)  # this process's earlier lock (its owner closes the descriptor)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info(f"{self.path}: another build of this project is running; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd = fd
        _HELD[str(self.path)] = fd

    def release(self) -> None:
        if self.fd is None:
            return
        if _HELD.get(str(self.path)) == self.fd:
            del _HELD[str(self.path)]
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = None
