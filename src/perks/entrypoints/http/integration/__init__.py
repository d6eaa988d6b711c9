"""The Integration API (``ApiKey-v1``). Its operations arrive with issue #5 and later issues."""

from __future__ import annotations

from typing import Any

from perks.entrypoints.http.routes import Operation

__all__ = ["OPERATIONS"]

OPERATIONS: list[Operation[Any, Any]] = []
