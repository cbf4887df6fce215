"""The user's config file (`config.toml` in the user config directory, e.g.
`~/.config/sessionscope/config.toml` on Linux; `$SESSIONSCOPE_CONFIG` moves it).

    [resume]                      # resume commands per source (see resume.py)
    claude-code = "claude --resume {id}"
    [aider]                       # folders `import all` reads Aider histories from
    roots = ["~/src", "~/work/shop"]
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .private import read_small
from .sanitize import inert
from .store.errors import InvalidInput


class ConfigError(InvalidInput):
    """The config file exists but cannot be read or parsed (one sentence for the person)."""


def config_path() -> Path:
    """The user's config file (`$SESSIONSCOPE_CONFIG` moves it)."""
    override = os.environ.get("SESSIONSCOPE_CONFIG")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("sessionscope")) / "config.toml"


def read_config(path: Path | None = None) -> dict[str, Any]:
    """The config file as a dict ({} when it is missing); raises ConfigError when broken."""
    import tomllib  # on use: the browser loads this module at start

    path = path or config_path()
    try:  # a regular file of at most 1 MB: a FIFO or /dev/zero is refused at once
        return tomllib.loads(read_small(path).decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: TOML, UTF-8
        why = "tables or arrays nested too deep" if isinstance(exc, RecursionError) else exc
        raise ConfigError(
            f"cannot read the config file {inert(str(path), 300)}: {inert(str(why), 200)}"
        ) from exc


def aider_roots(config: dict[str, Any] | None = None) -> list[Path]:
    """The folders `[aider] roots` names (`~` expanded; a single string is one root).
    Raises ConfigError when the file is broken or `roots` is not a list of strings."""
    config = read_config() if config is None else config
    table = config.get("aider")
    if table is None:
        return []
    roots = table.get("roots") if isinstance(table, dict) else None
    if isinstance(roots, str):
        roots = [roots]
    if roots is None:
        return []
    if not isinstance(roots, list) or not all(isinstance(r, str) and r for r in roots):
        raise ConfigError(
            f"[aider] roots in {inert(str(config_path()), 300)} must be a list of folder paths."
        )
    return [Path(r).expanduser() for r in roots]
