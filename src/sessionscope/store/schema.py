"""The store's schema as numbered migrations, applied in order when a store is opened.

`PRAGMA user_version` holds the number of the last migration applied. A database whose version is
higher than `SCHEMA_VERSION` was written by a newer sessionscope and is refused untouched.

The searchable text of a message is a projection of its JSON content blocks: prose (text and
thinking blocks) and tools (tool names, input values, result text). The FTS table takes it from
the `message_text` view (its external content), so the text is never stored twice. The store's
insert path computes the same projection in Python (`blocks.project`, much faster than SQLite's
JSON functions); the SQL templates below are its exact twin, used by the view (snippets), and by
the update and delete triggers. A property test keeps the two identical.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .scripts import NO_SPACE_SCRIPTS

# `{b}` is an expression holding a blocks JSON array.
TEXT_OF = """(SELECT group_concat(CASE json_extract(x.value, '$.type')
     WHEN 'text' THEN CASE WHEN json_type(x.value, '$.text') = 'text'
                           THEN json_extract(x.value, '$.text') END
     ELSE CASE WHEN json_type(x.value, '$.thinking') = 'text'
               THEN json_extract(x.value, '$.thinking') END
   END, char(10))
   FROM json_each({b}) AS x
  WHERE CASE WHEN x.type = 'object' THEN json_extract(x.value, '$.type') END
        IN ('text', 'thinking'))"""

TOOLS_OF = """(SELECT group_concat(CASE json_extract(x.value, '$.type')
     WHEN 'tool_use' THEN
        CASE WHEN json_type(x.value, '$.name') = 'text'
             THEN json_extract(x.value, '$.name') ELSE '' END
        || ' ' || coalesce((SELECT group_concat(v.value, ' ')
                              FROM json_tree(x.value, '$.input') AS v
                             WHERE v.type = 'text'
                                OR (v.type = 'integer' AND typeof(v.value) = 'integer')), '')
     ELSE CASE json_type(x.value, '$.content')
        WHEN 'text' THEN json_extract(x.value, '$.content')
        WHEN 'array' THEN (SELECT group_concat(json_extract(c.value, '$.text'), char(10))
                             FROM json_each(x.value, '$.content') AS c
                            WHERE CASE WHEN c.type = 'object'
                                       THEN json_extract(c.value, '$.type') = 'text'
                                            AND json_type(c.value, '$.text') = 'text' END)
     END END, char(10))
   FROM json_each({b}) AS x
  WHERE CASE WHEN x.type = 'object' THEN json_extract(x.value, '$.type') END
        IN ('tool_use', 'tool_result'))"""

NO_SPACE_GLOB = f"*[{NO_SPACE_SCRIPTS}]*"


# SQLite's JSON functions cut strings at an escaped NUL; projecting from JSON whose `\u0000`
# escapes became `\u0020` keeps the text after it searchable (blocks.project does the same).
NUL_SAFE = "replace({b}, '\\u0000', '\\u0020')"


def _text(b: str) -> str:
    return TEXT_OF.format(b=NUL_SAFE.format(b=b))


def _tools(b: str) -> str:
    return TOOLS_OF.format(b=NUL_SAFE.format(b=b))


def _m1_sessions_messages(db: sqlite3.Connection) -> None:
    db.executescript(
        f"""
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL DEFAULT 'api',
            source_ref TEXT,
            title TEXT,
            status TEXT NOT NULL DEFAULT 'active',
            project TEXT,
            cwd TEXT,
            git_branch TEXT,
            model TEXT,
            parent_session_id TEXT,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            ended_at TEXT,
            message_count INTEGER NOT NULL DEFAULT 0,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            metadata TEXT
        );
        CREATE INDEX sessions_updated ON sessions(updated_at);
        CREATE INDEX sessions_project ON sessions(project);
        CREATE INDEX sessions_parent ON sessions(parent_session_id);

        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
            created_at TEXT,
            model TEXT,
            input_tokens INTEGER NOT NULL DEFAULT 0,
            output_tokens INTEGER NOT NULL DEFAULT 0,
            cache_read_tokens INTEGER NOT NULL DEFAULT 0,
            cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            external_id TEXT,
            blocks TEXT NOT NULL,
            metadata TEXT,
            UNIQUE (session_id, seq)
        );
        CREATE UNIQUE INDEX messages_external ON messages(session_id, external_id)
            WHERE external_id IS NOT NULL;
        CREATE INDEX messages_role_created ON messages(role, created_at);

        CREATE VIEW message_text(id, text, tools) AS
            SELECT m.id, {_text("m.blocks")}, {_tools("m.blocks")} FROM messages AS m;

        CREATE VIRTUAL TABLE messages_fts USING fts5(
            text, tools, content='message_text', content_rowid='id',
            tokenize="unicode61 remove_diacritics 2"
        );
        -- prose outranks tool input/output: bm25 with column weights text 10, tools 1
        INSERT INTO messages_fts(messages_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0)');
        CREATE VIRTUAL TABLE messages_cjk USING fts5(
            body, tokenize="trigram"
        );

        -- Inserts are indexed by the store itself (Store._write_new_rows) in bulk.
        CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, text, tools)
                VALUES ('delete', old.id, {_text("old.blocks")}, {_tools("old.blocks")});
            DELETE FROM messages_cjk WHERE rowid = old.id;
        END;
        CREATE TRIGGER messages_au AFTER UPDATE OF blocks ON messages BEGIN
            INSERT INTO messages_fts(messages_fts, rowid, text, tools)
                VALUES ('delete', old.id, {_text("old.blocks")}, {_tools("old.blocks")});
            DELETE FROM messages_cjk WHERE rowid = old.id;
            INSERT INTO messages_fts(rowid, text, tools)
                VALUES (new.id, {_text("new.blocks")}, {_tools("new.blocks")});
            INSERT INTO messages_cjk(rowid, body)
                SELECT new.id, coalesce({_text("new.blocks")}, '') || char(10)
                               || coalesce({_tools("new.blocks")}, '')
                 WHERE new.blocks GLOB '{NO_SPACE_GLOB}';
        END;
        """
    )


def _m2_experiments(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            root_path TEXT,
            adapter TEXT,
            champion_config_id INTEGER,
            created_at TEXT NOT NULL,
            metadata TEXT
        );
        CREATE TABLE agent_configs (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            payload TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('champion', 'challenger', 'historical')),
            created_at TEXT NOT NULL,
            UNIQUE (project_id, fingerprint)
        );
        CREATE TABLE experiments (
            id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            champion_config_id INTEGER NOT NULL REFERENCES agent_configs(id),
            challenger_config_id INTEGER NOT NULL REFERENCES agent_configs(id),
            traffic_share REAL NOT NULL CHECK (traffic_share > 0 AND traffic_share < 1),
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'promoted', 'aborted', 'held')),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            decided_at TEXT,
            decision TEXT,
            decision_posterior REAL,
            metadata TEXT
        );
        CREATE UNIQUE INDEX experiments_one_running ON experiments(project_id)
            WHERE status = 'running';
        CREATE TABLE signals (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('explicit', 'implicit')),
            source TEXT NOT NULL,
            value REAL NOT NULL CHECK (value >= 0 AND value <= 1),
            payload TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX signals_session ON signals(session_id);

        ALTER TABLE sessions ADD COLUMN project_id INTEGER REFERENCES projects(id);
        ALTER TABLE sessions ADD COLUMN experiment_id INTEGER REFERENCES experiments(id);
        ALTER TABLE sessions ADD COLUMN variant TEXT
            CHECK (variant IS NULL OR variant IN ('champion', 'challenger'));
        ALTER TABLE sessions ADD COLUMN config_id INTEGER REFERENCES agent_configs(id);
        CREATE INDEX sessions_experiment ON sessions(experiment_id, variant);
        """
    )


