"""Campaign evaluation groups in SQL, and the campaigns' places in them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.paging import inserted_id
from perks.adapters.sql.tables import campaigns, evaluation_groups
from perks.domain.evaluation_groups import (
    EvaluationGroup,
    EvaluationGroupSpec,
    EvaluationMode,
    EvaluationScope,
    Member,
)

__all__ = ["SqlEvaluationGroupRepository"]


class SqlEvaluationGroupRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self, application_id: int, spec: EvaluationGroupSpec, *, position: int
    ) -> EvaluationGroup:
        result = self._connection.execute(
            insert(evaluation_groups).values(
                {**_values(spec), "application_id": application_id, "position": position}
            )
        )
        return EvaluationGroup.from_spec(
            spec, id=inserted_id(result), application_id=application_id, position=position
        )

    def groups(self, application_id: int) -> list[EvaluationGroup]:
        rows = (
            self._connection.execute(
                select(evaluation_groups)
                .where(evaluation_groups.c.application_id == application_id)
                .order_by(evaluation_groups.c.id)
            )
            .mappings()
            .all()
        )
        return [_group(row) for row in rows]

    def update(
        self, application_id: int, group_id: int, spec: EvaluationGroupSpec, *, position: int
    ) -> EvaluationGroup | None:
        result = self._connection.execute(
            update(evaluation_groups)
            .where(
                evaluation_groups.c.application_id == application_id,
                evaluation_groups.c.id == group_id,
            )
            .values({**_values(spec), "position": position})
        )
        if result.rowcount == 0:
            return None
        return EvaluationGroup.from_spec(
            spec, id=group_id, application_id=application_id, position=position
        )

    def delete(self, application_id: int, group_id: int) -> bool:
        result = self._connection.execute(
            delete(evaluation_groups).where(
                evaluation_groups.c.application_id == application_id,
                evaluation_groups.c.id == group_id,
            )
        )
        return result.rowcount > 0

    def members(self, application_id: int) -> list[Member]:
        rows = self._connection.execute(
            select(campaigns.c.id, campaigns.c.evaluation_group_id, campaigns.c.evaluation_position)
            .where(
                campaigns.c.application_id == application_id,
                campaigns.c.evaluation_group_id.is_not(None),
            )
            .order_by(campaigns.c.id)
        ).all()
        return [Member(int(row[0]), int(row[1]), int(row[2] or 0)) for row in rows]

    def place(self, application_id: int, campaign_id: int, group_id: int, position: int) -> None:
        self._connection.execute(
            update(campaigns)
            .where(campaigns.c.application_id == application_id, campaigns.c.id == campaign_id)
            .values(evaluation_group_id=group_id, evaluation_position=position)
        )


def _values(spec: EvaluationGroupSpec) -> dict[str, Any]:
    return {
        "parent_id": spec.parent_id,
        "name": spec.name,
        "description": spec.description,
        "evaluation_mode": str(spec.evaluation_mode),
        "evaluation_scope": str(spec.evaluation_scope),
        "locked": spec.locked,
    }


def _group(row: RowMapping) -> EvaluationGroup:
    return EvaluationGroup(
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        parent_id=row["parent_id"],
        name=row["name"],
        description=row["description"],
        evaluation_mode=EvaluationMode(row["evaluation_mode"]),
        evaluation_scope=EvaluationScope(row["evaluation_scope"]),
        locked=bool(row["locked"]),
        position=int(row["position"]),
    )
