"""Opening the SQLite file: permissions, version checks, migrations, per-thread connections.

A `Connections` object hands each thread its own connection (WAL lets readers and one writer work
at once), or, for `:memory:`, one shared connection behind a lock. Writes run in immediate
transactions, retried with backoff when another process holds the write lock.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from . import bulkindex
from .checkpointer import Checkpointer
from .errors import (
    Interrupted,
    InvalidInput,
    NotAStore,
    SchemaTooNew,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreReadOnly,
)
from .paths import check_path, create_store_file, make_owner_only
from .schema import MIGRATIONS, SCHEMA_VERSION

# pathlib, random and fileid (dataclasses) are imported where used: `sessionscope search` opens
# a connection without them
TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import TypeVar

    from .fileid import FileIdentity

    T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
# During a bulk import, a WAL checkpoint every this many pages (about 64 MB at 4 KB pages)
BULK_CHECKPOINT_PAGES = 16_000
RETRY_DEADLINE_S = 300.0
CLOSE_WAIT_S = 5.0
# Errors of a read-only open of a WAL file whose -shm index cannot be created.
_NO_WAL_INDEX = ("SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_CANTINIT", "SQLITE_CANTOPEN")
# Tables a sessionscope store has from migration 1 on; a version-0 file with other tables is not ours.
_OUR_TABLES = {"sessions", "messages"}


# Virtual-machine steps between two looks at the cancel flag of the running call.
PROGRESS_STEPS = 1_000
_active = threading.local()  # the CancelToken of this thread's cancellable call, if any


class CancelToken:
    """Cancels the store reads made under it (`Store.cancellable(token)`), from any thread.

    `cancel()` marks the token and interrupts the SQLite statement running under it; every
    later read under it raises `Interrupted` before it starts. A UI worker makes a new token
    for each query and cancels the previous one, so a superseded query stops at once.
    """

    def __init__(self) -> None:
        self.cancelled = False
        self._lock = threading.Lock()
        self._conns: list[sqlite3.Connection] = []

    def cancel(self) -> None:
        """Stop the reads under this token (a no-op once they have finished)."""
        with self._lock:
            self.cancelled = True
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.interrupt()

    def _attach(self, conn: sqlite3.Connection | None) -> None:
        with self._lock:
            if self.cancelled:
                raise Interrupted("the read was cancelled by a newer one.")
            if conn is not None:
                self._conns.append(conn)

    def _detach(self, conn: sqlite3.Connection | None) -> None:
        with self._lock:
            if conn is not None:
                self._conns.remove(conn)


def cancel_requested() -> bool:
    """Whether this thread's cancellable call was cancelled (for other progress handlers)."""
    token = getattr(_active, "token", None)
    return token is not None and token.cancelled


def _progress() -> int:
    return 1 if cancel_requested() else 0


def restore_progress(conn: sqlite3.Connection) -> None:
    """Put back the cancel check of this thread's cancellable call (or none) on `conn`, for a
    caller that had installed a progress handler of its own."""
    if getattr(_active, "token", None) is not None:
        conn.set_progress_handler(_progress, PROGRESS_STEPS)
    else:
        conn.set_progress_handler(None, 0)


def _decode_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def split_script(script: str) -> Iterator[str]:
    """The statements of an SQL script (triggers included), for running inside a transaction."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        yield buffer


class ScriptConnection:
    """A thin wrapper that lets migrations call `executescript` without an implicit COMMIT."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def executescript(self, script: str) -> None:
        for statement in split_script(script):
            self._conn.execute(statement)

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)


def translate(exc: sqlite3.Error, path: str) -> StoreError:
    """A sqlite3 error as a typed store error with one clear sentence."""
    text = str(exc)
    lower = text.lower()
    if "interrupt" in lower and cancel_requested():
        return Interrupted("the read was cancelled by a newer one.")
    if isinstance(exc, (sqlite3.ProgrammingError, sqlite3.InterfaceError)) and "binding" in lower:
        return InvalidInput(f"a value has a type the store cannot hold ({text}).")
    if "not a database" in lower or "malformed" in lower or "corrupt" in lower:
        return StoreCorrupt(f"{path} is not a sessionscope store or is damaged ({text}).")
    if "readonly" in lower or "read-only" in lower:
        return StoreReadOnly(
            f"{path} is read-only; the write was refused (anything committed earlier is kept)."
        )
    if "locked" in lower or "busy" in lower:
        return StoreBusy(f"{path} stayed locked by other writers; nothing was written.")
    if "disk is full" in lower or "disk i/o" in lower:
        return StoreError(
            f"writing {path} failed ({text}); that transaction was rolled back, and anything "
            "committed before it is kept."
        )
    if "unable to open" in lower:
        return StoreError(f"cannot open {path} ({text}).")
    return StoreError(f"{path}: {text}.")


