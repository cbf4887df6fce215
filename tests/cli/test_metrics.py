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
    registry = registry_for(db, cache_seconds=0)
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
            0, addr="127.0.0.1", registry=registry_for(db, executor=pool, cache_seconds=0)
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


# -- issue 9, item 19: bounded labels, idle clients, one read per burst, prompt stop -------------


def _many_tools(db: Store, names: int, *, source: str = "api") -> str:
    """One session whose assistant called `names` distinct tools once each, plus Bash 3 times."""
    sid = db.start_session(title="many tools", source=source, model="gpt-5")
    blocks = [
        {"type": "tool_use", "id": f"t{i}", "name": f"tool-{i:05d}", "input": {}}
        for i in range(names)
    ]
    blocks += [{"type": "tool_use", "id": f"b{i}", "name": "Bash", "input": {}} for i in range(3)]
    db.append(sid, "assistant", blocks, input_tokens=10, output_tokens=1)
    return sid


def _values(samples: Samples, metric: str, label: str) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for (name, labels), value in samples.items():
        if name == metric:
            out[dict(labels)[label]] += value
    return dict(out)


def test_label_values_are_capped_and_totals_preserved(db: Store) -> None:
    _populate(db)
    _many_tools(db, 5000)
    for i in range(120):  # 120 models, 80 sources
        sid = db.start_session(title=f"s{i}", source=f"src-{i % 80}", model=f"model-{i:03d}")
        db.append(sid, "assistant", "x", input_tokens=i + 1, output_tokens=1, cost_usd=0.001)
    text = render(db).decode()
    samples, _ = _samples(text)
    tools = _values(samples, "sessionscope_tool_calls_total", "tool")
    assert len(tools) <= 51 and "other" in tools
    assert tools["Bash"] == 5  # the busiest tools keep their name
    assert sum(tools.values()) == sum(len(db.tool_calls(s.id)) for s in db.sessions(limit=None))
    models = _values(samples, "sessionscope_tokens_total", "model")
    assert len(models) <= 51 and "other" in models and "model-119" in models
    stats = db.stats()
    for direction, total in (("input", stats.input_tokens), ("output", stats.output_tokens)):
        assert total == sum(
            v
            for (n, labels), v in samples.items()
            if n == "sessionscope_tokens_total" and ("direction", direction) in labels
        )
    assert sum(tools.values()) == stats.tool_calls
    cost = _values(samples, "sessionscope_cost_usd_total", "model")
    assert set(cost) <= set(models) and sum(cost.values()) == pytest.approx(stats.cost_usd)
    sources = _values(samples, "sessionscope_sessions_total", "source")
    assert len(sources) <= 51 and sum(sources.values()) == len(db.sessions(limit=None))
    series = [line for line in text.splitlines() if not line.startswith("#")]
    assert len(series) < 600  # was 5,000+ (7,503 in the issue)


