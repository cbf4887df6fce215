"""`sessionscope sources`: every source, where it reads, whether that exists, what it holds."""

from __future__ import annotations

import os
from typing import Any

import click

from ..config import ConfigError, aider_roots, config_path
from ..importers import load_sources, plugin_errors
from ..jsonout import echo_json
from ..sanitize import inert
from .options import db_option, json_option, open_from_context, store_path


def source_rows(counts: dict[str, int]) -> list[dict[str, Any]]:
    """One row per registered source: name, title, locations, existence, sessions held."""
    rows = []
    for name, source in load_sources().items():
        try:
            defaults = source.default_locations()
            existing = source.existing_locations()
        except Exception:  # a plug-in's bug: listed without a location, its import says why
            defaults, existing = [], []
        shown = existing[0] if existing else defaults[0] if defaults else None
        rows.append(
            {
                "source": name,
                "title": source.title or name,
                "location": str(shown) if shown is not None else None,
                "locations": [str(p) for p in defaults],
                "exists": bool(existing),
                "scans_defaults": source.scans_defaults,
                "sessions": counts.get(name, 0),
            }
        )
    return rows


@click.command("sources")
@db_option
@json_option
def sources_cmd(as_json: bool) -> None:
    """List every source: its default location, whether it exists here, sessions stored."""
    names = list(load_sources())
    counts: dict[str, int] = {}
    if os.path.exists(store_path()):
        with open_from_context(readonly=True) as db:
            counts = {name: db.count_sessions(source=name) for name in names}
    rows = source_rows(counts)
    for problem in plugin_errors():
        click.echo(f"warning: {inert(problem, 300)}", err=True)
    try:
        aider_roots()
    except ConfigError as exc:
        click.echo(f"warning: {inert(str(exc), 400)}", err=True)
    if as_json:
        echo_json(rows)
        return
    width = max(len(r["source"]) for r in rows)
    for row in rows:
        if row["source"] == "aider" and row["location"] is None:
            where, mark = f"(only the PATHs you name, or [aider] roots in {config_path()})", " "
        elif not row["scans_defaults"] and row["location"] is None:
            where, mark = "(only the PATHs you name)", " "
        else:
            where = row["location"] or "(no default location)"
            mark = "✓" if row["exists"] else "·"
        click.echo(
            f"{inert(row['source'], 40):<{width}}  {mark}  {row['sessions']:>6,}  "
            f"{inert(where, 200)}"
        )
