"""`sessionscope resume ID`: run the agent's own resume (or fork) command in the session's cwd."""

from __future__ import annotations

import subprocess

import click

from ..resume import ResumeError, plan
from ..sanitize import inert
from .errors import fail
from .options import db_option, open_from_context


@click.command("resume")
@db_option
@click.argument("session")
@click.option("--fork", is_flag=True, help="Fork the session instead (a new session from it).")
@click.option(
    "--print",
    "print_only",
    is_flag=True,
    help="Print the command instead of running it (even if its directory or agent is missing "
    "here: that is noted on stderr).",
)
def resume_cmd(session: str, fork: bool, print_only: bool) -> None:
    """Resume a session in the agent that wrote it (claude --resume, codex resume, ...)."""
    with open_from_context(must_exist=True) as db:
        session_id = db.resolve_session(session)
        info = db.session(session_id)
    if info is None:
        fail(f"no session {inert(session, 80)}.")
    try:
        command = plan(info.id, info.source, info.cwd, fork=fork, check=not print_only)
    except ResumeError as exc:
        fail(str(exc))
    if print_only:
        click.echo(command.shell())
        for problem in command.problems:
            click.echo(f"note: {problem}", err=True)
        return
    click.echo(f"Running {inert(command.shell(), 500)}", err=True)
    code = subprocess.call(command.argv, cwd=command.cwd)
    if code:
        raise SystemExit(code)
