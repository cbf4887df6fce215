"""The store and the read-only CLI never import textual."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_store_never_imports_textual() -> None:
    modules = _modules_after(
        "from sessionscope import store\n"
        "db = store.open(':memory:')\n"
        "sid = db.start_session()\n"
        "db.append(sid, 'user', 'hello')\n"
        "db.search('hello')\n"
    )
    assert "sessionscope.store" in modules
    assert not {m for m in modules if m == "textual" or m.startswith("textual.")}


def test_search_command_never_imports_textual_or_rich(tmp_path) -> None:
    code = (
        "import os, sys\n"
        f"os.environ['SESSIONSCOPE_DB'] = {str(tmp_path / 'x.db')!r}\n"
        "from sessionscope.cli import cli\n"
        "try:\n"
        "    cli.main(args=['search', '--json', 'hello'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    modules = _modules_after(code)
    assert "sessionscope.cli.read" in modules
    assert not {m for m in modules if m.split(".")[0] in ("textual", "rich")}
