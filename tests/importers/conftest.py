"""Importer tests: each agent's on-disk format, in its real layout, through the source contract.

Every test here carries the `importers` marker: `pytest -m importers` runs this layer alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_support import mark_layer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_layer(items, HERE, "importers")
