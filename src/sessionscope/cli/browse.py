"""`sessionscope browse` and bare `sessionscope`: open the Textual browser."""

from __future__ import annotations

import click

from .. import store
from .errors import fail
from .launch import NO_TERMINAL, browse, is_terminal
from .launch import open_browser as open_browser  # `demo` opens it from here
from .options import db_option, store_path


def _need_terminal() -> None:
    if not is_terminal():
        fail(NO_TERMINAL)


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
    browse(store_path(), session_ref=session_ref, query=query, readonly=readonly)


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
