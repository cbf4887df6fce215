"""Shared fixtures: every test gets its own store through $SESSIONSCOPE_DB."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sessionscope import store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def store_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point $SESSIONSCOPE_DB at a fresh file for every test (nothing touches the real store)."""
    path = tmp_path / "store" / "sessions.db"
    monkeypatch.setenv(store.ENV_VAR, str(path))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("SESSIONSCOPE_DEBUG", raising=False)
    # no test reads the config file of the person running the tests (it names Aider roots)
    monkeypatch.setenv("SESSIONSCOPE_CONFIG", str(tmp_path / "config" / "config.toml"))
    return path


@pytest.fixture
def db(store_path: Path) -> Iterator[store.Store]:
    """A fresh, empty store at $SESSIONSCOPE_DB."""
    opened = store.open()
    yield opened
    opened.close()


@pytest.fixture
def fixture_tree(tmp_path: Path) -> Path:
    """A writable copy of the sample transcripts (claude-code/ and codex/ roots)."""
    target = tmp_path / "transcripts"
    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("README.md"))
    for root, dirs, files in os.walk(target):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)
    return target
