"""The transcript generator, the demo store builder and `sessionscope demo`."""

from __future__ import annotations

import hashlib
import json
import sys
import types
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.demo import (
    DEMO_FILENAME,
    NotADemoStore,
    build_demo,
    default_demo_path,
    demo_info,
    is_demo_store,
)
from sessionscope.demo.transcripts import PROJECTS, generate_tree
from sessionscope.importers import import_all

NOW = 1_790_000_000.0  # a fixed anchor: same seed + same now = same bytes


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.jsonl"))
    }


def _records(root: Path) -> list[dict]:
    out = []
    for path in sorted(root.rglob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            out.extend(json.loads(line) for line in fh)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    return generate_tree(tmp_path_factory.mktemp("gen") / "t", seed=11, sessions=60, now=NOW)


def test_generated_files_are_valid_jsonl_in_the_real_layout(corpus) -> None:
    claude, codex = corpus.roots["claude-code"], corpus.roots["codex"]
    top = [p for p in claude.glob("*/*.jsonl")]
    subagent_files = list(claude.glob("*/*/subagents/agent-*.jsonl"))
    rollouts = list(codex.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/rollout-*.jsonl"))
    assert len(top) == corpus.sessions["claude-code"] > 0
    assert len(rollouts) == corpus.sessions["codex"] > 0
    assert len(subagent_files) == corpus.subagent_files > 0
    for path in top:  # <slug>/<uuid>.jsonl, slug derived from the cwd
        assert path.parent.name.startswith("-home-dev-")
        assert len(path.stem) == 36
    records = _records(corpus.root)
    assert len(records) == corpus.records
    assert sum(p.stat().st_size for p in corpus.root.rglob("*.jsonl")) == corpus.bytes


def test_generated_claude_code_records_cover_the_format(corpus) -> None:
    records = _records(corpus.roots["claude-code"])
    kinds = Counter(r.get("type") for r in records)
    assert kinds["summary"] and kinds["file-history-snapshot"] and kinds["system"]
    assistants = [r for r in records if r.get("type") == "assistant"]
    by_id = Counter(r["message"]["id"] for r in assistants)
    assert max(by_id.values()) >= 3  # thinking + text + tool_use written as separate records
    blocks = Counter(b["type"] for r in assistants for b in r["message"]["content"])
    assert blocks["thinking"] and blocks["text"] and blocks["tool_use"]
    tools = Counter(
        b["name"] for r in assistants for b in r["message"]["content"] if b["type"] == "tool_use"
    )
    assert {"Bash", "Read", "Edit", "Grep", "Task"} <= set(tools)
    users = [r for r in records if r.get("type") == "user"]
    results = [r for r in users if "toolUseResult" in r]
    assert any(b.get("is_error") for r in results for b in r["message"]["content"])
    assert any(r.get("isMeta") for r in users)
    assert any(r.get("isCompactSummary") for r in users)
    assert any(
        isinstance(r["message"]["content"], str)
        and r["message"]["content"].startswith("<command-name>")
        for r in users
    )
    assert any(
        isinstance(r["message"]["content"], list)
        and any(b.get("type") == "image" for b in r["message"]["content"])
        for r in users
    )
    assert any(r.get("isSidechain") and "agentId" not in r for r in records)  # inline (1.x)
    assert any(r.get("isSidechain") and "agentId" in r for r in records)  # subagent files (2.x)
    assert all({"cwd", "gitBranch", "timestamp", "sessionId"} <= set(r) for r in users + assistants)
    text = json.dumps(records, ensure_ascii=False)
    assert any("\u3040" <= ch <= "\u30ff" for ch in text)  # some Japanese
    assert "```" in text  # fenced code in replies


def test_generated_codex_rollouts_cover_the_format(corpus) -> None:
    records = _records(corpus.roots["codex"])
    kinds = Counter(r.get("type") for r in records)
    assert kinds["session_meta"] and kinds["turn_context"] and kinds["response_item"]
    items = Counter(r["payload"]["type"] for r in records if r.get("type") == "response_item")
    assert {
        "message",
        "reasoning",
        "function_call",
        "function_call_output",
        "custom_tool_call",
        "custom_tool_call_output",
    } <= set(items)
    events = Counter(r["payload"]["type"] for r in records if r.get("type") == "event_msg")
    assert events["user_message"] and events["agent_message"] and events["token_count"]
    assert any("<environment_context>" in json.dumps(r) for r in records)


def test_generated_tree_imports_with_no_skipped_lines(corpus, db: store.Store) -> None:
    report = import_all(db, roots=corpus.roots)
    assert report.skipped_count == 0, report.skipped_lines[:5]
    assert report.files_imported == corpus.files
    top = db.count_sessions(top_level=True)
    assert top == corpus.sessions["claude-code"] + corpus.sessions["codex"]
    # every subagent file and every inline sidechain run became a child session
    assert db.count_sessions() - top == corpus.subagent_files + corpus.sidechains


def test_generator_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    a = generate_tree(tmp_path / "a", seed=5, sessions=3, now=NOW)
    b = generate_tree(tmp_path / "b", seed=5, sessions=3, now=NOW)
    c = generate_tree(tmp_path / "c", seed=6, sessions=3, now=NOW)
    assert _tree_digest(a.root) == _tree_digest(b.root)
    assert _tree_digest(a.root) != _tree_digest(c.root)


def test_generator_can_fill_a_byte_budget(tmp_path: Path) -> None:
    corpus = generate_tree(tmp_path / "t", seed=1, sessions=None, target_bytes=300_000, now=NOW)
    assert corpus.bytes >= 300_000
    assert sum(corpus.sessions.values()) >= 1


# -- the demo store ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.db", seed=7, sessions=60, now=NOW)


def test_demo_store_is_realistic(demo_store: Path) -> None:
    with store.open(demo_store, readonly=True) as db:
        sessions = db.sessions(limit=10_000)
        by_id = {s.id: s for s in sessions}
        top = [s for s in sessions if s.parent_session_id is None]
        imported = [s for s in top if s.source in ("claude-code", "codex")]
        assert len(imported) == 60
        assert {s.source for s in imported} == {"claude-code", "codex"}
        assert len({s.project for s in imported}) >= 5
        children = [s for s in sessions if s.parent_session_id is not None]
        assert children and all(c.parent_session_id in by_id for c in children)
        assert max(s.message_count for s in imported) >= 1000  # a long session
        assert sum(s.message_count >= 300 for s in imported) >= 2
        stats = db.stats()
        assert stats.failed_tool_calls > 0
        assert stats.tool_calls > stats.failed_tool_calls
        assert db.search("pytest", limit=5)
        assert db.search("source:codex rate", limit=5) or db.search("source:codex test", limit=5)
        assert db.recent_inputs(5)


NEW_SOURCES = ("gemini", "opencode", "cline", "roo-code", "copilot", "cursor", "aider")


def test_demo_store_holds_a_few_sessions_of_every_other_agent(demo_store: Path) -> None:
    """Written in each agent's layout by demo.transcripts.agents, read by the real importers."""
    with store.open(demo_store, readonly=True) as db:
        counts = {name: db.count_sessions(source=name) for name in NEW_SOURCES}
        assert counts == {**dict.fromkeys(NEW_SOURCES, 3), "cursor": 6}  # IDE + transcripts
        projects = {p.cwd for p in PROJECTS}
        for name in NEW_SOURCES:
            sessions = db.sessions(limit=None, source=name)
            for info in sessions:
                assert info.title and info.message_count >= 2, (name, info)
                assert info.project in projects, (name, info.project)  # never a temporary path
                roles = {m.role for m in db.messages(info.id)}
                assert {"user", "assistant"} <= roles, (name, roles)
            if name == "aider":  # Aider's own output (`> Applied edit…`), no tool calls
                assert any(m.role == "tool" for s in sessions for m in db.messages(s.id))
            else:
                assert any(db.tool_calls(s.id) for s in sessions), name
            if name != "cursor":  # Cursor's transcripts carry no model or tokens
                assert all(s.model for s in sessions), name
                assert sum(s.output_tokens for s in sessions) > 0, name
        assert db.search("source:gemini test", limit=3) or db.search("source:gemini the", limit=3)
        # the demo's files are dated by the generator, not by when it ran
        newest = max(s.started_at for s in db.sessions(limit=None, source="cursor"))
        assert newest < "2026-09-22"


def test_demo_store_is_marked_and_deterministic(demo_store: Path, tmp_path: Path) -> None:
    info = demo_info(demo_store)
    assert info is not None and (info.seed, info.sessions) == (7, 60)
    assert is_demo_store(demo_store)
    small = build_demo(tmp_path / "small.db", seed=7, sessions=3, now=NOW)
    again = build_demo(tmp_path / "again.db", seed=7, sessions=3, now=NOW)

    def shape(path: Path) -> list[tuple]:
        # Aider's session ids derive from the history file's path: the demo's is temporary
        with store.open(path, readonly=True) as db:
            return sorted(
                (
                    "aider" if s.source == "aider" else s.id,
                    s.title,
                    s.message_count,
                    s.output_tokens,
                    s.parent_session_id,
                )
                for s in db.sessions(limit=10_000)
                if s.source != "api"
            )

    assert shape(small) == shape(again)
    assert len(shape(small)) >= 3


def test_build_demo_refuses_a_real_store(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    with store.open(real) as db:
        sid = db.start_session(title="my precious session", source="api")
        db.append(sid, "user", "do not lose me")
    with pytest.raises(NotADemoStore):
        build_demo(real, sessions=2, now=NOW)
    with store.open(real, readonly=True) as db:
        assert [s.title for s in db.sessions()] == ["my precious session"]
    assert not is_demo_store(real)


def test_build_demo_replaces_an_older_demo_store(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    build_demo(path, seed=1, sessions=2, now=NOW)
    build_demo(path, seed=2, sessions=3, now=NOW)
    info = demo_info(path)
    assert info is not None and (info.seed, info.sessions) == (2, 3)
    with store.open(path, readonly=True) as db:
        imported = [
            s
            for s in db.sessions(limit=1000, top_level=True)
            if s.source in ("claude-code", "codex")
        ]
        assert len(imported) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if "building" in p.name) == []


# -- the command ---------------------------------------------------------------------------------------


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Replace the browser with a recorder (the real one would take over the terminal)."""
    opened: list[object] = []
    fake = types.ModuleType("sessionscope.cli.browse")
    fake.open_browser = opened.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sessionscope.cli.browse", fake)
    return opened


def test_demo_command_builds_the_store_at_db(tmp_path: Path, no_browser: list[object]) -> None:
    target = tmp_path / "d.db"
    result = CliRunner().invoke(cli, ["demo", "--no-open", "--db", str(target), "--sessions", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target)
    assert "Built a demo store" in result.stderr
    assert is_demo_store(target)
    assert no_browser == []


def test_demo_command_accepts_db_on_the_group(tmp_path: Path, no_browser: list[object]) -> None:
    target = tmp_path / "g.db"
    result = CliRunner().invoke(cli, ["--db", str(target), "demo", "--no-open", "--sessions", "2"])
    assert result.exit_code == 0, result.output
    assert is_demo_store(target)


def test_demo_command_defaults_next_to_the_store_and_opens_the_browser(
    store_path: Path, no_browser: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sessionscope.cli.demo._is_terminal", lambda: True)
    result = CliRunner().invoke(cli, ["demo", "--sessions", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    expected = store_path.parent / DEMO_FILENAME
    assert default_demo_path() == expected
    assert is_demo_store(expected)
    assert not store_path.exists()  # the real store is never created or touched
    assert no_browser == [str(expected)]


def test_demo_command_outside_a_terminal_does_not_start_the_browser(
    tmp_path: Path, no_browser: list[object]
) -> None:
    target = tmp_path / "t.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(target), "--sessions", "2"])
    assert result.exit_code == 0, result.output
    assert no_browser == []
    assert f"sessionscope --db {target} browse" in result.stderr


def test_demo_command_reuses_then_rebuilds(tmp_path: Path, no_browser: list[object]) -> None:
    target = str(tmp_path / "r.db")
    args = ["demo", "--no-open", "--db", target, "--sessions", "2"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    built_at = demo_info(target).built_at  # type: ignore[union-attr]
    reused = CliRunner().invoke(cli, args)
    assert reused.exit_code == 0 and "Using the demo store" in reused.stderr
    other_seed = CliRunner().invoke(cli, [*args, "--seed", "8"])
    assert other_seed.exit_code == 0 and "Built a demo store" in other_seed.stderr
    assert demo_info(target).seed == 8  # type: ignore[union-attr]
    forced = CliRunner().invoke(cli, [*args, "--seed", "8", "--rebuild"])
    assert forced.exit_code == 0 and "Built a demo store" in forced.stderr
    assert demo_info(target).built_at >= built_at  # type: ignore[union-attr]


def test_demo_command_refuses_to_clobber_a_real_store(
    tmp_path: Path, no_browser: list[object]
) -> None:
    real = tmp_path / "sessions.db"
    with store.open(real) as db:
        sid = db.start_session(title="keep me", source="api")
        db.append(sid, "user", "hello")
    before = real.read_bytes()
    for args in (["demo", "--no-open", "--db", str(real)], ["--db", str(real), "demo"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1
        assert "refusing to overwrite" in result.stderr
        assert "Traceback" not in result.output
    assert real.read_bytes() == before
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    result = CliRunner().invoke(cli, ["demo", "--no-open", "--db", str(junk)])
    assert result.exit_code == 1 and "refusing to overwrite" in result.stderr
    assert junk.read_text() == "not a database"
    assert no_browser == []
