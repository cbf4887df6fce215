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


# -- every field, ids and keys included (QA: agent configs, projects, signal sources, session ids,
# sources and tags were stored raw) -------------------------------------------------------------

AWS = "AKIAIOSFODNN7EXAMPLE"  # upper case: a tag's case-folding hides it from its rule


def _key_parts(raw: bytes) -> list[bytes]:
    """Pieces of KEY and AWS as they could sit in the file: as given, lower-cased (the search
    index folds case; tags are case-folded)."""
    low = raw.lower()
    return [p for p in (KEY[4:20], AWS[4:16]) if p.encode() in raw or p.lower().encode() in low]


def _everything_else(db: store.Store, sid: str) -> None:
    """Write KEY into what `_everything` leaves out: ids, sources, status, tags, projects,
    configs and experiments."""
    parent = db.start_session(id=f"parent-{KEY}", source=f"src-{KEY}", title="parent")
    db.start_session(
        id=sid, source=f"src-{KEY}", parent_session_id=parent, metadata={"k": KEY}, title="t"
    )
    db.append(sid, "user", f"use {KEY}", external_id=f"ext-{KEY}")
    db.end_session(sid, status=f"failed: {KEY}")
    db.tag(sid, KEY, AWS, "plain")
    db.set_note(sid, KEY)
    db.record_signal(sid, kind="explicit", source=f"s-{KEY}", value=1.0, payload={"k": KEY})
    pid = db.create_project(f"proj-{KEY}", root_path=f"/r/{KEY}", adapter=f"a-{KEY}")
    db.update_session(sid, project=pid)
    db.create_project("other", metadata={"token": KEY})
    champion = db.add_config(pid, {"system_prompt_prefix": f"use {KEY}"}, role="champion")
    challenger = db.add_config(pid, {"system_prompt_prefix": f"use {KEY} twice"})
    assert champion != challenger
    db.start_experiment(pid, challenger, 0.5, metadata={"why": KEY})


def test_a_redacting_store_writes_no_key_into_any_field(store_path: Path) -> None:
    sid = f"sess-{KEY}"
    with store.open(redact=True) as db:
        _everything(db, "s1")
        _everything_else(db, sid)
        key = db.resolve_session(sid)
        assert key != sid and KEY not in key and "redacted-github_token-" in key
        assert "#" not in key and "[" not in key  # typed in `show ID#SEQ`, a shell
        # the original id still reaches the session, for every call that takes one
        assert db.session(sid).id == key  # type: ignore[union-attr]
        db.append(sid, "assistant", "more")
        assert db.message_count(sid) == 2 and db.load(sid).messages[1].session_id == key  # type: ignore[union-attr]
        assert db.tags(sid) == sorted(db.tags(key)) and "plain" in db.tags(sid)
        assert db.find_message(sid, f"ext-{KEY}") is not None
        assert len(db.signals(sid)) == 1 and db.sessions(parent=f"parent-{KEY}")[0].id == key
        assert db.untag(sid, KEY, AWS) == ["plain"]
        db.tag(sid, KEY)
        assert db.project(f"proj-{KEY}") is not None
        assert db.create_project(f"proj-{KEY}", exist_ok=True) == db.project(f"proj-{KEY}").id  # type: ignore[union-attr]
        info = db.session(sid)
        assert info is not None and KEY not in repr(info) and info.source.startswith("src-[RED")
        assert info.status == "failed: [REDACTED:github_token]"
        for read in (db.projects(), db.configs(info.project_id), db.experiments()):  # type: ignore[arg-type]
            assert KEY not in repr(read) and "[REDACTED:" in repr(read)
        assert KEY not in repr(db.signals(sid)) and KEY not in repr(db.load(sid))
        assert db.check(full=True) == []
    raw = _raw(store_path)
    assert KEY.encode() not in raw and _key_parts(raw) == []


def test_keys_are_stable_unique_and_their_own_keys() -> None:
    from sessionscope.store.redact_keys import redact_key, redact_tag

    other = "ghp_" + "Yw72Kp" * 6
    assert redact_key(f"s-{KEY}") == redact_key(f"s-{KEY}") != redact_key(f"s-{other}")
    assert redact_key(f"s-{KEY}").startswith("s-redacted-github_token-")
    assert redact_key(redact_key(f"s-{KEY}")) == redact_key(f"s-{KEY}")
    assert redact_key("11111111-2222-4333-8444-555555555555") == (
        "11111111-2222-4333-8444-555555555555"
    )
    tag = redact_tag(AWS.casefold())
    assert tag.startswith("redacted-aws_access_key-") and redact_tag(tag) == tag
    assert redact_tag("flaky") == "flaky" and redact_tag(KEY.casefold()) != redact_tag("x" + KEY)


def test_redact_existing_rewrites_ids_projects_configs_tags_and_signal_sources(
    store_path: Path,
) -> None:
    sid = f"sess-{KEY}"
    with store.open() as db:
        _everything(db, "s1")
        _everything_else(db, sid)
        configs_before = {c.fingerprint for c in db.configs(db.project(f"proj-{KEY}").id)}  # type: ignore[union-attr]
    assert KEY.encode() in _raw(store_path)
    with store.open() as db:
        report = db.redact_existing()
        assert report.sessions == 3 and report.tags == 2 and report.projects == 5
        assert report.signals == 3  # two payloads, one source
        key = db.resolve_session(sid)
        assert KEY not in key and db.message_count(key) == 1 and db.message_count(sid) == 1
        assert db.tags(key) == sorted(db.tags(key)) and len(db.tags(key)) == 3
        assert db.session(key).parent_session_id == db.resolve_session(f"parent-{KEY}")  # type: ignore[union-attr]
        assert db.sessions(parent=f"parent-{KEY}")[0].id == key
        assert db.signals(key)[0]["source"] == "s-[REDACTED:github_token]"
        assert db.session(key).note == "[REDACTED:github_token]"  # type: ignore[union-attr]
        project = db.project(f"proj-{KEY}")
        assert project is not None and KEY not in repr(project)
        assert {c.fingerprint for c in db.configs(project.id)} == configs_before  # unchanged
        assert db.check(full=True) == []
    raw = _raw(store_path)
    assert KEY.encode() not in raw and _key_parts(raw) == []