# New messages get their tool_calls rows from the store (Store._write_new_rows); when a message is
# rewritten (an import completing a split message, `save`) these triggers redo its rows, looking
# for results among the messages after it (results follow their call; searching only those keeps
# rewriting the last message of a 100,000-message session cheap).
_FIND_RESULT = """(SELECT {what} FROM messages AS rm, json_each(rm.blocks) AS r
                 WHERE rm.session_id = new.session_id AND rm.seq > new.seq
                   AND json_extract(r.value, '$.type') = 'tool_result'
                   AND json_extract(r.value, '$.tool_use_id') = json_extract(x.value, '$.id')
                 LIMIT 1)"""


def _insert_calls() -> str:
    is_error = _FIND_RESULT.format(
        what="CASE WHEN json_extract(r.value, '$.is_error') THEN 1 ELSE 0 END"
    )
    result_id = _FIND_RESULT.format(what="rm.id")
    return f"""INSERT INTO tool_calls(message_id, session_id, tool_use_id, name, is_error,
                                   result_message_id)
                SELECT new.id, new.session_id, json_extract(x.value, '$.id'),
                       coalesce(json_extract(x.value, '$.name'), ''), {is_error}, {result_id}
                  FROM json_each(new.blocks) AS x
                 WHERE json_extract(x.value, '$.type') = 'tool_use';"""


