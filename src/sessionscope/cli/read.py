"""Read-only commands: sessions, search, show, export, stats."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from ..display import PIN_MARK, age, fit, money, short_count, tag_list
from ..jsonout import echo_json
from ..private import write_private
from ..sanitize import inert
from .errors import fail
from .options import (
    db_option,
    json_option,
    limit_option,
    open_from_context,
    when_option,
    when_or_fail,
)
from .render import hits_json, hits_text, no_matches


@click.command("sessions")
@db_option
@json_option
@limit_option(50)
@click.option("--project", "-p", help="Only sessions whose project contains this text.")
@click.option("--source", "-s", help="Only sessions from this source (claude-code, codex, ...).")
@when_option(
    "since", "Only sessions active since then: 7d, 12h, yesterday, 2026-10-01 (as in `f`)."
)
@when_option("until", "Only sessions started by then (same values as --since).")
@click.option(
    "--filter",
    "match",
    help="A list filter as typed at `f` in the browser: tag:flaky is:pinned source:codex words.",
)
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
    match: str | None,
    sort: str,
) -> None:
    """List sessions, newest activity first (pinned ones marked ★, tags after the title)."""
    from ..store.listfilter import parse_list_filter

    spec = None if match is None else parse_list_filter(match)
    if spec is not None and spec.errors:
        fail(f"--filter: {spec.errors[0]}")
    with open_from_context(must_exist=not as_json) as db:
        rows = db.sessions(
            limit=limit,
            project=project,
            source=source,
            since=since,
            until=until,
            order=sort,
            match=spec if spec is not None and spec.active else None,
        )
        if not rows and source is not None:
            _known_source(db, source)
        ids = {} if as_json else db.short_ids([r.id for r in rows])
    if as_json:
        echo_json([dataclasses.asdict(r) for r in rows])
        return
    if not rows:
        if any(v is not None for v in (project, source, since, until, match)):
            click.echo("No session matches these filters.", err=True)
        else:
            click.echo("No sessions. Import some with `sessionscope import all`.", err=True)
        return
    width = shutil.get_terminal_size((120, 24)).columns
    id_width = max(len(inert(shown)) for shown in ids.values())  # 8 unless ids share those
    title_width = max(20, width - id_width - 2 - 12 - 2 - 5 - 2 - 6 - 2 - 6 - 2 - 18 - 2)
    click.echo(
        f"{'ID':<{id_width}}  {'SOURCE':<12}  {'AGE':>5}  {'MSGS':>6}  {'TOKENS':>6}  "
        f"{'PROJECT':<18}  TITLE"
    )
    for r in rows:
        indent = "  ↳ " if r.parent_session_id else ""
        title = indent + (f"{PIN_MARK} " if r.pinned else "") + (r.title or "(untitled)")
        if r.tags:
            title += "  " + tag_list(r.tags)
        click.echo(
            f"{inert(ids[r.id]):<{id_width}}  {fit(r.source, 12, pad=True)}  "
            f"{age(r.updated_at or r.started_at):>5}  "
            f"{r.message_count:>6}  {short_count(r.total_tokens):>6}  "
            f"{fit(Path(r.project or '').name or '-', 18, pad=True)}  "
            f"{fit(title, title_width)}"
        )


def _known_source(db: Any, source: str) -> None:
    """Fail when no importer reads `source` and no stored session names it (a typo)."""
    from ..importers import source_names

    names = source_names()
    if source not in names and db.count_sessions(source=source) == 0:
        fail(f"no source is named {source!r} (sources: {', '.join(names)}, or one the API wrote).")


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
    from ..store.query import problems

    text = " ".join(query)
    for problem in problems(text):
        fail(problem)
    with open_from_context(must_exist=not as_json) as db:
        hits = db.search(text + " ", limit=limit, order=order)  # a typed-out query: no prefix
        ids = {} if as_json else db.short_ids([h.session_id for h in hits])
    if getattr(hits, "partial", False):
        click.echo(PARTIAL, err=True)
    if as_json:
        click.echo(hits_json(hits))
        return
    if not hits:
        click.echo(no_matches(text), err=True)
        return
    click.echo(hits_text(hits, color=sys.stdout.isatty(), ids=ids))


def _load(db: Any, ref: str) -> Any:
    session = db.load(db.resolve_session(ref))
    if session is None:  # deleted between resolve and load
        fail(f"no session has id {ref!r}.")
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
    if mark and not seq_text.isdecimal():  # what int() reads: "²" is a digit, not a number
        fail(f"{session!r}: after # comes a message number (ID#SEQ).")
    with open_from_context(must_exist=True) as db:
        loaded = _load(db, ref)
    if mark:
        seq = int(seq_text)
        if not any(m.seq == seq for m in loaded.messages):
            fail(f"session {inert(ref, 80)} has no message #{seq}.")
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
    type=click.Choice(["markdown", "json", "html"]),
    default=None,
    help="Default: the -o file's suffix (.html, .htm, .json), else markdown.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(writable=True),
    default=None,
    help="Write to this file instead of standard output; a directory: into it, as "
    "sessionscope-ID.md (.json, .html), the name the browser proposes.",
)
@click.option(
    "--redact/--no-redact",
    default=None,
    help="Replace secrets and list what was replaced (the default for html).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def export_cmd(
    session: str, fmt: str | None, output: str | None, redact: bool | None, force: bool
) -> None:
    """Export one session as Markdown, JSON or a self-contained HTML page to share."""
    from .. import export

    if fmt is None:  # as the browser's `x`: the file's suffix says (a directory: Markdown)
        fmt = export.format_for(output) if output and not Path(output).is_dir() else "markdown"
    with open_from_context(must_exist=True) as db:
        loaded = _load(db, session)
    if output:
        output = _export_path(output, loaded.id, fmt, force)
    if fmt == "html" if redact is None else redact:
        from ..export_redact import redact_session

        # every field, for every format, and the title the last line shows
        loaded, found = redact_session(loaded)
        _say_redacted(found)
    if fmt == "html":
        from ..export_html import to_html

        text = to_html(loaded, redact=False)[0]  # redacted above
    else:
        text = export.to_markdown(loaded) if fmt == "markdown" else export.to_json(loaded) + "\n"
    if output:
        _write(output, text)
        shown = inert(loaded.title) or inert(loaded.id)
        click.echo(f"Wrote {shown} to {inert(output, 1000)}.", err=True)
    else:
        click.echo(text, nl=False)


def _period(since: str | None, until: str | None) -> str:
    """The days a period covers, as `stats` says it (whole UTC days)."""
    first = "the first message" if since is None else since[:10]
    last = "today" if until is None else until[:10]
    return f"{first} .. {last} (UTC days)"


def _export_path(output: str, session_id: str, fmt: str, force: bool) -> str:
    """Where `export -o OUTPUT` writes: OUTPUT, or in a directory the browser's default name;
    fails, before the export is made, when the directory to write in is not there, or when the
    file exists and `force` is not given (nothing is replaced unasked)."""
    from ..export import SUFFIXES, export_name

    path = Path(output)
    if path.is_dir():
        path = path / export_name(session_id, SUFFIXES[fmt])
        output = str(path)
    if path.is_symlink() or path.exists():
        shown = inert(output, 1000)
        if not path.is_file():
            fail(f"cannot write {shown}: it is not a regular file.")
        if not force:
            fail(f"{shown} exists; add --force to replace it.")
    parent = path.parent
    if not parent.is_dir():
        where = inert(str(parent), 1000)
        why = (
            f"{where} is not a directory"
            if parent.exists()
            else f"the directory {where} does not exist"
        )
        fail(f"cannot write {inert(output, 1000)}: {why}.")
    return output


def _write(output: str, text: str) -> None:
    """`write_private`, its failure said of `output` (never of the temporary file beside it)."""
    try:
        write_private(output, text)
    except OSError as exc:
        fail(f"cannot write {inert(output, 1000)}: {inert(exc.strerror or exc, 200)}.")


def _usage_report(by: str, since: str, until: str | None, as_json: bool) -> None:
    """`stats --by`: one row a day (or project, model, ...) with tokens and cost, then a total."""
    with open_from_context(must_exist=not as_json) as db:
        rows = db.usage(by=by, since=since, until=until)
    if as_json:
        echo_json([dataclasses.asdict(r) for r in rows])
        return
    if not rows:
        click.echo(f"No messages in {_period(since, until)}.")
        return
    head = f"{by:<24} {'sessions':>8} {'messages':>9} {'input':>10} {'output':>9} "
    click.echo(head + f"{'cache rd':>10} {'cache wr':>9} {'cost':>9}")
    for r in rows:
        click.echo(
            f"{inert(r.key or '(none)', 24):<24} {r.sessions:>8} {r.messages:>9} "
            f"{r.input_tokens:>10} {r.output_tokens:>9} {r.cache_read_tokens:>10} "
            f"{r.cache_creation_tokens:>9} {money(r.cost_usd):>9}"
        )
    click.echo(
        f"{'total':<24} {'':>8} {sum(r.messages for r in rows):>9} "
        f"{sum(r.input_tokens for r in rows):>10} {sum(r.output_tokens for r in rows):>9} "
        f"{sum(r.cache_read_tokens for r in rows):>10} "
        f"{sum(r.cache_creation_tokens for r in rows):>9} "
        f"{money(sum(r.cost_usd for r in rows)):>9}"
    )


def _say_redacted(found: list[Any]) -> None:
    """What redaction replaced, on stderr, before anything is written."""
    if not found:
        click.echo("Redacted nothing: no secret found.", err=True)
        return
    total = sum(r.count for r in found)
    click.echo(f"Redacted {total} secret{'s' if total != 1 else ''}:", err=True)
    for r in found:
        click.echo(f"  {inert(r.where, 80)}: {inert(r.kind, 40)} x{r.count}", err=True)


@click.command("stats")
@db_option
@json_option
@click.option(
    "--by",
    type=click.Choice(["day", "week", "month", "project", "model", "source"]),
    default=None,
    help="Usage per day, week, month, project, model or source instead of the totals.",
)
@when_option(
    "since",
    "Only messages from that day on: 30d, 7d, yesterday, 2026-10-01 (with --by: 30d if not given).",
)
@when_option("until", "Only messages up to that day (same values as --since).")
def stats_cmd(as_json: bool, by: str | None, since: str | None, until: str | None) -> None:
    """Counts for the whole store or a period, or usage and cost per day, project, model, ...
    (--by). Periods are whole days (UTC)."""
    if by is not None:
        _usage_report(
            by, since if since is not None else when_or_fail("since", "30d"), until, as_json
        )
        return
    with open_from_context(must_exist=not as_json) as db:
        stats = db.stats(since=since, until=until)
    if as_json:
        echo_json([dataclasses.asdict(stats)])
        return
    click.echo(
        f"store        {inert(stats.path, 1000)} ({stats.file_bytes / 1e6:.1f} MB, schema {stats.schema_version})"
    )
    if since is not None or until is not None:
        click.echo(f"period       {_period(since, until)}")
    # figures with thousands separators, as the browser's header writes them (571,487,701)
    click.echo(
        f"sessions     {stats.sessions:,}  "
        + "  ".join(f"{inert(k)}: {v:,}" for k, v in stats.by_source.items())
    )
    click.echo(
        f"messages     {stats.messages:,}  "
        + "  ".join(f"{inert(k)}: {v:,}" for k, v in stats.by_role.items())
    )
    click.echo(
        f"tokens       {stats.input_tokens:,} in, {stats.output_tokens:,} out, "
        f"{stats.cache_read_tokens:,} cache read, {stats.cache_creation_tokens:,} cache write"
    )
    cost = f"cost         {money(stats.cost_usd)}"
    if stats.unpriced_messages:
        cost += f" (+ {stats.unpriced_messages:,} unpriced messages: model not in the price table)"
    click.echo(cost)
    click.echo(f"tool calls   {stats.tool_calls:,} ({stats.failed_tool_calls:,} failed)")
    if stats.first_at:
        click.echo(f"span         {inert(stats.first_at)} .. {inert(stats.last_at)}")
