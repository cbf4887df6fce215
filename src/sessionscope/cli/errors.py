"""The one way the command line reports a failure: `sessionscope: error: <one sentence>` on
stderr and a non-zero exit, never a traceback (click's own usage errors, such as a missing
argument or an unknown option, keep click's format).

No click here: the lean `sessionscope search` path (`quick.py`) can use it too.
"""

from __future__ import annotations

import sys

from ..sanitize import inert

PREFIX = "sessionscope: error: "
LIMIT = 1000  # characters of a message shown (a message may quote a hostile path or id)

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import NoReturn


def error_line(message: object) -> str:
    """`sessionscope: error: <message>.`: one inert line, ending with a full stop."""
    text = " ".join(inert(message, LIMIT).split()) or "failed"
    if text.startswith(PREFIX):
        text = text[len(PREFIX) :]
    return PREFIX + (text if text[-1] in ".!?)" else text + ".")


INTERRUPTED = "sessionscope: interrupted."  # Ctrl-C: said on stderr, exit status 130


def os_failure(exc: OSError) -> object:
    """What to `fail` with for an OSError: its reason and the file it concerns."""
    where = inert(exc.filename or "", LIMIT)
    return f"{inert(exc.strerror or exc, LIMIT)} ({where})." if where else exc


def fail(message: object, code: int = 1) -> NoReturn:
    """Print the error line on stderr and exit with `code`."""
    try:
        sys.stderr.write(error_line(message) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr closed: the exit status still says it failed
    raise SystemExit(code)
