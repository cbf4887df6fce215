"""`sessionscope demo [--db PATH] [--no-open] [--sessions N] [--seed N] [--rebuild]`.

Builds a realistic demo store (synthetic Claude Code and Codex CLI transcripts, imported with the
real importers, plus experiments data) and opens the browser on it.

Where: `--db PATH` (on the group or the command), else `demo.db` next to the default store. A
path holding a real (non-demo) store is refused, never overwritten.

Reuse: a demo store built by the same sessionscope with the same --seed and --sessions less than
a day ago is opened as it is (instant); otherwise it is rebuilt (a few seconds). `--rebuild`
always rebuilds.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from ..demo import (
    GENERATOR_VERSION,
    Progress,
    build_demo,
    check_target,
    default_demo_path,
    demo_info,
)
from ..sanitize import clean_line
from .options import store_option

REUSE_FOR = timedelta(hours=24)
PHASES = {
    "generate": "Generating transcripts",
    "import": "Importing",
    "experiments": "Adding experiments",
}


def demo_path(ctx: click.Context) -> Path:
    """--db (group or command), else demo.db beside the default store."""
    chosen = (ctx.find_root().obj or {}).get("db")
    return Path(chosen).expanduser() if chosen else default_demo_path()


def _fresh(path: Path, seed: int, sessions: int) -> bool:
    info = demo_info(path)
    if info is None or (info.seed, info.sessions, info.version) != (
        seed,
        sessions,
        GENERATOR_VERSION,
    ):
        return False
    try:
        built = datetime.fromisoformat(info.built_at)
    except ValueError:
        return False
    return datetime.now(UTC) - built < REUSE_FOR


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    """A Rich progress bar on stderr (a terminal), else one plain line per phase."""
    if not enabled:
        seen: set[str] = set()

        def plain(phase: str, done: int, total: int) -> None:
            if phase not in seen:
                seen.add(phase)
                click.echo(f"{PHASES.get(phase, phase)}...", err=True)

        yield plain
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskID,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, TaskID] = {}
    last = 0.0

    def update(phase: str, done: int, total: int) -> None:
        nonlocal last
        if phase not in tasks:
            for other in tasks.values():  # earlier phases are complete
                task = bar.tasks[other]
                bar.update(other, completed=task.total)
            tasks[phase] = bar.add_task(PHASES.get(phase, phase), total=total)
        now = time.monotonic()
        if done < total and now - last < 0.05:
            return
        last = now
        bar.update(tasks[phase], completed=done, total=total)

    with bar:
        yield update


def _is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _open_browser(path: Path) -> None:
    hint = f"`sessionscope --db {clean_line(str(path))} browse`"
    from .browse import open_browser

    if not _is_terminal():
        click.echo(f"Not a terminal, so the browser was not opened; open it with {hint}.", err=True)
        return
    open_browser(str(path))


@click.command("demo")
@store_option(
    "Where to build the demo store (default: demo.db in the directory of $SESSIONSCOPE_DB, or in "
    "the user data directory without it). A file holding a real store is refused, never "
    "overwritten."
)
@click.option(
    "--no-open", is_flag=True, help="Build (or reuse) the store but don't open the browser."
)
@click.option(
    "--sessions",
    type=click.IntRange(1, 100_000),
    default=300,
    show_default=True,
    help="How many top-level sessions to generate.",
)
@click.option(
    "--seed",
    type=int,
    default=7,
    show_default=True,
    help="Random seed: the same seed gives the same transcripts.",
)
@click.option("--rebuild", is_flag=True, help="Rebuild even if a recent demo store exists.")
def demo_cmd(no_open: bool, sessions: int, seed: int, rebuild: bool) -> None:
    """Build a realistic demo store and open the browser on it.

    The store (default: demo.db next to your real store, which is never touched) holds a few
    hundred synthetic Claude Code and Codex CLI sessions across several projects, with
    subagents, tool calls, failures and long sessions. A recent demo store with the same
    options is reused; --rebuild makes a new one.
    """
    path = demo_path(click.get_current_context())
    check_target(path)
    shown = clean_line(str(path))
    if not rebuild and _fresh(path, seed, sessions):
        click.echo(
            f"Using the demo store at {shown} (built today; --rebuild for a new one).", err=True
        )
    else:
        started = time.perf_counter()
        with _progress(sys.stderr.isatty()) as progress:
            build_demo(path, seed=seed, sessions=sessions, progress=progress)
        from .. import store

        with store.open(path, readonly=True) as db:
            stats = db.stats()
            top = db.count_sessions(top_level=True)
        click.echo(
            f"Built a demo store: {stats.sessions:,} sessions ({stats.sessions - top:,} of them "
            f"subagents), {stats.messages:,} messages, {stats.file_bytes / 1_000_000:.0f} MB, "
            f"in {time.perf_counter() - started:.1f} s.",
            err=True,
        )
    click.echo(str(path))
    click.echo(
        f"Other commands use your own store; for this one add --db {shown} "
        f"(or export SESSIONSCOPE_DB={shown}), e.g. `sessionscope --db {shown} sessions`.",
        err=True,
    )
    if not no_open:
        _open_browser(path)
