"""`R` / `F` on the main screen: resume or fork the selected session in its agent.

The browser suspends itself while the agent runs (Textual's `App.suspend`) and comes back to the
same place; the live follow then shows what the agent added.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import SuspendNotSupported
from textual.message import Message
from textual.screen import Screen

from ...store import StoreError
from ..widgets.session_list import SessionList
from ..widgets.transcript import Transcript

if TYPE_CHECKING:
    from ...resume import ResumePlan
    from ...store import Store


@dataclass
class ResumeReady(Message):
    """The agent's command for the chosen session, checked and ready to run."""

    plan: ResumePlan


class ResumeActions(Screen[None]):
    """The main screen's base: the actions behind `R` and `F`."""

    @property
    def db(self) -> Store | None:
        raise NotImplementedError

    def _chosen_session(self) -> str | None:
        """The open session when the transcript has focus, else the one under the list cursor."""
        transcript = self.query_one(Transcript)
        sessions = self.query_one(SessionList)
        if transcript.has_focus and transcript.session_id:
            return str(transcript.session_id)
        row = sessions.row(sessions.cursor)
        if row is not None:
            return str(row.id)
        return str(transcript.session_id) if transcript.session_id else None

    def action_resume(self) -> None:
        self._prepare(fork=False)

    def action_fork(self) -> None:
        self._prepare(fork=True)

    def _prepare(self, fork: bool) -> None:
        session_id = self._chosen_session()
        if session_id is None or self.db is None:
            self.notify("Pick a session first.", timeout=2)
            return
        self._plan(self.db, session_id, fork)

    @work(thread=True, group="resume", exclusive=True, exit_on_error=False)
    def _plan(self, db: Store, session_id: str, fork: bool) -> None:
        from ...resume import ResumeError, plan  # (the screens' extras load on first use)

        try:
            info = db.session(session_id)
            if info is None:
                raise ResumeError("that session no longer exists.")
            ready = plan(info.id, info.source, info.cwd, fork=fork)
        except (ResumeError, StoreError) as exc:
            self.app.call_from_thread(
                self.notify,
                f"Cannot {'fork' if fork else 'resume'}: {exc}",
                severity="warning",
                markup=False,
            )
            return
        self.post_message(ResumeReady(ready))

    def on_resume_ready(self, message: ResumeReady) -> None:
        command = message.plan
        code = self.run_suspended(command.argv, command.cwd, "the agent", command.shell())
        if code:
            self.notify(f"The agent exited with status {code}.", timeout=4)

    def run_suspended(self, argv: list[str], cwd: str, who: str, shell: str) -> int | None:
        """Hand the terminal to `argv` (run in `cwd`) and come back: its exit status, or None
        when it did not run (said in a toast: `who` names it, `shell` is what to run instead)."""
        try:
            with self.app.suspend():
                return subprocess.call(argv, cwd=cwd)
        except SuspendNotSupported:
            self.notify(
                f"This terminal cannot hand over to {who}; run: {shell}",
                timeout=10,
                markup=False,
            )
        except OSError as exc:
            self.notify(
                f"{who[:1].upper()}{who[1:]} did not start: {exc}", severity="error", markup=False
            )
        return None
