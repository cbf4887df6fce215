"""OpenCode: its SQLite store `~/.local/share/opencode/opencode.db` (or `opencode-<channel>.db`)
and the legacy JSON layout `~/.local/share/opencode/storage/{session,message,part}/`.

Rules (format: sst/opencode `packages/opencode/src/session/message-v2.ts`, `session.sql.ts`;
facts in tests/fixtures/README.md):
- tables `session` (id, project_id, parent_id, directory, title, time_created, time_updated),
  `message` (id, session_id, time_*, `data`: the message info JSON) and `part` (id, message_id,
  session_id, time_*, `data`: one part JSON); `project.worktree` is the project path;
- a message and its parts become store messages as `opencode_parts` says (content, tool
  results, and the system messages its compaction, subtask, retry, patch and synthetic text
  parts and its `error` imply); an assistant message's `tokens` {input, output, reasoning,
  cache {read, write}} and `cost`: input_tokens = input, output_tokens = output + reasoning,
  cache read/creation = cache read/write, cost_usd = cost; model = `modelID`;
- a session's `parent_id`/`parentID` (a subagent's run) links it to its parent;
- the foreign database is never modified: without a WAL it is opened `mode=ro&immutable=1`;
  with a non-empty WAL, the database and WAL are copied to a temporary folder and the copy is
  read, so neither file (nor the -shm) is written, locked or checkpointed;
- incremental by OpenCode's own update times: a session whose latest `time_updated` (of the
  session, its messages and parts) matches the last import is not read again.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..store.spec import MessageSpec
from .common import text_field, title_from, ts
from .contract import MACOS, ParsedSession, Problem, SnapshotSource, Unit, UnitError
from .incremental import file_key, walk_files
from .jsonl import open_regular
from .opencode_parts import convert
from .snapshot import file_unit
from .wholefile import read_whole, side_file

SOURCE = "opencode"


def data_home(system: str) -> Path:
    """OpenCode's data folder: `$XDG_DATA_HOME/opencode` (default `~/.local/share/opencode`, on
    macOS too: OpenCode follows XDG there)."""
    del system
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "opencode"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, (str, bytes)):
        parsed = json.loads(value)
        if isinstance(parsed, dict):
            return parsed
    raise ValueError("not a JSON object")


def _session(
    info: dict[str, Any], messages: list[MessageSpec], project: str | None, version: Any
) -> ParsedSession:
    time = _dict(info.get("time"))
    first = next((m["content"] for m in messages if m["role"] == "user"), None)
    prompt = "\n".join(b.get("text", "") for b in first) if isinstance(first, list) else ""
    title = text_field(info.get("title")) or title_from(prompt)
    models = [m.get("model") for m in messages if m.get("model")]
    fields = {
        "started_at": ts(info.get("time_created") or time.get("created")),
        "ended_at": ts(info.get("time_updated") or time.get("updated")),
        "cwd": text_field(info.get("directory")),
        "project": project or text_field(info.get("directory")),
        "parent_session_id": text_field(info.get("parent_id") or info.get("parentID")),
        "model": models[-1] if models else None,
    }
    return ParsedSession(str(info["id"]), messages, title, fields, version)


# -- the SQLite store ------------------------------------------------------------------------


# Text that is not UTF-8 (a record another program wrote byte by byte) is read with U+FFFD for
# its bad bytes: SQLite's default decoder raised, which stopped the rest of the database.
_TEXT = functools.partial(str, encoding="utf-8", errors="replace")


@contextlib.contextmanager
def open_readonly(path: Path, what: str = "OpenCode") -> Iterator[sqlite3.Connection]:
    """A connection that cannot change `path`, its WAL or its -shm (see the module docstring);
    its text is read with U+FFFD for bytes that are not UTF-8. An error names `what` database."""
    wal = Path(str(path) + "-wal")
    tmp: str | None = None
    try:
        os.close(open_regular(path))  # never a FIFO or a device (SQLite's open would block)
        if wal.exists() and wal.stat().st_size > 0:
            os.close(open_regular(wal))
            tmp = tempfile.mkdtemp(prefix="sessionscope-opencode-")
            copy = Path(tmp) / "copy.db"
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, Path(tmp) / "copy.db-wal")
            conn = sqlite3.connect(copy)
        else:
            uri = f"file:{quote(str(path))}?mode=ro&immutable=1"
            conn = sqlite3.connect(uri, uri=True)
        try:
            conn.row_factory = sqlite3.Row
            conn.text_factory = _TEXT
            yield conn
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        raise UnitError(f"could not read the {what} database ({exc!s:.100})") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _row(row: sqlite3.Row) -> dict[str, Any]:
    """A row as a dict, its `data` JSON merged in (columns win)."""
    out = dict(row)
    data = out.pop("data", None)
    if data is not None:
        out = {**_json(data), **out}
    return out


def _max_time(conn: sqlite3.Connection, table: str) -> str:
    cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    return "time_updated" if "time_updated" in cols else "0"


def read_database(
    path: Path, problems: list[Problem], versions: dict[str, Any]
) -> Iterator[ParsedSession]:
    """The database's changed sessions, parents first, one at a time (a database of any size
    holds one session's messages in memory at once)."""
    with open_readonly(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"session", "message", "part"} <= tables:
            raise UnitError("not an OpenCode database (no session, message and part tables)")
        projects: dict[str, str] = {}
        if "project" in tables:
            for row in conn.execute("SELECT id, worktree FROM project"):
                projects[row[0]] = row[1]
        m_time, p_time = _max_time(conn, "message"), _max_time(conn, "part")
        columns = {r[1] for r in conn.execute("PRAGMA table_info(session)")}
        parent = "parent_id" if "parent_id" in columns else "NULL"
        version = (
            f"max(coalesce(s.time_updated, 0),"
            f" coalesce((SELECT max({m_time}) FROM message m WHERE m.session_id = s.id), 0),"
            f" coalesce((SELECT max({p_time}) FROM part p WHERE p.session_id = s.id), 0))"
            if "time_updated" in columns
            else "NULL"
        )
        # ids and versions first (small), then each changed session's row and messages, found
        # by rowid: an id read with U+FFFD for bytes that are not UTF-8 would match nothing
        listed = conn.execute(
            f"SELECT s.rowid, s.id, {version} FROM session s"
            f" ORDER BY s.{parent} IS NOT NULL, s.rowid"
            if parent != "NULL"
            else f"SELECT s.rowid, s.id, {version} FROM session s ORDER BY s.rowid"
        ).fetchall()
        for index, (rowid, sid_value, stamp) in enumerate(listed, 1):
            sid = str(sid_value)
            if stamp is not None and versions.get(sid) == stamp:
                continue
            try:
                srow = conn.execute("SELECT * FROM session WHERE rowid = ?", (rowid,)).fetchone()
                if srow is None:
                    continue
                info = _row(srow)
                messages = _db_messages(conn, rowid, problems)
                project = projects.get(str(info.get("project_id") or info.get("projectID")))
                session = _session(info, messages, project, stamp)
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(Problem(index, f"session row {index}: {exc!s:.80}"))
                continue
            yield session


