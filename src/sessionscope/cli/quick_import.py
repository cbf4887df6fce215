"""The lean path for `sessionscope import claude-code|codex [PATH...]` when nothing changed.

A hook that imports after every agent turn mostly finds every transcript as it was. This path
answers that case without click, the `Store` class or the importers: it finds the source's files
the way its importer does (`transcript_files`), stats each one and compares it with what the
store remembers (one query), exactly as the full import decides a file is unchanged. At the first
file that is new, changed, gone or unreadable, or for any option, another source, a missing path
or a store that needs a migration, it returns None and the click command runs the import.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time

from ..transcript_files import (
    claude_code_file,
    claude_code_roots,
    codex_file,
    codex_roots,
    file_unchanged,
    path_text,
    walk_paths,
)

# source -> (which file names are its transcripts, its default locations)
LEAN_SOURCES = {
    "claude-code": (claude_code_file, claude_code_roots),
    "codex": (codex_file, codex_roots),
}


def _files(source: str, roots: list[str]) -> list[str] | None:
    """Every file the source's importer would look at under `roots`, as absolute paths (the
    keys the store remembers them by), or None when a root is missing or odd (the full path
    reports it)."""
    accept, defaults = LEAN_SOURCES[source]
    found: list[str] = []
    for root in roots or defaults():
        if root.startswith("~") or not os.path.exists(root):
            return None
        root = os.path.abspath(root)  # once: the paths joined under it are absolute and normal
        if os.path.isfile(root):
            found.append(root)
        elif os.path.isdir(root):
            found.extend(walk_paths(root, accept, ordered=False))
        else:
            return None
    return found


def quick_import(args: list[str], db: str | None = None) -> int | None:
    """Say "nothing new" and return 0 when every file is unchanged; None to run the import."""
    if not args or args[0] not in LEAN_SOURCES or any(a.startswith("-") for a in args[1:]):
        return None
    started = time.perf_counter()
    files = _files(args[0], args[1:])
    if not files:
        return None
    from .quick import lean_store

    connections = lean_store(db)
    if connections is None:
        return None
    try:
        remembered = {
            path: (size, mtime, offset)
            for path, size, mtime, offset in connections.connection().execute(
                'SELECT path, size, mtime, "offset" FROM import_state WHERE source = ?',
                (args[0],),
            )
        }
    except sqlite3.Error:  # the full path says what is wrong
        return None
    finally:
        connections.close()
    for path in files:
        try:
            st = os.stat(path)
        except OSError:
            return None
        previous = remembered.get(path_text(path))  # absolute already: its key
        if previous is None or not file_unchanged(*previous, st.st_size, st.st_mtime):
            return None
    from ..display import nothing_new

    try:
        sys.stdout.write(nothing_new(len(files), time.perf_counter() - started) + ".\n")
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return 0
