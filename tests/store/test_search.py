"""The search language (README, "Search language"): every feature, ranking, snippets, fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionscope import store
from sessionscope.store import Store
from sessionscope.store.query import parse


@pytest.fixture
def corpus(db: Store) -> dict[str, str]:
    web = db.start_session(
        title="Fix login",
        source="claude-code",
        project="/home/dev/webapp",
        model="claude-sonnet-4-5",
        started_at="2026-10-01T09:00:00Z",
    )
    db.append(
        web,
        "user",
        "The login form accepts empty passwords. Please fix validation.",
        created_at="2026-10-01T09:00:01Z",
    )
    db.append(
        web,
        "assistant",
        [
            {"type": "thinking", "thinking": "The validator skips whitespace-only input."},
            {"type": "text", "text": "I'll run the rate limiter tests first."},
            {
                "type": "tool_use",
                "id": "b1",
                "name": "Bash",
                "input": {"command": "npm test -- LoginForm"},
            },
        ],
        created_at="2026-10-01T09:00:02Z",
        model="claude-sonnet-4-5",
    )
    db.append(
        web,
        "tool",
        [
            {
                "type": "tool_result",
                "tool_use_id": "b1",
                "is_error": True,
                "content": "FAIL LoginForm.test.tsx: expected error for empty passwords",
            }
        ],
        created_at="2026-10-01T09:00:03Z",
    )
    db.append(
        web,
        "assistant",
        [
            {
                "type": "image",
                "source": {
                    "type": "base64",
                    "media_type": "image/png",
                    "data": "iVBORw0KGgoAAAANSUhEUgZZZZZZ",
                },
            }
        ],
        created_at="2026-10-01T09:00:04Z",
    )
    api = db.start_session(
        title="Rate limit",
        source="codex",
        project="/home/dev/api-server",
        model="gpt-5-codex",
        started_at="2026-10-05T14:00:00Z",
    )
    db.append(
        api,
        "user",
        "Add rate limiting to the /login endpoint: at most 5 attempts per minute.",
        created_at="2026-10-05T14:00:01Z",
    )
    db.append(
        api,
        "assistant",
        "Rate limiting is done with a sliding window keyed by IP.",
        created_at="2026-10-05T14:00:02Z",
        model="gpt-5-codex",
    )
    db.append(
        api,
        "assistant",
        [
            {
                "type": "tool_use",
                "id": "s1",
                "name": "shell",
                "input": {"command": ["rg", "rate limiting docs"]},
            }
        ],
        created_at="2026-10-05T14:00:03Z",
    )
    jp = db.start_session(
        title="顧客データ",
        source="claude-code",
        project="/home/dev/data-pipeline",
        started_at="2026-10-07T08:00:00Z",
    )
    db.append(
        jp,
        "user",
        "顧客データの重複を削除してください。Café résumé naïve.",
        created_at="2026-10-07T08:00:01Z",
    )
    return {"web": web, "api": api, "jp": jp}


def _where(db: Store, query: str, **kw) -> list[tuple[str, int]]:
    return [(h.session_id, h.seq) for h in db.search(query, **kw)]


def test_plain_words_all_match_in_any_order(db: Store, corpus: dict[str, str]) -> None:
    assert _where(db, "passwords empty ") == [(corpus["web"], 0), (corpus["web"], 2)]
    assert _where(db, "passwords sliding ") == []


def test_last_word_is_a_prefix_while_typing(db: Store, corpus: dict[str, str]) -> None:
    assert (corpus["api"], 1) in _where(db, "slid")
    assert _where(db, "slid ") == []  # once a space follows it is a whole word


def test_phrases_exclusion_and_or(db: Store, corpus: dict[str, str]) -> None:
    assert _where(db, '"empty passwords"', order="seq") == [(corpus["web"], 0), (corpus["web"], 2)]
    assert _where(db, '"passwords empty"') == []
    hits = set(_where(db, "rate limiting -sliding "))
    assert (corpus["api"], 1) not in hits and (corpus["api"], 0) in hits
    assert set(_where(db, "sliding OR whitespace ")) == {(corpus["api"], 1), (corpus["web"], 1)}
    assert _where(db, "-passwords") != []  # exclusion alone lists the rest, newest first
    assert all(
        h.session_id != corpus["web"] or h.seq not in (0, 2) for h in db.search("-passwords")
    )


def test_field_filters(db: Store, corpus: dict[str, str]) -> None:
    assert _where(db, "role:user passwords ") == [(corpus["web"], 0)]
    assert set(_where(db, "tool:bash")) == {(corpus["web"], 1), (corpus["web"], 2)}
    assert _where(db, "tool:Bash in:tools LoginForm ", order="seq") == [
        (corpus["web"], 1),
        (corpus["web"], 2),
    ]
    assert {s for s, _ in _where(db, "project:api rate ")} == {corpus["api"]}
    assert {s for s, _ in _where(db, "source:codex")} == {corpus["api"]}
    assert {s for s, _ in _where(db, "model:gpt-5 rate ")} == {corpus["api"]}
    assert {s for s, _ in _where(db, "since:2026-10-05 rate ")} == {corpus["api"]}
    assert {s for s, _ in _where(db, "until:2026-10-01 rate ")} == {corpus["web"]}
    assert {s for s, _ in _where(db, f"session:{corpus['api'][:8]} rate ")} == {corpus["api"]}
    assert _where(db, "in:text npm ") == [] and _where(db, "in:tools npm ") == [(corpus["web"], 1)]
    assert _where(db, "is:error") == [(corpus["web"], 2), (corpus["web"], 1)]
    assert _where(db, "-role:user role:tool passwords ") == [(corpus["web"], 2)]
    assert _where(db, "role:wizard") == [] and _where(db, "since:not-a-date") == []


def test_prose_ranks_above_tool_output(db: Store, corpus: dict[str, str]) -> None:
    hits = db.search("empty passwords ")
    assert [h.role for h in hits] == ["user", "tool"]
    assert hits[0].score < hits[1].score  # bm25: lower is better


def test_snippets_mark_the_match(db: Store, corpus: dict[str, str]) -> None:
    hit = db.search("sliding ")[0]
    assert hit.marked("[", "]") == "Rate limiting is done with a [sliding] window keyed by IP."
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "sliding"


def test_substring_search_without_spaces(db: Store, corpus: dict[str, str]) -> None:
    hits = db.search("重複を削除")
    assert [(h.session_id, h.seq) for h in hits] == [(corpus["jp"], 0)]
    assert hits[0].marked("[", "]").startswith("顧客データの[重複を削除]してください")
    assert _where(db, "重複") == [(corpus["jp"], 0)]  # two characters: still found
    assert _where(db, "重複 cafe ") == [(corpus["jp"], 0)]  # mixed with words, accents folded
    assert _where(db, "削除 -résumé ") == []


def test_images_are_never_indexed(db: Store, corpus: dict[str, str]) -> None:
    assert db.search("iVBORw0KGgoAAAANSUhEUgZZZZZZ") == []
    assert db.search("base64") == [] and db.search("png") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "(",
        ")",
        "NEAR(a b)",
        "a AND",
        "OR",
        "OR OR",
        "-",
        "--",
        ":",
        "role:",
        "tool:",
        "a:b:c",
        "7d8e2d1a-6b04-4f3b-9c21",
        "/src/components/LoginForm.tsx",
        "🧪",
        "^",
        "{tools}:x",
        "col:text",
        "NOT",
        "a NOT b",
        "'",
        "\\",
        "%",
        "_",
        "x" * 5000,
        "\x00",
        "\x1b[31m",
        "\ud800",
        'rate "limit',
        '-"unterminated',
        "since:99999-99-99",
        "since:1000000000000d",
        "in:nothing",
    ],
)
def test_odd_queries_never_raise(db: Store, corpus: dict[str, str], query: str) -> None:
    assert isinstance(db.search(query), list)
    assert isinstance(db.search(query, order="time"), list)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_fuzzed_queries_never_raise(db: Store, query: str) -> None:
    sid = db.start_session(id="fuzz", exist_ok=True)
    if db.message_count(sid) == 0:
        db.append(sid, "user", "rate limiting with sliding windows 重複を削除 NEAR AND OR")
    hits = db.search(query)
    assert isinstance(hits, list)
    for hit in hits:
        assert all(0 <= a < b <= len(hit.snippet) for a, b in hit.highlights)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30))
def test_parse_never_raises_and_quotes_terms(query: str) -> None:
    parsed = parse(query)
    for group in parsed.groups:
        for term in group:
            assert term.fts().startswith('"')


def test_search_in_one_session_by_position(db: Store, corpus: dict[str, str]) -> None:
    hits = db.search("rate ", session_id=corpus["api"], order="seq")
    assert [h.seq for h in hits] == [0, 1, 2]
    assert db.search("rate ", session_id="missing") == []
    with pytest.raises(store.InvalidInput):
        db.search("rate", order="sideways")


def test_limit_and_offset_page_through(db: Store) -> None:
    sid = db.start_session()
    db.append_many(sid, [{"role": "user", "content": f"needle number {i}"} for i in range(30)])
    first = db.search("needle ", limit=10, order="time")
    second = db.search("needle ", limit=10, offset=10, order="time")
    assert len(first) == 10 and len(second) == 10
    assert not {h.seq for h in first} & {h.seq for h in second}


def test_snippets_are_inert(db: Store) -> None:
    sid = db.start_session()
    db.append(
        sid,
        "tool",
        [
            {
                "type": "tool_result",
                "tool_use_id": "x",
                "content": "\x1b[31mred\x1b[0m hostile \x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07 tail",
            }
        ],
    )
    hit = db.search("hostile")[0]
    assert "\x1b" not in hit.snippet and "\x07" not in hit.snippet
    assert "pwned" not in hit.snippet


def test_broad_queries_rank_the_recent_window_then_fall_back(db: Store, monkeypatch) -> None:
    from sessionscope.store.search import walk as search_walk

    sid = db.start_session()
    db.append_many(
        sid, [{"role": "user", "content": f"common word number {i}"} for i in range(200)]
    )
    db.append(sid, "user", "rare needle common")
    monkeypatch.setattr(search_walk, "BROAD", 50)
    broad = db.search("common ", limit=20)
    assert len(broad) == 20
    assert all(h.seq >= 150 for h in broad)  # ranked within the recent window
    assert len(db.search("common ", limit=150)) == 150  # window too small: whole archive
    assert [h.seq for h in db.search("rare common ")] == [200]
    assert len(db.search("comm", limit=20)) == 20  # a broad prefix


def test_short_last_words_match_whole(db: Store) -> None:
    sid = db.start_session()
    db.append(sid, "user", "go to the gopher")
    assert len(db.search("go")) == 1 and db.search("go")[0].highlights == [(0, 2)]
    assert db.search("goph")[0].marked("[", "]") == "go to the [gopher]"


def test_near_filters_names_words_that_look_like_a_mistyped_filter() -> None:
    from sessionscope.store.query import near_filters

    assert near_filters("projet:webapp login") == [
        "projet: is not a filter; did you mean project:webapp?"
    ]
    assert near_filters("Sources:codex -tools:bash") == [
        "Sources: is not a filter; did you mean source:codex?",
        "tools: is not a filter; did you mean tool:bash?",
    ]
    # real filters, text with colons, quoted words: nothing to say
    for text in ("project:webapp", "localhost:8080", "TypeError: x", '"projet:x"', "std::vec"):
        assert near_filters(text) == [], text
