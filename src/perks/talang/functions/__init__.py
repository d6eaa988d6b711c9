"""The core function library, one module per family, registered into a ``FunctionRegistry``."""

from __future__ import annotations

from functools import cache

from perks.talang.functions import (
    arithmetic,
    comparison,
    control,
    dates,
    lists,
    logic,
    strings,
)
from perks.talang.registry import FunctionRegistry

__all__ = ["FAMILIES", "default_registry", "register_core"]

FAMILIES = (logic, control, comparison, arithmetic, strings, lists, dates)


def register_core(registry: FunctionRegistry) -> FunctionRegistry:
    for family in FAMILIES:
        family.register(registry)
    return registry


@cache
def default_registry() -> FunctionRegistry:
    """The shared core registry. Extend a ``copy()`` of it, never the registry itself."""
    return register_core(FunctionRegistry())
