"""Reliability tests: processes, kills, locks and hostile input against the README's promises.

Every test here carries the `reliability` marker: `pytest -m reliability` runs this layer alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_support import mark_layer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_layer(items, HERE, "reliability")
