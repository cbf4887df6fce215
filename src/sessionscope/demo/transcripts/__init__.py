"""Deterministic synthetic transcripts in the real on-disk formats of Claude Code and Codex CLI.

    from sessionscope.demo.transcripts import generate_tree
    corpus = generate_tree("/tmp/t", seed=7, sessions=300)      # or target_bytes=500 * 2**20
    corpus.roots  # {"claude-code": .../claude-code/projects, "codex": .../codex/sessions}

The same seed (and `now`) always gives byte-identical files. Sessions are coding work across
several projects (see `projects/`): prompts, Markdown replies, Bash/Read/Edit/Grep/Task calls with
plausible outputs, failures, subagents (files and inline sidechains), compactions, slash commands,
images, and a few very long sessions. Files are streamed: memory stays bounded whatever the size.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import claude_code, codex
from .projects import PROJECTS, Project
from .prose import Filler
from .records import uuid4, uuid7
from .script import Plan, session_script

__all__ = ["GENERATOR_VERSION", "PROJECTS", "Corpus", "generate_tree", "write_big_session"]

# Bump whenever the output for a given seed changes (cached demo stores and bench trees follow).
GENERATOR_VERSION = 3

CLAUDE_MODELS = (
    ("claude-sonnet-4-5-20250929", 6),
    ("claude-opus-4-1-20250805", 2),
    ("claude-opus-4-5-20251101", 1),
    ("claude-haiku-4-5-20251001", 0.5),
)
SUB_MODEL = "claude-haiku-4-5-20251001"
CODEX_MODELS = (("gpt-5-codex", 7), ("gpt-5", 3))
DAY_MS = 86_400_000


@dataclass
class Corpus:
    """What `generate_tree` wrote."""

    root: Path
    roots: dict[str, Path]
    sessions: dict[str, int] = field(default_factory=lambda: {"claude-code": 0, "codex": 0})
    files: int = 0
    bytes: int = 0
    records: int = 0
    subagent_files: int = 0
    sidechains: int = 0
    seconds: float = 0.0


def anchor_ms(now: float | None) -> int:
    """`now` (epoch seconds) or the current time floored to the hour, in ms."""
    if now is None:
        now = time.time() // 3600 * 3600
    return int(now * 1000)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _project(rng: random.Random) -> Project:
    return rng.choices(PROJECTS, weights=[p.weight for p in PROJECTS])[0]


def _episodes(rng: random.Random, index: int, fmt: str) -> int:
    if index == 3 and fmt == "claude-code":
        return rng.randint(180, 260)  # one session of a few thousand messages
    if index == 8 and fmt == "codex":
        return rng.randint(50, 90)
    size = rng.choices(("short", "medium", "longer", "long"), weights=(56, 30, 12, 2))[0]
    return {
        "short": lambda: rng.randint(1, 3),
        "medium": lambda: rng.randint(4, 10),
        "longer": lambda: rng.randint(12, 35),
        "long": lambda: rng.randint(40, 120),
    }[size]()


def _start(rng: random.Random, now_ms: int, episodes: int, days: int) -> int:
    """A start time in the last `days` days, in working hours, ending before now."""
    lead = max(1, episodes // 12)  # long sessions run for hours: start them earlier
    day = rng.randint(min(lead, days - 1), days - 1) if episodes > 30 else rng.randint(0, days - 1)
    base = (now_ms - day * DAY_MS) // DAY_MS * DAY_MS
    start = base + int(rng.triangular(6.5, 22.5, 14) * 3_600_000) + rng.randrange(3_600_000)
    if start > now_ms - 3_600_000:
        start -= DAY_MS
    return start


def _write_one(
    corpus: Corpus,
    index: int,
    *,
    seed: int,
    now_ms: int,
    codex_share: float,
    days: int,
    big_outputs: float,
) -> None:
    rng = random.Random(f"sessionscope-transcripts:{seed}:{index}")
    fmt = "codex" if rng.random() < codex_share else "claude-code"
    if index == 3:
        fmt = "claude-code"
    elif index == 8:
        fmt = "codex"
    project = _project(rng)
    episodes = _episodes(rng, index, fmt)
    start = _start(rng, now_ms, episodes, days)
    branch = rng.choice(project.branches)
    japanese = rng.random() < (0.2 if project.name in ("mobile", "data-pipeline") else 0.03)
    fill = Filler(rng, project, branch)
    first_prompt = fill.first_prompt(japanese=japanese and rng.random() < 0.5)
    compact_every = 0
    if episodes > 20:
        compact_every = rng.randint(180, 320)
    elif rng.random() < 0.04:
        compact_every = rng.randint(30, 60)
    if fmt == "claude-code":
        old = now_ms - start > 18 * DAY_MS
        version = f"1.0.{rng.randint(80, 128)}" if old else f"2.0.{rng.randint(5, 30)}"
        model = _weighted(rng, CLAUDE_MODELS)
        plan = Plan(
            fmt,
            project,
            branch,
            episodes,
            japanese=japanese,
            subagents="inline" if old else "file",
            compact_every=compact_every,
            big_outputs=big_outputs,
            first_prompt=first_prompt,
        )
        session_id = uuid4(rng)
        folder = corpus.roots["claude-code"] / claude_code.project_slug(project.cwd)
        folder.mkdir(parents=True, exist_ok=True)
        steps = session_script(rng, plan, sub_model=SUB_MODEL if rng.random() < 0.6 else model)
        title = fill.title(first_prompt) if rng.random() < 0.6 else None
        info = claude_code.write_session(
            str(folder / f"{session_id}.jsonl"),
            rng,
            steps,
            session_id=session_id,
            cwd=project.cwd,
            branch=branch,
            version=version,
            model=model,
            start_ms=start,
            title=title,
            subagents_in_files=not old,
        )
        corpus.files += 1 + info.subagent_files
        corpus.subagent_files += info.subagent_files
        corpus.sidechains += info.sidechains
        corpus.bytes += info.bytes
        corpus.records += info.records
    else:
        legacy = rng.random() < 0.08
        model = _weighted(rng, CODEX_MODELS)
        plan = Plan(
            fmt,
            project,
            branch,
            episodes,
            japanese=japanese,
            subagents="none",
            compact_every=compact_every,
            big_outputs=big_outputs,
            first_prompt=first_prompt,
        )
        session_id = uuid7(rng, start)
        day, name = codex.rollout_name(start, session_id)
        folder = corpus.roots["codex"] / day
        folder.mkdir(parents=True, exist_ok=True)
        steps = session_script(rng, plan, sub_model=model)
        info2 = codex.write_rollout(
            str(folder / name),
            rng,
            steps,
            session_id=session_id,
            cwd=project.cwd,
            branch=branch,
            model=model,
            start_ms=start,
            remote=project.remote,
            test=project.tests[0],
            file=project.files[0],
            legacy=legacy,
        )
        corpus.files += 1
        corpus.bytes += info2.bytes
        corpus.records += info2.records
    corpus.sessions[fmt] += 1


def generate_tree(
    root: str | os.PathLike[str],
    *,
    seed: int = 7,
    sessions: int | None = 300,
    target_bytes: int | None = None,
    now: float | None = None,
    codex_share: float = 0.3,
    days: int = 28,
    big_outputs: float = 0.004,
    progress: Callable[[Corpus], None] | None = None,
) -> Corpus:
    """Write `sessions` sessions (or sessions until `target_bytes`) under `root`.

    Claude Code transcripts go to `root/claude-code/projects`, Codex rollouts to
    `root/codex/sessions` (see `Corpus.roots`). `now` (epoch seconds; default: this hour) anchors
    the timestamps, which spread over the last `days` days. `codex_share` of the sessions are Codex.
    """
    if sessions is None and target_bytes is None:
        raise ValueError("give sessions or target_bytes")
    started = time.perf_counter()
    base = Path(root)
    corpus = Corpus(
        base,
        {"claude-code": base / "claude-code" / "projects", "codex": base / "codex" / "sessions"},
    )
    for path in corpus.roots.values():
        path.mkdir(parents=True, exist_ok=True)
    now_ms = anchor_ms(now)
    index = 0
    while True:
        if sessions is not None and index >= sessions:
            break
        if target_bytes is not None and corpus.bytes >= target_bytes:
            break
        _write_one(
            corpus,
            index,
            seed=seed,
            now_ms=now_ms,
            codex_share=codex_share,
            days=days,
            big_outputs=big_outputs,
        )
        index += 1
        if progress is not None:
            progress(corpus)
    corpus.seconds = time.perf_counter() - started
    return corpus


def write_big_session(
    path: str | os.PathLike[str], *, target_bytes: int, seed: int = 7, now: float | None = None
) -> claude_code.SessionInfo:
    """One Claude Code transcript of about `target_bytes` (long logs included), at `path`.

    Subagents are written inline so the whole session is this one file.
    """
    rng = random.Random(f"sessionscope-big:{seed}")
    project = PROJECTS[0]
    plan = Plan(
        "claude-code",
        project,
        "main",
        None,
        subagents="inline",
        compact_every=300,
        big_outputs=0.02,
    )
    now_ms = anchor_ms(now)
    steps = session_script(rng, plan, sub_model=SUB_MODEL)
    return claude_code.write_session(
        str(path),
        rng,
        steps,
        session_id=uuid4(rng),
        cwd=project.cwd,
        branch="main",
        version="2.0.14",
        model=CLAUDE_MODELS[0][0],
        start_ms=now_ms - 20 * DAY_MS,
        title="Long-running refactor of the web app",
        subagents_in_files=False,
        limit_bytes=target_bytes,
    )
