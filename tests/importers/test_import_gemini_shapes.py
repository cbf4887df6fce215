"""Gemini CLI shapes the first fixtures lacked (google-gemini/gemini-cli
`packages/core/src/services/chatRecordingTypes.ts`, `chatRecordingService.ts`,
`packages/cli/src/utils/sessionUtils.ts`): a prompt's `displayContent` (what was typed) beside
its `content` (what the model got, with the files `@path` named), the same expansion in older
records without `displayContent`, and a `.json` session resumed into a `.jsonl` copy. Fixture:
tests/importers/fixtures/gemini-shapes (facts in tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from sessionscope import store
from sessionscope.importers import import_source
from sessionscope.store.models import Message

FIXTURE = Path(__file__).parent / "fixtures" / "gemini-shapes" / ".gemini"
AT = "a1b2c3d4-0000-4000-8000-000000000010"
PAIR = "b2c3d4e5-0000-4000-8000-000000000011"


@pytest.fixture
def gemini(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / ".gemini")
    return tmp_path / ".gemini"


def _shape(msgs: list[Message]) -> list[tuple[str, Any, str]]:
    return [(m.role, m.metadata.get("kind"), m.text) for m in msgs]


def test_the_prompt_is_what_was_typed(db: store.Store, gemini: Path) -> None:
    import_source(db, "gemini", gemini / "tmp")
    s = db.session(AT)
    assert s is not None
    assert (s.title, s.project) == ("Why is the total wrong in @src/cart.ts?", "/home/dev/shop")
    msgs = db.messages(AT)
    assert [(m.role, m.metadata.get("kind")) for m in msgs] == [
        ("user", None),
        ("system", "context"),
        ("assistant", None),
        ("user", None),
        ("system", "context"),
        ("assistant", None),
    ]
    # displayContent: the prompt as typed; the file's text the CLI added is context
    assert msgs[0].text == "Why is the total wrong in @src/cart.ts?"
    assert msgs[1].text.startswith(
        "--- Content from referenced files ---\nContent from @src/cart.ts"
    )
    assert "items.reduce" in msgs[1].text and "items.reduce" not in msgs[0].text
    # an older record (one string, no displayContent): cut at the referenced-files line
    assert msgs[3].text == "Compare it with @src/tax.ts"
    assert "export const tax = 0.2;" in msgs[4].text
    assert db.recent_inputs(2) == ["Compare it with @src/tax.ts", msgs[0].text]
    assert [m.created_at for m in msgs[:2]] == ["2026-11-10T09:00:01.000Z"] * 2


def test_a_resumed_json_session_is_read_from_its_jsonl(db: store.Store, gemini: Path) -> None:
    chats = gemini / "tmp" / "shop" / "chats"
    legacy = chats / "session-2026-11-08T08-00-b2c3d4e5.json"
    log = legacy.with_suffix(".jsonl")
    moved = log.rename(log.with_name("later"))
    import_source(db, "gemini", gemini / "tmp")  # before the resume: the document alone
    assert db.message_count(PAIR) == 2
    moved.rename(log)
    report = import_source(db, "gemini", gemini / "tmp")
    assert report.files_imported == 1
    assert [m.text for m in db.messages(PAIR)] == [
        "Add a coupon field",
        "Added `coupon` to the cart.",
        "Now validate the coupon",
        "Coupons are checked against the list.",
    ]
    legacy.touch()  # the copy left behind is not read again: the session keeps the log's
    again = import_source(db, "gemini", gemini / "tmp")
    assert (again.files_imported, again.messages) == (0, 0)
    assert db.message_count(PAIR) == 4
    assert len([s for s in db.sessions() if s.id == PAIR]) == 1


def test_the_json_named_alone_is_read_from_its_jsonl_copy(db: store.Store, gemini: Path) -> None:
    # `import gemini …/session-….json` read the document left behind: the session was cut
    # back to its 2 messages, and stayed so (the unchanged `.jsonl` is not read again)
    import_source(db, "gemini", gemini / "tmp")
    assert db.message_count(PAIR) == 4
    legacy = gemini / "tmp" / "shop" / "chats" / "session-2026-11-08T08-00-b2c3d4e5.json"
    import_source(db, "gemini", legacy)
    assert db.message_count(PAIR) == 4
    import_source(db, "gemini", gemini / "tmp")
    assert db.message_count(PAIR) == 4


def test_sessions_imported_before_these_rules_are_read_again_once(
    db: store.Store, gemini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that imported the files with the old conversion (the whole `content` as the
    prompt) gets the typed prompt and its context from the unchanged files, once."""
    from sessionscope.importers import gemini as module

    def old(texts: list[dict[str, Any]], display: Any) -> tuple[list[dict[str, Any]], None]:
        return texts, None

    with monkeypatch.context() as patch:
        patch.setattr(module, "_typed_and_added", old)
        patch.setattr(module.GeminiSource, "rules", 0)
        import_source(db, "gemini", gemini / "tmp")
    assert "Content from @src/cart.ts" in db.messages(AT)[0].text

    report = import_source(db, "gemini", gemini / "tmp")  # the files themselves are unchanged
    assert report.messages > 0
    clean = store.open(gemini.parent / "clean.db")
    import_source(clean, "gemini", gemini / "tmp")
    assert _shape(db.messages(AT)) == _shape(clean.messages(AT))
    assert db.messages(AT)[0].text == "Why is the total wrong in @src/cart.ts?"
    assert import_source(db, "gemini", gemini / "tmp").messages == 0  # once
