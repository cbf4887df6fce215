"""`sessionscope doctor`: is the store healthy? Schema, integrity, index, counts and sizes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ..jsonout import echo_json
from ..sanitize import clean_line
from ..store import SCHEMA_VERSION, StoreError
from ..store import open as open_store
from .options import db_option, json_option, store_path


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


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
    except StoreError as exc:
        report["problems"].append(str(exc))
    report["ok"] = not report["problems"]
    return report


@click.command("doctor")
@db_option
@json_option
@click.option(
    "--full",
    is_flag=True,
    help="Also run the slow checks: integrity_check and a rebuild-and-compare of the index.",
)
def doctor_cmd(as_json: bool, full: bool) -> None:
    """Check the store: schema version, integrity, search index, counts, file and WAL size."""
    report = diagnose(store_path(), full=full)
    if as_json:
        echo_json([report])
    elif not report["exists"]:
        click.echo(
            f"sessionscope: error: no store at {clean_line(str(report['path']))} "
            "(check --db or $SESSIONSCOPE_DB; `sessionscope import all` creates one).",
            err=True,
        )
    else:
        mark = "ok" if report["ok"] else "PROBLEMS"
        click.echo(f"store       {report['path']}")
        click.echo(
            f"size        {report['file_bytes'] / 1e6:.1f} MB (+ {report['wal_bytes'] / 1e6:.1f} MB WAL)"
        )
        click.echo(f"schema      {report['schema_version']} (this sessionscope: {SCHEMA_VERSION})")
        if report["sessions"] is not None:
            click.echo(f"contents    {report['sessions']} sessions, {report['messages']} messages")
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
        click.echo(f"checks      {'full' if full else 'quick'}: {mark}")
        for problem in report["problems"]:
            click.echo(f"  - {problem}")
    if not report["ok"]:
        raise SystemExit(1)
