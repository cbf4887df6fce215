"""The lean `sessionscope import claude-code|codex [PATH...]`: it says "nothing new" without
click, the Store class or the importers when every file is unchanged, and hands every other case
to the full import, which then imports what changed (issue 17: re-import of an unchanged tree)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.cli import main
from sessionscope.cli.quick_import import quick_import
from sessionscope.store.schema import MIGRATIONS

PROBE = """
import contextlib, io, json, sys
from sessionscope.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "heavy": sorted(m for m in sys.modules
    if m in ("click", "sessionscope.store.core", "sessionscope.importers", "typing"))}))
"""


def _import(*args: str) -> tuple[int | None, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        code = main(list(args))
        return code, out.getvalue()
    return None, out.getvalue()


@pytest.fixture
def trees(fixture_tree: Path) -> dict[str, str]:
    roots = {
        "claude-code": str(fixture_tree / "claude-code" / "projects"),
        "codex": str(fixture_tree / "codex" / "sessions"),
    }
    for source, root in roots.items():
        _import("import", source, root)
    return roots


@pytest.mark.parametrize("source", ["claude-code", "codex"])
def test_an_unchanged_tree_is_answered_without_click_or_the_store(
    store_path: Path, trees: dict[str, str], source: str
) -> None:
    full = subprocess.run(
        [sys.executable, "-m", "sessionscope", "import", source, trees[source], "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(full.stdout)["files_seen"]
    assert seen > 0 and json.loads(full.stdout)["files_imported"] == 0
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "import", source, trees[source]],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    assert report["code"] == 0 and report["heavy"] == []
    files = "file" if seen == 1 else "files"
    assert report["out"].startswith(f"Nothing new: {seen} {files} unchanged (checked in ")


def test_noise_beside_the_transcripts_is_ignored_alike(
    store_path: Path, trees: dict[str, str]
) -> None:
    root = Path(trees["claude-code"])
    (root / "notes.txt").write_text("not a transcript")
    (root / ".cache").mkdir()
    (root / ".cache" / "x.jsonl").write_text('{"type": "user"}\n')
    assert quick_import(["claude-code", str(root)]) == 0


def _messages(db_path: Path) -> int:
    with store.open(db_path, readonly=True) as db:
        return db.stats().messages


def test_every_change_goes_to_the_full_import(
    store_path: Path, trees: dict[str, str], tmp_path: Path
) -> None:
    root = Path(trees["claude-code"])
    transcript = sorted(root.rglob("*.jsonl"))[0]
    before = _messages(store_path)
    record = json.loads(transcript.read_text().splitlines()[-1])
    record.update(uuid="added-1", parentUuid=record.get("uuid"), type="user")
    record["message"] = {"role": "user", "content": "one more question"}
    with transcript.open("a") as out:
        out.write(json.dumps(record) + "\n")  # an appended line
    assert quick_import(["claude-code", str(root)]) is None
    code, out = _import("import", "claude-code", str(root))
    assert code in (0, None) and "Imported 1 file" in out
    assert _messages(store_path) == before + 1
    assert quick_import(["claude-code", str(root)]) == 0  # unchanged again

    shutil.copy(transcript, root / "copy-of-a-session.jsonl")  # a new file
    assert quick_import(["claude-code", str(root)]) is None
    _import("import", "claude-code", str(root))
    assert quick_import(["claude-code", str(root)]) == 0
    os.utime(transcript, (1, 1))  # same size, other mtime
    assert quick_import(["claude-code", str(root)]) is None


@pytest.mark.parametrize(
    "args",
    [
        ["claude-code", "{root}", "--json"],
        ["claude-code", "{root}", "--watch"],
        ["all", "{root}"],
        ["gemini", "{root}"],
        ["claude-code", "{root}/no-such-folder"],
        ["claude-code", "~/no-such-folder"],
    ],
)
def test_options_other_sources_and_odd_paths_go_to_the_full_import(
    store_path: Path, trees: dict[str, str], args: list[str]
) -> None:
    root = trees["claude-code"]
    assert quick_import([a.format(root=root) for a in args]) is None


def test_a_missing_or_older_store_goes_to_the_full_import(
    store_path: Path, trees: dict[str, str], tmp_path: Path
) -> None:
    root = trees["claude-code"]
    assert quick_import(["claude-code", root], db=str(tmp_path / "absent.db")) is None
    with store.open(store_path) as db:
        db.close()
    import sqlite3

    conn = sqlite3.connect(store_path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
    conn.commit()
    conn.close()
    assert quick_import(["claude-code", root]) is None
