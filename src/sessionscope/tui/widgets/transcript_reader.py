"""The transcript's cursor, folds and keys: moving item by item, unfolding, n/N, subagents."""

from __future__ import annotations

from textual import events

from ...export import message_markdown
from ...pieces import FileRef, code_blocks, input_refs, text_refs, tool_command
from ...store import SessionInfo
from ...store.models import Message, tool_result_text
from ..copying import copy_text
from ..messages import OpenFile, OpenSession
from ..render import Item, Rendered, message_has_term
from .transcript_viewport import TranscriptViewport


class TranscriptReader(TranscriptViewport):
    """The cursor (an item: a message header, a tool call, a reasoning block…) and the
    actions on it."""

    # -- moving --------------------------------------------------------------------------------

    def _place_cursor_at_top(self) -> None:
        seq = self._anchor[0]
        for s in range(seq, min(self.total, seq + 50)):
            rendered = self.render_message(s)
            if rendered is None:
                return
            if rendered.items:
                self.cursor = (s, 0)
                return

    def item_at_cursor(self) -> tuple[int, Item, Rendered] | None:
        if self.cursor is None:
            return None
        seq, index = self.cursor
        rendered = self.render_message(seq)
        if rendered is None or index >= len(rendered.items):
            return None
        return seq, rendered.items[index], rendered

    def _move(self, step: int) -> None:
        if self.session_id is None or not self.total:
            return
        if self.cursor is None or not self._cursor_visible():
            self._place_cursor_at_top()
            self._reveal_cursor()
            self.refresh()
            return
        seq, index = self.cursor
        rendered = self.render_message(seq)
        if rendered is not None and 0 <= index + step < len(rendered.items):
            self.cursor = (seq, index + step)
        else:
            s = seq + step
            while 0 <= s < self.total:
                target = self.render_message(s)
                if target is None:
                    self._request(s)
                    return
                if target.items:
                    self.cursor = (s, 0 if step > 0 else len(target.items) - 1)
                    break
                s += step
        self._reveal_cursor()
        self.refresh()

    def _cursor_visible(self) -> bool:
        found = self.item_at_cursor()
        if found is None:
            return False
        seq, item, _rendered = found
        y = self.window.heights.offset(seq) + item.line
        return self.scroll_y <= y < self.scroll_y + self.view_height

    def _reveal_cursor(self) -> None:
        found = self.item_at_cursor()
        if found is None:
            return
        seq, item, _rendered = found
        y = self.window.heights.offset(seq) + item.line
        height = self.view_height
        if y < self.scroll_y:
            self._pinned = False
            self._anchor = (seq, item.line)
        elif y + 1 > self.scroll_y + height:
            self._pinned = False
            self._anchor = self.window.heights.locate(y - height + 1)
        else:
            return
        self.settle()

    def go_to(self, seq: int, *, reveal: bool = False) -> None:
        """Put message `seq` a few lines below the top, cursor on its header (or revealed item)."""
        if self.session_id is None or not self.total:
            return
        seq = max(0, min(self.total - 1, seq))
        if seq not in self.window.messages:
            self._reveal = seq if reveal else None
            self._anchor = (seq, 0)
            self._pinned = False
            self._request(seq)
            self.settle()
            return
        pattern = self.match_cursor.pattern
        target_seq, item_index = seq, 0
        if reveal and pattern is not None:
            target_seq, item_index = self._reveal_match(seq)
        self._pinned = False
        self.cursor = (target_seq, item_index)
        rendered = self.render_message(target_seq)
        line = (
            rendered.items[item_index].line if rendered and item_index < len(rendered.items) else 0
        )
        if reveal and rendered is not None and pattern is not None:
            # put the first highlighted line in view, not only the top of the message
            for number in range(line, rendered.height):
                if pattern.search(rendered.lines[number].text):
                    if number - line > self.view_height // 2:
                        line = number - self.view_height // 3
                    break
        y = self.window.heights.offset(target_seq) + line
        self._anchor = self.window.heights.locate(max(0, y - 2))
        self.settle()

    def _reveal_match(self, seq: int) -> tuple[int, int]:
        """Unfold what holds the match in message `seq`; (seq, item) to put the cursor on."""
        message = self.window.messages[seq]
        assert self.match_cursor.pattern is not None
        found = message_has_term(message, self.match_cursor.pattern)
        target = (seq, -1)
        if self.window.hidden(message):
            for block in message.blocks:
                use_id = str(block.get("tool_use_id") or "")
                call_seq = self.window.call_seq(use_id)
                if call_seq is None:
                    continue
                call = self.window.messages.get(call_seq)
                if call is None:
                    self._request(call_seq)
                    continue
                for index, candidate in enumerate(call.blocks):
                    if candidate.get("type") == "tool_use" and str(candidate.get("id")) == use_id:
                        if not self.is_open(call_seq, index, "tool"):
                            self._toggled ^= {(call_seq, index)}
                        self.window.forget(call_seq)
                        if target[1] == -1:
                            target = (call_seq, index)
            if target[1] == -1:
                return seq, 0
        else:
            for index, kind in sorted(found):
                if not self.is_open(seq, index, kind):
                    self._toggled ^= {(seq, index)}
                if target[1] == -1:
                    target = (seq, index)
            self.window.forget(seq)
        target_seq, target_block = target
        rendered = self.render_message(target_seq)
        if rendered is None:
            return target_seq, 0
        if target_block >= 0:
            for i, item in enumerate(rendered.items):
                if item.block == target_block:
                    return target_seq, i
        return target_seq, 0

    # -- actions -------------------------------------------------------------------------------

    def action_next_item(self) -> None:
        self._move(1)

    def action_prev_item(self) -> None:
        self._move(-1)

    def action_go_start(self) -> None:
        if self.session_id is None:
            return
        self._pinned = False
        self._anchor = (0, 0)
        self.cursor = None
        self.settle()
        self._place_cursor_at_top()
        self.refresh()

    def action_go_end(self) -> None:
        if self.session_id is None:
            return
        self._pinned = True
        self.settle()
        last = self.total - 1
        rendered = self.render_message(last)
        if rendered is not None:
            s = last
            while s >= 0:
                r = self.render_message(s)
                if r is None:
                    break
                if r.items:
                    self.cursor = (s, 0)
                    break
                s -= 1
        self.refresh()

    def action_activate(self) -> None:
        """Enter: open a subagent from its `Task` line, else fold/unfold what is under the cursor."""
        found = self.item_at_cursor()
        if found is None:
            self._move(1)
            return
        _seq, item, _rendered = found
        if (
            item.kind == "tool"
            and item.tool_use_id
            and self.window.child_for(item.tool_use_id) is not None
        ):
            self.action_open_subagent()
            return
        self.action_toggle_item()

    def action_toggle_item(self) -> None:
        found = self.item_at_cursor()
        if found is None:
            return
        seq, item, _rendered = found
        if item.kind in ("header", "code"):
            return
        kind = item.kind
        if kind == "output":  # folding the output folds its call: the cursor goes back to it
            kind = "tool"
            assert self.cursor is not None
            self.cursor = (seq, self.cursor[1] - 1)
        self._toggled ^= {(seq, item.block)}
        self.window.forget(seq)
        self.settle()
        self._reveal_cursor()
        if self.is_open(seq, item.block, kind):
            self._show_item_body()

    def _show_item_body(self) -> None:
        """After unfolding: scroll so the unfolded lines are in view (the item line first)."""
        found = self.item_at_cursor()
        if found is None:
            return
        seq, item, _rendered = found
        top = self.window.heights.offset(seq) + item.line
        bottom = top + item.height
        height = self.view_height
        if bottom <= self.scroll_y + height:
            return
        self._pinned = False
        target = top if item.height >= height else bottom - height
        self._anchor = self.window.heights.locate(max(0, target))
        self.settle()

    def action_toggle_tools(self) -> None:
        self.tools_open = not self.tools_open
        self.notify(
            "Tool calls expanded." if self.tools_open else "Tool calls folded.", timeout=1.5
        )

    def watch_tools_open(self) -> None:
        self._toggled = {k for k in self._toggled if not self.window.is_kind(k, "tool", "result")}
        self._invalidate()
        self.settle()

    def action_toggle_reasoning(self) -> None:
        self.reasoning_open = not self.reasoning_open
        self.notify("Reasoning shown." if self.reasoning_open else "Reasoning folded.", timeout=1.5)

    def watch_reasoning_open(self) -> None:
        self._toggled = {k for k in self._toggled if not self.window.is_kind(k, "reasoning")}
        self._invalidate()
        self.settle()

    def action_next_match(self) -> None:
        self._jump_match(1)

    def action_prev_match(self) -> None:
        self._jump_match(-1)

    def _jump_match(self, step: int) -> None:
        here = self.cursor[0] if self.cursor else self._anchor[0]
        jump = self.match_cursor.jump(step, here)
        if jump.notice is not None:
            self.notify(jump.notice, timeout=2)
            return
        if jump.fetch:
            self._more_matches(jump.fetch)
            return
        if jump.target is None:
            return  # the matches are on their way: the jump waits for them
        if jump.wrapped:
            self.notify("Search wrapped.", timeout=1.5)
        self._update_title()
        self.go_to(jump.target, reveal=True)

    def _more_matches(self, pages: int = 1) -> None:
        query = self.match_cursor.query
        if self.session_id is None or not query:
            return
        offset = self.match_cursor.more()
        if offset is not None:
            self.loader.matches(self.session_id, query, self._generation, offset, pages)

    def focused_message(self) -> Message | None:
        if self.cursor is not None:
            return self.window.messages.get(self.cursor[0])
        return self.window.messages.get(self._anchor[0])

    def action_copy_message(self) -> None:
        """Copy the whole message under the cursor, as Markdown."""
        message = self.focused_message()
        if message is None:
            self.notify("No message to copy.", timeout=2)
            return
        copy_text(self, message_markdown(message), f"message #{message.seq}")

    def action_copy_block(self) -> None:
        """`y`: the code block, tool command or tool output under the cursor, else the message."""
        found = self.item_at_cursor()
        piece = self._piece(found[0], found[1]) if found is not None else None
        if piece is None:
            self.action_copy_message()
            return
        text, what = piece
        copy_text(self, text, what)

    def _piece(self, seq: int, item: Item) -> tuple[str, str] | None:
        """(text, what it is) of the item `y` copies on its own; None: the whole message."""
        message = self.window.messages.get(seq)
        if message is None or not 0 <= item.block < len(message.blocks):
            return None
        block = message.blocks[item.block]
        if item.kind == "code":
            blocks = code_blocks(str(block.get("text") or ""))
            if 0 <= item.part < len(blocks):
                return blocks[item.part], "the code block"
        elif item.kind == "tool":
            return tool_command(block.get("input")), "the command"
        elif item.kind == "output":
            result = self.window.result_for(item.tool_use_id or "")[0]
            if result is not None:
                return tool_result_text(result), "the tool output"
        elif item.kind == "result":
            return tool_result_text(block), "the tool output"
        elif item.kind == "reasoning":
            return str(block.get("thinking") or block.get("text") or ""), "the reasoning"
        elif item.kind == "context":
            return str(block.get("text") or ""), "the context"
        return None

    def child_at_cursor(self) -> SessionInfo | None:
        found = self.item_at_cursor()
        if found is not None and found[1].tool_use_id:
            return self.window.child_for(found[1].tool_use_id)
        return None

    def action_open_subagent(self) -> None:
        child = self.child_at_cursor()
        if child is None and len(self.window.children) == 1:
            child = self.window.children[0]
        if child is None:
            self.notify("Put the cursor on a Task line to open its subagent.", timeout=2)
            return
        self.post_message(OpenSession(child.id))

    def action_open(self) -> None:
        """`o`: on a Task line its subagent; else the file named under the cursor, in the
        person's editor (the screen runs it); else the session's only subagent."""
        child = self.child_at_cursor()
        if child is not None:
            self.post_message(OpenSession(child.id))
            return
        refs = self.refs_at_cursor()
        if refs:
            self.post_message(OpenFile(refs, self.info.cwd if self.info else None))
            return
        if len(self.window.children) == 1:
            self.post_message(OpenSession(self.window.children[0].id))
            return
        self.notify(
            "No file path under the cursor (o opens a file a tool call or message names, or a "
            "Task's subagent).",
            timeout=3,
        )

    def refs_at_cursor(self) -> list[FileRef]:
        """Files the item under the cursor names: a tool's input fields first, then paths in
        its text (the whole message on its header)."""
        found = self.item_at_cursor()
        if found is None:
            return []
        seq, item, _rendered = found
        message = self.window.messages.get(seq)
        if message is None:
            return []
        if item.kind == "header":
            blocks = list(enumerate(message.blocks))
        else:
            blocks = [(item.block, message.blocks[item.block])] if item.block >= 0 else []
        named: list[FileRef] = []
        texts: list[str] = []
        for _index, block in blocks:
            kind = block.get("type")
            if kind == "tool_use":
                if item.kind != "output":
                    named += input_refs(str(block.get("name") or ""), block.get("input"))
                    texts.append(tool_command(block.get("input")))
                if item.kind in ("tool", "output"):
                    result = self.window.result_for(str(block.get("id") or ""))[0]
                    if result is not None:
                        texts.append(tool_result_text(result))
            elif kind == "tool_result":
                texts.append(tool_result_text(block))
            elif item.kind == "code":
                parts = code_blocks(str(block.get("text") or ""))
                texts.append(parts[item.part] if 0 <= item.part < len(parts) else "")
            else:
                texts.append(str(block.get("text") or block.get("thinking") or ""))
        return named + [ref for text in texts for ref in text_refs(text)]

    def action_open_parent(self) -> None:
        if self.info is not None and self.info.parent_session_id:
            self.post_message(OpenSession(self.info.parent_session_id))

    # -- mouse ---------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if self.session_id is None:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        self.focus()
        seq, line = self.window.heights.locate(round(self.scroll_y) + offset.y)
        rendered = self.render_message(seq)
        if rendered is None:
            return
        # the innermost item under the mouse (a tool's output lies within the tool call)
        for index in reversed(range(len(rendered.items))):
            item = rendered.items[index]
            if item.line <= line < item.line + max(1, item.height):
                self.cursor = (seq, index)
                if item.line == line and item.kind not in ("header", "code", "output"):
                    self.action_activate()
                self.refresh()
                return
