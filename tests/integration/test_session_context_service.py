"""Emporix's session contexts and their OAuth2 on SQLite and PostgreSQL: clients and tokens,
who may read and write which context, optimistic locking, the idle expiry of anonymous
contexts, customers' contexts, the storefront's ``/me`` endpoints, and concurrent writers
of one context (none lost, exactly one of a version's replacements wins)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from perks.adapters.sql.session_contexts import SqlSessionContextRepository
from perks.bootstrap import Services, build_services
from perks.domain.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from perks.domain.oauth import (
    CONTEXT_MANAGE,
    CUSTOMER_TOKEN_ISSUE,
    INVALID_SCOPE,
    MISSING_PARAMETER,
    UNSUPPORTED_GRANT,
    AccessToken,
    TokenKind,
)
from perks.domain.pages import PageRequest
from perks.domain.session_contexts import (
    ContextFields,
    ContextPatch,
    SessionContext,
    VersionConflict,
)
from perks.services.oauth import CreatedClient, NewClient
from perks.services.principals import OPERATOR, ManagementPrincipal
from perks.services.session_contexts import ContextNotFound, Replacement
from perks.settings import Settings
from tests.conftest import migrated_url
from tests.fakes import FixedClock

BOTH = frozenset({CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE})
GRANT = "client_credentials"
IDLE = timedelta(hours=1)
FIELDS = ContextFields(
    site_code="main",
    currency="EUR",
    cart_id="cart-1",
    target_location="DE",
    language="de",
    context={"channel": "web", "prefs": {"theme": "dark"}},
)
RESTRICTED = ManagementPrincipal(key_id=1, allowed_application_ids=frozenset({1}))


@pytest.fixture
def services(database_url: str, clock: FixedClock) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url,
        sqlite_busy_timeout_ms=30_000,
        lock_timeout_ms=30_000,
        database_pool_size=16,
    )
    built = build_services(settings, clock=clock)
    yield built
    built.database.dispose()


def _client(
    services: Services, *, tenant: str = "shop", scopes: frozenset[str] = BOTH, name: str = "be"
) -> CreatedClient:
    return services.oauth.create_client(OPERATOR, NewClient(tenant, scopes, name))


def _token(services: Services, client: CreatedClient, scope: str | None = None) -> AccessToken:
    """A service token through ``client`` (every scope of it unless ``scope`` names some),
    as ``Authorization: Bearer`` would bring it."""
    asked = scope if scope is not None else f"tenant={client.client.tenant}"
    issued = services.oauth.client_credentials(GRANT, client.client.client_id, client.secret, asked)
    return services.oauth.authenticate(issued.value)


def _backend(services: Services, tenant: str = "shop") -> AccessToken:
    return _token(services, _client(services, tenant=tenant))


def _anonymous(services: Services, client: CreatedClient) -> AccessToken:
    issued = services.oauth.anonymous_login(client.client.tenant, client.client.client_id)
    return services.oauth.authenticate(issued.value)


def _customer(
    services: Services, issuer: AccessToken, customer_id: str, session_id: str | None = None
) -> AccessToken:
    issued = services.oauth.customer_token(issuer, issuer.tenant, customer_id, session_id)
    return services.oauth.authenticate(issued.value)


def _upsert(
    services: Services,
    token: AccessToken,
    session_id: str,
    fields: ContextFields = FIELDS,
    *,
    customer: AccessToken | None = None,
) -> int:
    made = services.session_contexts.replace(
        token, token.tenant, session_id, Replacement(fields, None, upsert=True), customer=customer
    )
    return made.version


def _management_calls(
    services: Services, token: AccessToken, tenant: str, session_id: str
) -> list[Callable[[], object]]:
    """Each management operation on one context, with ``token``."""
    contexts = services.session_contexts
    return [
        lambda: contexts.get(token, tenant, session_id),
        lambda: contexts.replace(token, tenant, session_id, Replacement(FIELDS, 1)),
        lambda: contexts.add_attribute(token, tenant, session_id, "a", "b"),
        lambda: contexts.remove_attribute(token, tenant, session_id, "channel"),
    ]


def _own_calls(services: Services, token: AccessToken, tenant: str) -> list[Callable[[], object]]:
    """Each ``/me`` operation, with ``token``."""
    contexts = services.session_contexts
    return [
        lambda: contexts.get_own(token, tenant),
        lambda: contexts.patch_own(token, tenant, ContextPatch(currency="USD"), 1),
        lambda: contexts.add_own_attribute(token, tenant, "a", "b"),
        lambda: contexts.remove_own_attribute(token, tenant, "channel"),
    ]


def _invalid_scope(error: pytest.ExceptionInfo[InvalidInput]) -> list[tuple[str, str, str]]:
    return [(p.title, p.location, p.kind) for p in error.value.problems]


# OAuth clients and service tokens.


def test_a_clients_token_is_accepted_by_authenticate(services: Services, clock: FixedClock) -> None:
    created = _client(services, scopes=frozenset({CONTEXT_MANAGE}), name="storefront")
    assert created.client.id > 0
    assert (created.client.tenant, created.client.name) == ("shop", "storefront")
    assert created.client.created == clock.now()
    issued = services.oauth.client_credentials(
        GRANT, created.client.client_id, created.secret, f"tenant=shop {CONTEXT_MANAGE}"
    )
    assert issued.lifetime == timedelta(hours=4)
    token = services.oauth.authenticate(issued.value)
    assert token == issued.token
    assert token == AccessToken(
        kind=TokenKind.SERVICE,
        tenant="shop",
        client_id=created.client.client_id,
        scopes=frozenset({CONTEXT_MANAGE}),
        expires=clock.now() + timedelta(hours=4),
    )


def test_a_token_request_naming_no_scope_gets_every_scope_of_the_client(
    services: Services,
) -> None:
    token = _token(services, _client(services), "tenant=shop")
    assert token.scopes == BOTH


def test_a_token_request_may_narrow_the_scopes(services: Services) -> None:
    token = _token(services, _client(services), f"tenant=shop {CUSTOMER_TOKEN_ISSUE}")
    assert token.scopes == {CUSTOMER_TOKEN_ISSUE}


def test_each_token_is_a_new_value(services: Services) -> None:
    created = _client(services)
    values = {
        services.oauth.client_credentials(
            GRANT, created.client.client_id, created.secret, "tenant=shop"
        ).value
        for _ in range(3)
    }
    assert len(values) == 3
    assert all(services.oauth.authenticate(value).tenant == "shop" for value in values)


def test_a_wrong_secret_is_unauthenticated(services: Services) -> None:
    created = _client(services)
    with pytest.raises(Unauthenticated):
        services.oauth.client_credentials(
            GRANT, created.client.client_id, created.secret + "x", "tenant=shop"
        )


def test_an_unknown_client_is_unauthenticated(services: Services) -> None:
    created = _client(services)
    with pytest.raises(Unauthenticated):
        services.oauth.client_credentials(GRANT, "nobody", created.secret, "tenant=shop")


@pytest.mark.parametrize(("client_id", "secret"), [(None, "s"), ("c", None), ("", ""), ("c", "")])
def test_missing_client_credentials_are_unauthenticated(
    services: Services, client_id: str | None, secret: str | None
) -> None:
    with pytest.raises(Unauthenticated):
        services.oauth.client_credentials(GRANT, client_id, secret, "tenant=shop")


def test_a_revoked_client_gets_no_token(services: Services) -> None:
    created = _client(services)
    revoked = services.oauth.revoke_client(OPERATOR, created.client.client_id)
    assert not revoked.active
    with pytest.raises(Unauthenticated):
        services.oauth.client_credentials(
            GRANT, created.client.client_id, created.secret, "tenant=shop"
        )


@pytest.mark.parametrize(
    ("grant_type", "title"),
    [
        (None, MISSING_PARAMETER),
        ("", MISSING_PARAMETER),
        ("password", UNSUPPORTED_GRANT),
        ("authorization_code", UNSUPPORTED_GRANT),
        ("CLIENT_CREDENTIALS", UNSUPPORTED_GRANT),
    ],
)
def test_a_grant_other_than_client_credentials_is_refused_at_grant_type(
    services: Services, grant_type: str | None, title: str
) -> None:
    created = _client(services)
    with pytest.raises(InvalidInput) as error:
        services.oauth.client_credentials(
            grant_type, created.client.client_id, created.secret, "tenant=shop"
        )
    assert [(p.title, p.location, p.kind) for p in error.value.problems] == [
        (title, "grant_type", "parameter")
    ]


@pytest.mark.parametrize("scope", [None, "", CONTEXT_MANAGE, "tenant=Shop"])
def test_a_token_request_without_a_good_tenant_is_refused_at_scope(
    services: Services, scope: str | None
) -> None:
    created = _client(services)
    with pytest.raises(InvalidInput) as error:
        services.oauth.client_credentials(GRANT, created.client.client_id, created.secret, scope)
    assert _invalid_scope(error) == [(INVALID_SCOPE, "scope", "parameter")]


def test_a_client_may_not_ask_for_another_tenant(services: Services) -> None:
    """RFC 6749 §5.2 invalid_scope (a 400): the client is someone else's to refuse."""
    created = _client(services)
    _client(services, tenant="other")
    with pytest.raises(InvalidInput) as error:
        services.oauth.client_credentials(
            GRANT, created.client.client_id, created.secret, f"tenant=other {CONTEXT_MANAGE}"
        )
    assert _invalid_scope(error) == [(INVALID_SCOPE, "scope", "parameter")]


