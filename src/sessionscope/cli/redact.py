"""`sessionscope redact`: turn redaction on for a store and rewrite what it already holds."""

from __future__ import annotations

import click

from .options import db_option, open_from_context


@click.command("redact")
@db_option
def redact_cmd() -> None:
    """Redact secrets in everything stored, and in everything written from now on.

    Replaces API keys, tokens, private keys and passwords with [REDACTED:<kind>] in every
    session (its id too), message, note, tag, signal, project, config and experiment, rebuilds
    the search index, and wipes and compacts the file so the old text cannot be read back.
    Redaction stays on for this store from then on, whoever writes it.
    """
    with open_from_context(must_exist=True, mmap_mb=0) as db:
        report = db.redact_existing()
    click.echo(report.summary())
