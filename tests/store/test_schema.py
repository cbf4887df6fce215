"""Schema migrations, version refusal, file checks and permissions."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlite_utils

from sessionscope import store
from sessionscope.store import health, schema
from sessionscope.store.connection import ScriptConnection
from sessionscope.store.schema import MIGRATIONS, SCHEMA_VERSION

EXPECTED_TABLES = {
    "sessions",
    "messages",
    "messages_fts",
    "messages_cjk",
    "projects",
    "agent_configs",
    "experiments",
    "signals",
    "import_state",
    "tool_calls",
    "session_tags",
    "session_marks",
    "summary_leaves",
}
EXPECTED_COLUMNS = {
    "sessions": {
        "id",
        "source",
        "source_ref",
        "title",
        "status",
        "project",
        "cwd",
        "git_branch",
        "model",
        "parent_session_id",
        "experiment_id",
        "variant",
        "config_id",
        "project_id",
        "started_at",
        "updated_at",
        "ended_at",
        "message_count",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_creation_tokens",
        "cost_usd",
        "metadata",
    },
    "messages": {
        "id",
        "session_id",
        "seq",
        "role",
        "created_at",
        "model",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_creation_tokens",
        "cost_usd",
        "external_id",
        "blocks",
        "metadata",
    },
    "summary_leaves": {"leaf_uuid", "session_id", "summary", "updated_at"},
    "import_state": {"path", "source", "size", "mtime", "offset", "line_no", "state", "updated_at"},
    "signals": {"id", "session_id", "kind", "source", "value", "payload", "created_at"},
    "experiments": {
        "id",
        "project_id",
        "champion_config_id",
        "challenger_config_id",
        "traffic_share",
        "status",
        "started_at",
        "ended_at",
        "decided_at",
        "decision",
        "decision_posterior",
        "metadata",
    },
    "agent_configs": {"id", "project_id", "fingerprint", "payload", "role", "created_at"},
    "projects": {
        "id",
        "name",
        "root_path",
        "adapter",
        "champion_config_id",
        "created_at",
        "metadata",
    },
}


EXPECTED_INDEXES = {
    "experiments": {"experiments_one_running"},
    "messages": {
        "messages_api_error",
        "messages_created",
        "messages_external",
        "messages_model",
        "messages_role_created",
        "messages_unpriced",
        "messages_usage",
    },
    "sessions": {
        "sessions_experiment",
        "sessions_parent",
        "sessions_parent_hint",
        "sessions_project",
        "sessions_updated",
    },
    "signals": {"signals_session"},
    "session_tags": {"session_tags_tag"},
    "session_marks": {"session_marks_pinned"},
    "summary_leaves": {"summary_leaves_pending"},
    "tool_calls": {
        "tool_calls_error",
        "tool_calls_message",
        "tool_calls_name",
        "tool_calls_pair",
        "tool_calls_result",
    },
}
EXPECTED_TRIGGERS = {"messages_ad", "messages_au", "tool_calls_ad", "tool_calls_au"}
EXPECTED_VIEWS = {"message_text"}


def _shape(path: Path) -> dict[str, object]:
    """The store's schema as sqlite-utils introspects it: each table's columns and named
    indexes (SQLite's automatic ones left out), the triggers and the views."""
    conn = sqlite3.connect(path)
    try:
        db = sqlite_utils.Database(conn)
        tables = {
            t.name: (
                {c.name for c in t.columns},
                {i.name for i in t.indexes if not i.name.startswith("sqlite_autoindex")},
            )
            for t in db.tables
        }
        return {
            "tables": tables,
            "triggers": {t.name for t in db.triggers},
            "views": set(db.view_names()),
        }
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _schema(path: Path) -> dict[str, set[str]]:
    """Each table's and view's columns, as sqlite-utils reads them."""
    conn = sqlite3.connect(path)
    try:
        db = sqlite_utils.Database(conn)
        return {t.name: {c.name for c in t.columns} for t in [*db.tables, *db.views]}
    finally:
        conn.close()


def _build_at_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    script = ScriptConnection(conn)
    for number in range(version):
        MIGRATIONS[number](script)  # type: ignore[arg-type]
    conn.execute(f"PRAGMA user_version = {version}")
    if version >= 1:
        conn.execute(
            "INSERT INTO sessions (id, source, title, started_at, updated_at) VALUES"
            " ('old', 'api', 'from an old version', '2026-01-01T00:00:00.000Z',"
            " '2026-01-01T00:00:00.000Z')"
        )
        conn.execute(
            "INSERT INTO messages (session_id, seq, role, blocks) VALUES"
            ' (\'old\', 0, \'user\', \'[{"type":"text","text":"legacy needle"}]\')'
        )
        conn.execute(
            "INSERT INTO messages_fts (rowid, text, tools) SELECT id, text, tools FROM message_text"
        )
    conn.close()


def test_new_store_has_every_table_and_column(store_path: Path) -> None:
    store.open().close()
    schema = _schema(store_path)
    assert set(schema) >= EXPECTED_TABLES
    for table, columns in EXPECTED_COLUMNS.items():
        assert columns <= schema[table], (table, columns - schema[table])
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    pk = next(r for r in conn.execute("PRAGMA table_info(messages)") if r[1] == "id")
    assert pk[2] == "INTEGER" and pk[5] == 1  # an explicit integer primary key
    conn.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_migrates_from_each_earlier_version(store_path: Path, version: int) -> None:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    _build_at_version(store_path, version)
    db = store.open()
    assert db.schema_version() == SCHEMA_VERSION
    if version >= 1:
        old = db.load("old")
        assert old is not None and old.title == "from an old version"
        assert [h.session_id for h in db.search("legacy needle")] == ["old"]
    # the migrated store works end to end
    sid = db.start_session(title="after migration")
    db.append(sid, "user", "fresh words")
    assert db.search("fresh words")[0].session_id == sid
    assert db.health().problems == []  # doctor finds this version's whole schema
    db.close()
    schema = _schema(store_path)
    for table, columns in EXPECTED_COLUMNS.items():
        assert columns <= schema[table]


def test_newer_schema_is_refused_and_untouched(store_path: Path) -> None:
    store.open().close()
    conn = sqlite3.connect(store_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = _digest(store_path)
    with pytest.raises(store.SchemaTooNew, match="newer sessionscope"):
        store.open()
    assert _digest(store_path) == before


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database at all\n" * 100,
        os.urandom(8192),
        b"SQLite format 3\x00" + b"\x00" * 50,
    ],
    ids=["text", "random", "truncated"],
)
def test_corrupt_file_is_refused_and_untouched(store_path: Path, content: bytes) -> None:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store_path.write_bytes(content)
    before = _digest(store_path)
    with pytest.raises(store.StoreError):
        store.open()
    assert _digest(store_path) == before


