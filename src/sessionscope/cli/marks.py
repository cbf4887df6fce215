"""`sessionscope tag`, `tags`, `pin`, `note`: what a person adds to a session, from scripts.

The same store calls as `#`, `b` and `N` in the browser (`Store.tag`, `untag`, `pin`,
`set_note`); a session is named by its id or a unique prefix of it.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..display import NOTE_MARK, PIN_MARK, note_line, tag_list
from ..jsonout import echo_json
from ..sanitize import inert
from ..store.errors import InvalidInput
from ..store.marks import NOTE_CHARS
from .options import db_option, json_option, open_from_context

STDIN_CHARS = 1 << 20  # what `note ID -` reads at most (the note itself holds NOTE_CHARS)


def _shown(db: Any, session_id: str) -> str:
    """The id as `sessions` prints it: as much of it as names that session alone."""
    return inert(db.short_ids([session_id])[session_id])


@click.command("tag")
@db_option
@click.argument("session")
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Remove these tags instead of adding them.")
@json_option
def tag_cmd(session: str, tags: tuple[str, ...], remove: bool, as_json: bool) -> None:
    """Add tags to a session (or remove them with --remove); prints its tags.

    Tags are words of letters, digits and - _ . + / (case-folded, a leading # dropped); find
    the sessions with `sessions --filter tag:NAME` or `search 'tag:NAME words'`.
    """
    with open_from_context(must_exist=True) as db:
        session_id = db.resolve_session(session)
        now = db.untag(session_id, *tags) if remove else db.tag(session_id, *tags)
        shown = _shown(db, session_id)
    if as_json:
        echo_json({"session_id": session_id, "tags": now})
        return
    click.echo(f"{shown}  {tag_list(now) or '(no tags)'}")


@click.command("tags")
@db_option
@click.argument("session", required=False)
@json_option
def tags_cmd(session: str | None, as_json: bool) -> None:
    """Every tag in use with its number of sessions, or one SESSION's tags, pin and note."""
    with open_from_context(must_exist=not as_json) as db:
        if session is None:
            counts = db.all_tags()
            info = None
        else:
            info = db.session(db.resolve_session(session))
            if info is None:  # deleted between resolve and read
                raise click.ClickException(f"no session has id {inert(session, 80)!r}.")
            shown = _shown(db, info.id)
    if info is not None:
        if as_json:
            echo_json(
                {"session_id": info.id, "tags": info.tags, "pinned": info.pinned, "note": info.note}
            )
            return
        pin = f"{PIN_MARK} pinned  " if info.pinned else ""
        click.echo(f"{shown}  {pin}{tag_list(info.tags) or '(no tags)'}")
        if info.note:
            click.echo(f"{NOTE_MARK} {note_line(info.note, 2000)}")
        return
    if as_json:
        echo_json([{"tag": tag, "sessions": n} for tag, n in counts])
        return
    if not counts:
        click.echo("No tags yet. Add some with `sessionscope tag SESSION TAG...`.", err=True)
        return
    for tag, n in counts:
        click.echo(f"{n:>6}  {tag_list([tag])}")


@click.command("pin")
@db_option
@click.argument("session")
@click.option("--off", is_flag=True, help="Unpin the session.")
def pin_cmd(session: str, off: bool) -> None:
    """Pin a session (the browser lists pinned sessions first; filter them with is:pinned)."""
    with open_from_context(must_exist=True) as db:
        session_id = db.resolve_session(session)
        was = db.pin(session_id, not off)
        shown = _shown(db, session_id)
    state = "unpinned" if off else "pinned"
    already = " (it already was)" if was == (not off) else ""
    click.echo(f"{shown} {state}{already}.")


@click.command("note")
@db_option
@click.argument("session")
@click.argument("text", required=False)
@click.option("--clear", is_flag=True, help="Remove the session's note.")
def note_cmd(session: str, text: str | None, clear: bool) -> None:
    """Attach a note to a session (TEXT, or - to read it from stdin), print it (no TEXT), or
    remove it (--clear). Notes are redacted like everything else when the store redacts."""
    if clear and text is not None:
        raise click.UsageError("give TEXT or --clear, not both.")
    if text == "-":  # at most STDIN_CHARS: /dev/zero or a 1 GB log is refused, not read whole
        text = sys.stdin.read(STDIN_CHARS + 1)
        if len(text) > STDIN_CHARS:
            raise InvalidInput(
                f"a note has at most {NOTE_CHARS:,} characters (over {STDIN_CHARS:,} given on"
                " stdin)."
            )
    with open_from_context(must_exist=True) as db:
        session_id = db.resolve_session(session)
        shown = _shown(db, session_id)
        if text is None and not clear:
            info = db.session(session_id)
            note = info.note if info is not None else None
            if note is None:
                click.echo(f"{shown} has no note.", err=True)
            else:
                click.echo("\n".join(inert(line, None) for line in note.splitlines()))
            return
        stored = db.set_note(session_id, None if clear else text)
    if stored is None:
        click.echo(f"{shown}: note removed.")
    else:
        click.echo(f"{shown}: note saved.")
