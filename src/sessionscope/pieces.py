"""The parts of a message a person copies or opens: fenced code blocks, a tool's command, file
paths (with a line) in tool inputs and in text. Textual-free, shared by the browser and tests.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .diffs import edit_diff

_FENCE_MARKS = ("```", "~~~")


@lru_cache(maxsize=256)
def code_blocks(text: str) -> tuple[str, ...]:
    """The contents of the fenced code blocks of Markdown `text`, in order."""
    if not any(mark in text for mark in _FENCE_MARKS):
        return ()
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    return tuple(t.content.rstrip("\n") for t in tokens if t.type == "fence")


SHELLS = ("bash", "sh", "zsh")


def command_line(parts: list[Any]) -> str:
    """An argument list as the command a person would type: the script of a shell wrapper
    (`bash -lc SCRIPT`, as Codex runs every command; sh and zsh alike), else the arguments
    quoted for a shell."""
    words = [str(p) for p in parts]
    if len(words) >= 3 and words[0].rsplit("/", 1)[-1] in SHELLS and words[1] in ("-c", "-lc"):
        return words[2]
    import shlex

    return shlex.join(words)


def tool_command(tool_input: Any) -> str:
    """What a tool was asked to run: a shell command as typed, else its input as JSON."""
    if isinstance(tool_input, dict):
        command = tool_input.get("command") or tool_input.get("cmd")
        if isinstance(command, str):
            return command
        if isinstance(command, list) and all(isinstance(p, str) for p in command):
            return command_line(command)
    return input_text(tool_input)


def input_text(tool_input: Any) -> str:
    """A tool's input as text: a string as it is, anything else as indented JSON (or its repr
    when it is not JSON)."""
    if isinstance(tool_input, str):
        return tool_input
    try:
        return json.dumps(tool_input, ensure_ascii=False, indent=2)
    except (TypeError, ValueError):
        return repr(tool_input)


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file named in a message, maybe at a line; `named` when a tool input field held it
    (a surer sign of a file than a word in prose that looks like one)."""

    path: str
    line: int | None = None
    named: bool = False


_PATH_KEYS = ("file_path", "notebook_path", "path", "filePath", "filename", "file")
_PYTHON_FRAME = re.compile(r'File "([^"\n]+)", line (\d+)')
# a path: optional ~ / ./ ../ or /, directories, a name; then an optional :line(:col)
_PATH = re.compile(
    r"(?<![\w/.~:@-])"
    r"((?:~|\.{1,2})?/?(?:[\w.@+-]+/)*[\w@+-][\w.@+-]*)"
    r"(?::(\d+))?(?::\d+)?"
)
_URL_SCHEME = re.compile(r"[A-Za-z][\w+.-]*:$")


def _line(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def input_refs(tool_name: str, tool_input: Any) -> list[FileRef]:
    """Files a tool call names in its input: `file_path`, `path`, ..., the files of an edit."""
    refs: list[FileRef] = []
    if isinstance(tool_input, dict):
        line = _line(tool_input.get("offset")) or _line(tool_input.get("line"))
        for key in _PATH_KEYS:
            value = tool_input.get(key)
            if isinstance(value, str) and value.strip():
                refs.append(FileRef(value.strip(), line, named=True))
        paths = tool_input.get("paths")
        if isinstance(paths, list):
            refs += [FileRef(p, None, named=True) for p in paths if isinstance(p, str) and p]
    diff = edit_diff(tool_name, tool_input)
    if diff is not None:
        for file in diff.files:
            refs.append(FileRef(file.path, _first_changed_line(file.lines), named=True))
    return _unique(refs)


def _first_changed_line(lines: list[str]) -> int | None:
    """The new-file line of the first hunk of a unified diff (`@@ -a,b +c,d @@`)."""
    for line in lines:
        found = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", line)
        if found:
            return _line(int(found.group(1)))
    return None


def text_refs(text: str) -> list[FileRef]:
    """Words of `text` that look like file paths (`src/x.py`, `src/x.py:42`, `README.md`,
    Python traceback frames), in order. Many are not files: callers check they exist."""
    refs = [FileRef(m.group(1), _line(int(m.group(2)))) for m in _PYTHON_FRAME.finditer(text)]
    for found in _PATH.finditer(text[:200_000]):
        word = found.group(1).rstrip(".")
        if _URL_SCHEME.search(text[max(0, found.start() - 12) : found.start()]):
            continue  # the path part of a URL
        if "/" not in word and "." not in word.strip("."):
            continue  # a bare word
        if word in (".", "..", "/", "~") or word.endswith("/"):
            continue
        line = _line(int(found.group(2))) if found.group(2) else None
        refs.append(FileRef(word, line))
    return _unique(refs)


def _unique(refs: list[FileRef]) -> list[FileRef]:
    seen: set[tuple[str, int | None]] = set()
    out: list[FileRef] = []
    for ref in refs:
        key = (ref.path, ref.line)
        if key not in seen:
            seen.add(key)
            out.append(ref)
    return out
