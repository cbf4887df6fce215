"""Pure pieces of the browser: the heights tree, formatting, filters, safe rendering."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

from rich.console import Console
from rich.style import Style
from textual.binding import Binding

from sessionscope.store.models import Message
from sessionscope.tui.format import (
    SessionFilter,
    age,
    image_label,
    short_count,
    short_model,
    short_project,
    terms_pattern,
    tool_summary,
)
from sessionscope.tui.heights import Heights
from sessionscope.tui.render import Context, MessageRenderer, Styles, highlight

NOW = datetime(2026, 10, 12, 12, 0, tzinfo=UTC)


def _prefix(values: list[int]) -> list[int]:
    return [0, *itertools.accumulate(values)]


def test_heights_offsets_and_locate_match_a_plain_prefix_sum() -> None:
    rng = random.Random(3)
    heights = Heights(5000, 4)
    ref = [4] * 5000
    for _ in range(3000):
        seq, value = rng.randrange(5000), rng.choice((0, 1, 2, 7, 30))
        heights.set(seq, value)
        ref[seq] = value
    pre = _prefix(ref)
    assert heights.total == pre[-1]
    for _ in range(2000):
        seq = rng.randrange(5001)
        assert heights.offset(seq) == pre[seq]
        y = rng.randrange(pre[-1])
        found, line = heights.locate(y)
        assert pre[found] <= y < pre[found + 1] and line == y - pre[found]
        assert ref[found] > 0  # zero-height (hidden) messages are never located
    assert heights.locate(pre[-1]) == (5000, 0)


def test_heights_grow_past_their_capacity() -> None:
    heights = Heights(10, 3)
    heights.set(4, 9)
    heights.extend(5000, 2)
    ref = [3] * 10 + [2] * 4990
    ref[4] = 9
    pre = _prefix(ref)
    assert len(heights) == 5000 and heights.total == pre[-1]
    assert all(heights.offset(s) == pre[s] for s in range(0, 5001, 37))


def test_ages_counts_and_names() -> None:
    assert age("2026-10-12T11:59:30Z", NOW) == "now"
    assert age("2026-10-12T09:00:00Z", NOW) == "3h"
    assert age("2026-10-09T12:00:00Z", NOW) == "3d"
    assert age("2026-08-01T12:00:00Z", NOW) == "2mo"
    assert age(None, NOW) == "" and age("garbage", NOW) == ""
    assert [short_count(n) for n in (950, 1234, 56_000, 1_300_000)] == [
        "950",
        "1.2k",
        "56k",
        "1.3M",
    ]
    assert short_model("claude-sonnet-4-5-20250929") == "claude-sonnet-4-5"
    assert short_project("/home/dev/webapp/") == "webapp"


def test_tool_summaries_pick_the_key_argument() -> None:
    assert (
        tool_summary("Bash", {"command": "npm test -- LoginForm", "description": "x"})
        == "npm test -- LoginForm"
    )
    assert (
        tool_summary("Read", {"file_path": "/home/dev/app/src/a.py"}, cwd="/home/dev/app")
        == "src/a.py"
    )
    assert (
        tool_summary("shell", {"command": ["bash", "-lc", "rg -n login src"]}) == "rg -n login src"
    )
    patch = "*** Begin Patch\n*** Update File: src/routes/auth.ts\n@@\n-x\n+y\n*** End Patch"
    assert tool_summary("apply_patch", {"input": patch}) == "src/routes/auth.ts"
    assert tool_summary("Task", {"description": "Write tests", "prompt": "..."}) == "Write tests"
    assert tool_summary("Grep", {"pattern": "TODO", "path": "/r/src"}, cwd="/r") == "TODO in src"
    assert "\x1b" not in tool_summary("Bash", {"command": "echo \x1b]0;x\x07hi\nthere"})


def test_image_label_reports_type_and_decoded_size() -> None:
    block = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "AAAA" * 25},
    }
    assert image_label(block) == "image/png · 75 B"


def test_filters_parse_with_the_store_language_without_raising() -> None:
    f = SessionFilter.parse("source:CODEX project:webapp since:7d login", now=NOW)
    assert f.errors == [] and f.match is not None
    assert f.chips() == ["source:CODEX", "project:webapp", "since:7d", "title:login"]
    assert any(str(p).startswith("2026-10-05") for p in f.match.params)
    odd = SessionFilter.parse('since:yesterdayish weird:thing role:user "', now=NOW)
    assert odd.match is None and not odd.active
    assert "since:yesterdayish is not a date" in odd.errors[0]
    assert any("unknown filter weird:" in e for e in odd.errors)
    assert any("role: filters messages" in e for e in odd.errors)


def test_highlight_marks_terms_case_insensitively_across_segments() -> None:
    from rich.segment import Segment
    from textual.strip import Strip

    strip = Strip([Segment("The Login"), Segment("Form works", Style(bold=True))])
    pattern = terms_pattern(["loginform"])
    assert pattern is not None
    marked = highlight(strip, pattern, Style(reverse=True))
    assert marked.text == strip.text
    styled = "".join(seg.text for seg in marked if seg.style and seg.style.reverse)
    assert styled == "LoginForm"


def _renderer() -> MessageRenderer:
    return MessageRenderer(
        Console(width=80, color_system="truecolor"), Styles(roles={"user": Style(bold=True)})
    )


def _ctx(**kw: object) -> Context:
    base = dict(
        width=80,
        tz=UTC,
        cwd=None,
        is_open=lambda *a: True,
        result_for=lambda u: (None, None),
        child_for=lambda u: None,
        hidden=lambda m: False,
    )
    base.update(kw)
    return Context(**base)  # type: ignore[arg-type]


def test_rendering_is_inert_and_keeps_markup_literal() -> None:
    hostile = (
        "a \x1b]52;c;ZWNobw==\x07 b \x1b[31mred\x1b[0m [red]x[/red] [@click=app.quit]q[/] \x9b2J"
    )
    message = Message(
        id=1,
        session_id="s",
        seq=0,
        role="assistant",
        blocks=[
            {"type": "text", "text": hostile + "\n\n<script>alert(1)</script>"},
            {"type": "thinking", "thinking": hostile},
            {"type": "tool_use", "id": "t", "name": "Bash\x1b[2J", "input": {"command": hostile}},
        ],
    )
    rendered = _renderer().render(message, _ctx())
    text = "\n".join(line.text for line in rendered.lines)
    for line in rendered.lines:
        for seg in line:
            assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in seg.text), repr(seg.text)
            assert not (seg.style and (seg.style.link or seg.style.meta))
    assert "[red]x[/red]" in text and "[@click=app.quit]q[/]" in text
    assert "<script>alert(1)</script>" in text
    assert [item.kind for item in rendered.items] == ["header", "reasoning", "tool"]


def test_paired_tool_result_messages_render_nothing_of_their_own() -> None:
    message = Message(
        id=2,
        session_id="s",
        seq=3,
        role="tool",
        blocks=[{"type": "tool_result", "tool_use_id": "t", "content": "ok"}],
    )
    assert _renderer().render(message, _ctx(hidden=lambda m: True)).height == 0
    shown = _renderer().render(message, _ctx(is_open=lambda *a: False))
    assert shown.height == 3 and "▸ result  ok" in shown.lines[1].text


def test_help_is_generated_from_the_bindings() -> None:
    from sessionscope.tui.screens.help import sections
    from sessionscope.tui.screens.main import MainScreen
    from sessionscope.tui.widgets.transcript import Transcript

    by_title = dict(sections(MainScreen))
    transcript = dict(by_title["Transcript"])
    for binding in Transcript.BINDINGS:
        assert isinstance(binding, Binding)
        assert any(binding.tooltip == what for what in transcript.values()), binding
    assert transcript["t"] == "expand or fold every tool call"
    assert dict(by_title["Everywhere"])["/"] == "search every message (live)"


def test_a_hit_s_snippet_starts_near_its_match_when_the_match_would_be_cut_off() -> None:
    from rich.text import Text

    from sessionscope.tui.widgets.search_pane import _from_the_match

    head = "AssertionError " + "=" * 30 + " short test summary info " + "=" * 30
    plain = head + " FAILED tests/conftest.py::test_retries_on_timeout and more"
    at = plain.index("timeout")
    shown = _from_the_match(Text(plain), [(at, at + 7)], 38)
    # the two 38-column lines a hit shows now hold the match, from a word's start
    assert shown.plain == "…tests/conftest.py::test_retries_on_timeout and more"
    assert shown.plain.index("timeout") < 2 * 38
    early = Text("a timeout in the first line " + "x" * 200)
    assert _from_the_match(early, [(2, 9)], 38) is early  # near the start: left whole


def test_a_reasoning_title_in_bold_shows_without_its_markers() -> None:
    summary = "**Planning the DataTable tests**\n\nI will start with **empty** rows."
    message = Message(
        id=1,
        session_id="s",
        seq=0,
        role="assistant",
        blocks=[{"type": "thinking", "thinking": summary}],
    )
    text = "\n".join(line.text for line in _renderer().render(message, _ctx()).lines)
    assert "Planning the DataTable tests" in text and "**Planning" not in text
    assert "with **empty** rows" in text  # bold inside prose is left as written
