"""After the browser quits, the console entry point leaves without the interpreter's teardown
(issue 12 item 9: `q` to the shell prompt), yet does what a normal exit does that matters."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
