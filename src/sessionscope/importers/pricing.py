"""Cost in dollars of imported messages, from the maintained offline price table `genai-prices`.

Prices are looked up once per model (four rates: input, cache read, cache write, output, per
token, taken at a request size below every long-context tier) and kept, so pricing costs the
import a dictionary lookup per message. A model the table does not know is unpriced: its cost is
left out (None), never taken as $0.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

_PROBE = 100_000  # tokens per probe request: below the 200k long-context tiers


@lru_cache(maxsize=512)
def rates(model: str) -> tuple[float, float, float, float] | None:
    """Dollars per token (input, cache read, cache write, output) of `model`, or None when the
    price table does not know it."""
    try:
        from genai_prices import Usage, calc_price
    except ImportError:  # pragma: no cover - a declared dependency
        return None

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
