"""Issue 9 item 5: every pattern that sees transcript text runs in linear time.

A 5 KB prompt of `<command-name>` then spaces (Claude Code), or `<cwd>` then spaces (Codex), took
cubic time in the importers' regexes and hung every later run. Each pattern and text scan is timed
on adversarial input of 1 KB and of 100 KB: 100x more input may cost at most 300x the time (sizes
in between are checked first, so a quadratic or cubic pattern fails in seconds, not hours).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from importer_support import (
    CLAUDE_SID,
    CODEX_SID,
    claude_path,
    claude_user,
    codex_meta,
    codex_path,
    codex_user,
    write_jsonl,
)

from sessionscope import export, store
from sessionscope.importers import claude_code, codex, codex_items, common, import_source, jsonl
from sessionscope.store import query, search, timeutil
from sessionscope.tui import format as tui_format

# Every module whose regexes see transcript text (store/redact.py and sanitize.py are tested
# with their own owners' tests). A new module-level pattern in one of these is timed here too.
MODULES: tuple[ModuleType, ...] = (
    claude_code,
    codex,
    codex_items,
    common,
    jsonl,
    export,
    tui_format,
    query,
    search,
    timeutil,
)

# What an attacker repeats after a prefix: the tags and prefixes the patterns look for, and the
# characters their quantifiers take.
ATTACKS = (
    ("", " "),
    ("", "\n"),
    ("", "0"),
    ("", "a"),
    ("", "-20"),
    ("", "[{"),
    ("<cwd>", " "),
    ("<command-name>", " "),
    ("<command-name>", "\n "),
    ("", "<cwd> "),
    ("", "<command-name> "),
    ("Current working directory:", " "),
    ("Current working directory: x", " "),
    ("", "\nCurrent working directory: x "),
    ("Exit code:", " "),
    ("", "*** Update File: x"),
    ("2026-01-01T00:00:00.000", "0"),
)

SMALL = 1_000
# (size, bound on its time over the 1 KB time). Linear is 3x and 100x; a cubic pattern fails at
# 3 KB (27x) within seconds, a quadratic one at 100 KB (10,000x). Times are CPU time of this
# process (`process_time`), so other processes on a busy machine do not count.
STEPS = ((3_000, 12), (100_000, 300))


def _seconds(fn: Callable[[str], object], text: str) -> float:
    """The best of 3 CPU timings of `fn(text)`, each looped to at least 1 ms."""
    loops = 1
    while True:
        started = time.process_time()
        for _ in range(loops):
            fn(text)
        took = time.process_time() - started
        if took >= 0.001:
            break
        loops *= 4
    best = took / loops
    for _ in range(2):
        started = time.process_time()
        for _ in range(loops):
            fn(text)
        best = min(best, (time.process_time() - started) / loops)
    return best


def _text(prefix: str, piece: str, size: int) -> str:
    return (prefix + piece * (size // len(piece) + 1))[:size]


def assert_linear(fn: Callable[[str], object], prefix: str, piece: str, label: str) -> None:
    base = _seconds(fn, _text(prefix, piece, SMALL))
    for size, bound in STEPS:
        ratio = _seconds(fn, _text(prefix, piece, size)) / base
        assert ratio < bound, (
            f"{label} on {prefix!r} + {piece!r} * {size}: {ratio:.0f}x the time of 1 KB "
            f"(bound {bound}x)"
        )


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found.append((f"{module.__name__}.{name}", value))
    return found


PATTERNS = _patterns()


def test_the_audit_sees_the_importers_patterns() -> None:
    names = {name.rsplit(".", 1)[-1] for name, _ in PATTERNS}
    assert {"_CANONICAL", "ROLLOUT_ID", "EXIT_CODE", "PROCESS_EXIT", "_UUID"} <= names


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_every_pattern_is_linear(name: str, pattern: re.Pattern[str]) -> None:
    for prefix, piece in ATTACKS:
        assert_linear(pattern.search, prefix, piece, name)


@pytest.mark.parametrize(
    ("label", "fn"),
    [
        ("tag_text(command-name)", lambda t: common.tag_text(t, "command-name")),
        ("tag_text(cwd)", lambda t: common.tag_text(t, "cwd")),
        ("codex_items.context_cwd", codex_items.context_cwd),
        ("title_from", common.title_from),
        ("ts", common.ts),
    ],
)
def test_every_text_scan_is_linear(label: str, fn: Callable[[str], object]) -> None:
    for prefix, piece in ATTACKS:
        assert_linear(fn, prefix, piece, label)


def _import_seconds(tmp_path: Path, source: str, text: str) -> float:
    """The time to import one transcript whose prompt is `text` (fresh store each time)."""
    tmp = tmp_path / f"{source}-{len(text)}"
    if source == "claude-code":
        path = write_jsonl(claude_path(tmp), [claude_user("u1", text)])
    else:
        path = write_jsonl(codex_path(tmp), [codex_meta(), codex_user(text, 1)])
    with store.open(tmp / "s.db") as db:
        started = time.process_time()
        import_source(db, source, path)
        took = time.process_time() - started
        sid = CLAUDE_SID if source == "claude-code" else CODEX_SID
        assert db.message_count(sid) == 1
    return took


@pytest.mark.parametrize(
    ("source", "prefix"),
    [
        ("claude-code", "<command-name>"),
        ("codex", "<environment_context>\n<cwd>"),
        ("codex", "<environment_context>\nCurrent working directory: x"),
    ],
)
def test_importing_an_adversarial_prompt_is_linear(
    tmp_path: Path, source: str, prefix: str
) -> None:
    """The issue's repro end to end: the prompt of the tag followed by spaces."""
    base = min(
        _import_seconds(tmp_path / str(i), source, _text(prefix, " ", SMALL)) for i in (1, 2)
    )
    for size, bound in STEPS:
        took = min(
            _import_seconds(tmp_path / str(i), source, _text(prefix, " ", size)) for i in (1, 2)
        )
        assert took / base < bound, f"{source} {size}: {took / base:.0f}x the time of 1 KB"
