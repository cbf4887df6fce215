"""Integrity checks for a store: its schema against this version's, SQLite's own, the FTS
indexes', and index-versus-content."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from . import bulkindex, toolcalls
from .connection import ScriptConnection
from .schema import MIGRATIONS

_TOKENIZE = "unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class Health:
    """What `examine` found, all of it as of one moment."""

    schema_version: int
    sessions: int
    messages: int
    problems: list[str]


def examine(conn: sqlite3.Connection, *, full: bool = False) -> Health:
    """Check a store (an empty `problems` list means healthy), with its counts.

    Always: the schema (every table, column, index, trigger and view this version's migrations
    create is there), `PRAGMA quick_check` (`integrity_check` with `full`), FTS5's own integrity checks,
    and tool_calls against the messages. With `full`, also rebuild the full-text index from the
    messages in a temporary table and compare every term's document and occurrence counts with
    the stored index (catches stale or missing entries; costs about as much as indexing the
    whole store once), and compare every tool call and its pairing.

    Everything but FTS5's own checks (single statements, each consistent on its own) runs in
    one read transaction: writers go on meanwhile, and the check sees none of their changes.
    """
    bulkindex.flush(conn)  # this connection's own bulk writes, not indexed yet
    problems = _fts_checks(conn)
    with _snapshot(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        sessions = conn.execute("SELECT count(*) FROM sessions").fetchone()[0]
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        problems.extend(schema_problems(conn, version))
        pragma = "integrity_check" if full else "quick_check"
        for (row,) in conn.execute(f"PRAGMA {pragma}"):
            if row != "ok":
                problems.append(f"sqlite: {row}")
        orphans = conn.execute(
            "SELECT count(*) FROM messages_cjk WHERE rowid NOT IN (SELECT id FROM messages)"
        ).fetchone()[0]
        if orphans:
            problems.append(f"messages_cjk: {orphans} rows for messages that no longer exist")
        if full:
            problems.extend(_compare_index(conn))
        problems.extend(toolcalls.check(conn, full=full))
    return Health(version, sessions, messages, problems)


def check(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    """Problems found by `examine` (an empty list means healthy)."""
    return examine(conn, full=full).problems


@dataclass(frozen=True)
class Shape:
    """A store's schema as sqlite-utils introspects it (SQLite's automatic indexes left out)."""

    columns: dict[str, frozenset[str]]  # table -> its columns
    indexes: dict[str, str]  # index -> its table
    triggers: dict[str, str]  # trigger -> its table
    views: frozenset[str]


def shape(conn: sqlite3.Connection) -> Shape:
    """The schema of the database behind `conn` (read only: no pragma set, no plug-in run)."""
    import sqlite_utils  # only doctor needs it: the store's import stays light

    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    tables = db.tables
    return Shape(
        columns={t.name: frozenset(c.name for c in t.columns) for t in tables},
        indexes={
            i.name: t.name
            for t in tables
            for i in t.indexes
            if not i.name.startswith("sqlite_autoindex_")
        },
        triggers={t.name: t.table for t in db.triggers},
        views=frozenset(db.view_names()),
    )


@functools.cache
def expected_shape(version: int) -> Shape:
    """The schema the first `version` migrations give a new store (built in memory, once)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        script = ScriptConnection(conn)
        for migration in MIGRATIONS[:version]:
            migration(script)  # type: ignore[arg-type]
        return shape(conn)
    finally:
        conn.close()


def schema_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """What the schema of a store at `version` has and this store lacks: a missing table,
    column, index, trigger or view (a dropped trigger silently stops the search index following
    edits). What the store has beyond it (a user's own index, say) is no problem."""
    want, have = expected_shape(min(version, len(MIGRATIONS))), shape(conn)
    problems: list[str] = []
    for table, columns in want.columns.items():
        if table not in have.columns:
            problems.append(f"schema: table {table} is missing")
        elif missing := sorted(columns - have.columns[table]):
            problems.append(f"schema: table {table} lacks column(s) {', '.join(missing)}")
    for kind, wanted, found in (
        ("index", want.indexes, have.indexes),
        ("trigger", want.triggers, have.triggers),
    ):
        for name, table in wanted.items():
            if name not in found and table in have.columns:
                problems.append(f"schema: {kind} {name} on {table} is missing")
    problems.extend(f"schema: view {name} is missing" for name in sorted(want.views - have.views))
    return problems


@contextmanager
def _snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """One read transaction for the block (the caller's, when one is already open)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        yield
    finally:
        conn.execute("ROLLBACK")


def _fts_checks(conn: sqlite3.Connection) -> list[str]:
    """FTS5's own integrity checks (a write statement each, so outside any read snapshot)."""
    problems: list[str] = []
    for table in ("messages_fts", "messages_cjk"):
        try:
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            if "readonly" in str(exc):
                continue  # a read-only connection cannot run FTS5's check command (full: compare)
            problems.append(f"{table}: {exc}")
    return problems


def _compare_index(conn: sqlite3.Connection) -> list[str]:
    conn.execute("DROP TABLE IF EXISTS temp.check_fts")
    conn.execute("DROP TABLE IF EXISTS temp.check_vocab")
    conn.execute("DROP TABLE IF EXISTS temp.store_vocab")
    conn.execute(
        f'CREATE VIRTUAL TABLE temp.check_fts USING fts5(text, tools, tokenize="{_TOKENIZE}")'
    )
    conn.execute(
        "INSERT INTO temp.check_fts (rowid, text, tools) SELECT id, text, tools FROM message_text"
    )
    conn.execute("CREATE VIRTUAL TABLE temp.check_vocab USING fts5vocab(temp, check_fts, 'col')")
    conn.execute("CREATE VIRTUAL TABLE temp.store_vocab USING fts5vocab(main, messages_fts, 'col')")
    try:
        differing = (
            conn.execute(
                "SELECT count(*) FROM (SELECT term, col, doc, cnt FROM temp.check_vocab"
                " EXCEPT SELECT term, col, doc, cnt FROM temp.store_vocab)"
            ).fetchone()[0]
            + conn.execute(
                "SELECT count(*) FROM (SELECT term, col, doc, cnt FROM temp.store_vocab"
                " EXCEPT SELECT term, col, doc, cnt FROM temp.check_vocab)"
            ).fetchone()[0]
        )
    finally:
        for name in ("check_vocab", "store_vocab", "check_fts"):
            conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    if differing:
        return [
            f"messages_fts: {differing} index terms disagree with the messages (rebuild needed)"
        ]
    return []
