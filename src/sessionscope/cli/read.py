"""Read-only commands: sessions, search, show, export, stats."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from ..jsonout import echo_json
from ..sanitize import inert
from .options import db_option, json_option, limit_option, open_from_context
from .render import hits_json, hits_text


def age(stamp: str | None, now: datetime | None = None) -> str:
    """`3m`, `5h`, `2d`, `7w` ago; empty when unknown."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    except (ValueError, OverflowError):  # odd, or out of the calendar's range (year 1, 9999)
        return ""
    for unit, size in (("y", 31_536_000), ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def short_number(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value >= 1000:
        return f"{value / 1000:.1f}k"
    return str(value)


def _fit(text: str, width: int) -> str:
    return inert(text, width)


@click.command("sessions")
@db_option
@json_option
@limit_option(50)
@click.option("--project", "-p", help="Only sessions whose project contains this text.")
@click.option("--source", "-s", help="Only sessions from this source (claude-code, codex, ...).")
@click.option(
    "--since", help="Only sessions active since then: 7d, 12h, yesterday, 2026-10-01 (as in `f`)."
)
@click.option("--until", help="Only sessions started by then (same values as --since).")
@click.option(
    "--sort",
    type=click.Choice(["recent", "started", "tokens", "messages", "cost", "title"]),
    default="recent",
    show_default=True,
)
def sessions_cmd(
    as_json: bool,
    limit: int,
    project: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    sort: str,
) -> None:
    """List sessions, newest activity first."""
    from ..store.listfilter import when_value

    bounds: dict[str, str | None] = {}
    for name, value in (("since", since), ("until", until)):
        bounds[name] = None if value is None else when_value(name, value)
        if value is not None and bounds[name] is None:
            raise click.UsageError(
                f"--{name} {value!r} is not a date (use 7d, 12h, yesterday or 2026-10-01)."
            )
    with open_from_context(must_exist=not as_json) as db:
        rows = db.sessions(
            limit=limit,
            project=project,
            source=source,
            since=bounds["since"],
            until=bounds["until"],
            order=sort,
        )
    if as_json:
        echo_json([dataclasses.asdict(r) for r in rows])
        return
    if not rows:
        if any(v is not None for v in (project, source, since, until)):
            click.echo("No session matches these filters.", err=True)
        else:
            click.echo("No sessions. Import some with `sessionscope import all`.", err=True)
        return
    width = shutil.get_terminal_size((120, 24)).columns
    title_width = max(20, width - 8 - 2 - 12 - 2 - 5 - 2 - 6 - 2 - 6 - 2 - 18 - 2)
    click.echo(
        f"{'ID':<8}  {'SOURCE':<12}  {'AGE':>5}  {'MSGS':>6}  {'TOKENS':>6}  {'PROJECT':<18}  TITLE"
    )
    for r in rows:
        indent = "  ↳ " if r.parent_session_id else ""
        click.echo(
            f"{inert(r.id)[:8]}  {inert(r.source)[:12]:<12}  {age(r.updated_at):>5}  "
            f"{r.message_count:>6}  {short_number(r.total_tokens):>6}  "
            f"{_fit(Path(r.project or '').name or '-', 18):<18}  "
            f"{_fit(indent + (r.title or '(untitled)'), title_width)}"
        )


@click.command("search")
@db_option
@click.argument("query", nargs=-1, required=True)
@json_option
@limit_option(50)
@click.option(
    "--order",
    type=click.Choice(["rank", "time"]),
    default="rank",
    show_default=True,
    help="Rank by relevance (prose above tool output) or newest first.",
)
def search_cmd(query: tuple[str, ...], as_json: bool, limit: int, order: str) -> None:
    """Search every message. Words all match; "phrases", -exclude, OR, role:, tool:, project: ..."""
    text = " ".join(query)
    with open_from_context(must_exist=not as_json) as db:
        hits = db.search(text + " ", limit=limit, order=order)  # a typed-out query: no prefix
    if getattr(hits, "partial", False):
        click.echo(PARTIAL, err=True)
    if as_json:
        click.echo(hits_json(hits))
        return
    if not hits:
        click.echo("No matches.", err=True)
        return
    click.echo(hits_text(hits, color=sys.stdout.isatty()))


def _load(db: Any, ref: str) -> Any:
    session = db.load(db.resolve_session(ref))
    if session is None:  # deleted between resolve and load
        raise click.ClickException(f"no session has id {ref!r}.")
    return session


PARTIAL = "(partial: the search reached its time budget; more matches may exist, narrow the query)"


@click.command("show")
@db_option
@click.argument("session")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
def show_cmd(session: str, fmt: str) -> None:
    """Print one session's transcript (SESSION is an id, a unique prefix of one, or the
    `ID#SEQ` that search prints: from that message on). Paged on a terminal ($PAGER, less -R)."""
    from .. import export

    ref, mark, seq_text = session.rpartition("#") if "#" in session else (session, "", "")
    if mark and not seq_text.isdigit():
        raise click.UsageError(f"{session!r}: after # comes a message number (ID#SEQ).")
    with open_from_context(must_exist=True) as db:
        loaded = _load(db, ref)
    if mark:
        seq = int(seq_text)
        if not any(m.seq == seq for m in loaded.messages):
            raise click.ClickException(f"session {inert(loaded.id)[:8]} has no message #{seq}.")
        loaded = dataclasses.replace(loaded, messages=[m for m in loaded.messages if m.seq >= seq])
    render = {"text": export.to_text, "markdown": export.to_markdown, "json": export.to_json}
    text = render[fmt](loaded)
    if fmt == "text" and sys.stdout.isatty():
        click.echo_via_pager(text)
    else:
        click.echo(text, nl=fmt == "json")


@click.command("export")
@db_option
@click.argument("session")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write to this file instead of standard output.",
)
def export_cmd(session: str, fmt: str, output: str | None) -> None:
    """Export one session as Markdown or JSON."""
    from .. import export

    with open_from_context(must_exist=True) as db:
        loaded = _load(db, session)
    text = export.to_markdown(loaded) if fmt == "markdown" else export.to_json(loaded) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        shown = inert(loaded.title) or inert(loaded.id)
        click.echo(f"Wrote {shown} to {inert(output, 1000)}.", err=True)
    else:
        click.echo(text, nl=False)


@click.command("stats")
@db_option
@json_option
def stats_cmd(as_json: bool) -> None:
    """Counts for the whole store."""
    with open_from_context(must_exist=not as_json) as db:
        stats = db.stats()
    if as_json:
        echo_json([dataclasses.asdict(stats)])
        return
    click.echo(
        f"store        {inert(stats.path, 1000)} ({stats.file_bytes / 1e6:.1f} MB, schema {stats.schema_version})"
    )
    click.echo(
        f"sessions     {stats.sessions}  "
        + "  ".join(f"{inert(k)}: {v}" for k, v in stats.by_source.items())
    )
    click.echo(
        f"messages     {stats.messages}  "
        + "  ".join(f"{inert(k)}: {v}" for k, v in stats.by_role.items())
    )
    click.echo(f"tokens       {stats.input_tokens} in, {stats.output_tokens} out")
    click.echo(f"cost         ${stats.cost_usd:.2f}")
    click.echo(f"tool calls   {stats.tool_calls} ({stats.failed_tool_calls} failed)")
    if stats.first_at:
        click.echo(f"span         {inert(stats.first_at)} .. {inert(stats.last_at)}")
