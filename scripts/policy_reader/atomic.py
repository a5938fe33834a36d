"""Writing a file so that a reader sees the old content or the new, never half of it.

The converter's outputs, the permalink registry and every cache entry under
``.cache/`` are written here: to a temporary file beside the target, then
renamed over it (``os.replace`` is atomic on one file system). On any failure the
temporary file is removed and the target is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    """``text`` as UTF-8, line endings as given (no translation)."""
    write_bytes(path, text.encode("utf-8"))
