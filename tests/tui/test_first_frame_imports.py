"""The browser's first frame does not wait for what it does not draw (issue 17 item 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LATER = ["markdown_it", "rich.markdown", "rich.syntax", "pygments"]

PROBE = """
import json, sys
from sessionscope.tui import create_app
from sessionscope.tui.screens.main import MainScreen
print(json.dumps(sorted(m for m in sys.modules if m in %r)))
"""


# what the first frame does not draw or use: loaded on first use (issue 17 item 3, third pass)
NOT_AT_START = [
    "click",
    "hashlib",
    "zipfile",
    "tomllib",
    "sessionscope.editor",
    "sessionscope.resume",
    "sessionscope.store.experiments",
    "sessionscope.store.search",
    "sessionscope.store.usage",
    "sessionscope.store.windows",
    "sessionscope.tui.screens.mark_editor",
    "sessionscope.tui.widgets.search_pane",
    "sessionscope.tui.widgets.hit_preview",
]

OPENED = """
import json, sys
from sessionscope.tui import create_app
from sessionscope.tui.screens.main import MainScreen
from sessionscope.tui.opening import Opening
opening = Opening(sys.argv[1])
opening.wait()
print(json.dumps(sorted(m for m in sys.modules if m in %r)))
"""


def test_the_app_and_an_opened_store_leave_out_what_the_first_frame_does_not_use(
    tmp_path: Path,
) -> None:
    from sessionscope import store

    path = tmp_path / "s.db"
    with store.open(path) as db:
        db.start_session(title="one", source="api")
    result = subprocess.run(
        [sys.executable, "-c", OPENED % (NOT_AT_START,), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == []


def test_the_app_and_its_main_screen_load_without_markdown() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (LATER,)], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []


def test_prose_still_renders_as_markdown_once_loaded() -> None:
    from rich.console import Console

    from sessionscope.tui.markdown import SafeMarkdown

    console = Console(width=60, record=True, color_system=None)
    console.print(SafeMarkdown("**bold** and `code`\n\n- one\n- two &#x202E;x"))
    text = console.export_text()
    assert "bold and code" in text
    assert "• one" in text
    assert "\u202e" not in text


WARM = """
import json, sys
from sessionscope.tui.warmup import warm_up_imports
before = "sessionscope.tui.markdown" in sys.modules
warm_up_imports().join(timeout=60)
print(json.dumps([before, sorted(m for m in sys.modules if m in %r)]))
"""


def test_what_the_first_frame_leaves_out_is_imported_in_the_background_after_it() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WARM % (LATER,)], capture_output=True, text=True, check=True
    )
    before, loaded = json.loads(result.stdout)
    assert before is False
    assert loaded == sorted(LATER)
