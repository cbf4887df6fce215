"""The lean path for `sessionscope search`: parse a few options by hand, query, print.

It handles QUERY words, `--json`, `--limit/-n N`, `--order rank|time` and `--db PATH`. For anything
else (help, an unknown option, a filter that cannot mean anything, a missing or old or damaged
store) it returns None and the click command takes over, so behaviour and errors stay those of
`sessionscope search` (one format: `cli/errors.py`).
"""

from __future__ import annotations

import os
import sqlite3
import sys

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from typing import Any

    from ..store.connection import Connections


def _parse(args: list[str]) -> dict[str, Any] | None:
    opts: dict[str, Any] = {"words": [], "json": False, "limit": 50, "order": "rank", "db": None}
    i = 0
    words_only = False
    while i < len(args):
        arg = args[i]
        if words_only or not arg.startswith("-") or arg == "-":
            opts["words"].append(arg)
        elif arg == "--":
            words_only = True
        elif arg == "--json":
            opts["json"] = True
        elif arg in ("--limit", "-n", "--order", "--db") and i + 1 < len(args):
            value = args[i + 1]
            i += 1
            if arg == "--order":
                if value not in ("rank", "time"):
                    return None
                opts["order"] = value
            elif arg == "--db":
                opts["db"] = value
            else:
                if not value.isdecimal() or int(value) < 1:
                    return None  # the click command refuses it
                opts["limit"] = int(value)
        else:
            return None
        i += 1
    return opts if opts["words"] else None


def lean_store(db: str | None) -> Connections | None:
    """The store's connections when its file is there at this version's schema, else None
    (the click command then opens it, migrates it or says what is wrong)."""
    from ..store import ENV_VAR, SCHEMA_VERSION, default_path
    from ..store.connection import Connections
    from ..store.errors import StoreError
    from ..store.paths import special_file

    path = db or os.environ.get(ENV_VAR) or str(default_path())
    if not os.path.isfile(path) or any(special_file(f"{path}{end}") for end in ("-wal", "-shm")):
        return None  # (a FIFO -wal would block SQLite: the full path refuses it)
    connections = Connections(path)
    try:
        if connections.connection().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return connections
    except (sqlite3.Error, StoreError):
        pass
    connections.close()  # needs a migration, or is not ours: the full path explains
    return None


def quick_search(args: list[str], db: str | None = None) -> int | None:
    """Run the search and return the exit status, or None to let the click command handle it."""
    opts = _parse(args)
    if opts is None:
        return None
    from ..store.errors import StoreError
    from ..store.query import problems

    if problems(" ".join(opts["words"])):
        return None  # the click command says what is wrong, in the one error format
    connections = lean_store(opts["db"] or db)
    if connections is None:
        return None
    try:
        from ..store.search import search_messages

        hits = search_messages(
            connections.connection(),
            " ".join(opts["words"]) + " ",
            limit=opts["limit"],
            order=opts["order"],
        )
        from ..store.shortids import short_ids

        # the hits' ID#SEQ: the prefix of each id `show` takes back (no need in JSON)
        ids = (
            {}
            if opts["json"]
            else short_ids(connections.connection(), [h.session_id for h in hits])
        )
    except (sqlite3.Error, StoreError):
        return None
    finally:
        connections.close()
    from .render import hits_json, hits_text, no_matches

    try:
        if getattr(hits, "partial", False):
            sys.stderr.write(
                "(partial: the search reached its time budget; more matches may exist,"
                " narrow the query)\n"
            )
        if opts["json"]:
            sys.stdout.write(hits_json(hits) + "\n")
        elif hits:
            sys.stdout.write(hits_text(hits, color=sys.stdout.isatty(), ids=ids) + "\n")
        else:
            sys.stderr.write(no_matches(" ".join(opts["words"])) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
    return 0
