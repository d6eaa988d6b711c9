"""Stored answers of idempotent requests: one row per (application, operation, key); an expired
row reads as absent and is replaced by the next request with its key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from perks.adapters.sql.tables import idempotency_keys
from perks.domain.errors import Conflict
from perks.domain.idempotency import StoredAnswer

__all__ = ["SqlIdempotencyKeyRepository"]

_TABLE = idempotency_keys.c


class SqlIdempotencyKeyRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(
        self, application_id: int, operation: str, key: str, *, now: datetime
    ) -> StoredAnswer | None:
        query = select(idempotency_keys).where(
            _TABLE.application_id == application_id,
            _TABLE.operation == operation,
            _TABLE.key == key,
            _TABLE.expires > now,
        )
        row = self._connection.execute(query).mappings().first()
        if row is None:
            return None
        return StoredAnswer(
            application_id=int(row["application_id"]),
            operation=row["operation"],
            key=row["key"],
            fingerprint=row["fingerprint"],
            status=int(row["status"]),
            response=row["response"],
            created=row["created"],
        )

    def add(self, answer: StoredAnswer) -> None:
        # Expired answers go first (the index on ``expires`` finds them).
        self._connection.execute(delete(idempotency_keys).where(_TABLE.expires <= answer.created))
        try:
            with self._connection.begin_nested():
                self._connection.execute(
                    insert(idempotency_keys).values(
                        application_id=answer.application_id,
                        operation=answer.operation,
                        key=answer.key,
                        fingerprint=answer.fingerprint,
                        status=answer.status,
                        response=answer.response,
                        created=answer.created,
                        expires=answer.expires,
                    )
                )
        except IntegrityError:
            raise Conflict(f"the idempotency key {answer.key!r} is being used meanwhile") from None
