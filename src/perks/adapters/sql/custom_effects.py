"""Custom effect definitions in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.paging import fetch_page, inserted_id
from perks.adapters.sql.tables import custom_effects
from perks.domain.custom_effects import CustomEffect
from perks.domain.pages import Page, PageRequest
from perks.domain.vocabulary import (
    CustomEffectDefinition,
    CustomEffectParam,
    CustomEffectParamType,
)

__all__ = ["SqlCustomEffectRepository"]


class SqlCustomEffectRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self, definition: CustomEffectDefinition, application_ids: tuple[int, ...], *, now: datetime
    ) -> CustomEffect:
        result = self._connection.execute(
            insert(custom_effects).values(
                {**_values(definition, application_ids), "created": now, "modified": now}
            )
        )
        stored = _definition(inserted_id(result), _values(definition, application_ids))
        return CustomEffect(stored, application_ids, now, now)

    def get(self, custom_effect_id: int) -> CustomEffect | None:
        return self._first(custom_effects.c.id == custom_effect_id)

    def find_by_name(self, name: str) -> CustomEffect | None:
        return self._first(custom_effects.c.name_key == name.lower())

    def list(self, page: PageRequest) -> Page[CustomEffect]:
        return fetch_page(
            self._connection, custom_effects, select(custom_effects), page, _custom_effect
        )

    def for_application(self, application_id: int) -> Sequence[CustomEffectDefinition]:
        rows = self._connection.execute(
            select(custom_effects).order_by(custom_effects.c.id)
        ).mappings()
        return [
            _custom_effect(row).definition
            for row in rows
            if application_id in row["application_ids"]
        ]

    def update(
        self,
        custom_effect_id: int,
        definition: CustomEffectDefinition,
        application_ids: tuple[int, ...],
        *,
        now: datetime,
    ) -> CustomEffect | None:
        result = self._connection.execute(
            update(custom_effects)
            .where(custom_effects.c.id == custom_effect_id)
            .values({**_values(definition, application_ids), "modified": now})
        )
        return None if result.rowcount == 0 else self.get(custom_effect_id)

    def delete(self, custom_effect_id: int) -> bool:
        result = self._connection.execute(
            delete(custom_effects).where(custom_effects.c.id == custom_effect_id)
        )
        return result.rowcount > 0

    def _first(self, condition: Any) -> CustomEffect | None:
        row = self._connection.execute(select(custom_effects).where(condition)).mappings().first()
        return None if row is None else _custom_effect(row)


def _values(definition: CustomEffectDefinition, application_ids: tuple[int, ...]) -> dict[str, Any]:
    return {
        "name": definition.name,
        "name_key": definition.name.lower(),
        "title": definition.title,
        "description": definition.description,
        "payload": definition.payload,
        "is_per_item": definition.is_per_item,
        "enabled": definition.enabled,
        "params": [
            {
                "key": param.key,
                "type": str(param.type),
                "title": param.title,
                "description": param.description,
            }
            for param in definition.params
        ],
        "application_ids": list(application_ids),
    }


def _definition(custom_effect_id: int, values: Any) -> CustomEffectDefinition:
    return CustomEffectDefinition(
        id=custom_effect_id,
        name=values["name"],
        payload=values["payload"],
        params=tuple(
            CustomEffectParam(
                key=param["key"],
                type=CustomEffectParamType(param["type"]),
                title=param["title"],
                description=param["description"],
            )
            for param in values["params"]
        ),
        is_per_item=bool(values["is_per_item"]),
        enabled=bool(values["enabled"]),
        title=values["title"],
        description=values["description"],
    )


def _custom_effect(row: RowMapping) -> CustomEffect:
    return CustomEffect(
        _definition(int(row["id"]), row),
        tuple(row["application_ids"]),
        row["created"],
        row["modified"],
    )
