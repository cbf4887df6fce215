"""orjson encodes content only where it writes byte for byte what the standard library writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionscope.store import blocks
from sessionscope.store.errors import InvalidInput

FIXTURES = Path(__file__).parents[1] / "fixtures"


def _std(value: object) -> tuple[str, bool]:
    return blocks._encode_std(value)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # beyond 64 bits too: orjson refuses them, the standard way writes them
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),  # lone surrogates included: orjson refuses them
    st.text(alphabet=st.characters(codec="utf-8")),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=8), inner, max_size=5),
        st.dictionaries(st.integers(-3, 3), inner, max_size=3),
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_encoding_is_the_standard_librarys_byte_for_byte(value: object) -> None:
    try:
        expected: tuple[str, bool] | None = _std(value)
    except InvalidInput:
        expected = None
    if expected is None:
        with pytest.raises(InvalidInput):
            blocks.encode_content(value)
    else:
        assert blocks.encode_content(value) == expected


def test_fixture_records_encode_as_before() -> None:
    count = 0
    for path in sorted(FIXTURES.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8", errors="surrogatepass").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            for value in (record, record.get("message"), record.get("payload")):
                if value is None:
                    continue
                try:
                    expected = _std(value)
                except InvalidInput:
                    continue
                assert blocks.encode_content(value) == expected
                count += 1
    assert count > 50


@pytest.mark.parametrize(
    "value",
    [
        {"x": 1e-05},  # orjson writes 0.00001
        {1: "a", "1": "b"},  # colliding keys: refused as before
        [2**70],
        ["\ud800"],
        {"t": (1, 2)},
    ],
)
def test_what_orjson_would_write_differently_goes_the_standard_way(value: object) -> None:
    try:
        expected = _std(value)
    except InvalidInput:
        with pytest.raises(InvalidInput):
            blocks.encode_content(value)
        return
    assert blocks.encode_content(value) == expected
    assert blocks._fast_json({"x": 1e-05}) is None
    assert blocks._fast_json([{"a": [1, "é", None, True]}]) == '[{"a":[1,"é",null,true]}]'