@pytest.mark.parametrize("asked", [CUSTOMER_TOKEN_ISSUE, f"{CONTEXT_MANAGE} admin"])
def test_a_client_may_not_ask_for_a_scope_it_lacks(services: Services, asked: str) -> None:
    created = _client(services, scopes=frozenset({CONTEXT_MANAGE}))
    with pytest.raises(InvalidInput) as error:
        services.oauth.client_credentials(
            GRANT, created.client.client_id, created.secret, f"tenant=shop {asked}"
        )
    assert _invalid_scope(error) == [(INVALID_SCOPE, "scope", "parameter")]


def test_a_key_limited_to_applications_may_not_manage_clients(services: Services) -> None:
    with pytest.raises(Forbidden):
        services.oauth.create_client(RESTRICTED, NewClient("shop", BOTH))
    created = _client(services)
    with pytest.raises(Forbidden):
        services.oauth.list_clients(RESTRICTED, PageRequest())
    with pytest.raises(Forbidden):
        services.oauth.revoke_client(RESTRICTED, created.client.client_id)
    assert services.oauth.list_clients(OPERATOR, PageRequest()).total == 1
    _token(services, created)  # still active


def test_a_key_of_the_whole_account_may_manage_clients(services: Services) -> None:
    created = services.oauth.create_client(ManagementPrincipal(key_id=7), NewClient("shop", BOTH))
    assert created.client.active


