"""Write a file only its owner can read: exports and settings may hold whole sessions.

The text goes to a new temporary file beside the target, created with mode 0600 (`O_EXCL`, so
never someone else's file), then replaces the target in one rename: the target is 0600 from its
first byte, whatever mode an older file had, and a crash leaves the old file or the new one,
never half of one. A target that is not a regular file (`/dev/stdout`, a FIFO) is written in
place. Symbolic links are followed (the file they point at is replaced).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

MODE = 0o600


def write_private(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` with mode 0600; the path written (links resolved)."""
    target = Path(os.path.realpath(path))
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with open(target, "w", encoding="utf-8") as out:
            out.write(text)
        return target
    # mkstemp: O_EXCL, mode 0600, a name no one else holds
    import tempfile  # not at import: the browser loads this module at start

    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, MODE)  # whatever the umask did
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return target
