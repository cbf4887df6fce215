"""The click group behind `sessionscope`: subcommands load on first use.

Commands live in small modules (read, imports, demo, experiments, metrics, doctor); the group
imports only the one being run, so `sessionscope search` never pays for Textual or Rich.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from .options import db_option, handle_errors

# command name -> (module, attribute, one-line help shown in `--help` without importing it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "sessions": ("read", "sessions_cmd", "List sessions, newest first."),
    "search": (
        "read",
        "search_cmd",
        "Search every message (words, phrases, filters such as tool:Bash).",
    ),
    "show": ("read", "show_cmd", "Print one session's transcript."),
    "export": ("read", "export_cmd", "Export one session as Markdown, JSON or an HTML page."),
    "stats": ("read", "stats_cmd", "Counts for the whole store or a period (--by: per day, ...)."),
    "import": ("imports", "import_cmd", "Import agent sessions (every source, or one)."),
    "sources": ("sources", "sources_cmd", "List each source, its location and sessions held."),
    "demo": ("demo", "demo_cmd", "Build a realistic demo store and open the browser on it."),
    "browse": ("browse", "browse_cmd", "Open the browser without importing first."),
    "experiments": ("experiments", "experiments_cmd", "Champion/challenger experiments."),
    "metrics": ("metrics", "metrics_cmd", "Prometheus metrics read from the store."),
    "resume": ("resume", "resume_cmd", "Resume a session in the agent that wrote it."),
    "doctor": ("doctor", "doctor_cmd", "Check the store's schema, integrity and size."),
    "redact": ("redact", "redact_cmd", "Redact secrets in the store, now and from now on."),
    "mcp": ("mcp", "mcp_cmd", "Serve search and recall to agents over MCP (stdio or HTTP)."),
    "tag": ("marks", "tag_cmd", "Add tags to a session (or remove them with --remove)."),
    "tags": ("marks", "tags_cmd", "List every tag in use, or one session's tags, pin and note."),
    "pin": ("marks", "pin_cmd", "Pin a session (or unpin it with --off)."),
    "note": ("marks", "note_cmd", "Attach, print or clear a session's note."),
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None:
            return None
        module = importlib.import_module(f"{__package__}.{spec[0]}")
        command: click.Command = getattr(module, spec[1])
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, with the command meant named for a typo (click suggests from
        `self.commands`, which a lazy group leaves empty)."""
        name = args[0] if args else ""
        if name not in COMMANDS and not name.startswith("-") and not ctx.resilient_parsing:
            from difflib import get_close_matches

            close = get_close_matches(name, COMMANDS, n=1)
            if close:
                ctx.fail(f"No such command {name!r}. Did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with handle_errors():
            return super().invoke(ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, invoke_without_command=True)
@db_option
@click.version_option(package_name="sessionscope")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """A local, searchable archive of AI-agent sessions, and a fast terminal browser over it.

    With no command: import what is new from every agent (see `sources`), then open the browser.
    """
    ctx.ensure_object(dict)
    if ctx.invoked_subcommand is None:
        from .browse import default_cmd

        ctx.invoke(default_cmd)


def run(argv: list[str] | None = None) -> Any:
    """Run the click group; errors become one sentence on stderr and a non-zero exit."""
    with handle_errors():
        return cli.main(args=argv, prog_name="sessionscope", standalone_mode=True)
