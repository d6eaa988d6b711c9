"""Integration and management keys in SQL (digests only, never the keys)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.paging import fetch_page, inserted_id
from perks.adapters.sql.tables import integration_keys, management_keys
from perks.domain.api_keys import (
    IntegrationKey,
    IntegrationKeyPlatform,
    IntegrationKeyType,
    ManagementKey,
)
from perks.domain.pages import Page, PageRequest
from perks.services.ports import NewIntegrationKey, NewManagementKey

__all__ = ["SqlIntegrationKeyRepository", "SqlManagementKeyRepository"]


class SqlIntegrationKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, key: NewIntegrationKey) -> IntegrationKey:
        values = {
            "application_id": key.application_id,
            "title": key.title,
            "digest": key.digest,
            "prefix": key.prefix,
            "expires": key.expires,
            "created": key.created,
            "platform": str(key.platform),
            "type": None if key.type is None else str(key.type),
            "time_offset": key.time_offset,
        }
        result = self._connection.execute(insert(integration_keys).values(values))
        new_id = inserted_id(result)
        return IntegrationKey(
            id=new_id,
            application_id=key.application_id,
            title=key.title,
            prefix=key.prefix,
            expires=key.expires,
            created=key.created,
            platform=key.platform,
            type=key.type,
            time_offset=key.time_offset,
        )

    def find_by_digest(self, digest: str) -> IntegrationKey | None:
        row = (
            self._connection.execute(
                select(integration_keys).where(integration_keys.c.digest == digest)
            )
            .mappings()
            .first()
        )
        return None if row is None else _integration_key(row)

    def get(self, application_id: int, key_id: int) -> IntegrationKey | None:
        row = (
            self._connection.execute(
                select(integration_keys).where(
                    integration_keys.c.id == key_id,
                    integration_keys.c.application_id == application_id,
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _integration_key(row)

    def list(self, application_id: int, page: PageRequest) -> Page[IntegrationKey]:
        query = select(integration_keys).where(integration_keys.c.application_id == application_id)
        return fetch_page(self._connection, integration_keys, query, page, _integration_key)

    def revoke(self, application_id: int, key_id: int, *, now: datetime) -> bool:
        exists = self.get(application_id, key_id)
        if exists is None:
            return False
        self._connection.execute(
            update(integration_keys)
            .where(integration_keys.c.id == key_id, integration_keys.c.revoked.is_(None))
            .values(revoked=now)
        )
        return True

    def touch(self, key_id: int, *, now: datetime) -> None:
        self._connection.execute(
            update(integration_keys).where(integration_keys.c.id == key_id).values(last_used=now)
        )


class SqlManagementKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, key: NewManagementKey) -> ManagementKey:
        allowed = key.allowed_application_ids
        values = {
            "name": key.name,
            "digest": key.digest,
            "prefix": key.prefix,
            "expiry_date": key.expiry_date,
            "created": key.created,
            "allowed_application_ids": None if allowed is None else list(allowed),
            "disabled": False,
        }
        result = self._connection.execute(insert(management_keys).values(values))
        new_id = inserted_id(result)
        return ManagementKey(
            id=new_id,
            name=key.name,
            prefix=key.prefix,
            expiry_date=key.expiry_date,
            created=key.created,
            allowed_application_ids=allowed,
        )

    def find_by_digest(self, digest: str) -> ManagementKey | None:
        row = (
            self._connection.execute(
                select(management_keys).where(management_keys.c.digest == digest)
            )
            .mappings()
            .first()
        )
        return None if row is None else _management_key(row)

    def count_usable(self, *, now: datetime) -> int:
        usable = and_(management_keys.c.disabled.is_(False), management_keys.c.expiry_date > now)
        count = self._connection.execute(
            select(func.count()).select_from(management_keys).where(usable)
        ).scalar_one()
        return int(count)

    def touch(self, key_id: int, *, now: datetime) -> None:
        self._connection.execute(
            update(management_keys).where(management_keys.c.id == key_id).values(last_used=now)
        )


def _integration_key(row: RowMapping) -> IntegrationKey:
    return IntegrationKey(
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        title=row["title"],
        prefix=row["prefix"],
        expires=row["expires"],
        created=row["created"],
        platform=IntegrationKeyPlatform(row["platform"]),
        type=None if row["type"] is None else IntegrationKeyType(row["type"]),
        time_offset=row["time_offset"],
        revoked=row["revoked"],
        last_used=row["last_used"],
    )


def _management_key(row: RowMapping) -> ManagementKey:
    allowed = row["allowed_application_ids"]
    return ManagementKey(
        id=int(row["id"]),
        name=row["name"],
        prefix=row["prefix"],
        expiry_date=row["expiry_date"],
        created=row["created"],
        allowed_application_ids=None if allowed is None else tuple(int(i) for i in allowed),
        disabled=row["disabled"],
        last_used=row["last_used"],
    )
