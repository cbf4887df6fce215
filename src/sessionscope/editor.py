"""`o` in the browser: open a file a session names in the person's editor, at that line.

The editor is `$VISUAL`, else `$EDITOR` (split like a shell would: `code --wait` works). How to
ask for a line depends on the editor: `+42 file` for vi, vim, nvim, emacs, nano and friends,
`--goto file:42` for VS Code and its forks, `file:42` for Helix, Sublime Text and Zed, just the
file for editors not known here. Relative paths are taken from the session's working directory,
where the editor also runs. What can go wrong is one sentence (`EditorError`).

Paths and the working directory come from transcripts, so the editor is always given an absolute
path (a working directory that is not absolute is not used), and any path that would start with
`-` or `+` is written `./-x`: the editor never reads a file name as an option or a command.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .pieces import FileRef
from .sanitize import inert

PLUS_LINE = frozenset(
    {"vi", "vim", "nvim", "gvim", "mvim", "view", "vimx", "ex", "elvis", "nvi", "emacs",
     "emacsclient", "nano", "pico", "micro", "kak", "joe", "jmacs", "jed", "mg", "ne", "gedit",
     "kate", "mousepad", "pluma", "xed", "vis", "amp"}
)  # fmt: skip
GOTO = frozenset({"code", "code-insiders", "codium", "vscodium", "cursor", "windsurf"})
COLON_LINE = frozenset({"hx", "helix", "subl", "sublime_text", "zed", "zeditor", "lapce"})


class EditorError(Exception):
    """Why the file cannot be opened, in one sentence for the person."""


@dataclass(frozen=True, slots=True)
class EditPlan:
    """The editor's command (`argv`), where to run it, and the file it opens."""

    argv: list[str]
    cwd: str
    path: str
    line: int | None


def editor_argv(editor: str, path: str, line: int | None) -> list[str]:
    """The command opening `path` at `line` with `editor` (a command line, maybe with flags)."""
    try:
        words = shlex.split(editor)
    except ValueError as exc:
        raise EditorError(f"cannot read the editor command {_shown(editor)}: {exc}.") from exc
    if not words:
        raise EditorError("no editor: set $VISUAL or $EDITOR.")
    name = Path(words[0]).name.removesuffix(".exe")
    path = _operand(path)
    if line is None:
        return [*words, path]
    if name in PLUS_LINE:
        return [*words, f"+{line}", path]
    if name in GOTO:
        return [*words, "--goto", f"{path}:{line}"]
    if name in COLON_LINE:
        return [*words, f"{path}:{line}"]
    return [*words, path]


def _operand(path: str) -> str:
    """`path` as a file operand no editor reads as an option (`-x`) or a command (`+cmd`)."""
    return f"./{path}" if path.startswith(("-", "+")) else path


def _shown(path: str | Path) -> str:
    return inert(str(path), 300)


def plan_edit(
    refs: Iterable[FileRef], cwd: str | None, env: Mapping[str, str] | None = None
) -> EditPlan:
    """The editor command for the first of `refs` that is a file (relative to `cwd`)."""
    env = os.environ if env is None else env
    refs = list(refs)
    if not refs:
        raise EditorError("no file path under the cursor.")
    base = Path(cwd).expanduser() if cwd else None
    base_ok = base is not None and base.is_absolute() and base.is_dir()
    chosen: tuple[FileRef, Path] | None = None
    for ref in refs:
        target = Path(ref.path).expanduser()
        if not target.is_absolute():
            if not base_ok:
                continue
            assert base is not None
            target = base / target
        if target.is_file():
            chosen = (ref, target)
            break
    if chosen is None:
        first = next((r for r in refs if r.named or "/" in r.path), None)
        if first is None:
            raise EditorError("no file path under the cursor names a file that exists.")
        if not Path(first.path).expanduser().is_absolute():
            if base is None:
                raise EditorError(
                    f"{_shown(first.path)} is relative and the session has no working directory."
                )
            if not base.is_absolute():
                raise EditorError(
                    f"{_shown(first.path)} is relative and the session's working directory "
                    f"{_shown(base)} is not an absolute path."
                )
            if not base_ok:
                raise EditorError(f"the session's directory {_shown(base)} no longer exists.")
        where = Path(first.path).expanduser()
        where = where if where.is_absolute() or base is None else base / where
        if where.is_dir():
            raise EditorError(f"{_shown(where)} is a directory, not a file.")
        raise EditorError(f"{_shown(where)} does not exist.")
    ref, target = chosen
    editor = env.get("VISUAL") or env.get("EDITOR") or ""
    if not editor.strip():
        raise EditorError("no editor: set $VISUAL or $EDITOR.")
    argv = editor_argv(editor, str(target), ref.line)
    if shutil.which(argv[0], path=env.get("PATH")) is None:
        raise EditorError(f"the editor {_shown(argv[0])} (from $VISUAL/$EDITOR) is not found.")
    run_in = str(base) if base_ok else str(target.parent)
    return EditPlan(argv, run_in, str(target), ref.line)
