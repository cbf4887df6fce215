"""`export --redact` (and the HTML export, which redacts by default) redacts every string the
export writes, in every format, counts exactly what it replaced, and its last line on stderr
shows the redacted title. Before, only the title, project, cwd, branch, session model and blocks
were redacted: ids, source, metadata, the note and each message's model and external id leaked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.export_redact import redact_session

K = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # a GitHub token
PART = K[4:24]
SID = "11111111-2222-4333-8444-555555555555"


def _session_with_k_everywhere(db: store.Store) -> str:
    sid = db.start_session(
        id="sess-" + K,
        title="deploy " + K,
        source="src-" + K,
        metadata={"k": K, "deep": [{"x": {"y": "Bearer " + K}}]},
    )
    db.append(
        sid,
        "user",
        "push with " + K,
        model="model-" + K,
        metadata={"auth": "Bearer " + K},
        external_id="ext-" + K,
    )
    db.set_note(sid, K)
    return sid


def _export(sid: str, *args: str) -> tuple[str, str]:
    result = CliRunner().invoke(cli, ["export", sid, *args])
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "json", "--redact"),
        ("--format", "markdown", "--redact"),
        ("--format", "html"),
        ("--format", "html", "--redact"),
    ],
)
def test_every_field_is_redacted_in_every_format(db: store.Store, args: tuple[str, ...]) -> None:
    sid = _session_with_k_everywhere(db)
    db.close()
    out, err = _export(sid, *args)
    assert K not in out and PART not in out, out
    assert K not in err and PART not in err
    # session: id, title, source, model (the message's, copied), metadata (2), note; message:
    # session id, text, model, metadata, external id
    assert "Redacted 12 secrets:" in err, err
    for where in ("id", "title", "source", "model", "note", "#0 user", "#0 user model"):
        assert re.search(rf"^  {re.escape(where)}: github_token x\d$", err, re.M), (where, err)
    for where in ("#0 user metadata", "#0 user external_id", "#0 user session_id"):
        assert f"  {where}: github_token x1" in err
    assert "  metadata: github_token x2" in err


def test_json_export_keeps_its_shape(db: store.Store) -> None:
    sid = _session_with_k_everywhere(db)
    db.close()
    data = json.loads(_export(sid, "--format", "json", "--redact")[0])
    mark = "[REDACTED:github_token]"
    assert data["id"] == f"sess-{mark}" and data["source"] == f"src-{mark}"
    assert data["metadata"] == {"k": mark, "deep": [{"x": {"y": f"Bearer {mark}"}}]}
    assert data["note"] == mark
    (message,) = data["messages"]
    assert message["model"] == f"model-{mark}" and message["external_id"] == f"ext-{mark}"
    assert message["metadata"] == {"auth": f"Bearer {mark}"}
    assert message["session_id"] == data["id"]


def test_the_written_line_shows_the_redacted_title(db: store.Store, tmp_path: Path) -> None:
    sid = _session_with_k_everywhere(db)
    db.close()
    for fmt in ("html", "json", "markdown"):
        out = tmp_path / f"page.{fmt}"
        flags = () if fmt == "html" else ("--redact",)
        _, err = _export(sid, "--format", fmt, "-o", str(out), *flags)
        assert K not in err and PART not in err
        assert "Wrote deploy [REDACTED:github_token] to" in err
        assert K not in out.read_text(encoding="utf-8")


def test_count_is_what_this_export_replaced(db: store.Store) -> None:
    """Marks already in the store (it redacted on the way in) are not counted again."""
    sid = db.start_session(title="x [REDACTED:github_token]", source="api")
    db.append(sid, "user", "[REDACTED:github_token] and " + K)
    plain = db.start_session(title="nothing here", source="api")
    db.append(plain, "user", "hello")
    loaded = db.load(plain)
    assert loaded is not None and redact_session(loaded) == (loaded, [])
    db.close()
    out, err = _export(sid, "--format", "json", "--redact")
    assert K not in out
    assert err == "Redacted 1 secret:\n  #0 user: github_token x1\n", err
    assert _export(plain, "--format", "json", "--redact")[1] == (
        "Redacted nothing: no secret found.\n"
    )


def test_a_real_claude_code_command_args_header_is_redacted(
    tmp_path: Path, store_path: Path
) -> None:
    """`/mcp` typed with an Authorization header: its args land in the message metadata."""
    project = tmp_path / "claude" / "-home-dev-app"
    project.mkdir(parents=True)
    text = (
        "<command-message>mcp</command-message>\n<command-name>/mcp</command-name>\n"
        f"<command-args>add github --header Authorization: Bearer {K}</command-args>"
    )
    record = {
        "type": "user",
        "uuid": "00000000-0000-4000-8000-000000000001",
        "parentUuid": None,
        "sessionId": SID,
        "cwd": "/home/dev/app",
        "timestamp": "2026-10-09T10:00:00.000Z",
        "isSidechain": False,
        "userType": "external",
        "message": {"role": "user", "content": text},
    }
    (project / f"{SID}.jsonl").write_text(json.dumps(record) + "\n")
    result = CliRunner().invoke(cli, ["import", "claude-code", str(project)])
    assert result.exit_code == 0, result.output
    with store.open() as db:
        session = db.load(SID)
        assert session is not None and K in session.messages[0].metadata["command_args"]
    for fmt in ("json", "markdown", "html"):
        out, err = _export(SID, "--format", fmt, "--redact")
        assert K not in out and PART not in out, fmt
        assert "Redacted " in err
    data = json.loads(_export(SID, "--format", "json", "--redact")[0])
    assert "Bearer [REDACTED:" in data["messages"][0]["metadata"]["command_args"]
