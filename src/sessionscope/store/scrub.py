"""Turn redaction on for an existing store and rewrite it in place (`sessionscope redact`).

Order matters: the store's `redact` setting goes on first, so every writer (this process or
another) redacts from then on; then sessions (their fields, and an id holding a secret becomes
its key in every table naming it: `redact_keys`), messages (in batches), import states, signals
(payload and source), notes, tags, projects, agent configs and experiments are rewritten where
redaction changes them; the search and trigram indexes are rebuilt
from the rewritten messages; and with `secure_delete` on, freed pages are zeroed, a VACUUM copies
the live pages into a fresh file and a TRUNCATE checkpoint empties the WAL, so no old page stays
readable in the `.db` or `-wal` files.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from . import blocks as blockcodec
from . import bulkindex
from .experiment_args import canonical_json as canonical
from .marks import redact_notes
from .redact import (
    SESSION_TEXT_FIELDS,
    kinds_in,
    redact,
    redact_id,
    redact_text,
)
from .redact_keys import redact_key, redact_tag

if TYPE_CHECKING:
    from .connection import Connections

BATCH = 500


@dataclass(slots=True)
class ScrubReport:
    """What `scrub` changed."""

    sessions: int = 0
    messages: int = 0
    import_states: int = 0
    signals: int = 0
    notes: int = 0
    tags: int = 0
    projects: int = 0  # projects, agent configs and experiments
    kinds: dict[str, int] = field(default_factory=dict)
    wal_emptied: bool = True
    seconds: float = 0.0

    @property
    def secrets(self) -> int:
        return sum(self.kinds.values())

    def count(self, old: list[Any], new: list[Any]) -> None:
        """Add the redaction marks `new` holds beyond those `old` held."""
        before = kinds_in(str(v) for v in old if v is not None)
        for kind, n in kinds_in(str(v) for v in new if v is not None).items():
            if n > before.get(kind, 0):
                self.kinds[kind] = self.kinds.get(kind, 0) + n - before.get(kind, 0)

    def count_keys(self, old: list[str]) -> None:
        """Add the secrets in identifiers rewritten as keys (`redact_keys`: no marks in them)."""
        self.count([], [redact_text(v) for v in old])

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.kinds.items(), key=lambda x: -x[1]))
        found = f"{self.secrets} secrets ({kinds})" if self.secrets else "no secrets"
        places = (
            f"{self.sessions} sessions, {self.messages} messages, "
            f"{self.import_states} import states, {self.signals} signals"
            + (f", {self.notes} notes" if self.notes else "")
            + (f", {self.tags} tags" if self.tags else "")
            + (f", {self.projects} projects, configs and experiments" if self.projects else "")
        )
        wal = "" if self.wal_emptied else " (the WAL is still in use by another process)"
        return (
            f"Redaction is on for this store: redacted {found} in {places}; search index "
            f"rebuilt, old pages wiped and the file compacted{wal} in {self.seconds:.1f} s."
        )


def _json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _sessions(conn: sqlite3.Connection, report: ScrubReport, changed: set[str]) -> None:
    columns = (*SESSION_TEXT_FIELDS, "parent_session_id", "metadata")
    rows = conn.execute(f"SELECT id, {', '.join(columns)} FROM sessions").fetchall()
    for sid, *values in rows:
        new = [redact_text(v) if isinstance(v, str) else v for v in values[:-2]]
        parent = values[-2]
        new.append(redact_key(parent) if isinstance(parent, str) else parent)
        meta = blockcodec.decode_metadata(values[-1])
        new_meta = redact(meta) if meta else meta
        if new == values[:-1] and new_meta == meta:
            continue
        encoded = blockcodec.encode_metadata(new_meta)
        sets = ", ".join(f"{c} = ?" for c in columns)
        conn.execute(f"UPDATE sessions SET {sets} WHERE id = ?", (*new, encoded, sid))
        changed.add(sid)
        report.count(values, [*new, encoded])
        if new[-1] != parent:
            report.count_keys([parent])


# Every column naming a session by its id (`sessions.parent_session_id` is done with the rest of
# the session's fields).
_SESSION_ID_COLUMNS = (
    ("messages", "session_id"),
    ("tool_calls", "session_id"),
    ("signals", "session_id"),
    ("session_tags", "session_id"),
    ("session_marks", "session_id"),
    ("summary_leaves", "session_id"),
)


def _session_ids(conn: sqlite3.Connection, report: ScrubReport, changed: set[str]) -> None:
    """Give each session whose id holds a secret its key (`redact_keys`), in every table."""
    conn.execute("PRAGMA defer_foreign_keys = ON")  # messages name the old id until the end
    for (sid,) in conn.execute("SELECT id FROM sessions").fetchall():
        key = redact_key(sid)
        if key == sid:
            continue
        conn.execute("UPDATE sessions SET id = ? WHERE id = ?", (key, sid))
        for table, column in _SESSION_ID_COLUMNS:
            conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (key, sid))
        changed.add(sid)
        report.count_keys([sid])


def _signal_sources(conn: sqlite3.Connection, report: ScrubReport) -> int:
    changed = 0
    for rowid, source in conn.execute("SELECT id, source FROM signals").fetchall():
        new = redact_text(source)
        if new != source:
            conn.execute("UPDATE signals SET source = ? WHERE id = ?", (new, rowid))
            report.count([source], [new])
            changed += 1
    return changed


def _tags(conn: sqlite3.Connection, report: ScrubReport) -> None:
    for sid, tag in conn.execute("SELECT session_id, tag FROM session_tags").fetchall():
        new = redact_tag(tag)
        if new == tag:
            continue
        conn.execute(
            "UPDATE OR REPLACE session_tags SET tag = ? WHERE session_id = ? AND tag = ?",
            (new, sid, tag),
        )
        report.tags += 1
        report.count_keys([tag if redact_text(tag) != tag else tag.upper()])


def _projects(conn: sqlite3.Connection, report: ScrubReport) -> None:
    """Projects (name, root path, adapter, metadata), configs' payloads, experiments' metadata."""
    rows = conn.execute("SELECT id, name, root_path, adapter FROM projects").fetchall()
    for pid, name, *texts in rows:
        new = [redact_text(v) if isinstance(v, str) else v for v in texts]
        key = redact_key(name)
        if (key, *new) == (name, *texts):
            continue
        conn.execute(
            "UPDATE projects SET name = ?, root_path = ?, adapter = ? WHERE id = ?",
            (key, *new, pid),
        )
        report.projects += 1
        report.count(texts, new)
        if key != name:
            report.count_keys([name])
    report.projects += _json_column(conn, "projects", "id", "metadata", report)
    report.projects += _json_column(conn, "agent_configs", "id", "payload", report, canonical)
    report.projects += _json_column(conn, "experiments", "id", "metadata", report)


def _messages(conn: sqlite3.Connection, after: int, report: ScrubReport) -> int | None:
    """Rewrite one batch of messages with ids above `after`; the last id seen, or None."""
    rows = conn.execute(
        "SELECT id, blocks, metadata, model, external_id FROM messages WHERE id > ?"
        " ORDER BY id LIMIT ?",
        (after, BATCH),
    ).fetchall()
    for mid, raw, meta_raw, model, external_id in rows:
        try:
            content = json.loads(raw)
        except ValueError:  # not JSON (written by hand): redact it as text
            content = None
        blocks_json = redact_text(raw) if content is None else raw
        if content is not None:
            new_content = redact(content)
            if new_content != content:
                blocks_json = blockcodec.encode(new_content)
        meta = _json(meta_raw)
        new_meta = redact(meta) if meta is not None else None
        meta_json = meta_raw if new_meta == meta else blockcodec.encode(new_meta)
        new_model = redact_text(model) if isinstance(model, str) else model
        new_ext = redact_id(external_id) if isinstance(external_id, str) else external_id
        if (blocks_json, meta_json, new_model, new_ext) == (raw, meta_raw, model, external_id):
            continue
        conn.execute(
            "UPDATE messages SET blocks = ?, metadata = ?, model = ?, external_id = ? WHERE id = ?",
            (blocks_json, meta_json, new_model, new_ext, mid),
        )
        report.messages += 1
        report.count([raw, meta_raw, model], [blocks_json, meta_json, new_model])
    return rows[-1][0] if rows else None


def _json_column(
    conn: sqlite3.Connection,
    table: str,
    key: str,
    column: str,
    report: ScrubReport,
    encode: Any = blockcodec.encode,
) -> int:
    changed = 0
    for rowid, raw in conn.execute(f"SELECT {key}, {column} FROM {table}").fetchall():
        value = _json(raw)
        if value is None:
            continue
        new = redact(value)
        if new == value:
            continue
        encoded = encode(new)
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", (encoded, rowid))
        report.count([raw], [encoded])
        changed += 1
    return changed


def _notes(conn: sqlite3.Connection, report: ScrubReport) -> int:
    changed, old, new = redact_notes(conn)
    report.count(old, new)
    return changed


def _summaries(conn: sqlite3.Connection, report: ScrubReport) -> None:
    """Redact the summaries waiting for their leaf (`links`)."""
    rows = conn.execute("SELECT leaf_uuid, summary FROM summary_leaves WHERE summary IS NOT NULL")
    for leaf, text in rows.fetchall():
        new = redact_text(text)
        if new != text:
            conn.execute("UPDATE summary_leaves SET summary = ? WHERE leaf_uuid = ?", (new, leaf))
            report.count([text], [new])


def _rebuild_indexes(conn: sqlite3.Connection) -> None:
    """Rebuild both full-text indexes from the rewritten messages (no old segment survives)."""
    # ('rebuild' refuses a view as external content: empty it and index every message again)
    conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('delete-all')")
    conn.execute(
        "INSERT INTO messages_fts(rowid, text, tools) SELECT id, text, tools FROM message_text"
    )
    conn.execute("INSERT INTO messages_cjk(messages_cjk) VALUES ('rebuild')")


def scrub(conns: Connections, record: Any) -> ScrubReport:
    """Turn redaction on (`record` writes the setting) and rewrite the store in place, through
    the store's connections (this thread's one does the rewrite)."""
    started = time.perf_counter()
    report = ScrubReport()
    with conns.use() as conn:
        bulkindex.flush(conn)  # rows it rewrites must be in the index (the update trigger)
        _zero_freed_pages(conn)
    conns.write(record)
    changed: set[str] = set()
    conns.write(lambda conn: _sessions(conn, report, changed))
    conns.write(lambda conn: _session_ids(conn, report, changed))
    report.sessions = len(changed)
    after: int | None = 0
    while after is not None:
        after = conns.write(partial(_messages, after=after, report=report))
    report.import_states = conns.write(
        lambda conn: _json_column(conn, "import_state", "path", "state", report)
    )
    report.signals = conns.write(
        lambda conn: (
            _json_column(conn, "signals", "id", "payload", report) + _signal_sources(conn, report)
        )
    )
    conns.write(lambda conn: _tags(conn, report))
    conns.write(lambda conn: _projects(conn, report))
    report.notes = conns.write(lambda conn: _notes(conn, report))
    conns.write(lambda conn: _summaries(conn, report))
    conns.write(_rebuild_indexes)
    if not conns.memory:
        report.wal_emptied = _compact(conns)
    report.seconds = time.perf_counter() - started
    return report


def _zero_freed_pages(conn: sqlite3.Connection) -> None:
    """From now on this connection overwrites what it deletes with zeros (in the `.db` and in
    the WAL): the old rows, old index segments and old versions of pages it rewrites."""
    conn.execute("PRAGMA secure_delete = ON")


def _compact(conns: Connections) -> bool:
    """Copy the live pages into a fresh file (VACUUM: no free page, no old page survives) and
    empty the WAL; False when another process keeps the WAL in use."""
    with conns.use() as conn:
        conns.retrying(lambda: conn.execute("VACUUM"))
        return _empty_wal(conns, conn)


def _empty_wal(conns: Any, conn: sqlite3.Connection) -> bool:
    """Checkpoint everything and truncate the WAL (False when a reader keeps it in use)."""
    for _ in range(20):
        busy = conns.retrying(lambda: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())[0]
        if not busy:
            return True
        time.sleep(0.1)
    return False
