"""Typed exceptions raised by the store. Every message is one clear sentence."""

from __future__ import annotations


class StoreError(Exception):
    """Base class for every error the store raises on purpose."""


class SchemaTooNew(StoreError):
    """The database was written by a newer sessionscope; it is left untouched."""


class StoreCorrupt(StoreError):
    """The file is not a sessionscope database, or it is damaged."""


class NotAStore(StoreCorrupt):
    """The file is an SQLite database of another application; it is left untouched."""


class UnsafePath(StoreError):
    """The store path is a symlink to nothing, a file another user owns, or not a regular file
    (a FIFO, a device, a socket, or a symlink to one); it is not used."""


class StoreReadOnly(StoreError):
    """A write was attempted on a store opened read-only."""


class StoreBusy(StoreError):
    """Other writers held the database for longer than the retry deadline."""


class Interrupted(StoreError):
    """A read was cancelled because a newer one superseded it (its result would be stale)."""


class InvalidInput(StoreError, ValueError):
    """A caller passed content, a role, a value or an option the store cannot accept."""


class SessionNotFound(StoreError, KeyError):
    """No session has the given id."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want a sentence.
        return str(self.args[0]) if self.args else "session not found"


class NotFound(StoreError, KeyError):
    """A project, config or experiment with the given id does not exist."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"
