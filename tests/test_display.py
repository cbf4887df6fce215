"""`sessionscope.display`: the ages, counts and fitted text the CLI and the browser share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sessionscope.display import age, cells, fit, money, short_count

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).isoformat()


def test_ages_use_the_shortest_useful_unit() -> None:
    assert [
        age(_ago(seconds=5), NOW),
        age(_ago(minutes=3), NOW),
        age(_ago(hours=5), NOW),
        age(_ago(days=2), NOW),
        age(_ago(days=50), NOW),
        age(_ago(days=75), NOW),
        age(_ago(days=400), NOW),
    ] == ["now", "3m", "5h", "2d", "7w", "2mo", "1y"]
    assert age(None, NOW) == age("not a time", NOW) == ""
    assert age("0001-01-01T00:00:00Z", NOW) == "2026y"  # the calendar's first year, no error
    assert age("9999-12-31T23:59:59+14:00", NOW) == "now"  # the future is not negative


def test_counts_are_short() -> None:
    assert [short_count(n) for n in (950, 1234, 12_000, 27_600, 1_300_000, 12_000_000)] == [
        "950",
        "1.2k",
        "12k",
        "27k",
        "1.3M",
        "12M",
    ]
    assert short_count(None) == "0"


def test_fit_cuts_by_terminal_cells_and_pads_a_column() -> None:
    assert fit("short", 10) == "short"
    assert fit("short", 10, pad=True) == "short     "
    assert fit("a rather long title", 10) == "a rather …"
    wide = fit("日本語のタイトルです", 9)
    assert cells(wide) <= 9 and wide.endswith("…")
    assert cells(fit("日本語のタイトルです", 9, pad=True)) == 9
    assert fit("evil\x1b[31mred\u202e", 20) == "evilred"  # inert: no escape sequence, no bidi


def test_money_never_shows_an_unpriced_cost_as_zero() -> None:
    assert [money(0.42), money(12.345), money(999.99), money(1234.5), money(0.004)] == [
        "$0.42",
        "$12.35",
        "$999.99",
        "$1,234",
        "<$0.01",
    ]
    assert money(None) == money(0) == money(0.0) == money(float("nan")) == "—"
