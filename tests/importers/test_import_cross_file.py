"""Links that cross transcript files, whichever file is imported first (issue 11 items 2b and 9).

- A Claude Code `summary` record names its conversation by `leafUuid` and sits in another
  session's file: it titles that session whether the summary's file or the target's file is
  imported first, in one run or in separate runs.
- A Codex subagent rollout imported before its parent is linked when the parent arrives.

Fixtures: tests/importers/fixtures/claude-code-summaries (see tests/fixtures/README.md).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sessionscope import store
from sessionscope.importers import import_source

HERE = Path(__file__).parent / "fixtures" / "claude-code-summaries" / "projects" / "-home-dev-notes"
A = "e7000000-0000-4000-8000-000000000007"  # named by a summary in B's file (its assistant leaf)
B = "e8000000-0000-4000-8000-000000000008"  # holds the summaries of A and C
C = "e9000000-0000-4000-8000-000000000009"  # renamed by /rename: its custom title stays
TITLES = {
    A: "Release notes for v3",
    B: "Fix the flaky login test",
    C: "index v4",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "projects" / "-home-dev-notes"
    shutil.copytree(HERE, dest)
    return dest


def titles(db: store.Store) -> dict[str, str | None]:
    return {sid: info.title for sid in (A, B, C) if (info := db.session(sid)) is not None}


def _append(path: Path, *records: dict) -> None:
    with path.open("a") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


def test_one_run_resolves_summaries_before_and_after_their_target(
    db: store.Store, project: Path
) -> None:
    # files run in name order: A (target) before B (summaries), B before C (target)
    import_source(db, "claude-code", project.parent)
    assert titles(db) == TITLES
    assert db.session(A).metadata["title_source"] == "summary"
    assert db.session(C).metadata["title_source"] == "custom"
    assert db.pending_summaries() == {}


@pytest.mark.parametrize("order", [(B, A, C), (A, C, B), (C, B, A)])
def test_separate_runs_in_any_order_give_the_same_titles(
    db: store.Store, project: Path, order: tuple[str, ...]
) -> None:
    for sid in order:
        import_source(db, "claude-code", project / f"{sid}.jsonl")
    assert titles(db) == TITLES
    clean = store.open(":memory:")
    import_source(clean, "claude-code", project.parent)
    assert titles(clean) == titles(db)
    assert import_source(db, "claude-code", project.parent).messages == 0  # idempotent
    assert titles(db) == TITLES


def test_summary_first_waits_in_the_store_for_its_leaf(db: store.Store, project: Path) -> None:
    import_source(db, "claude-code", project / f"{B}.jsonl")
    assert db.session(A) is None
    assert db.pending_summaries() == {
        "a7000004-0000-4000-8000-000000000004": "Release notes for v3",
        "c9000003-0000-4000-8000-000000000003": "Search index version bump",
    }
    import_source(db, "claude-code", project / f"{A}.jsonl")
    assert db.session(A).title == "Release notes for v3"
    assert set(db.pending_summaries()) == {"c9000003-0000-4000-8000-000000000003"}


def test_target_first_then_summary_file_leaves_a_title_someone_set(
    db: store.Store, project: Path
) -> None:
    import_source(db, "claude-code", project / f"{A}.jsonl")
    assert db.session(A).title == "Write the release notes for v3 from the changelog"
    db.update_session(A, title="My notes")
    import_source(db, "claude-code", project / f"{B}.jsonl")
    assert db.session(A).title == "My notes"


def test_a_rename_after_a_summary_from_another_file_still_wins(
    db: store.Store, project: Path
) -> None:
    import_source(db, "claude-code", project / f"{A}.jsonl")
    import_source(db, "claude-code", project / f"{B}.jsonl")
    assert db.session(A).title == "Release notes for v3"
    _append(
        project / f"{A}.jsonl", {"type": "custom-title", "customTitle": "v3 notes", "sessionId": A}
    )
    import_source(db, "claude-code", project / f"{A}.jsonl")
    assert db.session(A).title == "v3 notes"


def test_a_summary_of_a_conversation_that_went_on_names_the_new_end(
    db: store.Store, project: Path
) -> None:
    """The leaf recorded by a run is forgotten once a later record continues it; the new end
    is recorded, so a summary naming it (written by a later session) finds it."""
    path = project / f"{A}.jsonl"
    import_source(db, "claude-code", path)
    _append(
        path,
        {
            "parentUuid": "a7000005-0000-4000-8000-000000000005",
            "isSidechain": False,
            "type": "user",
            "uuid": "a7000006-0000-4000-8000-000000000006",
            "sessionId": A,
            "cwd": "/home/dev/notes",
            "timestamp": "2026-11-10T09:05:00.000Z",
            "message": {"role": "user", "content": "Also mention the new theme."},
        },
    )
    import_source(db, "claude-code", path)
    assert db.leaf_owner("a7000004-0000-4000-8000-000000000004") is None
    assert db.leaf_owner("a7000006-0000-4000-8000-000000000006") == A
    later = project / "ea000000-0000-4000-8000-00000000000a.jsonl"
    later.write_text(
        json.dumps(
            {
                "type": "summary",
                "summary": "Release notes, with the theme",
                "leafUuid": "a7000006-0000-4000-8000-000000000006",
            }
        )
        + "\n"
    )
    import_source(db, "claude-code", later)
    assert db.session(A).title == "Release notes, with the theme"


# -- Codex: a subagent thread imported before its parent ----------------------------------------

CODEX = Path(__file__).parent / "fixtures" / "codex-0.128" / "sessions" / "2026" / "11" / "05"
PARENT = "019a0000-0000-7000-8000-0000000000a1"
CHILD = "019a0000-0000-7000-8000-0000000000a2"


def test_codex_child_imported_before_its_parent_is_linked_when_it_arrives(
    db: store.Store, tmp_path: Path
) -> None:
    [child_file] = CODEX.glob(f"rollout-*{CHILD}.jsonl")
    [parent_file] = CODEX.glob(f"rollout-*{PARENT}.jsonl")
    import_source(db, "codex", child_file)
    child = db.session(CHILD)
    assert child.parent_session_id is None
    assert child.metadata["parent_session_hint"] == PARENT
    import_source(db, "codex", parent_file)
    child = db.session(CHILD)
    assert child.parent_session_id == PARENT
    assert "parent_session_hint" not in child.metadata
    assert db.session(PARENT).child_count == 1
    assert [s.id for s in db.sessions(top_level=True)] == [PARENT]


def test_codex_child_first_in_one_run_is_linked(db: store.Store, tmp_path: Path) -> None:
    """The child's rollout sorts before its parent's (an earlier name): one run links them."""
    root = tmp_path / "sessions" / "2026" / "11" / "05"
    root.mkdir(parents=True)
    [child_file] = CODEX.glob(f"rollout-*{CHILD}.jsonl")
    [parent_file] = CODEX.glob(f"rollout-*{PARENT}.jsonl")
    shutil.copy(child_file, root / f"rollout-2026-11-05T09-00-00-{CHILD}.jsonl")
    shutil.copy(parent_file, root / parent_file.name)
    import_source(db, "codex", tmp_path / "sessions")
    assert db.session(CHILD).parent_session_id == PARENT
