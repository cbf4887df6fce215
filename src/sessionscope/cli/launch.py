"""Opening the browser (`sessionscope browse`, bare `sessionscope`, `demo`), without click.

`quick_browse` answers `sessionscope browse` with its own options parsed by hand, so the
browser's first frame does not wait for click (issue 17 item 3); for anything else (`--help`,
an unknown option) it returns None and the click command in `browse.py` takes over. Both end in
`browse`: the store is opened, and the list's first page read, before the screen opens
(`tui.opening`), so the first frame shows the sessions.
"""

from __future__ import annotations

import os
import sys

from .errors import INTERRUPTED, fail, os_failure

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

    from ..tui.opening import Opening

NO_TERMINAL = (
    "the browser needs a terminal; for scripts use `sessionscope sessions`, "
    "`sessionscope search` or `sessionscope show`."
)
VALUED = {"--db": "db", "--session": "session", "-s": "session", "--search": "query"}


def _parse(args: list[str]) -> dict[str, Any] | None:
    """The options of `browse` (see `browse.py`), or None for anything else."""
    opts: dict[str, Any] = {"db": None, "session": None, "query": None, "readonly": False}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if arg == "--readonly":
            opts["readonly"] = True
        elif eq and name in VALUED and name != "-s":
            opts[VALUED[name]] = value
        elif arg in VALUED and i + 1 < len(args):
            opts[VALUED[arg]] = args[i + 1]
            i += 1
        else:
            return None
        i += 1
    return opts


def quick_browse(args: list[str], db: str | None = None) -> int | None:
    """Run `sessionscope browse ARGS` and return the exit status, or None to let click do it."""
    opts = _parse(args)
    if opts is None or opts["db"] == "" or db == "":
        return None
    from ..store import StoreError, default_path

    path = opts["db"] or db or str(default_path())
    if os.path.isdir(path):
        return None  # click says what is wrong with it
    from ..tui import gcpause

    gcpause.pause()  # until the first frame (see `open_browser`)
    try:
        try:
            browse(
                path, session_ref=opts["session"], query=opts["query"], readonly=opts["readonly"]
            )
        except StoreError as exc:
            fail(exc)
        except KeyboardInterrupt:
            sys.stderr.write(INTERRUPTED + "\n")
            return 130
        except OSError as exc:
            fail(os_failure(exc))
    finally:
        gcpause.resume()
    return 0


def browse(path: str, *, session_ref: str | None, query: str | None, readonly: bool) -> None:
    """Refuse, in one line and before the screen opens, a store that cannot be opened (damaged,
    not ours, from a newer sessionscope) or a session that is not there; then browse. A missing
    store is fine: the browser explains it."""
    opening = start_opening(path, readonly=readonly)
    db = opening.wait() if opening is not None else None  # its error first, as it was
    session = None
    if session_ref:
        if db is not None:
            session = db.resolve_session(session_ref)
        else:
            from .. import store

            with store.open(path, readonly=True) as missing:
                session = missing.resolve_session(session_ref)
    if not is_terminal():
        fail(NO_TERMINAL)
    open_browser(path, session=session, query=query, readonly=readonly, opening=opening)


def start_opening(path: str, *, readonly: bool) -> Opening | None:
    """The store at `path` to open (None when there is no file there: the browser says so)."""
    if not os.path.exists(path):
        return None
    from ..tui.opening import Opening

    return Opening(path, readonly=readonly)


def is_terminal() -> bool:
    """Whether both standard streams are terminals (the browser needs them)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def open_browser(db_path: str | None, **opts: Any) -> None:
    """Run the browser on the store at `db_path` until the person quits. The store is opened
    (`opening`, when the caller has not) before the screen opens: an error opening it is
    raised here. No garbage collection until the first frame is drawn (`tui.gcpause`)."""
    from ..tui import gcpause

    gcpause.pause()
    try:
        _run_browser(db_path, opts)
    finally:
        gcpause.resume()  # the app resumed it at its first frame, unless it never ran


def _run_browser(db_path: str | None, opts: dict[str, Any]) -> None:
    if "opening" not in opts and db_path is not None:
        opts["opening"] = start_opening(db_path, readonly=opts.get("readonly", False))
    from ..tui.app import create_app
    from ..tui.settings import default_config_path

    opening = opts.get("opening")
    if opening is not None:
        opening.wait()
    opts.setdefault("config_path", str(default_config_path()))
    create_app(db_path, **opts).run()
    from . import fastexit

    fastexit.BROWSER_QUIT = True  # the console entry point may now leave without teardown
