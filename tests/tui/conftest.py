"""Browser tests: Pilot (keys a person presses, what the screen and store hold) and snapshots.

Every test here carries the `tui` marker: `pytest -m tui` runs this layer alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_support import mark_layer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_layer(items, HERE, "tui")
