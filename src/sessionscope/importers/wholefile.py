"""Files read whole (a JSON document, a task's side file, a settings file), in bounded memory.

Only regular files are read, as for transcripts read line by line (`jsonl.open_regular`: opened
non-blocking and checked with `fstat` on the opened descriptor, so a FIFO cannot hang the read
and a symlink to `/dev/zero` is refused without a byte read), and never more than a limit: a file
over it (by `fstat`, or grown past it while read) is refused having read at most the limit and
one byte. The limit is the one for a unit read whole (`max_unit_bytes`: 256 MB, or
`$SESSIONSCOPE_MAX_UNIT_MB`): parsing a JSON document takes several times its size in memory.

A unit's side file (Cline's `ui_messages.json`, Copilot's `workspace.yaml`, Gemini's
`projects.json`, an OpenCode message or part file) that cannot be read this way is reported as a
file not read (`side_file`: a `Problem` naming it) and the unit is read without it.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

from ..transcript_files import path_text
from .contract import Problem
from .jsonl import NotARegularFile, open_regular

MAX_UNIT_MB = 256
LIMIT_VAR = "SESSIONSCOPE_MAX_UNIT_MB"
_CHUNK = 1 << 20


def max_unit_bytes() -> int:
    """The largest unit read whole (`$SESSIONSCOPE_MAX_UNIT_MB`, default 256 MB): parsing a
    JSON document takes several times its size in memory, so a bigger one is refused."""
    try:
        mb = float(os.environ.get(LIMIT_VAR, MAX_UNIT_MB))
    except ValueError:
        mb = MAX_UNIT_MB
    return int(max(mb, 0.001) * 1_000_000)


def too_large(size: int, limit: int) -> str:
    """`too large to read whole (24 MB; the limit is 8 MB, $SESSIONSCOPE_MAX_UNIT_MB)`."""
    return (
        f"too large to read whole ({size / 1e6:,.0f} MB; the limit is {limit / 1e6:,.0f} MB,"
        f" ${LIMIT_VAR})"
    )


class FileTooLarge(OSError):
    """A file holds more than the limit of what is read whole: refused, not read."""


def read_whole(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them (default
    `max_unit_bytes()`). Raises `FileNotFoundError` (or another `OSError`) when it cannot be
    opened, `jsonl.NotARegularFile` for a FIFO, a device, a socket or a directory, and
    `FileTooLarge` when it holds more than `limit` bytes."""
    limit = max_unit_bytes() if limit is None else limit
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if size > limit:
            raise FileTooLarge(errno.EFBIG, too_large(size, limit))
        chunks: list[bytes] = []
        held = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - held))
            if not chunk:
                return b"".join(chunks)
            held += len(chunk)
            if held > limit:  # grown since the fstat
                raise FileTooLarge(errno.EFBIG, too_large(held, limit))
            chunks.append(chunk)
    finally:
        os.close(fd)


def text_lines(path: str | Path, limit: int | None = None) -> Iterator[str]:
    """The lines of the regular file `path` without their line ends, read one at a time (UTF-8,
    bytes that are not as U+FFFD): a log is never held whole as one string and a list of its
    lines. Only `\n`, `\r\n` and `\r` end a line (not U+2028 and the like inside a JSON string).
    Refused (`FileTooLarge`) past `limit` characters (default `max_unit_bytes()`)."""
    limit = max_unit_bytes() if limit is None else limit
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
    except OSError:
        os.close(fd)
        raise
    if size > limit:
        os.close(fd)
        raise FileTooLarge(errno.EFBIG, too_large(size, limit))
    with open(fd, encoding="utf-8", errors="replace", newline="", closefd=True) as handle:
        held = 0
        while True:
            line = handle.readline(limit + 1 - held)
            if not line:
                return
            held += len(line)
            if held > limit:  # grown since the fstat
                raise FileTooLarge(errno.EFBIG, too_large(held, limit))
            yield line.rstrip("\r\n")


def side_file(path: Path, problems: list[Problem], limit: int | None = None) -> bytes | None:
    """A unit's side file read whole (`read_whole`), or None: when it does not exist, and when
    it is not a regular file, too large or unreadable, which is added to `problems` as a file
    not read (named by its own path, so the report says which file was passed over)."""
    try:
        return read_whole(path, limit)
    except FileNotFoundError:
        return None
    except (NotARegularFile, FileTooLarge) as exc:
        reason = exc.strerror or str(exc)
    except OSError as exc:
        reason = f"could not read the file ({exc.strerror or exc})"
    problems.append(Problem(0, reason, path=path_text(str(path))))
    return None