def surrogate_error() -> InvalidInput:
    """What binding a string with a lone surrogate (which UTF-8 cannot encode) raises."""
    return InvalidInput(
        "a value holds a lone surrogate (U+D800..U+DFFF), which SQLite can neither store nor "
        "look up."
    )


def overflow_error() -> InvalidInput:
    """What binding an integer past 64 bits raises."""
    return InvalidInput("a number is too large for the store (integers are at most 64 bits).")


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class Connections:
    """Per-thread connections to one store file (or one locked connection for `:memory:`)."""

    def __init__(self, path: str, *, readonly: bool = False, mmap_mb: int = 1024) -> None:
        self.path = path
        self.memory = path == ":memory:" or path.startswith("file::memory:")
        self.readonly = readonly
        self.mmap_bytes = max(0, int(mmap_mb)) * 1024 * 1024
        self._local = threading.local()
        self._lock = threading.RLock()
        # every connection opened, with the lock its thread holds while using it (close waits)
        self._all: list[tuple[sqlite3.Connection, threading.RLock]] = []
        self._finishing: list[Checkpointer] = []  # bulk blocks' last checkpoints, still running
        self._shared: sqlite3.Connection | None = None
        self._closed = False

    # -- opening -----------------------------------------------------------------------------

    def _raw_connect(self, readonly: bool) -> sqlite3.Connection:
        if self.memory:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        elif readonly:
            conn = self._readonly_connect()
        else:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.text_factory = _decode_text
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -32000")
        conn.execute(f"PRAGMA mmap_size = {self.mmap_bytes}")
        return conn

    def _readonly_connect(self) -> sqlite3.Connection:
        """A read-only connection, also for a store in a directory this process cannot write.

        SQLite reads a WAL-mode file through its `-shm` index, which it cannot create in a
        read-only directory. When no `-wal` is pending (the last writer closed cleanly), the file
        alone is the whole store and is opened immutable; otherwise that is a clear error.
        """
        from pathlib import Path

        uri = Path(self.path).absolute().as_uri()
        conn = sqlite3.connect(
            uri + "?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA user_version").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            conn.close()
            if getattr(exc, "sqlite_errorname", "") not in _NO_WAL_INDEX:
                raise
        if Path(self.path + "-wal").exists():
            raise StoreError(
                f"cannot read {self.path}: its directory is read-only and it has unfinished "
                f"writes in {self.path}-wal; open it once where it can be written."
            )
        return sqlite3.connect(
            uri + "?immutable=1", uri=True, isolation_level=None, check_same_thread=False
        )

    def open(self) -> None:
        """Check the file, create it owner-only if new, migrate it, and switch it to WAL.

        Nothing is written (not even by SQLite's own housekeeping) before the file is known to
        be a sessionscope store of this version or older, and owned by this user.
        """
        if not self.memory:
            from pathlib import Path

            target = Path(self.path)
            check_path(target)
            if not target.exists():
                if self.readonly:
                    raise StoreError(f"{self.path} does not exist.")
                create_store_file(target)
            else:
                found = self._inspect()
                if (not self.readonly and not os.access(target, os.W_OK)) or (
                    not self.readonly
                    and not os.access(target.parent, os.W_OK)
                    and not Path(str(target) + "-wal").exists()
                ):
                    self.readonly = True
                if not self.readonly and found.is_blank():
                    make_owner_only(target)  # its schema is written now: a new store
        try:
            conn = self.connection()
            version = self._check(conn)
            if version < SCHEMA_VERSION:
                if self.readonly:
                    raise StoreReadOnly(
                        f"{self.path} needs an upgrade to schema {SCHEMA_VERSION} but is read-only."
                    )
                self._migrate(conn)
            if not self.memory and not self.readonly:
                mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                if mode.lower() != "wal":
                    self.retrying(lambda: conn.execute("PRAGMA journal_mode = WAL"))
        except sqlite3.Error as exc:
            self.close()
            raise translate(exc, self.path) from None
        except StoreError:
            self.close()
            raise

    def _inspect(self) -> FileIdentity:
        """Refuse a foreign or newer file from what is on disk, before SQLite opens it; what
        the file is."""
        from .fileid import identify

        try:
            found = identify(self.path)
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from None
        except OSError as exc:
            raise StoreError(f"cannot read {self.path} ({exc.strerror}).") from None
        self._judge(found.application_id, found.user_version, found.tables)
        return found

    def _judge(self, application_id: int, version: int, tables: Iterable[str]) -> None:
        """Raise NotAStore or SchemaTooNew unless the file is a store this version can open."""
        from .fileid import APPLICATION_ID

        if application_id not in (0, APPLICATION_ID):
            raise NotAStore(
                f"{self.path} is an SQLite database of another application (application id "
                f"{application_id}), not a sessionscope store; it was not modified."
            )
        # Stores from before application ids: recognised by their tables (a new file has none).
        if application_id == 0 and (version or set(tables)) and not set(tables) >= _OUR_TABLES:
            raise NotAStore(
                f"{self.path} is an SQLite database but not a sessionscope store; "
                "it was not modified."
            )
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{self.path} was written by a newer sessionscope (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); upgrade sessionscope to open it. It was not modified."
            )

    def _check(self, conn: sqlite3.Connection) -> int:
        """The schema version, after the same judgement as `_inspect` through a connection (the
        file may have changed since it was inspected)."""
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        self._judge(application_id, version, tables)
        return int(version)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        def run(c: sqlite3.Connection) -> None:
            version = self._check(c)  # another process may have migrated meanwhile
            script = ScriptConnection(c)
            for number in range(version, SCHEMA_VERSION):
                MIGRATIONS[number](script)  # type: ignore[arg-type]
                c.execute(f"PRAGMA user_version = {number + 1}")

        self.write(run)

    # -- connections ---------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (the shared one for `:memory:`)."""
        if self._closed:
            raise StoreError("the store is closed.")
        if self.memory:
            if self._shared is None:
                self._shared = self._raw_connect(False)
                self._all.append((self._shared, self._lock))
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._raw_connect(self.readonly)
            self._local.conn = conn
            self._local.lock = threading.RLock()
            with self._lock:
                self._all.append((conn, self._local.lock))
        return conn

    @contextlib.contextmanager
    def use(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, held for the block (`close` waits for it); serialised
        across threads for `:memory:`."""
        if self.memory:
            with self._lock:
                yield self.connection()
            return
        conn = self.connection()
        with self._local.lock:
            if self._closed:
                raise StoreError("the store is closed.")
            yield conn

    @contextlib.contextmanager
    def cancellable(self, token: CancelToken | None) -> Iterator[None]:
        """Run this thread's reads in the block under `token`: `token.cancel()` (from any
        thread) stops the running statement, and the block raises `Interrupted`, also when
        it was cancelled after its last statement (its result is stale either way)."""
        if token is None:
            yield
            return
        with self.use() as conn:
            outer = getattr(_active, "token", None)
            # a per-thread connection may be interrupted from another thread; the shared
            # `:memory:` one serves other threads too, so there only the handler stops it
            token._attach(None if self.memory else conn)
            _active.token = token
            conn.set_progress_handler(_progress, PROGRESS_STEPS)
            try:
                yield
            except StoreError:
                if token.cancelled:
                    raise Interrupted("the read was cancelled by a newer one.") from None
                raise
            finally:
                _active.token = outer
                restore_progress(conn)
                token._detach(None if self.memory else conn)
            if token.cancelled:
                raise Interrupted("the read was cancelled by a newer one.")

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """Settings for a bulk import on this thread's connection, for the block: the WAL is
        checkpointed after each commit on a thread of its own (`Checkpointer`, started by the
        first commit), by this connection at most every BULK_CHECKPOINT_PAGES pages (not every
        1,000), and once more after the block on that thread (PASSIVE: never waits for readers;
        `close` waits for it), and the search-index rows of each transaction begun in it are
        written at its commit (see `bulkindex`)."""
        if self.readonly or self.memory:
            yield
            return
        with self.use() as conn:
            before = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
            conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
            nested = getattr(self._local, "bulk", False)
            self._local.bulk = True
            try:
                yield
            finally:
                self._local.bulk = nested
                conn.execute(f"PRAGMA wal_autocheckpoint = {before}")
                checkpointer = None if nested else getattr(self._local, "checkpointer", None)
                if checkpointer is not None:
                    # the last checkpoint runs on its thread; `close` waits for it
                    self._local.checkpointer = None
                    checkpointer.finish()
                    with self._lock:
                        self._finishing = [c for c in self._finishing if c.alive] + [checkpointer]

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection for reads, its SQLite errors translated to store errors."""
        with self.use() as conn:
            try:
                yield conn
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from None
            except UnicodeEncodeError:
                raise surrogate_error() from None
            except OverflowError:
                raise overflow_error() from None

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self.reading() as conn:
            return fn(conn)

    @property
    def depth(self) -> int:
        return getattr(self._local, "depth", 0)

    def plain_known(self) -> bool:
        """True when this thread's open write transaction already found that the store does
        not redact (`know_plain`): it holds the write lock, so no one else can turn it on."""
        return getattr(self._local, "depth", 0) > 0 and getattr(self._local, "plain", False)

    def know_plain(self) -> None:
        """Remember, for this thread's open write transaction, that the store does not redact."""
        if getattr(self._local, "depth", 0) > 0:
            self._local.plain = True

    def retrying(self, fn: Callable[[], T]) -> T:
        deadline = time.monotonic() + RETRY_DEADLINE_S
        delay = 0.005
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
                import random

                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.25)

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn` in one immediate transaction (or inside the caller's open transaction).

        Waiting happens at BEGIN IMMEDIATE (busy timeout, then retries with backoff): once it
        holds the write lock, a WAL writer's statements and COMMIT do not meet SQLITE_BUSY.
        """
        with self.transaction() as conn:
            return fn(conn)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Group several writes into one all-or-nothing transaction (re-entrant).

        Inside an open transaction, each nested one is a savepoint: when it fails, only its own
        statements are undone, and the caller may go on with the outer transaction.
        """
        if self.readonly:
            raise StoreReadOnly(f"{self.path} is open read-only; nothing was written.")
        with self.use() as conn:
            depth = self.depth
            if depth:
                savepoint = f"sessionscope_{depth}"
                conn.execute(f"SAVEPOINT {savepoint}")
                bulkindex.savepoint(conn)
            else:
                self._unmap_for_writing(conn)
                try:
                    self.retrying(lambda: conn.execute("BEGIN IMMEDIATE"))
                except sqlite3.Error as exc:
                    raise translate(exc, self.path) from None
                self._local.plain = False  # see `plain_known`
                if getattr(self._local, "bulk", False):
                    bulkindex.begin(conn)
            self._local.depth = depth + 1
            try:
                yield conn
                if depth:
                    conn.execute(f"RELEASE {savepoint}")
                    bulkindex.release(conn)
                else:
                    bulkindex.flush(conn)
                    conn.execute("COMMIT")
                    bulkindex.end(conn)
                    if getattr(self._local, "bulk", False):
                        self._poke_checkpointer()
            except BaseException as exc:
                if depth:
                    conn.execute(f"ROLLBACK TO {savepoint}")
                    conn.execute(f"RELEASE {savepoint}")
                    bulkindex.rollback_to(conn)
                else:
                    bulkindex.end(conn)
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise translate(exc, self.path) from None
                if isinstance(exc, UnicodeEncodeError):
                    raise surrogate_error() from None
                if isinstance(exc, OverflowError):
                    raise overflow_error() from None
                raise
            finally:
                self._local.depth = depth

    def _poke_checkpointer(self) -> None:
        """Checkpoint the pages just committed beside this thread's work (the thread starts
        at a bulk block's first commit: a run that writes nothing starts none)."""
        checkpointer = getattr(self._local, "checkpointer", None)
        if checkpointer is None:
            checkpointer = self._local.checkpointer = Checkpointer(self.path)
        checkpointer.poke()

    def _unmap_for_writing(self, conn: sqlite3.Connection) -> None:
        """A connection that writes stops memory-mapping the file.

        Pages read through the map count as the process's resident memory, and a bulk writer
        (an import of a 500 MB transcript) would touch most of the file; reading connections,
        which is where the map pays off, keep it.
        """
        if self.mmap_bytes and not getattr(self._local, "unmapped", False):
            conn.execute("PRAGMA mmap_size = 0")
            self._local.unmapped = True

    def close(self) -> None:
        """Close every thread's connection, each once its thread is done with it.

        A thread still inside a call (a worker polling the store while an app shuts down) is
        waited for, up to a few seconds, instead of having its connection freed under it.
        """
        with self._lock:
            self._closed = True
            entries, self._all = self._all, []
            finishing, self._finishing = self._finishing, []
            self._shared = None
        for checkpointer in finishing:
            checkpointer.join(CLOSE_WAIT_S)
        for conn, lock in entries:
            if not lock.acquire(timeout=CLOSE_WAIT_S):
                continue  # still busy: leave it to the garbage collector rather than crash
            try:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            finally:
                lock.release()