_PAIR_RESULTS = """UPDATE tool_calls
               SET result_message_id = new.id,
                   is_error = (SELECT CASE WHEN json_extract(x.value, '$.is_error') THEN 1 ELSE 0 END
                                 FROM json_each(new.blocks) AS x
                                WHERE json_extract(x.value, '$.type') = 'tool_result'
                                  AND json_extract(x.value, '$.tool_use_id') = tool_calls.tool_use_id)
             WHERE session_id = new.session_id
               AND tool_use_id IN (SELECT json_extract(x.value, '$.tool_use_id')
                                     FROM json_each(new.blocks) AS x
                                    WHERE json_extract(x.value, '$.type') = 'tool_result');"""


def _m3_import_state_tool_calls(db: sqlite3.Connection) -> None:
    db.executescript(
        f"""
        CREATE TABLE import_state (
            path TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            size INTEGER NOT NULL,
            mtime REAL NOT NULL,
            "offset" INTEGER NOT NULL,
            line_no INTEGER NOT NULL DEFAULT 0,
            state TEXT,
            updated_at TEXT NOT NULL
        );

        -- One row per tool call, paired with its result: what `tool:` search, the failed-call
        -- marks and the tool metrics read without parsing every message.
        CREATE TABLE tool_calls (
            id INTEGER PRIMARY KEY,
            message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
            session_id TEXT NOT NULL,
            tool_use_id TEXT,
            name TEXT NOT NULL,
            is_error INTEGER,
            result_message_id INTEGER
        );
        CREATE INDEX tool_calls_message ON tool_calls(message_id);
        CREATE INDEX tool_calls_pair ON tool_calls(session_id, tool_use_id);
        CREATE INDEX tool_calls_name ON tool_calls(name COLLATE NOCASE);
        CREATE INDEX tool_calls_result ON tool_calls(result_message_id);

        CREATE TRIGGER tool_calls_au AFTER UPDATE OF blocks ON messages BEGIN
            DELETE FROM tool_calls WHERE message_id = old.id;
            UPDATE tool_calls SET result_message_id = NULL, is_error = NULL
             WHERE result_message_id = old.id;
            {_insert_calls()}
            {_PAIR_RESULTS}
        END;
        CREATE TRIGGER tool_calls_ad AFTER DELETE ON messages BEGIN
            DELETE FROM tool_calls WHERE message_id = old.id;
            UPDATE tool_calls SET result_message_id = NULL, is_error = NULL
             WHERE result_message_id = old.id;
        END;
        """
    )


# How Python reads a JSON value as a boolean (false, null, 0, "", [] and {} are false), for
# `is_error`: the triggers below must pair calls exactly as the store's Python write path does.
_TRUTHY = """CASE json_type({x}, '$.is_error')
     WHEN 'true' THEN 1
     WHEN 'integer' THEN json_extract({x}, '$.is_error') != 0
     WHEN 'real' THEN json_extract({x}, '$.is_error') != 0
     WHEN 'text' THEN json_extract({x}, '$.is_error') != ''
     WHEN 'array' THEN json_array_length({x}, '$.is_error') > 0
     WHEN 'object' THEN json_extract({x}, '$.is_error') != '{{}}'
     ELSE 0 END"""


def _text_field(x: str, field: str) -> str:
    """A string field of a block, NULL when it is missing or not a string (as in Python)."""
    return f"CASE WHEN json_type({x}, '$.{field}') = 'text' THEN json_extract({x}, '$.{field}') END"


