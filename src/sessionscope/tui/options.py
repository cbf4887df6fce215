"""What the browser is started with: one frozen `BrowserOptions`, built by `create_app`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .opening import Opening

POLL_INTERVAL = 0.5
DEMO_SESSIONS = 300


@dataclass(frozen=True, slots=True)
class BrowserOptions:
    """The store to browse and how: every knob of the browser, in one place.

    `clock` returns "now" (ages such as `3d` are computed from it; None: the real time), `tz`
    is the time zone for message times (None: local), `poll_interval` the seconds between
    change checks, `session`/`seq`/`query` what to open at start, `demo_sessions` the size of
    the demo store the empty screen offers to build, `config_path` the settings file that
    keeps the chosen theme across runs (None: nothing is kept), `import_notes` what the import
    run just before found (its summary, then its warnings: shown as a toast), `opening` the
    store at `db_path` already opened (or being opened) by the command line, with the list's
    first page (None: the browser opens the store itself).
    """

    db_path: str | None = None
    clock: Callable[[], datetime] | None = None
    tz: tzinfo | None = None
    poll_interval: float = POLL_INTERVAL
    readonly: bool = False
    session: str | None = None
    seq: int | None = None
    query: str | None = None
    demo_sessions: int = DEMO_SESSIONS
    config_path: str | None = None
    import_notes: tuple[str, ...] = ()
    opening: Opening | None = None

    def now(self) -> datetime:
        """The clock's time, or the real time in UTC."""
        return self.clock() if self.clock else datetime.now(UTC)
