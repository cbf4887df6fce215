"""Claude Code's API error records (`system` records with an `error` object and no content)
as the one line a `system` message says."""

from __future__ import annotations

from typing import Any


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def api_error_text(record: dict[str, Any], meta: dict[str, Any]) -> str:
    """`API error 529 (overloaded_error): Overloaded; retry 2 of 10` from an error record."""
    error = record.get("error")
    status = _dig(error, "status")
    detail = next(
        (
            d
            for d in (
                _dig(error, "error", "error"),
                _dig(error, "error"),
                error,
            )
            if isinstance(d, dict) and (d.get("message") or d.get("type"))
        ),
        {},
    )
    kind = detail.get("type") if isinstance(detail.get("type"), str) else None
    message = detail.get("message") if isinstance(detail.get("message"), str) else None
    if message is None and isinstance(record.get("cause"), dict):
        message = record["cause"].get("message")
    text = "API error"
    if isinstance(status, int) and not isinstance(status, bool):
        text += f" {status}"
        meta["status"] = status
    if kind and kind != "error":
        text += f" ({kind})"
    if isinstance(message, str) and message:
        text += f": {message}"
    attempt, most = record.get("retryAttempt"), record.get("maxRetries")
    if isinstance(attempt, int) and not isinstance(attempt, bool):
        meta["retry_attempt"] = attempt
        text += f"; retry {attempt}" + (f" of {most}" if isinstance(most, int) else "")
    return text
