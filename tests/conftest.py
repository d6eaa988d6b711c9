"""Shared fixtures: clocks, SQLite files and a throwaway PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.tables import metadata
from tests.fakes import FixedClock

POSTGRES_URL = os.environ.get(
    "PERKS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_url(tmp_path: os.PathLike[str]) -> str:
    return f"sqlite:///{tmp_path}/perks.db"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped at the end of the run."""
    admin_url = make_url(SqlDatabase(POSTGRES_URL).url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        message = f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(error).__name__})"
        if IN_CI:
            pytest.fail(f"{message}: CI=true requires it (set PERKS_TEST_POSTGRES_URL)")
        pytest.skip(f"{message}; set PERKS_TEST_POSTGRES_URL or CI=true to run these tests")
    name = f"perks_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_migrated(postgres_server: str) -> str:
    database = SqlDatabase(postgres_server)
    database.migrate()
    database.dispose()
    return postgres_server


def empty_postgres(url: str) -> None:
    database = SqlDatabase(url)
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    database.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def migrated_url(request: pytest.FixtureRequest, backend: str) -> str:
    """A migrated, empty database of ``backend`` for the requesting test."""
    if backend == "sqlite":
        url: str = request.getfixturevalue("sqlite_url")
        database = SqlDatabase(url)
        database.migrate()
        database.dispose()
        return url
    url = request.getfixturevalue("postgres_migrated")
    empty_postgres(url)
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    return migrated_url(request, request.param)
