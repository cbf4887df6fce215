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


# What the text of a path whose name holds bytes that are not UTF-8 starts with (`path_text`):
# no absolute path does, so no file whose path is valid UTF-8 has such a key.
BYTES_MARK = "bytes:"


def path_text(path: str) -> str:
    """`path` as text the store can hold and give back: the path itself when it is valid UTF-8
    (as every store has kept paths so far; made absolute if, relative, it starts with
    `BYTES_MARK`); otherwise `BYTES_MARK` and its absolute form with each byte that is not UTF-8
    as `\\xNN` and each backslash doubled. Two paths that differ only in such bytes get two
    texts (U+FFFD for each made them one), and `text_path` undoes it.
    """
    if path.startswith(BYTES_MARK):
        path = os.path.abspath(path)  # a relative path looking like one of these texts
    if path.isascii():
        return path
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return path
    # bytes read from the file system come as lone surrogates U+DC80..U+DCFF (`surrogateescape`);
    # any other lone surrogate cannot name a file (and is kept as U+FFFD)
    path = "".join(
        c if not ("\ud800" <= c <= "\udfff") or "\udc80" <= c <= "\udcff" else "\ufffd"
        for c in os.path.abspath(path)
    )
    raw = path.encode("utf-8", "surrogateescape").replace(b"\\", b"\\\\")
    return BYTES_MARK + raw.decode("utf-8", "backslashreplace")


def text_path(text: str) -> str:
    """The path `path_text` gave `text` for (a text it did not give is a path as it is)."""
    if not text.startswith(BYTES_MARK) or "\\" not in text:
        return text
    out = bytearray()
    rest = text[len(BYTES_MARK) :]
    at = 0
    while at < len(rest):
        char = rest[at]
        if char == "\\" and rest[at + 1 : at + 2] == "\\":
            out += b"\\"
            at += 2
        elif char == "\\" and rest[at + 1 : at + 2] == "x" and len(rest) >= at + 4:
            try:
                out.append(int(rest[at + 2 : at + 4], 16))
            except ValueError:
                return text
            at += 4
        else:
            out += char.encode("utf-8", "surrogatepass")
            at += 1
    path = os.fsdecode(bytes(out))
    # only a text `path_text` gives (not, say, a relative path an earlier version stored)
    return path if path_text(path) == text else text


def path_key(path: str) -> str:
    """The import-state key of a file: `path_text` of its absolute path (the key the importers
    and the lean `import` path look a file up by)."""
    return path_text(os.path.abspath(path))


def file_unchanged(size: int, mtime: float, offset: int, now_size: int, now_mtime: float) -> bool:
    """Whether a file the store remembers (its size, mtime and the offset read up to) is as it
    was: the one rule the line importers and the lean `import` path decide by."""
    return size == now_size and mtime == now_mtime and offset <= now_size
