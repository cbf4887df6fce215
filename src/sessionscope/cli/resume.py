"""`sessionscope resume ID`: run the agent's own resume (or fork) command in the session's cwd."""

from __future__ import annotations

import subprocess
import sys
from typing import NoReturn

import click

from ..resume import ResumeError, plan
from ..sanitize import inert
from .options import db_option, open_from_context


def _fail(message: str) -> NoReturn:
    click.echo(f"sessionscope: error: {message}", err=True)
    sys.exit(1)


@click.command("resume")
@db_option
@click.argument("session")
@click.option("--fork", is_flag=True, help="Fork the session instead (a new session from it).")
@click.option(
    "--print", "print_only", is_flag=True, help="Print the command instead of running it."
)
def resume_cmd(session: str, fork: bool, print_only: bool) -> None:
    """Resume a session in the agent that wrote it (claude --resume, codex resume, ...)."""
    with open_from_context(must_exist=True) as db:
        session_id = db.resolve_session(session)
        info = db.session(session_id)
    if info is None:
        _fail(f"no session {inert(session, 80)}.")
    try:
        command = plan(info.id, info.source, info.cwd, fork=fork)
    except ResumeError as exc:
        _fail(str(exc))
    if print_only:
        click.echo(command.shell())
        return
    click.echo(f"Running {inert(command.shell(), 500)}", err=True)
    code = subprocess.call(command.argv, cwd=command.cwd)
    if code:
        raise SystemExit(code)
