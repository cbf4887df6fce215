"""Opening refuses, before anything is written, a file that is not ours to write: a newer
store (even with a pending WAL), another application's database, a symlink to nothing, and a
file another user owns."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_support import special_store_path

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.store.connection import ScriptConnection
from sessionscope.store.fileid import APPLICATION_ID
from sessionscope.store.schema import MIGRATIONS, SCHEMA_VERSION

OTHER_UID = 65534  # nobody


def _digests(path: Path) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        file = Path(f"{path}{suffix}")
        out[suffix] = hashlib.sha256(file.read_bytes()).hexdigest() if file.exists() else None
    return out


# A writer that commits into the WAL and dies without checkpointing (as after a SIGKILL).
_CRASHING_WRITER = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint = 0")
conn.execute("CREATE TABLE from_the_future (x)")
conn.execute("INSERT INTO from_the_future VALUES (1)")
conn.execute(f"PRAGMA user_version = {int(sys.argv[2])}")
os._exit(0)
"""


def _crash_write(path: Path, version: int) -> None:
    subprocess.run([sys.executable, "-c", _CRASHING_WRITER, str(path), str(version)], check=True)


@pytest.mark.parametrize("readonly", [False, True])
def test_newer_store_with_pending_wal_is_refused_untouched(
    store_path: Path, readonly: bool
) -> None:
    store.open().close()
    _crash_write(store_path, SCHEMA_VERSION + 1)
    before = _digests(store_path)
    assert before["-wal"] is not None and before["-shm"] is not None
    for _ in range(2):
        with pytest.raises(store.SchemaTooNew, match="newer sessionscope"):
            store.open(readonly=readonly)
        assert _digests(store_path) == before
    result = CliRunner().invoke(cli, ["sessions"])
    assert result.exit_code == 1 and "newer sessionscope" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _digests(store_path) == before


def test_own_pending_wal_is_opened_and_kept(store_path: Path) -> None:
    with store.open() as db:
        sid = db.start_session(title="kept")
    _crash_write(store_path, SCHEMA_VERSION)
    with store.open() as db:
        assert db.session(sid).title == "kept"
    conn = sqlite3.connect(store_path)
    assert conn.execute("SELECT x FROM from_the_future").fetchall() == [(1,)]
    conn.close()


def _foreign(path: Path, *, version: int, app_id: int = 0, our_tables: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)")
    conn.execute("INSERT INTO accounts VALUES (1, 10.0)")
    if our_tables:
        conn.execute("CREATE TABLE sessions (id)")
        conn.execute("CREATE TABLE messages (id)")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute(f"PRAGMA application_id = {app_id}")
    conn.close()


@pytest.mark.parametrize(
    ("version", "app_id", "our_tables"),
    [(3, 0, False), (SCHEMA_VERSION, 0, False), (1, 0x12345678, True), (0, 42, False)],
    ids=["v3-no-app-id", "current-no-app-id", "other-app-our-tables", "other-app-v0"],
)
def test_foreign_database_is_refused_untouched(
    store_path: Path, version: int, app_id: int, our_tables: bool
) -> None:
    _foreign(store_path, version=version, app_id=app_id, our_tables=our_tables)
    before = _digests(store_path)
    with pytest.raises(store.NotAStore, match="not a sessionscope store"):
        store.open()
    assert _digests(store_path) == before  # still a rollback-journal file, no -wal, no -shm
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1 and "not a sessionscope store" in result.stdout
    assert _digests(store_path) == before


def test_stores_carry_the_application_id(store_path: Path) -> None:
    store.open().close()
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    # a store from before application ids is recognised by its tables, then marked
    legacy = store_path.with_name("legacy.db")
    conn = sqlite3.connect(legacy, isolation_level=None)
    for number in range(3):
        MIGRATIONS[number](ScriptConnection(conn))  # type: ignore[arg-type]
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    store.open(legacy).close()
    conn = sqlite3.connect(legacy)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_dangling_symlink_is_refused(store_path: Path, tmp_path: Path) -> None:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    missing = tmp_path / "elsewhere" / "not-there.db"
    store_path.symlink_to(missing)
    with pytest.raises(store.UnsafePath, match="symbolic link to a missing file"):
        store.open()
    assert not missing.exists() and not missing.parent.exists()
    empty = tmp_path / "no-transcripts"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["import", "all", str(empty)])
    assert result.exit_code == 1 and "symbolic link" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not missing.exists()


