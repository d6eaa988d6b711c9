"""Customer profiles in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.prepared import Prepared
from perks.adapters.sql.tables import customer_profiles
from perks.domain.customer_profiles import CustomerProfile

__all__ = ["SqlCustomerProfileRepository"]


# Every session update runs them.
_SELECT = select(customer_profiles).where(
    customer_profiles.c.application_id == bindparam("application_id"),
    customer_profiles.c.integration_id == bindparam("integration_id"),
)
_GET = Prepared(_SELECT)
_GET_LOCKED = Prepared(_SELECT.with_for_update())
_SAVE = Prepared(
    update(customer_profiles)
    .where(customer_profiles.c.id == bindparam("profile_id"))
    .values(
        {
            column: bindparam(column)
            for column in ("attributes", "closed_sessions", "total_sales", "last_activity")
        }
    )
)


class SqlCustomerProfileRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(
        self, application_id: int, integration_id: str, *, lock: bool = False
    ) -> CustomerProfile | None:
        locked = lock and self._connection.dialect.name == "postgresql"
        parameters = {"application_id": application_id, "integration_id": integration_id}
        row = (_GET_LOCKED if locked else _GET).first(self._connection, parameters)
        return None if row is None else _profile(row)

    def ensure(
        self, application_id: int, integration_id: str, *, now: datetime
    ) -> tuple[CustomerProfile, bool]:
        """The profile, created when unknown (concurrent creators make one), its row held
        until the transaction ends (PostgreSQL; SQLite's writers are serial already): a
        close reads its counters, then writes them. True when this call created it."""
        found = self.get(application_id, integration_id, lock=True)
        if found is not None:  # the usual case: one read, no write attempt
            return found, False
        insert = (
            postgresql_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        )
        result = self._connection.execute(
            insert(customer_profiles)
            .values(
                application_id=application_id,
                integration_id=integration_id,
                created=now,
                attributes=dump({}),
                closed_sessions=0,
                total_sales="0",
            )
            .on_conflict_do_nothing()
            .returning(customer_profiles.c.id)
        )
        created = result.first() is not None
        profile = self.get(application_id, integration_id, lock=True)
        assert profile is not None, "inserted or already there"
        return profile, created

    def save(self, profile: CustomerProfile) -> None:
        _SAVE.execute(
            self._connection,
            {
                "profile_id": profile.id,
                "attributes": dump(dict(profile.attributes)),
                "closed_sessions": profile.closed_sessions,
                "total_sales": str(profile.total_sales),
                "last_activity": profile.last_activity,
            },
        )


def _profile(row: Mapping[str, Any]) -> CustomerProfile:
    return CustomerProfile(
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        integration_id=row["integration_id"],
        created=row["created"],
        attributes=load(row["attributes"]),
        closed_sessions=int(row["closed_sessions"]),
        total_sales=Decimal(row["total_sales"]),
        last_activity=row["last_activity"],
    )
