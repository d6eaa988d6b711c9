"""Session contexts, OAuth clients and access tokens on the fake, SQLite and PostgreSQL: what
is stored comes back exactly, a context is unique per (tenant, session id), a write is
conditional on the version it replaces, clients page and revoke, tokens are swept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from perks.domain.errors import Conflict
from perks.domain.oauth import (
    CONTEXT_MANAGE,
    CUSTOMER_TOKEN_ISSUE,
    AccessToken,
    OAuthClient,
    TokenKind,
    digest,
)
from perks.domain.pages import PageRequest
from perks.domain.session_contexts import ContextFields, SessionContext
from perks.services.ports import UnitOfWorkFactory

NOW = datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=UTC)
CONTEXT = SessionContext(
    tenant="shop",
    session_id="s-1",
    fields=ContextFields(
        customer_id="c-1",
        site_code="main",
        currency="EUR",
        cart_id="cart-1",
        target_location="DE",
        language="de",
        context={
            "channel": "web",
            "ünïcode": "✓ 漢字",
            "prefs": {"theme": "dark", "deep": {"list": [1, "two", None, True], "n": 3}},
            "empty": {},
        },
    ),
    version=4,
    created_at=NOW - timedelta(hours=2),
    modified_at=NOW,
)


def _add(uow: UnitOfWorkFactory, *contexts: SessionContext) -> None:
    with uow(write=True) as tx:
        for context in contexts:
            tx.session_contexts.add(context)
        tx.commit()


def _get(uow: UnitOfWorkFactory, tenant: str, session_id: str) -> SessionContext | None:
    with uow(write=False) as tx:
        return tx.session_contexts.get(tenant, session_id)


# Session contexts.


def test_a_context_round_trips_exactly(uow: UnitOfWorkFactory) -> None:
    _add(uow, CONTEXT)
    stored = _get(uow, "shop", "s-1")
    assert stored == CONTEXT
    assert stored is not None
    for moment in (stored.created_at, stored.modified_at):
        assert moment.tzinfo is not None
        assert moment.utcoffset() == timedelta(0)
    assert stored.fields.context["prefs"] == {
        "theme": "dark",
        "deep": {"list": [1, "two", None, True], "n": 3},
    }


def test_a_context_of_no_fields_round_trips(uow: UnitOfWorkFactory) -> None:
    bare = SessionContext("shop", "bare", ContextFields(), 1, NOW, NOW)
    _add(uow, bare)
    stored = _get(uow, "shop", "bare")
    assert stored == bare
    assert stored is not None
    assert stored.anonymous


def test_a_time_of_another_offset_comes_back_as_the_same_instant(
    uow: UnitOfWorkFactory,
) -> None:
    berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    _add(uow, replace(CONTEXT, created_at=berlin, modified_at=berlin))
    stored = _get(uow, "shop", "s-1")
    assert stored is not None
    assert (stored.created_at, stored.modified_at) == (NOW, NOW)


def test_a_missing_context_reads_as_none(uow: UnitOfWorkFactory) -> None:
    _add(uow, CONTEXT)
    assert _get(uow, "shop", "s-2") is None
    assert _get(uow, "other", "s-1") is None
    with uow(write=True) as tx:
        assert tx.session_contexts.get("shop", "s-2", lock=True) is None


def test_a_locked_read_gives_the_same_context(uow: UnitOfWorkFactory) -> None:
    _add(uow, CONTEXT)
    with uow(write=True) as tx:
        assert tx.session_contexts.get("shop", "s-1", lock=True) == CONTEXT


def test_adding_an_existing_context_conflicts_and_the_transaction_stays_usable(
    uow: UnitOfWorkFactory,
) -> None:
    _add(uow, CONTEXT)
    other = replace(CONTEXT, session_id="s-2", version=1)
    with uow(write=True) as tx:
        with pytest.raises(Conflict):
            tx.session_contexts.add(replace(CONTEXT, version=1, fields=ContextFields()))
        assert tx.session_contexts.get("shop", "s-1") == CONTEXT
        tx.session_contexts.add(other)
        assert tx.session_contexts.save(
            replace(CONTEXT, version=5, modified_at=NOW + timedelta(seconds=1)),
            expected_version=4,
        )
        tx.commit()
    assert _get(uow, "shop", "s-2") == other
    stored = _get(uow, "shop", "s-1")
    assert stored is not None
    assert (stored.version, stored.fields) == (5, CONTEXT.fields)


def test_saving_with_the_stored_version_writes_every_field(uow: UnitOfWorkFactory) -> None:
    _add(uow, CONTEXT)
    written = replace(
        CONTEXT,
        fields=ContextFields(currency="USD", context={"new": {"k": "v"}}),
        version=5,
        created_at=NOW + timedelta(minutes=1),  # a new life over an expired one moves it
        modified_at=NOW + timedelta(minutes=1, microseconds=7),
    )
    with uow(write=True) as tx:
        assert tx.session_contexts.save(written, expected_version=4) is True
        tx.commit()
    assert _get(uow, "shop", "s-1") == written


def test_saving_with_a_stale_version_writes_nothing(uow: UnitOfWorkFactory) -> None:
    _add(uow, CONTEXT)
    written = replace(CONTEXT, fields=ContextFields(currency="USD"), version=5)
    for stale in (3, 5, 1):
        with uow(write=True) as tx:
            assert tx.session_contexts.save(written, expected_version=stale) is False
            tx.commit()
    assert _get(uow, "shop", "s-1") == CONTEXT


def test_saving_a_missing_context_writes_nothing(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        assert tx.session_contexts.save(CONTEXT, expected_version=3) is False
        tx.commit()
    assert _get(uow, "shop", "s-1") is None


def test_a_save_is_undone_without_commit(uow: UnitOfWorkFactory) -> None:
    _add(uow, CONTEXT)
    with uow(write=True) as tx:
        assert tx.session_contexts.save(replace(CONTEXT, version=5), expected_version=4)
    assert _get(uow, "shop", "s-1") == CONTEXT


def test_the_same_session_id_under_two_tenants_is_two_contexts(uow: UnitOfWorkFactory) -> None:
    theirs = replace(CONTEXT, tenant="other", fields=ContextFields(currency="CHF"), version=1)
    _add(uow, CONTEXT, theirs)
    assert _get(uow, "shop", "s-1") == CONTEXT
    assert _get(uow, "other", "s-1") == theirs
    with uow(write=True) as tx:
        moved = replace(theirs, fields=ContextFields(currency="JPY"), version=2)
        assert tx.session_contexts.save(moved, expected_version=1)
        tx.commit()
    assert _get(uow, "shop", "s-1") == CONTEXT
    assert _get(uow, "other", "s-1") == moved


# OAuth clients.


def _client(name: str = "storefront", *, tenant: str = "shop") -> OAuthClient:
    return OAuthClient(
        id=0,
        client_id=f"id-{name}",
        name=name,
        tenant=tenant,
        scopes=frozenset({CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE}),
        created=NOW,
    )


def _add_clients(uow: UnitOfWorkFactory, *clients: OAuthClient) -> list[OAuthClient]:
    with uow(write=True) as tx:
        stored = [tx.oauth_clients.add(c, digest(f"secret-{c.name}")) for c in clients]
        tx.commit()
    return stored


def test_a_client_round_trips_with_the_digest_of_its_secret(uow: UnitOfWorkFactory) -> None:
    (stored,) = _add_clients(uow, _client())
    assert stored.id > 0
    assert stored == replace(_client(), id=stored.id)
    with uow(write=False) as tx:
        found = tx.oauth_clients.get("id-storefront")
    assert found == (stored, digest("secret-storefront"))
    assert found is not None
    assert found[0].active
    assert found[0].created.utcoffset() == timedelta(0)


def test_an_unknown_client_reads_as_none(uow: UnitOfWorkFactory) -> None:
    _add_clients(uow, _client())
    with uow(write=False) as tx:
        assert tx.oauth_clients.get("id-nobody") is None


def test_clients_get_distinct_ids(uow: UnitOfWorkFactory) -> None:
    stored = _add_clients(uow, _client("a"), _client("b", tenant="other"))
    assert stored[0].id != stored[1].id
    with uow(write=False) as tx:
        found = tx.oauth_clients.get("id-b")
    assert found is not None
    assert (found[0].tenant, found[1]) == ("other", digest("secret-b"))


def test_clients_list_in_order_with_total_and_paging(uow: UnitOfWorkFactory) -> None:
    stored = _add_clients(uow, *(_client(f"c{n}") for n in range(5)))
    with uow(write=False) as tx:
        everything = tx.oauth_clients.list(PageRequest())
        middle = tx.oauth_clients.list(PageRequest(page_size=2, skip=1))
        beyond = tx.oauth_clients.list(PageRequest(page_size=2, skip=5))
    assert (list(everything.items), everything.total) == (stored, 5)
    assert (list(middle.items), middle.total) == (stored[1:3], 5)
    assert (list(beyond.items), beyond.total) == ([], 5)


def test_an_empty_client_list_has_a_total_of_zero(uow: UnitOfWorkFactory) -> None:
    with uow(write=False) as tx:
        page = tx.oauth_clients.list(PageRequest())
    assert (list(page.items), page.total) == ([], 0)


def test_revoking_a_client_sets_its_revocation_time(uow: UnitOfWorkFactory) -> None:
    stored, other = _add_clients(uow, _client("a"), _client("b"))
    later = NOW + timedelta(days=1)
    with uow(write=True) as tx:
        revoked = tx.oauth_clients.revoke("id-a", now=later)
        tx.commit()
    assert revoked == replace(stored, revoked=later)
    assert revoked is not None
    assert not revoked.active
    with uow(write=False) as tx:
        assert tx.oauth_clients.get("id-a") == (revoked, digest("secret-a"))
        assert tx.oauth_clients.get("id-b") == (other, digest("secret-b"))


def test_revoking_a_revoked_client_keeps_the_first_revocation(uow: UnitOfWorkFactory) -> None:
    _add_clients(uow, _client("a"))
    first = NOW + timedelta(days=1)
    with uow(write=True) as tx:
        tx.oauth_clients.revoke("id-a", now=first)
        tx.commit()
    with uow(write=True) as tx:
        again = tx.oauth_clients.revoke("id-a", now=first + timedelta(days=1))
        tx.commit()
    assert again is not None
    assert again.revoked == first


def test_revoking_an_unknown_client_gives_none(uow: UnitOfWorkFactory) -> None:
    _add_clients(uow, _client("a"))
    with uow(write=True) as tx:
        assert tx.oauth_clients.revoke("id-nobody", now=NOW) is None
        tx.commit()
    with uow(write=False) as tx:
        found = tx.oauth_clients.get("id-a")
    assert found is not None
    assert found[0].active


# Access tokens.


def _token(client_id: str = "id-a", *, expires: datetime = NOW, **changes: object) -> AccessToken:
    token = AccessToken(
        kind=TokenKind.SERVICE,
        tenant="shop",
        client_id=client_id,
        scopes=frozenset({CONTEXT_MANAGE}),
        expires=expires,
    )
    return replace(token, **changes)  # type: ignore[arg-type]


def _add_tokens(uow: UnitOfWorkFactory, tokens: dict[str, AccessToken]) -> None:
    with uow(write=True) as tx:
        for value, token in tokens.items():
            tx.access_tokens.add(digest(value), token)
        tx.commit()


def _remaining(uow: UnitOfWorkFactory, values: list[str]) -> list[str]:
    with uow(write=False) as tx:
        return [value for value in values if tx.access_tokens.get(digest(value)) is not None]


def test_tokens_round_trip_by_their_digest(uow: UnitOfWorkFactory) -> None:
    tokens = {
        "service": _token(scopes=frozenset({CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE})),
        "anonymous": _token(kind=TokenKind.ANONYMOUS, scopes=frozenset(), session_id="s-1"),
        "customer": _token(
            kind=TokenKind.CUSTOMER,
            scopes=frozenset(),
            session_id="s-2",
            customer_id="c-1",
            expires=NOW + timedelta(hours=1, microseconds=5),
        ),
    }
    _add_tokens(uow, tokens)
    with uow(write=False) as tx:
        for value, token in tokens.items():
            found = tx.access_tokens.get(digest(value))
            assert found == token
            assert found is not None
            assert found.kind is token.kind
            assert found.expires.utcoffset() == timedelta(0)
        assert tx.access_tokens.get(digest("nothing")) is None
        assert tx.access_tokens.get("service") is None  # only by digest


def test_deleting_a_clients_tokens_leaves_the_others(uow: UnitOfWorkFactory) -> None:
    _add_tokens(
        uow,
        {"a1": _token("id-a"), "a2": _token("id-a"), "b1": _token("id-b")},
    )
    with uow(write=True) as tx:
        assert tx.access_tokens.delete_for_client("id-a") == 2
        assert tx.access_tokens.delete_for_client("id-nobody") == 0
        tx.commit()
    assert _remaining(uow, ["a1", "a2", "b1"]) == ["b1"]


def test_expired_tokens_are_deleted_up_to_the_limit(uow: UnitOfWorkFactory) -> None:
    expired = [f"old-{n}" for n in range(5)]
    live = ["live-1", "live-2"]
    _add_tokens(
        uow,
        {
            **{
                value: _token(expires=NOW - timedelta(minutes=n)) for n, value in enumerate(expired)
            },
            "live-1": _token(expires=NOW + timedelta(microseconds=1)),
            "live-2": _token(expires=NOW + timedelta(hours=4)),
        },
    )
    with uow(write=True) as tx:
        assert tx.access_tokens.delete_expired(NOW, limit=3) == 3
        tx.commit()
    assert len(_remaining(uow, expired)) == 2
    with uow(write=True) as tx:
        assert tx.access_tokens.delete_expired(NOW, limit=10) == 2
        assert tx.access_tokens.delete_expired(NOW, limit=10) == 0
        tx.commit()
    assert _remaining(uow, expired + live) == live


def test_a_token_expiring_exactly_now_is_expired(uow: UnitOfWorkFactory) -> None:
    _add_tokens(uow, {"edge": _token(expires=NOW)})
    with uow(write=True) as tx:
        assert tx.access_tokens.delete_expired(NOW - timedelta(microseconds=1), limit=10) == 0
        assert tx.access_tokens.delete_expired(NOW, limit=10) == 1
        tx.commit()
    assert _remaining(uow, ["edge"]) == []