def test_label_limit_is_configurable(db: Store) -> None:
    _many_tools(db, 40)
    result = CliRunner().invoke(cli, ["metrics", "--label-limit", "5"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    tools = _values(_samples(result.stdout)[0], "sessionscope_tool_calls_total", "tool")
    assert len(tools) == 6 and tools["Bash"] == 3 and tools["other"] == 36
    bad = CliRunner().invoke(cli, ["metrics", "--label-limit", "0"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    for limit in (0, -1, 2.5, True):
        with pytest.raises(InvalidInput):
            render(db, label_limit=limit)  # type: ignore[arg-type]


def test_label_values_are_cleaned_and_cut(db: Store) -> None:
    hostile = "\x1b]0;pwned\x07\x9d52;c;Y3VybA==\x07Bash\u202e\u200b\n" + "A" * 10_000
    sid = db.start_session(title="t", source="api\x1b[2J", model="gpt\u202e-5\r\n")
    db.append(
        sid,
        "assistant",
        [
            {"type": "tool_use", "id": "a", "name": hostile, "input": {}},
            {"type": "tool_use", "id": "b", "name": hostile + "B", "input": {}},  # same when cut
            {"type": "tool_use", "id": "c", "name": "\x1b\x07", "input": {}},  # nothing left
        ],
        input_tokens=5,
    )
    text = render(db).decode()
    assert not any(ch in text for ch in "\x1b\x07\x9d\u202e\u200b\r")
    samples, _ = _samples(text)  # no duplicate series after cleaning
    tools = _values(samples, "sessionscope_tool_calls_total", "tool")
    assert all(len(name) <= 120 for name in tools)
    long_name = next(name for name in tools if name.startswith("]0;pwned"))
    assert long_name.endswith("…") and tools[long_name] == 2 and tools["unknown"] == 1
    assert _values(samples, "sessionscope_tokens_total", "model") == {"gpt-5": 5}
    assert set(_values(samples, "sessionscope_sessions_total", "source")) == {"api[2J"}


def _counting_reads(monkeypatch: pytest.MonkeyPatch, delay: float = 0.0) -> list[int]:
    import sessionscope.store.metrics as store_metrics

    calls: list[int] = []
    real = store_metrics.read_snapshot

    def counted(conn, now=None):  # type: ignore[no-untyped-def]
        calls.append(1)
        time.sleep(delay)
        return real(conn, now)

    monkeypatch.setattr(store_metrics, "read_snapshot", counted)
    return calls


def test_a_burst_of_scrapes_reads_the_store_once(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionscope.cli.metrics import start_server

    _populate(db)
    calls = _counting_reads(monkeypatch, delay=0.3)  # slow read: the burst overlaps it
    with ThreadPoolExecutor(max_workers=1) as pool:
        server, thread = start_server(registry_for(db, executor=pool), "127.0.0.1", 0)
        port = server.server_address[1]

        def scrape(_: int) -> str:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
                return r.read().decode()

        try:
            with ThreadPoolExecutor(max_workers=20) as clients:
                bodies = list(clients.map(scrape, range(20)))
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
    assert len(calls) == 1
    for body in bodies:
        _assert_matches_store(body, db)


def test_cached_snapshot_expires_after_a_second(db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionscope.store.metrics import CACHE_SECONDS, StoreCollector

    calls = _counting_reads(monkeypatch)
    now = [100.0]
    collector = StoreCollector(db, clock=lambda: now[0])
    assert collector.snapshot().sessions_by_source == {}
    db.start_session(title="new", source="api")
    now[0] += CACHE_SECONDS / 2
    assert collector.snapshot().sessions_by_source == {} and len(calls) == 1
    now[0] += CACHE_SECONDS
    assert collector.snapshot().sessions_by_source == {"api": 1} and len(calls) == 2


def _closed_within(sock: socket.socket, seconds: float, trickle: bool = False) -> float:
    """Seconds until the server closes `sock` (sending a byte every 0.1 s if `trickle`)."""
    import select

    start = time.monotonic()
    while time.monotonic() - start < seconds:
        readable, _, _ = select.select([sock], [], [], 0.1)
        if readable:
            try:
                if not sock.recv(65536):
                    return time.monotonic() - start
            except OSError:
                return time.monotonic() - start
        elif trickle:
            try:
                sock.sendall(b"X")
            except OSError:
                return time.monotonic() - start
    raise AssertionError(f"connection still open after {seconds} s")


def test_idle_and_slow_clients_are_dropped(db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from sessionscope.cli.metrics import _Handler, start_server

    monkeypatch.setattr(_Handler, "timeout", 0.5)
    monkeypatch.setattr(_Handler, "request_timeout", 1.5)
    server, thread = start_server(registry_for(db), "127.0.0.1", 0)
    port = server.server_address[1]
    try:
        with socket.create_connection(("127.0.0.1", port)) as idle:
            idle.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # half a request, then silence
            assert _closed_within(idle, 10) < 5
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"GET /metrics HTTP/1.1\r\nX-Slow: ")  # then one byte every 0.1 s
            assert 1.0 < _closed_within(slow, 10, trickle=True) < 6
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            assert r.status == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_promptly_with_200_hanging_clients(
    db: Store, store_path: Path, sig: signal.Signals
) -> None:
    """Half-open clients (half a request) and clients that never read their answer."""
    _populate(db)
    _many_tools(db, 5000)  # a scrape that costs something
    port = _free_port()
    env = {**os.environ, "SESSIONSCOPE_DB": str(store_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionscope", "metrics", "--serve", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    hanging: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                hanging.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                break
            except OSError:
                time.sleep(0.1)
        assert hanging, f"server never listened: {proc.poll()}"
        for _ in range(199):
            hanging.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        for i, client in enumerate(hanging):
            tail = b"\r\n" if i % 2 else b""  # odd: a whole request whose answer is never read
            client.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + tail)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            tools = _values(_samples(r.read().decode())[0], "sessionscope_tool_calls_total", "tool")
            assert sum(tools.values()) == db.stats().tool_calls
        start = time.monotonic()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        assert "Traceback" not in out
        elapsed = time.monotonic() - start
    finally:
        for client in hanging:
            client.close()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert elapsed < 3, f"took {elapsed:.1f} s to stop"
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Stopped." in err
