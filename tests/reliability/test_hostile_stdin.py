"""`sessionscope note ID -` reads the note from stdin: an endless or huge stdin is refused.

Before the fix the whole of stdin was read before the 10,000-character limit was checked:
`/dev/zero` ran until memory was gone (an "internal error"), a 1 GB log took 1 GB. Now at most
1 MB is read; more is one sentence, and the note is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_support import cli, limit_memory

from sessionscope import store


@pytest.mark.parametrize("kind", ["zero", "big file"])
def test_an_endless_or_huge_stdin_is_one_sentence_and_the_note_is_kept(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "s.db"
    with store.open(path) as db:
        db.start_session(id="n1", source="codex")
        db.set_note("n1", "keep me")
    if kind == "zero":
        source = Path("/dev/zero")
    else:
        source = tmp_path / "big.log"
        source.write_text("log line\n" * 300_000)  # 2.7 MB
    with source.open("rb") as stdin:
        done = cli("note", "n1", "-", db=path, stdin=stdin, timeout=60, preexec_fn=limit_memory)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1, done
    assert lines[0].startswith("sessionscope: error: ") and "internal error" not in lines[0]
    assert "10,000 characters" in lines[0], lines[0]
    with store.open(path, readonly=True) as db:
        info = db.session("n1")
        assert info is not None and info.note == "keep me"


def test_a_note_from_stdin_still_works(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with store.open(path) as db:
        db.start_session(id="n1", source="codex")
    done = cli("note", "n1", "-", db=path, input="fails only on CI\nsee #42\n", timeout=60)
    assert done.returncode == 0, done
    with store.open(path, readonly=True) as db:
        info = db.session("n1")
        assert info is not None and info.note == "fails only on CI\nsee #42"
