"""One database: its engine, migrations, schema status and probe."""

from __future__ import annotations

from sqlalchemy import Engine

from perks.adapters.sql import engine as engines
from perks.adapters.sql.schema import SchemaStatus, migrate, schema_status

__all__ = ["SqlDatabase"]


class SqlDatabase:
    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 5000,
        pool_size: int = 8,
        lock_timeout_ms: int = 5000,
    ) -> None:
        self.url = engines.normalize_database_url(url)
        self.engine: Engine = engines.create_database_engine(
            self.url,
            busy_timeout_ms=busy_timeout_ms,
            pool_size=pool_size,
            lock_timeout_ms=lock_timeout_ms,
        )

    @property
    def is_sqlite(self) -> bool:
        return engines.is_sqlite(self.url)

    @property
    def display_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> SchemaStatus:
        return migrate(self.engine)

    def status(self) -> SchemaStatus:
        return schema_status(self.engine)

    def ping(self) -> None:
        engines.ping(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
