"""Prometheus metrics read from the store at scrape time (a prometheus_client custom collector).

    from sessionscope.store.metrics import render
    print(render(db).decode())

Every scrape reads the store in one read transaction, so the figures are one consistent snapshot.
Counters (sessions, messages, tokens, tool calls, cost) are store totals: deleting sessions
lowers them, which Prometheus treats as a counter reset.

Label values come from transcripts, so they are bounded: each is cleaned of control and format
characters and cut to `LABEL_MAX_CHARS`, and each label keeps its `LABEL_LIMIT` largest values
(by volume) with the rest summed into `other`, so totals are preserved. A collector serves a
scrape within `CACHE_SECONDS` of the last one from that snapshot: a burst of clients costs one read.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import unicodedata
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from .errors import InvalidInput
from .timeutil import format_ts

if TYPE_CHECKING:
    from .core import Store

ACTIVE_WINDOW = timedelta(minutes=15)
TOKEN_DIRECTIONS = ("input", "output", "cache_read", "cache_creation")
UNKNOWN = "unknown"
OTHER = "other"
LABEL_LIMIT = 50  # distinct values kept per label; the rest are summed into OTHER
LABEL_MAX_CHARS = 120  # a longer label value is cut (ending in "…")
CACHE_SECONDS = 1.0
_RAW_CHARS = 4 * LABEL_MAX_CHARS  # read at most this much of a value from the store

K = TypeVar("K", bound=Hashable)
L = TypeVar("L", bound=Hashable)
N = TypeVar("N", int, float)


@dataclass(slots=True)
class Snapshot:
    """The figures one scrape exports."""

    sessions_by_source: dict[str, int] = field(default_factory=dict)
    messages_by_role: dict[str, int] = field(default_factory=dict)
    # (direction, model) -> tokens
    tokens: dict[tuple[str, str], int] = field(default_factory=dict)
    cost_by_model: dict[str, float] = field(default_factory=dict)
    # (tool, outcome) -> calls; outcome is ok, error or unknown (no result recorded)
    tool_calls: dict[tuple[str, str], int] = field(default_factory=dict)
    active_sessions: int = 0


# Per-message model when the message has one, else the session's model.
_TOKENS_SQL = """
SELECT substr(coalesce(nullif(m.model, ''), nullif(s.model, ''), 'unknown'), 1, ?) AS model,
       sum(m.input_tokens), sum(m.output_tokens), sum(m.cache_read_tokens),
       sum(m.cache_creation_tokens), sum(m.cost_usd)
  FROM messages AS m JOIN sessions AS s ON s.id = m.session_id
 WHERE m.input_tokens + m.output_tokens + m.cache_read_tokens + m.cache_creation_tokens > 0
    OR m.cost_usd > 0
 GROUP BY 1
