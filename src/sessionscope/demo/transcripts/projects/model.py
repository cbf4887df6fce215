"""`Project`: one codebase synthetic sessions are about."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Project:
    """One codebase that sessions are about."""

    name: str
    cwd: str
    lang: str  # code flavour for snippets: ts, py, go, tf, kt, rs
    remote: str
    files: tuple[str, ...]
    tests: tuple[str, ...]  # test commands
    checks: tuple[str, ...]  # build / lint / typecheck commands
    nouns: tuple[str, ...]  # domain words
    areas: tuple[str, ...]  # components / modules / services
    deps: tuple[str, ...]  # dependencies worth upgrading
    bugs: tuple[str, ...]  # symptom phrases
    features: tuple[str, ...]  # things to add
    tasks: tuple[str, ...] = ()  # extra project-specific prompt templates
    weight: float = 1.0  # share of sessions
    branches: tuple[str, ...] = field(default=("main",))
