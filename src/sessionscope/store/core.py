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

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from . import experiment_args as exp_args
from . import experiments as exp
from . import messages as msgs
from . import sessions as rows_of_sessions
from . import side, summary
from .errors import InvalidInput
from .importing import ImportingStore
from .listfilter import ListFilter, with_match
from .rows import Row
from .search import search_messages
from .timeutil import normalize_ts, now_iso
from .usage import UsageRow, usage_report
from .usage import usage as usage_rows
from .validate import int_arg, message_list, message_spec, optional_int_arg, session_fields
from .windows import Window, read_window

if TYPE_CHECKING:
    from .decision import ArmStats, Decision
    from .experiments import AgentConfig, Assignment, Experiment, Project
    from .health import Health
    from .models import Hit, ImportState, Message, SaveResult, Session, SessionInfo, Stats
    from .scrub import ScrubReport


class Store(ImportingStore):
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
            redacting = self._redacts(conn)
            return rows_of_sessions.start(conn, sid, values, exist_ok=exist_ok, redacting=redacting)

    def update_session(self, session_id: str, **fields: Any) -> None:
        """Set session fields (title, status, project, cwd, git_branch, model, ...)."""
        session_fields(fields)
        with self.writing() as conn:
            rows_of_sessions.update(conn, session_id, fields, redacting=self._redacts(conn))

    def end_session(
        self, session_id: str, status: str = "completed", ended_at: str | None = None
    ) -> None:
        """Mark a session ended with `status` (completed, failed, aborted, ...)."""
        if not isinstance(status, str) or not status:
            raise InvalidInput("status must be a non-empty string.")
        moment = normalize_ts(ended_at) or now_iso()
        with self.writing() as conn:
            rows_of_sessions.end(conn, session_id, status, moment)

    def delete_session(self, session_id: str) -> bool:
        """Delete a session, its messages, signals and subagent sessions. False if absent."""
        with self.writing() as conn:
            return rows_of_sessions.delete(conn, session_id)

    # -- messages ------------------------------------------------------------------------------

    def append(
        self,
        session_id: str,
        role: str,
        content: str | list[dict[str, Any]],
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
        return self.append_many(
            session_id, [{"role": role, "content": content, **fields}], replace=replace
        )[0]

    def append_many(
        self,
        session_id: str,
        messages: Iterable[Mapping[str, Any]],
        *,
        replace: bool = False,
    ) -> list[int]:
        """Append messages in one transaction; return their seqs. See `append` for the keys."""
        default_time = now_iso()
        redacting = self._redacting
        specs = message_list(messages)
        rows = [Row(spec, default_time, redacting) for spec in specs]
        if not rows:
            return []
        with self.writing() as conn:
            if not redacting and self._redacts(conn):  # turned on since: redact these too
                rows = [Row(spec, default_time, True) for spec in specs]
            return msgs.append(conn, session_id, rows, replace)

    def save(
        self,
        session_id: str,
        messages: Sequence[Mapping[str, Any] | Message],
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
                session_id,
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
            return rows_of_sessions.get(conn, session_id)

    def resolve_session(self, ref: str) -> str:
        """The id of the session whose id is `ref` or starts with it (at least 4 characters)."""
        if not isinstance(ref, str):
            raise InvalidInput(f"a session id must be a string, not {type(ref).__name__}.")
        with self.reading() as conn:
            return rows_of_sessions.resolve(conn, ref)

    def load(self, session_id: str) -> Session | None:
        """A session with its whole transcript, or None when it does not exist."""
        with self.reading() as conn:
            return rows_of_sessions.load(conn, session_id)

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
    ) -> list[SessionInfo]:
        """Sessions, newest activity first (or by `order`: tokens, messages, cost, started, title).

        `project` matches a substring of the project path or name; `parent` lists the subagent
        sessions of one session; `top_level` leaves subagent sessions out; `match` is a list
        filter in the search language (`store.listfilter`), parsed or as typed.
        """
        where, params = rows_of_sessions.filter_clause(
            project, source, since, until, parent, top_level, experiment_id, variant
        )
        where, params = with_match(where, params, match)
        sort = rows_of_sessions.sort_clause(order)
        limit, offset = optional_int_arg(limit, "limit"), int_arg(offset, "offset")
        with self.reading() as conn:
            return rows_of_sessions.listing(conn, where, params, sort, limit, offset)

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
        where, params = rows_of_sessions.filter_clause(
            project, source, since, until, parent, top_level, None, None
        )
        where, params = with_match(where, params, match)
        with self.reading() as conn:
            return rows_of_sessions.count(conn, where, params)

    def messages(self, session_id: str, start: int = 0, stop: int | None = None) -> list[Message]:
        """Messages with `start <= seq < stop`, in order."""
        start, stop = int_arg(start, "start"), optional_int_arg(stop, "stop")
        with self.reading() as conn:
            return msgs.in_range(conn, session_id, start, stop)

    def message_count(self, session_id: str) -> int:
        """Number of messages in a session (0 when it does not exist)."""
        with self.reading() as conn:
            return msgs.count(conn, session_id)

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
            return msgs.find(conn, session_id, external_id, redacting=self._redacts(conn))

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
        with self.reading() as conn:
            return search_messages(
                conn, query, limit=limit, offset=offset, order=order, session_id=session_id
            )

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
            return msgs.tool_calls(conn, session_id, start, stop)

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
        with self.reading() as conn:
            return read_window(
                conn,
                session_id,
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

    def counts(self) -> dict[str, int]:
        """Sessions, messages and token totals from the sessions table alone (cheap, for headers)."""
        with self.reading() as conn:
            return summary.counts(conn)

    def usage(
        self, by: str = "day", since: str | None = None, until: str | None = None
    ) -> list[UsageRow]:
        """Sessions, messages, tokens and cost per day/week/month/project/model/source."""
        with self.reading() as conn:
            return usage_rows(conn, by, since, until)

    def usage_report(
        self,
        groups: tuple[str, ...] = ("day", "model", "project"),
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, list[UsageRow]]:
        """Several `usage` groupings of one period from one scan (the usage screen's read)."""
        with self.reading() as conn:
            return usage_report(conn, groups, since, until)

    def stats(self) -> Stats:
        """Whole-store counts."""
        with self.reading() as conn:
            return summary.stats(conn, self.path, memory=self._db.memory)

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
        if kind not in ("explicit", "implicit"):
            raise InvalidInput(f"signal kind must be 'explicit' or 'implicit', not {kind!r}.")
        if not isinstance(source, str) or not source:
            raise InvalidInput("signal source must be a non-empty string.")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise InvalidInput(f"signal value must be a number in [0, 1], not {value!r}.")
        with self.writing() as conn:
            redacting = self._redacts(conn)
            return side.record_signal(
                conn, session_id, kind, source, value, payload, redacting=redacting
            )

    def signals(self, session_id: str) -> list[dict[str, Any]]:
        """A session's signals, oldest first."""
        with self.reading() as conn:
            return side.signals(conn, session_id)

    # -- import state --------------------------------------------------------------------------

    def import_state(self, path: str) -> ImportState | None:
        """What was already imported from one source file, or None."""
        with self.reading() as conn:
            return side.import_state(conn, path)

    def import_states(self, source: str | None = None) -> dict[str, ImportState]:
        """Every file's import state (for one source), keyed by path."""
        with self.reading() as conn:
            return side.import_states(conn, source)

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

    # -- projects, configs and experiments (see experiments.py) --------------------------------

    def create_project(
        self,
        name: str,
        root_path: str | None = None,
        adapter: str | None = None,
        *,
        metadata: dict[str, Any] | None = None,
        exist_ok: bool = False,
    ) -> int:
        """Create a project and return its id. With `exist_ok`, an existing name returns its id."""
        encoded = exp_args.project_args(name, root_path, adapter, metadata)
        with self.writing() as conn:
            return exp.create_project(conn, name, root_path, adapter, encoded, exist_ok)

    def projects(self) -> list[Project]:
        """Every project, by name."""
        with self.reading() as conn:
            return exp.projects(conn)

    def project(self, ref: int | str) -> Project | None:
        """A project by id or by name, or None."""
        with self.reading() as conn:
            return exp.project(conn, ref)

    def add_config(
        self, project_id: int, payload: Mapping[str, Any], role: str = "challenger"
    ) -> int:
        """Add an agent config to a project (or find it: the same payload is the same config).

        role "champion" makes it the project's champion (the previous one becomes historical);
        "challenger" readies it for `start_experiment`. Returns the config id.
        """
        text, digest = exp_args.config_args(project_id, payload, role)
        with self.writing() as conn:
            return exp.add_config(conn, project_id, text, digest, role)

    def configs(self, project_id: int) -> list[AgentConfig]:
        """A project's configs: the champion first, then newest first."""
        with self.reading() as conn:
            return exp.configs(conn, project_id)

    def config(self, config_id: int) -> AgentConfig | None:
        """One config by id, or None."""
        with self.reading() as conn:
            return exp.config(conn, config_id)

    def start_experiment(
        self,
        project_id: int,
        challenger_config_id: int,
        traffic_share: float = 0.5,
        *,
        started_at: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> int:
        """Run `challenger_config_id` against the project's champion on `traffic_share` of its
        sessions (0 < share < 1). A project runs at most one experiment at a time."""
        started, encoded = exp_args.experiment_args(
            project_id, challenger_config_id, traffic_share, started_at, metadata
        )
        with self.writing() as conn:
            return exp.start_experiment(
                conn, project_id, challenger_config_id, traffic_share, started, encoded
            )

    def experiments(
        self, project_id: int | None = None, status: str | None = None
    ) -> list[Experiment]:
        """Experiments, newest first; optionally of one project and/or with one status."""
        where, params = exp_args.filter_args(project_id, status)
        with self.reading() as conn:
            return exp.experiments(conn, where, params)

    def experiment(self, experiment_id: int) -> Experiment | None:
        """One experiment by id, or None."""
        with self.reading() as conn:
            return exp.experiment(conn, experiment_id)

    def running_experiment(self, project_id: int) -> Experiment | None:
        """The project's running experiment, or None."""
        with self.reading() as conn:
            return exp.running_experiment(conn, project_id)

    def assign_variant(self, project_id: int, session_key: str) -> Assignment:
        """Which config a new session of the project should run: `(variant, config payload)`.

        The split is deterministic: the same (experiment, session key) always gets the same
        variant, and about `traffic_share` of keys get the challenger. Without a running
        experiment every session gets the champion (and `.experiment_id` is None).
        """
        exp_args.assign_args(project_id, session_key)
        with self.reading() as conn:
            return exp.assign_variant(conn, project_id, session_key)

    def arm_stats(self, experiment_id: int) -> dict[str, ArmStats]:
        """Per arm ("champion", "challenger"): sessions, scored sessions, wins, win rate."""
        with self.reading() as conn:
            return exp.arm_stats(conn, experiment_id)

    def fitness(self, experiment_id: int) -> dict[str, list[float]]:
        """Per arm, the fitness of each session that has signals, oldest session first."""
        with self.reading() as conn:
            return exp.fitness(conn, experiment_id)

    def decide(self, experiment_id: int) -> Decision:
        """The decision rule's verdict on the experiment now (nothing is written)."""
        with self.reading() as conn:
            return exp.decide(conn, experiment_id)

    def promote(
        self, experiment_id: int, *, force: bool = False, decided_at: str | None = None
    ) -> Decision:
        """Make the challenger the project's champion and end the experiment as "promoted".

        Refused unless the decision rule says "promote" (pass `force=True` to override). The
        posterior and decision time are stored; the old champion is kept as historical.
        """
        return self._finish(experiment_id, "promoted", force=force, decided_at=decided_at)

    def hold(self, experiment_id: int, *, decided_at: str | None = None) -> Decision:
        """End the experiment keeping the champion (status "held"), storing the posterior."""
        return self._finish(experiment_id, "held", force=True, decided_at=decided_at)

    def abort(self, experiment_id: int, *, decided_at: str | None = None) -> Decision:
        """Stop the experiment without a verdict (status "aborted"); the champion stays."""
        return self._finish(experiment_id, "aborted", force=True, decided_at=decided_at)

    def experiments_version(self) -> tuple[Any, ...]:
        """A cheap value that changes whenever projects, configs, experiments, their sessions or
        signals change (for views that refresh on change; comparable across threads)."""
        with self.reading() as conn:
            return exp.version(conn)

    def _finish(
        self, experiment_id: int, status: str, *, force: bool, decided_at: str | None
    ) -> Decision:
        moment = exp_args.finish_args(experiment_id, decided_at)
        with self.writing() as conn:
            return exp.finish(conn, experiment_id, status, force=force, moment=moment)
