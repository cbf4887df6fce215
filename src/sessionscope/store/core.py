"""The `Store`: the write API agents use and the read API the browser and CLI use.

`Store` is a facade (importers' extras: `importing.ImportingStore`): a public method checks
its arguments, opens a transaction and calls one plain function, on the `sqlite3.Connection`, of
the module doing the work (`sessions`, `messages`, `side`, `summary`, `search`, `windows`, ...).

Transactions: `with self.reading() as conn:` (this thread's connection, SQLite errors as typed
store errors) and `with self.writing() as conn:` (one BEGIN IMMEDIATE transaction, or a savepoint
inside an open one). The write lock is waited for once, at BEGIN IMMEDIATE (busy timeout, then
retries with backoff, see `connection.Connections`); a body is never re-run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from . import messages as msgs
from . import sessions as rows_of_sessions
from . import shortids, side, summary
from .errors import InvalidInput
from .experiments_api import ExperimentsAPI
from .importing import ImportingStore
from .listfilter import ListFilter, with_match
from .marks_api import MarksAPI
from .redact import redact_text
from .rows import Row
from .timeutil import normalize_ts, now_iso
from .validate import (
    int_arg,
    message_list,
    message_spec,
    optional_int_arg,
    session_fields,
    utf8_safe,
)

if TYPE_CHECKING:  # and, loaded on first use: search, usage, windows (the store opens faster)
    from .health import Health
    from .models import Hit, ImportState, Message, SaveResult, Session, SessionInfo, Stats
    from .scrub import ScrubReport
    from .spec import Content, MessageSpec, Role
    from .usage import UsageRow
    from .windows import Window


class Store(MarksAPI, ExperimentsAPI, ImportingStore):
    """One sessionscope store: a single SQLite file, safe to share between threads.

    Open it with `sessionscope.store.open()`. Every write is one transaction; `transaction()`
    groups several writes into one. With `redact` (or when the store says so, see `redact`),
    secrets (API keys, tokens, private keys, password assignments) in every session field,
    message, signal payload and import state are replaced by `[REDACTED:<kind>]` before anything
    is stored or indexed. `mmap_mb` caps how much of the file each connection memory-maps
    (it speeds up searching a large store; bulk writers can pass 0 to keep memory small).
    """

    # -- sessions ------------------------------------------------------------------------------

    def start_session(
        self,
        title: str | None = None,
        source: str = "api",
        project: str | int | None = None,
        model: str | None = None,
        *,
        id: str | None = None,
        exist_ok: bool = False,
        **fields: Any,
    ) -> str:
        """Create a session and return its id (a new UUID unless `id` is given).

        Keywords: cwd, git_branch, source_ref, parent_session_id, status, started_at,
        experiment_id, variant, config_id, metadata. `project` may be a name/path or the id of
        a project made with `create_project`. With `exist_ok`, an existing id is returned as is.
        """
        sid, values = rows_of_sessions.new_values(id, title, source, project, model, fields)
        with self.writing() as conn:
            redacting, sid = self._redacts(conn), self._key(conn, sid)
            return rows_of_sessions.start(conn, sid, values, exist_ok=exist_ok, redacting=redacting)

    def update_session(self, session_id: str, **fields: Any) -> None:
        """Set session fields (title, status, project, cwd, git_branch, model, ...)."""
        session_fields(fields)
        with self.writing() as conn:
            sid = self._key(conn, session_id)
            rows_of_sessions.update(conn, sid, fields, redacting=self._redacts(conn))

    def end_session(
        self, session_id: str, status: str = "completed", ended_at: str | None = None
    ) -> None:
        """Mark a session ended with `status` (completed, failed, aborted, ...)."""
        if not isinstance(status, str) or not status:
            raise InvalidInput("status must be a non-empty string.")
        moment = normalize_ts(ended_at) or now_iso()
        with self.writing() as conn:
            if self._redacts(conn):
                status = redact_text(status)
            rows_of_sessions.end(conn, self._key(conn, session_id), status, moment)

    def delete_session(self, session_id: str) -> bool:
        """Delete a session, its messages, signals and subagent sessions. False if absent."""
        with self.writing() as conn:
            return rows_of_sessions.delete(conn, self._key(conn, session_id))

    # -- messages ------------------------------------------------------------------------------

    def append(
        self,
        session_id: str,
        role: Role,
        content: Content,
        *,
        replace: bool = False,
        **fields: Any,
    ) -> int:
        """Append one message and return its seq (0-based position in the session).

        Keywords: created_at, model, input_tokens, output_tokens, cache_read_tokens,
        cache_creation_tokens, cost_usd, external_id, metadata. A message whose `external_id`
        the session already holds is not added again: its seq is returned (and with `replace`,
        its content and counts are replaced).
        """
        spec = cast("MessageSpec", {"role": role, "content": content, **fields})
        return self.append_many(session_id, [spec], replace=replace)[0]

    def append_many(
        self,
        session_id: str,
        messages: Iterable[MessageSpec],
        *,
        replace: bool = False,
    ) -> list[int]:
        """Append messages (dicts: see `MessageSpec`) in one transaction; return their seqs."""
        default_time = now_iso()
        redacting = self._redacting
        specs = message_list(messages)
        rows = [Row(spec, default_time, redacting) for spec in specs]
        if not rows:
            return []
        with self.writing() as conn:
            if not redacting and self._redacts(conn):  # turned on since: redact these too
                rows = [Row(spec, default_time, True) for spec in specs]
            return msgs.append(conn, self._key(conn, session_id), rows, replace)

    def save(
        self,
        session_id: str,
        messages: Sequence[MessageSpec | Message],
        title: str | None = None,
        **session_fields: Any,
    ) -> SaveResult:
        """Make the session's transcript exactly `messages`, writing only rows that changed.

        Creates the session when it does not exist. A message without `created_at` keeps the
        time already stored for its position.
        """
        default_time = now_iso()
        specs = [message_spec(m) for m in message_list(messages)]
        with self.writing() as conn:
            return msgs.save(
                conn,
                self._key(conn, session_id),
                specs,
                default_time=default_time,
                redacting=self._redacts(conn),
                title=title,
                session_fields=session_fields,
            )

    # -- reading -------------------------------------------------------------------------------

    def session(self, session_id: str) -> SessionInfo | None:
        """One session's row (no messages), or None."""
        with self.reading() as conn:
            return rows_of_sessions.get(conn, self._key(conn, session_id))

    def session_fields(self, session_id: str, names: Sequence[str]) -> dict[str, Any] | None:
        """Some columns of one session's row (names from `SessionInfo`'s fields), or None."""
        with self.reading() as conn:
            return rows_of_sessions.fields(conn, self._key(conn, session_id), names)

    def resolve_session(self, ref: str) -> str:
        """The id of the session whose id is `ref` or starts with it (at least 4 characters)."""
        if not isinstance(ref, str):
            raise InvalidInput(f"a session id must be a string, not {type(ref).__name__}.")
        with self.reading() as conn:
            return rows_of_sessions.resolve(conn, self._key(conn, ref))

    def short_ids(self, session_ids: Sequence[str]) -> dict[str, str]:
        """Each id's shortest prefix (8 characters at least) naming it alone, as the CLI prints it."""
        if isinstance(session_ids, str) or not isinstance(session_ids, Sequence):
            raise InvalidInput("session_ids must be a list of session ids.")
        if not all(isinstance(sid, str) and utf8_safe(sid) for sid in session_ids):
            raise InvalidInput("each session id must be a string of valid UTF-8 text.")
        with self.reading() as conn:
            return shortids.short_ids(conn, list(session_ids))

    def load(self, session_id: str) -> Session | None:
        """A session with its whole transcript, or None when it does not exist."""
        with self.reading() as conn:
            return rows_of_sessions.load(conn, self._key(conn, session_id))

    def sessions(
        self,
        limit: int | None = 100,
        project: str | None = None,
        source: str | None = None,
        since: str | None = None,
        *,
        until: str | None = None,
        offset: int = 0,
        order: str = "recent",
        parent: str | None = None,
        top_level: bool = False,
        experiment_id: int | None = None,
        variant: str | None = None,
        match: str | ListFilter | None = None,
        pinned_first: bool = False,
    ) -> list[SessionInfo]:
        """Sessions, newest activity first (or by `order`: tokens, messages, cost, started, title).

        `project` matches a substring of the project path or name; `parent` lists the subagent
        sessions of one session; `top_level` leaves subagent sessions out; `match` is a list
        filter in the search language (`store.listfilter`); `pinned_first`: pinned ones first.
        """
        rows_of_sessions.filter_clause(
            project, source, since, until, parent, top_level, experiment_id, variant
        )  # checked before the read
        sort = rows_of_sessions.sort_clause(order)
        limit, offset = optional_int_arg(limit, "limit"), int_arg(offset, "offset")
        with self.reading() as conn:
            parent = None if parent is None else self._key(conn, parent)
            where, params = rows_of_sessions.filter_clause(
                project, source, since, until, parent, top_level, experiment_id, variant
            )
            where, params = with_match(where, params, match)
            return rows_of_sessions.listing(conn, where, params, sort, limit, offset, pinned_first)

    def count_sessions(
        self,
        project: str | None = None,
        source: str | None = None,
        since: str | None = None,
        *,
        until: str | None = None,
        parent: str | None = None,
        top_level: bool = False,
        match: str | ListFilter | None = None,
    ) -> int:
        """How many sessions `sessions()` would list with the same filters and no limit."""
        rows_of_sessions.filter_clause(project, source, since, until, parent, top_level, None, None)
        with self.reading() as conn:
            parent = None if parent is None else self._key(conn, parent)
            where, params = rows_of_sessions.filter_clause(
                project, source, since, until, parent, top_level, None, None
            )
            where, params = with_match(where, params, match)
            return rows_of_sessions.count(conn, where, params)

    def session_totals(
        self,
        *,
        experiment_id: int | None = None,
        variant: str | None = None,
        match: str | ListFilter | None = None,
    ) -> tuple[int, float]:
        """(How many top-level sessions match, their cost with their subagents'): the list's."""
        where, params = rows_of_sessions.filter_clause(
            None, None, None, None, None, True, experiment_id, variant
        )
        where, params = with_match(where, params, match)
        with self.reading() as conn:
            return rows_of_sessions.totals(conn, where, params)

    def messages(self, session_id: str, start: int = 0, stop: int | None = None) -> list[Message]:
        """Messages with `start <= seq < stop`, in order."""
        start, stop = int_arg(start, "start"), optional_int_arg(stop, "stop")
        with self.reading() as conn:
            return msgs.in_range(conn, self._key(conn, session_id), start, stop)

    def message_count(self, session_id: str) -> int:
        """Number of messages in a session (0 when it does not exist)."""
        with self.reading() as conn:
            return msgs.count(conn, self._key(conn, session_id))

    def scroll(
        self, session_id: str, around: int | None = None, before: int = 20, after: int = 20
    ) -> list[Message]:
        """A window of messages around seq `around` (negative counts from the end)."""
        around = 0 if around is None else int_arg(around, "around")
        before, after = int_arg(before, "before"), int_arg(after, "after")
        if around < 0:
            around = self.message_count(session_id) + around
        return self.messages(session_id, around - before, around + after + 1)

    def find_message(self, session_id: str, external_id: str) -> Message | None:
        """The message a session holds under the source's own id, or None."""
        for value, name in ((session_id, "session_id"), (external_id, "external_id")):
            if not isinstance(value, str):
                raise InvalidInput(f"{name} must be a string, not {type(value).__name__}.")
        with self.reading() as conn:
            sid = self._key(conn, session_id)
            return msgs.find(conn, sid, external_id, redacting=self._redacts(conn))

    def search(
        self,
        query: str,
        limit: int = 50,
        *,
        offset: int = 0,
        order: str = "rank",
        session_id: str | None = None,
    ) -> list[Hit]:
        """Ranked hits for a query in the search language (never raises on odd input).

        `order` is "rank" (bm25, prose above tool output), "time" (newest first) or "seq"
        (position, for moving between matches in one session).
        """
        if order not in ("rank", "time", "seq"):
            raise InvalidInput(f"order must be rank, time or seq, not {order!r}.")
        if not isinstance(query, str):
            raise InvalidInput(f"a search query must be a string, not {type(query).__name__}.")
        if session_id is not None and not isinstance(session_id, str):
            raise InvalidInput("session_id must be a string.")
        limit, offset = int_arg(limit, "limit"), int_arg(offset, "offset")
        from .search import search_messages

        with self.reading() as conn:
            sid = None if session_id is None else self._key(conn, session_id)
            return search_messages(
                conn, query, limit=limit, offset=offset, order=order, session_id=sid
            )

    def match_seqs(
        self, session_id: str, query: str, limit: int = 1000, offset: int = 0
    ) -> list[int]:
        """Seqs of the session's messages matching `query`, in order, from match `offset` on:
        no snippets, no time budget (stop it with `cancellable`), for n/N in a long session."""
        if not isinstance(query, str) or not isinstance(session_id, str):
            raise InvalidInput("session_id and query must be strings.")
        limit, offset = int_arg(limit, "limit"), int_arg(offset, "offset")
        from .search import matching_seqs

        with self.reading() as conn:
            sid = self._key(conn, session_id)
            return matching_seqs(conn, query, sid, limit=limit, offset=offset)

    def tool_calls(
        self, session_id: str, start: int = 0, stop: int | None = None
    ) -> dict[str, dict[str, Any]]:
        """Tool calls made by messages with `start <= seq < stop`, by tool_use id.

        Each has the tool's name, is_error (None until its result arrives), and the seq of the
        call and of its result. Driven by the (session, seq) index: a window of a 100,000-message
        session costs what the window holds.
        """
        start, stop = int_arg(start, "start"), optional_int_arg(stop, "stop")
        with self.reading() as conn:
            return msgs.tool_calls(conn, self._key(conn, session_id), start, stop)

    def window(
        self,
        session_id: str,
        start: int | None = 0,
        stop: int | None = None,
        *,
        info: bool = False,
        calls: bool = False,
        session_calls_limit: int = 0,
        children: bool = False,
        tail: int | None = None,
        tail_limit: int | None = None,
    ) -> Window:
        """Messages `start <= seq < stop` and the message count, from one read transaction.

        `start` and `stop` work like slice indices (negative: from the end; `stop=None`: to
        the end). On request, from the same snapshot: the session's row (`info`), its tool calls
        (`calls`: those made in the window, or the whole session's when it holds at most
        `session_calls_limit` messages), its subagent sessions (`children`), and the messages
        from seq `tail` to the end, at most the last `tail_limit` of them (`tail`).
        """
        from .windows import read_window

        with self.reading() as conn:
            return read_window(
                conn,
                self._key(conn, session_id),
                start,
                stop,
                info=info,
                calls=calls,
                session_calls_limit=session_calls_limit,
                children=children,
                tail=tail,
                tail_limit=tail_limit,
            )

    def recent_inputs(self, limit: int = 20) -> list[str]:
        """Distinct real user prompts, newest first.

        Not: tool results, meta or system records, subagent prompts, or user messages whose
        metadata has a `kind` (slash-command wrappers, interrupt markers).
        """
        limit = int_arg(limit, "limit")
        with self.reading() as conn:
            return msgs.recent_inputs(conn, limit)

    def counts(self) -> dict[str, float]:
        """Sessions, messages, tokens and cost from the sessions table alone (cheap, headers)."""
        with self.reading() as conn:
            return summary.counts(conn)

    def usage(
        self, by: str = "day", since: str | None = None, until: str | None = None
    ) -> list[UsageRow]:
        """Sessions, messages, tokens and cost per day/week/month/project/model/source."""
        from .usage import usage as usage_rows

        with self.reading() as conn:
            return usage_rows(conn, by, since, until)

    def usage_report(
        self,
        groups: tuple[str, ...] = ("day", "model", "project"),
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, list[UsageRow]]:
        """Several `usage` groupings of one period from one scan (the usage screen's read)."""
        from .usage import usage_report

        with self.reading() as conn:
            return usage_report(conn, groups, since, until)

    def stats(self, since: str | None = None, until: str | None = None) -> Stats:
        """Whole-store counts, or those of the messages of the days in [since, until]."""
        with self.reading() as conn:
            return summary.stats(conn, self.path, memory=self._db.memory, since=since, until=until)

    def check(self, *, full: bool = False) -> list[str]:
        """Integrity problems (empty when healthy); `full` also verifies the search index."""
        return self.health(full=full).problems

    def health(self, *, full: bool = False) -> Health:
        """Schema version, counts and integrity problems, as of one consistent moment."""
        from .health import examine

        with self.reading() as conn:
            return examine(conn, full=full)

    # -- signals -------------------------------------------------------------------------------

    def record_signal(
        self,
        session_id: str,
        kind: str,
        source: str,
        value: float,
        payload: Any = None,
    ) -> int:
        """Score a session: kind explicit or implicit, value in [0, 1]. Returns the signal id."""
        side.signal_args(kind, source, value)
        with self.writing() as conn:
            redacting, sid = self._redacts(conn), self._key(conn, session_id)
            return side.record_signal(conn, sid, kind, source, value, payload, redacting=redacting)

    def signals(self, session_id: str) -> list[dict[str, Any]]:
        """A session's signals, oldest first."""
        with self.reading() as conn:
            return side.signals(conn, self._key(conn, session_id))

    # -- import state --------------------------------------------------------------------------

    def import_state(self, path: str) -> ImportState | None:
        """What was already imported from one source file, or None."""
        with self.reading() as conn:
            return side.import_state(conn, path)

    def import_states(
        self, source: str | None = None, *, with_state: bool = True
    ) -> dict[str, ImportState]:
        """Every file's import state (for one source), keyed by path (`state` left empty
        unless `with_state`)."""
        with self.reading() as conn:
            return side.import_states(conn, source, with_state=with_state)

    def set_import_state(
        self,
        path: str,
        *,
        source: str,
        size: int,
        mtime: float,
        offset: int,
        line_no: int = 0,
        state: dict[str, Any] | None = None,
    ) -> None:
        """Remember how far a source file was imported (call inside the same `transaction()`)."""
        with self.writing() as conn:
            side.set_import_state(
                conn,
                path,
                source=source,
                size=size,
                mtime=mtime,
                offset=offset,
                line_no=line_no,
                state=state,
                redacting=bool(state) and self._redacts(conn),
            )

    # -- redaction after the fact -------------------------------------------------------------

    def redact_existing(self) -> ScrubReport:
        """Turn redaction on for good and rewrite everything already stored (see `scrub`)."""
        from .scrub import scrub

        report = scrub(self._db, side.record_redaction)
        self._redacting = True
        return report
