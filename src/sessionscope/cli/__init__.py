"""The `sessionscope` command line.

`main` answers `sessionscope search ...` (`quick.py`), an `import` that finds nothing new
(`quick_import.py`) and `sessionscope browse` (`launch.py`) through lean paths (no click, no full
store import), so that a search or a hook's import returns in a few tens of milliseconds and the
browser's first frame does not wait for click; everything else, and anything a lean path does
not know, goes to the click group in `group.py`.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any


def main(argv: list[str] | None = None) -> Any:
    """Console entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    db, rest = _peel_db(args)
    lean = _LEAN.get(rest[0]) if rest else None
    if lean is not None:
        code = lean(rest[1:], db)
        if code is not None:
            if argv is None:  # the console script: its output is written, skip the teardown
                from .fastexit import exit_now

                exit_now(code)
            return code
    from .group import run

    if argv is not None:  # called from Python (tests, scripts): a normal return
        return run(args)
    try:
        return run(args)
    except SystemExit as done:
        _after_browser(done.code)
        raise


def _after_browser(code: object) -> None:
    """Once the browser has quit, leave without the interpreter's teardown (`fastexit`)."""
    fastexit = sys.modules.get(f"{__name__}.fastexit")
    if fastexit is not None and fastexit.BROWSER_QUIT:
        fastexit.exit_now(code)


def _quick_search(args: list[str], db: str | None) -> int | None:
    from .quick import quick_search

    return quick_search(args, db=db)


def _quick_import(args: list[str], db: str | None) -> int | None:
    from .quick_import import quick_import

    return quick_import(args, db=db)


def _quick_browse(args: list[str], db: str | None) -> int | None:
    from .launch import quick_browse

    return quick_browse(args, db=db)


# Commands with a lean path, tried before click: it answers, or returns None for click to.
_LEAN = {"search": _quick_search, "import": _quick_import, "browse": _quick_browse}


def _peel_db(args: list[str]) -> tuple[str | None, list[str]]:
    """A leading `--db PATH` / `--db=PATH` and the arguments after it."""
    if args[:1] == ["--db"] and len(args) >= 2:
        return args[1], args[2:]
    if args and args[0].startswith("--db="):
        return args[0][5:], args[1:]
    return None, args


def __getattr__(name: str) -> Any:
    if name in ("cli", "COMMANDS", "LazyGroup", "run"):
        from . import group

        return getattr(group, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