def test_foreign_sqlite_database_is_refused(store_path: Path) -> None:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(store_path)
    conn.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance REAL)")
    conn.execute("INSERT INTO accounts VALUES (1, 10.0)")
    conn.commit()
    conn.close()
    before = _digest(store_path)
    with pytest.raises(store.StoreCorrupt, match="not a sessionscope store"):
        store.open()
    assert _digest(store_path) == before


def test_store_files_are_owner_only(store_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = store.open()
        sid = db.start_session(title="private")
        db.append(sid, "user", "secret-ish")
        files = [store_path, Path(f"{store_path}-wal"), Path(f"{store_path}-shm")]
        for path in files:
            assert path.exists(), path
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode & 0o077 == 0, (path, oct(mode))
        db.close()
    finally:
        os.umask(old)


def test_env_var_and_explicit_path(tmp_path: Path, store_path: Path) -> None:
    assert store.default_path() == store_path
    other = tmp_path / "elsewhere.db"
    store.open(other).close()
    assert other.exists() and not store_path.exists()


def test_default_path_uses_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(store.ENV_VAR)
    path = store.default_path()
    assert path.name == "sessions.db" and "sessionscope" in str(path)


def test_read_only_file_opens_for_reading(store_path: Path) -> None:
    db = store.open()
    sid = db.start_session(title="kept")
    db.append(sid, "user", "readable words")
    db.close()
    ro = store.open(readonly=True)
    assert ro.readonly
    assert ro.search("readable")[0].session_id == sid
    with pytest.raises(store.StoreReadOnly):
        ro.start_session(title="nope")
    ro.close()


def test_schema_after_every_migration_is_the_expected_one(store_path: Path) -> None:
    """Tables, columns, indexes, triggers and views of a new store, read with sqlite-utils."""
    store.open().close()
    shape = _shape(store_path)
    tables = shape["tables"]
    assert isinstance(tables, dict)
    assert set(tables) >= EXPECTED_TABLES
    for table, columns in EXPECTED_COLUMNS.items():
        assert columns <= tables[table][0], (table, columns - tables[table][0])
    indexes = {t: names for t, (_, names) in tables.items() if names}
    assert indexes == EXPECTED_INDEXES
    assert shape["triggers"] == EXPECTED_TRIGGERS
    assert shape["views"] == EXPECTED_VIEWS


@pytest.mark.parametrize("version", [0, 1, SCHEMA_VERSION // 2, SCHEMA_VERSION - 1])
def test_migrating_from_an_old_version_gives_the_new_schema(tmp_path: Path, version: int) -> None:
    """A store migrated from an earlier version has exactly a new store's schema."""
    fresh, old = tmp_path / "fresh.db", tmp_path / "old.db"
    store.open(fresh).close()
    _build_at_version(old, version)
    store.open(old).close()
    assert _shape(old) == _shape(fresh)


def test_schema_check_judges_a_store_by_its_own_version(store_path: Path) -> None:
    """A store at the first version lacks nothing that version should have (what later
    migrations add is not asked of it); with one of its indexes dropped, it does."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    _build_at_version(store_path, 1)
    conn = sqlite3.connect(store_path)
    try:
        assert health.schema_problems(conn, 1) == []
        assert health.schema_problems(conn, SCHEMA_VERSION)  # later migrations' tables
        conn.execute("DROP INDEX sessions_updated")
        assert health.schema_problems(conn, 1) == [
            "schema: index sessions_updated on sessions is missing"
        ]
    finally:
        conn.close()


def test_migration_11_session_marks(tmp_path: Path) -> None:
    """Migration 11 (tags, pins, notes): its tables and indexes on a store of version 10, whose
    sessions are kept; the tables hold no foreign key (marks outlive a session's rewrite)."""
    from sessionscope.store.schema import _m11_session_marks

    path = tmp_path / "v10.db"
    number = MIGRATIONS.index(_m11_session_marks)
    _build_at_version(path, number)
    with store.open(path) as db:
        assert db.session("old") is not None
        assert db.tag("old", "Legacy") == ["legacy"]
        assert db.session("old").pinned is False  # type: ignore[union-attr]
    shape = _shape(path)
    tables = shape["tables"]
    assert isinstance(tables, dict)
    assert tables["session_tags"] == ({"session_id", "tag", "created_at"}, {"session_tags_tag"})
    assert tables["session_marks"] == (
        {"session_id", "pinned_at", "note", "updated_at"},
        {"session_marks_pinned"},
    )
    conn = sqlite3.connect(path)
    try:
        for table in ("session_tags", "session_marks"):
            assert conn.execute(f"PRAGMA foreign_key_list({table})").fetchall() == []
    finally:
        conn.close()


def test_migration_12_adopts_subagents_whose_parent_is_stored(store_path: Path) -> None:
    """Migration 12 (cross-file links): a session that named a parent not imported yet
    (`parent_session_hint`) is linked to it when the parent is already stored, and the hint
    goes; a hint naming no stored session stays; summaries waiting for a leaf have a table."""
    version = MIGRATIONS.index(schema._m12_cross_file_links)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    _build_at_version(store_path, version)
    conn = sqlite3.connect(store_path)
    conn.executemany(
        "INSERT INTO sessions (id, source, started_at, updated_at, metadata) VALUES"
        " (?, 'codex', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?)",
        [
            ("parent", None),
            ("child", '{"parent_session_hint": "parent", "cli_version": "0.128"}'),
            ("orphan", '{"parent_session_hint": "not-here"}'),
            ("odd", "not json"),
        ],
    )
    conn.commit()
    conn.close()
    db = store.open(store_path)
    child, orphan = db.session("child"), db.session("orphan")
    assert child.parent_session_id == "parent"
    assert child.metadata == {"cli_version": "0.128"}
    assert orphan.parent_session_id is None
    assert orphan.metadata["parent_session_hint"] == "not-here"
    assert db.session("odd") is not None
    db.save_leaves({"leaf-1": "parent"}, {"leaf-2": "A summary"})
    assert db.leaf_owner("leaf-1") == "parent"
    assert db.pending_summaries() == {"leaf-2": "A summary"}
    db.close()


def test_a_store_initialised_over_an_empty_file_is_owner_only(store_path: Path) -> None:
    """`touch` under a 022 umask made the file 0644; writing a new store's schema into it makes
    it, its -wal and its -shm 0600, as for a store the code creates. A store that already holds
    data keeps the mode its owner chose."""
    old = os.umask(0o022)
    try:
        store_path.parent.mkdir(parents=True, exist_ok=True)
        store_path.touch()
        assert stat.S_IMODE(store_path.stat().st_mode) == 0o644
        db = store.open()
        sid = db.start_session(title="x")
        db.append(sid, "user", "pw")
        for path in (store_path, Path(f"{store_path}-wal"), Path(f"{store_path}-shm")):
            assert path.exists(), path
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path, oct(path.stat().st_mode))
        db.close()
        store_path.chmod(0o640)  # the owner's choice for a store with data: kept
        with store.open() as db:
            db.append(sid, "user", "more")
        assert stat.S_IMODE(store_path.stat().st_mode) == 0o640
    finally:
        os.umask(old)
