"""`sessionscope browse`, bare `sessionscope`, and the styles shipped with the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sessionscope import store
from sessionscope.cli import browse, cli, launch
from sessionscope.tui.app import STYLE_FILES, SessionscopeApp, styles_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[SessionscopeApp]:
    """Record the apps the CLI would run (instead of taking over the terminal)."""
    seen: list[SessionscopeApp] = []
    monkeypatch.setattr(SessionscopeApp, "run", lambda self, *a, **k: seen.append(self))
    monkeypatch.setattr(browse, "_need_terminal", lambda: None)
    monkeypatch.setattr(launch, "is_terminal", lambda: True)
    return seen


def test_browse_opens_the_chosen_store_at_a_session(tmp_path: Path, runs: list[Any]) -> None:
    path = tmp_path / "b.db"
    with store.open(path) as db:
        sid = db.start_session(title="one", source="api", id="abcdef12-0000")
    result = CliRunner().invoke(
        cli, ["--db", str(path), "browse", "--session", "abcdef", "--search", "x y"]
    )
    assert result.exit_code == 0, result.output
    (app,) = runs
    assert app.options.db_path == str(path)
    assert app.options.session == sid
    assert app.options.query == "x y"


def test_browse_unknown_session_is_one_line_error(tmp_path: Path, runs: list[Any]) -> None:
    path = tmp_path / "b.db"
    store.open(path).close()
    result = CliRunner().invoke(cli, ["--db", str(path), "browse", "--session", "nope-nope"])
    assert result.exit_code == 1
    assert "no session has id" in result.output
    assert "Traceback" not in result.output
    assert runs == []


def test_browse_without_a_terminal_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "browse"])
    assert result.exit_code == 1
    assert "needs a terminal" in result.output


def test_bare_command_imports_new_transcripts_then_browses(
    tmp_path: Path, runs: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionscope.cli import imports

    calls: list[str] = []
    monkeypatch.setattr(imports, "import_new_with_progress", lambda db, **k: calls.append(db.path))
    path = tmp_path / "bare.db"
    result = CliRunner().invoke(cli, ["--db", str(path)])
    assert result.exit_code == 0, result.output
    assert calls == [str(path)]
    assert len(runs) == 1 and runs[0].options.db_path == str(path)


def test_bare_command_on_a_read_only_store_still_browses(
    tmp_path: Path, runs: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionscope.cli import imports

    calls: list[str] = []
    monkeypatch.setattr(imports, "import_new_with_progress", lambda db, **k: calls.append(db.path))
    path = tmp_path / "ro.db"
    store.open(path).close()
    real_open = store.open
    monkeypatch.setattr(store, "open", lambda p=None, readonly=False: real_open(p, readonly=True))
    result = CliRunner().invoke(cli, ["--db", str(path)])
    assert result.exit_code == 0, result.output
    assert calls == []
    assert "read-only" in result.output
    assert len(runs) == 1


def test_styles_are_found_in_an_editable_install() -> None:
    base = styles_dir()
    for name in STYLE_FILES:
        assert (base / name).is_file(), base / name


@pytest.mark.slow
def test_wheel_ships_the_styles_and_the_app_finds_them(tmp_path: Path) -> None:
    out = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if (
        build.returncode != 0
        and "hatchling" in build.stderr
        and "No matching distribution" in build.stderr
    ):
        pytest.skip("no build backend available offline")
    assert build.returncode == 0, build.stderr
    (wheel,) = out.glob("sessionscope-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for name in STYLE_FILES:
        assert f"sessionscope/styles/{name}" in names
    # installed from the wheel, the app finds its styles inside the package
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    found = subprocess.run(
        [sys.executable, "-c", "from sessionscope.tui.app import styles_dir; print(styles_dir())"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    ).stdout.strip()
    assert Path(found) == target / "sessionscope" / "styles"


def test_bare_command_says_what_the_import_found_after_the_browser(
    tmp_path: Path, runs: list[Any], monkeypatch: pytest.MonkeyPatch, fixture_tree: Path
) -> None:
    from sessionscope.cli import imports

    def import_fixtures(db: Any, **_: Any) -> Any:
        roots = {"claude-code": fixture_tree / "claude-code" / "projects"}
        return imports.run_import(db, roots, progress=False)

    monkeypatch.setattr(imports, "import_new_with_progress", import_fixtures)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "warn.db")])
    assert result.exit_code == 0, result.output
    assert len(runs) == 1
    # session C's malformed line 5 is reported with file and line once the browser has closed
    assert "skipped" in result.stderr and ".jsonl:5" in result.stderr
    assert "Imported" in result.stderr or "imported" in result.stderr
    # and the browser was told, for its toast: the summary, then the warnings
    notes = runs[0].options.import_notes
    assert notes[0].startswith("Imported") and "skipped 1 malformed line" in notes[0]
    assert any(".jsonl:5: skipped:" in line for line in notes[1:])


LEAN_BROWSE = """
import json, sys
from sessionscope.cli import launch, main
from sessionscope.tui.app import SessionscopeApp
launch.is_terminal = lambda: True
seen = []
SessionscopeApp.run = lambda self, *a, **k: seen.append(self.options)
code = main(%r)
(options,) = seen
opening = options.opening
print(json.dumps({
    "code": code,
    "session": options.session,
    "query": options.query,
    "readonly": options.readonly,
    "opened": opening is not None and opening.done and opening.first_page[1],
    "click": "click" in sys.modules,
}))
"""


def test_browse_runs_without_click_and_opens_the_store_before_the_screen(tmp_path: Path) -> None:
    path = tmp_path / "lean.db"
    with store.open(path) as db:
        sid = db.start_session(title="one", source="api", id="abcdef12-0000")
        db.start_session(title="two", source="api")
    args = ["--db", str(path), "browse", "-s", "abcdef", "--search=x y", "--readonly"]
    proc = subprocess.run(
        [sys.executable, "-c", LEAN_BROWSE % (args,)], capture_output=True, text=True, check=True
    )
    assert json.loads(proc.stdout) == {
        "code": 0,
        "session": sid,
        "query": "x y",
        "readonly": True,
        "opened": 2,  # the list's first page was read with the store: two sessions
        "click": False,
    }


def test_browse_options_the_lean_path_does_not_know_go_to_click() -> None:
    for args in (["--help"], ["--session"], ["--readonly", "extra"], ["-s=abc"]):
        assert launch.quick_browse(args) is None
    result = CliRunner().invoke(cli, ["browse", "--help"])
    assert result.exit_code == 0 and "--readonly" in result.output


def test_browse_leaves_collection_on_whether_the_browser_ran_or_not(
    tmp_path: Path, runs: list[Any]
) -> None:
    import gc

    from sessionscope.cli import main

    path = tmp_path / "gc.db"
    store.open(path).close()
    assert main(["--db", str(path), "browse"]) == 0 and len(runs) == 1
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["--db", str(path), "browse", "--session", "nope-nope"])
    assert gc.isenabled()
