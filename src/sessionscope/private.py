"""Write a file only its owner can read: exports and settings may hold whole sessions; and read
a small file (a config or settings file) that may be anything but one.

The text goes to a new temporary file beside the target, created with mode 0600 (`O_EXCL`, so
never someone else's file), then replaces the target in one rename: the target is 0600 from its
first byte, whatever mode an older file had, and a crash leaves the old file or the new one,
never half of one. A target that is not a regular file (`/dev/stdout`, a FIFO) is written in
place. Symbolic links are followed (the file they point at is replaced).

`read_small` reads regular files only (opened non-blocking and checked on the descriptor: a FIFO
cannot hang it, a link to `/dev/zero` is refused unread) and at most `SMALL` bytes of them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

MODE = 0o600
SMALL = 1 << 20  # bytes: a config or settings file larger than this is no such file


def read_small(path: str | Path, limit: int = SMALL) -> bytes:
    """The bytes of the regular file `path`. Raises `FileNotFoundError` when it is missing and
    another `OSError` when it cannot be read, is not a regular file or holds over `limit` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
        raise OSError(errno.EFBIG, f"larger than {limit:,} bytes")
    finally:
        os.close(fd)


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
