"""What the browser remembers between runs (the theme), in a small JSON file under the user
config directory. Unreadable or odd files are ignored: settings never stop the browser."""

from __future__ import annotations

import json
from pathlib import Path

from ..config import config_path
from ..private import read_small, write_private


def default_config_path() -> Path:
    """`config.json` beside the config file `config.config_path` names (`config.toml` in the
    user config directory, or where `$SESSIONSCOPE_CONFIG` moves it: `x.toml`, `x.json`)."""
    config = config_path()
    beside = config.with_suffix(".json")
    return beside if beside != config else config.with_name(config.name + ".json")


def load(path: str | Path) -> dict[str, object]:
    """The settings at `path` ({} when missing or unreadable)."""
    try:  # a regular file of at most 1 MB: a FIFO or /dev/zero is ignored at once
        data = json.loads(read_small(path).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def save(path: str | Path, **values: object) -> None:
    """Merge `values` into the settings at `path` (mode 0600, written whole then renamed);
    not kept when something other than a regular file is there (a FIFO would block)."""
    target = Path(path)
    data = load(target) | values
    try:
        if target.exists() and not target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        write_private(target, json.dumps(data, indent=2, sort_keys=True))
    except OSError:
        pass  # a setting that cannot be kept is not worth an error
