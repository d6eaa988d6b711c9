"""Custom attributes and additional costs in SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.paging import contains_pattern, fetch_page, inserted_id
from perks.adapters.sql.tables import attributes
from perks.domain.attributes import Attribute, AttributeEntity, AttributeSpec, AttributeType
from perks.domain.pages import Page, PageRequest
from perks.services.ports import AttributeFilter

__all__ = ["SqlAttributeRepository"]


class SqlAttributeRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, spec: AttributeSpec, *, now: datetime) -> Attribute:
        result = self._connection.execute(
            insert(attributes).values({**_spec_values(spec), "created": now})
        )
        new_id = inserted_id(result)
        return Attribute.from_spec(spec, id=new_id, created=now)

    def get(self, attribute_id: int) -> Attribute | None:
        return self._first(attributes.c.id == attribute_id)

    def find(
        self, entity: AttributeEntity, name: str, *, event_type: str | None
    ) -> Attribute | None:
        return self._first(
            attributes.c.entity == str(entity),
            attributes.c.name == name,
            attributes.c.event_type == (event_type or ""),
        )

    def list(self, page: PageRequest, filter: AttributeFilter) -> Page[Attribute]:
        query = select(attributes)
        if filter.entity is not None:
            query = query.where(attributes.c.entity == str(filter.entity))
        if filter.type is not None:
            query = query.where(attributes.c.type == str(filter.type))
        if filter.search:
            needle = contains_pattern(filter.search.lower())
            query = query.where(
                or_(
                    func.lower(attributes.c.name).like(needle, escape="\\"),
                    func.lower(attributes.c.title).like(needle, escape="\\"),
                    func.lower(attributes.c.description).like(needle, escape="\\"),
                )
            )
        return fetch_page(self._connection, attributes, query, page, _to_domain)

    def update(self, attribute_id: int, spec: AttributeSpec) -> Attribute | None:
        result = self._connection.execute(
            update(attributes).where(attributes.c.id == attribute_id).values(_spec_values(spec))
        )
        return None if result.rowcount == 0 else self.get(attribute_id)

    def _first(self, *conditions: Any) -> Attribute | None:
        row = self._connection.execute(select(attributes).where(*conditions)).mappings().first()
        return None if row is None else _to_domain(row)


def _optional_list(values: tuple[Any, ...] | None) -> list[Any] | None:
    return None if values is None else list(values)


def _optional_tuple(values: list[Any] | None) -> tuple[Any, ...] | None:
    return None if values is None else tuple(values)


def _spec_values(spec: AttributeSpec) -> dict[str, Any]:
    return {
        "entity": str(spec.entity),
        "event_type": spec.event_type or "",
        "name": spec.name,
        "title": spec.title,
        "type": str(spec.type),
        "description": spec.description,
        "suggestions": list(spec.suggestions),
        "editable": spec.editable,
        "has_allowed_list": spec.has_allowed_list,
        "restricted_by_suggestions": spec.restricted_by_suggestions,
        "subscribed_applications_ids": _optional_list(spec.subscribed_applications_ids),
        "subscribed_catalogs_ids": _optional_list(spec.subscribed_catalogs_ids),
        "allowed_subscriptions": _optional_list(spec.allowed_subscriptions),
    }


def _to_domain(row: RowMapping) -> Attribute:
    return Attribute(
        id=int(row["id"]),
        created=row["created"],
        entity=AttributeEntity(row["entity"]),
        event_type=row["event_type"] or None,
        name=row["name"],
        title=row["title"],
        type=AttributeType(row["type"]),
        description=row["description"],
        suggestions=tuple(row["suggestions"]),
        editable=row["editable"],
        has_allowed_list=row["has_allowed_list"],
        restricted_by_suggestions=row["restricted_by_suggestions"],
        subscribed_applications_ids=_optional_tuple(row["subscribed_applications_ids"]),
        subscribed_catalogs_ids=_optional_tuple(row["subscribed_catalogs_ids"]),
        allowed_subscriptions=_optional_tuple(row["allowed_subscriptions"]),
    )
