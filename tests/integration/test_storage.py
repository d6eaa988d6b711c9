"""Storage: migrations create exactly the tables; SQLite serializes writers; UTC is kept."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, select

from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.engine import normalize_database_url
from perks.adapters.sql.tables import management_keys, metadata
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.domain.applications import ApplicationSpec
from perks.domain.pages import PageRequest


def test_migrations_create_exactly_the_declared_tables(database_url: str) -> None:
    database = SqlDatabase(database_url)
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    database.dispose()
    assert differences == []


def test_status_tells_a_fresh_database_is_behind(sqlite_url: str) -> None:
    database = SqlDatabase(sqlite_url)
    assert database.status().current is None
    assert not database.status().up_to_date
    assert database.migrate().up_to_date
    assert database.migrate().up_to_date  # idempotent
    database.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    database = SqlDatabase(sqlite_url)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    database.dispose()


def test_concurrent_read_then_write_transactions_on_sqlite_all_succeed(sqlite_url: str) -> None:
    """BEGIN IMMEDIATE makes writers queue: no 'database is locked' halfway through."""
    database = SqlDatabase(sqlite_url)
    database.migrate()
    uow = SqlUnitOfWorkFactory(database.engine)
    spec = ApplicationSpec(name="a", timezone="UTC", currency="EUR")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    errors: list[BaseException] = []

    def read_then_write() -> None:
        try:
            for _ in range(10):
                with uow(write=True) as tx:
                    total = tx.applications.list(_page()).total
                    tx.applications.add(spec, now=now + timedelta(seconds=total))
                    tx.commit()
        except BaseException as error:  # recorded for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=read_then_write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with uow(write=False) as tx:
        total = tx.applications.list(_page()).total
    database.dispose()
    assert errors == []
    assert total == 80


def _page() -> PageRequest:
    return PageRequest(page_size=1)


def test_timestamps_come_back_as_the_same_instant_in_utc(database_url: str) -> None:
    database = SqlDatabase(database_url)
    berlin = timezone(timedelta(hours=1))
    moment = datetime(2026, 6, 1, 12, 30, 45, 123456, tzinfo=berlin)
    with database.engine.begin() as connection:
        connection.execute(
            insert(management_keys).values(
                name="n",
                digest="x" * 64,
                prefix="xxxxxx",
                expiry_date=moment,
                created=moment,
                disabled=False,
            )
        )
        stored = connection.execute(select(management_keys.c.expiry_date)).scalar_one()
    database.dispose()
    assert stored == moment
    assert stored.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(sqlite_url: str) -> None:
    database = SqlDatabase(sqlite_url)
    database.migrate()
    with pytest.raises(Exception, match="naive datetime"), database.engine.begin() as connection:
        connection.execute(
            insert(management_keys).values(
                name="n",
                digest="y" * 64,
                prefix="yyyyyy",
                expiry_date=datetime(2026, 1, 1),
                created=datetime(2026, 1, 1),
                disabled=False,
            )
        )
    database.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/d", "postgresql+psycopg://u@h:5432/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///perks.db", "sqlite+pysqlite:///perks.db"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ],
)
def test_database_urls_pick_our_drivers(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database"):
        normalize_database_url("mysql://root@localhost/test")
