"""`title_from` reads only the start of a long prompt, and gives what reading it whole gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionscope.importers.common import TITLE_MAX, text_field, title_from


def whole(text: str) -> str | None:
    """The title by its definition: the first non-empty line, whitespace collapsed, cut."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            if len(line) > TITLE_MAX:
                line = line[: TITLE_MAX - 1].rstrip() + "…"
            return text_field(line)
    return None


PIECES = st.sampled_from(["a", "word ", " ", "\t", "\n", "\r\n", "\r", "\u2028", "\x0b", "é"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=3000), st.integers(0, 2500))
def test_a_long_prompt_gets_the_title_of_reading_it_whole(pieces: list[str], blank: int) -> None:
    text = " " * blank + "".join(pieces)
    assert title_from(text) == whole(text)


def test_the_title_ends_where_the_first_line_does_past_the_window() -> None:
    line = "x " * 1000  # one line of 2,000 characters: longer than the first read
    assert title_from(line + "\nsecond") == whole(line + "\nsecond")
    short = " " * 1915 + "short title"  # begins inside the first read, ends past it
    assert title_from(short + " and more words\nnext") == "short title and more words"
    assert title_from("\n" * 5000 + "late title") == "late title"
