"""The configuration revision: every committed write to a table evaluations read (see
``tables.CONFIGURATION_TABLES``) moves it, in the writing transaction. The engine notes such
writes on the connection (``note_configuration_writes``); the unit of work moves the revision
before it commits. Processes key what they build from configuration by it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.dml import UpdateBase

from perks.adapters.sql.prepared import Prepared
from perks.adapters.sql.tables import CONFIGURATION_TABLES, configuration_revision

__all__ = [
    "SqlConfigurationRepository",
    "forget_writes",
    "move_revision_if_written",
    "note_configuration_writes",
]

_WRITTEN = "perks_configuration_written"
_ROW = configuration_revision.c
_REVISION = Prepared(select(_ROW.revision).where(_ROW.id == 1))  # every session update reads it


def note_configuration_writes(engine: Engine) -> None:
    """Mark a connection whose statements insert, update or delete configuration rows."""
    if event.contains(engine, "after_execute", _note):
        return
    event.listen(engine, "after_execute", _note)


def _note(connection: Connection, statement: Any, *_: Any) -> None:
    if isinstance(statement, UpdateBase):
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) in CONFIGURATION_TABLES:
            connection.info[_WRITTEN] = True


def move_revision_if_written(connection: Connection) -> None:
    """Before a commit: move the revision when the transaction wrote configuration."""
    if connection.info.pop(_WRITTEN, False):
        moved = connection.execute(
            update(configuration_revision).where(_ROW.id == 1).values(revision=_ROW.revision + 1)
        )
        if moved.rowcount == 0:  # the row was removed (a truncated database): start again
            connection.execute(insert(configuration_revision).values(id=1, revision=1))


def forget_writes(connection: Connection) -> None:
    """A rolled back transaction wrote nothing."""
    connection.info.pop(_WRITTEN, None)


class SqlConfigurationRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def revision(self) -> int:
        found = _REVISION.first(self._connection, {})
        return 0 if found is None else int(found["revision"])
