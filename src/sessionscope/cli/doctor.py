"""`sessionscope doctor`: is the store healthy? Schema, integrity, index, counts and sizes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ..display import plural
from ..jsonout import echo_json
from ..sanitize import clean_line
from ..store import SCHEMA_VERSION, StoreError
from ..store import open as open_store
from .errors import fail
from .options import db_option, json_option, store_path


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def import_types(db: Any) -> dict[str, Any]:
    """Record types the imports skipped (noise / unknown, over every file) and the files flagged
    as possible format drift, from the import states."""
    noise: dict[str, int] = {}
    unknown: dict[str, int] = {}
    drift: list[dict[str, Any]] = []
    marked = db.sessions_with_import_issues()  # by source file (as imported)
    marked = {os.path.abspath(ref): ids for ref, ids in marked.items() if ref}
    for key, state in db.import_states().items():
        types = state.state.get("_types") if isinstance(state.state, dict) else None
        if not isinstance(types, dict):
            continue
        for into, name in ((noise, "noise"), (unknown, "unknown")):
            for kind, n in (types.get(name) or {}).items():
                into[kind] = into.get(kind, 0) + int(n)
        if types.get("drift"):
            drift.append(
                {
                    "path": key,
                    "drift": types["drift"],
                    "unknown": types.get("unknown"),
                    "sessions": marked.get(key, []),
                }
            )
    return {"noise": noise, "unknown": unknown, "drift": drift}


def diagnose(path: str, *, full: bool) -> dict[str, Any]:
    """Everything `doctor` reports, as a dict; `ok` is False when something is wrong."""
    target = Path(path)
    report: dict[str, Any] = {
        "path": str(target),
        "exists": target.exists(),
        "file_bytes": _size(target),
        "wal_bytes": _size(Path(f"{target}-wal")),
        "owner_only": None,
        "schema_version": None,
        "expected_schema_version": SCHEMA_VERSION,
        "readonly": None,
        "redacted": None,
        "sessions": None,
        "messages": None,
        "problems": [],
    }
    if not target.exists():
        report["problems"].append("no store at this path")
        report["ok"] = False
        return report
    mode = target.stat().st_mode & 0o777
    report["owner_only"] = mode & 0o077 == 0
    if not report["owner_only"]:
        report["problems"].append(f"the store is readable by others (mode {mode:o}); chmod 600 it")
    try:
        with open_store(path) as db:
            report["readonly"] = not os.access(target, os.W_OK)
            health = db.health(full=full)  # every check sees one moment, whoever writes
            report["redacted"] = db.redact
            report["schema_version"] = health.schema_version
            report["sessions"], report["messages"] = health.sessions, health.messages
            report["problems"].extend(health.problems)
            report["imports"] = import_types(db)
    except StoreError as exc:
        report["problems"].append(str(exc))
    report["ok"] = not report["problems"]
    return report


def _echo_imports(imports: dict[str, Any] | None) -> None:
    if not imports:
        return
    noise, unknown = sum(imports["noise"].values()), sum(imports["unknown"].values())
    line = f"imports     skipped {noise:,} noise records, {unknown:,} of unknown types"
    if unknown:
        top = sorted(imports["unknown"].items(), key=lambda kv: -kv[1])[:5]
        line += " (" + ", ".join(f"{clean_line(k)} {n:,}" for k, n in top) + ")"
    click.echo(line)
    for item in imports["drift"]:
        reasons = "; ".join(clean_line(str(r)) for r in item["drift"])
        click.echo(f"  possible format drift: {clean_line(item['path'])}: {reasons}")
        for sid in item.get("sessions", [])[:5]:
            click.echo(f"    session {clean_line(sid)}")


@click.command("doctor")
@db_option
@json_option
@click.option(
    "--full",
    is_flag=True,
    help="Also run the slow checks: integrity_check and a rebuild-and-compare of the index.",
)
def doctor_cmd(as_json: bool, full: bool) -> None:
    """Check the store: schema, integrity, search index, counts, file and WAL size.

    The schema check looks for every table, column, index, trigger and view this version's
    migrations create; what the store has beyond them is left alone."""
    report = diagnose(store_path(), full=full)
    if as_json:
        echo_json([report])
    elif not report["exists"]:
        fail(
            f"no store at {clean_line(str(report['path']))} "
            "(check --db or $SESSIONSCOPE_DB; `sessionscope import all` creates one)."
        )
    else:
        mark = "ok" if report["ok"] else "PROBLEMS"
        click.echo(f"store       {report['path']}")
        click.echo(
            f"size        {report['file_bytes'] / 1e6:.1f} MB (+ {report['wal_bytes'] / 1e6:.1f} MB WAL)"
        )
        click.echo(f"schema      {report['schema_version']} (this sessionscope: {SCHEMA_VERSION})")
        if report["sessions"] is not None:
            counts = plural(report["sessions"], "session"), plural(report["messages"], "message")
            click.echo(f"contents    {counts[0]}, {counts[1]}")
        click.echo(f"privacy     {'owner only' if report['owner_only'] else 'readable by others'}")
        if report["redacted"] is not None:
            click.echo(
                "redaction   "
                + (
                    "on: secrets are replaced before anything is stored"
                    if report["redacted"]
                    else "off (`sessionscope redact` turns it on)"
                )
            )
        _echo_imports(report.get("imports"))
        click.echo(f"checks      {'full' if full else 'quick'}: {mark}")
        for problem in report["problems"]:
            click.echo(f"  - {problem}")
    if not report["ok"]:
        raise SystemExit(1)
