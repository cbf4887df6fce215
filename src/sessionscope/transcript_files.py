"""Where Claude Code and Codex CLI keep their transcripts, how their files are found, and when
one is unchanged since its last import.

Their importers (`importers/claude_code.py`, `importers/codex.py`, `importers/incremental.py`)
and the lean `sessionscope import` path (`cli/quick_import.py`, which answers "nothing new"
without loading the importers) read the same facts from here. Standard library only.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from collections.abc import Callable


def claude_code_file(name: str) -> bool:
    """A Claude Code transcript: `<session id>.jsonl` or a subagent's `agent-<id>.jsonl`."""
    return name.endswith(".jsonl") and not name.startswith("rollout-")


def codex_file(name: str) -> bool:
    """A Codex CLI rollout: `rollout-<time>-<id>.jsonl`."""
    return name.startswith("rollout-") and name.endswith(".jsonl")


def claude_code_roots() -> list[str]:
    """`~/.claude/projects`."""
    return [os.path.join(os.path.expanduser("~"), ".claude", "projects")]


def codex_roots() -> list[str]:
    """`$CODEX_HOME/sessions` (default `~/.codex/sessions`)."""
    home = os.environ.get("CODEX_HOME")
    base = os.path.expanduser(home) if home else os.path.join(os.path.expanduser("~"), ".codex")
    return [os.path.join(base, "sessions")]


def walk_paths(root: str, accept: Callable[[str], bool], *, ordered: bool = True) -> list[str]:
    """Files under the directory `root` whose name `accept`s, in the order of their paths' parts
    (as `pathlib` sorts paths) unless not `ordered`; hidden directories are not entered."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda _exc: None):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(os.path.join(dirpath, name) for name in filenames if accept(name))
    if ordered:
        found.sort(key=lambda p: p.split(os.sep))
    return found


def file_unchanged(size: int, mtime: float, offset: int, now_size: int, now_mtime: float) -> bool:
    """Whether a file the store remembers (its size, mtime and the offset read up to) is as it
    was: the one rule the line importers and the lean `import` path decide by."""
    return size == now_size and mtime == now_mtime and offset <= now_size
