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
