"""Escape then a key, typed quickly, read as the two keys they are.

A terminal sends Alt+key as Escape followed by the key, so Textual waits `ESCDELAY` (100 ms)
after an Escape to tell the two apart: Escape then `q` typed within it arrives as `alt+q`, and a
search box took it as a typed `q`. The browser binds no Alt key, so such a key is split back
into Escape and the key (`App.on_event`): the key, and any typed after it, wait
`ESCAPE_SETTLES` for what the Escape set off (a search closing, the focus moving on).
"""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key

ESCAPE_SETTLES = 0.05  # seconds; a person's Escape-then-key is slower than ESCDELAY anyway
_ALT = "alt+"
_SHIFT = "shift+"


def after_escape(event: events.Key) -> events.Key | None:
    """The key typed right after an Escape when `event` is Alt with a printable key (None for
    any other key)."""
    key = event.key
    character = event.character
    if not key.startswith(_ALT) or character is None or len(character) != 1:
        return None
    rest = key[len(_ALT) :]
    if rest.startswith(_SHIFT):
        rest = rest[len(_SHIFT) :]
    if len(rest) != 1 or not character.isprintable() or rest != character.lower():
        return None
    return events.Key(_character_to_key(character), character)
