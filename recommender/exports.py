"""A package's public names, imported on first use (PEP 562), so `import recommender` stays cheap.

`from recommender import Engine` loads the engine and its numpy and pandas; `recommender --help`
and a rules-only `recommend`, which import only the modules they need, load nothing more than
before (`tests/cli/test_start_up.py`). Each package `__init__` lists its names and where they
live, once:

    __all__, __getattr__, __dir__ = public_names(__name__, {"recommender.shopper.engine": ("Engine",)})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def public_names(
    package: str, where: Mapping[str, Sequence[str]]
) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """`__all__`, `__getattr__` and `__dir__` for `package`: each name in `where`'s values is
    imported from the module that is its key when first asked for."""
    module_of = {name: module for module, names in where.items() for name in names}
    exported = sorted(module_of)

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def __dir__() -> list[str]:
        return exported

    return exported, __getattr__, __dir__
