"""Leave the process at once after the browser quit (issue 12 item 9: `q` to the shell prompt).

Once the browser has quit, its store is closed and the terminal restored; what is left is the
interpreter tearing down Textual, Rich and every widget's objects, 0.3-0.7 s on a busy 2-core
machine, during which the shell prompt does not come back. `exit_now` does what a normal exit
does that matters (flush the streams, wait for non-daemon threads, run the atexit handlers) and
then ends the process without the teardown.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading

BROWSER_QUIT = False  # set by `open_browser` once the browser has returned


def exit_code(code: object) -> int:
    """The process status `sys.exit(code)` would give (a message goes to stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def exit_now(code: object) -> None:
    """Flush, join non-daemon threads, run atexit handlers, then `os._exit`."""
    status = exit_code(code)
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
