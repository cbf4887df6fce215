"""`sessionscope metrics`: Prometheus text from the store, checked against the store's own API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from prometheus_client import start_http_server
from prometheus_client.parser import text_string_to_metric_families

from sessionscope.cli import cli
from sessionscope.cli.metrics import parse_address
from sessionscope.store import InvalidInput, Store
from sessionscope.store.metrics import ACTIVE_WINDOW, registry_for, render
from sessionscope.store.timeutil import format_ts

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def _ago(**delta: float) -> str:
    return format_ts(datetime.now(UTC) - timedelta(**delta))


def _populate(db: Store) -> None:
    a = db.start_session(
        title="active", source="claude-code", model="claude-sonnet", started_at=_ago(minutes=5)
    )
    db.append(a, "user", "run the tests", created_at=_ago(minutes=5))
    db.append(
        a,
        "assistant",
        [
            {"type": "text", "text": "running"},
            {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "pytest"}},
            {"type": "tool_use", "id": "t2", "name": "Read", "input": {"path": "x.py"}},
            {"type": "tool_use", "id": "t3", "name": "Grep", "input": {"pattern": "x"}},
        ],
        input_tokens=1200,
        output_tokens=80,
        cache_read_tokens=300,
        cost_usd=0.004,
        created_at=_ago(minutes=4),
    )
    db.append(
        a,
        "tool",
        [
            {"type": "tool_result", "tool_use_id": "t1", "content": "ok"},
            {"type": "tool_result", "tool_use_id": "t2", "content": "missing", "is_error": True},
        ],
        created_at=_ago(minutes=3),
    )
    db.append(
        a,
        "assistant",
        [
            {"type": "tool_use", "id": "t4", "name": "Bash", "input": {"command": "ls"}},
        ],
        model="claude-haiku",
        input_tokens=50,
        output_tokens=5,
        cost_usd=0.0001,
        created_at=_ago(minutes=2),
    )
    db.append(
        a,
        "tool",
        [{"type": "tool_result", "tool_use_id": "t4", "content": "a b"}],
        created_at=_ago(minutes=2),
    )

    b = db.start_session(title="old", source="codex", model="gpt-5", started_at=_ago(hours=3))
    db.append_many(
        b,
        [
            {"role": "system", "content": "env", "created_at": _ago(hours=3)},
            {"role": "user", "content": "hi", "created_at": _ago(hours=3)},
            {
                "role": "assistant",
                "content": "hello",
                "model": "gpt-5-mini",
                "input_tokens": 900,
                "output_tokens": 30,
                "cache_read_tokens": 4000,
                "cache_creation_tokens": 64,
                "cost_usd": 0.0123,
                "created_at": _ago(hours=2),
            },
            {
                "role": "assistant",
                "content": "more",
                "input_tokens": 100,
                "output_tokens": 10,
                "created_at": _ago(hours=2),
            },
        ],
    )

    c = db.start_session(title="ended", source="api", started_at=_ago(minutes=3))
    db.append(c, "user", "x", created_at=_ago(minutes=2))
    db.append(
        c,
        "assistant",
        "y",
        input_tokens=7,
        output_tokens=3,
        cost_usd=0.5,
        created_at=_ago(minutes=2),
    )
    db.end_session(c)

    db.start_session(title="empty", source="api")  # active: just created, not ended


def _samples(text: str) -> tuple[Samples, dict[str, str]]:
    samples: Samples = {}
    types: dict[str, str] = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            key = (s.name, frozenset(s.labels.items()))
            assert key not in samples, f"duplicate series {key}"
            samples[key] = s.value
    return samples, types


def _expected(db: Store) -> Samples:
    """The same figures, computed from the store's read API (no SQL)."""
    out: Samples = defaultdict(float)
    sessions = db.sessions(limit=None)
    for s in Counter(x.source for x in sessions).items():
        out[("sessionscope_sessions_total", frozenset({("source", s[0])}))] = s[1]
    cutoff = format_ts(datetime.now(UTC) - ACTIVE_WINDOW)
    out[("sessionscope_active_sessions", frozenset())] = sum(
        1 for x in sessions if x.ended_at is None and (x.updated_at or "") >= cutoff
    )
    for info in sessions:
        session = db.load(info.id)
        assert session is not None
        for m in session.messages:
            out[("sessionscope_messages_total", frozenset({("role", m.role)}))] += 1
            spent = (m.input_tokens, m.output_tokens, m.cache_read_tokens, m.cache_creation_tokens)
            if not any(spent) and not m.cost_usd:
                continue
            model = m.model or info.model or "unknown"
            for direction, value in zip(
                ("input", "output", "cache_read", "cache_creation"), spent, strict=True
            ):
                out[
                    (
                        "sessionscope_tokens_total",
                        frozenset({("direction", direction), ("model", model)}),
                    )
                ] += value
            out[("sessionscope_cost_usd_total", frozenset({("model", model)}))] += m.cost_usd
        for call in db.tool_calls(info.id).values():
            outcome = {None: "unknown", False: "ok", True: "error"}[call["is_error"]]
            out[
                (
                    "sessionscope_tool_calls_total",
                    frozenset({("tool", call["name"]), ("outcome", outcome)}),
                )
            ] += 1
    return dict(out)


