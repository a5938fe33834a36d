"""Writing a file so that a reader sees the old content or the new, never half of it.

The converter's outputs, the permalink registry and every cache entry under
``.cache/`` are written here: to a temporary file beside the target, then
renamed over it (``os.replace`` is atomic on one file system). On any failure the
temporary file is removed and the target is left as it was.

- The file gets the mode a plain ``open()`` would give it: 0666 less the umask
  (the temporary file is created with it; the kernel applies the umask).
- A temporary file's name carries the writer's process id and a number counted
  in that process (``.<name>.pr<pid>-<n>.tmp``). A process killed between writing and
  renaming leaves one behind; the next write into that folder (or
  :func:`sweep`) removes every one whose process no longer runs. Files of a
  live writer (another build at the same time) are left alone.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Iterable

_TMP = re.compile(r"^\..+\.pr(?P<pid>\d+)-[^.]*\.tmp$")
_swept: set[str] = set()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user holds the id
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove temporary files left in ``folder`` by writers that no longer run; return them."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        m = _TMP.match(name)
        if m and not _alive(int(m["pid"])):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(Path(folder) / name)
            except OSError:
                pass
    return removed


_names = itertools.count()  # temporary names of this process (next() on a count is atomic under the GIL)
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _create(folder: Path, name: str) -> tuple[int, str]:
    """A new temporary file beside ``folder / name``, opened for writing: (fd, path).

    Created with mode 0666, which the kernel reduces by the umask: the mode a plain
    ``open()`` gives (no umask read, no chmod). The name is the process id and a
    number counted up in this process; a name taken (a file left by an earlier
    process of the same id) is skipped."""
    prefix = os.path.join(folder, f".{name}.pr{os.getpid()}-")
    while True:
        tmp = f"{prefix}{next(_names)}.tmp"
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue


def write_bytes(path: Path, data: bytes | Iterable[bytes]) -> None:
    """``data``, or the pieces of an iterable one after the other (not joined in memory)."""
    path = Path(path)
    folder = path.parent
    key = str(folder)
    if key not in _swept:  # once per folder and process
        folder.mkdir(parents=True, exist_ok=True)
        _swept.add(key)
        sweep(folder)
    try:
        fd, tmp = _create(folder, path.name)
    except FileNotFoundError:  # the folder went since it was swept
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create(folder, path.name)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray)):
                fh.write(data)
            else:
                fh.writelines(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """``text`` as UTF-8, line endings as given (no translation)."""
    write_bytes(path, text.encode("utf-8"))
