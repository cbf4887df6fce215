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
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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

    def is_blank(self) -> bool:
        """No schema at all (an empty file, or an SQLite file with no table): opening it writes
        a new store's."""
        return not (self.application_id or self.user_version or self.tables)


def _header_fields(page: bytes) -> tuple[int, int]:
    """(application_id, user_version) from the 100-byte database header."""
    (user_version,) = struct.unpack(">i", page[60:64])
    (application_id,) = struct.unpack(">i", page[68:72])
    return application_id, user_version


def _page_size(header: bytes) -> int:
    size = struct.unpack(">H", header[16:18])[0]
    return 65536 if size == 1 else size


def _checksum(data: bytes, seed: tuple[int, int], big_endian: bool) -> tuple[int, int]:
    """SQLite's WAL checksum of `data` (a multiple of 8 bytes), continuing from `seed`."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    s1, s2 = seed
    for i in range(0, len(words), 2):
        s1 = (s1 + words[i] + s2) & 0xFFFFFFFF
        s2 = (s2 + words[i + 1] + s1) & 0xFFFFFFFF
    return s1, s2


class _Wal:
    """The frames of one WAL generation (those carrying the header's salts), read-only."""

    def __init__(self, handle: BinaryIO, page_size: int) -> None:
        self.handle = handle
        self.page_size = page_size
        self.frames: list[tuple[int, int, int]] = []  # (offset, page number, commit size)
        self.header_sum = (0, 0)
        self.salts = (0, 0)
        self.big_endian = True

    def scan(self) -> bool:
        header = self.handle.read(_WAL_HEADER)
        if len(header) < _WAL_HEADER:
            return False
        magic, _version, wal_page, _seq, salt1, salt2, *header_sum = struct.unpack(">8I", header)
        if magic not in _WAL_MAGICS or wal_page != self.page_size:
            return False
        self.big_endian = magic == _WAL_MAGICS[1]
        self.header_sum = (header_sum[0], header_sum[1])
        self.salts = (salt1, salt2)
        offset = _WAL_HEADER
        step = _FRAME_HEADER + self.page_size
        while True:
            self.handle.seek(offset)
            frame = self.handle.read(16)
            if len(frame) < 16:
                break
            page_no, commit_size, f_salt1, f_salt2 = struct.unpack(">4I", frame)
            if (f_salt1, f_salt2) != self.salts:
                break
            self.frames.append((offset, page_no, commit_size))
            offset += step
        return True

    def intact(self, index: int) -> bytes | None:
        """The page in frame `index`, if the frame is whole and its checksum follows from the one
        before it (a frame being written, or left from an older generation, fails). One read of
        the frame serves both, so a writer reusing the WAL meanwhile cannot slip a page in."""
        if index == 0:
            seed = self.header_sum
        else:
            self.handle.seek(self.frames[index - 1][0] + 16)
            seed = struct.unpack(">2I", self.handle.read(8))
        self.handle.seek(self.frames[index][0])
        frame = self.handle.read(_FRAME_HEADER + self.page_size)
        if len(frame) < _FRAME_HEADER + self.page_size:
            return None
        page_no, commit_size, *salts = struct.unpack(">4I", frame[:16])
        if (page_no, commit_size) != self.frames[index][1:] or tuple(salts) != self.salts:
            return None  # the WAL was restarted since the scan
        expected = struct.unpack(">2I", frame[16:24])
        summed = _checksum(frame[:8], seed, self.big_endian)
        if _checksum(frame[_FRAME_HEADER:], summed, self.big_endian) != expected:
            return None
        return frame[_FRAME_HEADER:]

    def page1(self) -> bytes | None:
        """The first 100 bytes of page 1 as of the newest intact commit, or None."""
        page1_frames = [i for i, (_o, page, _c) in enumerate(self.frames) if page == 1]
        for commit in reversed([i for i, (_o, _p, size) in enumerate(self.frames) if size]):
            if self.intact(commit) is None:
                continue
            before = [i for i in page1_frames if i <= commit]
            if not before:
                return None
            page = self.intact(before[-1])
            if page is None:
                continue  # the log breaks before this commit: try an earlier one
            return page[:100]
        return None


def latest_wal_page1(path: str, page_size: int) -> bytes | None:
    """The newest committed image of page 1 in `path-wal`, or None when the WAL holds none.

    Frames count while they carry the WAL header's salts; the newest commit frame and the
    page-1 frame before it must be whole with checksums that follow from their predecessors'
    (SQLite verifies the whole chain; checking these two is enough to skip a frame a writer is
    writing right now, or one left from an older generation of the WAL).
    """
    try:
        with Path(f"{path}-wal").open("rb") as handle:
            wal = _Wal(handle, page_size)
            return wal.page1() if wal.scan() else None
    except OSError:
        return None


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
    if application_id == APPLICATION_ID:
        return FileIdentity(application_id, user_version, frozenset())
    return FileIdentity(application_id, user_version, _tables(path))


def _tables(path: str) -> frozenset[str]:
    """Table names, read from the file alone (for files without our application id).

    An immutable connection takes no locks, so a checkpoint writing the file meanwhile can make
    one read fail as malformed: a few tries tell that from a damaged file.
    """
    uri = Path(path).absolute().as_uri() + "?immutable=1"
    for attempt in range(5):
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        try:
            return frozenset(
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
        except sqlite3.DatabaseError:
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
        finally:
            conn.close()
    raise AssertionError("unreachable")
