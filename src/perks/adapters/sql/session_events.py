"""Session events in SQL: one row per event, its effects and meta as exact-number JSON."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection

from perks.adapters.sql.customer_sessions import effect_document
from perks.adapters.sql.documents import dump
from perks.adapters.sql.prepared import Prepared
from perks.adapters.sql.tables import session_events
from perks.domain.events import Event

__all__ = ["SqlSessionEventRepository"]

_COLUMNS = (
    "application_id",
    "type",
    "created",
    "session_integration_id",
    "profile_integration_id",
    "store_integration_id",
    "attributes",
    "effects",
    "meta",
)
# Every session update runs it.
_ADD = Prepared(
    insert(session_events)
    .values({column: bindparam(column) for column in _COLUMNS})
    .returning(session_events.c.id)
)


class SqlSessionEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, event: Event) -> Event:
        row = _ADD.first(
            self._connection,
            {
                "application_id": event.application_id,
                "type": event.type,
                "created": event.created,
                "session_integration_id": event.session_integration_id,
                "profile_integration_id": event.profile_id,
                "store_integration_id": event.store_integration_id,
                "attributes": dump(dict(event.attributes)),
                "effects": dump([effect_document(effect) for effect in event.effects]),
                "meta": dump(dict(event.meta)),
            },
        )
        assert row is not None, "INSERT ... RETURNING answers the row"
        return replace(event, id=int(row["id"]))
