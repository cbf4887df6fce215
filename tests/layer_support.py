"""Each test folder is a layer; its conftest marks its tests so `pytest -m LAYER` runs it alone."""

from __future__ import annotations

from pathlib import Path

import pytest


def mark_layer(items: list[pytest.Item], folder: Path, layer: str) -> None:
    """Mark the tests collected under `folder` with their layer."""
    for item in items:
        if item.path.is_relative_to(folder):
            item.add_marker(getattr(pytest.mark, layer))
