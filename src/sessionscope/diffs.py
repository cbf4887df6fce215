"""File edits as unified diffs: Claude Code's `Edit` / `MultiEdit` / `Write` calls and Codex's
`apply_patch` (its own patch format), for the browser and the exports.

Plain data, no terminal or HTML here: `edit_diff(name, input)` returns the files an edit call
changed, each with its unified diff lines and counts, or None when the call is not an edit.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

MAX_DIFF_LINES = 2000  # a diff longer than this is cut (the call's input stays whole in the store)


@dataclass(slots=True)
class FileDiff:
    """One file's change: `lines` are unified-diff lines (`+`, `-`, ` `, `@@`)."""

    path: str
    lines: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    action: str = "update"  # update, add, delete, write

    def count(self) -> None:
        self.added = sum(1 for line in self.lines if line.startswith("+"))
        self.removed = sum(1 for line in self.lines if line.startswith("-"))


@dataclass(slots=True)
class EditDiff:
    """What one edit call changed: a summary line (`Edit src/x.py +3 -1`) and the files."""

    tool: str
    files: list[FileDiff]

    @property
    def summary(self) -> str:
        added = sum(f.added for f in self.files)
        removed = sum(f.removed for f in self.files)
        where = self.files[0].path if len(self.files) == 1 else f"{len(self.files)} files"
        return f"{self.tool} {where} +{added} -{removed}"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _unified(old: str, new: str) -> list[str]:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3)
    return [line for line in lines if not line.startswith(("---", "+++"))][:MAX_DIFF_LINES]


def _file(path: str, lines: list[str], action: str = "update") -> FileDiff:
    diff = FileDiff(path=path, lines=lines, action=action)
    diff.count()
    return diff


def _claude(name: str, data: dict[str, Any]) -> EditDiff | None:
    path = _text(data.get("file_path")) or _text(data.get("path"))
    if name == "Write":
        content = _text(data.get("content"))
        lines: list[str] = ["+" + line for line in content.splitlines()][:MAX_DIFF_LINES]
        return EditDiff(name, [_file(path or "?", lines, "write")])
    if name == "Edit":
        old, new = _text(data.get("old_string")), _text(data.get("new_string"))
        if not old and not new:
            return None
        return EditDiff(name, [_file(path or "?", _unified(old, new))])
    edits = data.get("edits")
    if not isinstance(edits, list):
        return None
    lines = []
    for edit in edits:
        if isinstance(edit, dict):
            lines += _unified(_text(edit.get("old_string")), _text(edit.get("new_string")))
    return EditDiff(name, [_file(path or "?", lines[:MAX_DIFF_LINES])])


_PATCH_HEADERS = (
    ("*** Update File: ", "update"),
    ("*** Add File: ", "add"),
    ("*** Delete File: ", "delete"),
)


def parse_patch(patch: str) -> list[FileDiff]:
    """The files of a Codex `apply_patch` body (`*** Begin Patch` ... `*** End Patch`)."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    for line in patch.splitlines():
        header = next(((line[len(h) :], a) for h, a in _PATCH_HEADERS if line.startswith(h)), None)
        if header is not None:
            current = FileDiff(path=header[0].strip() or "?", action=header[1])
            files.append(current)
        elif line.startswith("*** Move to: ") and current is not None:
            current.path = f"{current.path} -> {line[13:].strip()}"
        elif line.startswith("***"):
            continue
        elif current is not None and len(current.lines) < MAX_DIFF_LINES:
            current.lines.append(line if line[:1] in ("+", "-", " ", "@") else " " + line)
    for diff in files:
        diff.count()
    return files


def _patch_text(data: dict[str, Any]) -> str:
    """The patch body of an apply_patch call: Codex passes it as `input`, older versions as
    `command: ["apply_patch", "<patch>"]` of a shell call."""
    text = data.get("input") or data.get("patch")
    if isinstance(text, str):
        return text
    command = data.get("command")
    if isinstance(command, list) and len(command) >= 2 and command[0] == "apply_patch":
        return _text(command[1])
    return ""


def edit_diff(name: str, data: Any) -> EditDiff | None:
    """The diff of a tool call, or None when it is not a file edit (or holds none)."""
    if not isinstance(data, dict):
        return None
    if name in ("Edit", "MultiEdit", "Write"):
        return _claude(name, data)
    patch = _patch_text(data)
    if name in ("apply_patch", "shell", "local_shell") and patch.lstrip().startswith(
        "*** Begin Patch"
    ):
        files = parse_patch(patch)
        return EditDiff("apply_patch", files) if files else None
    return None
