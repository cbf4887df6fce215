"""`Store.usage`: figures per day, week, month, project, model and source, checked by hand."""

from __future__ import annotations

import pytest

from sessionscope import store
from sessionscope.store.usage import UsageRow


@pytest.fixture
def usage_store(db: store.Store) -> store.Store:
    a = db.start_session(title="a", source="claude-code", project="/p/web", model="opus")
    b = db.start_session(title="b", source="codex", project="/p/api", model="gpt-5")
    db.append(a, "user", "hi", created_at="2026-11-01T10:00:00.000Z")
    db.append(
        a,
        "assistant",
        "x",
        created_at="2026-11-01T10:01:00.000Z",
        model="opus",
        input_tokens=100,
        output_tokens=10,
        cache_read_tokens=1000,
        cache_creation_tokens=5,
        cost_usd=0.5,
    )
    db.append(
        a,
        "assistant",
        "y",
        created_at="2026-11-03T09:00:00.000Z",
        model="opus",
        input_tokens=200,
        output_tokens=20,
        cost_usd=1.25,
    )
    db.append(
        b,
        "assistant",
        "z",
        created_at="2026-11-03T12:00:00.000Z",
        model="gpt-5",
        input_tokens=50,
        output_tokens=5,
        cost_usd=0.25,
    )
    return db


def test_by_day_sums_each_column(usage_store: store.Store) -> None:
    rows = usage_store.usage(by="day", since="2026-10-01")
    assert rows == [
        UsageRow("2026-11-01", 1, 2, 100, 10, 1000, 5, 0.5),
        UsageRow("2026-11-03", 2, 2, 250, 25, 0, 0, 1.5),
    ]
    assert rows[0].tokens == 1115


def test_by_model_project_and_source_order_by_cost(usage_store: store.Store) -> None:
    models = usage_store.usage(by="model", since="2026-10-01")
    assert [(r.key, r.messages, r.cost_usd) for r in models] == [
        ("opus", 3, 1.75),
        ("gpt-5", 1, 0.25),
    ]
    projects = usage_store.usage(by="project", since="2026-10-01")
    assert [(r.key, r.sessions) for r in projects] == [("/p/web", 1), ("/p/api", 1)]
    sources = usage_store.usage(by="source", since="2026-10-01")
    assert {r.key for r in sources} == {"claude-code", "codex"}


def test_since_until_and_weeks(usage_store: store.Store) -> None:
    late = usage_store.usage(by="day", since="2026-11-02")
    assert [r.key for r in late] == ["2026-11-03"]
    early = usage_store.usage(by="day", since="2026-10-01", until="2026-11-02")
    assert [r.key for r in early] == ["2026-11-01"]
    weeks = usage_store.usage(by="week", since="2026-10-01")
    assert sum(r.messages for r in weeks) == 4


@pytest.mark.parametrize(
    ("by", "since"), [("year", None), ("day", "banana"), (3, None), ("day", 5)]
)
def test_odd_arguments_are_typed_errors(db: store.Store, by: object, since: object) -> None:
    with pytest.raises(store.InvalidInput):
        db.usage(by=by, since=since)  # type: ignore[arg-type]


def test_one_index_scan_serves_every_grouping(usage_store: store.Store) -> None:
    report = usage_store.usage_report(("day", "model", "project", "month"), since="2026-10-01")
    assert report["day"] == usage_store.usage(by="day", since="2026-10-01")
    assert [(r.key, r.messages) for r in report["month"]] == [("2026-11", 4)]
    with usage_store.reading() as conn:
        plan = " ".join(
            str(row)
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT day, session_id, model, count(*) "
                "FROM messages INDEXED BY messages_usage WHERE day >= '2026-10-01' "
                "GROUP BY day, session_id, model"
            )
        )
    assert "messages_usage" in plan and "TEMP B-TREE" not in plan


def test_stats_of_a_period_agree_with_usage(usage_store: store.Store) -> None:
    whole = usage_store.stats()
    late = usage_store.stats(since="2026-11-02")
    assert (whole.sessions, whole.messages, whole.since) == (2, 4, None)
    assert (late.sessions, late.messages, late.by_source) == (2, 2, {"claude-code": 1, "codex": 1})
    assert (late.input_tokens, late.output_tokens, late.cost_usd) == (250, 25, 1.5)
    assert (late.since, late.until, late.first_at) == (
        "2026-11-02",
        None,
        "2026-11-03T09:00:00.000Z",
    )
    early = usage_store.stats(since="2026-10-01", until="2026-11-02")
    (day,) = usage_store.usage(by="day", since="2026-10-01", until="2026-11-02")
    assert (early.sessions, early.messages, early.input_tokens) == (
        day.sessions,
        day.messages,
        day.input_tokens,
    )
    assert early.by_role == {"user": 1, "assistant": 1} and early.cache_read_tokens == 1000
    with pytest.raises(store.InvalidInput):
        usage_store.stats(since="banana")
