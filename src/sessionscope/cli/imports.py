"""`sessionscope import SOURCE|all [PATH...] [--watch]`, and the quiet import the bare
`sessionscope` command runs before opening the browser (`import_new_with_progress`)."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from ..config import ConfigError, aider_roots, config_path
from ..display import plural
from ..importers import (
    SOURCES,
    ImportProgress,
    ImportReport,
    ImportSourceError,
    get_source,
    import_all,
    import_roots,
    source_names,
    watch,
)
from ..importers.registry import guess_source
from ..jsonout import echo_json
from ..sanitize import clean_line
from ..store import Store
from .errors import fail
from .options import db_option, open_from_context

MAX_WARNINGS = 20


@contextlib.contextmanager
def progress_bar(enabled: bool | None = None) -> Iterator[Any]:
    """A progress callback drawing a Rich bar (files, messages, MB) on stderr.

    Draws only when stderr is a terminal (or `enabled` says so); otherwise yields None.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("Importing"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[files]} files"),
        TextColumn("{task.fields[messages]} messages"),
        TextColumn("{task.fields[mb]} MB"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task_id = bar.add_task("import", total=None, files="0/0", messages="0", mb="0.0")
    last = 0.0

    def update(p: ImportProgress) -> None:
        nonlocal last
        now = time.monotonic()
        if p.path is not None and now - last < 0.1 and p.files_done < p.files_total:
            return
        last = now
        bar.update(
            task_id,
            total=max(p.bytes_total, 1),
            completed=min(p.bytes_read, p.bytes_total),
            files=f"{p.files_done:,}/{p.files_total:,}",
            messages=f"{p.messages:,}",
            mb=f"{p.bytes_read / 1_000_000:,.1f}/{p.bytes_total / 1_000_000:,.1f}",
        )

    with bar:
        yield update


def run_import(
    db: Store,
    roots: Mapping[str, Path | None] | list[tuple[str, Path | None]],
    *,
    progress: bool | None = None,
) -> ImportReport:
    """Import `roots` (source -> root, or (source, root) pairs) with a progress bar on a
    terminal (a bad path raises ImportSourceError, which the CLI prints as one line)."""
    with progress_bar(progress) as callback:
        if isinstance(roots, list):
            return import_roots(db, roots, progress=callback)
        return import_all(db, roots, progress=callback)


def warn_skipped(report: ImportReport, limit: int = MAX_WARNINGS) -> None:
    """One warning line per malformed line (file:line: reason), at most `limit` of them."""
    for line in report.skipped_warnings(limit):
        click.echo(f"warning: {clean_line(line)}", err=True)


def warn_drift(report: ImportReport, limit: int = MAX_WARNINGS) -> None:
    """One warning per file that looks like format drift (naming its unknown types)."""
    for line in report.drift_warnings(limit):
        click.echo(f"warning: {clean_line(line)}", err=True)


def import_warnings(report: ImportReport, limit: int = 6) -> list[str]:
    """The warnings `warn_skipped` and `warn_drift` print, as lines (for the browser's toast)."""
    return [
        clean_line(line) for line in report.skipped_warnings(limit) + report.drift_warnings(limit)
    ]


def report_json(report: ImportReport) -> dict[str, object]:
    """What `import --json` prints: the counts, skipped types in total and per file, drift."""
    return {
        "files_seen": report.files_seen,
        "files_imported": report.files_imported,
        "files_unchanged": report.files_skipped,
        "files_unread": report.files_unread,
        "sessions": report.sessions,
        "messages": report.messages,
        "bytes_read": report.bytes_read,
        "malformed_lines": report.skipped_count,
        "skipped_types": {"noise": dict(report.noise), "unknown": dict(report.unknown)},
        "files": [info.as_dict() for info in report.files],
        "drift": [info.as_dict() for info in report.drifting],
    }


def summary_line(report: ImportReport) -> str:
    text = report.summary()
    if report.skipped_count or report.files_unread:
        text += " (see above)"
    return text + "."


def import_new_with_progress(db: Store, *, progress: bool | None = None) -> ImportReport:
    """Import what is new from the default locations (quick when nothing changed).

    What the bare `sessionscope` command runs before opening the browser: a progress bar on a
    terminal, no other output. Missing default folders (agent not installed) are fine.
    """
    return run_import(db, dict.fromkeys(source_names()), progress=progress)


class SourceChoice(click.Choice[str]):
    """The registered sources and `all`, read when checked (plug-ins load at run time)."""

    def __init__(self) -> None:
        super().__init__([])

    @property
    def choices(self) -> tuple[str, ...]:
        return (*source_names(), "all")

    @choices.setter
    def choices(self, _value: object) -> None:
        pass

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in SOURCES:  # a built-in source: no need to look for plug-ins
            return value
        return super().convert(value, param, ctx)


@click.command("import")
@db_option
@click.argument("source", type=SourceChoice(), metavar="SOURCE|all")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.option(
    "--watch",
    "follow",
    is_flag=True,
    help="Keep following the files as agents write them (Ctrl-C stops).",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Replace API keys, tokens, private keys and passwords with [REDACTED:<kind>] "
    "before anything is stored.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def import_cmd(
    source: str, paths: tuple[Path, ...], follow: bool, redact: bool, as_json: bool = False
) -> None:
    """Import agent sessions (see `sessionscope sources` for each source's location).

    SOURCE is claude-code, codex, gemini, opencode, cline, roo-code, copilot, cursor, aider, a
    plug-in's source, or all. PATHs (directories or files) replace the default locations; aider
    reads the PATHs you name and the folders `[aider] roots` lists in the config file (never
    the whole disk). Only what is new since the last import is read.
    """
    for path in paths:
        if not path.exists():
            raise ImportSourceError(f"{path} does not exist.")
    if follow and len(paths) > 1:
        fail("--watch follows one PATH (or the default locations).")
    if source in ("all", "aider") and not paths:
        try:
            aider_roots()
        except ConfigError as exc:
            if source == "aider":
                raise
            click.echo(f"warning: {clean_line(str(exc))} (Aider histories not imported)", err=True)
    if source != "all" and not paths:
        chosen_source = get_source(source)
        if chosen_source is not None and (
            not chosen_source.scans_defaults or not chosen_source.default_locations()
        ):
            hint = (
                f" or the folders [aider] roots lists in {config_path()}"
                if source == "aider"
                else ""
            )
            fail(f"{source} reads only the PATHs you name{hint}: import {source} PATH...")
    sources = source_names() if source == "all" else (source,)
    pairs: list[tuple[str, Path | None]] = []
    chosen: tuple[Path | None, ...] = paths or (None,)
    for root in chosen:
        if source == "all" and root is not None and root.is_file():
            pairs.append((guess_source(root), root))
        else:
            pairs.extend((name, root) for name in sources)
    roots: dict[str, Path | None] = dict(pairs)
    # a bulk writer: no big memory map, so resident memory stays small on huge transcripts
    with open_from_context(redact=redact, mmap_mb=0) as db:
        report = run_import(db, pairs, progress=False if as_json else None)
        warn_skipped(report)
        warn_drift(report)
        if as_json:
            echo_json(report_json(report))
        else:
            click.echo(summary_line(report))
        if follow:
            _follow(db, roots)


class _StopFlag:
    """Set from a signal handler, so no locks (a threading.Event's lock could deadlock there)."""

    def __init__(self) -> None:
        self.flag = False

    def is_set(self) -> bool:
        return self.flag

    def set(self, *_args: object) -> None:
        self.flag = True


def _follow(db: Store, roots: Mapping[str, Path | None]) -> None:
    """Run the watcher until Ctrl-C or SIGTERM, printing one line per round that imported.

    The signals only raise a flag the loop checks between rounds, so a stop never lands in the
    middle of a transaction."""
    stop = _StopFlag()
    previous = {sig: signal.signal(sig, stop.set) for sig in (signal.SIGINT, signal.SIGTERM)}
    where = ", ".join(str(p) for p in roots.values() if p is not None) or "the default locations"
    click.echo(f"Watching {clean_line(where)} for new lines (Ctrl-C to stop)...", err=True)

    def on_import(report: ImportReport) -> None:
        warn_skipped(report)
        warn_drift(report)
        stamp = time.strftime("%H:%M:%S")
        click.echo(
            f"{stamp} +{plural(report.messages, 'message')} in {plural(report.sessions, 'session')}"
        )

    try:
        total = watch(db, roots, stop=stop, on_import=on_import)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # what the watch itself brought in (the import before it was said already)
    said = total.summary() if total.files_imported else "nothing new came in"
    click.echo(f"Stopped watching: {said}.", err=True)
