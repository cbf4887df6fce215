"""Plug-in sources that misbehave cost only themselves: `import all` imports every other source.

Before the fix a plug-in whose `units()` or `default_locations()` raised, or whose `parse()`
yielded something that is not a `ParsedSession`, stopped `import all` (an "internal error", no
session of any source imported); one that called `sys.exit()` on import ended the command
silently; one whose name is not a string stopped `sessionscope sources`. A `parse()` raising an
error of its own (RuntimeError), a `ParsedSession` whose messages are None, or a `LineSource`
parser whose `feed()` or `state()` raises one stopped it too (after the first fix).
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from reliability_support import cli
from sources_support import make_home

PLUGIN = """
from pathlib import Path

from sessionscope.importers import LineSource, ParsedSession, SnapshotSource
from sessionscope.importers.snapshot import file_unit


class Base(SnapshotSource):
    title = "Bad"

    def default_locations(self, system=None):
        return [Path.home() / ".bad" / "sessions"]

    def units(self, root):
        return [u for u in (file_unit(p) for p in sorted(root.glob("*.json"))) if u is not None]

    def parse(self, unit, problems, versions):
        return [ParsedSession("bad-" + self.name, [{"role": "user", "content": "hi"}], "t", {})]


class Units(Base):
    name = "bad-units"

    def units(self, root):
        raise RuntimeError("units boom")


class Locations(Base):
    name = "bad-locations"

    def default_locations(self, system=None):
        raise OSError("locations boom")


class Garbage(Base):
    name = "bad-garbage"

    def parse(self, unit, problems, versions):
        return [None, "x", 5]


class NotAName(Base):
    name = 123


class Raises(Base):
    name = "bad-parse"

    def parse(self, unit, problems, versions):
        raise RuntimeError("parse boom")


class NoMessages(Base):
    name = "bad-messages"

    def parse(self, unit, problems, versions):
        return [ParsedSession("bad-none", None, "t", {})]


class Feeds:
    def __init__(self, sink, path, state):
        pass

    def feed(self, record, line_no):
        raise RuntimeError("feed boom")

    def state(self):
        return {}


class States(Feeds):
    def feed(self, record, line_no):
        pass

    def state(self):
        raise RuntimeError("state boom")


units, locations, garbage, not_a_name = Units(), Locations(), Garbage(), NotAName()
raises, no_messages = Raises(), NoMessages()
lines = LineSource(
    "bad-lines",
    lambda root: sorted(root.glob("*.jsonl")),
    Feeds,
    lambda system: [Path.home() / ".bad" / "lines"],
)
states = LineSource(
    "bad-states",
    lambda root: sorted(root.glob("*.jsonl")),
    States,
    lambda system: [Path.home() / ".bad" / "lines"],
)
"""

ENTRIES = {
    "units": "badplug:units",
    "locations": "badplug:locations",
    "garbage": "badplug:garbage",
    "not_a_name": "badplug:not_a_name",
    "parse_raises": "badplug:raises",
    "no_messages": "badplug:no_messages",
    "feed_raises": "badplug:lines",
    "state_raises": "badplug:states",
    "exits": "exitplug:anything",
}


def _install(tmp_path: Path, names: list[str]) -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "badplug.py").write_text(PLUGIN)
    (site / "exitplug.py").write_text("raise SystemExit(3)\n")
    info = site / "badplug-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: badplug\nVersion: 0.1\n")
    lines = "".join(f"{n} = {ENTRIES[n]}\n" for n in names)
    (info / "entry_points.txt").write_text("[sessionscope.sources]\n" + lines)
    return site


def _run(tmp_path: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = {"HOME": str(tmp_path / "home"), "PYTHONPATH": str(site)}
    return cli(*args, env={**home, "SESSIONSCOPE_DB": str(tmp_path / "store.db")})


@pytest.mark.parametrize("name", list(ENTRIES))
def test_a_broken_plugin_costs_only_itself(tmp_path: Path, monkeypatch, name: str) -> None:
    home = make_home(tmp_path, monkeypatch)
    assert home == tmp_path / "home"
    claude = home / ".claude" / "projects" / "-src-app"
    claude.mkdir(parents=True)
    (claude / "s1.jsonl").write_text(
        textwrap.dedent(
            """\
            {"type":"user","uuid":"u1","sessionId":"s1","timestamp":"2026-01-01T00:00:00Z","cwd":"/src/app","message":{"role":"user","content":"hello from claude"}}
            """
        )
    )
    (home / ".bad" / "sessions").mkdir(parents=True)
    (home / ".bad" / "sessions" / "one.json").write_text("{}")
    (home / ".bad" / "lines").mkdir(parents=True)
    (home / ".bad" / "lines" / "one.jsonl").write_text('{"a": 1}\n')
    site = _install(tmp_path, [name])
    done = _run(tmp_path, site, "import", "all")
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done
    listed = _run(tmp_path, site, "sessions", "--json")
    assert '"s1"' in listed.stdout, (done, listed)  # the other sources were imported
    if name != "exits":
        assert "bad" in done.stderr or name == "not_a_name", done.stderr  # said, not hidden
    sources = _run(tmp_path, site, "sources")
    assert sources.returncode == 0 and "claude-code" in sources.stdout, sources