def _tool_calls_trigger_v2() -> str:
    """The tool_calls update trigger, agreeing with `toolcalls.calls_in` / `results_in` on
    every value: non-string ids and names, non-boolean is_error, escaped NULs (read as spaces,
    like the search projection)."""
    blocks = NUL_SAFE.format(b="new.blocks")
    find = """(SELECT {what} FROM messages AS rm, json_each({rblocks}) AS r
                 WHERE rm.session_id = new.session_id AND rm.seq >= new.seq
                   AND json_extract(r.value, '$.type') = 'tool_result'
                   AND {rid} = {xid}
                 ORDER BY rm.seq DESC LIMIT 1)"""
    common = {
        "rblocks": NUL_SAFE.format(b="rm.blocks"),
        "rid": _text_field("r.value", "tool_use_id"),
        "xid": _text_field("x.value", "id"),
    }
    is_error = find.format(what=_TRUTHY.format(x="r.value"), **common)
    result_id = find.format(what="rm.id", **common)
    use_id = _text_field("x.value", "id")
    result_use_id = _text_field("x.value", "tool_use_id")
    return f"""
        DROP TRIGGER IF EXISTS tool_calls_au;
        CREATE TRIGGER tool_calls_au AFTER UPDATE OF blocks ON messages BEGIN
            DELETE FROM tool_calls WHERE message_id = old.id;
            UPDATE tool_calls SET result_message_id = NULL, is_error = NULL
             WHERE result_message_id = old.id;
            INSERT INTO tool_calls(message_id, session_id, tool_use_id, name, is_error,
                                   result_message_id)
                SELECT new.id, new.session_id, {use_id},
                       coalesce({_text_field("x.value", "name")}, ''), {is_error}, {result_id}
                  FROM json_each({blocks}) AS x
                 WHERE json_extract(x.value, '$.type') = 'tool_use';
            UPDATE tool_calls
               SET result_message_id = new.id,
                   is_error = (SELECT {_TRUTHY.format(x="x.value")}
                                 FROM json_each({blocks}) AS x
                                WHERE json_extract(x.value, '$.type') = 'tool_result'
                                  AND {result_use_id} = tool_calls.tool_use_id
                                ORDER BY x.key DESC LIMIT 1)
             WHERE session_id = new.session_id
               AND tool_use_id IN (SELECT {result_use_id} FROM json_each({blocks}) AS x
                                    WHERE json_extract(x.value, '$.type') = 'tool_result');
        END;
        """


def _m4_rebuild_tool_calls(db: sqlite3.Connection) -> None:
    """Stores upgraded by migration 3 had no tool_calls rows for earlier messages, and its
    update trigger read odd ids, names and is_error values unlike the Python write path: a new
    trigger, and every row derived again from the stored blocks as the write path does."""
    from .toolcalls import backfill

    db.executescript(_tool_calls_trigger_v2())
    db.execute("DELETE FROM tool_calls")
    backfill(db)


def _m5_application_id(db: sqlite3.Connection) -> None:
    """Mark the file as a sessionscope store, so that it is never mistaken for another's."""
    from .fileid import APPLICATION_ID

    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _m6_settings(db: sqlite3.Connection) -> None:
    """Properties of the store itself (`redact`: once on, every write redacts secrets)."""
    db.executescript(
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )


