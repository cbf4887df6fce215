"""`--redact` leaks nothing and sticks; `sessionscope redact` scrubs a store imported without it;
`doctor` shows whether a store redacts."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli

KEY = "ghp_" + "Qm7Lp2" * 6  # a GitHub token
SID = "11111111-2222-4333-8444-555555555555"
CODEX_SID = "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"


def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def _claude(root: Path, first: bool) -> Path:
    """A Claude Code transcript with KEY in the first prompt (the title), cwd, branch, version
    (session metadata), model, message metadata and a summary whose leaf comes later (pending)."""
    project = root / "claude" / "-home-dev-app"
    project.mkdir(parents=True, exist_ok=True)
    base = {
        "sessionId": SID,
        "cwd": f"/home/dev/{KEY}",
        "gitBranch": f"fix/{KEY}",
        "version": f"2.0 {KEY}",
        "isSidechain": False,
        "userType": "external",
    }
    n = 1 if first else 5
    records = [
        {"type": "summary", "summary": f"Deploy with {KEY}", "leafUuid": f"leaf-{n + 3}"},
        {
            **base,
            "type": "user",
            "uuid": f"u-{n}",
            "parentUuid": None,
            "timestamp": f"2026-10-09T10:00:0{n}.000Z",
            "message": {"role": "user", "content": f"deploy with {KEY} please"},
        },
        {
            **base,
            "type": "assistant",
            "uuid": f"a-{n}",
            "parentUuid": f"u-{n}",
            "timestamp": f"2026-10-09T10:00:0{n + 1}.000Z",
            "message": {
                "id": f"msg-{n}",
                "role": "assistant",
                "model": f"claude-{KEY}",
                "content": [{"type": "text", "text": "done"}],
                "usage": {"input_tokens": 3, "output_tokens": 2},
            },
        },
        {
            **base,
            "type": "system",
            "uuid": f"s-{n}",
            "subtype": "informational",
            "level": KEY,
            "content": "note",
            "timestamp": f"2026-10-09T10:00:0{n + 2}.000Z",
        },
    ]
    path = project / f"{SID}.jsonl"
    with path.open("a") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    return project


def _codex(root: Path, first: bool) -> Path:
    """A Codex rollout whose session meta (cwd, branch, originator, cli version) holds KEY; the
    first part has no message yet, so its fields wait in the saved import state."""
    folder = root / "codex" / "2026" / "10" / "09"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rollout-2026-10-09T10-00-00-{CODEX_SID}.jsonl"
    if first:
        lines = [
            {
                "timestamp": "2026-10-09T10:00:00.000Z",
                "type": "session_meta",
                "payload": {
                    "id": CODEX_SID,
                    "timestamp": "2026-10-09T10:00:00.000Z",
                    "cwd": f"/work/{KEY}",
                    "originator": f"codex {KEY}",
                    "cli_version": KEY,
                    "git": {"branch": f"b-{KEY}"},
                },
            }
        ]
    else:
        lines = [
            {
                "timestamp": "2026-10-09T10:00:01.000Z",
                "type": "turn_context",
                "payload": {"cwd": f"/work/{KEY}", "model": f"gpt-{KEY}"},
            },
            {
                "timestamp": "2026-10-09T10:00:02.000Z",
                "type": "response_item",
                "payload": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": f"use {KEY} to push"}],
                },
            },
        ]
    with path.open("a") as out:
        for line in lines:
            out.write(json.dumps(line) + "\n")
    return root / "codex"


def _import(source: str, path: Path, *flags: str) -> None:
    result = CliRunner().invoke(cli, ["import", source, str(path), *flags])
    assert result.exit_code == 0, result.output


def test_import_redact_leaks_nothing_and_sticks(tmp_path: Path, store_path: Path) -> None:
    claude, codex = _claude(tmp_path, True), _codex(tmp_path, True)
    _import("claude-code", claude, "--redact")
    _import("codex", codex, "--redact")
    assert KEY.encode() not in _raw(store_path)
    with store.open() as db:
        states = repr(db.import_states())
        assert "Deploy with [REDACTED:github_token]" in states  # the pending summary title
        assert "[REDACTED:github_token]" in repr(db.session(SID))
        assert KEY not in states
    # later lines, imported without the flag: the store still redacts, the title too
    _claude(tmp_path, False)
    _codex(tmp_path, False)
    _import("claude-code", claude)
    _import("codex", codex)
    raw = _raw(store_path)
    assert KEY.encode() not in raw and KEY[4:20].encode() not in raw
    with store.open() as db:
        for sid in (SID, CODEX_SID):
            session = db.load(sid)
            assert session is not None and session.messages
            assert KEY not in repr(session) and "[REDACTED:github_token]" in repr(session)
        assert "[REDACTED:github_token]" in (db.session(SID).title or "")  # type: ignore[union-attr]
        assert db.session(CODEX_SID).git_branch == "b-[REDACTED:github_token]"  # type: ignore[union-attr]


def test_redact_command_scrubs_a_store_imported_without(tmp_path: Path, store_path: Path) -> None:
    _import("claude-code", _claude(tmp_path, True))
    _import("codex", _codex(tmp_path, True))
    _import("codex", _codex(tmp_path, False))
    assert KEY.encode() in _raw(store_path)
    result = CliRunner().invoke(cli, ["redact"])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert "\n" not in line and line.startswith("Redaction is on for this store: redacted ")
    assert "github_token" in line
    assert KEY.encode() not in _raw(store_path)
    # and the next import of the same transcripts writes nothing raw back
    _import("claude-code", _claude(tmp_path, False))
    assert KEY.encode() not in _raw(store_path)
    with store.open() as db:
        assert db.search("Qm7Lp2") == [] and db.search("deploy") != []


def test_doctor_shows_redaction(store_path: Path) -> None:
    store.open().close()
    text = CliRunner().invoke(cli, ["doctor"]).output
    assert "redaction   off" in text
    assert json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).output)[0]["redacted"] is False
    assert CliRunner().invoke(cli, ["redact"]).exit_code == 0
    assert "redaction   on" in CliRunner().invoke(cli, ["doctor"]).output
    assert json.loads(CliRunner().invoke(cli, ["doctor", "--json"]).output)[0]["redacted"] is True


def test_redact_without_a_store_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "redact"])
    assert result.exit_code != 0 and "no store at" in result.output
    assert "Traceback" not in result.output


def test_saved_state_holds_no_fields_of_written_sessions(tmp_path: Path) -> None:
    """Item 2a: the import state was saved before the new sessions were marked written, so it
    kept their fields (the raw title among them) as if still waiting for a first message."""
    _import("claude-code", _claude(tmp_path, True))
    with store.open() as db:
        (state,) = db.import_states("claude-code").values()
        assert SID not in state.state.get("_unsaved_sessions", {})
        assert KEY not in json.dumps(state.state.get("_unsaved_sessions", {}))
