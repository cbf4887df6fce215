"""Command palette: "jump to session" by title (the main screen's other commands are in
`screens/main_commands.py`). The store and the clock come from the screen the palette was
opened on, seen through `SessionSource`."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol, runtime_checkable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from ..store import Store, StoreError
from .format import age
from .messages import OpenSession, SessionRow

PALETTE_SESSIONS = 5000


@runtime_checkable
class SessionSource(Protocol):
    """A screen that browses a store: the main screen."""

    @property
    def db(self) -> Store | None: ...

    def now(self) -> datetime: ...


class SessionCommands(Provider):
    """`Open session: <title>` for the most recent sessions (titles loaded once per opening)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: list[SessionRow] = []

    async def startup(self) -> None:
        screen = self.screen
        db = screen.db if isinstance(screen, SessionSource) else None
        if db is None:
            return

        def load() -> list[SessionRow]:
            try:
                return [SessionRow.from_info(i) for i in db.sessions(limit=PALETTE_SESSIONS)]
            except StoreError:
                return []

        worker = self.app.run_worker(load, thread=True, group="palette", exit_on_error=False)
        await worker.wait()
        self._rows = worker.result or []

    def _now(self) -> datetime:
        screen = self.screen
        return screen.now() if isinstance(screen, SessionSource) else datetime.now(UTC)

    def _help(self, row: SessionRow) -> str:
        parts = [p for p in (row.project, row.source, age(row.updated_at, self._now())) if p]
        if row.parent_id:
            parts.insert(0, "subagent")
        return escape(" · ".join(parts))

    def _open(self, row: SessionRow) -> None:
        self.screen.post_message(OpenSession(row.id))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        fuzzy = matcher.fuzzy_search
        for row in self._rows:
            candidate = f"Open session: {row.title}"
            score = matcher.match(candidate)
            if row.id.startswith(query.strip()) and len(query.strip()) >= 4:
                score = max(score, 1.0)
            if score <= 0:
                continue
            display = Text(candidate)
            _score, offsets = fuzzy.match(query, candidate)
            for offset in offsets:
                if not candidate[offset].isspace():
                    display.stylize("reverse", offset, offset + 1)
            yield Hit(
                score, display, partial(self._open, row), text=candidate, help=self._help(row)
            )

    async def discover(self) -> Hits:
        for row in self._rows[:20]:
            candidate = f"Open session: {row.title}"
            yield DiscoveryHit(
                Text(candidate), partial(self._open, row), text=candidate, help=self._help(row)
            )