def _m7_search_indexes(db: sqlite3.Connection) -> None:
    """Indexes the search planner walks: messages newest first (filters without
    words stop at the page's last hit), the distinct models (`model:` that matches nothing
    answers at once), and the failed tool calls (`is:error`)."""
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS messages_created ON messages(created_at);
        CREATE INDEX IF NOT EXISTS messages_model ON messages(model) WHERE model IS NOT NULL;
        CREATE INDEX IF NOT EXISTS tool_calls_error ON tool_calls(message_id, result_message_id)
            WHERE is_error = 1;
        """
    )


def _m8_import_locks(db: sqlite3.Connection) -> None:
    """One importer at a time per transcript file (see `store.locks`)."""
    db.executescript(
        """
        CREATE TABLE import_locks (
            path TEXT PRIMARY KEY,
            token TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            expires_at REAL NOT NULL,
            taken_at TEXT NOT NULL
        );
        """
    )


def _m9_usage_index(db: sqlite3.Connection) -> None:
    """Usage per day, model and project from one index-only scan: a virtual `day` column (the
    UTC date of `created_at`) and an index holding the figures `store.usage` sums."""
    columns = {row[1] for row in db.execute("PRAGMA table_xinfo(messages)")}
    if "day" not in columns:
        db.execute(
            "ALTER TABLE messages ADD COLUMN day TEXT "
            "GENERATED ALWAYS AS (substr(created_at, 1, 10)) VIRTUAL"
        )
    db.execute(
        """CREATE INDEX IF NOT EXISTS messages_usage ON messages(day, session_id, model,
               input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd)"""
    )


def _m10_import_fidelity(db: sqlite3.Connection) -> None:
    """One meaning for input tokens: Codex counted cached input inside
    `input_tokens`; every source now stores input excluding cache reads (cache reads are in
    `cache_read_tokens`). Fixes Codex messages and their sessions' totals. Also indexes imported
    API errors (what `is:error` finds besides failed tool calls) and messages whose model has no
    known price (what `stats` counts as unpriced)."""
    db.executescript(
        """
        UPDATE messages SET input_tokens = max(0, input_tokens - cache_read_tokens)
            WHERE cache_read_tokens > 0
            AND session_id IN (SELECT id FROM sessions WHERE source = 'codex');
        UPDATE sessions SET input_tokens = max(0, input_tokens - cache_read_tokens)
            WHERE source = 'codex' AND cache_read_tokens > 0;
        CREATE INDEX IF NOT EXISTS messages_api_error ON messages(id)
            WHERE role = 'system' AND json_extract(metadata, '$.kind') = 'api_error';
        CREATE INDEX IF NOT EXISTS messages_unpriced ON messages(id)
            WHERE role = 'assistant' AND json_extract(metadata, '$.unpriced') = 1;
        """
    )


def _m11_session_marks(db: sqlite3.Connection) -> None:
    """What a person adds to a session: tags, a pin and a note (see `store.marks`). Keyed by
    session id without a foreign key: re-imports, `save()` rewrites and a session written again
    under its id keep them; `delete_session` removes them."""
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS session_tags (
            session_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (session_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS session_tags_tag ON session_tags(tag, session_id);
        CREATE TABLE IF NOT EXISTS session_marks (
            session_id TEXT PRIMARY KEY,
            pinned_at TEXT,
            note TEXT,
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS session_marks_pinned ON session_marks(session_id)
            WHERE pinned_at IS NOT NULL;
        """
    )


# The parent a session named before that parent was imported (metadata that is not JSON: none).
PARENT_HINT = (
    "(CASE WHEN json_valid(metadata) THEN json_extract(metadata, '$.parent_session_hint') END)"
)


def _m12_cross_file_links(db: sqlite3.Connection) -> None:
    """Links that cross transcript files, whichever file is imported first (see `links`):
    `summary_leaves` holds Claude Code leaves met (uuid -> session) and summaries waiting for
    their leaf (uuid -> summary); an index finds the sessions that named a parent not imported
    yet (`parent_session_hint`), and those whose parent is already stored are adopted now."""
    db.executescript(
        f"""
        CREATE TABLE IF NOT EXISTS summary_leaves (
            leaf_uuid TEXT PRIMARY KEY,
            session_id TEXT,
            summary TEXT,
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS summary_leaves_pending ON summary_leaves(updated_at)
            WHERE session_id IS NULL;
        CREATE INDEX IF NOT EXISTS sessions_parent_hint ON sessions({PARENT_HINT});
        UPDATE sessions SET
            parent_session_id = {PARENT_HINT},
            metadata = json_remove(metadata, '$.parent_session_hint')
          WHERE parent_session_id IS NULL AND {PARENT_HINT} != id
            AND {PARENT_HINT} IN (SELECT id FROM sessions);
        """
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m1_sessions_messages,
    _m2_experiments,
    _m3_import_state_tool_calls,
    _m4_rebuild_tool_calls,
    _m5_application_id,
    _m6_settings,
    _m7_search_indexes,
    _m8_import_locks,
    _m9_usage_index,
    _m10_import_fidelity,
    _m11_session_marks,
    _m12_cross_file_links,
]
SCHEMA_VERSION = len(MIGRATIONS)
