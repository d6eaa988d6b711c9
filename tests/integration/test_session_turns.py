"""One update at a time per session: a request that cannot get its turn within the bounded wait
gets Talon.One's 409 ("Too many requests are updating this profile/session at the same time"),
on SQLite (its write lock, ``busy_timeout``) and PostgreSQL (the session's row lock,
``lock_timeout``), and nothing it asked for is stored."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text

from perks.adapters.sql.engine import WRITE_OPTION
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.bootstrap import Services, build_services
from perks.domain.applications import ApplicationSpec
from perks.domain.customer_sessions import CartItem, SessionState, SessionUpdate
from perks.domain.errors import Conflict
from perks.services.customer_sessions import SessionRequest
from perks.services.principals import OPERATOR
from perks.settings import Settings
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
WAIT_MS = 300
CART = (CartItem(sku="SHOE", quantity=1),)


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url, sqlite_busy_timeout_ms=WAIT_MS, lock_timeout_ms=WAIT_MS
    )
    built = build_services(settings, clock=FixedClock(NOW))
    yield built
    built.database.dispose()


def _hold(
    services: Services, application_id: int, ready: threading.Event, done: threading.Event
) -> None:
    """Take the session's turn (its row lock; on SQLite the write lock) and keep it."""
    engine = services.database.engine
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        connection.begin()  # SQLite: BEGIN IMMEDIATE, its write lock
        connection.execute(
            text(
                "SELECT id FROM customer_sessions WHERE application_id = :a "
                "AND integration_id = 's-1'"
                + ("" if services.database.is_sqlite else " FOR UPDATE")
            ),
            {"a": application_id},
        )
        ready.set()
        done.wait(timeout=10)
        connection.rollback()


def test_an_update_that_cannot_get_its_turn_gets_a_409(services: Services) -> None:
    application = services.applications.create(
        OPERATOR, ApplicationSpec(name="shop", timezone="UTC", currency="EUR")
    )
    sessions = services.customer_sessions
    sessions.update(
        application.id, SessionRequest("s-1", SessionUpdate(profile_id="p", cart_items=CART))
    )
    ready, done = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(services, application.id, ready, done))
    holder.start()
    try:
        assert ready.wait(timeout=10)
        with pytest.raises(Conflict, match="Too many requests are updating"):
            sessions.update(
                application.id,
                SessionRequest("s-1", SessionUpdate(cart_items=CART * 2)),
            )
    finally:
        done.set()
        holder.join(timeout=10)
    stored = sessions.get(application.id, "s-1")
    assert (stored.session.update_count, len(stored.session.cart_items)) == (1, 1)
    again = sessions.update(
        application.id, SessionRequest("s-1", SessionUpdate(cart_items=CART * 2))
    )
    assert again.stored.session.update_count == 2


CLOSERS = 12


def test_closes_of_one_profiles_sessions_at_once_count_every_one(database_url: str) -> None:
    """Each close reads the profile's ``closedSessions`` and ``totalSales`` and writes them
    back: the profile's row is held meanwhile, so concurrent closes of one profile's sessions
    lose none of them."""
    built = build_services(Settings(database_url=database_url), clock=FixedClock(NOW))
    try:
        application = built.applications.create(
            OPERATOR, ApplicationSpec(name="shop", timezone="UTC", currency="EUR")
        )
        sessions = built.customer_sessions
        priced = (CartItem(sku="SHOE", quantity=1, price=Decimal("10.25")),)
        for n in range(CLOSERS):
            sessions.update(
                application.id,
                SessionRequest(f"s-{n}", SessionUpdate(profile_id="p", cart_items=priced)),
            )
        start = threading.Barrier(CLOSERS)
        failures: list[BaseException] = []

        def close(n: int) -> None:
            start.wait(timeout=10)
            try:
                sessions.update(
                    application.id,
                    SessionRequest(f"s-{n}", SessionUpdate(state=SessionState.CLOSED)),
                )
            except BaseException as error:  # reported below
                failures.append(error)

        threads = [threading.Thread(target=close, args=(n,)) for n in range(CLOSERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert failures == []
        with SqlUnitOfWorkFactory(built.database.engine)(write=False) as uow:
            profile = uow.customer_profiles.get(application.id, "p")
        assert profile is not None
        assert (profile.closed_sessions, profile.total_sales) == (
            CLOSERS,
            Decimal("10.25") * CLOSERS,
        )
    finally:
        built.database.dispose()