_OF_SESSION = "session_id = (SELECT id FROM session WHERE rowid = ?)"


def _db_messages(
    conn: sqlite3.Connection, rowid: int, problems: list[Problem]
) -> list[MessageSpec]:
    """The messages of the session at `rowid` (its id's own bytes matched in SQL)."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for prow in conn.execute(f"SELECT * FROM part WHERE {_OF_SESSION} ORDER BY id", (rowid,)):
        try:
            part = _row(prow)
        except (ValueError, RecursionError):
            problems.append(Problem(0, f"part {prow['id']}: its data is not a JSON object"))
            continue
        parts.setdefault(str(part.get("message_id")), []).append(part)
    messages: list[MessageSpec] = []
    for mrow in conn.execute(f"SELECT * FROM message WHERE {_OF_SESSION} ORDER BY id", (rowid,)):
        try:
            info = _row(mrow)
        except (ValueError, RecursionError):
            problems.append(Problem(0, f"message {mrow['id']}: its data is not a JSON object"))
            continue
        mid = str(info["id"])
        messages.extend(convert(info, parts.get(mid, []), mid, problems))
    return messages


# -- the legacy JSON layout ------------------------------------------------------------------


def _load(path: Path, problems: list[Problem], *, quiet: bool = False) -> dict[str, Any] | None:
    """A legacy JSON file (None when it is missing, or not a JSON object: said in `problems`
    unless `quiet`). One that is not a regular file, too large or unreadable is always said, as
    a file not read (`wholefile.side_file`)."""
    said = len(problems)
    data = side_file(path, problems)
    if data is None:
        if not quiet and len(problems) == said:  # gone since it was listed
            problems.append(Problem(0, f"{path.name}: not a readable JSON object"))
        return None
    try:
        return _json(data)
    except (ValueError, RecursionError):
        if not quiet:
            problems.append(Problem(0, f"{path.name}: not a readable JSON object"))
        return None


def read_storage_session(path: Path, problems: list[Problem]) -> list[ParsedSession]:
    """One legacy `storage/session/<project>/<id>.json` with its messages and parts."""
    storage = path.parents[2]
    try:
        info: dict[str, Any] | None = _json(read_whole(path))  # (an OSError costs the unit)
    except (ValueError, RecursionError):
        info = None
    if info is None or not isinstance(info.get("id"), str):
        raise UnitError("not an OpenCode session (no id)")
    sid = info["id"]
    project = None
    proj = _load(storage / "project" / f"{info.get('projectID')}.json", problems, quiet=True)
    if proj is not None:
        project = text_field(proj.get("worktree"))
    messages: list[MessageSpec] = []
    for mpath in sorted((storage / "message" / sid).glob("*.json")):
        minfo = _load(mpath, problems)
        if minfo is None or not isinstance(minfo.get("id"), str):
            continue
        parts = [
            p
            for p in (
                _load(ppath, problems)
                for ppath in sorted((storage / "part" / minfo["id"]).glob("*.json"))
            )
            if p is not None
        ]
        messages.extend(convert(minfo, parts, minfo["id"], problems))
    return [_session(info, messages, project, None)]


def _tree_stamp(storage: Path, sid: str) -> tuple[int, float]:
    """(bytes, latest mtime) of a legacy session's message and part files: its fingerprint."""
    size, mtime = 0, 0.0
    mdir = storage / "message" / sid
    for mpath in mdir.glob("*.json") if mdir.is_dir() else []:
        with contextlib.suppress(OSError):
            st = mpath.stat()
            size, mtime = size + st.st_size, max(mtime, st.st_mtime)
        pdir = storage / "part" / mpath.stem
        for ppath in pdir.glob("*.json") if pdir.is_dir() else []:
            with contextlib.suppress(OSError):
                st = ppath.stat()
                size, mtime = size + st.st_size, max(mtime, st.st_mtime)
    return size, mtime


