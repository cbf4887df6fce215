"""The source plug-in contract: a third-party package found through the `sessionscope.sources`
entry-point group, imported through like a built-in source; broken plug-ins left out."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sources_support import make_home

from sessionscope import store
from sessionscope.cli import cli
from sessionscope.importers import (
    import_all,
    import_source,
    load_sources,
    plugin_errors,
    source_names,
)

PLUGIN = '''
"""A tiny sessionscope source: `*.myagent.json` files, one session each."""
import json
from pathlib import Path

from sessionscope.importers import ParsedSession, Problem, SnapshotSource, Unit, UnitError
from sessionscope.importers.snapshot import file_unit


class MyAgent(SnapshotSource):
    name = "myagent"
    title = "My Agent"

    def default_locations(self, system=None):
        return [Path.home() / ".myagent" / "sessions"]

    def units(self, root):
        paths = [root] if root.is_file() else sorted(root.glob("*.myagent.json"))
        return [u for u in (file_unit(p) for p in paths) if u is not None]

    def parse(self, unit, problems, versions):
        try:
            doc = json.loads(Path(unit.ref).read_text())
        except ValueError as exc:
            raise UnitError("not JSON") from exc
        messages = []
        for n, turn in enumerate(doc["turns"], 1):
            if not isinstance(turn, dict):
                problems.append(Problem(n, "turn is not an object"))
                continue
            messages.append({"role": turn["role"], "content": turn["text"], "external_id": str(n)})
        return [ParsedSession(doc["id"], messages, doc.get("title"), {"cwd": doc.get("cwd")})]


source = MyAgent()
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install the plug-in the way pip would: a module and a .dist-info with entry_points.txt
    on a folder on sys.path; then write one session where it looks by default."""
    home = make_home(tmp_path, monkeypatch)
    site = tmp_path / "site"
    site.mkdir()
    (site / "myagent_sessions.py").write_text(PLUGIN)
    info = site / "myagent_sessions-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: myagent-sessions\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [sessionscope.sources]
            myagent = myagent_sessions:source
            broken = myagent_sessions:no_such_thing
            """
        )
    )
    sessions = home / ".myagent" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "one.myagent.json").write_text(
        '{"id": "my-1", "title": "Plug-in session", "cwd": "/home/dev/x", "turns": ['
        '{"role": "user", "text": "hello"}, 7, {"role": "assistant", "text": "hi there"}]}'
    )
    monkeypatch.syspath_prepend(str(site))
    load_sources(reload=True)
    yield sessions
    sys.modules.pop("myagent_sessions", None)
    monkeypatch.undo()
    load_sources(reload=True)


def test_plugin_is_registered(plugin: Path) -> None:
    assert "myagent" in source_names()
    assert source_names()[:9] == (
        "claude-code",
        "codex",
        "gemini",
        "opencode",
        "cline",
        "roo-code",
        "copilot",
        "cursor",
        "aider",
    )
    errors = plugin_errors()
    assert len(errors) == 1 and "'broken'" in errors[0]


def test_import_through_the_plugin(db: store.Store, plugin: Path) -> None:
    report = import_source(db, "myagent")
    assert (report.sessions, report.messages, report.skipped_count) == (1, 2, 1)
    assert report.skipped_lines[0][1:] == (2, "turn is not an object")
    s = db.session("my-1")
    assert s is not None
    assert (s.source, s.title, s.cwd) == ("myagent", "Plug-in session", "/home/dev/x")
    assert [m.blocks[0]["text"] for m in db.messages("my-1")] == ["hello", "hi there"]
    assert import_source(db, "myagent").messages == 0


def test_import_all_includes_the_plugin(db: store.Store, plugin: Path) -> None:
    import_all(db)
    assert db.session("my-1") is not None


def test_cli_imports_and_lists_the_plugin(plugin: Path, store_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "myagent"])
    assert result.exit_code == 0, result.output
    assert "1 session, 2 messages" in result.stdout
    listed = CliRunner().invoke(cli, ["sources"])
    assert listed.exit_code == 0
    row = next(line for line in listed.stdout.splitlines() if line.startswith("myagent"))
    assert row.split()[1:3] == ["✓", "1"]
    assert str(plugin) in row
    assert "warning: plug-in 'broken'" in listed.stderr


def test_unknown_source_is_one_line(store_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "nosuchagent"])
    assert result.exit_code == 2
    assert "nosuchagent" in result.stderr and "Traceback" not in result.output
