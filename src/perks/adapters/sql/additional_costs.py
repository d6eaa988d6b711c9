"""Additional costs in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.paging import fetch_page, inserted_id
from perks.adapters.sql.tables import additional_costs
from perks.domain.additional_costs import AdditionalCost, AdditionalCostSpec, AdditionalCostType
from perks.domain.pages import Page, PageRequest

__all__ = ["SqlAdditionalCostRepository"]


class SqlAdditionalCostRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, spec: AdditionalCostSpec, *, now: datetime) -> AdditionalCost:
        result = self._connection.execute(
            insert(additional_costs).values({**_spec_values(spec), "created": now})
        )
        new_id = inserted_id(result)
        return AdditionalCost.from_spec(spec, id=new_id, created=now)

    def get(self, additional_cost_id: int) -> AdditionalCost | None:
        return self._first(additional_costs.c.id == additional_cost_id)

    def find_by_name(self, name: str) -> AdditionalCost | None:
        return self._first(additional_costs.c.name == name)

    def list(self, page: PageRequest) -> Page[AdditionalCost]:
        return fetch_page(
            self._connection, additional_costs, select(additional_costs), page, _to_domain
        )

    def update(self, additional_cost_id: int, spec: AdditionalCostSpec) -> AdditionalCost | None:
        result = self._connection.execute(
            update(additional_costs)
            .where(additional_costs.c.id == additional_cost_id)
            .values(_spec_values(spec))
        )
        return None if result.rowcount == 0 else self.get(additional_cost_id)

    def _first(self, condition: Any) -> AdditionalCost | None:
        row = self._connection.execute(select(additional_costs).where(condition)).mappings().first()
        return None if row is None else _to_domain(row)


def _spec_values(spec: AdditionalCostSpec) -> dict[str, Any]:
    subscribed = spec.subscribed_applications_ids
    return {
        "name": spec.name,
        "title": spec.title,
        "description": spec.description,
        "type": str(spec.type),
        "subscribed_applications_ids": None if subscribed is None else list(subscribed),
    }


def _to_domain(row: RowMapping) -> AdditionalCost:
    subscribed = row["subscribed_applications_ids"]
    return AdditionalCost(
        id=int(row["id"]),
        created=row["created"],
        name=row["name"],
        title=row["title"],
        description=row["description"],
        type=AdditionalCostType(row["type"]),
        subscribed_applications_ids=None if subscribed is None else tuple(subscribed),
    )
