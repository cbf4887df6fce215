"""Store tests: the headless archive through its public API and its modules (no Textual, no CLI).

Every test here carries the `store` marker: `pytest -m store` runs this layer alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_support import mark_layer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_layer(items, HERE, "store")
