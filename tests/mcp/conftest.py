"""MCP tests: the recall tools and the server, with the SDK's own clients.

Every test here carries the `mcp` marker: `pytest -m mcp` runs this layer alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layer_support import mark_layer

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_layer(items, HERE, "mcp")
