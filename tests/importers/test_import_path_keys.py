"""Two transcript files whose names differ only in bytes that are not UTF-8 (`s\\xfe.jsonl`,
`s\\xff.jsonl`) have two import states: their key (the absolute path, with such bytes as U+FFFD)
was one, so one file's state resumed the other's and lines were silently skipped. A path that is
valid UTF-8 keeps exactly the key it had; one that is not is kept reversibly, and every place that
derives a key or a reference from a path (line files, snapshot units, the lean `import`) agrees."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from importer_support import claude_text, claude_user

from sessionscope import store
from sessionscope.cli import main
from sessionscope.importers import import_source
from sessionscope.importers.incremental import file_key
from sessionscope.transcript_files import BYTES_MARK, path_key, path_text, text_path

SID = "aaaaaaaa-1111-4222-8333-444444444444"

_NAME_BYTES = st.binary(min_size=1, max_size=12).map(lambda b: b.replace(b"/", b"_"))


def _fs_name(raw: bytes) -> str:
    return os.fsdecode(raw.replace(b"\0", b"0"))


@settings(max_examples=300, deadline=None)
@given(a=_NAME_BYTES, b=_NAME_BYTES)
def test_keys_are_unique_reversible_and_unchanged_for_utf8_paths(a: bytes, b: bytes) -> None:
    first, second = "/tmp/x/" + _fs_name(a), "/tmp/x/" + _fs_name(b)
    if first != second:
        assert path_key(first) != path_key(second)
    for path in (first, second):
        key = path_key(path)
        key.encode("utf-8")  # storable
        assert text_path(key) == os.path.abspath(path)
        try:
            os.fsencode(path).decode("utf-8")
        except UnicodeDecodeError:
            assert key.startswith(BYTES_MARK)
        else:
            assert key == os.path.abspath(path)  # as every earlier store has it


def test_a_valid_name_that_looks_escaped_is_itself() -> None:
    for path in ("/tmp/s\\xfe.jsonl", "/tmp/日本.jsonl", "/tmp/bytes:\\xfe"):
        assert path_key(path) == path_text(path) == text_path(path) == path
    # relative, it could be taken for one of these texts: it is made absolute
    looks_escaped = "bytes:/tmp/s\\xfe.jsonl"
    assert path_text(looks_escaped) == os.path.abspath(looks_escaped)
    assert path_key(looks_escaped) != path_key("/tmp/s" + os.fsdecode(b"\xfe") + ".jsonl")
    odd = "/tmp/s" + os.fsdecode(b"\xfe") + "\\xff.jsonl"  # a real byte beside a literal escape
    assert text_path(path_text(odd)) == odd and path_key(odd) != path_key("/tmp/s\xfe\\xff.jsonl")


def _lines(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two transcripts whose names differ in one byte that is not UTF-8, sharing their first
    4 KB (their heads compare equal) and one line's length: the second resumed the first's
    state past its own first reply."""
    folder = tmp_path / "claude" / "-src-app"
    folder.mkdir(parents=True)
    first = claude_user("u0", "x" * 5000, 0, SID)
    a = Path(os.fsdecode(bytes(folder) + b"/s\xfe.jsonl"))
    b = Path(os.fsdecode(bytes(folder) + b"/s\xff.jsonl"))
    a.write_text(_lines(first, claude_text("a1", "m-a1", "reply from a", 1, SID)))
    b.write_text(
        _lines(
            first,
            claude_text("b1", "m-b1", "reply from b", 1, SID),
            claude_text("b2", "m-b2", "second from b", 2, SID),
        )
    )
    return a, b


def test_two_names_that_differ_in_undecodable_bytes_keep_two_states(
    db: store.Store, pair: tuple[Path, Path]
) -> None:
    a, b = pair
    report = import_source(db, "claude-code", a.parent.parent)
    assert report.skipped_lines == []
    texts = sorted(m.blocks[0]["text"] for m in db.messages(SID))
    assert texts == sorted(["x" * 5000, "reply from a", "reply from b", "second from b"])
    assert file_key(a) != file_key(b)
    state_a, state_b = db.import_state(file_key(a)), db.import_state(file_key(b))
    assert state_a is not None and state_b is not None
    assert (state_a.size, state_b.size) == (a.stat().st_size, b.stat().st_size)
    again = import_source(db, "claude-code", a.parent.parent)
    assert again.files_skipped == 2 and again.messages == 0
    info = db.session(SID)
    assert info is not None and text_path(info.source_ref or "") in (str(a), str(b))


def test_the_lean_import_agrees_with_the_keys(
    store_path: Path, pair: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(pair[0].parent.parent)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        assert main(["import", "claude-code", root]) == 0
    from sessionscope.cli.quick_import import quick_import

    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        assert quick_import(["claude-code", root], str(store_path)) == 0  # nothing new
    assert "Nothing new" in quiet.getvalue() or "nothing new" in quiet.getvalue().lower()


def test_snapshot_units_with_undecodable_names_are_read_and_kept_apart(
    db: store.Store, tmp_path: Path
) -> None:
    chats = tmp_path / "tmp" / "proj" / "chats"
    chats.mkdir(parents=True)
    for byte, sid in ((b"\xfe", "g-one"), (b"\xff", "g-two")):
        doc = {"sessionId": sid, "messages": [{"id": "u1", "type": "user", "content": sid}]}
        Path(os.fsdecode(bytes(chats) + b"/session-" + byte + b".json")).write_text(json.dumps(doc))
    report = import_source(db, "gemini", tmp_path / "tmp")
    assert report.skipped_lines == [] and report.files_imported == 2
    for sid in ("g-one", "g-two"):
        info = db.session(sid)
        assert info is not None and info.source_ref and info.source_ref.startswith(BYTES_MARK)
        assert Path(text_path(info.source_ref)).is_file()
    assert import_source(db, "gemini", tmp_path / "tmp").files_skipped == 2
