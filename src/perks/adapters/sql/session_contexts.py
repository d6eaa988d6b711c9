"""Emporix's session contexts in SQL: the ids, the customer and the metadata as columns, the
other fields and the custom attributes as one JSON document. A write is conditional on the
version it replaces."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.prepared import Prepared
from perks.adapters.sql.tables import session_contexts
from perks.domain.errors import Conflict
from perks.domain.session_contexts import ContextFields, SessionContext

__all__ = ["SqlSessionContextRepository"]

_ROW = session_contexts.c
_SELECT = select(session_contexts).where(
    _ROW.tenant == bindparam("tenant"), _ROW.session_id == bindparam("session_id")
)
_GET = Prepared(_SELECT)
_GET_LOCKED = Prepared(_SELECT.with_for_update())
_WRITTEN = ("customer_id", "document", "version", "created_at", "modified_at")
_SAVE = Prepared(
    update(session_contexts)
    .where(
        _ROW.tenant == bindparam("tenant"),
        _ROW.session_id == bindparam("session_id"),
        _ROW.version == bindparam("expected_version"),
    )
    .values({column: bindparam(column) for column in _WRITTEN})
)


class SqlSessionContextRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, tenant: str, session_id: str, *, lock: bool = False) -> SessionContext | None:
        locked = lock and self._connection.dialect.name == "postgresql"
        row = (_GET_LOCKED if locked else _GET).first(
            self._connection, {"tenant": tenant, "session_id": session_id}
        )
        return None if row is None else _context(row)

    def add(self, context: SessionContext) -> None:
        try:
            with self._connection.begin_nested():
                self._connection.execute(insert(session_contexts).values(**_values(context)))
        except IntegrityError:
            raise Conflict(f"the session context {context.session_id} exists") from None

    def delete_expired(self, idle_since: datetime, *, limit: int) -> int:
        stale = (
            select(_ROW.id)
            .where(_ROW.modified_at <= idle_since, _ROW.customer_id.is_(None))
            .limit(limit)
        )
        result = self._connection.execute(
            delete(session_contexts).where(_ROW.id.in_(stale.scalar_subquery()))
        )
        return int(result.rowcount)

    def save(self, context: SessionContext, *, expected_version: int) -> bool:
        matched = _SAVE.execute(
            self._connection, {**_values(context), "expected_version": expected_version}
        )
        return matched == 1


def _values(context: SessionContext) -> dict[str, Any]:
    fields = context.fields
    return {
        "tenant": context.tenant,
        "session_id": context.session_id,
        "customer_id": fields.customer_id,
        "document": dump(
            {
                "siteCode": fields.site_code,
                "currency": fields.currency,
                "cartId": fields.cart_id,
                "targetLocation": fields.target_location,
                "language": fields.language,
                "context": dict(fields.context),
            }
        ),
        "version": context.version,
        "created_at": context.created_at,
        "modified_at": context.modified_at,
    }


def _context(row: Mapping[str, Any]) -> SessionContext:
    document = load(row["document"])
    return SessionContext(
        tenant=row["tenant"],
        session_id=row["session_id"],
        fields=ContextFields(
            customer_id=row["customer_id"],
            site_code=document["siteCode"],
            currency=document["currency"],
            cart_id=document["cartId"],
            target_location=document["targetLocation"],
            language=document["language"],
            context=document["context"],
        ),
        version=int(row["version"]),
        created_at=row["created_at"],
        modified_at=row["modified_at"],
    )