"""


def read_snapshot(conn: sqlite3.Connection, now: datetime | None = None) -> Snapshot:
    """Every figure, read in one transaction on `conn`."""
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        snap = Snapshot()
        cut = (_RAW_CHARS,)
        snap.sessions_by_source = dict(
            conn.execute(
                "SELECT substr(source, 1, ?), count(*) FROM sessions GROUP BY 1", cut
            ).fetchall()
        )
        snap.messages_by_role = dict(
            conn.execute("SELECT substr(role, 1, ?), count(*) FROM messages GROUP BY 1", cut)
        )
        for model, *totals in conn.execute(_TOKENS_SQL, cut):
            for direction, value in zip(TOKEN_DIRECTIONS, totals[:4], strict=True):
                snap.tokens[(direction, model)] = int(value or 0)
            snap.cost_by_model[model] = float(totals[4] or 0.0)
        for name, outcome, count in conn.execute(
            "SELECT substr(name, 1, ?), CASE is_error WHEN 0 THEN 'ok' WHEN 1 THEN 'error'"
            " ELSE 'unknown' END, count(*) FROM tool_calls GROUP BY 1, 2",
            cut,
        ):
            key = (name or UNKNOWN, outcome)
            snap.tool_calls[key] = snap.tool_calls.get(key, 0) + count
        since = format_ts((now or datetime.now(UTC)) - ACTIVE_WINDOW)
        snap.active_sessions = conn.execute(
            "SELECT count(*) FROM sessions WHERE ended_at IS NULL AND updated_at >= ?", (since,)
        ).fetchone()[0]
        return snap
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")


def _invisible(ch: str) -> bool:
    """Control, format, surrogate, private-use, unassigned, line and paragraph separators."""
    category = unicodedata.category(ch)
    return category[0] == "C" or category in ("Zl", "Zp")


def clean_label(value: object) -> str:
    """A label value without control, format or separator characters, cut to LABEL_MAX_CHARS."""
    text = "".join(ch for ch in str(value)[:_RAW_CHARS] if not _invisible(ch)).strip()
    if len(text) > LABEL_MAX_CHARS:
        text = text[: LABEL_MAX_CHARS - 1] + "…"
    return text or UNKNOWN


def _relabel(values: Mapping[K, N], fn: Callable[[K], L]) -> dict[L, N]:
    """`values` with every key mapped through `fn`; keys that meet are summed."""
    out: dict[L, N] = {}
    for key, value in values.items():
        new = fn(key)
        out[new] = out[new] + value if new in out else value
    return out


def _top(volume: Mapping[str, Any], limit: int) -> Callable[[str], str]:
    """Keeps the `limit` values of largest volume (ties by name) and maps the rest to OTHER."""
    if len(volume) <= limit:
        return lambda value: value
    ranked = sorted(sorted(volume), key=lambda value: volume[value], reverse=True)
    kept = frozenset(ranked[:limit])
    return lambda value: value if value in kept else OTHER


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"label_limit must be a whole number of at least 1, not {limit!r}.")


def bounded(snap: Snapshot, limit: int = LABEL_LIMIT) -> Snapshot:
    """`snap` with every label value cleaned and at most `limit` + 1 values per label."""
    _check_limit(limit)
    sources = _relabel(snap.sessions_by_source, clean_label)
    roles = _relabel(snap.messages_by_role, clean_label)
    tools = _relabel(snap.tool_calls, lambda k: (clean_label(k[0]), k[1]))
    tokens = _relabel(snap.tokens, lambda k: (k[0], clean_label(k[1])))
    cost = _relabel(snap.cost_by_model, clean_label)
    tool_volume = _relabel(tools, itemgetter(0))
    model_tokens = _relabel(tokens, itemgetter(1))  # every costed model has a tokens row
    model_volume = {m: (n, cost.get(m, 0.0)) for m, n in model_tokens.items()}
    keep_source, keep_role = _top(sources, limit), _top(roles, limit)
    keep_tool, keep_model = _top(tool_volume, limit), _top(model_volume, limit)
    return Snapshot(
        sessions_by_source=_relabel(sources, keep_source),
        messages_by_role=_relabel(roles, keep_role),
        tokens=_relabel(tokens, lambda k: (k[0], keep_model(k[1]))),
        cost_by_model=_relabel(cost, keep_model),
        tool_calls=_relabel(tools, lambda k: (keep_tool(k[0]), k[1])),
        active_sessions=snap.active_sessions,
    )


def _families(snap: Snapshot | None) -> Iterator[Metric]:
    sessions = CounterMetricFamily(
        "sessionscope_sessions", "Sessions in the store, by source.", labels=["source"]
    )
    messages = CounterMetricFamily(
        "sessionscope_messages", "Messages in the store, by role.", labels=["role"]
    )
    tokens = CounterMetricFamily(
        "sessionscope_tokens",
        "Tokens recorded on messages, by direction (input, output, cache_read, cache_creation)"
        " and model.",
        labels=["direction", "model"],
    )
    tools = CounterMetricFamily(
        "sessionscope_tool_calls",
        "Tool calls, by tool and outcome (ok, error, or unknown when no result was recorded).",
        labels=["tool", "outcome"],
    )
    cost = CounterMetricFamily(
        "sessionscope_cost_usd",
        "Cost recorded on messages in US dollars, by model.",
        labels=["model"],
        unit="usd",
    )
    active = GaugeMetricFamily(
        "sessionscope_active_sessions",
        "Sessions written to in the last 15 minutes and not ended.",
    )
    if snap is not None:
        for source, count in sorted(snap.sessions_by_source.items()):
            sessions.add_metric([source], count)
        for role, count in sorted(snap.messages_by_role.items()):
            messages.add_metric([role], count)
        for (direction, model), count in sorted(snap.tokens.items()):
            tokens.add_metric([direction, model], count)
        for (tool, outcome), count in sorted(snap.tool_calls.items()):
            tools.add_metric([tool, outcome], count)
        for model, dollars in sorted(snap.cost_by_model.items()):
            cost.add_metric([model], dollars)
        active.add_metric([], snap.active_sessions)
    yield from (sessions, messages, tokens, tools, cost, active)


def _snapshot_of(db: Store) -> Snapshot:
    """One snapshot of the store, read in one read transaction."""
    with db.reading() as conn:
        return read_snapshot(conn)


class StoreCollector(Collector):
    """Reads the store at scrape time, at most once per `cache_seconds`.

    With `executor` (a single-thread executor), every scrape's reads run on that one thread, so an
    HTTP server that starts a thread per request does not open a store connection per request.
    Concurrent scrapes share one read: the first reads, the others wait for its snapshot.
    """

    def __init__(
        self,
        db: Store,
        *,
        executor: Executor | None = None,
        label_limit: int = LABEL_LIMIT,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_limit(label_limit)
        self._db = db
        self._executor = executor
        self._label_limit = label_limit
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: Snapshot | None = None
        self._read_at = 0.0

    def _read(self) -> Snapshot:
        if self._executor is None:
            snap = _snapshot_of(self._db)
        else:
            snap = self._executor.submit(_snapshot_of, self._db).result()
        return bounded(snap, self._label_limit)

    def snapshot(self) -> Snapshot:
        """The bounded figures: the cached ones when read less than `cache_seconds` ago."""
        with self._lock:
            fresh = self._clock() - self._read_at < self._cache_seconds
            if self._cached is None or not fresh:
                self._cached = self._read()
                self._read_at = self._clock()
            return self._cached

    def describe(self) -> Iterator[Metric]:
        """The metric names without samples (so registering does not read the store)."""
        return _families(None)

    def collect(self) -> Iterator[Metric]:
        return _families(self.snapshot())


def registry_for(
    db: Store,
    *,
    executor: Executor | None = None,
    label_limit: int = LABEL_LIMIT,
    cache_seconds: float = CACHE_SECONDS,
) -> CollectorRegistry:
    """A fresh registry holding only the store's collector."""
    registry = CollectorRegistry(auto_describe=True)
    collector = StoreCollector(
        db, executor=executor, label_limit=label_limit, cache_seconds=cache_seconds
    )
    registry.register(collector)
    return registry


def render(db: Store, *, label_limit: int = LABEL_LIMIT) -> bytes:
    """The store's metrics in Prometheus text exposition format."""
    from prometheus_client import generate_latest

    return generate_latest(registry_for(db, label_limit=label_limit, cache_seconds=0))
