"""Migrating the schema, and telling whether a database is behind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from perks.adapters.sql.engine import WRITE_OPTION

__all__ = ["SchemaStatus", "migrate", "schema_status"]

_MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def migrate(engine: Engine) -> SchemaStatus:
    """Upgrade the database to the newest revision."""
    config = _config()
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    return schema_status(engine)


def schema_status(engine: Engine) -> SchemaStatus:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current=current, head=head)
