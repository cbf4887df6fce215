"""RELIABILITY.md names the tests behind each README promise: every file and test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_named_test_exists() -> None:
    text = (ROOT / "RELIABILITY.md").read_text(encoding="utf-8")
    refs = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", text)
    assert len(refs) > 20
    last_file = ""
    for path, name in refs:
        source = (ROOT / path).read_text(encoding="utf-8")
        last_file = path
        if name:
            assert re.search(rf"def {name}\(", source), f"{path}::{name}"
    # `::name` right after a file refers to that file
    for name in re.findall(r"`::(\w+)`", text):
        assert any(
            re.search(rf"def {name}\(", p.read_text(encoding="utf-8"))
            for p in (ROOT / "tests").rglob("test_*.py")
        ), name
    assert last_file