def test_symlink_to_an_existing_store_is_used(store_path: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    store.open(real).close()
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store_path.symlink_to(real)
    with store.open() as db:
        db.start_session(title="through the link")
    with store.open(real) as db:
        assert db.count_sessions() == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
@pytest.mark.parametrize("suffix", ["", "-wal"])
def test_store_owned_by_another_user_is_refused(store_path: Path, suffix: str) -> None:
    with store.open() as db:
        db.start_session(title="mine")
    planted = Path(f"{store_path}{suffix}")
    planted.touch()
    os.chmod(planted, 0o666)
    os.chown(planted, OTHER_UID, OTHER_UID)
    before = _digests(store_path)
    for readonly in (False, True):
        with pytest.raises(store.UnsafePath, match="belongs to another user"):
            store.open(readonly=readonly)
    result = CliRunner().invoke(cli, ["search", "x"])
    assert result.exit_code == 1 and "belongs to another user" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _digests(store_path) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_store_pre_created_by_another_user_is_refused(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(store_path.parent, 0o1777)  # a shared directory
    store_path.touch()
    os.chmod(store_path, 0o666)
    os.chown(store_path, OTHER_UID, OTHER_UID)
    with pytest.raises(store.UnsafePath, match="belongs to another user"):
        store.open()
    assert store_path.stat().st_size == 0
    assert not Path(f"{store_path}-wal").exists()


_APPENDER = """
import pathlib, sys
from sessionscope import store
db = store.open(sys.argv[1])
sid = db.start_session(title="busy")
stop = pathlib.Path(sys.argv[2])
n = 0
while not stop.exists():
    db.append_many(sid, [{"role": "user", "content": f"line {n} " * 40}] * 5)
    n += 1
db.close()
"""


def test_identity_is_read_right_while_a_writer_reuses_the_wal(
    store_path: Path, tmp_path: Path
) -> None:
    """The -wal is rewritten from its start after each checkpoint: frames read mid-rewrite
    must never pass for page 1 (this misread a live store as another application's)."""
    from sessionscope.store.fileid import identify

    store.open().close()
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", _APPENDER, str(store_path), str(stop)])
    try:
        while not Path(f"{store_path}-wal").exists():
            assert writer.poll() is None
            time.sleep(0.02)
        for _ in range(1500):
            found = identify(str(store_path))
            assert (found.application_id, found.user_version) == (APPLICATION_ID, SCHEMA_VERSION)
    finally:
        stop.touch()
        writer.wait(timeout=60)
    assert writer.returncode == 0


_OPENER = """
import sys
from sessionscope import store
try:
    store.open(sys.argv[1], readonly=sys.argv[2] == "ro").close()
except store.UnsafePath as exc:
    print(type(exc).__name__, exc)
"""


@pytest.mark.parametrize("readonly", ["rw", "ro"])
@pytest.mark.parametrize("what", ["fifo", "link to fifo", "device", "fifo -wal"])
def test_a_fifo_or_device_is_refused_not_waited_on(
    tmp_path: Path, what: str, readonly: str
) -> None:
    """A FIFO (or a symlink to one, or /dev/null, or a FIFO where the -wal goes) as the store
    path: `store.open` raises UnsafePath at once, where opening it blocked for ever (run in a
    process with a timeout, so the old behaviour fails instead of hanging the suite)."""
    if what == "fifo -wal":
        path = tmp_path / "s.db"
        store.open(path).close()
        os.mkfifo(f"{path}-wal")
    else:
        path = special_store_path(tmp_path, what)
    mode = os.stat(path).st_mode
    done = subprocess.run(
        [sys.executable, "-c", _OPENER, str(path), readonly],
        capture_output=True,
        text=True,
        timeout=30 if what == "fifo -wal" else 10,
    )
    kind = "character device" if what == "device" else "FIFO"
    assert done.stdout.startswith("UnsafePath "), (done.stdout, done.stderr)
    assert f"is a {kind}, not a store file" in done.stdout
    assert os.stat(path).st_mode == mode  # never chmod'ed (a device above all)
