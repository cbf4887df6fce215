"""`sessionscope search` imports only what a search uses (issue 17: start like a small tool)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sessionscope import store

# Modules the lean search path must not load: the click group, the full store (dataclasses of
# every result type, the Store class), typing, pathlib (and urllib/ipaddress behind it), random,
# dataclasses and inspect (`Hit` is a plain class).
HEAVY = [
    "click",
    "typing",
    "dataclasses",
    "inspect",
    "pathlib",
    "random",
    "sessionscope.store.core",
    "sessionscope.store.models",
    "sessionscope.store.fileid",
    "sessionscope.cli.group",
]

PROBE = """
import contextlib, io, json, sys
from sessionscope.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "heavy": sorted(
    m for m in sys.modules if m in %r)}))
"""


def test_search_imports_only_what_it_uses(store_path: Path) -> None:
    with store.open() as db:
        sid = db.start_session(title="lean")
        db.append(sid, "user", "a needle in the haystack")
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), "--db", store_path, "search", "needle", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    assert report["code"] == 0
    hits = json.loads(report["out"])
    assert [h["session_title"] for h in hits] == ["lean"]
    assert report["heavy"] == []


IMPORT_PROBE = """
import contextlib, io, json, sys
from sessionscope.cli import main
out = io.StringIO()
try:
    with contextlib.redirect_stdout(out):
        code = main(sys.argv[1:])
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "out": out.getvalue(), "loaded": sorted(
    m for m in sys.modules if m == "importlib.metadata")}))
"""


def test_importing_a_builtin_source_looks_for_no_plugins(
    store_path: Path, fixture_tree: Path
) -> None:
    """`import claude-code PATH` of an unchanged tree (what a hook runs after each session)
    does not scan the installed packages for plug-ins (a built-in name is never a plug-in's)."""
    tree = str(fixture_tree / "claude-code" / "projects")
    args = ["--db", str(store_path), "import", "claude-code", tree]
    first = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, *args], capture_output=True, text=True, check=True
    )
    assert json.loads(first.stdout)["code"] == 0
    again = json.loads(
        subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE, *args], capture_output=True, text=True, check=True
        ).stdout
    )
    assert again["code"] == 0 and "Nothing new" in again["out"]
    assert "importlib.metadata" not in again["loaded"]
