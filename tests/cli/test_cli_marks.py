"""`sessionscope tag`, `tags`, `pin`, `note` and `sessions --filter` (issue 14 item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli

A = "aaaa1111-0000-4000-8000-000000000001"
B = "bbbb2222-0000-4000-8000-000000000002"


@pytest.fixture
def two(store_path: Path) -> None:
    with store.open() as db:
        db.start_session(title="login test is flaky", id=A, started_at="2026-10-01T09:00:00Z")
        db.start_session(title="docs", id=B, started_at="2026-10-02T09:00:00Z")
        db.append(A, "user", "the login test failed", created_at="2026-10-01T09:00:01Z")
        db.append(B, "user", "write the login docs", created_at="2026-10-02T09:00:01Z")


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_tag_untag_and_list(two: None) -> None:
    code, out, _ = run("tag", A[:8], "Flaky", "#ci")
    assert code == 0 and out.strip() == "aaaa1111  #ci #flaky"
    code, out, _ = run("tag", A[:8], "ci", "--remove", "--json")
    assert code == 0 and json.loads(out) == {"session_id": A, "tags": ["flaky"]}
    run("tag", B, "flaky", "docs")
    code, out, _ = run("tags", "--json")
    assert json.loads(out) == [{"tag": "flaky", "sessions": 2}, {"tag": "docs", "sessions": 1}]
    code, out, _ = run("tags", B)
    assert out.strip() == "bbbb2222  #docs #flaky"


def test_bad_tag_is_one_line_error(two: None) -> None:
    code, out, err = run("tag", A, "no spaces\x1b[31m")
    assert code == 1 and out == ""
    assert err.startswith("sessionscope: error: tag ") and err.count("\n") == 1
    assert "\x1b" not in err
    with store.open() as db:
        assert db.tags(A) == []


def test_unknown_session_is_one_line_error(two: None) -> None:
    for args in (("tag", "zzzz9999", "x"), ("pin", "zzzz9999"), ("note", "zzzz9999", "hi")):
        code, _, err = run(*args)
        assert code == 1 and err.startswith("sessionscope: error: no session"), (args, err)


def test_pin_and_unpin(two: None) -> None:
    code, out, _ = run("pin", A[:8])
    assert code == 0 and out.strip() == "aaaa1111 pinned."
    code, out, _ = run("pin", A[:8])
    assert "already" in out
    code, out, _ = run("sessions")
    line = next(x for x in out.splitlines() if "login test" in x)
    assert "★ login test is flaky" in line
    run("pin", A[:8], "--off")
    with store.open() as db:
        assert not db.session(A).pinned  # type: ignore[union-attr]


def test_note_set_print_stdin_and_clear(two: None) -> None:
    code, out, _ = run("note", A[:8], "fails on CI only")
    assert code == 0 and "note saved" in out
    code, out, _ = run("note", A[:8])
    assert out.strip() == "fails on CI only"
    code, out, _ = run("note", A[:8], "-", input="line one\nline two\x1b]0;pwn\x07\n")
    assert code == 0
    code, out, _ = run("note", A[:8])
    assert out.splitlines() == ["line one", "line two"]  # the escape never printed
    code, out, _ = run("note", A[:8], "--clear")
    assert "removed" in out
    with store.open() as db:
        assert db.session(A).note is None  # type: ignore[union-attr]
    code, _, err = run("note", A[:8], "x", "--clear")
    assert code == 2 and "not both" in err


def test_sessions_filter_and_json_carry_marks(two: None) -> None:
    run("tag", A, "flaky")
    run("pin", B)
    run("note", A, "see #12")
    code, out, _ = run("sessions", "--filter", "tag:flaky", "--json")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [A]
    assert rows[0]["tags"] == ["flaky"] and rows[0]["pinned"] is False
    assert rows[0]["note"] == "see #12"
    code, out, _ = run("sessions", "--filter", "is:pinned", "--json")
    assert [r["id"] for r in json.loads(out)] == [B]
    code, out, _ = run("sessions", "--filter", "-is:pinned login")
    assert "login test is flaky #flaky" in out and "docs" not in out
    code, _, err = run("sessions", "--filter", "role:user")
    assert code == 1 and err.startswith("sessionscope: error: --filter")
    code, out, _ = run("search", "login tag:flaky", "--json")
    assert {h["session_id"] for h in json.loads(out)} == {A}
    code, out, _ = run("search", "login", "is:pinned", "--json")
    assert {h["session_id"] for h in json.loads(out)} == {B}


def test_the_id_each_command_prints_names_that_session_alone(store_path: Path) -> None:
    # `pin`, `tag`, `tags` and `note` answer with the id as `sessions` prints it: ids sharing
    # their first 8 characters get more of them, so the answer can be pasted back
    with store.open() as db:
        for sid in ("demo-e2-001", "demo-e2-002"):
            db.start_session(id=sid, title=sid)
    code, out, _ = run("pin", "demo-e2-001")
    assert code == 0 and out == "demo-e2-001 pinned.\n"
    code, out, _ = run("tag", "demo-e2-002", "ci")
    assert code == 0 and out == "demo-e2-002  #ci\n"
    code, out, _ = run("tags", "demo-e2-001")
    assert code == 0 and out.startswith("demo-e2-001  ★ pinned")
    code, out, _ = run("note", "demo-e2-002", "flaky on CI")
    assert code == 0 and out == "demo-e2-002: note saved.\n"
    code, _, err = run("note", "demo-e2-001")
    assert err == "demo-e2-001 has no note.\n"
    code, _, err = run("show", "demo-e2-001#5")
    assert err == "sessionscope: error: session demo-e2-001 has no message #5.\n"
