"""Build a realistic demo store: synthetic transcripts of every supported agent, imported.

    from sessionscope.demo import build_demo
    build_demo("demo.db", seed=7, sessions=300)

The transcripts are generated in the real on-disk formats (`demo.transcripts`: Claude Code and
Codex CLI, `sessions` of them; and a few sessions each of Gemini CLI, OpenCode, Cursor, GitHub
Copilot CLI, Cline, Roo Code and Aider, `demo.transcripts.agents`) into a temporary directory and
imported with the real importers, so the demo exercises exactly what a user's own
transcripts would. Then the experiments data (`demo.experiments`) is added. The store is built in
a temporary file beside `path` and moved into place at the end, so
an interrupted build never leaves a half-built store behind.

A demo store carries a marker (an `import_state` row at `DEMO_MARKER`), so callers can tell it
from a user's real store (`is_demo_store`) and never overwrite the latter.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import store
from ..store.errors import InvalidInput, StoreError
from .experiments import populate
from .transcripts import GENERATOR_VERSION as GENERATOR_VERSION

DEMO_MARKER = "sessionscope:demo"
DEMO_SOURCE = "demo"
DEMO_FILENAME = "demo.db"

Progress = Callable[[str, int, int], None]
"""`progress(phase, done, total)`: phase is `generate` (sessions), `import` (bytes) or
`experiments` (0 of 1, then 1 of 1)."""


class NotADemoStore(InvalidInput):
    """The target path holds something that is not a demo store; it is never overwritten."""


@dataclass(frozen=True)
class DemoInfo:
    """What a demo store's marker says about how it was built."""

    seed: int
    sessions: int
    version: int
    built_at: str


def default_demo_path() -> Path:
    """`demo.db` next to the default store (`$SESSIONSCOPE_DB` or the user data directory)."""
    return store.default_path().parent / DEMO_FILENAME


def demo_info(path: str | os.PathLike[str]) -> DemoInfo | None:
    """The marker of the demo store at `path`, or None (missing file, or not a demo store).

    Raises StoreError if the file is not a readable sessionscope store.
    """
    target = Path(path)
    if not target.exists() or target.stat().st_size == 0:
        return None
    with store.open(target, readonly=True) as db:
        mark = db.import_state(DEMO_MARKER)
    if mark is None or mark.source != DEMO_SOURCE:
        return None
    state = mark.state or {}
    return DemoInfo(
        seed=int(state.get("seed", -1)),
        sessions=int(state.get("sessions", -1)),
        version=int(state.get("version", 0)),
        built_at=str(state.get("built_at", "")),
    )


def is_demo_store(path: str | os.PathLike[str]) -> bool:
    """True when `path` holds a store `build_demo` made."""
    try:
        return demo_info(path) is not None
    except StoreError:
        return False


def check_target(path: str | os.PathLike[str]) -> None:
    """Raise NotADemoStore unless `path` is free (missing or empty) or already a demo store."""
    target = Path(path)
    if target.is_dir():
        raise NotADemoStore(f"{target} is a directory; give a file path for the demo store.")
    if not target.exists() or target.stat().st_size == 0:
        return
    try:
        info = demo_info(target)
    except StoreError as exc:
        raise NotADemoStore(
            f"{target} exists and is not a sessionscope store; refusing to overwrite it. "
            "Pick another path with --db."
        ) from exc
    if info is None:
        raise NotADemoStore(
            f"{target} is an existing sessionscope store, not a demo store; refusing to "
            "overwrite it. Pick another path with --db."
        )


def build_demo(
    path: str | os.PathLike[str],
    *,
    seed: int = 7,
    sessions: int = 300,
    now: float | None = None,
    progress: Progress | None = None,
) -> Path:
    """Generate `sessions` sessions, import them into a fresh store at `path`, return the path.

    `path` must be missing, empty, or an earlier demo store (which is replaced); anything else
    raises NotADemoStore. `now` (epoch seconds, default: this hour) anchors the timestamps, which
    spread over the last four weeks. Same seed and `now`, same store contents.
    """
    from ..importers import import_roots
    from .transcripts import anchor_ms, generate_tree
    from .transcripts.agents import relocate, write_agents

    if sessions < 1:
        raise InvalidInput("sessions must be at least 1.")
    target = Path(path).expanduser()
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(f".{target.name}.building-{os.getpid()}")
    _remove_db(building)
    report: Any = None
    try:
        with tempfile.TemporaryDirectory(prefix="sessionscope-demo-") as tmp:
            corpus = generate_tree(
                Path(tmp) / "transcripts",
                seed=seed,
                sessions=sessions,
                now=now,
                progress=None
                if progress is None
                else (lambda c: progress("generate", sum(c.sessions.values()), sessions)),
            )
            others = write_agents(
                Path(tmp) / "agents",
                seed=seed,
                now_ms=anchor_ms(now),
                per_agent=min(3, max(1, sessions // 20)),
            )
            with store.open(building) as db:

                def on_import(p: Any) -> None:
                    if progress is not None:
                        progress("import", p.bytes_read, max(p.bytes_total, 1))

                pairs = [*corpus.roots.items(), *others.pairs]
                report = import_roots(db, pairs, progress=on_import)
                relocate(db, others)
                if progress is not None:
                    progress("experiments", 0, 1)
                populate(db, seed, now=None if now is None else datetime.fromtimestamp(now, UTC))
                if progress is not None:
                    progress("experiments", 1, 1)
                db.set_import_state(
                    DEMO_MARKER,
                    source=DEMO_SOURCE,
                    size=0,
                    mtime=time.time(),
                    offset=0,
                    state={
                        "seed": seed,
                        "sessions": sessions,
                        "version": GENERATOR_VERSION,
                        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "messages": report.messages,
                        "skipped_lines": report.skipped_count,
                    },
                )
        check_target(target)  # still ours to replace (nobody wrote a real store there meanwhile)
        _remove_db(target, keep_main=True)
        os.replace(building, target)
    finally:
        _remove_db(building)
    return target


def _remove_db(path: Path, *, keep_main: bool = False) -> None:
    """Delete a store file and its WAL/SHM side files (a stale WAL must never meet a new file)."""
    names = [path.name + "-wal", path.name + "-shm"] + ([] if keep_main else [path.name])
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(name))
