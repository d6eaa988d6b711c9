"""Every operation perks serves over HTTP, in one table."""

from __future__ import annotations

from typing import Any

from perks.entrypoints.http import integration, management, system
from perks.entrypoints.http.routes import Operation

__all__ = ["OPERATIONS"]

OPERATIONS: list[Operation[Any, Any]] = [
    *system.OPERATIONS,
    *integration.OPERATIONS,
    *management.OPERATIONS,
]
