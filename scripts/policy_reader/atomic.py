"""Writing a file so that a reader sees the old content or the new, never half of it.

The converter's outputs, the permalink registry and every cache entry under
``.cache/`` are written here: to a temporary file beside the target, then
renamed over it (``os.replace`` is atomic on one file system). On any failure the
temporary file is removed and the target is left as it was.

- The file gets the mode a plain ``open()`` would give it: 0666 less the umask
  (a temporary file is created 0600).
- A temporary file's name carries the writer's process id
  (``.<name>.pr<pid>-<random>.tmp``). A process killed between writing and
  renaming leaves one behind; the next write into that folder (or
  :func:`sweep`) removes every one whose process no longer runs. Files of a
  live writer (another build at the same time) are left alone.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_TMP = re.compile(r"^\..+\.pr(?P<pid>\d+)-[^.]*\.tmp$")
_swept: set[str] = set()


def _umask() -> int:
    """The process's umask, read without changing it (Linux: /proc), else by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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


def write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = str(path.parent)
    if folder not in _swept:  # once per folder and process
        _swept.add(folder)
        sweep(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.pr{os.getpid()}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """``text`` as UTF-8, line endings as given (no translation)."""
    write_bytes(path, text.encode("utf-8"))
