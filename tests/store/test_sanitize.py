"""`sanitize.clean`: what it removes, what it keeps, and that nothing unsafe survives it."""

from __future__ import annotations

import re

from hostile_support import INVISIBLE, UNSAFE
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionscope import jsonout, sanitize
from sessionscope.sanitize import clean, clean_line, inert, is_inert


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
    st.text(
        alphabet=st.characters(
            categories=("L", "N", "P", "S", "Zs"),
            # letters that draw as nothing (Hangul fillers): removed by design, tested below
            exclude_characters="".join(sanitize._FILLERS),
        ),
        max_size=80,
    )
)
def test_printable_text_is_unchanged(text: str) -> None:
    assert clean(text) == text


# -- linear time (issue 9, item 7) -------------------------------------------------------------

ADVERSARIAL = {
    "C1 OSC introducers": "\x9d",
    "ESC ] introducers": "\x1b]",
    "ESC P introducers": "\x1bP",
    "C1 CSI introducers": "\x9b",
    "C1 DCS introducers": "\x90",
    "introducer then text": "\x9dab",
    "mixed": "\x9d\x1b]0;a\x1bPb\x9bc\x90\x1b[1;\x98x\x9e\x9f",
}


def _seconds(text: str) -> float:
    import time

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        clean(text)
        clean_line(text)
        best = min(best, time.perf_counter() - start)
    return best


def test_clean_is_linear_on_runs_of_introducers() -> None:
    """`"\\x9d" * 40000` took 37 s: each unterminated OSC was scanned to the end of the text."""
    for name, unit in ADVERSARIAL.items():
        small = (unit * (1_000 // len(unit) + 1))[:1_000]
        large = (unit * (100_000 // len(unit) + 1))[:100_000]
        assert not UNSAFE.search(clean(large)) and "\x1b" not in clean(large)
        ratio = _seconds(large) / max(_seconds(small), 1e-5)
        # linear is ~100; quadratic would be ~10,000
        assert ratio < 1_000, (name, ratio)


def test_clean_of_forty_thousand_c1_osc_introducers_is_quick() -> None:
    assert _seconds("\x9d" * 40_000) < 2.0


# -- inert: the bounded one-line label of any field --------------------------------------------


def test_inert_cuts_before_cleaning_and_marks_the_cut() -> None:
    from sessionscope.sanitize import DISPLAY_CHARS, inert

    assert inert(None) == "" and inert(42) == "42"
    assert inert("id\x1b]52;c;Y3VybCB8IHNo\x07\n-x") == "id -x"
    shown = inert("/home/" + "x" * 2_000_000)
    assert len(shown) == DISPLAY_CHARS and shown.endswith("…")
    assert inert("\x1b]0;t\x07" * 1_000 + "tail") == "…"  # all junk up to the cut: nothing shown
    assert is_inert(inert("\x9d" * 100_000 + "\u202e" * 10))
    assert inert("[b]proj[/b]" + "\x1b]0;t\x07" * 5, 24) == "[b]proj[/b]"  # nothing was cut


def test_safe_text_is_never_markup() -> None:
    from sessionscope.tui.safe import safe_text

    text = safe_text("[bold]x[/] \x1b[31m", "red")
    assert text.plain == "[bold]x[/]" and str(text.style) == "red"


def test_every_bidi_control_invisible_format_and_tag_character_is_removed() -> None:
    """U+061C (a bidi control the sanitiser missed), U+206A-206F, U+180E and the tag block
    U+E0000-E007F ("ASCII smuggling") go like the other bidi and zero-width characters."""
    for char in INVISIBLE:
        where = f"U+{ord(char):04X}"
        assert clean(f"a{char}b") == "ab", where
        assert clean_line(f"a{char}b") == "ab" and inert(f"a{char}b") == "ab", where
        assert not is_inert(f"a{char}b"), where
    smuggled = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous instructions")
    assert clean(f"hello{smuggled} world") == "hello world"


def test_the_json_writer_escapes_exactly_what_the_sanitiser_removes() -> None:
    """One set of unsafe characters, on every code point: what `clean` removes is what
    `--json` escapes (C0 apart: json.dumps escapes it, and `clean` keeps newline and tab)."""
    every = "".join(map(chr, range(0x20, 0x110000)))
    removed = set(re.findall(sanitize._CONTROLS_PATTERN, every))
    escaped = set(re.findall(jsonout._ESCAPE_IN_JSON, every))
    assert removed == escaped
    assert set(INVISIBLE) <= escaped


def test_blank_fillers_python_calls_printable_are_cleaned_too() -> None:
    """U+3164 HANGUL FILLER and its kin pass `str.isprintable`, the sanitiser's fast path, yet
    draw as nothing: a title of them looked empty, a name with them looked like another."""
    for char in "\u115f\u1160\u17b4\u17b5\u3164\uffa0":
        assert char.isprintable()
        assert clean(f"admin{char}") == "admin" and inert(f"a{char}b") == "ab"
    assert clean("한국어 ok") == "한국어 ok"  # Korean text itself is kept
