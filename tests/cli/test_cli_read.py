"""Read-only CLI: sessions, search, show, export, stats; --db / $SESSIONSCOPE_DB; clean errors."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli


@pytest.fixture
def filled(store_path: Path) -> dict[str, str]:
    with store.open() as db:
        a = db.start_session(
            title="Fix login [red]validation[/red]",
            source="claude-code",
            project="/home/dev/webapp",
            started_at="2026-10-01T09:00:00Z",
        )
        db.append(
            a, "user", "The login form accepts empty passwords.", created_at="2026-10-01T09:00:01Z"
        )
        db.append(
            a,
            "assistant",
            [
                {"type": "text", "text": "Running tests.\x1b]0;pwned\x07"},
                {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "npm test"}},
            ],
            output_tokens=42,
            created_at="2026-10-01T09:00:02Z",
        )
        db.append(
            a,
            "tool",
            [{"type": "tool_result", "tool_use_id": "t1", "content": "1 failed", "is_error": True}],
            created_at="2026-10-01T09:00:03Z",
        )
        b = db.start_session(
            title="Rate limit",
            source="codex",
            project="/home/dev/api",
            started_at="2026-10-05T09:00:00Z",
        )
        db.append(b, "user", "Add rate limiting", created_at="2026-10-05T09:00:01Z")
    return {"a": a, "b": b}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_sessions_json_has_stable_keys(filled: dict[str, str]) -> None:
    code, out, _ = run("sessions", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [filled["b"], filled["a"]]
    assert {
        "id",
        "title",
        "source",
        "project",
        "message_count",
        "input_tokens",
        "output_tokens",
        "started_at",
        "updated_at",
        "parent_session_id",
    } <= set(rows[0])
    code, out, _ = run("sessions", "--json", "--source", "codex")
    assert [r["id"] for r in json.loads(out)] == [filled["b"]]
    code, out, _ = run("sessions", "--json", "--project", "webapp", "--limit", "5")
    assert [r["id"] for r in json.loads(out)] == [filled["a"]]


def test_sessions_text_is_inert(filled: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run("sessions")
    assert code == 0
    assert "Fix login [red]validation[/red]" in out and "Rate limit" in out


def test_search_json_and_text(filled: dict[str, str]) -> None:
    code, out, _ = run("search", "--json", "empty", "passwords")
    assert code == 0
    hits = json.loads(out)
    assert [(h["session_id"], h["seq"], h["role"]) for h in hits] == [(filled["a"], 0, "user")]
    assert {
        "session_id",
        "seq",
        "role",
        "snippet",
        "highlights",
        "created_at",
        "session_title",
    } <= set(hits[0])
    code, out, _ = run("search", "tool:Bash", "is:error")
    assert code == 0 and "1 [failed]" not in out and "1 failed" in out
    code, out, err = run("search", "zzzznothing")
    assert code == 0 and "No matches" in err
    code, out, _ = run("search", "--json", '"', "(", "NEAR")
    assert code == 0 and json.loads(out) == []


def test_show_and_export(filled: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = run("show", filled["a"][:8])
    assert code == 0 and "The login form accepts empty passwords." in out
    assert "\x1b" not in out and "\x07" not in out
    code, out, _ = run("show", filled["a"], "--format", "json")
    data = json.loads(out)
    assert data["id"] == filled["a"] and len(data["messages"]) == 3
    assert (
        data["messages"][1]["blocks"][0]["text"] == "Running tests.\x1b]0;pwned\x07"
    )  # JSON keeps data
    target = tmp_path / "out.md"
    code, _, err = run("export", filled["a"], "--format", "markdown", "-o", str(target))
    assert code == 0 and "Wrote" in err
    text = target.read_text()
    assert text.startswith("# Fix login [red]validation[/red]")
    assert "**tool call** `Bash`" in text and "**tool error**" in text
    code, out, _ = run("export", filled["b"], "--format", "json")
    assert json.loads(out)["title"] == "Rate limit"


def test_stats(filled: dict[str, str]) -> None:
    code, out, _ = run("stats", "--json")
    stats = json.loads(out)[0]
    assert (
        stats["sessions"],
        stats["messages"],
        stats["tool_calls"],
        stats["failed_tool_calls"],
    ) == (2, 4, 1, 1)
    assert stats["by_source"] == {"claude-code": 1, "codex": 1}
    code, out, _ = run("stats")
    assert code == 0 and "sessions     2" in out


def test_db_option_overrides_env(filled: dict[str, str], tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with store.open(other) as db:
        db.start_session(title="only in other")
    _code, out, _ = run("--db", str(other), "sessions", "--json")
    assert [r["title"] for r in json.loads(out)] == ["only in other"]
    _code, out, _ = run("sessions", "--db", str(other), "--json")
    assert [r["title"] for r in json.loads(out)] == ["only in other"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "no session has id"),
        (["export", "nope"], "no session has id"),
    ],
)
def test_errors_are_one_sentence(filled: dict[str, str], args: list[str], message: str) -> None:
    code, _out, err = run(*args)
    assert code != 0 and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("--db", str(tmp_path / "absent.db"), "sessions")
    assert code == 1 and "no store at" in err and not (tmp_path / "absent.db").exists()


def test_newer_and_corrupt_stores_exit_nonzero_in_a_real_process(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    store.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite" * 1000)
    for path, words in ((newer, "newer sessionscope"), (junk, "not a sessionscope store")):
        before = path.read_bytes()
        for command in (["sessions"], ["search", "x"], ["stats", "--json"], ["show", "abcd"]):
            proc = subprocess.run(
                [sys.executable, "-m", "sessionscope", "--db", str(path), *command],
                capture_output=True,
                text=True,
            )
            assert proc.returncode == 1, (command, proc.stderr)
            assert words in proc.stderr and "Traceback" not in proc.stderr
            assert len(proc.stderr.strip().splitlines()) == 1
        assert path.read_bytes() == before


def test_bad_options_are_usage_errors_not_internal_errors(filled: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["sessions", "--sort", "sideways"])
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr and "internal error" not in result.stderr


def test_lean_search_path_matches_the_click_command(filled: dict[str, str], capsys) -> None:
    from sessionscope.cli import main

    for args in (
        ["search", "--json", "empty", "passwords"],
        ["search", "-n", "1", "--order", "time", "rate"],
        ["search", "zzzznothing"],
        ["search", "--json", "--", "rate", "-sliding"],
    ):
        assert main(args) == 0
        lean = capsys.readouterr()
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0
        assert (lean.out, lean.err) == (result.stdout, result.stderr), args


def test_lean_search_hands_anything_else_to_click(filled: dict[str, str], tmp_path: Path) -> None:
    for args in (
        ["search", "--help"],
        ["search", "--limit", "x", "a"],
        ["search"],
        ["--db", str(tmp_path / "absent.db"), "search", "a"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "sessionscope", *args], capture_output=True, text=True
        )
        click_result = CliRunner().invoke(cli, args)
        assert proc.returncode == click_result.exit_code, (args, proc.stderr)
        assert "Traceback" not in proc.stderr


def test_lean_search_does_not_import_click(filled: dict[str, str], store_path: Path) -> None:
    code = (
        "import sys\n"
        "from sessionscope.cli import main\n"
        "main(['search', '--json', 'empty'])\n"
        "sys.stderr.write(' '.join(m for m in ('click', 'rich', 'textual', 'sessionscope.store.core') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout)[0]["session_id"] == filled["a"]
    assert proc.stderr == ""


def test_browse_refuses_a_damaged_store_in_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a store" * 100)
    for args in (["--db", str(junk), "browse"], ["--db", str(junk)]):
        proc = subprocess.run(
            [sys.executable, "-m", "sessionscope", *args], capture_output=True, text=True
        )
        assert proc.returncode == 1
        assert "not a sessionscope store" in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_json_output_is_inert_on_a_terminal(store_path: Path) -> None:
    with store.open() as db:
        sid = db.start_session(title="t\x9b31m\u202eevil")
        db.append(sid, "user", "needle \x9d0;title\x9c \u200b zero")
    for args in (
        ["show", sid, "--format", "json"],
        ["sessions", "--json"],
        ["search", "--json", "needle"],
    ):
        out = CliRunner().invoke(cli, args).stdout
        assert not re.search("[\x7f-\x9f\u200b-\u200f\u202a-\u202e]", out), args
        json.loads(out)
    data = json.loads(CliRunner().invoke(cli, ["show", sid, "--format", "json"]).stdout)
    assert data["title"] == "t\x9b31m\u202eevil"  # escaped on the terminal, exact when read


def test_ids_and_sources_with_escapes_print_inert(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    with store.open() as db:
        sid = db.start_session(id="ab\x1b]0;pwn\x07cd-1234", source="src\x1b[31m", title="t")
        db.append(sid, "user", "needle here")
    for args in (["sessions"], ["search", "needle"], ["stats"]):
        out = CliRunner().invoke(cli, args).stdout
        assert "\x1b" not in out and "\x07" not in out, args


def test_absurd_token_counts_are_refused(db) -> None:
    sid = db.start_session()
    with pytest.raises(store.InvalidInput, match="2\\*\\*53"):
        db.append(sid, "user", "x", input_tokens=2**63)


def test_stats_by_day_and_model(db: store.Store) -> None:
    from sessionscope.store.timeutil import now_iso

    sid = db.start_session(title="t", source="codex", model="gpt-5")
    db.append(
        sid, "assistant", "x", created_at=now_iso(), input_tokens=7, output_tokens=3, cost_usd=1.5
    )
    db.close()
    out = CliRunner().invoke(cli, ["stats", "--by", "model", "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [(r["key"], r["input_tokens"], r["cost_usd"]) for r in rows] == [("gpt-5", 7, 1.5)]
    text = CliRunner().invoke(cli, ["stats", "--by", "day"]).stdout
    assert "$1.50" in text and text.splitlines()[-1].startswith("total")
    bad = CliRunner().invoke(cli, ["stats", "--by", "day", "--since", "banana"])
    assert bad.exit_code == 1 and "--since 'banana' is not a date" in bad.stderr


@pytest.mark.parametrize("lean", [False, True])
def test_a_mistyped_filter_is_named_when_nothing_matches(
    filled: dict[str, str], capsys: pytest.CaptureFixture[str], lean: bool
) -> None:
    # `projet:webapp` is searched as text (`host:port` is text too), so it finds nothing: the
    # "No matches." says which word looks like a filter and what it may have meant
    words = ["projet:webapp", "login"]
    if lean:
        from sessionscope.cli.quick import quick_search

        assert quick_search(words) == 0
        err = capsys.readouterr().err
    else:
        code, _, err = run("search", *words)
        assert code == 0
    assert err == "No matches. (projet: is not a filter; did you mean project:webapp?)\n"
    code, out, err = run("search", "tools:Bash")
    assert code == 0 and "did you mean tool:Bash?" in err
    code, out, err = run("search", "project:webapp", "login")  # a real filter, and hits
    assert code == 0 and out and err == ""
    code, out, err = run("search", "localhost:8080")  # not near any filter: no guess
    assert code == 0 and err == "No matches.\n"


@pytest.mark.parametrize("lean", [False, True])
def test_ids_printed_by_sessions_and_search_open_that_session(
    store_path: Path, capsys: pytest.CaptureFixture[str], lean: bool
) -> None:
    # ids sharing their first 8 characters (OpenCode's ses_..., ids an agent chose): the list
    # and the hits print as much of each id as tells it apart, and `show` takes that back
    with store.open() as db:
        for n in (1, 2, 30):
            sid = db.start_session(id=f"demo-e2-{n:03d}", title=f"run {n}")
            db.append(sid, "user", f"needle number {n}")
        db.start_session(id="ses_1794aBc", title="upper")
        db.start_session(id="ses_1794abc", title="lower")
    code, out, _ = run("sessions")
    assert code == 0
    shown = [line.split()[0] for line in out.splitlines()[1:]]
    assert sorted(shown) == [
        "demo-e2-001",
        "demo-e2-002",
        "demo-e2-03",
        "ses_1794aB",
        "ses_1794ab",
    ]
    for ref in shown:
        code, _, err = run("tags", ref)
        assert code == 0, err
    if lean:
        from sessionscope.cli.quick import quick_search

        assert quick_search(["needle", "number", "30"]) == 0
        out = capsys.readouterr().out
    else:
        code, out, _ = run("search", "needle", "number", "30")
    ref = out.split()[0]
    assert ref == "demo-e2-03#0"
    code, out, err = run("show", ref)
    assert code == 0 and "needle number 30" in out, err
    # a unique id keeps its 8 characters
    with store.open() as db:
        db.start_session(id="0123456789abcdef", title="alone")
    code, out, _ = run("sessions")
    assert "01234567  " in out and "012345678" not in out


def test_a_limit_that_is_a_digit_but_no_number_is_refused_not_a_traceback(
    filled: dict[str, str],
) -> None:
    # "²".isdigit() is true and int("²") raises: the lean search path died with a traceback
    from sessionscope.cli.quick import quick_search

    assert quick_search(["login", "--limit", "²"]) is None  # left to the click command
    code, out, err = run("search", "login", "--limit", "²")
    assert code == 2 and out == "" and "'²' is not a valid integer" in err


@pytest.mark.parametrize("command", ["sessions", "search"])
def test_limit_zero_is_refused_not_an_empty_answer(
    filled: dict[str, str], command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # `sessions --limit 0` said "No sessions. Import some" of a full store
    words = ["login"] if command == "search" else []
    code, out, err = run(command, *words, "--limit", "0")
    assert code == 2 and out == ""
    assert "Invalid value for '--limit' / '-n': 0 is not in the range x>=1." in err
    if command == "search":
        from sessionscope.cli.quick import quick_search

        assert quick_search(["login", "-n", "0"]) is None  # left to the click command
