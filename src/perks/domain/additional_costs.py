"""Additional costs: named costs (shipping, packaging) a session or cart item may carry."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

__all__ = ["AdditionalCost", "AdditionalCostSpec", "AdditionalCostType"]


class AdditionalCostType(StrEnum):
    SESSION = "session"
    ITEM = "item"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class AdditionalCostSpec:
    """``NewAdditionalCost``."""

    name: str
    title: str
    description: str
    type: AdditionalCostType = AdditionalCostType.SESSION
    subscribed_applications_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class AdditionalCost(AdditionalCostSpec):
    """``AccountAdditionalCost``."""

    id: int = 0
    created: datetime | None = None

    @classmethod
    def from_spec(cls, spec: AdditionalCostSpec, *, id: int, created: datetime) -> AdditionalCost:
        values = {f.name: getattr(spec, f.name) for f in fields(AdditionalCostSpec)}
        return cls(**values, id=id, created=created)
