"""The main screen's actions on a session beyond resuming it: `c` copies its id, `o` opens a
file it names in the person's editor, `x` exports it where the person says."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import work

from ...export import to_json, to_markdown
from ...private import write_private
from ...sanitize import inert
from ...store import StoreError
from ..copying import copy_text
from ..messages import OpenFile
from ..widgets.session_list import SessionList
from ..widgets.transcript import Transcript
from .export_dialog import ExportDialog, default_export_dir, export_format
from .resuming import ResumeActions

if TYPE_CHECKING:
    from ...store import Store
    from ..widgets.search_pane import HitList


class SessionActions(ResumeActions):
    """`c`, `o` (the screen's half: running the editor) and `x`."""

    def _chosen_session(self) -> str | None:
        """The hit under the cursor when the hits have focus, else as for `R`."""
        for found in self.query("#hits"):  # none before the search pane is first mounted
            hits = cast("HitList", found)
            if (
                hits.has_focus
                and hits.parent is not None
                and hits.parent.display
                and 0 <= hits.cursor < len(hits.hits)
            ):
                return str(hits.hits[hits.cursor].session_id)
        return super()._chosen_session()

    def _title_of(self, session_id: str) -> str | None:
        """The title on screen for `session_id`: the open transcript's, a hit's or a row's."""
        info = self.query_one(Transcript).info
        if info is not None and info.id == session_id:
            return info.title
        for found in self.query("#hits"):
            hits = cast("HitList", found)
            if (
                0 <= hits.cursor < len(hits.hits)
                and hits.hits[hits.cursor].session_id == session_id
            ):
                return hits.hits[hits.cursor].session_title
        sessions = self.query_one(SessionList)
        row = sessions.row(sessions.cursor)
        return row.title if row is not None and row.id == session_id else None

    # -- c -------------------------------------------------------------------------------------

    def action_copy_id(self) -> None:
        session_id = self._chosen_session()
        if session_id is None:
            self.notify("Pick a session first.", timeout=2)
            return
        copy_text(self, session_id, "the session id")

    # -- o -------------------------------------------------------------------------------------

    def on_open_file(self, message: OpenFile) -> None:
        message.stop()
        from ...editor import EditorError, plan_edit  # (the screens' extras load on first use)

        try:
            edit = plan_edit(message.refs, message.cwd)
        except EditorError as exc:
            text = str(exc)
            self.notify(f"Cannot open: {text}", severity="warning", timeout=6, markup=False)
            return
        shell = f"cd {shlex.quote(edit.cwd)} && {shlex.join(edit.argv)}"
        code = self.run_suspended(edit.argv, edit.cwd, "the editor", shell)
        if code:
            self.notify(f"The editor exited with status {code}.", timeout=4)

    # -- x -------------------------------------------------------------------------------------

    def action_export(self) -> None:
        session_id = self._chosen_session()  # as for `c`, `b`, `#`: the one under the cursor
        if session_id is None:
            self.notify("Pick a session first.", timeout=2)
            return
        title = self._title_of(session_id) or session_id

        def chosen(target: Path | None) -> None:
            if target is not None and self.db is not None:
                self._export(self.db, session_id, target)

        self.app.push_screen(ExportDialog(default_export_dir(), session_id, title), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, db: Store, session_id: str, target: Path) -> None:
        shown = inert(str(target), 400)
        kind = export_format(target)
        redacted = ""
        try:
            session = db.load(session_id)
            if session is None:
                raise StoreError("that session no longer exists")
            if kind == "HTML":
                from ...export_html import to_html

                text, found = to_html(session, redact=True)
                count = sum(r.count for r in found)
                redacted = (
                    f", {count} secret{'s' if count != 1 else ''} redacted"
                    if count
                    else ", no secret found to redact"
                )
            elif kind == "JSON":
                text = to_json(session) + "\n"
            else:
                text = to_markdown(session)
            write_private(target, text)
        except (StoreError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.app.call_from_thread(
                self.notify,
                f"Nothing exported to {shown}: {reason}.",
                severity="error",
                timeout=8,
                markup=False,
            )
            return
        self.app.call_from_thread(
            self.notify,
            f"Exported to {shown} ({kind}, readable by you only{redacted}).",
            timeout=8,
            markup=False,
        )
