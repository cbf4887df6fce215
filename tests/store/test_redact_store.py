"""Redaction is a property of the store: recorded when first asked for, applied by every writer
to every field, and `redact_existing` rewrites what was stored before, leaving no old page."""

from __future__ import annotations

from pathlib import Path

import pytest

from sessionscope import store

KEY = "ghp_" + "Zx81Qw" * 6  # a GitHub token: 4 + 36 characters


def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def _everything(db: store.Store, sid: str) -> None:
    """Write KEY through every write path and into every field."""
    db.start_session(
        title=f"deploy with {KEY}",
        id=sid,
        project=f"/src/{KEY}",
        model=f"model-{KEY}",
        cwd=f"/home/dev/{KEY}",
        git_branch=f"fix/{KEY}",
        source_ref=f"/logs/{KEY}.jsonl",
        metadata={"note": f"token={KEY}", "nested": [{"k": KEY}]},
    )
    db.update_session(sid, title=f"retitled {KEY}")
    db.append(
        sid,
        "assistant",
        [
            {"type": "text", "text": f"use {KEY}"},
            {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"cmd": f"gh auth {KEY}"}},
        ],
        model=f"m-{KEY}",
        metadata={"level": KEY},
        external_id=f"ext-{KEY}",
    )
    db.append_many(sid, [{"role": "tool", "content": [{"type": "tool_result", "content": KEY}]}])
    db.save(sid, [*db.load(sid).messages, {"role": "user", "content": f"again {KEY}"}])  # type: ignore[union-attr]
    db.record_signal(sid, kind="explicit", source="thumbs", value=1.0, payload={"why": KEY})
    db.set_import_state(
        f"/x/{sid}", source="codex", size=1, mtime=1.0, offset=1, state={"summaries": {"": KEY}}
    )


def test_redaction_is_recorded_and_sticks(store_path: Path) -> None:
    with store.open(redact=True) as db:
        assert db.redact
    with store.open() as db:  # opened later without the flag: the store says so
        assert db.redact
        _everything(db, "s1")
        session = db.session("s1")
        assert session is not None and KEY not in repr(session)
        assert "[REDACTED:github_token]" in (session.title or "")
        assert KEY not in repr(db.load("s1")) and KEY not in repr(db.signals("s1"))
        assert KEY not in repr(db.import_states())
        assert db.find_message("s1", f"ext-{KEY}") is not None  # found by its original id
        assert db.search("Zx81Qw") == []
    assert KEY.encode() not in _raw(store_path)


def test_another_process_turning_redaction_on_reaches_open_stores(store_path: Path) -> None:
    early = store.open()
    assert not early.redact
    store.open(redact=True).close()
    sid = early.start_session(title=KEY)
    early.append(sid, "user", KEY)
    assert KEY not in repr(early.load(sid))
    early.close()


def test_a_write_transaction_reads_the_setting_once_and_the_next_one_again(
    store_path: Path,
) -> None:
    early = store.open()
    reads: list[str] = []
    with early.writing() as conn:
        conn.set_trace_callback(lambda sql: reads.append(sql) if "'redact'" in sql else None)
        sid = early.start_session(title="plain")
        early.append(sid, "user", "first")
        early.append(sid, "user", "second")
        conn.set_trace_callback(None)
    assert len(reads) == 1  # the write lock is held: no one else can turn it on meanwhile
    store.open(redact=True).close()
    with early.writing():
        early.append(sid, "user", KEY)
    assert KEY not in repr(early.load(sid))
    early.close()


def test_without_redaction_nothing_changes(db: store.Store) -> None:
    assert not db.redact
    sid = db.start_session(title=KEY)
    db.append(sid, "user", KEY)
    assert db.load(sid).messages[0].text == KEY  # type: ignore[union-attr]


def test_redact_existing_rewrites_every_field_and_leaves_no_page(store_path: Path) -> None:
    with store.open() as db:
        _everything(db, "s1")
        for n in range(300):  # enough rows for pages to be freed and rewritten
            sid = db.start_session(title=f"s{n}")
            db.append(sid, "user", f"password=hunter2x{n} and {KEY} 重複を削除 {n}")
    assert KEY.encode() in _raw(store_path)
    with store.open() as db:
        report = db.redact_existing()
        assert report.sessions >= 1 and report.messages >= 300 and report.import_states == 1
        assert report.signals == 1 and report.kinds["github_token"] >= 300
        assert "Redaction is on" in report.summary()
        assert db.redact
        assert db.search("Zx81Qw") == [] and db.search("hunter2x7") == []
        assert len(db.search("重複を削除")) == 50
        assert db.check(full=True) == []
        wal = Path(str(store_path) + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0
        raw = _raw(store_path)
        assert KEY.encode() not in raw and b"hunter2x7" not in raw
        assert db.find_message("s1", f"ext-{KEY}") is not None
    with store.open() as db:
        assert db.redact  # stays on


def test_readonly_store_cannot_be_rewritten(store_path: Path) -> None:
    store.open().close()
    with store.open(readonly=True) as db, pytest.raises(store.StoreReadOnly):
        db.redact_existing()
