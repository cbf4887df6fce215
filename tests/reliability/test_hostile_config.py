"""The config file (`$SESSIONSCOPE_CONFIG`) and the browser's settings file, hostile.

A config file that is a FIFO hung every command that reads it (`import all`, `resume`, the bare
command) for ever; `/dev/zero` read until memory ran out; bytes that are not UTF-8 or a table
nested 100,000 deep were an "internal error" that did not name the file. Each is now one sentence
naming the config file, at once, in bounded memory (a file over 1 MB is no config file): an error
for `resume`, a warning for `import all` (Aider's roots are skipped, every other source imported). The browser's settings file ignores all of
them (settings never stop the browser), and never writes a theme into a FIFO.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importer_support import within
from reliability_support import cli, limit_memory

from sessionscope.tui import settings

PREFIX = "sessionscope: error: "


def _hostile(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"config-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "utf8":
        path.write_bytes(b'[aider]\nroots = ["\xff\xfe"]\n')
    elif kind == "deep":
        path.write_text("a = " + "[" * 100_000 + "\n")
    elif kind == "huge":
        path.write_text("# " + "x" * 3_000_000 + "\n")
    elif kind == "directory":
        path.mkdir()
    return path


KINDS = ["fifo", "zero", "utf8", "deep", "huge", "directory"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("args", [("import", "all"), ("resume", "abc", "--print")])
def test_a_hostile_config_file_is_one_sentence_naming_it(tmp_path: Path, kind: str, args) -> None:
    config = _hostile(tmp_path, kind)
    env = {"SESSIONSCOPE_CONFIG": str(config), "HOME": str(tmp_path)}
    env["SESSIONSCOPE_DB"] = str(tmp_path / "store.db")
    if args[0] == "resume":  # a store with the session, so the config is what is read
        from sessionscope import store

        with store.open(tmp_path / "store.db") as db:
            db.start_session(id="abc", source="claude-code", cwd=str(tmp_path))
    done = cli(*args, env=env, timeout=60, preexec_fn=limit_memory)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    if args[0] == "import":  # a warning: the other sources are imported, Aider's roots are not
        assert done.returncode == 0 and lines[0].startswith("warning: "), done
    else:
        assert done.returncode != 0 and lines[0].startswith(PREFIX), done
    assert "config file" in lines[0] and config.name in lines[0], lines[0]
    assert "internal error" not in lines[0] and "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_settings_file_is_ignored_at_once(tmp_path: Path, kind: str) -> None:
    path = _hostile(tmp_path, kind)
    assert within(20, lambda: settings.load(path)) == {}
    within(20, lambda: settings.save(path, theme="textual-light"))  # never blocks, never raises
    if kind in ("fifo", "zero", "directory"):
        assert not path.is_file()
