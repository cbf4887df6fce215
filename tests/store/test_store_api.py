"""The write and read API agents use (README, "For agents: the write API")."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.store import Store


def _tool_exchange(db: Store, sid: str) -> None:
    db.append(sid, "user", "why does test_login fail?")
    db.append(
        sid,
        "assistant",
        [
            {"type": "text", "text": "Let me run the tests."},
            {"type": "tool_use", "id": "t1", "name": "bash", "input": {"cmd": "pytest"}},
        ],
        input_tokens=1200,
        output_tokens=80,
        cost_usd=0.004,
    )
    db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": "t1", "content": "1 failed"}])


def test_design_example_round_trip(db: Store) -> None:
    sid = db.start_session(title="fix flaky test", source="my-agent", project="/src/app", model="m")
    assert db.append(sid, "user", "why does test_login fail?") == 0
    assert (
        db.append(
            sid,
            "assistant",
            [
                {"type": "text", "text": "..."},
                {"type": "tool_use", "id": "t1", "name": "bash", "input": {"cmd": "pytest"}},
            ],
            input_tokens=1200,
            output_tokens=80,
            cost_usd=0.004,
        )
        == 1
    )
    assert (
        db.append(
            sid, "tool", [{"type": "tool_result", "tool_use_id": "t1", "content": "1 failed"}]
        )
        == 2
    )
    assert db.append_many(
        sid,
        [
            {"role": "user", "content": "..."},
            {"role": "assistant", "content": [{"type": "text", "text": "ok"}], "output_tokens": 9},
        ],
    ) == [3, 4]
    db.end_session(sid, status="completed")
    session = db.load(sid)
    assert session is not None
    assert (session.title, session.source, session.project, session.model) == (
        "fix flaky test",
        "my-agent",
        "/src/app",
        "m",
    )
    assert session.status == "completed" and session.ended_at is not None
    assert [m.seq for m in session.messages] == [0, 1, 2, 3, 4]
    assert [m.role for m in session.messages] == ["user", "assistant", "tool", "user", "assistant"]
    assert session.messages[0].blocks == [{"type": "text", "text": "why does test_login fail?"}]
    assert session.messages[1].tool_uses[0]["input"] == {"cmd": "pytest"}
    assert (session.message_count, session.input_tokens, session.output_tokens) == (5, 1200, 89)
    assert session.cost_usd == pytest.approx(0.004)
    assert db.tool_calls(sid)["t1"] == {
        "name": "bash",
        "is_error": False,
        "seq": 1,
        "result_seq": 2,
    }


def test_timestamps_are_utc_iso_with_ms_and_z(db: Store) -> None:
    sid = db.start_session(started_at="2026-10-01T12:00:00+02:00")
    db.append(sid, "user", "hi", created_at="2026-10-01T10:00:01.5Z")
    info = db.session(sid)
    assert info is not None and info.started_at == "2026-10-01T10:00:00.000Z"
    assert db.load(sid).messages[0].created_at == "2026-10-01T10:00:01.500Z"  # type: ignore[union-attr]
    assert info.updated_at == "2026-10-01T10:00:01.500Z"


def test_external_ids_make_appends_idempotent(db: Store) -> None:
    sid = db.start_session()
    first = db.append_many(
        sid,
        [
            {"role": "user", "content": "a", "external_id": "u1"},
            {"role": "assistant", "content": "b", "external_id": "a1", "output_tokens": 5},
        ],
    )
    again = db.append_many(
        sid,
        [
            {"role": "user", "content": "a", "external_id": "u1"},
            {"role": "assistant", "content": "b", "external_id": "a1", "output_tokens": 5},
            {"role": "user", "content": "c", "external_id": "u2"},
        ],
    )
    assert first == [0, 1] and again == [0, 1, 2]
    info = db.session(sid)
    assert info is not None and (info.message_count, info.output_tokens) == (3, 5)


def test_replace_updates_in_place_and_fixes_totals(db: Store) -> None:
    sid = db.start_session()
    db.append(
        sid,
        "assistant",
        [{"type": "thinking", "thinking": "hmm"}],
        external_id="m1",
        output_tokens=10,
    )
    db.append(sid, "user", "next", external_id="u2")
    seq = db.append(
        sid,
        "assistant",
        [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "merged answer"}],
        external_id="m1",
        output_tokens=12,
        replace=True,
    )
    assert seq == 0
    info = db.session(sid)
    assert info is not None and (info.message_count, info.output_tokens) == (2, 12)
    assert db.search("merged answer")[0].seq == 0
    assert db.search("hmm")[0].seq == 0


def test_duplicates_within_one_batch_last_wins(db: Store) -> None:
    sid = db.start_session()
    seqs = db.append_many(
        sid,
        [
            {"role": "assistant", "content": "part one", "external_id": "x", "output_tokens": 3},
            {
                "role": "assistant",
                "content": "part one and two",
                "external_id": "x",
                "output_tokens": 3,
            },
        ],
        replace=True,
    )
    assert seqs == [0, 0]
    loaded = db.load(sid)
    assert loaded is not None and len(loaded.messages) == 1
    assert loaded.messages[0].text == "part one and two"
    assert loaded.output_tokens == 3


def test_append_many_is_all_or_nothing(db: Store) -> None:
    sid = db.start_session()
    db.append(sid, "user", "kept")
    with pytest.raises(store.InvalidInput):
        db.append_many(sid, [{"role": "user", "content": "ok"}, {"role": "wizard", "content": "x"}])
    with pytest.raises(store.InvalidInput):
        db.append_many(sid, [{"role": "user", "content": "ok"}, {"role": "user", "content": 42}])
    assert db.message_count(sid) == 1
    assert db.session(sid).message_count == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"role": "robot", "content": "x"}, "role"),
        ({"role": "user", "content": None}, "content"),
        ({"role": "user", "content": [{"no": "type"}]}, "type"),
        ({"role": "user", "content": "x", "input_tokens": -1}, "input_tokens"),
        ({"role": "user", "content": "x", "cost_usd": float("nan")}, "cost_usd"),
        ({"role": "user", "content": "x", "created_at": "yesterday-ish"}, "timestamp"),
        ({"role": "user", "content": "x", "colour": "red"}, "unknown"),
        ({"role": "user", "content": [{"type": "text", "text": object()}]}, "JSON"),
    ],
)
def test_bad_messages_raise_typed_errors(db: Store, kwargs: dict, match: str) -> None:
    sid = db.start_session()
    with pytest.raises(store.InvalidInput, match=match):
        db.append_many(sid, [kwargs])


def test_unknown_session_is_a_typed_error(db: Store) -> None:
    with pytest.raises(store.SessionNotFound):
        db.append("nope", "user", "x")
    with pytest.raises(store.SessionNotFound):
        db.end_session("nope")
    with pytest.raises(store.SessionNotFound):
        db.record_signal("nope", kind="explicit", source="thumbs", value=1.0)
    assert db.load("nope") is None and db.session("nope") is None


def test_odd_text_round_trips(db: Store) -> None:
    odd = "NUL\x00 ESC\x1b[31m lone\ud800surrogate emoji 🧪 RTL \u202e 日本語 " + "x" * 100_000
    with pytest.raises(store.InvalidInput, match="surrogate"):
        db.start_session(title=odd[:50])
    sid = db.start_session(title=odd[:15])
    db.append(sid, "user", odd)
    db.append(sid, "assistant", [{"type": "tool_use", "id": "t", "name": "n", "input": {"k": odd}}])
    loaded = db.load(sid)
    assert loaded is not None
    assert loaded.messages[0].text == odd
    assert loaded.messages[1].blocks[0]["input"]["k"] == odd
    assert loaded.title == odd[:15]


def test_save_writes_only_changed_rows(db: Store) -> None:
    sid = "sparrow-1"
    messages = [{"role": "user", "content": f"message {i}"} for i in range(50)]
    result = db.save(sid, messages, title="saved")
    assert result == store.SaveResult(inserted=50, updated=0, deleted=0, unchanged=0)
    conn = db._db.connection()
    before = conn.total_changes
    assert db.save(sid, messages) == store.SaveResult(0, 0, 0, 50)
    assert conn.total_changes == before  # nothing written at all
    changed = [
        *messages[:10],
        {"role": "user", "content": "edited"},
        *messages[11:],
        {"role": "assistant", "content": "new", "output_tokens": 7},
    ]
    assert db.save(sid, changed) == store.SaveResult(inserted=1, updated=1, deleted=0, unchanged=49)
    shorter = changed[:20]
    assert db.save(sid, shorter) == store.SaveResult(
        inserted=0, updated=0, deleted=31, unchanged=20
    )
    loaded = db.load(sid)
    assert loaded is not None and loaded.title == "saved"
    assert [m.text for m in loaded.messages][10] == "edited"
    assert (loaded.message_count, loaded.output_tokens) == (20, 0)
    assert db.search("edited")[0].seq == 10
    assert db.search("new") == []  # deleted rows are gone from the index


def test_sessions_listing_filters_and_orders(db: Store) -> None:
    a = db.start_session(
        title="a", source="codex", project="/src/webapp", started_at="2026-10-01T00:00:00Z"
    )
    b = db.start_session(
        title="b", source="claude-code", project="/src/api", started_at="2026-10-02T00:00:00Z"
    )
    child = db.start_session(
        title="b child",
        source="claude-code",
        project="/src/api",
        parent_session_id=b,
        started_at="2026-10-02T00:00:01Z",
    )
    db.append(a, "assistant", "x", output_tokens=500, created_at="2026-10-03T00:00:00Z")
    assert [s.id for s in db.sessions()] == [a, child, b]
    assert [s.id for s in db.sessions(top_level=True)] == [a, b]
    assert [s.id for s in db.sessions(source="claude-code")] == [child, b]
    assert [s.id for s in db.sessions(project="webapp")] == [a]
    assert [s.id for s in db.sessions(parent=b)] == [child]
    assert next(s.id for s in db.sessions(order="tokens")) == a
    assert [s.id for s in db.sessions(since="2026-10-02T12:00:00Z")] == [a]
    assert db.session(b).child_count == 1  # type: ignore[union-attr]
    assert db.count_sessions(top_level=True) == 2
    assert [s.id for s in db.sessions(limit=1, offset=1)] == [child]
    with pytest.raises(store.InvalidInput):
        db.sessions(order="sideways")


def test_scroll_returns_a_window(db: Store) -> None:
    sid = db.start_session()
    db.append_many(sid, [{"role": "user", "content": f"m{i}"} for i in range(100)])
    window = db.scroll(sid, around=50, before=2, after=3)
    assert [m.seq for m in window] == [48, 49, 50, 51, 52, 53]
    assert [m.seq for m in db.scroll(sid, around=-1, before=1, after=5)] == [98, 99]
    assert [m.seq for m in db.scroll(sid, before=0, after=1)] == [0, 1]


def test_recent_inputs_are_real_prompts_newest_first(db: Store) -> None:
    parent = db.start_session()
    db.append(parent, "user", "first prompt", created_at="2026-10-01T00:00:00Z")
    db.append(
        parent,
        "tool",
        [{"type": "tool_result", "tool_use_id": "t", "content": "out"}],
        created_at="2026-10-01T00:00:01Z",
    )
    db.append(parent, "system", "meta", created_at="2026-10-01T00:00:02Z")
    db.append(parent, "user", "second prompt", created_at="2026-10-01T00:00:03Z")
    db.append(parent, "user", "first prompt", created_at="2026-10-01T00:00:04Z")
    child = db.start_session(parent_session_id=parent)
    db.append(child, "user", "subagent prompt", created_at="2026-10-01T00:00:05Z")
    assert db.recent_inputs() == ["first prompt", "second prompt"]
    assert db.recent_inputs(limit=1) == ["first prompt"]


def test_delete_session_removes_messages_children_and_search_hits(db: Store) -> None:
    sid = db.start_session(title="doomed")
    _tool_exchange(db, sid)
    child = db.start_session(parent_session_id=sid)
    db.append(child, "user", "child zebra words")
    keep = db.start_session(title="kept")
    db.append(keep, "user", "zebra in the kept session")
    db.record_signal(sid, kind="explicit", source="thumbs", value=1.0)
    assert len(db.search("zebra")) == 2
    assert db.delete_session(sid) is True
    assert db.load(sid) is None and db.load(child) is None
    assert [h.session_id for h in db.search("zebra")] == [keep]
    assert db.search("pytest") == [] and db.search("test_login") == []
    assert db.delete_session(sid) is False
    conn = db._db.connection()
    assert conn.execute("SELECT count(*) FROM tool_calls").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM signals").fetchone()[0] == 0
    assert conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")


def test_record_signal_validation(db: Store) -> None:
    sid = db.start_session()
    assert (
        db.record_signal(sid, kind="explicit", source="thumbs", value=1.0, payload={"why": "good"})
        > 0
    )
    assert db.record_signal(sid, kind="implicit", source="tests-passed", value=0) > 0
    for bad in (-0.1, 1.5, float("nan"), "1", True):
        with pytest.raises(store.InvalidInput):
            db.record_signal(sid, kind="explicit", source="thumbs", value=bad)  # type: ignore[arg-type]
    with pytest.raises(store.InvalidInput):
        db.record_signal(sid, kind="gut-feeling", source="thumbs", value=0.5)
    assert [s["value"] for s in db.signals(sid)] == [1.0, 0.0]
    assert db.signals(sid)[0]["payload"] == {"why": "good"}


def test_store_is_safe_to_share_between_threads(db: Store) -> None:
    sid = db.start_session()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                db.append(sid, "user", f"thread {n} message {i}")
                db.search(f"thread {n}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    loaded = db.load(sid)
    assert loaded is not None
    assert sorted(m.seq for m in loaded.messages) == list(range(200))
    assert loaded.message_count == 200


def test_memory_store_and_transaction_groups_writes() -> None:
    db = store.open(":memory:")
    sid = db.start_session()
    with pytest.raises(RuntimeError), db.transaction():
        db.append(sid, "user", "inside")
        db.update_session(sid, title="changed")
        raise RuntimeError("abort the batch")
    assert db.message_count(sid) == 0 and db.session(sid).title is None  # type: ignore[union-attr]
    with db.transaction():
        db.append(sid, "user", "one")
        db.append(sid, "user", "two")
    assert db.message_count(sid) == 2
    db.close()


def test_data_version_changes_when_another_connection_writes(store_path: Path) -> None:
    reader = store.open()
    writer = store.open()
    sid = writer.start_session()
    before = reader.data_version()
    writer.append(sid, "user", "hello")
    assert reader.data_version() != before
    reader.close()
    writer.close()


def test_resolve_session_by_prefix(db: Store) -> None:
    sid = db.start_session(id="abcdef-1234")
    db.start_session(id="abcdxy-9999")
    assert db.resolve_session("abcdef") == sid
    assert db.resolve_session(sid) == sid
    with pytest.raises(store.InvalidInput, match="more than one"):
        db.resolve_session("abcd")
    for literal in ("abc_", "abc%", "zzzz", "ab_"):  # wildcards are literal
        with pytest.raises(store.SessionNotFound):
            db.resolve_session(literal)
    # a short prefix that matches is too short (issue 12), not "no session has id"
    with pytest.raises(store.InvalidInput, match="too short: a session id prefix needs at least 4"):
        db.resolve_session("abc")


def test_short_ids_name_each_session_alone_and_resolve_back(db: Store) -> None:
    ids = [
        "ses_1794aBc-1",
        "ses_1794abc-2",
        "demo-e2-001",
        "demo-e2-002",
        "demo-e2-1",
        "solo-id-0123",
    ]
    for sid in ids:
        db.start_session(id=sid)
    db.start_session(id="demo-e2")  # a prefix of others: printed whole
    short = db.short_ids([*ids, "demo-e2"])
    assert short == {
        "ses_1794aBc-1": "ses_1794aB",
        "ses_1794abc-2": "ses_1794ab",  # LIKE folds case: resolve checks the exact prefix
        "demo-e2-001": "demo-e2-001",
        "demo-e2-002": "demo-e2-002",
        "demo-e2-1": "demo-e2-1",
        "solo-id-0123": "solo-id-",
        "demo-e2": "demo-e2",
    }
    for sid, prefix in short.items():
        assert db.resolve_session(prefix) == sid
    with pytest.raises(store.InvalidInput, match="more than one"):
        db.resolve_session("SES_1794ABC")  # both, case folded, and neither exactly


def test_surrogates_in_tool_ids_do_not_break_writes(db: Store) -> None:
    sid = db.start_session()
    db.append(
        sid, "assistant", [{"type": "tool_use", "id": "t\ud800", "name": "n\udfff", "input": {}}]
    )
    db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": "t\ud800", "content": "ok"}])
    calls = db.tool_calls(sid)
    assert list(calls.values()) == [
        {"name": "n\ufffd", "is_error": False, "seq": 0, "result_seq": 1}
    ]
    assert db.load(sid).messages[0].blocks[0]["id"] == "t\ud800"  # type: ignore[union-attr]


def test_recent_inputs_skip_slash_command_wrappers(db: Store) -> None:
    sid = db.start_session()
    db.append(
        sid,
        "user",
        "<command-name>/model</command-name>",
        metadata={"kind": "command"},
        created_at="2026-10-01T00:00:02Z",
    )
    db.append(sid, "user", "real prompt", created_at="2026-10-01T00:00:01Z")
    assert db.recent_inputs() == ["real prompt"]


def test_rewritten_call_pairs_with_a_result_that_came_first(db: Store) -> None:
    sid = db.start_session()
    db.append(sid, "assistant", [{"type": "thinking", "thinking": "let me look"}], external_id="m1")
    db.append(
        sid,
        "tool",
        [{"type": "tool_result", "tool_use_id": "c1", "content": "boom", "is_error": True}],
    )
    db.append(
        sid,
        "assistant",
        [
            {"type": "thinking", "thinking": "let me look"},
            {"type": "tool_use", "id": "c1", "name": "Bash", "input": {"command": "make"}},
        ],
        external_id="m1",
        replace=True,
    )
    assert db.tool_calls(sid)["c1"] == {"name": "Bash", "is_error": True, "seq": 0, "result_seq": 1}


def test_writing_connections_stop_memory_mapping(db: Store) -> None:
    seen: list[int] = []

    def reader_then_writer() -> None:  # a fresh thread: a fresh connection
        conn = db._db.connection()
        db.search("anything")
        seen.append(conn.execute("PRAGMA mmap_size").fetchone()[0])
        db.start_session()
        seen.append(conn.execute("PRAGMA mmap_size").fetchone()[0])

    thread = threading.Thread(target=reader_then_writer)
    thread.start()
    thread.join()
    assert seen[0] > 0 and seen[1] == 0


def test_tool_calls_in_a_seq_window_and_cheap_counts(db: Store) -> None:
    sid = db.start_session()
    for i in range(10):
        db.append(
            sid,
            "assistant",
            [{"type": "tool_use", "id": f"c{i}", "name": "Bash", "input": {}}],
            output_tokens=2,
        )
        db.append(sid, "tool", [{"type": "tool_result", "tool_use_id": f"c{i}", "content": "ok"}])
    window = db.tool_calls(sid, 4, 8)
    assert list(window) == ["c2", "c3"]
    assert window["c2"] == {"name": "Bash", "is_error": False, "seq": 4, "result_seq": 5}
    assert len(db.tool_calls(sid)) == 10
    assert db.counts() == {
        "sessions": 1,
        "messages": 20,
        "input_tokens": 0,
        "output_tokens": 20,
        "cost_usd": 0.0,
        "cache_read_tokens": 0,
        "cache_creation_tokens": 0,
    }


def test_save_moves_messages_with_external_ids(db: Store) -> None:
    sid = "pruned"
    a, b, c = ({"role": "user", "content": t, "external_id": t, "input_tokens": 1} for t in "abc")
    db.save(sid, [a, b, c])
    assert db.save(sid, [a, c]) == store.SaveResult(inserted=0, updated=1, deleted=1, unchanged=1)
    assert [(m.seq, m.external_id) for m in db.load(sid).messages] == [(0, "a"), (1, "c")]  # type: ignore[union-attr]
    db.save(sid, [c, a, b])  # reordered, and one back
    loaded = db.load(sid)
    assert loaded is not None and [m.external_id for m in loaded.messages] == ["c", "a", "b"]
    assert loaded.input_tokens == 3 and loaded.message_count == 3
    with pytest.raises(store.InvalidInput, match="appears twice"):
        db.save(sid, [a, a])
    assert [m.external_id for m in db.load(sid).messages] == ["c", "a", "b"]  # type: ignore[union-attr]
    assert db.check(full=True) == []


def test_a_failed_write_inside_a_transaction_undoes_only_itself(db: Store) -> None:
    sid = "nested"
    db.save(
        sid, [{"role": "user", "content": t, "external_id": t, "input_tokens": 1} for t in "abc"]
    )
    with db.transaction():
        db.append(sid, "user", "kept", input_tokens=5)
        with pytest.raises(store.InvalidInput):
            db.save(
                sid,
                [
                    {"role": "user", "content": "y", "external_id": "y", "input_tokens": 100},
                    {"role": "user", "content": "x", "external_id": "x"},
                    {"role": "user", "content": "x2", "external_id": "x"},
                ],
            )
        with pytest.raises(store.StoreError), db.writing() as conn:  # a constraint failure, typed
            conn.execute("INSERT INTO sessions (id) VALUES (NULL)")
    loaded = db.load(sid)
    assert loaded is not None
    assert [m.text for m in loaded.messages] == ["a", "b", "c", "kept"]
    assert loaded.input_tokens == 8 and loaded.message_count == 4


def test_close_waits_for_a_thread_in_the_middle_of_a_call(store_path: Path) -> None:
    db = store.open()
    sid = db.start_session()
    db.append_many(sid, [{"role": "user", "content": f"word{i} needle"} for i in range(300)])
    outcomes: list[str] = []
    started = threading.Event()

    def poll() -> None:  # like the browser's change poller, still running while the app exits
        started.set()
        try:
            while True:
                db.data_version()
                db.search("needle", limit=200)
        except store.StoreError as exc:
            outcomes.append(str(exc))

    thread = threading.Thread(target=poll)
    thread.start()
    started.wait()
    db.close()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert outcomes == ["the store is closed."]


def test_session_fields_reads_the_columns_asked_for(db: Store) -> None:
    sid = db.start_session(title="fields", project="webapp", git_branch="main")
    assert db.session_fields(sid, ("title", "git_branch", "parent_session_id")) == {
        "title": "fields",
        "git_branch": "main",
        "parent_session_id": None,
    }
    assert db.session_fields("no-such-session", ("title",)) is None
    for names in ((), ("title; DROP TABLE sessions",), ("nope",), "title", None):
        with pytest.raises(store.InvalidInput):
            db.session_fields(sid, names)  # type: ignore[arg-type]
    assert db.session(sid) is not None
