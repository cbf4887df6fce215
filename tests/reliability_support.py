"""Helpers shared by the reliability tests (issue 6): store dumps to compare two stores exactly,
and process helpers for the concurrency and crash tests."""

from __future__ import annotations

import dataclasses
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sessionscope import store

ROOT = Path(__file__).resolve().parent.parent
IMPORT_SOURCES = ("claude-code", "codex")

# Session fields that depend on nothing but what was imported (every SessionInfo field).
SESSION_FIELDS = tuple(f.name for f in dataclasses.fields(store.SessionInfo))
IMPORT_STATE_FIELDS = ("source", "size", "mtime", "offset", "line_no")
MESSAGE_FIELDS = tuple(
    f.name for f in dataclasses.fields(store.Message) if f.name not in ("id", "session_id")
)


def dump(db: store.Store, sources: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Everything a store holds for `sources` (all when None), independent of row ids.

    Sessions with every field, their messages with every field but the row id, their tool
    calls, and how far each file was imported (the parser's private resume state is left out:
    it legitimately depends on where batches happened to end).
    """
    sessions: dict[str, Any] = {}
    infos = db.sessions(limit=None, order="started")
    for info in infos:
        if sources is not None and info.source not in sources:
            continue
        messages = db.messages(info.id)
        sessions[info.id] = {
            # a session's cost is a float sum, added batch by batch: rounding differs in the
            # last bits with the batch boundaries, so it is compared to the nano-dollar
            "info": {
                name: round(v, 9) if name == "cost_usd" and isinstance(v, float) else v
                for name in SESSION_FIELDS
                for v in (getattr(info, name),)
            },
            "messages": [{name: getattr(m, name) for name in MESSAGE_FIELDS} for m in messages],
            "tool_calls": db.tool_calls(info.id),
        }
    return {"sessions": sessions, "import_state": import_positions(db, sources)}


def import_positions(
    db: store.Store, sources: tuple[str, ...] | None = None
) -> dict[str, dict[str, Any]]:
    """How far each file was imported: {path: {source, size, mtime, offset, line_no}}."""
    return {
        path: {k: getattr(state, k) for k in IMPORT_STATE_FIELDS}
        for path, state in db.import_states().items()
        if sources is None or state.source in sources
    }


def diff_dumps(got: dict[str, Any], want: dict[str, Any], limit: int = 8) -> list[str]:
    """Human-readable differences between two dumps (empty when equal)."""
    out: list[str] = []
    g, w = got["sessions"], want["sessions"]
    for sid in sorted(set(w) - set(g)):
        out.append(f"missing session {sid}")
    for sid in sorted(set(g) - set(w)):
        out.append(f"extra session {sid}")
    for sid in sorted(set(g) & set(w)):
        if g[sid]["info"] != w[sid]["info"]:
            fields = [k for k in w[sid]["info"] if g[sid]["info"].get(k) != w[sid]["info"][k]]
            out.append(
                f"session {sid} fields differ: "
                + ", ".join(
                    f"{k}={g[sid]['info'].get(k)!r} want {w[sid]['info'][k]!r}" for k in fields
                )
            )
        gm, wm = g[sid]["messages"], w[sid]["messages"]
        if len(gm) != len(wm):
            out.append(f"session {sid}: {len(gm)} messages, want {len(wm)}")
        for a, b in zip(gm, wm, strict=False):
            if a != b:
                keys = [k for k in b if a.get(k) != b[k]]
                out.append(f"session {sid} seq {b['seq']} differs in {', '.join(keys)}")
                break
        if g[sid]["tool_calls"] != w[sid]["tool_calls"]:
            out.append(f"session {sid}: tool calls differ")
    if got["import_state"] != want["import_state"]:
        for path in sorted(set(got["import_state"]) | set(want["import_state"])):
            if got["import_state"].get(path) != want["import_state"].get(path):
                out.append(
                    f"import state of {path}: {got['import_state'].get(path)!r}"
                    f" want {want['import_state'].get(path)!r}"
                )
    return out[:limit] + ([f"... {len(out) - limit} more"] if len(out) > limit else [])


def cli(
    *args: str,
    db: str | Path | None = None,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    **run: Any,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m sessionscope [--db DB] ARGS...` as a real subprocess (`env` added to this
    one's; stdin empty unless `run` gives `stdin` or `input`; other `subprocess.run` keywords
    such as `preexec_fn` passed on)."""
    command = [sys.executable, "-m", "sessionscope"]
    if db is not None:
        command += ["--db", str(db)]
    if "stdin" not in run and "input" not in run:
        run["stdin"] = subprocess.DEVNULL
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        **run,
    )


def limit_memory() -> None:
    """For `preexec_fn`: the child gets at most 1 GB of address space (a runaway read fails)."""
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def kill(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL a child process we started and reap it."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
