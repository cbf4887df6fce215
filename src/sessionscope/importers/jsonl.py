"""Stream a JSONL file from a byte offset, one record at a time, in bounded memory.

The file is read in binary chunks and split on `\\n`, so memory holds one chunk plus the longest
line, whatever the file's size; a line longer than `MAX_LINE_BYTES` is passed over without being
held (it is returned with an `error`). Only regular files are read: a FIFO, a device or a symlink
to one (`/dev/zero`, `/dev/urandom`) raises `NotARegularFile` without a byte read. Each line may end in CRLF and may start with a UTF-8 BOM; bytes
that are not UTF-8 are replaced (the line is kept). A line that is not a JSON object is returned
with an `error` and the caller goes on. A last line without a newline is an agent mid-write and is
left for the next read, unless it already parses as a whole JSON object.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

CHUNK_SIZE = 1 << 20
# The longest line read (a message with several large images is a few MB; parsing a line costs
# several times its size in memory, so a longer one is skipped with a message instead).
MAX_LINE_BYTES = 64 << 20
_BOM = b"\xef\xbb\xbf"


def _finite_float(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


# NaN, Infinity and numbers too large for a float (1e400) are kept as their text: the store
# (JSON without NaN) could not hold them, and a record must not fail over one number.
_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=lambda text: text)
_FAST = msgspec.json.Decoder()


class NotARegularFile(OSError):
    """The path is a FIFO, a device, a socket or a directory: never read (it could block or
    never end)."""


def _kind(mode: int) -> str:
    """What a non-regular file is, for the message."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"


def open_regular(path: str | Path) -> int:
    """A read-only descriptor for `path`, checked with `fstat` to be a regular file.

    Opened non-blocking, so a FIFO with no writer cannot hang the open; the check is on the
    opened descriptor, so a file swapped for a device after a `stat` is still refused.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _kind(mode)
            raise NotARegularFile(errno.EINVAL, f"{kind}, not a regular file")
    except BaseException:
        os.close(fd)
        raise
    return fd


@dataclass(slots=True)
class Line:
    """One line of a JSONL file: its 1-based number, the byte offset just after it, and either
    the parsed `record` or an `error` (both None for a blank line)."""

    line_no: int
    end: int
    size: int
    record: dict[str, Any] | None
    error: str | None


def parse_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None), (None, reason) for a malformed line, or (None, None) for a blank one."""
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if raw.startswith(_BOM):
        raw = raw[3:]
    if raw[:1] != b"{" and not raw.strip():  # an object's line is not blank: no copy of it
        return None, None
    # msgspec reads plain records 3x faster than the standard library, integers of any size
    # included; anything it refuses (NaN, 1e400, invalid UTF-8, lone surrogates) takes the
    # standard library's path below, so results are the same.
    try:
        value = _FAST.decode(raw)
    except msgspec.DecodeError:
        value = None
    except RecursionError:
        value = _deep(raw)
    if type(value) is dict:
        return value, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
    try:
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} (column {exc.colno})"
    except (ValueError, RecursionError) as exc:
        return None, f"invalid JSON: {type(exc).__name__}"
    if not isinstance(value, dict):
        return None, f"not a JSON object (a {type(value).__name__})"
    return value, None


_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _deep(raw: bytes) -> Any:
    """A record nested deeper than Python's stack lets msgspec (or the standard library) read:
    orjson reads up to 1,024 levels, unless the line has a run of 19 digits, which could be an
    integer past 64 bits (orjson turns those into floats). None when it cannot."""
    import orjson

    if b"0" * 19 in raw.translate(_DIGITS_TO_ZERO):
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MB" if size >= 1 << 20 else f"{size:,} bytes"


def _complete(raw: bytes) -> dict[str, Any] | None:
    """The record a newline-less last line holds, if it is already a whole JSON object."""
    record, _error = parse_line(raw)
    return record


def read_lines(
    path: str | Path,
    offset: int = 0,
    line_no: int = 0,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_line: int | None = None,
) -> Iterator[Line]:
    """Lines of `path` from byte `offset` (whose line number is `line_no + 1`), blank ones too.

    Stops at the end of the file; a trailing partial line is not yielded (its bytes are not
    consumed: the last yielded `end` stays before it) unless it is a complete JSON object.
    A line longer than `max_line` (default `MAX_LINE_BYTES`) is read past without being kept
    and yielded with an error. Raises `NotARegularFile` for anything but a regular file.
    """
    limit = MAX_LINE_BYTES if max_line is None else max_line
    with open(open_regular(path), "rb", closefd=True) as handle:
        handle.seek(offset)
        position = offset
        pending: list[bytes] = []
        held = 0  # bytes in `pending`
        skipping = 0  # bytes of an over-long line passed over so far (0: not skipping)
        while True:
            chunk = handle.read(chunk_size)
            if not chunk:
                break
            start = 0
            while True:
                newline = chunk.find(b"\n", start)
                if newline < 0:
                    rest = len(chunk) - start
                    if skipping:
                        skipping += rest
                    elif held + rest > limit:
                        skipping, pending, held = held + rest, [], 0
                    elif rest:
                        pending.append(chunk[start:])
                        held += rest
                    break
                if skipping or held + newline - start > limit:
                    size = skipping + held + newline - start + 1
                    skipping, pending, held = 0, [], 0
                    position += size
                    line_no += 1
                    reason = f"line of {_mb(size)} is longer than the {_mb(limit)} read"
                    yield Line(line_no, position, size, None, reason)
                    start = newline + 1
                    continue
                if pending:
                    pending.append(chunk[start:newline])
                    raw = b"".join(pending)
                    pending, held = [], 0
                else:
                    raw = chunk[start:newline]
                size = len(raw) + 1
                position += size
                line_no += 1
                record, error = parse_line(raw)
                yield Line(line_no, position, size, record, error)
                start = newline + 1
        if pending:
            raw = b"".join(pending)
            record = _complete(raw)
            if record is not None:
                yield Line(line_no + 1, position + len(raw), len(raw), record, None)
