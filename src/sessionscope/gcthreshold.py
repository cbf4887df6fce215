"""The garbage collector's young threshold while sessionscope makes many short-lived objects:
an import's records (short-lived, acyclic dicts) and the browser's frames (strips, segments,
styles). At Python's default (700) a young collection ran every few hundred microseconds of
such work: ~3% of an import, 10-30% of a key's response. One threshold and one way to raise it,
for the importers (`fewer_collections`) and the browser (`tui.gcpause`).
"""

from __future__ import annotations

import contextlib
import gc

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: typing stays off the start-up path
if TYPE_CHECKING:
    from collections.abc import Iterator

YOUNG_THRESHOLD = 10_000


def raise_young() -> tuple[int, int, int] | None:
    """Raise the young threshold to YOUNG_THRESHOLD when it is lower: the threshold found (to
    put back), or None when it was left as it was."""
    found = gc.get_threshold()
    if found[0] >= YOUNG_THRESHOLD:
        return None
    gc.set_threshold(YOUNG_THRESHOLD, *found[1:])
    return found


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The young threshold raised (`raise_young`) for the block, then the one found put back,
    unless someone else changed it meanwhile (the browser's `gcpause`)."""
    found = raise_young()
    try:
        yield
    finally:
        if found is not None and gc.get_threshold() == (YOUNG_THRESHOLD, *found[1:]):
            gc.set_threshold(*found)
