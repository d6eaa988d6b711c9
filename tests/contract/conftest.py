"""The repositories under contract: the fake, SQLite and PostgreSQL behave alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.services.ports import UnitOfWorkFactory
from tests.conftest import BACKENDS, migrated_url
from tests.fakes import FakeStore


@pytest.fixture(params=["fake", *BACKENDS])
def uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    """A unit-of-work factory of each backend (SQLite waits long for its write lock, so that
    racing tests measure the repositories, not the timeout)."""
    if request.param == "fake":
        yield FakeStore()
        return
    database = SqlDatabase(migrated_url(request, request.param), busy_timeout_ms=30_000)
    yield SqlUnitOfWorkFactory(database.engine)
    database.dispose()
