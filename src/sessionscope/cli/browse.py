"""`sessionscope browse` and bare `sessionscope`: open the Textual browser."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import store
from .errors import fail
from .options import db_option, store_path


def open_browser(db_path: str | None, **opts: Any) -> None:
    """Run the browser on the store at `db_path` until the person quits."""
    from ..tui import create_app
    from ..tui.settings import default_config_path

    opts.setdefault("config_path", str(default_config_path()))
    create_app(db_path, **opts).run()
    from . import fastexit

    fastexit.BROWSER_QUIT = True  # the console entry point may now leave without teardown


def _need_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        fail(
            "the browser needs a terminal; for scripts use `sessionscope sessions`, "
            "`sessionscope search` or `sessionscope show`."
        )


def _resolve(path: str, ref: str) -> str:
    with store.open(path, readonly=True) as db:
        return db.resolve_session(ref)


def _check_store(path: str) -> None:
    """Refuse, in one line and before the screen opens, a store that cannot be opened (damaged,
    not ours, from a newer sessionscope). A missing store is fine: the browser explains it."""
    import os

    if os.path.exists(path):
        store.open(path, readonly=True).close()


@click.command("browse")
@db_option
@click.option(
    "--session",
    "-s",
    "session_ref",
    metavar="ID",
    help="Open this session (id or a unique prefix).",
)
@click.option(
    "--search", "query", metavar="QUERY", help="Start with this search (the search language)."
)
@click.option("--readonly", is_flag=True, help="Open the store read-only.")
def browse_cmd(session_ref: str | None, query: str | None, readonly: bool) -> None:
    """Open the browser without importing first."""
    path = store_path()
    _check_store(path)
    session = _resolve(path, session_ref) if session_ref else None
    _need_terminal()
    open_browser(path, session=session, query=query, readonly=readonly)


@click.command("default", hidden=True)
def default_cmd() -> None:
    """Import what is new from every agent's default location, then open the browser."""
    path = store_path()
    _check_store(path)
    _need_terminal()
    from .imports import (
        import_new_with_progress,
        import_warnings,
        summary_line,
        warn_drift,
        warn_skipped,
    )

    report = None
    try:
        with store.open(path) as db:
            if db.readonly:
                click.echo(
                    "sessionscope: the store is read-only; browsing without importing.", err=True
                )
            else:
                report = import_new_with_progress(db)
    except (store.StoreError, OSError) as exc:
        click.echo(f"sessionscope: import skipped: {exc}", err=True)
    notes: tuple[str, ...] = ()
    if report is not None and report.warns:  # a toast in the browser says it too
        notes = (report.summary() + ".", *import_warnings(report))
    open_browser(path, import_notes=notes)
    if report is not None:  # the browser covered the terminal: say what the import found now
        click.echo(summary_line(report), err=True)
        warn_skipped(report)
        warn_drift(report)
