"""The Integration API (``ApiKey-v1``)."""

from __future__ import annotations

from typing import Any

from perks.entrypoints.http.integration import customer_sessions, returns
from perks.entrypoints.http.routes import Operation

__all__ = ["OPERATIONS"]

OPERATIONS: list[Operation[Any, Any]] = [*customer_sessions.OPERATIONS, *returns.OPERATIONS]
