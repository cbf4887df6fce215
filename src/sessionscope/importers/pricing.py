"""Cost in dollars of imported messages, from the maintained offline price table `genai-prices`.

Prices are looked up once per model (four rates: input, cache read, cache write, output, per
token, taken at a request size below every long-context tier) and kept, in memory and in a small
cache file per `genai-prices` version (loading the table costs a few tenths of a second, which a
small import should not pay each run), so pricing costs the import a dictionary lookup per
message. A model the table does not know is unpriced: its cost is left out (None), never $0.
`price_message` is the one rule every importer applies to a message it builds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .jsonl import open_regular

if TYPE_CHECKING:
    from ..store.spec import MessageSpec

_PROBE = 100_000  # tokens per probe request: below the 200k long-context tiers
_RATES: dict[str, list[float] | None] | None = None
_MAX_MODELS = 4096
_CACHE_MAX = 16 << 20  # bytes of the cache file read (a few hundred KB for every model)


def _cache_file() -> Path | None:
    from importlib import metadata  # on the first priced message: an unchanged tree never needs it

    try:
        version = metadata.version("genai-prices")
    except metadata.PackageNotFoundError:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sessionscope" / f"prices-{version}.json"


def _load() -> dict[str, list[float] | None]:
    """The cache file's table (empty when it is missing or odd: a regular file only, of at most
    `_CACHE_MAX` bytes, so a FIFO or a device there cannot hang or fill the import)."""
    path = _cache_file()
    if path is None:
        return {}
    try:
        with open(open_regular(path), "rb", closefd=True) as handle:
            raw = handle.read(_CACHE_MAX + 1)
        data = json.loads(raw) if len(raw) <= _CACHE_MAX else {}
    except (OSError, ValueError, RecursionError):  # RecursionError: `[` nested 100,000 deep
        data = {}
    return data if isinstance(data, dict) else {}


def _save(table: dict[str, list[float] | None]) -> None:
    path = _cache_file()
    if path is None:
        return
    try:  # owner-only, whatever the umask (as every file sessionscope writes)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(table))
        os.replace(tmp, path)
    except OSError:
        pass


def rates(model: str) -> tuple[float, float, float, float] | None:
    """Dollars per token (input, cache read, cache write, output) of `model`, or None when the
    price table does not know it."""
    global _RATES
    if _RATES is None:
        _RATES = _load()
    if model in _RATES:
        found = _RATES[model]
    else:
        looked = _lookup(model)
        found = list(looked) if looked is not None else None
        if len(_RATES) < _MAX_MODELS:
            _RATES[model] = found
            _save(_RATES)
    if not isinstance(found, list) or len(found) != 4:
        return None
    return (float(found[0]), float(found[1]), float(found[2]), float(found[3]))


def _lookup(model: str) -> tuple[float, float, float, float] | None:
    """The four rates from the price table itself (slow the first time: loads the table)."""
    from genai_prices import Usage, calc_price

    def cost(**usage: int) -> float:
        return float(calc_price(Usage(**usage), model).total_price) / _PROBE

    try:
        return (
            cost(input_tokens=_PROBE),
            cost(input_tokens=_PROBE, cache_read_tokens=_PROBE),
            cost(input_tokens=_PROBE, cache_write_tokens=_PROBE),
            cost(output_tokens=_PROBE),
        )
    except Exception:  # whatever the price table raises must never fail an import
        return None


def price(
    model: Any, input_tokens: int, output_tokens: int, cache_read: int, cache_write: int
) -> float | None:
    """The cost of one message (input excludes cache reads and writes), or None if unpriced."""
    if not isinstance(model, str) or not model:
        return None
    found = rates(model)
    if found is None:
        return None
    per_in, per_read, per_write, per_out = found
    return (
        input_tokens * per_in
        + cache_read * per_read
        + cache_write * per_write
        + output_tokens * per_out
    )


def price_message(spec: MessageSpec) -> None:
    """Give a message that carries tokens its cost from its model (`cost_usd`), or mark it
    `unpriced` (metadata) when the price table does not know the model. A cost the agent itself
    recorded is kept; a message without tokens is left alone. The metadata dict is replaced,
    never changed in place (it may be shared)."""
    if spec.get("cost_usd") is not None:
        return
    if spec.get("role") != "assistant" and spec.get("model") is None:
        return
    tokens = (
        spec.get("input_tokens") or 0,
        spec.get("output_tokens") or 0,
        spec.get("cache_read_tokens") or 0,
        spec.get("cache_creation_tokens") or 0,
    )
    if not any(tokens):
        return
    cost = price(spec.get("model"), *tokens)
    metadata = spec.get("metadata") or {}
    if cost is None:
        if not metadata.get("unpriced"):
            spec["metadata"] = {**metadata, "unpriced": True}
        return
    spec["cost_usd"] = cost
    if "unpriced" in metadata:
        spec["metadata"] = {k: v for k, v in metadata.items() if k != "unpriced"}
