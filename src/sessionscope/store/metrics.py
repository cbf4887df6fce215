"""Prometheus metrics read from the store at scrape time (a prometheus_client custom collector).

    from sessionscope.store.metrics import render
    print(render(db).decode())

Every scrape reads the store in one read transaction, so the figures are one consistent snapshot.
Counters (sessions, messages, tokens, tool calls, cost) are store totals: deleting sessions
lowers them, which Prometheus treats as a counter reset.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from .timeutil import format_ts

ACTIVE_WINDOW = timedelta(minutes=15)
TOKEN_DIRECTIONS = ("input", "output", "cache_read", "cache_creation")
UNKNOWN = "unknown"


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
SELECT coalesce(nullif(m.model, ''), nullif(s.model, ''), 'unknown') AS model,
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
        snap.sessions_by_source = dict(
            conn.execute("SELECT source, count(*) FROM sessions GROUP BY source").fetchall()
        )
        snap.messages_by_role = dict(
            conn.execute("SELECT role, count(*) FROM messages GROUP BY role").fetchall()
        )
        for model, *totals in conn.execute(_TOKENS_SQL):
            for direction, value in zip(TOKEN_DIRECTIONS, totals[:4], strict=True):
                snap.tokens[(direction, model)] = int(value or 0)
            snap.cost_by_model[model] = float(totals[4] or 0.0)
        for name, outcome, count in conn.execute(
            "SELECT name, CASE is_error WHEN 0 THEN 'ok' WHEN 1 THEN 'error'"
            " ELSE 'unknown' END, count(*) FROM tool_calls GROUP BY 1, 2"
        ):
            snap.tool_calls[(name or UNKNOWN, outcome)] = count
        since = format_ts((now or datetime.now(UTC)) - ACTIVE_WINDOW)
        snap.active_sessions = conn.execute(
            "SELECT count(*) FROM sessions WHERE ended_at IS NULL AND updated_at >= ?", (since,)
        ).fetchone()[0]
        return snap
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")


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


class StoreCollector(Collector):
    """Reads the store on every scrape.

    With `executor` (a single-thread executor), every scrape's reads run on that one thread, so an
    HTTP server that starts a thread per request does not open a store connection per request.
    """

    def __init__(self, db: Any, *, executor: Executor | None = None) -> None:
        self._db = db
        self._executor = executor

    def snapshot(self) -> Snapshot:
        if self._executor is None:
            return self._db._read(read_snapshot)
        return self._executor.submit(self._db._read, read_snapshot).result()

    def describe(self) -> Iterator[Metric]:
        """The metric names without samples (so registering does not read the store)."""
        return _families(None)

    def collect(self) -> Iterator[Metric]:
        return _families(self.snapshot())


def registry_for(db: Any, *, executor: Executor | None = None) -> CollectorRegistry:
    """A fresh registry holding only the store's collector."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(StoreCollector(db, executor=executor))
    return registry


def render(db: Any) -> bytes:
    """The store's metrics in Prometheus text exposition format."""
    from prometheus_client import generate_latest

    return generate_latest(registry_for(db))
