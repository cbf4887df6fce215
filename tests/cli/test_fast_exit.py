"""After the browser quits, the console entry point leaves without the interpreter's teardown
(issue 12 item 9: `q` to the shell prompt), yet does what a normal exit does that matters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sessionscope import store

PROBE = """
import atexit, sys, threading, time
from sessionscope.cli import fastexit, main

atexit.register(lambda: print("atexit ran", flush=True))

class Torn:
    def __del__(self):
        print("|torn down", flush=True)

kept = Torn()  # finalised by the interpreter's teardown only

def late_writer():
    time.sleep(0.2)
    print("thread finished", flush=True)

threading.Thread(target=late_writer).start()
sys.stdout.write("buffered before exit|")  # no newline, no flush: must still come out
fastexit.BROWSER_QUIT = %r
sys.argv = ["sessionscope", *%r]
sys.exit(main())
"""


@pytest.mark.parametrize("browser_quit", [True, False])
@pytest.mark.parametrize(("args", "status"), [(["--help"], 0), (["no-such-command"], 2)])
def test_exit_after_the_browser_keeps_status_output_threads_and_atexit(
    browser_quit: bool, args: list[str], status: int
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (browser_quit, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == status
    assert result.stdout.startswith("buffered before exit|")
    assert "thread finished" in result.stdout
    assert "atexit ran" in result.stdout
    assert ("torn down" in result.stdout) is not browser_quit  # the teardown was skipped
    if status:
        assert "no-such-command" in result.stderr


SEARCH_PROBE = """
import atexit, sys
from sessionscope.cli import main

atexit.register(lambda: print("|atexit ran", flush=True))

class Torn:
    def __del__(self):
        print("|torn down", flush=True)

kept = Torn()
sys.argv = ["sessionscope", "--db", %r, "search", *%r]
sys.exit(main())
"""


@pytest.mark.parametrize(
    ("words", "expected"), [(["needle", "--json"], '"session_title": "lean"'), (["absent"], "")]
)
def test_the_lean_search_leaves_without_the_teardown(
    store_path: Path, words: list[str], expected: str
) -> None:
    """`sessionscope search` (the lean path) ends the process once its output is written: the
    hits, the exit status and the atexit handlers stay, the interpreter's teardown goes."""
    with store.open() as db:
        db.append(db.start_session(title="lean"), "user", "a needle in the haystack")
    result = subprocess.run(
        [sys.executable, "-c", SEARCH_PROBE % (str(store_path), words)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert expected in result.stdout
    assert result.stdout.rstrip().endswith("|atexit ran")
    assert "torn down" not in result.stdout
    assert ("No matches." in result.stderr) is not bool(expected)
