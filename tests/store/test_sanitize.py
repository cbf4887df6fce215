"""`sanitize.clean`: what it removes, what it keeps, and that nothing unsafe survives it."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionscope.sanitize import clean, clean_line, is_inert

UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)


def test_sequences_are_removed_with_their_payload() -> None:
    assert clean("a\x1b]0;title\x07b") == "ab"
    assert clean("a\x1b]52;c;ZXZpbA==\x1b\\b") == "ab"
    assert clean("a\x9d0;t\x9cb") == "ab"
    assert clean("a\x1bP1$rq\x1b\\b") == "ab"
    assert clean("\x1b[1;31mred\x1b[0m \x9b31mx") == "red x"
    assert clean("a\x1b(Bb\x1b=c") == "abc"


def test_unterminated_strings_keep_the_text_after_them() -> None:
    assert clean("start \x90no terminator, the rest stays") == "start no terminator, the rest stays"
    assert clean("start \x1b]0;no bell here") == "start 0;no bell here"


def test_controls_bidi_and_zero_width_go_newlines_and_tabs_stay() -> None:
    assert clean("a\u202eb\u2066c\u2069d\u200be\ufefff\x00g\r\nh\ti") == "abcdefg\nh\ti"
    assert clean_line("a\nb\t c") == "a b c"
    assert clean("日本語 café [red]x[/red]") == "日本語 café [red]x[/red]"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=200))
def test_nothing_unsafe_survives_and_clean_is_idempotent(text: str) -> None:
    out = clean(text)
    assert not UNSAFE.search(out)
    assert "\x1b" not in out and is_inert(out)
    assert clean(out) == out
    assert "\n" not in clean_line(text)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")), max_size=80)
)
def test_printable_text_is_unchanged(text: str) -> None:
    assert clean(text) == text
