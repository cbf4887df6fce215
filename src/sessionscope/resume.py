"""Resume (or fork) a session in the agent that wrote it, in the session's working directory.

Each source has a command template; a user changes or adds them in the config file
(`~/.config/sessionscope/config.toml` on Linux):

    [resume]
    claude-code = "tmux new-window -c {cwd} claude --resume {id}"
    [fork]
    claude-code = "claude --resume {id} --fork-session"

`{id}` and `{cwd}` are replaced (each as one argument, never through a shell). Both come from
transcripts, so a command is refused rather than built when one could be read as something else:
an id that starts with `-` (the agent would take it for an option: `--dangerously-skip-permissions`
as a session id), a working directory that is not an absolute path, either holding control or
invisible characters. Sessions written through the API by no known agent have no template, and so
no resume action.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ConfigError, config_path, read_config
from .sanitize import inert, is_inert

RESUME: dict[str, str] = {
    "claude-code": "claude --resume {id}",
    "codex": "codex resume {id}",
    "gemini-cli": "gemini --resume {id}",
    "opencode": "opencode --session {id}",
    "copilot-cli": "copilot --resume {id}",
    "cursor": "cursor-agent --resume {id}",
}
FORK: dict[str, str] = {
    "claude-code": "claude --resume {id} --fork-session",
}


class ResumeError(Exception):
    """Why a session cannot be resumed, in one sentence for the person."""


@dataclass(frozen=True, slots=True)
class ResumePlan:
    """The agent's command (`argv`) and where to run it (`cwd`)."""

    argv: list[str]
    cwd: str
    # what stops it from running here now (its directory is gone, its agent is not installed):
    # `plan(check=False)` keeps them here rather than raising
    problems: tuple[str, ...] = ()

    def shell(self) -> str:
        """The command as one line a person can paste (`cd` included)."""
        return f"cd {shlex.quote(self.cwd)} && {shlex.join(self.argv)}"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The config file as a dict ({} when it is missing); a broken file is one sentence."""
    try:
        return read_config(path)
    except ConfigError as exc:
        raise ResumeError(str(exc)) from exc


def templates(config: dict[str, Any], fork: bool) -> dict[str, str]:
    """Built-in templates with the user's `[resume]` / `[fork]` tables over them."""
    table = config.get("fork" if fork else "resume")
    merged = dict(FORK if fork else RESUME)
    if isinstance(table, dict):
        merged.update({str(k): str(v) for k, v in table.items() if isinstance(v, str)})
    return merged


def _plain(value: str) -> bool:
    """True when `value` shows as itself on one line: nothing a terminal interprets, nothing
    invisible, no line break or tab."""
    return is_inert(value) and not any(c in value for c in "\n\r\t")


def _check_values(session_id: str, cwd: str | None) -> str:
    """The session's id and cwd checked before they are put into an agent's command; the cwd.

    Each becomes one argument of a program that parses options, so neither may look like one:
    the id must not start with `-`, the cwd must be absolute (so it starts with `/`, and `cd`
    and `tmux -c` take it as a path). Neither may hold control or invisible characters, which
    the printed command line would show raw or hide."""
    if not session_id or session_id.startswith("-"):
        raise ResumeError(
            f"the session id {inert(session_id, 80)!r} starts with '-': the agent would read "
            "it as an option, so no command is built."
        )
    if not _plain(session_id):
        raise ResumeError(
            f"the session id {inert(session_id, 80)!r} holds control or invisible characters, "
            "so no command is built."
        )
    if not cwd:
        raise ResumeError("the session has no working directory to resume it in.")
    if not _plain(cwd):
        raise ResumeError(
            f"the session's working directory {inert(cwd, 300)!r} holds control or invisible "
            "characters, so no command is built."
        )
    if not Path(cwd).is_absolute():
        raise ResumeError(
            f"the session's working directory {inert(cwd, 300)!r} is not an absolute path, "
            "so no command is built."
        )
    return cwd


def plan(
    session_id: str,
    source: str,
    cwd: str | None,
    *,
    fork: bool = False,
    config: dict[str, Any] | None = None,
    check: bool = True,
) -> ResumePlan:
    """The command that resumes (or forks) the session, checked: its cwd exists and its agent
    is installed. Raises ResumeError with one sentence otherwise (with `check=False`, a missing
    cwd or agent goes to the plan's `problems` instead: the command can still be printed)."""
    config = load_config() if config is None else config
    problems: list[str] = []
    template = templates(config, fork).get(source)
    what = "fork" if fork else "resume"
    if template is None:
        if fork and source in templates(config, fork=False):
            raise ResumeError(
                f"{inert(source, 40)} has no fork command; set one under [fork] in "
                f"{inert(str(config_path()), 300)}."
            )
        done = "forked" if fork else "resumed"
        raise ResumeError(
            f"sessions from {inert(source, 40) or 'this source'} cannot be {done}: no agent "
            f"command is known for it (add one under [{what}] in {inert(str(config_path()), 300)})."
        )
    cwd = _check_values(session_id, cwd)
    if not Path(cwd).is_dir():
        problems.append(f"the session's working directory {inert(cwd, 300)} no longer exists.")
    try:
        argv = [part.format(id=session_id, cwd=cwd) for part in shlex.split(template)]
    except (ValueError, KeyError, IndexError) as exc:
        raise ResumeError(
            f"the {what} command for {inert(source, 40)} is malformed: {exc}"
        ) from exc
    if not argv:
        raise ResumeError(f"the {what} command for {inert(source, 40)} is empty.")
    if shutil.which(argv[0]) is None:
        problems.append(f"{inert(argv[0], 80)} is not installed (not found on PATH).")
    if problems and check:
        raise ResumeError(problems[0])
    return ResumePlan(argv=argv, cwd=cwd, problems=tuple(problems))
