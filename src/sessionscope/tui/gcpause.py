"""Fewer and shorter garbage-collection pauses while the browser runs (issue 12 item 9).

Each frame allocates thousands of short-lived objects (strips, segments, styles, geometry): at
Python's default young threshold (700) a young collection ran every few hundred microseconds
of work, 10-30% of a key's response. `start` raises it while the browser runs. A full
collection walks every object the process holds (~85,000 once the store is open: 30-40 ms, in
the middle of whatever key it lands on): `freeze`, once the first page is drawn, moves what
start-up built (which lives as long as the browser) out of the collector's way. `stop` undoes
both; the process is the browser's, but tests run many browsers in one.

Before that, `pause` (called by the command line before it imports anything) turns collection
off until the first frame is drawn (`resume`): start-up allocates hundreds of thousands of
objects that all live on, and the eleven young collections it otherwise ran cost 15-20 ms of a
~250 ms first frame (issue 17 item 3). What start-up leaves as garbage (little) is collected
once collection is on again.
"""

from __future__ import annotations

import gc

from ..gcthreshold import YOUNG_THRESHOLD as YOUNG_THRESHOLD
from ..gcthreshold import raise_young

_saved: tuple[int, int, int] | None = None
_frozen = False
_paused = False


def start() -> None:
    """Raise the young threshold (when it is lower), remembering the one to restore."""
    global _saved
    if _saved is None:
        _saved = raise_young()


def freeze() -> None:
    """Keep the objects alive now out of later collections (once, until `stop`)."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def pause() -> None:
    """No collection until `resume` (unless it is off already: then `resume` leaves it off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume(*, freeze_first: bool = False) -> None:
    """Collection on again, if `pause` turned it off; with `freeze_first` (the app, once its
    first frame is drawn) what start-up built is frozen before (`freeze`), so that the first
    collection does not walk all of it (every object allocated while paused is young)."""
    global _paused
    if _paused:
        _paused = False
        if freeze_first:
            freeze()
        gc.enable()


def stop() -> None:
    """The threshold as it was, the frozen objects collectable again (and collection on)."""
    global _saved, _frozen
    resume()
    if _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None
    if _frozen:
        _frozen = False
        gc.unfreeze()
