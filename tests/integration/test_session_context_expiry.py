"""Anonymous session contexts expire after their idle time and are swept from storage as new
contexts are created; a logged-in customer's stay (SQLite and PostgreSQL, and the fake)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.bootstrap import Services, build_services
from perks.domain.oauth import CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE, AccessToken
from perks.domain.session_contexts import ContextFields, SessionContext
from perks.services.oauth import NewClient
from perks.services.principals import OPERATOR
from perks.services.session_contexts import DEFAULT_IDLE, ContextNotFound, Replacement
from perks.settings import Settings
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TENANT = "shop"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def services(database_url: str, clock: FixedClock) -> Iterator[Services]:
    built = build_services(Settings(database_url=database_url), clock=clock)
    yield built
    built.database.dispose()


def _token(services: Services) -> AccessToken:
    scopes = frozenset({CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE})
    created_client = services.oauth.create_client(OPERATOR, NewClient(TENANT, scopes))
    issued = services.oauth.client_credentials(
        "client_credentials",
        created_client.client.client_id,
        created_client.secret,
        f"tenant={TENANT}",
    )
    return issued.token


def _stored(services: Services, session_id: str) -> SessionContext | None:
    with SqlUnitOfWorkFactory(services.database.engine)(write=False) as uow:
        return uow.session_contexts.get(TENANT, session_id)


def _upsert(
    services: Services, token: AccessToken, session_id: str, currency: str | None = None
) -> SessionContext:
    return services.session_contexts.replace(
        token,
        TENANT,
        session_id,
        Replacement(ContextFields(currency=currency), version=None, upsert=True),
    )


def test_an_idle_anonymous_context_reads_as_absent_and_is_swept(
    services: Services, clock: FixedClock
) -> None:
    token = _token(services)
    _upsert(services, token, "idle", currency="EUR")
    clock.advance(DEFAULT_IDLE - timedelta(seconds=1))
    assert services.session_contexts.get(token, TENANT, "idle").fields.currency == "EUR"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(ContextNotFound):
        services.session_contexts.get(token, TENANT, "idle")
    assert _stored(services, "idle") is not None  # absent to readers, still stored
    _upsert(services, token, "new-visitor")  # creating a context sweeps expired ones
    assert _stored(services, "idle") is None
    assert _stored(services, "new-visitor") is not None


def test_a_customers_context_never_expires_nor_is_swept(
    services: Services, clock: FixedClock
) -> None:
    token = _token(services)
    customer = services.oauth.customer_token(token, TENANT, "C1", "logged-in").token
    services.session_contexts.replace(
        token,
        TENANT,
        "logged-in",
        Replacement(ContextFields(customer_id="C1"), version=None, upsert=True),
        customer=customer,
    )
    clock.advance(DEFAULT_IDLE * 48)
    _upsert(services, token, "someone-else")
    assert services.session_contexts.get(token, TENANT, "logged-in").fields.customer_id == "C1"


def test_an_upsert_over_an_expired_context_starts_it_again(
    services: Services, clock: FixedClock
) -> None:
    token = _token(services)
    first = _upsert(services, token, "again", currency="EUR")
    services.session_contexts.add_attribute(token, TENANT, "again", "k", "v")
    clock.advance(DEFAULT_IDLE)
    again = _upsert(services, token, "again", currency="CHF")
    assert (again.version, again.fields.context) == (1, {})
    assert again.created_at > first.created_at
