"""Integration tests: the OpenAI Agents SDK session protocol on the store.

Every test here carries the `integrations` marker: `pytest -m integrations` runs this layer alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_support import mark_layer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_layer(items, HERE, "integrations")
