"""Stores in SQL."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, or_, select
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.paging import contains_pattern, fetch_page, inserted_id
from perks.adapters.sql.tables import stores
from perks.domain.pages import Page, PageRequest
from perks.domain.stores import Store, StoreSpec
from perks.services.ports import StoreFilter

__all__ = ["SqlStoreRepository"]


class SqlStoreRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, application_id: int, spec: StoreSpec, *, now: datetime) -> Store:
        result = self._connection.execute(
            insert(stores).values(
                application_id=application_id,
                created=now,
                updated=now,
                name=spec.name,
                description=spec.description,
                integration_id=spec.integration_id,
                attributes=dict(spec.attributes),
            )
        )
        return Store.from_spec(
            spec, id=inserted_id(result), application_id=application_id, created=now
        )

    def find_by_integration_id(self, application_id: int, integration_id: str) -> Store | None:
        row = (
            self._connection.execute(
                select(stores).where(
                    stores.c.application_id == application_id,
                    stores.c.integration_id == integration_id,
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _store(row)

    def known_ids(self, application_id: int, store_ids: Collection[int]) -> set[int]:
        if not store_ids:
            return set()
        return set(
            self._connection.execute(
                select(stores.c.id).where(
                    stores.c.application_id == application_id, stores.c.id.in_(list(store_ids))
                )
            ).scalars()
        )

    def list(self, application_id: int, page: PageRequest, filter: StoreFilter) -> Page[Store]:
        query: Select[Any] = select(stores).where(stores.c.application_id == application_id)
        if filter.name:
            query = query.where(stores.c.name.ilike(contains_pattern(filter.name), escape="\\"))
        if filter.integration_id:
            query = query.where(stores.c.integration_id == filter.integration_id)
        if filter.query:
            needle = contains_pattern(filter.query)
            query = query.where(
                or_(
                    stores.c.name.ilike(needle, escape="\\"),
                    stores.c.integration_id.ilike(needle, escape="\\"),
                )
            )
        if filter.ids is not None:
            query = query.where(stores.c.id.in_(list(filter.ids)))
        return fetch_page(self._connection, stores, query, page, _store)


def _store(row: RowMapping) -> Store:
    return Store(
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        created=row["created"],
        updated=row["updated"],
        name=row["name"],
        description=row["description"],
        integration_id=row["integration_id"],
        attributes=row["attributes"],
    )
