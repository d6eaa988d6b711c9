"""Customer profiles as sessions see them: created on first sight of an integration id, with
the totals closing sessions keep (``closedSessions``, ``totalSales``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

__all__ = ["CustomerProfile"]


@dataclass(frozen=True, slots=True)
class CustomerProfile:
    application_id: int
    integration_id: str
    created: datetime
    id: int = 0
    attributes: Mapping[str, object] = field(default_factory=dict)
    closed_sessions: int = 0
    total_sales: Decimal = Decimal(0)
    last_activity: datetime | None = None
