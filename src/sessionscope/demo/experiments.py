"""Demo content for the experiments layer: a project, its configs, a promoted experiment and a
running one, with sessions tagged by variant and scored by signals.

`populate(db, seed)` writes everything through the store's public API; the demo store builder
calls it last. Same seed (and `now`), same data.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from ..store import Store
from ..store.spec import MessageSpec
from ..store.timeutil import format_ts, normalize_ts

PROJECT = "webapp"
ROOT = "/home/dev/webapp"

BASELINE = {
    "name": "baseline",
    "model_pref": "claude-sonnet-4-5",
    "system_prompt_prefix": "You are a careful senior engineer. Keep changes small.",
    "temperature": 0.7,
    "tools": ["Bash", "Read", "Edit", "Grep"],
}
PLAN_FIRST = {
    "name": "plan-first",
    "model_pref": "claude-sonnet-4-5",
    "system_prompt_prefix": "Before editing, write a short plan and name the tests you will run.",
    "temperature": 0.3,
    "tools": ["Bash", "Read", "Edit", "Grep"],
}
TESTS_FIRST = {
    "name": "tests-first",
    "model_pref": "claude-opus-4-1",
    "system_prompt_prefix": "Write or find a failing test first, then make it pass.",
    "temperature": 0.3,
    "tools": ["Bash", "Read", "Edit", "Grep", "Glob"],
}

TASKS = [
    (
        "fix flaky login test",
        "test_login fails about one run in five on CI. Find out why.",
        "pytest tests/test_login.py -x -q",
    ),
    (
        "add rate limiting to /api/upload",
        "Uploads need a per-user rate limit of 10 per minute.",
        "grep -rn 'def upload' src/",
    ),
    (
        "migrate settings to pydantic v2",
        "Our settings module still uses pydantic v1 validators.",
        "python -c 'import pydantic; print(pydantic.VERSION)'",
    ),
    (
        "speed up dashboard query",
        "The dashboard takes 4 s to load; the orders query is slow.",
        "sqlite3 app.db 'EXPLAIN QUERY PLAN SELECT * FROM orders WHERE user_id = 1'",
    ),
    (
        "handle expired refresh tokens",
        "Users get a 500 when their refresh token has expired.",
        "grep -rn 'refresh_token' src/auth/",
    ),
    (
        "paginate the audit log endpoint",
        "GET /audit returns 40k rows at once; paginate it.",
        "pytest tests/test_audit.py -q",
    ),
    (
        "fix timezone bug in invoices",
        "Invoices created after 23:00 UTC get tomorrow's date.",
        "pytest tests/test_invoices.py -k timezone -q",
    ),
    (
        "remove dead feature flags",
        "Delete flags that have been fully rolled out for 90 days.",
        "grep -rn 'feature_flag(' src/ | wc -l",
    ),
    (
        "add CSV export to reports",
        "Finance wants the monthly report as CSV too.",
        "pytest tests/test_reports.py -q",
    ),
    (
        "upgrade to Django 5.1",
        "Bump Django and fix the deprecation warnings.",
        "python -W error -m pytest -q",
    ),
]


def populate(db: Store, seed: int = 0, *, now: datetime | str | None = None) -> dict[str, Any]:
    """Add the demo project with a promoted and a running experiment; return their ids.

    Does nothing (and returns the existing ids) when the project already has experiments.
    """
    with db.transaction():
        return _populate(db, seed, _as_datetime(now))


def _populate(db: Store, seed: int, moment: datetime) -> dict[str, Any]:
    rng = random.Random(f"experiments-demo-{seed}")
    pid = db.create_project(PROJECT, root_path=ROOT, adapter="claude-code", exist_ok=True)
    existing = db.experiments(pid)
    if existing:
        return {
            "project_id": pid,
            "experiment_ids": sorted(e.id for e in existing),
            "config_ids": sorted(c.id for c in db.configs(pid)),
        }

    baseline = db.add_config(pid, BASELINE, role="champion")
    plan_first = db.add_config(pid, PLAN_FIRST, role="challenger")

    # Experiment 1: plan-first against baseline, clearly better, promoted.
    start1 = moment - timedelta(days=30)
    first = db.start_experiment(pid, plan_first, 0.5, started_at=format_ts(start1))
    _run_sessions(
        db,
        rng,
        pid,
        first,
        start=start1,
        span=timedelta(days=20),
        win_rates=(0.4, 0.75),
        min_scored=24,
        scored_share=1.0,
        prefix="e1",
    )
    db.promote(first, decided_at=format_ts(start1 + timedelta(days=21)))

    # Experiment 2: tests-first against plan-first, promising but not enough data yet.
    tests_first = db.add_config(pid, TESTS_FIRST, role="challenger")
    start2 = moment - timedelta(days=8)
    second = db.start_experiment(pid, tests_first, 0.4, started_at=format_ts(start2))
    _run_sessions(
        db,
        rng,
        pid,
        second,
        start=start2,
        span=timedelta(days=8) - timedelta(hours=2),
        win_rates=(0.55, 0.7),
        min_scored=9,
        scored_share=0.8,
        prefix="e2",
    )
    return {
        "project_id": pid,
        "experiment_ids": [first, second],
        "config_ids": [baseline, plan_first, tests_first],
    }


def _as_datetime(now: datetime | str | None) -> datetime:
    if now is None:  # this hour, like the rest of the demo
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if isinstance(now, datetime):
        return now if now.tzinfo else now.replace(tzinfo=UTC)
    stamp = normalize_ts(now)
    assert stamp is not None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _run_sessions(
    db: Store,
    rng: random.Random,
    pid: int,
    eid: int,
    *,
    start: datetime,
    span: timedelta,
    win_rates: tuple[float, float],
    min_scored: int,
    scored_share: float,
    prefix: str,
) -> None:
    """Sessions assigned by `assign_variant` until each arm has `min_scored` scored sessions.

    Wins are dealt from a shuffled quota (not coin flips), so each arm's win rate is close to
    its target whatever the seed.
    """
    plan: list[tuple[Any, bool]] = []  # (assignment, scored)
    scored = {"champion": 0, "challenger": 0}
    while min(scored.values()) < min_scored:
        assignment = db.assign_variant(pid, f"{prefix}-{len(plan)}")
        is_scored = rng.random() < scored_share
        plan.append((assignment, is_scored))
        scored[assignment.variant] += is_scored
    outcomes: dict[str, list[bool]] = {}
    for variant, rate in zip(("champion", "challenger"), win_rates, strict=True):
        wins = round(rate * scored[variant])
        deck = [True] * wins + [False] * (scored[variant] - wins)
        rng.shuffle(deck)
        outcomes[variant] = deck
    step = span / max(1, len(plan))
    for n, (assignment, is_scored) in enumerate(plan):
        began = start + step * n + timedelta(minutes=rng.randint(0, 50))
        sid = _session(db, rng, pid, assignment, began, prefix, n)
        if is_scored:
            _signals(db, rng, sid, outcomes[assignment.variant].pop())


def _session(
    db: Store, rng: random.Random, pid: int, assignment: Any, began: datetime, prefix: str, n: int
) -> str:
    title, prompt, command = rng.choice(TASKS)
    model = assignment.config.get("model_pref")
    sid = db.start_session(
        title=title,
        source="api",
        project=pid,
        model=model,
        id=f"demo-{prefix}-{n:03d}",
        started_at=format_ts(began),
        metadata={"session_key": f"{prefix}-{n}"},
        **assignment.session_fields(),
    )
    t = began
    failed = rng.random() < 0.25

    def later(minutes: float) -> str:
        nonlocal t
        t += timedelta(minutes=minutes)
        return format_ts(t)

    messages: list[MessageSpec] = [
        {"role": "user", "content": prompt, "created_at": later(0)},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me look at the code and run the relevant check."},
                {
                    "type": "tool_use",
                    "id": f"{sid}-t1",
                    "name": "Bash",
                    "input": {"command": command},
                },
            ],
            "created_at": later(0.4),
            "model": model,
            "input_tokens": rng.randint(1500, 9000),
            "output_tokens": rng.randint(60, 400),
            "cache_read_tokens": rng.randint(0, 20000),
            "cost_usd": round(rng.uniform(0.01, 0.09), 4),
        },
        {
            "role": "tool",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": f"{sid}-t1",
                    "is_error": failed,
                    "content": "command failed: exit status 1" if failed else "ok",
                }
            ],
            "created_at": later(0.2),
        },
        {
            "role": "assistant",
            "content": "I found the cause and made the change; the tests pass now."
            if not failed
            else "The check failed; I fixed the command and reran it.",
            "created_at": later(rng.uniform(1, 12)),
            "model": model,
            "input_tokens": rng.randint(3000, 15000),
            "output_tokens": rng.randint(200, 1500),
            "cost_usd": round(rng.uniform(0.02, 0.2), 4),
        },
    ]
    db.append_many(sid, messages)
    db.end_session(sid, status="completed", ended_at=later(0.5))
    return sid


def _signals(db: Store, rng: random.Random, sid: str, win: bool) -> None:
    """Signals whose weighted fitness lands on the intended side of 0.5."""
    if rng.random() < 0.6:
        db.record_signal(sid, "explicit", "thumbs", 1.0 if win else 0.0)
        db.record_signal(sid, "implicit", "tests_passed", 1.0 if rng.random() < 0.7 else 0.0)
    else:
        value = rng.uniform(0.6, 1.0) if win else rng.uniform(0.0, 0.4)
        db.record_signal(
            sid, "implicit", "tests_passed", round(value, 2), payload={"suite": "unit"}
        )