class OpenCodeSource(SnapshotSource):
    """OpenCode sessions: the SQLite store, and the legacy JSON storage folders."""

    name = SOURCE
    title = "OpenCode"
    rules = 1  # 1: compaction, subtask, retry, patch and synthetic parts, and message errors

    def default_locations(self, system: str | None = None) -> list[Path]:
        return [data_home(system or MACOS)]

    def units(self, root: Path) -> list[Unit]:
        units: list[Unit] = []
        if root.is_file():
            dbs = [root] if root.suffix == ".db" else []
            sessions = [root] if root.suffix == ".json" else []
        else:
            dbs = sorted(p for p in root.glob("opencode*.db") if p.is_file())
            storage = root / "storage" if (root / "storage").is_dir() else root
            sdir = storage / "session"
            sessions = walk_files(sdir, lambda n: n.endswith(".json")) if sdir.is_dir() else []
        for db in dbs:
            unit = self._db_unit(db)
            if unit is not None:
                units.append(unit)
        for spath in sessions:
            unit = file_unit(spath)
            if unit is None or len(spath.parents) < 3:
                continue
            size, mtime = _tree_stamp(spath.parents[2], spath.stem)
            units.append(
                Unit(unit.key, unit.ref, unit.size + size, max(unit.mtime, mtime), "storage")
            )
        return units

    @staticmethod
    def _db_unit(path: Path) -> Unit | None:
        unit = file_unit(path, "db")
        if unit is None:
            return None
        unit.streamed = True
        wal = Path(str(path) + "-wal")
        with contextlib.suppress(OSError):
            st = wal.stat()
            unit.size += st.st_size
            unit.mtime = max(unit.mtime, st.st_mtime)
        unit.key = file_key(path)
        return unit

    def parse(
        self, unit: Unit, problems: list[Problem], versions: dict[str, Any]
    ) -> Iterable[ParsedSession]:
        path = unit.path
        if unit.data == "db":  # parents first, so a subagent's link points at a session
            return read_database(path, problems, versions)
        return read_storage_session(path, problems)
