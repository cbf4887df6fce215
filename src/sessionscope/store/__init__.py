"""The headless store: one SQLite file holding every session, with search.

    from sessionscope import store
    db = store.open()                      # or store.open("x.db"), store.open(":memory:")
    sid = db.start_session(title="fix flaky test", source="my-agent", project="/src/app")
    db.append(sid, "user", "why does test_login fail?")

This package never imports textual.
"""

from __future__ import annotations

import importlib
import os

from .errors import (
    Interrupted,
    InvalidInput,
    NotAStore,
    NotFound,
    SchemaTooNew,
    SessionNotFound,
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreReadOnly,
    UnsafePath,
)
from .schema import SCHEMA_VERSION

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from .connection import CancelToken
    from .core import Store
    from .decision import ArmStats, Decision
    from .experiments import AgentConfig, Assignment, Experiment, Project
    from .models import Hit, ImportState, Message, SaveResult, Session, SessionInfo, Stats
    from .spec import MessageSpec, Role

# Loaded on first use, so that `sessionscope search` starts fast.
_LAZY = {
    "Store": "core",
    "CancelToken": "connection",
    "ArmStats": "decision",
    "Decision": "decision",
    "AgentConfig": "experiments",
    "Assignment": "experiments",
    "Experiment": "experiments",
    "Project": "experiments",
    **dict.fromkeys(
        ("Hit", "ImportState", "Message", "SaveResult", "Session", "SessionInfo", "Stats"),
        "models",
    ),
    "MessageSpec": "spec",
    "Role": "spec",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


ENV_VAR = "SESSIONSCOPE_DB"


def default_path() -> Path:
    """`$SESSIONSCOPE_DB`, else `sessions.db` in the user data directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        from pathlib import Path

        return Path(env).expanduser()
    from pathlib import Path

    import platformdirs

    return Path(platformdirs.user_data_dir("sessionscope", appauthor=False)) / "sessions.db"


def open(
    path: str | os.PathLike[str] | None = None,
    *,
    readonly: bool = False,
    redact: bool = False,
    mmap_mb: int = 1024,
) -> Store:
    """Open (creating and migrating as needed) the store at `path` or the default location.

    `redact=True` turns redaction on for the store for good (recorded in it): from then on every
    write, through any Store, replaces secrets with `[REDACTED:<kind>]` before they are stored or
    indexed (`Store.redact_existing` also rewrites what was stored before). `mmap_mb` caps the memory map each
    connection uses for reading (0 for bulk writers that should stay small in memory).
    """
    from .core import Store

    path = str(path) if path is not None else str(default_path())
    return Store(path, readonly=readonly, redact=redact, mmap_mb=mmap_mb)


__all__ = [
    "ENV_VAR",
    "SCHEMA_VERSION",
    "AgentConfig",
    "ArmStats",
    "Assignment",
    "CancelToken",
    "Decision",
    "Experiment",
    "Hit",
    "ImportState",
    "Interrupted",
    "InvalidInput",
    "Message",
    "MessageSpec",
    "NotAStore",
    "NotFound",
    "Project",
    "Role",
    "SaveResult",
    "SchemaTooNew",
    "Session",
    "SessionInfo",
    "SessionNotFound",
    "Stats",
    "Store",
    "StoreBusy",
    "StoreCorrupt",
    "StoreError",
    "StoreReadOnly",
    "UnsafePath",
    "default_path",
    "open",
]
