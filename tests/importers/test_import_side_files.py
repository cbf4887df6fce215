"""The files a snapshot source reads beside its units (Cline's and Roo Code's `ui_messages.json`
and `task_metadata.json`, Copilot's `workspace.yaml`, Gemini's `projects.json` and
`trustedFolders.json`, OpenCode's older `storage/{project,message,part}/*.json`) are read as
transcripts are: only regular files, never past the size limit, and one passed over is reported
by its path while the unit is imported without it.

They were read with plain `read_bytes`/`read_text`: a symlink to /dev/zero grew the importer to
gigabytes and a FIFO hung the import forever. Each case runs in a subprocess with a memory
ceiling and a timeout, so the old code fails the test instead of the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from importer_support import within
from sources_support import CLINE_TASK, HOME, ROO_TASK

from sessionscope import store
from sessionscope.importers import import_source, jsonl, wholefile

PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from sessionscope import store
from sessionscope.importers import import_source
with store.open(sys.argv[1]) as db:
    runs = [import_source(db, sys.argv[2], sys.argv[3]) for _ in range(2)]
    print(json.dumps({
        "sessions": sorted(info.id for info in db.sessions(limit=None)),
        "messages": sum(db.message_count(info.id) for info in db.sessions(limit=None)),
        "runs": [{"skipped": r.skipped_lines, "unread": r.files_unread} for r in runs],
    }))
"""

COPILOT_SESSION = "9e8d7c6b-5555-4e6f-8a7b-000000000005"
ROO = ".config/Cursor/User/globalStorage/rooveterinaryinc.roo-cline/tasks"
CLINE = ".config/Code/User/globalStorage/saoudrizwan.claude-dev/tasks"
OPENCODE = ".local/share/opencode"
STORAGE = f"{OPENCODE}/storage"

# (source, root under the home, side file under the home)
CASES = [
    ("roo-code", ROO, f"{ROO}/{ROO_TASK}/task_metadata.json"),
    ("roo-code", ROO, f"{ROO}/{ROO_TASK}/ui_messages.json"),
    ("cline", CLINE, f"{CLINE}/{CLINE_TASK}/ui_messages.json"),
    (
        "copilot",
        ".copilot/session-state",
        f".copilot/session-state/{COPILOT_SESSION}/workspace.yaml",
    ),
    ("gemini", ".gemini/tmp", ".gemini/projects.json"),
    ("gemini", ".gemini/tmp", ".gemini/trustedFolders.json"),
    ("opencode", OPENCODE, f"{STORAGE}/part/msg_l1/prt_l1.json"),
    ("opencode", OPENCODE, f"{STORAGE}/message/ses_legacy1/msg_l2.json"),
    ("opencode", OPENCODE, f"{STORAGE}/project/prj_api.json"),
]


def _home(tmp_path: Path, name: str) -> Path:
    home = tmp_path / name
    shutil.copytree(HOME, home)
    return home


def _rel(skipped: list[list], home: Path) -> list[tuple[str, int, str]]:
    """What a run skipped, with paths under `home` relative to it (runs in two homes compare)."""
    return [(os.path.relpath(path, home), line, reason) for path, line, reason in skipped]


