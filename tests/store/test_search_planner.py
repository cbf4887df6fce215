"""The search planner (issue 16): filters resolved before the text index, newest-first walks,
exact time order without sorting every match, exclusions alone, common words, typed prefixes,
the time budget (`Hits.partial`), and CJK edges. Correctness only: timings are benchmarks'."""

from __future__ import annotations

import pytest

from sessionscope.store import Store
from sessionscope.store.search import Hits, search_messages
from sessionscope.store.search import planner as search_planner


def _run(db: Store, query: str, **kw) -> Hits:
    with db.reading() as conn:
        return search_messages(conn, query, **kw)


def _traced(db: Store, query: str, **kw) -> tuple[Hits, list[str]]:
    statements: list[str] = []

    with db.reading() as conn:
        conn.set_trace_callback(statements.append)
        try:
            hits = search_messages(conn, query, **kw)
        finally:
            conn.set_trace_callback(None)
    return hits, statements


@pytest.fixture
def archive(db: Store) -> dict[str, str]:
    """Two sessions whose ids do not follow time: `late` was written first but is newer."""
    late = db.start_session(
        title="Deploy the canary", project="/home/dev/api", source="codex", model="gpt-5"
    )
    early = db.start_session(title="Old work", project="/home/dev/web", source="claude-code")
    db.append_many(
        late,
        [
            {
                "role": "user" if i % 2 == 0 else "assistant",
                "content": f"the canary deploy step {i} needs the widget",
                "created_at": f"2026-10-02T10:00:{i:02d}Z",
            }
            for i in range(20)
        ],
    )
    db.append_many(
        early,
        [
            {
                "role": "user" if i % 2 == 0 else "assistant",
                "content": f"the widget build {i} was green" if i % 5 else f"plain note {i}",
                "created_at": f"2026-10-01T10:00:{i:02d}Z",
            }
            for i in range(30)
        ],
    )
    db.append(
        early,
        "assistant",
        [
            {"type": "text", "text": "Running it."},
            {"type": "tool_use", "id": "c1", "name": "Bash", "input": {"command": "make widget"}},
        ],
        created_at="2026-10-01T11:00:00Z",
    )
    db.append(
        early,
        "tool",
        [
            {
                "type": "tool_result",
                "tool_use_id": "c1",
                "is_error": True,
                "content": "widget failed",
            }
        ],
        created_at="2026-10-01T11:00:01Z",
    )
    return {"late": late, "early": early}


def _brute(db: Store, words: set[str], exclude: set[str] = frozenset()) -> list[tuple[str, int]]:
    """Every message holding all `words` and none of `exclude`, newest first."""
    rows = []
    for info in db.sessions(limit=100):
        for m in db.messages(info.id):
            text = (m.text + " " + " ".join(str(b) for b in m.blocks)).lower().split()
            tokens = {t.strip(".,:'\"{}[]") for t in text}
            if words <= tokens and not exclude & tokens:
                rows.append((m.created_at, m.id, m.session_id, m.seq))
    rows.sort(reverse=True)
    return [(sid, seq) for _, _, sid, seq in rows]


def test_a_filter_matching_nothing_never_reads_the_text_index(db: Store, archive) -> None:
    for query in (
        "the project:nonexistent",
        "widget model:nomatch",
        "the tool:NoSuchTool",
        "widget source:nowhere",
        "the session:zzz",
        "the until:2000-01-01",
        "widget role:system",
    ):
        hits, statements = _traced(db, query + " ")
        assert hits == [] and not hits.partial, query
        assert not any("messages_fts" in s for s in statements), (query, statements)


def test_filters_alone_walk_newest_first(db: Store, archive) -> None:
    hits = _run(db, "role:user", limit=5)
    assert [(h.session_id, h.seq) for h in hits] == [
        (archive["late"], s) for s in (18, 16, 14, 12, 10)
    ]
    assert len(_run(db, "since:2020-01-01", limit=100)) == 52
    assert {h.session_id for h in _run(db, "project:web")} == {archive["early"]}
    assert [h.seq for h in _run(db, "is:error")] == [31, 30]
    assert [h.seq for h in _run(db, "tool:bash role:tool")] == [31]
    assert _run(db, "role:user tool:Bash") == []
    session = _run(db, f"session:{archive['early'][:8]} role:user", limit=100)
    assert len(session) == 15 and {h.session_id for h in session} == {archive["early"]}


