"""`b`, `#` and `N` on the main screen: pin a session, edit its tags, attach a note.

The session is the one the reader is on: the open one when the transcript has focus, the hit
under the cursor in the search, else the one under the list cursor. Reads and writes run in
thread workers; the list (pinned sessions first) and the transcript's header show the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.message import Message

from ...display import note_line, tag_list
from ...sanitize import inert
from ...store import SessionInfo, StoreError
from ...store.marks import NOTE_CHARS, clean_note
from ..format import tag_edit
from ..widgets.session_list import SessionList
from ..widgets.transcript import Transcript
from .acting import SessionActions

if TYPE_CHECKING:
    from ...store import Store


@dataclass
class MarkEdit(Message):
    """A session's row, read to prefill the editor of its tags (`tags`) or note (`note`)."""

    kind: str
    info: SessionInfo


@dataclass
class MarksSaved(Message):
    """A session's tags, pin or note changed; `said` tells the person what happened."""

    session_id: str
    said: str


class MarkActions(SessionActions):
    """The main screen's base (over the copy, open and export actions): the actions behind `b`, `#` and `N` (and their palette entries)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "number_sign",
            "tags",
            "Tags",
            show=False,
            tooltip="edit the session's tags (space separated; -tag removes)",
        ),
    ]

    def _start(self, kind: str) -> None:
        session_id = self._chosen_session()  # the one the reader is on
        if session_id is None or self.db is None:
            self.notify("Pick a session first.", timeout=2)
            return
        if self.db.readonly:
            self.notify("This store is read-only.", severity="warning", timeout=3)
            return
        self._mark(self.db, kind, session_id)

    def action_pin(self) -> None:
        self._start("pin")

    def action_tags(self) -> None:
        self._start("tags")

    def action_note(self) -> None:
        self._start("note")

    @work(thread=True, group="marks", exclusive=True, exit_on_error=False)
    def _mark(self, db: Store, kind: str, session_id: str) -> None:
        """(In a worker.) Toggle the pin, or read the session to prefill an editor."""
        try:
            info = db.session(session_id)
            if info is None:
                raise StoreError("that session no longer exists.")
            if kind == "pin":
                db.pin(session_id, not info.pinned)
                said = "Unpinned." if info.pinned else "Pinned: listed first."
                self.post_message(MarksSaved(session_id, said))
            else:
                self.post_message(MarkEdit(kind, info))
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)

    def on_mark_edit(self, message: MarkEdit) -> None:
        message.stop()
        from .mark_editor import MarkEditor  # (the screens' extras load on first use)

        info = message.info
        name = inert(info.title, 60) or inert(info.id)[:8]
        if message.kind == "tags":
            current = info.tags
            editor = MarkEditor(
                f"Tags · {name}",
                " ".join(current),
                "Space or comma between tags; delete one or type -tag to remove it. "
                "Find them with f or / and tag:NAME.",
                max_length=2000,
                check=lambda text: tag_edit(text, current),
            )
            self.app.push_screen(editor, lambda text: self._save_tags(info.id, current, text))
        else:
            editor = MarkEditor(
                f"Note · {name}",
                " ".join((info.note or "").split("\n")),
                "A note for yourself (shown in the list and the transcript); empty removes it.",
                max_length=NOTE_CHARS,
                check=clean_note,
            )
            self.app.push_screen(editor, lambda text: self._save_note(info.id, text))

    def _save_tags(self, session_id: str, current: tuple[str, ...], text: str | None) -> None:
        if text is None or self.db is None:
            return
        add, remove = tag_edit(text, current)  # checked by the editor already
        if add or remove:
            self._write(self.db, session_id, "tags", add, remove, None)

    def _save_note(self, session_id: str, text: str | None) -> None:
        if text is None or self.db is None:
            return
        self._write(self.db, session_id, "note", [], [], text)

    @work(thread=True, group="marks-write", exit_on_error=False)
    def _write(
        self,
        db: Store,
        session_id: str,
        kind: str,
        add: list[str],
        remove: list[str],
        note: str | None,
    ) -> None:
        """(In a worker.) Save tags (in one transaction) or a note."""
        try:
            if kind == "tags":
                with db.transaction():
                    if remove:
                        db.untag(session_id, *remove)
                    tags = db.tag(session_id, *add) if add else db.tags(session_id)
                said = f"Tags: {tag_list(tags)}" if tags else "No tags."
            else:
                stored = db.set_note(session_id, note)
                said = f"Note: {note_line(stored, 80)}" if stored else "Note removed."
        except StoreError as exc:
            self.app.call_from_thread(
                self.notify, f"Not saved: {exc}", severity="error", markup=False
            )
            return
        self.post_message(MarksSaved(session_id, said))

    def on_marks_saved(self, message: MarksSaved) -> None:
        """Show the change: the list (re-sorted, same session under the cursor), the open
        transcript's header, the hits' session marks."""
        message.stop()
        self.notify(message.said, timeout=3, markup=False)
        self.query_one(SessionList).reload(keep_place=True)
        transcript = self.query_one(Transcript)
        if transcript.session_id == message.session_id:
            transcript.follow()
