"""The fast (msgspec) and the standard-library paths of the line reader give the same records."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from sessionscope.importers.jsonl import parse_line

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=8), values, max_size=6), st.booleans())
def test_fast_path_matches_the_standard_library(record: dict, ascii_only: bool) -> None:
    raw = json.dumps(record, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    parsed, error = parse_line(raw)
    if error is None:
        expected = json.loads(raw.decode("utf-8", "replace"))
        assert parsed == expected
        assert json.dumps(parsed, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_numbers_the_fast_path_would_change_take_the_slow_path() -> None:
    assert parse_line(b'{"n": 123456789012345678901234567890}')[0] == {
        "n": 123456789012345678901234567890
    }
    assert parse_line(b'{"n": 1e400}')[0] == {"n": "1e400"}
    assert parse_line(b'{"n": NaN}')[0] == {"n": "NaN"}
    assert parse_line(b'{"s": "\\ud800"}')[0] == {"s": "\ud800"}
    assert parse_line(b'{"s": "caf\xe9"}')[0] == {"s": "caf\ufffd"}


def test_a_record_deeper_than_the_stack_is_read_exactly_or_refused() -> None:
    def deep(value: bytes) -> bytes:
        return b'{"d": ' + b"[" * 1010 + value + b"]" * 1010 + b"}"

    record, error = parse_line(deep(b"1"))  # past what msgspec or json read on Python's stack
    assert error is None and record is not None
    inner = record["d"]
    for _level in range(1010):
        inner = inner[0]
    assert inner == 1
    # an integer past 64 bits that deep: no reader here gives it exactly, so the line is refused
    record, error = parse_line(deep(b"123456789012345678901234567890"))
    assert record is None and error is not None
