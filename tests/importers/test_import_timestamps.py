"""Issue 9 item 9 (import side): a transcript's timestamps are clamped at import so that no time
in the store overflows when converted to any local time zone.

`0001-01-01T00:00:00.000Z` crashed the browser for readers west of UTC (and
`9999-12-31T23:00:00.000Z` east of it). The range kept is `TS_MIN`..`TS_MAX`
(1970-01-02 .. 9998-12-31).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from importer_support import (
    CLAUDE_SID,
    CODEX_SID,
    claude_path,
    claude_text,
    claude_user,
    codex_meta,
    codex_path,
    codex_user,
    write_jsonl,
)

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.importers.common import TS_MAX, TS_MIN, ts

HOSTILE = [
    "0001-01-01T00:00:00.000Z",
    "9999-12-31T23:00:00.000Z",
    "9999-12-31T23:59:59.999Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "1969-12-31T23:59:59.999Z",
    -62135596800,
    253402300799,
    1e20,
    -1e20,
    2**70,
    10**400,  # an integer no float holds: an OverflowError stopped the whole import
    -(10**400),
]


def _every_zone_converts(text: str) -> None:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert TS_MIN <= moment <= TS_MAX
    for minutes in range(-14 * 60, 14 * 60 + 1, 15):
        local = moment.astimezone(timezone(timedelta(minutes=minutes)))
        local.strftime("%Y-%m-%d %H:%M")
        (local - timedelta(days=1)).isoformat()  # a "yesterday" computation too
    time.localtime(moment.timestamp())


@pytest.mark.parametrize("value", HOSTILE)
def test_ts_clamps_into_a_range_every_zone_can_show(value: object) -> None:
    text = ts(value)
    assert text is not None
    _every_zone_converts(text)


@pytest.mark.parametrize("value", ["2026-13-45T00:00:00.000Z", "10000-01-01T00:00:00Z", "x", []])
def test_ts_refuses_what_is_not_a_time(value: object) -> None:
    assert ts(value) is None


def test_ordinary_timestamps_are_kept_exactly() -> None:
    assert ts("2026-10-02T09:14:00.020Z") == "2026-10-02T09:14:00.020Z"
    assert ts("2026-10-02T11:14:00.020+02:00") == "2026-10-02T09:14:00.020Z"


def _stored_times(db: store.Store, sid: str) -> list[str]:
    info = db.session(sid)
    times = [info.started_at, info.ended_at, info.updated_at]
    times += [m.created_at for m in db.messages(sid)]
    return [t for t in times if t]


def test_claude_transcript_with_extreme_times_imports_showable_times(
    db: store.Store, tmp_path: Path
) -> None:
    records = [claude_user("u0", "first", 0)]
    for i, value in enumerate(HOSTILE, start=1):
        record = (
            claude_user(f"u{i}", f"prompt {i}") if i % 2 else claude_text(f"a{i}", f"m{i}", "r")
        )
        records.append(record | {"timestamp": value})
    import_source(db, "claude-code", write_jsonl(claude_path(tmp_path), records))
    times = _stored_times(db, CLAUDE_SID)
    assert len(times) >= len(HOSTILE)
    for text in times:
        _every_zone_converts(text)


def test_codex_transcript_with_extreme_times_imports_showable_times(
    db: store.Store, tmp_path: Path
) -> None:
    meta = codex_meta()
    meta["payload"]["timestamp"] = "0001-01-01T00:00:00.000Z"
    records = [meta]
    for i, value in enumerate(HOSTILE, start=1):
        records.append(codex_user(f"prompt {i}", i) | {"timestamp": value})
    import_source(db, "codex", write_jsonl(codex_path(tmp_path), records))
    times = _stored_times(db, CODEX_SID)
    assert len(times) >= len(HOSTILE)
    for text in times:
        _every_zone_converts(text)
    assert db.session(CODEX_SID).started_at == TS_MIN.strftime("%Y-%m-%dT%H:%M:%S.000Z")