@pytest.mark.parametrize(
    ("new", "pointer"),
    [
        (NewClient("Shop", BOTH), "/tenant"),
        (NewClient("ab", BOTH), "/tenant"),
        (NewClient("shop", frozenset()), "/scopes"),
        (NewClient("shop", frozenset({"admin"})), "/scopes"),
        (NewClient("shop", BOTH, "n" * 256), "/name"),
    ],
)
def test_a_bad_new_client_is_refused_at_its_pointer(
    services: Services, new: NewClient, pointer: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        services.oauth.create_client(OPERATOR, new)
    assert [p.location for p in error.value.problems] == [pointer]
    assert services.oauth.list_clients(OPERATOR, PageRequest()).total == 0


def test_clients_are_listed_and_paged(services: Services) -> None:
    made = [_client(services, name=f"c{n}").client for n in range(3)]
    page = services.oauth.list_clients(OPERATOR, PageRequest(page_size=2, skip=1))
    assert (list(page.items), page.total) == (made[1:], 3)


def test_revoking_an_unknown_client_is_not_found(services: Services) -> None:
    with pytest.raises(NotFound):
        services.oauth.revoke_client(OPERATOR, "nobody")


def test_revoking_a_client_ends_every_token_issued_through_it(services: Services) -> None:
    backend_client, storefront = _client(services), _client(services, name="storefront")
    other = _token(services, _client(services, name="other"))
    issued = services.oauth.client_credentials(
        GRANT, backend_client.client.client_id, backend_client.secret, "tenant=shop"
    )
    backend = services.oauth.authenticate(issued.value)
    customer = services.oauth.customer_token(backend, "shop", "alice", None)
    anonymous = services.oauth.anonymous_login("shop", storefront.client.client_id)
    services.oauth.revoke_client(OPERATOR, backend_client.client.client_id)
    for value in (issued.value, customer.value):
        with pytest.raises(Unauthenticated):
            services.oauth.authenticate(value)
    with pytest.raises(Unauthenticated):
        services.oauth.customer_token(backend, "shop", "bob", None)
    assert services.oauth.authenticate(anonymous.value).kind is TokenKind.ANONYMOUS
    assert _upsert(services, other, "s-1") == 1  # other clients' tokens still work
    services.oauth.revoke_client(OPERATOR, storefront.client.client_id)
    with pytest.raises(Unauthenticated):
        services.oauth.authenticate(anonymous.value)
    with pytest.raises(Unauthenticated):
        services.oauth.anonymous_login("shop", storefront.client.client_id)


@pytest.mark.parametrize("bearer", [None, "", "not-a-token"])
def test_no_or_an_unknown_bearer_is_unauthenticated(services: Services, bearer: str | None) -> None:
    _backend(services)
    with pytest.raises(Unauthenticated):
        services.oauth.authenticate(bearer)


def test_a_service_token_expires_after_its_lifetime(services: Services, clock: FixedClock) -> None:
    created = _client(services)
    issued = services.oauth.client_credentials(
        GRANT, created.client.client_id, created.secret, "tenant=shop"
    )
    clock.advance(timedelta(hours=4) - timedelta(microseconds=1))
    assert services.oauth.authenticate(issued.value).tenant == "shop"
    clock.advance(timedelta(microseconds=1))
    with pytest.raises(Unauthenticated):
        services.oauth.authenticate(issued.value)
    clock.advance(timedelta(days=1))
    fresh = services.oauth.client_credentials(
        GRANT, created.client.client_id, created.secret, "tenant=shop"
    )  # and sweeps the expired one
    assert services.oauth.authenticate(fresh.value).expires == clock.now() + timedelta(hours=4)
    with pytest.raises(Unauthenticated):
        services.oauth.authenticate(issued.value)


def test_storefront_tokens_expire_after_an_hour(services: Services, clock: FixedClock) -> None:
    storefront = _client(services, name="storefront")
    backend = _backend(services)
    anonymous = services.oauth.anonymous_login("shop", storefront.client.client_id)
    customer = services.oauth.customer_token(backend, "shop", "alice", None)
    assert anonymous.lifetime == customer.lifetime == timedelta(hours=1)
    clock.advance(timedelta(minutes=59))
    services.oauth.authenticate(anonymous.value)
    services.oauth.authenticate(customer.value)
    clock.advance(timedelta(minutes=1))
    for value in (anonymous.value, customer.value):
        with pytest.raises(Unauthenticated):
            services.oauth.authenticate(value)


# Anonymous and customer tokens.


def test_an_anonymous_login_gives_a_token_bound_to_a_new_session(services: Services) -> None:
    storefront = _client(services, scopes=frozenset({CONTEXT_MANAGE}))
    first, second = _anonymous(services, storefront), _anonymous(services, storefront)
    assert first.kind is TokenKind.ANONYMOUS
    assert (first.tenant, first.client_id, first.scopes) == (
        "shop",
        storefront.client.client_id,
        frozenset(),
    )
    assert first.session_id and second.session_id
    assert first.session_id != second.session_id
    assert first.customer_id is None


def test_an_anonymous_login_needs_an_active_client_of_the_tenant(services: Services) -> None:
    storefront = _client(services)
    _client(services, tenant="other")
    with pytest.raises(Unauthenticated):
        services.oauth.anonymous_login("other", storefront.client.client_id)
    with pytest.raises(Unauthenticated):
        services.oauth.anonymous_login("shop", "nobody")
    with pytest.raises(InvalidInput) as error:
        services.oauth.anonymous_login("shop", None)
    assert [p.location for p in error.value.problems] == ["client_id"]
    with pytest.raises(InvalidInput) as error:
        services.oauth.anonymous_login("Shop", storefront.client.client_id)
    assert [p.location for p in error.value.problems] == ["tenant"]


def test_a_customer_token_is_bound_to_the_customer_and_the_session(services: Services) -> None:
    backend = _backend(services)
    token = _customer(services, backend, "alice", "s-42")
    assert token.kind is TokenKind.CUSTOMER
    assert (token.tenant, token.customer_id, token.session_id, token.scopes) == (
        "shop",
        "alice",
        "s-42",
        frozenset(),
    )
    fresh = _customer(services, backend, "alice")
    assert fresh.session_id and fresh.session_id != "s-42"


def test_only_a_service_token_with_the_issue_scope_issues_customer_tokens(
    services: Services,
) -> None:
    created = _client(services)
    manager = _token(services, created, f"tenant=shop {CONTEXT_MANAGE}")
    anonymous = _anonymous(services, created)
    foreign = _backend(services, "other")
    for issuer in (manager, anonymous):
        with pytest.raises(Forbidden):
            services.oauth.customer_token(issuer, "shop", "alice", None)
    with pytest.raises(Forbidden):
        services.oauth.customer_token(foreign, "shop", "alice", None)
    backend = _token(services, created)
    with pytest.raises(InvalidInput) as error:
        services.oauth.customer_token(backend, "shop", "", None)
    assert [p.location for p in error.value.problems] == ["/customerId"]
    with pytest.raises(InvalidInput) as error:
        services.oauth.customer_token(backend, "shop", "alice", "")
    assert [p.location for p in error.value.problems] == ["/sessionId"]


# Session contexts: management.


def test_a_missing_context_is_not_found(services: Services) -> None:
    backend = _backend(services)
    with pytest.raises(ContextNotFound) as error:
        services.session_contexts.get(backend, "shop", "s-1")
    assert isinstance(error.value, NotFound)
    assert error.value.session_id == "s-1"


def test_replacing_a_missing_context_without_upsert_is_not_found(services: Services) -> None:
    backend = _backend(services)
    with pytest.raises(ContextNotFound):
        services.session_contexts.replace(backend, "shop", "s-1", Replacement(FIELDS, 1))
    with pytest.raises(ContextNotFound):
        services.session_contexts.get(backend, "shop", "s-1")


def test_an_upsert_creates_the_context_at_version_1(services: Services, clock: FixedClock) -> None:
    backend = _backend(services)
    made = services.session_contexts.replace(
        backend, "shop", "s-1", Replacement(FIELDS, None, upsert=True)
    )
    assert (made.tenant, made.session_id, made.fields, made.version) == ("shop", "s-1", FIELDS, 1)
    assert made.created_at == made.modified_at == clock.now()
    assert services.session_contexts.get(backend, "shop", "s-1") == made


def test_a_replacement_with_the_current_version_moves_it_by_one(
    services: Services, clock: FixedClock
) -> None:
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    clock.advance(timedelta(minutes=1))
    new = ContextFields(currency="USD", context={"only": "this"})
    written = services.session_contexts.replace(backend, "shop", "s-1", Replacement(new, 1))
    assert (written.fields, written.version) == (new, 2)
    assert written.modified_at == clock.now()
    assert written.created_at == clock.now() - timedelta(minutes=1)
    again = services.session_contexts.replace(
        backend, "shop", "s-1", Replacement(FIELDS, 2, upsert=True)
    )
    assert again.version == 3
    assert services.session_contexts.get(backend, "shop", "s-1") == again


@pytest.mark.parametrize("given", [None, 1, 3, 4])
def test_a_replacement_with_another_version_conflicts_and_changes_nothing(
    services: Services, given: int | None
) -> None:
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    services.session_contexts.add_attribute(backend, "shop", "s-1", "extra", "x")
    stored = services.session_contexts.get(backend, "shop", "s-1")
    assert stored.version == 2
    with pytest.raises(VersionConflict) as error:
        services.session_contexts.replace(
            backend, "shop", "s-1", Replacement(ContextFields(currency="USD"), given, upsert=True)
        )
    assert error.value.current == 2
    assert services.session_contexts.get(backend, "shop", "s-1") == stored


def test_invalid_fields_are_refused_and_nothing_is_stored(services: Services) -> None:
    backend = _backend(services)
    bad = ContextFields(customer_id="", context={"n": 5})
    with pytest.raises(InvalidInput) as error:
        services.session_contexts.replace(
            backend, "shop", "s-1", Replacement(bad, None, upsert=True)
        )
    assert sorted(p.location for p in error.value.problems) == ["/context/n", "/customerId"]
    with pytest.raises(ContextNotFound):
        services.session_contexts.get(backend, "shop", "s-1")


def test_a_bad_session_id_or_tenant_is_refused(services: Services) -> None:
    backend = _backend(services)
    with pytest.raises(InvalidInput) as error:
        services.session_contexts.get(backend, "shop", "s" * 256)
    assert [p.location for p in error.value.problems] == ["sessionId"]
    with pytest.raises(InvalidInput) as error:
        services.session_contexts.get(backend, "SHOP", "s-1")
    assert [p.location for p in error.value.problems] == ["tenant"]


def test_attributes_are_added_and_removed_without_a_version(services: Services) -> None:
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    contexts = services.session_contexts
    with_one = contexts.add_attribute(backend, "shop", "s-1", "coupon", {"code": "XMAS"})
    assert with_one.version == 2
    assert with_one.fields.context == {**FIELDS.context, "coupon": {"code": "XMAS"}}
    without = contexts.remove_attribute(backend, "shop", "s-1", "channel")
    assert without.version == 3
    assert without.fields.context == {"prefs": {"theme": "dark"}, "coupon": {"code": "XMAS"}}
    unchanged = contexts.remove_attribute(backend, "shop", "s-1", "missing")
    assert unchanged == without
    assert contexts.get(backend, "shop", "s-1") == without
    assert (without.fields.currency, without.fields.cart_id) == ("EUR", "cart-1")


def test_an_invalid_attribute_is_refused_at_its_pointer(services: Services) -> None:
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    with pytest.raises(InvalidInput) as error:
        services.session_contexts.add_attribute(backend, "shop", "s-1", "n", 5)
    assert [p.location for p in error.value.problems] == ["/value"]
    assert services.session_contexts.get(backend, "shop", "s-1").version == 1


def test_attributes_of_a_missing_context_are_not_found(services: Services) -> None:
    backend = _backend(services)
    with pytest.raises(ContextNotFound):
        services.session_contexts.add_attribute(backend, "shop", "s-1", "a", "b")
    with pytest.raises(ContextNotFound):
        services.session_contexts.remove_attribute(backend, "shop", "s-1", "a")


def test_a_token_of_one_tenant_never_reaches_another(services: Services) -> None:
    shop, other = _backend(services), _backend(services, "other")
    _upsert(services, shop, "s-1")
    _upsert(services, other, "s-1", ContextFields(currency="CHF"))
    contexts = services.session_contexts
    assert contexts.get(shop, "shop", "s-1").fields == FIELDS
    assert contexts.get(other, "other", "s-1").fields == ContextFields(currency="CHF")
    for call in _management_calls(services, shop, "other", "s-1"):
        with pytest.raises(Forbidden):
            call()
    assert contexts.get(other, "other", "s-1").version == 1


def test_a_service_token_without_context_manage_is_forbidden(services: Services) -> None:
    created = _client(services)
    manager = _token(services, created, f"tenant=shop {CONTEXT_MANAGE}")
    issuer = _token(services, created, f"tenant=shop {CUSTOMER_TOKEN_ISSUE}")
    _upsert(services, manager, "s-1")
    for call in _management_calls(services, issuer, "shop", "s-1"):
        with pytest.raises(Forbidden):
            call()
    assert services.session_contexts.get(manager, "shop", "s-1").version == 1


def test_storefront_tokens_are_forbidden_on_the_management_endpoints(
    services: Services,
) -> None:
    backend = _backend(services)
    storefront = _client(services, name="storefront")
    anonymous = _anonymous(services, storefront)
    assert anonymous.session_id is not None
    session = anonymous.session_id
    customer = _customer(services, backend, "alice", session)
    _upsert(services, backend, session)
    for token in (anonymous, customer):
        for call in _management_calls(services, token, "shop", session):
            with pytest.raises(Forbidden):
                call()
    assert services.session_contexts.get(backend, "shop", session).version == 1


# Expiry.


def test_an_anonymous_context_expires_after_the_idle_time(
    services: Services, clock: FixedClock
) -> None:
    assert services.session_contexts.idle == IDLE
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    clock.advance(IDLE - timedelta(microseconds=1))
    assert services.session_contexts.get(backend, "shop", "s-1").version == 1
    clock.advance(timedelta(microseconds=1))
    for call in _management_calls(services, backend, "shop", "s-1"):
        with pytest.raises(ContextNotFound):
            call()


def test_a_write_keeps_an_anonymous_context_alive(services: Services, clock: FixedClock) -> None:
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    clock.advance(IDLE / 2)
    services.session_contexts.add_attribute(backend, "shop", "s-1", "a", "b")
    clock.advance(IDLE / 2)
    assert services.session_contexts.get(backend, "shop", "s-1").version == 2
    clock.advance(IDLE / 2)
    with pytest.raises(ContextNotFound):
        services.session_contexts.get(backend, "shop", "s-1")


def test_an_upsert_over_an_expired_context_starts_again_at_version_1(
    services: Services, clock: FixedClock
) -> None:
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    services.session_contexts.add_attribute(backend, "shop", "s-1", "old", "value")
    clock.advance(IDLE)
    new = ContextFields(currency="USD")
    made = services.session_contexts.replace(
        backend, "shop", "s-1", Replacement(new, None, upsert=True)
    )
    assert (made.fields, made.version) == (new, 1)
    assert made.created_at == made.modified_at == clock.now()
    stored = services.session_contexts.get(backend, "shop", "s-1")
    assert stored == made
    assert "old" not in stored.fields.context
    moved = services.session_contexts.replace(backend, "shop", "s-1", Replacement(FIELDS, 1))
    assert moved.version == 2


def test_a_customer_context_does_not_expire(services: Services, clock: FixedClock) -> None:
    created = _client(services)
    backend = _token(services, created)
    alice = _customer(services, backend, "alice", "s-1")
    fields = ContextFields(customer_id="alice", currency="EUR")
    _upsert(services, backend, "s-1", fields, customer=alice)
    clock.advance(timedelta(days=30))
    backend = _token(services, created)  # the first token expired meanwhile
    stored = services.session_contexts.get(backend, "shop", "s-1")
    assert (stored.fields, stored.version) == (fields, 1)


# Customers' contexts.


def test_a_customer_context_is_written_only_with_that_customers_token(
    services: Services,
) -> None:
    backend = _backend(services)
    storefront = _client(services, name="storefront")
    alice = _customer(services, backend, "alice", "s-1")
    bob = _customer(services, backend, "bob", "s-1")
    foreign = _customer(services, _backend(services, "other"), "alice", "s-1")
    anonymous = _anonymous(services, storefront)
    contexts = services.session_contexts
    fields = ContextFields(customer_id="alice", currency="EUR")
    for wrong in (None, bob, anonymous, foreign, backend):
        with pytest.raises(Forbidden):
            contexts.replace(
                backend, "shop", "s-1", Replacement(fields, None, upsert=True), customer=wrong
            )
    with pytest.raises(ContextNotFound):
        contexts.get(backend, "shop", "s-1")
    made = contexts.replace(
        backend, "shop", "s-1", Replacement(fields, None, upsert=True), customer=alice
    )
    assert (made.fields.customer_id, made.version) == ("alice", 1)
    # Once stored, even fields without the customer need her token.
    for wrong in (None, bob, anonymous):
        with pytest.raises(Forbidden):
            contexts.replace(
                backend,
                "shop",
                "s-1",
                Replacement(ContextFields(currency="USD"), 1),
                customer=wrong,
            )
    assert contexts.get(backend, "shop", "s-1") == made
    moved = contexts.replace(
        backend,
        "shop",
        "s-1",
        Replacement(ContextFields(customer_id="alice", currency="USD"), 1),
        customer=alice,
    )
    assert (moved.fields.currency, moved.version) == ("USD", 2)


def test_an_anonymous_context_is_replaced_without_a_customer_token(services: Services) -> None:
    backend = _backend(services)
    _upsert(services, backend, "s-1")
    written = services.session_contexts.replace(
        backend, "shop", "s-1", Replacement(ContextFields(currency="USD"), 1)
    )
    assert written.version == 2


# The storefront's own context (/me).


def test_get_own_reads_the_context_of_the_tokens_session(services: Services) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    with pytest.raises(ContextNotFound):
        services.session_contexts.get_own(anonymous, "shop")
    _upsert(services, backend, "someone-else")
    with pytest.raises(ContextNotFound):
        services.session_contexts.get_own(anonymous, "shop")
    _upsert(services, backend, anonymous.session_id)
    own = services.session_contexts.get_own(anonymous, "shop")
    assert (own.session_id, own.fields, own.version) == (anonymous.session_id, FIELDS, 1)


def test_patch_own_checks_the_version_and_changes_only_allowed_fields(
    services: Services, clock: FixedClock
) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    _upsert(services, backend, anonymous.session_id)
    contexts = services.session_contexts
    patch = ContextPatch(currency="USD", language="en", context={"new": "only"})
    for stale in (None, 2, 0):
        with pytest.raises(VersionConflict) as error:
            contexts.patch_own(anonymous, "shop", patch, stale)
        assert error.value.current == 1
    assert contexts.get_own(anonymous, "shop").fields == FIELDS
    clock.advance(timedelta(minutes=1))
    written = contexts.patch_own(anonymous, "shop", patch, 1)
    assert written.version == 2
    assert written.modified_at == clock.now()
    assert written.fields == ContextFields(
        site_code="main",
        currency="USD",
        cart_id="cart-1",
        target_location="DE",
        language="en",
        context={"new": "only"},
    )
    assert contexts.get(backend, "shop", anonymous.session_id) == written


def test_patch_own_refuses_invalid_fields(services: Services) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    _upsert(services, backend, anonymous.session_id)
    with pytest.raises(InvalidInput) as error:
        services.session_contexts.patch_own(anonymous, "shop", ContextPatch(currency="x" * 256), 1)
    assert [p.location for p in error.value.problems] == ["/currency"]
    assert services.session_contexts.get_own(anonymous, "shop").version == 1


def test_own_attributes_are_added_and_removed(services: Services) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    _upsert(services, backend, anonymous.session_id)
    contexts = services.session_contexts
    added = contexts.add_own_attribute(anonymous, "shop", "wish", {"sku": "SHOE"})
    assert (added.version, added.fields.context["wish"]) == (2, {"sku": "SHOE"})
    removed = contexts.remove_own_attribute(anonymous, "shop", "wish")
    assert (removed.version, removed.fields.context) == (3, FIELDS.context)
    assert contexts.remove_own_attribute(anonymous, "shop", "wish") == removed


def test_a_customers_context_is_not_readable_with_an_anonymous_token(
    services: Services,
) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    session = anonymous.session_id
    alice = _customer(services, backend, "alice", session)
    bob = _customer(services, backend, "bob", session)
    fields = ContextFields(customer_id="alice", currency="EUR", cart_id="cart-a")
    _upsert(services, backend, session, fields, customer=alice)
    contexts = services.session_contexts
    for intruder in (anonymous, bob):
        for call in _own_calls(services, intruder, "shop"):
            with pytest.raises(Forbidden):
                call()
    own = contexts.get_own(alice, "shop")
    assert (own.fields, own.version) == (fields, 1)
    patched = contexts.patch_own(alice, "shop", ContextPatch(currency="USD"), 1)
    assert (patched.fields.customer_id, patched.fields.cart_id) == ("alice", "cart-a")
    assert (patched.fields.currency, patched.version) == ("USD", 2)


def test_a_customer_token_carries_the_anonymous_context_over(services: Services) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    _upsert(services, backend, anonymous.session_id)
    alice = _customer(services, backend, "alice", anonymous.session_id)
    assert services.session_contexts.get_own(alice, "shop").fields == FIELDS


def test_the_me_endpoints_need_a_storefront_token_of_the_tenant(services: Services) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    _upsert(services, backend, anonymous.session_id)
    _client(services, tenant="other")
    for call in [*_own_calls(services, backend, "shop"), *_own_calls(services, anonymous, "other")]:
        with pytest.raises(Forbidden):
            call()
    assert services.session_contexts.get_own(anonymous, "shop").version == 1


def test_an_expired_anonymous_context_is_gone_from_me(
    services: Services, clock: FixedClock
) -> None:
    backend = _backend(services)
    anonymous = _anonymous(services, _client(services, name="storefront"))
    assert anonymous.session_id is not None
    _upsert(services, backend, anonymous.session_id)
    clock.advance(IDLE)
    with pytest.raises(ContextNotFound):
        services.session_contexts.get_own(anonymous, "shop")
    with pytest.raises(ContextNotFound):
        services.session_contexts.patch_own(anonymous, "shop", ContextPatch(currency="USD"), 1)


# Races: many writers of one context at once.


@dataclass
class _Outcomes:
    """What each racer got (the lock guards the lists)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    written: list[int] = field(default_factory=list)  # versions written
    conflicts: list[VersionConflict] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def _race(racers: int, work: Callable[[int], int], *, timeout_s: float = 120) -> _Outcomes:
    """Run ``work(n)`` in ``racers`` threads released together."""
    start = threading.Barrier(racers)
    outcomes = _Outcomes()

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            version = work(n)
        except VersionConflict as conflict:
            with outcomes.lock:
                outcomes.conflicts.append(conflict)
        except BaseException as error:  # reported by the test
            with outcomes.lock:
                outcomes.errors.append(error)
        else:
            with outcomes.lock:
                outcomes.written.append(version)

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_s)
    assert not any(thread.is_alive() for thread in threads), "a racer did not finish"
    return outcomes


REPLACERS = 50


def test_of_concurrent_replacements_of_one_version_exactly_one_wins(
    services: Services,
) -> None:
    backend = _backend(services)
    contexts = services.session_contexts
    _upsert(services, backend, "s-1")
    contexts.add_attribute(backend, "shop", "s-1", "a", "b")
    initial = contexts.get(backend, "shop", "s-1").version
    assert initial == 2

    def replace(n: int) -> int:
        new = ContextFields(site_code=f"site-{n}")
        return contexts.replace(backend, "shop", "s-1", Replacement(new, initial)).version

    outcomes = _race(REPLACERS, replace)
    assert outcomes.errors == []
    assert outcomes.written == [initial + 1]
    assert len(outcomes.conflicts) == REPLACERS - 1
    final = contexts.get(backend, "shop", "s-1")
    assert final.version == initial + 1
    assert {conflict.current for conflict in outcomes.conflicts} == {final.version}
    assert final.fields.site_code is not None
    assert final.fields == ContextFields(site_code=final.fields.site_code)


CREATORS = 20
ROUNDS = 8  # the window between two reads is narrow: race several contexts


def test_of_concurrent_upserts_of_a_missing_context_one_creates_it(services: Services) -> None:
    """Every racer reads no context; one creates it, the others find it created meanwhile and
    conflict (they named no version of it) instead of overwriting it."""
    backend = _backend(services)
    contexts = services.session_contexts
    for round in range(ROUNDS):
        session_id = f"s-{round}"

        def create(n: int, session_id: str = session_id) -> int:
            new = ContextFields(site_code=f"site-{n}")
            made = contexts.replace(
                backend, "shop", session_id, Replacement(new, None, upsert=True)
            )
            assert made.version == 1
            return n

        outcomes = _race(CREATORS, create)
        assert outcomes.errors == []
        assert len(outcomes.written) == 1, f"round {round}: {len(outcomes.written)} created it"
        assert len(outcomes.conflicts) == CREATORS - 1
        assert {conflict.current for conflict in outcomes.conflicts} == {1}
        stored = contexts.get(backend, "shop", session_id)
        assert (stored.version, stored.fields.site_code) == (1, f"site-{outcomes.written[0]}")


@pytest.mark.postgres
def test_an_upsert_does_not_overwrite_a_context_created_after_it_looked(
    request: pytest.FixtureRequest, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving the race above hits now and then, made certain (PostgreSQL: SQLite's
    writers never interleave): another request creates the context between this request's
    finding none and its creating it."""
    built = build_services(Settings(database_url=migrated_url(request, "postgres")), clock=clock)
    try:
        backend = _backend(built)
        contexts = built.session_contexts
        first = ContextFields(site_code="first")
        read = SqlSessionContextRepository.get
        meanwhile: list[int] = []

        def get(
            self: SqlSessionContextRepository, tenant: str, session_id: str, *, lock: bool = False
        ) -> SessionContext | None:
            found = read(self, tenant, session_id, lock=lock)
            if found is None and lock and not meanwhile:
                meanwhile.append(0)  # once: the request below reads through here as well
                made = contexts.replace(
                    backend, tenant, session_id, Replacement(first, None, upsert=True)
                )
                meanwhile[0] = made.version
            return found

        monkeypatch.setattr(SqlSessionContextRepository, "get", get)
        with pytest.raises(VersionConflict) as error:
            contexts.replace(
                backend,
                "shop",
                "s-1",
                Replacement(ContextFields(site_code="second"), None, upsert=True),
            )
        assert meanwhile == [1]
        assert error.value.current == 1
        monkeypatch.undo()
        stored = contexts.get(backend, "shop", "s-1")
        assert (stored.version, stored.fields) == (1, first)
    finally:
        built.database.dispose()


ADDERS = 100


def test_concurrent_attribute_additions_lose_none(services: Services) -> None:
    backend = _backend(services)
    contexts = services.session_contexts
    _upsert(services, backend, "s-1")
    initial = contexts.get(backend, "shop", "s-1").version

    def add(n: int) -> int:
        return contexts.add_attribute(backend, "shop", "s-1", f"key-{n}", {"n": str(n)}).version

    outcomes = _race(ADDERS, add)
    assert outcomes.errors == []
    assert outcomes.conflicts == []
    assert sorted(outcomes.written) == list(range(initial + 1, initial + ADDERS + 1))
    final = contexts.get(backend, "shop", "s-1")
    assert final.version == initial + ADDERS
    assert final.fields.context == {
        **FIELDS.context,
        **{f"key-{n}": {"n": str(n)} for n in range(ADDERS)},
    }