def _probe(tmp_path: Path, source: str, root: Path, env: dict[str, str] | None = None) -> dict:
    try:
        out = subprocess.run(
            [sys.executable, "-c", PROBE, str(tmp_path / f"{root.parent.name}.db"), source, root],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{source}: the import still ran after 60 s")
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
@pytest.mark.parametrize(("source", "root", "side"), CASES)
def test_a_side_file_that_is_not_a_regular_file_is_passed_over_and_said(
    tmp_path: Path, source: str, root: str, side: str, kind: str
) -> None:
    clean_home = _home(tmp_path, "clean")
    clean = _probe(tmp_path, source, clean_home / root)
    assert clean["sessions"] and all(run["unread"] == 0 for run in clean["runs"])
    known = _rel(clean["runs"][0]["skipped"], clean_home)  # what the fixtures hold on purpose
    home = _home(tmp_path, "hostile")
    bad = home / side
    bad.unlink()
    if kind == "fifo":
        os.mkfifo(bad)
    else:
        bad.symlink_to(kind)
    got = _probe(tmp_path, source, home / root)
    assert got["sessions"] == clean["sessions"]  # every session, without what that file said
    assert got["messages"] > 0
    for run in got["runs"]:  # said on every run, until it can be read
        assert run["unread"] == 1
        ((where, line, reason),) = [s for s in _rel(run["skipped"], home) if s not in known]
        assert (where, line) == (side, 0)
        assert reason == ("a FIFO" if kind == "fifo" else "a character device") + (
            ", not a regular file"
        )


@pytest.mark.parametrize(
    ("source", "root", "side"),
    [
        ("copilot", ".copilot/session-state", CASES[3][2]),
        ("gemini", ".gemini/tmp", ".gemini/projects.json"),
    ],
)
def test_a_side_file_over_the_size_limit_is_said_not_read(
    tmp_path: Path, source: str, root: str, side: str
) -> None:
    home = _home(tmp_path, "big")
    bad = home / side
    with bad.open("ab") as out:
        out.write(b" " * 3_000_000)  # still what it was, then 3 MB of blanks
    clean_home = _home(tmp_path, "clean")
    known = _rel(_probe(tmp_path, source, clean_home / root)["runs"][0]["skipped"], clean_home)
    got = _probe(tmp_path, source, home / root, {wholefile.LIMIT_VAR: "1"})
    assert got["sessions"]
    for run in got["runs"]:
        ((where, _line, reason),) = [s for s in _rel(run["skipped"], home) if s not in known]
        assert where == side
        assert (
            reason == "too large to read whole (3 MB; the limit is 1 MB, $SESSIONSCOPE_MAX_UNIT_MB)"
        )
    under = _probe(tmp_path, source, home / root, {wholefile.LIMIT_VAR: "5"})
    assert not [s for run in under["runs"] for s in _rel(run["skipped"], home) if s not in known]


def test_once_the_side_file_can_be_read_the_unit_takes_it(db: store.Store, tmp_path: Path) -> None:
    """The unit passed over a side file is not remembered as imported: the next run reads it."""
    home = _home(tmp_path, "later")
    meta = home / ROO / ROO_TASK / "task_metadata.json"
    saved = meta.read_bytes()
    meta.unlink()
    os.mkfifo(meta)
    first = import_source(db, "roo-code", home / ROO)
    assert first.files_unread == 1
    info = db.session(ROO_TASK)
    assert info is not None and info.model is None  # the model is in task_metadata.json
    meta.unlink()
    meta.write_bytes(saved)
    os.utime(meta, (1, 1))  # the task's fingerprint (sizes, latest mtime) need not change
    second = import_source(db, "roo-code", home / ROO)
    assert second.files_unread == 0 and second.skipped_lines == []
    info = db.session(ROO_TASK)
    assert info is not None and info.model is not None


def test_a_unit_swapped_for_a_fifo_after_planning_is_refused(tmp_path: Path) -> None:
    """The readers of whole documents and of logs check the opened descriptor too."""
    path = tmp_path / "x.json"
    os.mkfifo(path)
    with pytest.raises(jsonl.NotARegularFile):
        within(5, lambda: wholefile.read_whole(path))
    with pytest.raises(jsonl.NotARegularFile):
        within(5, lambda: list(wholefile.text_lines(path)))


def test_a_file_grown_past_the_limit_is_refused_having_read_at_most_the_limit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b"x" * 1000)
    assert wholefile.read_whole(path, 1000) == b"x" * 1000
    with pytest.raises(wholefile.FileTooLarge):
        wholefile.read_whole(path, 999)
    lines = tmp_path / "x.jsonl"
    lines.write_text("a\r\nb\rc\n\nd")
    assert list(wholefile.text_lines(lines)) == ["a", "b", "c", "", "d"]
    with pytest.raises(wholefile.FileTooLarge):
        list(wholefile.text_lines(lines, 5))
