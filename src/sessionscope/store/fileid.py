"""What a file on disk is, found without writing a byte to it, its `-wal` or its `-shm`.

Opening a WAL database through SQLite, even read-only, rewrites its `-shm` index, and closing
the last read-write connection checkpoints a pending `-wal` into the file. So before a store is
opened for writing, its identity (application id), schema version and tables are read from the
file itself (an `immutable` connection, which takes no locks and ignores the WAL) and from the
latest committed copy of its first page in the `-wal` (parsed here, read-only).
"""

from __future__ import annotations

import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

# `PRAGMA application_id` of every sessionscope store ("SsSc").
APPLICATION_ID = 0x53735363

_MAGIC = b"SQLite format 3\x00"
_WAL_MAGICS = (0x377F0682, 0x377F0683)
_WAL_HEADER = 32
_FRAME_HEADER = 24


@dataclass(frozen=True)
class FileIdentity:
    """The committed header fields of a database file and the names of its tables."""

    application_id: int
    user_version: int
    tables: frozenset[str]


def _header_fields(page: bytes) -> tuple[int, int]:
    """(application_id, user_version) from the 100-byte database header."""
    (user_version,) = struct.unpack(">i", page[60:64])
    (application_id,) = struct.unpack(">i", page[68:72])
    return application_id, user_version


def _page_size(header: bytes) -> int:
    size = struct.unpack(">H", header[16:18])[0]
    return 65536 if size == 1 else size


def latest_wal_page1(path: str, page_size: int) -> bytes | None:
    """The newest committed image of page 1 in `path-wal`, or None when the WAL holds none.

    Frames count while they carry the WAL header's salts, are whole, and end in a commit
    frame; a torn or stale tail is ignored, as SQLite itself would (frame checksums are not
    recomputed: salts and commit marks already tell this generation's frames from old ones).
    """
    wal = Path(f"{path}-wal")
    try:
        handle = wal.open("rb")
    except OSError:
        return None
    with handle:
        header = handle.read(_WAL_HEADER)
        if len(header) < _WAL_HEADER:
            return None
        magic, _version, wal_page, _seq, salt1, salt2 = struct.unpack(">6I", header[:24])
        if magic not in _WAL_MAGICS or wal_page != page_size:
            return None
        committed: int | None = None  # offset of the newest page-1 frame as of the last commit
        candidate: int | None = None
        offset = _WAL_HEADER
        while True:
            handle.seek(offset)
            frame = handle.read(_FRAME_HEADER)
            if len(frame) < _FRAME_HEADER:
                break
            page_no, commit_size, f_salt1, f_salt2 = struct.unpack(">4I", frame[:16])
            if (f_salt1, f_salt2) != (salt1, salt2):
                break
            handle.seek(offset + _FRAME_HEADER + page_size - 1)
            if len(handle.read(1)) < 1:
                break  # a torn last frame
            if page_no == 1:
                candidate = offset
            if commit_size:
                committed = candidate
            offset += _FRAME_HEADER + page_size
        if committed is None:
            return None
        handle.seek(committed + _FRAME_HEADER)
        return handle.read(100)


def identify(path: str) -> FileIdentity:
    """Read a database file's identity without modifying it, its `-wal` or its `-shm`.

    Raises sqlite3.DatabaseError when the file is not an SQLite database.
    """
    with open(path, "rb") as handle:
        header = handle.read(100)
    if not header:
        return FileIdentity(0, 0, frozenset())
    if len(header) < 100 or not header.startswith(_MAGIC):
        raise sqlite3.DatabaseError("file is not a database")
    application_id, user_version = _header_fields(header)
    page1 = latest_wal_page1(path, _page_size(header))
    if page1 is not None and len(page1) == 100:
        application_id, user_version = _header_fields(page1)
    uri = Path(path).absolute().as_uri() + "?immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        tables = frozenset(
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        )
    finally:
        conn.close()
    return FileIdentity(application_id, user_version, tables)
