"""CLI tests: commands run through click's runner or a real process, as a person or a script would.

Every test here carries the `cli` marker: `pytest -m cli` runs this layer alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_support import mark_layer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_layer(items, HERE, "cli")