def _assert_matches_store(text: str, db: Store) -> None:
    samples, types = _samples(text)
    expected = _expected(db)
    assert set(samples) == set(expected)
    for key, value in expected.items():
        assert samples[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    assert types == {
        "sessionscope_sessions": "counter",
        "sessionscope_messages": "counter",
        "sessionscope_tokens": "counter",
        "sessionscope_tool_calls": "counter",
        "sessionscope_cost_usd": "counter",
        "sessionscope_active_sessions": "gauge",
    }


def test_metrics_text_matches_the_store(db: Store) -> None:
    _populate(db)
    text = render(db).decode()
    _assert_matches_store(text, db)
    samples, _ = _samples(text)
    # spot checks that would catch a wrong attribution or unit
    assert samples[("sessionscope_active_sessions", frozenset())] == 2
    assert samples[("sessionscope_cost_usd_total", frozenset({("model", "gpt-5-mini")}))] == (
        pytest.approx(0.0123)
    )
    assert (
        samples[
            ("sessionscope_tokens_total", frozenset({("direction", "input"), ("model", "gpt-5")}))
        ]
        == 100
    )  # no model on the message
    assert (
        samples[
            (
                "sessionscope_tokens_total",
                frozenset({("direction", "cache_creation"), ("model", "gpt-5-mini")}),
            )
        ]
        == 64
    )
    assert (
        samples[("sessionscope_tool_calls_total", frozenset({("tool", "Bash"), ("outcome", "ok")}))]
        == 2
    )
    assert (
        samples[
            ("sessionscope_tool_calls_total", frozenset({("tool", "Read"), ("outcome", "error")}))
        ]
        == 1
    )
    assert (
        samples[
            ("sessionscope_tool_calls_total", frozenset({("tool", "Grep"), ("outcome", "unknown")}))
        ]
        == 1
    )
    stats = db.stats()
    tokens_in = sum(
        v
        for (name, labels), v in samples.items()
        if name == "sessionscope_tokens_total" and ("direction", "input") in labels
    )
    assert tokens_in == stats.input_tokens
    dollars = sum(v for (name, _), v in samples.items() if name == "sessionscope_cost_usd_total")
    assert dollars == pytest.approx(stats.cost_usd)


def test_metrics_follow_the_store_between_scrapes(db: Store) -> None:
    registry = registry_for(db)
    from prometheus_client import generate_latest

    empty, _ = _samples(generate_latest(registry).decode())
    assert empty == {("sessionscope_active_sessions", frozenset()): 0}
    _populate(db)
    _assert_matches_store(generate_latest(registry).decode(), db)


def test_metrics_cli_prints_exposition_text(db: Store) -> None:
    _populate(db)
    result = CliRunner().invoke(cli, ["metrics"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# HELP sessionscope_")
    _assert_matches_store(result.stdout, db)


def test_metrics_cli_without_a_store_is_one_line_error(store_path: Path) -> None:
    result = CliRunner().invoke(cli, ["metrics"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "no store at" in result.stderr
    assert not store_path.exists()


@pytest.mark.parametrize("value", ["nope", "127.0.0.1:abc", "127.0.0.1:70000", "127.0.0.1:"])
def test_serve_rejects_bad_addresses(db: Store, value: str) -> None:
    result = CliRunner().invoke(cli, ["metrics", "--serve", value])
    assert result.exit_code == 1
    assert "HOST:PORT" in result.stderr and "Traceback" not in result.output


def test_parse_address() -> None:
    assert parse_address("127.0.0.1:9464") == ("127.0.0.1", 9464)
    assert parse_address(":0") == ("127.0.0.1", 0)
    assert parse_address("[::1]:9000") == ("::1", 9000)
    assert parse_address("0.0.0.0:80") == ("0.0.0.0", 80)
    with pytest.raises(InvalidInput):
        parse_address("9464")


def test_collector_reads_on_its_executor_thread(db: Store) -> None:
    """Served scrapes run their reads on one thread, not one connection per request thread."""
    _populate(db)

    class Counting(ThreadPoolExecutor):
        calls = 0

        def submit(self, *args, **kwargs):  # type: ignore[override]
            Counting.calls += 1
            return super().submit(*args, **kwargs)

    with Counting(max_workers=1) as pool:
        server, thread = start_http_server(
            0, addr="127.0.0.1", registry=registry_for(db, executor=pool)
        )
        try:
            port = server.server_address[1]
            for _ in range(3):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                    _assert_matches_store(r.read().decode(), db)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    assert Counting.calls == 3


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_over_http_until_interrupted(db: Store, store_path: Path) -> None:
    _populate(db)
    port = _free_port()
    env = {**os.environ, "SESSIONSCOPE_DB": str(store_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionscope", "metrics", "--serve", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                    assert r.status == 200
                    assert r.headers["Content-Type"].startswith("text/plain")
                    body = r.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, f"server never answered: {proc.poll()} {proc.stderr}"
        _assert_matches_store(body, db)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert f"Serving metrics on http://127.0.0.1:{port}/metrics" in err
    assert "Stopped." in err


def test_serve_on_a_busy_port_is_one_line_error(db: Store) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        result = CliRunner().invoke(cli, ["metrics", "--serve", f"127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
