"""Migration 9: Codex input tokens stored with cached input are made to mean what every other
source means (input excluding cache reads); other sources are untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sessionscope import store
from sessionscope.store import schema
from sessionscope.store.schema import MIGRATIONS


def test_codex_input_tokens_lose_their_cached_part(store_path: Path) -> None:
    with store.open() as db:
        for source in ("codex", "claude-code"):
            sid = db.start_session(id=source, source=source)
            db.append(
                sid, "assistant", "hi", input_tokens=9120, cache_read_tokens=8192, output_tokens=5
            )
    version = MIGRATIONS.index(schema._m10_import_fidelity) + 1  # later ones run again too
    conn = sqlite3.connect(store_path, isolation_level=None)
    conn.execute("DROP INDEX messages_api_error")
    conn.execute(f"PRAGMA user_version = {version - 1}")
    conn.close()
    with store.open() as db:
        codex, claude = db.session("codex"), db.session("claude-code")
        assert codex is not None and claude is not None
        assert (codex.input_tokens, codex.cache_read_tokens) == (928, 8192)
        assert db.messages("codex")[0].input_tokens == 928
        assert claude.input_tokens == 9120 and db.messages("claude-code")[0].input_tokens == 9120
