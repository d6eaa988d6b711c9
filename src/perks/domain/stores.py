"""Stores: the shops of an application, which campaigns may be linked to (``linkedStoreIds``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime

from perks.domain.errors import InvalidInput, Problem

__all__ = ["MAX_INTEGRATION_ID", "MAX_STORE_NAME", "Store", "StoreSpec", "validate_store"]

MAX_STORE_NAME = 200
MAX_INTEGRATION_ID = 1000


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """``NewStore``."""

    name: str
    description: str
    integration_id: str
    attributes: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Store(StoreSpec):
    id: int = 0
    application_id: int = 0
    created: datetime | None = None
    updated: datetime | None = None

    @classmethod
    def from_spec(
        cls, spec: StoreSpec, *, id: int, application_id: int, created: datetime
    ) -> Store:
        values = {f.name: getattr(spec, f.name) for f in fields(StoreSpec)}
        return cls(**values, id=id, application_id=application_id, created=created, updated=created)


def validate_store(spec: StoreSpec) -> None:
    problems: list[Problem] = []
    if not spec.name.strip() or len(spec.name) > MAX_STORE_NAME:
        problems.append(
            Problem("invalid value", f"a name has 1 to {MAX_STORE_NAME} characters", "/name")
        )
    if not spec.integration_id.strip() or len(spec.integration_id) > MAX_INTEGRATION_ID:
        problems.append(
            Problem(
                "invalid value",
                f"an integration ID has 1 to {MAX_INTEGRATION_ID} characters",
                "/integrationId",
            )
        )
    if problems:
        raise InvalidInput(problems)
