"""Tags, pins and notes (issue 14 item 5): the store API, its checks, the filters, and that
they survive what importers do to a session (re-imports, `save()` snapshot rewrites)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from importer_support import CLAUDE_SID, claude_path, claude_text, claude_user, write_jsonl

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.store.marks import MAX_TAGS, NOTE_CHARS, TAG_CHARS


def _two(db: store.Store) -> tuple[str, str]:
    a = db.start_session(
        title="alpha flaky login", id="aaaa-0001", started_at="2026-10-01T10:00:00Z"
    )
    b = db.start_session(title="beta", id="bbbb-0002", started_at="2026-10-02T10:00:00Z")
    db.append(a, "user", "the login test fails again", created_at="2026-10-01T10:00:01Z")
    db.append(b, "user", "the login page is slow", created_at="2026-10-02T10:00:01Z")
    return a, b


def test_tag_untag_case_folded_sorted_and_once(db: store.Store) -> None:
    a, _ = _two(db)
    assert db.tag(a, "Flaky", "#CI", "flaky") == ["ci", "flaky"]
    assert db.tag(a, ["ÉTÉ", "ci"]) == ["ci", "flaky", "été"]
    assert db.untag(a, "FLAKY", "absent") == ["ci", "été"]
    assert db.tags(a) == ["ci", "été"]
    assert db.session(a).tags == ("ci", "été")  # type: ignore[union-attr]
    assert db.all_tags() == [("ci", 1), ("été", 1)]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "  ",
        "#",
        "two words",
        "-leading",
        "_under",
        "a" * (TAG_CHARS + 1),
        "x;y",
        "tag\x1b[31m",
        "r\u202eevil",
        "a\nb",
        3,
        None,
    ],
)
def test_bad_tags_are_refused_and_nothing_changes(db: store.Store, bad: object) -> None:
    a, _ = _two(db)
    db.tag(a, "keep")
    with pytest.raises(store.InvalidInput):
        db.tag(a, "fine", bad)  # type: ignore[arg-type]
    assert db.tags(a) == ["keep"]  # all or nothing


def test_at_most_max_tags(db: store.Store) -> None:
    a, _ = _two(db)
    db.tag(a, [f"t{i}" for i in range(MAX_TAGS)])
    with pytest.raises(store.InvalidInput, match="at most"):
        db.tag(a, "one-more")
    assert len(db.tags(a)) == MAX_TAGS


def test_marks_on_a_missing_session_are_refused(db: store.Store) -> None:
    for call in (
        lambda: db.tag("nope", "x"),
        lambda: db.untag("nope", "x"),
        lambda: db.pin("nope"),
        lambda: db.set_note("nope", "hi"),
    ):
        with pytest.raises(store.SessionNotFound):
            call()


def test_pin_and_unpin(db: store.Store) -> None:
    a, b = _two(db)
    assert db.pin(a) is False
    assert db.pin(a) is True  # already pinned
    assert db.session(a).pinned and not db.session(b).pinned  # type: ignore[union-attr]
    assert db.pin(a, False) is True
    assert not db.session(a).pinned  # type: ignore[union-attr]
    with pytest.raises(store.InvalidInput):
        db.pin(a, "no")  # type: ignore[arg-type]
    assert not db.session(a).pinned  # type: ignore[union-attr]


def test_note_set_replace_and_clear(db: store.Store) -> None:
    a, _ = _two(db)
    assert db.set_note(a, "  fails only on CI\nsee #123  ") == "fails only on CI\nsee #123"
    assert db.session(a).note == "fails only on CI\nsee #123"  # type: ignore[union-attr]
    db.set_note(a, "second")
    assert db.session(a).note == "second"  # type: ignore[union-attr]
    db.pin(a)
    db.set_note(a, "   ")  # blank removes the note, the pin stays
    info = db.session(a)
    assert info is not None and info.note is None and info.pinned
    db.pin(a, False)
    with db.reading() as conn:  # nothing left: the row goes
        assert conn.execute("SELECT count(*) FROM session_marks").fetchone()[0] == 0


def test_note_checks(db: store.Store) -> None:
    a, _ = _two(db)
    with pytest.raises(store.InvalidInput, match="at most"):
        db.set_note(a, "x" * (NOTE_CHARS + 1))
    with pytest.raises(store.InvalidInput):
        db.set_note(a, 42)  # type: ignore[arg-type]
    with pytest.raises(store.InvalidInput):
        db.set_note(a, "lone \ud800 surrogate")
    assert db.session(a).note is None  # type: ignore[union-attr]


def test_list_filter_and_search_filter_by_tag_and_pin(db: store.Store) -> None:
    a, b = _two(db)
    db.tag(a, "flaky")
    db.pin(b)
    assert [s.id for s in db.sessions(match="tag:flaky")] == [a]
    assert [s.id for s in db.sessions(match="tag:FLAKY")] == [a]  # values fold like tags
    assert [s.id for s in db.sessions(match="-tag:flaky")] == [b]
    assert [s.id for s in db.sessions(match="is:pinned")] == [b]
    assert [s.id for s in db.sessions(match="-is:pinned")] == [a]
    assert db.count_sessions(match="is:pinned tag:flaky") == 0
    assert {h.session_id for h in db.search("login tag:flaky")} == {a}
    assert {h.session_id for h in db.search("login is:pinned")} == {b}
    assert {h.session_id for h in db.search("login -is:pinned")} == {a}
    assert {h.session_id for h in db.search("tag:flaky")} == {a}  # a filter alone walks
    assert db.search("login tag:none") == []


def test_list_filter_refuses_message_filters_of_is(db: store.Store) -> None:
    with pytest.raises(store.InvalidInput, match="is:error"):
        db.sessions(match="is:error")
    spec = store.listfilter.parse_list_filter("tag:#Flaky is:pinned")
    assert spec.chips == ["tag:flaky", "is:pinned"] and not spec.errors


def test_pinned_first_pages_through_every_session_once(db: store.Store) -> None:
    ids = [
        db.start_session(
            title=f"s{i}", id=f"sess-{i:02d}", started_at=f"2026-10-{i + 1:02d}T00:00:00Z"
        )
        for i in range(9)
    ]
    for sid in (ids[1], ids[4], ids[7]):
        db.pin(sid)
    newest_first = [s.id for s in db.sessions(limit=None)]
    pinned = [sid for sid in newest_first if sid in (ids[1], ids[4], ids[7])]
    expected = pinned + [sid for sid in newest_first if sid not in pinned]
    assert [s.id for s in db.sessions(limit=None, pinned_first=True)] == expected
    pages = [
        s.id for k in range(0, 9, 2) for s in db.sessions(limit=2, offset=k, pinned_first=True)
    ]
    assert pages == expected
    assert [s.id for s in db.sessions(pinned_first=True, match="-is:pinned", limit=2)] == expected[
        3:5
    ]


def test_marks_survive_save_rewrites_and_appends(db: store.Store) -> None:
    a, _ = _two(db)
    db.tag(a, "flaky")
    db.pin(a)
    db.set_note(a, "look at this")
    db.save(a, [{"role": "user", "content": "rewritten"}, {"role": "assistant", "content": "ok"}])
    db.save(a, [])  # every message deleted
    db.save(a, [{"role": "user", "content": "back"}], title="new title")
    db.append(a, "assistant", "more")
    info = db.session(a)
    assert info is not None
    assert (info.tags, info.pinned, info.note, info.title) == (
        ("flaky",),
        True,
        "look at this",
        "new title",
    )


def test_delete_session_removes_its_marks(db: store.Store) -> None:
    a, _ = _two(db)
    db.tag(a, "flaky")
    db.set_note(a, "bye")
    db.pin(a)
    db.delete_session(a)
    with db.reading() as conn:
        assert conn.execute("SELECT count(*) FROM session_tags").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM session_marks").fetchone()[0] == 0


def _lines(prefix: str, count: int) -> list[dict]:
    return [
        claude_text(f"{prefix}-a{i}", f"{prefix}-m{i}", f"{prefix} reply {i}", i)
        if i % 2
        else claude_user(f"{prefix}-u{i}", f"{prefix} prompt {i}", i)
        for i in range(count)
    ]


def test_marks_survive_re_imports_of_the_same_transcript(db: store.Store, tmp_path: Path) -> None:
    path = write_jsonl(claude_path(tmp_path), _lines("old", 6))
    import_source(db, "claude-code", path)
    db.tag(CLAUDE_SID, "flaky")
    db.pin(CLAUDE_SID)
    db.set_note(CLAUDE_SID, "keep me")
    import_source(db, "claude-code", path)  # nothing new
    write_jsonl(path, _lines("old", 10))  # the agent wrote more
    import_source(db, "claude-code", path)
    tmp = path.with_suffix(".new")  # replaced by a different file: read from the start
    write_jsonl(tmp, _lines("new", 12))
    os.replace(tmp, path)
    import_source(db, "claude-code", path)
    info = db.session(CLAUDE_SID)
    assert info is not None and info.message_count >= 10
    assert (info.tags, info.pinned, info.note) == (("flaky",), True, "keep me")


def test_notes_are_redacted_when_the_store_redacts(store_path: Path) -> None:
    secret = "AKIAIOSFODNN7EXAMPLE"
    with store.open(redact=True) as db:
        a, _ = _two(db)
        stored = db.set_note(a, f"creds were {secret}")
        assert stored is not None and secret not in stored and "REDACTED" in stored
        assert secret not in (db.session(a).note or "")  # type: ignore[union-attr]


def test_redact_existing_rewrites_notes(db: store.Store) -> None:
    secret = "AKIAIOSFODNN7EXAMPLE"
    a, _ = _two(db)
    db.set_note(a, f"creds were {secret}")
    report = db.redact_existing()
    assert report.notes == 1 and "1 notes" in report.summary()
    assert secret not in (db.session(a).note or "")  # type: ignore[union-attr]
