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


K = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


def _qa_store(path: Path) -> None:
    """QA's repro (a signal source, a project's root path, a config), with the key also in a
    session id, tag and note, and in enough messages for pages to be freed and the search
    index to hold it (lower-cased, as its terms are)."""
    db = store.open(path)
    sid = db.start_session(title="t", source="api")
    db.append(sid, "user", "x")
    db.record_signal(sid, kind="explicit", source="s-" + K, value=1.0)
    pid = db.create_project("proj", root_path="/r/" + K)
    db.add_config(pid, {"system_prompt_prefix": "use " + K}, role="champion")
    keyed = db.start_session(id="sess-" + K, title="keyed", source="api")
    db.tag(keyed, K)
    db.set_note(keyed, "see " + K)
    for n in range(300):
        db.append(keyed, "user", f"push with {K} to 重複を削除 {n}")
    db.close()


def _leftovers(path: Path) -> list[str]:
    """Where a piece of K is left: the files' bytes (as given or lower-cased) and the terms of
    both search indexes (read through fts5vocab, on a copy: nothing is written to the store)."""
    import shutil
    import sqlite3

    found = []
    raw = _raw(path)
    for piece in (K, K[4:20], K[4:20].lower(), K[24:]):
        if piece.encode() in raw:
            found.append(f"bytes {piece}")
    copy = path.parent / "copy.db"
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    for index in ("messages_fts", "messages_cjk"):
        conn.execute(f"CREATE VIRTUAL TABLE temp.v_{index} USING fts5vocab(main, {index}, 'row')")
        terms = [t for (t,) in conn.execute(f"SELECT term FROM temp.v_{index}")]
        found += [f"{index} {t}" for t in terms if "a1b2" in t.lower() or "ghp_" in t.lower()]
    conn.close()
    copy.unlink()
    return found


def test_redact_command_leaves_no_key_in_any_table_index_wal_or_free_page(
    store_path: Path,
) -> None:
    _qa_store(store_path)
    assert _leftovers(store_path)  # the check can see it: in the file and in both indexes
    result = CliRunner().invoke(cli, ["redact"])
    assert result.exit_code == 0, result.output
    assert "redacted no secrets" not in result.output
    assert "1 signals" in result.output and "1 tags" in result.output
    assert "projects, configs and experiments" in result.output
    assert _leftovers(store_path) == []
    wal = Path(str(store_path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with store.open() as db:
        sid = db.resolve_session("sess-" + K)  # the original id still finds it
        assert KEY not in sid and db.message_count("sess-" + K) == 300
        assert db.tags(sid)[0].startswith("redacted-github_token-")
        assert db.search("A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8") == []
        assert len(db.search("重複を削除")) == 50
        assert db.check(full=True) == []


def test_without_the_wipe_the_key_is_found(store_path: Path, monkeypatch) -> None:
    """The test above can fail: with freed pages left as they are and no VACUUM, the old rows
    are still in the file (or its WAL) after every row was rewritten. (Some SQLite builds,
    Debian's among them, zero freed pages by default: the control turns that off.)"""
    from sessionscope.store import scrub

    monkeypatch.setattr(
        scrub, "_zero_freed_pages", lambda conn: conn.execute("PRAGMA secure_delete = OFF")
    )
    monkeypatch.setattr(scrub, "_compact", lambda conns: True)
    _qa_store(store_path)
    assert CliRunner().invoke(cli, ["redact"]).exit_code == 0
    with store.open() as db:
        assert db.search("A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8") == []  # no live row holds it
    assert [leftover for leftover in _leftovers(store_path) if leftover.startswith("bytes")]