@pytest.mark.parametrize("limit", [1, 3, 7, 50])
def test_time_order_is_exact_when_ids_do_not_follow_time(db: Store, archive, limit) -> None:
    expected = _brute(db, {"widget"})
    for offset in (0, 2):
        hits = _run(db, "widget ", order="time", limit=limit, offset=offset)
        assert [(h.session_id, h.seq) for h in hits] == expected[offset : offset + limit]


def test_exclusions_alone_list_every_other_message_newest_first(db: Store, archive) -> None:
    expected = _brute(db, set(), {"widget"})
    hits = _run(db, "-widget", limit=100)
    assert [(h.session_id, h.seq) for h in hits] == expected
    assert [(h.session_id, h.seq) for h in _run(db, "-widget", limit=2)] == expected[:2]
    assert [h.seq for h in _run(db, "-widget role:user", limit=100)] == [20, 10, 0]
    assert [h.seq for h in _run(db, "-widget", limit=100)] == [25, 20, 15, 10, 5, 0]


def test_common_words_rank_without_bm25_and_find_the_same(db: Store, archive, monkeypatch) -> None:
    before = {(h.session_id, h.seq) for h in _run(db, "the widget ", limit=100)}
    monkeypatch.setattr(search_planner, "COMMON", 0)  # every word counts as common
    after = _run(db, "the widget ", limit=100)
    assert {(h.session_id, h.seq) for h in after} == before
    assert not after.partial
    top = _run(db, "canary deploy ", limit=3)
    assert top[0].role == "user"  # the prompt with the phrase first, newest first among ties


def test_broad_typed_prefixes_expand_from_recent_words(db: Store, archive, monkeypatch) -> None:
    monkeypatch.setattr(search_planner, "PREFIX_DOCS", 0)
    hits = _run(db, "wid", limit=100)
    assert hits.partial  # expanded from a sample: more may exist
    assert {(h.session_id, h.seq) for h in hits} == set(_brute(db, {"widget"}))
    assert all("widget" in h.snippet.lower() for h in hits)
    assert _run(db, "zzz", limit=5) == []


def test_the_budget_returns_what_it_has_marked_partial(db: Store, archive) -> None:
    hits = _run(db, "the widget ", budget=0)
    assert hits.partial
    full = _run(db, "the widget ", budget=None)
    assert not full.partial and len(full) == len(_brute(db, {"the", "widget"}))


def test_session_filter_with_a_common_word(db: Store, archive) -> None:
    hits = _run(db, f"the session:{archive['late'][:8]} ", limit=100)
    assert {h.session_id for h in hits} == {archive["late"]} and len(hits) == 20


def test_cjk_bigrams_and_latin_glued_to_cjk(db: Store) -> None:
    sid = db.start_session(title="日本語")
    db.append(sid, "user", "Reactのコンポーネントを直してください")
    db.append(sid, "user", "顧客データの重複")  # the bigram ends the prose
    db.append(sid, "assistant", "重複を削除しました。reactive は別の話です")
    db.append(sid, "user", "no cjk here, just React hooks")
    assert [h.seq for h in _run(db, "Reactの")] == [0]
    assert {h.seq for h in _run(db, "React ")} == {0, 3}  # glued and spaced, not reactive
    assert {h.seq for h in _run(db, "React ", order="time")} == {0, 3}
    assert {h.seq for h in _run(db, "重複")} == {1, 2}
    assert {h.seq for h in _run(db, "重複", order="time")} == {1, 2}
    assert [h.seq for h in _run(db, "コンポーネントを直してください")] == [0]
    assert [h.seq for h in _run(db, "重複 -削除")] == [1]
    hit = _run(db, "React ")
    assert any("React" in h.snippet for h in hit)


def test_hits_are_a_list_with_a_partial_flag(db: Store, archive) -> None:
    hits = db.search("widget ")
    assert isinstance(hits, list) and hits.partial is False
    assert db.search("") == [] and db.search("in:tools") == []
