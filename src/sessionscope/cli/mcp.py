"""`sessionscope mcp`: serve the archive to agents over the Model Context Protocol."""

from __future__ import annotations

import importlib.util
import os

import click

from ..mcp.config import CLIENTS, snippet
from .errors import fail
from .options import db_option, host_port, open_from_context, store_path

EXTRA_MISSING = (
    "sessionscope mcp needs the MCP SDK: pip install 'sessionscope[mcp]' (or: pip install mcp)."
)


def parse_http(value: str) -> tuple[str, int]:
    """`HOST:PORT`, `:PORT` or `PORT` (both 127.0.0.1), or `[v6]:PORT`, as (host, port)."""
    return host_port(value, "--http", "127.0.0.1:8765", bare_port=True, port_zero=False)


@click.command("mcp")
@db_option
@click.option(
    "--http",
    "http",
    metavar="HOST:PORT",
    default=None,
    help="Serve streamable HTTP on HOST:PORT instead of stdio (PORT alone: 127.0.0.1).",
)
@click.option(
    "--allow-writes", is_flag=True, help="Offer record_signal (the server is read-only otherwise)."
)
@click.option(
    "--max-chars",
    type=click.IntRange(200, 200_000),
    default=12_000,
    show_default=True,
    help="Default size budget of each answer, in characters.",
)
@click.option(
    "--exclude-session", metavar="ID", default=None, help="Leave this session out of answers."
)
@click.option(
    "--print-config",
    type=click.Choice(CLIENTS),
    default=None,
    help="Print the snippet that adds this server to an MCP client, and exit.",
)
def mcp_cmd(
    http: str | None,
    allow_writes: bool,
    max_chars: int,
    exclude_session: str | None,
    print_config: str | None,
) -> None:
    """Serve search and recall over past sessions to agents (Model Context Protocol, stdio).

    Tools: search, list_sessions, read_session, recent_prompts, usage (and record_signal with
    --allow-writes); each session is also the resource sessionscope://session/ID. Answers are
    capped, redacted and cite messages as session_id#seq.
    """
    root = click.get_current_context().find_root()
    if print_config:
        args = ["mcp"]
        if (root.obj or {}).get("db"):
            args = ["--db", os.path.abspath(store_path()), *args]
        click.echo(snippet(print_config, args))
        return
    address = parse_http(http) if http else None
    if importlib.util.find_spec("mcp") is None or importlib.util.find_spec("mcp.server") is None:
        fail(EXTRA_MISSING)
    from ..mcp.server import serve
    from ..mcp.tools import Recall

    with open_from_context(readonly=not allow_writes, must_exist=True) as db:
        recall = Recall(
            db, max_chars=max_chars, exclude_session=exclude_session, allow_writes=allow_writes
        )
        serve(recall, address)
