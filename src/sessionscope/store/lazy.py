"""A module imported on its first use, for code the store's start-up does not need."""

from __future__ import annotations

from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for the module `name` and imports it when one of its attributes is first read.

    Declare the real module for type checkers under `if TYPE_CHECKING:` and this in `else:`.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            import importlib

            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)
