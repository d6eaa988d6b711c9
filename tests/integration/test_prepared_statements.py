"""``Prepared``: hot-path statements run on the driver's cursor give what
``Connection.execute`` gives (converted values, the same errors), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from perks.adapters.sql.engine import WRITE_OPTION, busy, create_database_engine
from perks.adapters.sql.prepared import Prepared
from perks.adapters.sql.tables import applications, customer_profiles
from perks.bootstrap import build_services
from perks.domain.applications import ApplicationSpec
from perks.services.principals import OPERATOR
from perks.settings import Settings

CREATED = datetime(2026, 11, 23, 17, 30, 15, 123456, tzinfo=UTC)

_INSERT = Prepared(
    insert(customer_profiles)
    .values(
        {
            name: bindparam(name)
            for name in (
                "application_id",
                "integration_id",
                "created",
                "attributes",
                "closed_sessions",
                "total_sales",
            )
        }
    )
    .returning(customer_profiles.c.id, customer_profiles.c.created)
)
_BY_ID = Prepared(select(customer_profiles).where(customer_profiles.c.id == bindparam("id")))
_MANY = Prepared(
    select(customer_profiles.c.integration_id)
    .where(customer_profiles.c.closed_sessions >= 0)  # a constant the statement binds itself
    .order_by(customer_profiles.c.integration_id)
)
_TOUCH = Prepared(
    update(customer_profiles)
    .where(customer_profiles.c.id == bindparam("id"))
    .values(last_activity=bindparam("last_activity"))
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = create_database_engine(database_url, busy_timeout_ms=200, lock_timeout_ms=200)
    yield built
    built.dispose()


def _application(database_url: str) -> int:
    services = build_services(Settings(database_url=database_url))
    try:
        spec = ApplicationSpec(name="shop", timezone="UTC", currency="EUR")
        return services.applications.create(OPERATOR, spec).id
    finally:
        services.database.dispose()


def _profile(application_id: int, name: str) -> dict[str, object]:
    return {
        "application_id": application_id,
        "integration_id": name,
        "created": CREATED,
        "attributes": "{}",
        "closed_sessions": 0,
        "total_sales": "0",
    }


def test_values_are_converted_both_ways_as_connection_execute_converts_them(
    engine: Engine, database_url: str
) -> None:
    application_id = _application(database_url)
    with engine.begin() as connection:
        inserted = _INSERT.first(connection, _profile(application_id, "alice"))
        assert inserted is not None
        assert inserted["created"] == CREATED
        touched = _TOUCH.execute(connection, {"id": inserted["id"], "last_activity": CREATED})
        assert touched == 1
        assert _TOUCH.execute(connection, {"id": -1, "last_activity": CREATED}) == 0
        _INSERT.first(connection, _profile(application_id, "bob"))
    with engine.connect() as connection:
        prepared = _BY_ID.first(connection, {"id": inserted["id"]})
        executed = connection.execute(
            select(customer_profiles).where(customer_profiles.c.id == inserted["id"])
        ).one()
        assert prepared == dict(executed._mapping)
        assert prepared["last_activity"] == CREATED
        assert prepared["last_activity"].tzinfo is UTC
        assert _BY_ID.first(connection, {"id": -1}) is None
        assert _MANY.all(connection, {}) == [{"integration_id": "alice"}, {"integration_id": "bob"}]


def test_driver_errors_become_sqlalchemys(engine: Engine, database_url: str) -> None:
    application_id = _application(database_url)
    with engine.begin() as connection:
        _INSERT.first(connection, _profile(application_id, "alice"))
    with (
        engine.connect() as connection,
        connection.begin(),
        pytest.raises(IntegrityError),  # the same integration id twice
    ):
        _INSERT.first(connection, _profile(application_id, "alice"))


def test_a_writer_that_does_not_get_its_turn_fails_as_busy(
    engine: Engine, database_url: str
) -> None:
    """The unit of work answers 409 on ``busy`` errors: they must still be recognized."""
    application_id = _application(database_url)
    with engine.begin() as connection:
        inserted = _INSERT.first(connection, _profile(application_id, "alice"))
    assert inserted is not None
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with (
            engine.connect().execution_options(**{WRITE_OPTION: True}) as other,
            other.begin(),
        ):
            _TOUCH.execute(other, {"id": inserted["id"], "last_activity": CREATED})
            holding.set()
            done.wait(timeout=10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        # A plain connection (outside the writers' queue): SQLite's lock, PostgreSQL's row.
        with (
            engine.connect() as connection,
            connection.begin(),
            pytest.raises(DBAPIError) as raised,
        ):
            _TOUCH.execute(connection, {"id": inserted["id"], "last_activity": CREATED})
        assert busy(raised.value)
    finally:
        done.set()
        holder.join(timeout=10)


def test_configuration_tables_cannot_be_written_unnoticed() -> None:
    """Writes to what evaluations cache must move the configuration revision, which only
    ``Connection.execute`` notes."""
    with pytest.raises(ValueError, match="configuration"):
        Prepared(update(applications).values(name="x"))
