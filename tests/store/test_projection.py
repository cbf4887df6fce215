"""The Python projection of searchable text is the exact twin of the SQL one in schema.py.

The FTS index is external-content: rows inserted with the Python projection are deleted by
triggers with the SQL projection, so any difference would corrupt the index.
"""

from __future__ import annotations

import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionscope import store
from sessionscope.store import blocks as codec
from sessionscope.store.schema import _text, _tools

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
block = st.one_of(
    st.fixed_dictionaries({"type": st.just("text"), "text": text | json_value}),
    st.fixed_dictionaries({"type": st.just("thinking"), "thinking": text | json_value}),
    st.fixed_dictionaries(
        {"type": st.just("tool_use"), "id": text, "name": text | json_value},
        optional={"input": json_value},
    ),
    st.fixed_dictionaries(
        {"type": st.just("tool_result"), "tool_use_id": text},
        optional={
            "content": text
            | st.lists(
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["text", "image"]), "text": text | json_value}
                ),
                max_size=3,
            )
            | json_value,
            "is_error": st.booleans(),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("image"), "source": st.fixed_dictionaries({"data": text})}
    ),
    st.dictionaries(st.just("type"), text, min_size=1),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(block, max_size=5))
def test_python_projection_equals_sql(blocks: list[dict]) -> None:
    conn = sqlite3.connect(":memory:")
    encoded = codec.encode(blocks)
    sql = conn.execute(f"SELECT {_text('?1')}, {_tools('?1')}", (encoded,)).fetchone()
    assert codec.project_json(blocks, encoded) == sql


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(block, min_size=1, max_size=4), min_size=1, max_size=6), st.data())
def test_index_stays_consistent_through_writes(db, batches: list[list[dict]], data) -> None:
    sid = db.start_session()
    for content in batches:
        db.append(
            sid,
            "assistant",
            content,
            external_id=data.draw(st.sampled_from(["a", "b", None])),
            replace=data.draw(st.booleans()),
        )
    messages = db.load(sid).messages
    if messages:
        keep = data.draw(st.integers(min_value=0, max_value=len(messages)))
        db.save(sid, [{"role": m.role, "content": m.blocks} for m in messages[:keep]])
    assert db.check(full=True) == []
    db.delete_session(sid)
    assert db.check(full=True) == []


def test_nul_and_surrogates_take_the_sql_path(db) -> None:
    sid = db.start_session()
    db.append(sid, "user", "before\x00after needle")
    db.append(sid, "user", "lone \ud800 surrogate needle")
    assert db.check(full=True) == []
    assert len(db.search("needle")) == 2
    db.delete_session(sid)
    assert db.check(full=True) == []


def test_memory_store_works_too() -> None:
    db = store.open(":memory:")
    sid = db.start_session()
    db.append(sid, "user", "in memory needle")
    assert db.search("needle")[0].session_id == sid


def test_full_check_catches_a_stale_index(db) -> None:
    sid = db.start_session()
    db.append(sid, "user", "hello world")
    assert db.check(full=True) == []
    conn = db._db.connection()
    conn.execute(
        "INSERT INTO messages_fts(messages_fts, rowid, text, tools) VALUES ('delete', 1, 'hello other', NULL)"
    )
    assert db.check(full=True) and "disagree" in db.check(full=True)[0]
