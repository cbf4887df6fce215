"""UTC timestamps in one shape: ISO 8601 with milliseconds and `Z`."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .errors import InvalidInput


def now_iso() -> str:
    """The current UTC time as `2026-10-02T09:14:00.020Z`."""
    return format_ts(datetime.now(UTC))


def format_ts(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def normalize_ts(value: str | datetime | float | int | None) -> str | None:
    """Any timestamp a caller or a transcript gives, as UTC ISO 8601 with ms and `Z`.

    Accepts datetimes, epoch seconds and ISO strings (with `Z`, an offset, or naive = UTC).
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and CANONICAL.match(value):
        return value
    if isinstance(value, datetime):
        try:
            return format_ts(value)
        except OverflowError:  # a time near year 1 or 9999 that UTC moves out of range
            raise InvalidInput(f"{value!r} is out of range once converted to UTC.") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            seconds = value / 1000 if value > 1e11 else value  # epoch milliseconds above 1e11
            return format_ts(datetime.fromtimestamp(seconds, UTC))
        except (OverflowError, OSError, ValueError):
            raise InvalidInput(
                f"{value!r} is not a timestamp (epoch seconds or milliseconds within years "
                "1 to 9999)."
            ) from None
    if isinstance(value, str):
        text = value.strip()
        try:
            return format_ts(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except (ValueError, OverflowError):
            pass
    raise InvalidInput(
        f"{value!r} is not a timestamp (expected ISO 8601, e.g. 2026-10-01T12:00:00Z)."
    )


# the store's own form, `2026-10-02T09:14:00.020Z`, kept as it is
CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
_RELATIVE = re.compile(r"^(\d+)\s*([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(value: str, *, now: datetime | None = None) -> str | None:
    """A `since:` / `until:` value: an ISO date or time, or a relative age like `7d` or `12h`.

    Returns None when the value is not understood (the search language never raises).
    """
    text = value.strip()
    match = _RELATIVE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        base = now or datetime.now(UTC)
        try:
            return format_ts(base - timedelta(**{_UNITS[unit]: amount}))
        except OverflowError:
            return None
    if text in ("today", "yesterday"):
        base = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
        return format_ts(base - timedelta(days=1 if text == "yesterday" else 0))
    try:
        return normalize_ts(text)
    except InvalidInput:
        return None
