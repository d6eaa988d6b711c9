"""Emporix's session contexts and OAuth in the domain: tenant and field rules with their
locations, the version every write moves, what a partial update keeps, attribute limits,
the idle expiry of anonymous contexts, token scopes and digests."""

from __future__ import annotations

import hashlib
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from perks.domain.errors import Conflict, InvalidInput
from perks.domain.oauth import (
    CONTEXT_MANAGE,
    CUSTOMER_TOKEN_ISSUE,
    INVALID_SCOPE,
    SCOPES,
    AccessToken,
    OAuthClient,
    ScopeRequest,
    TokenKind,
    digest,
    new_client_id,
    new_secret,
    new_session_id,
    parse_scope,
    validate_scopes,
)
from perks.domain.session_contexts import (
    MAX_ATTRIBUTES,
    MAX_NAME_LENGTH,
    MAX_TEXT_LENGTH,
    ContextFields,
    ContextPatch,
    SessionContext,
    VersionConflict,
    added,
    created,
    patched,
    removed,
    replaced,
    validate_attribute,
    validate_fields,
    validate_session_id,
    validate_tenant,
)

CREATED_AT = datetime(2026, 11, 23, 12, tzinfo=UTC)
LATER = CREATED_AT + timedelta(minutes=5)
IDLE = timedelta(hours=1)
FIELDS = ContextFields(
    customer_id="c-1",
    site_code="main",
    currency="EUR",
    cart_id="cart-1",
    target_location="DE",
    language="de",
    context={"channel": "web", "prefs": {"theme": "dark"}},
)
ANONYMOUS = ContextFields(site_code="main", currency="EUR", cart_id="cart-9", context={"a": "1"})


def _locations(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [problem.location for problem in error.value.problems]


def _context(fields: ContextFields = FIELDS, *, version: int = 1) -> SessionContext:
    return replace(created("shop", "s-1", fields, CREATED_AT), version=version)


# Tenants and session ids.


@pytest.mark.parametrize("tenant", ["ab", "Shop", "1abc", "a" * 17, "", "shop-1", "sh_op", "ÿab"])
def test_a_malformed_tenant_is_refused_at_the_tenant_parameter(tenant: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_tenant(tenant)
    assert [(p.location, p.kind) for p in error.value.problems] == [("tenant", "parameter")]


@pytest.mark.parametrize("tenant", ["abc", "shop1", "a" * 16, "a1b2c3"])
def test_a_well_formed_tenant_is_accepted_as_it_is(tenant: str) -> None:
    assert validate_tenant(tenant) == tenant


def test_a_tenant_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(InvalidInput):
        validate_tenant("shop\n")


@pytest.mark.parametrize("session_id", ["", "s" * (MAX_TEXT_LENGTH + 1)])
def test_a_session_id_of_no_or_too_many_characters_is_refused(session_id: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_session_id(session_id)
    assert [(p.location, p.kind) for p in error.value.problems] == [("sessionId", "parameter")]


def test_a_session_id_problem_is_reported_where_the_caller_says() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_session_id("", location="/sessionId")
    assert _locations(error) == ["/sessionId"]


@pytest.mark.parametrize("session_id", ["s", "s" * MAX_TEXT_LENGTH])
def test_a_session_id_of_1_to_255_characters_is_accepted(session_id: str) -> None:
    assert validate_session_id(session_id) == session_id


# Fields.


def test_valid_fields_pass() -> None:
    validate_fields(FIELDS)
    validate_fields(ContextFields())
    validate_fields(ContextPatch(site_code="x" * MAX_TEXT_LENGTH, context={}))


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"site_code": "x" * (MAX_TEXT_LENGTH + 1)}, "/siteCode"),
        ({"currency": "x" * (MAX_TEXT_LENGTH + 1)}, "/currency"),
        ({"target_location": "x" * (MAX_TEXT_LENGTH + 1)}, "/targetLocation"),
        ({"language": "x" * (MAX_TEXT_LENGTH + 1)}, "/language"),
        ({"customer_id": "x" * (MAX_TEXT_LENGTH + 1)}, "/customerId"),
        ({"cart_id": "x" * (MAX_TEXT_LENGTH + 1)}, "/cartId"),
        ({"customer_id": ""}, "/customerId"),
    ],
)
def test_a_bad_text_field_is_refused_at_its_pointer(changes: dict[str, str], pointer: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_fields(replace(FIELDS, **changes))  # type: ignore[arg-type]
    assert _locations(error) == [pointer]
    assert all(p.kind == "pointer" for p in error.value.problems)


def test_every_problem_of_the_fields_is_reported_at_once() -> None:
    fields = ContextFields(
        customer_id="",
        site_code="x" * (MAX_TEXT_LENGTH + 1),
        cart_id="x" * (MAX_TEXT_LENGTH + 1),
        context={"ok": "yes", "n": 5},
    )
    with pytest.raises(InvalidInput) as error:
        validate_fields(fields)
    assert sorted(_locations(error)) == ["/cartId", "/context/n", "/customerId", "/siteCode"]


@pytest.mark.parametrize("value", [5, 1.5, True, None, ["a"], ("a",)])
def test_a_context_attribute_that_is_neither_object_nor_string_is_refused(value: object) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_fields(ContextFields(context={"good": {"x": 1}, "bad": value}))
    assert _locations(error) == ["/context/bad"]


def test_an_attribute_name_is_escaped_in_its_pointer() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_fields(ContextFields(context={"a/b~c": 5}))
    assert _locations(error) == ["/context/a~1b~0c"]


@pytest.mark.parametrize("name", ["", "n" * (MAX_NAME_LENGTH + 1)])
def test_an_attribute_name_of_no_or_too_many_characters_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_fields(ContextFields(context={name: "v"}))
    assert _locations(error) == [f"/context/{name}"]


def test_an_attribute_name_of_255_characters_is_accepted() -> None:
    validate_fields(ContextFields(context={"n" * MAX_NAME_LENGTH: "v"}))


def test_more_than_the_maximum_attributes_are_refused_at_context() -> None:
    context = {f"k{n}": "v" for n in range(MAX_ATTRIBUTES + 1)}
    with pytest.raises(InvalidInput) as error:
        validate_fields(ContextFields(context=context))
    assert _locations(error) == ["/context"]
    validate_fields(ContextFields(context=dict(list(context.items())[:MAX_ATTRIBUTES])))


def test_a_patch_is_checked_like_the_fields_it_carries() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_fields(
            ContextPatch(language="x" * (MAX_TEXT_LENGTH + 1), context={"bad": ["list"]})
        )
    assert sorted(_locations(error)) == ["/context/bad", "/language"]


def test_a_patch_without_context_is_valid() -> None:
    validate_fields(ContextPatch(currency="USD"))


# One attribute.


@pytest.mark.parametrize("value", ["text", "", {}, {"nested": {"deep": [1, 2]}}])
def test_an_attribute_that_is_an_object_or_a_string_is_valid(value: object) -> None:
    validate_attribute("name", value)


def test_an_attribute_problems_are_located_at_key_and_value() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_attribute("", 42)
    assert _locations(error) == ["/key", "/value"]


def test_an_attribute_name_too_long_is_refused_where_the_caller_says() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_attribute("n" * (MAX_NAME_LENGTH + 1), "v", location="key")
    assert _locations(error) == ["key"]


@pytest.mark.parametrize("value", [42, None, ["a"], False])
def test_an_attribute_value_of_another_kind_is_refused_at_value(value: object) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_attribute("name", value)
    assert _locations(error) == ["/value"]


# Writes and versions.


def test_a_new_context_starts_at_version_1_created_and_modified_now() -> None:
    context = created("shop", "s-1", FIELDS, CREATED_AT)
    assert (context.tenant, context.session_id, context.fields) == ("shop", "s-1", FIELDS)
    assert (context.version, context.created_at, context.modified_at) == (
        1,
        CREATED_AT,
        CREATED_AT,
    )


def test_a_replacement_takes_the_new_fields_and_moves_the_version_by_one() -> None:
    current = _context(version=3)
    new = ContextFields(site_code="other", context={"x": "y"})
    written = replaced(current, new, LATER)
    assert written.fields == new
    assert (written.version, written.created_at, written.modified_at) == (4, CREATED_AT, LATER)
    assert (written.tenant, written.session_id) == ("shop", "s-1")
    assert current.version == 3  # the stored value is not changed in place


def test_a_patch_changes_only_the_fields_it_names() -> None:
    written = patched(_context(), ContextPatch(currency="USD", language="en"), LATER)
    assert written.fields == replace(FIELDS, currency="USD", language="en")
    assert (written.version, written.modified_at, written.created_at) == (2, LATER, CREATED_AT)


def test_a_patch_keeps_the_customer_and_the_cart() -> None:
    patch = ContextPatch(
        site_code="s2", currency="GBP", target_location="UK", language="en", context={"n": "v"}
    )
    written = patched(_context(), patch, LATER)
    assert (written.fields.customer_id, written.fields.cart_id) == ("c-1", "cart-1")
    assert written.fields == ContextFields(
        customer_id="c-1",
        site_code="s2",
        currency="GBP",
        cart_id="cart-1",
        target_location="UK",
        language="en",
        context={"n": "v"},
    )


def test_a_patch_with_context_replaces_every_custom_attribute() -> None:
    written = patched(_context(), ContextPatch(context={"only": "this"}), LATER)
    assert written.fields.context == {"only": "this"}


def test_an_empty_patch_keeps_every_field_and_still_moves_the_version() -> None:
    written = patched(_context(version=7), ContextPatch(), LATER)
    assert (written.fields, written.version) == (FIELDS, 8)


def test_adding_an_attribute_sets_it_and_keeps_the_others() -> None:
    written = added(_context(), LATER, name="new", value={"k": "v"})
    assert written.fields.context == {**FIELDS.context, "new": {"k": "v"}}
    assert (written.version, written.modified_at) == (2, LATER)
    assert FIELDS.context == {"channel": "web", "prefs": {"theme": "dark"}}


def test_adding_an_existing_attribute_replaces_its_value() -> None:
    written = added(_context(), LATER, name="channel", value="app")
    assert written.fields.context == {"channel": "app", "prefs": {"theme": "dark"}}
    assert written.version == 2


def test_adding_an_attribute_beyond_the_maximum_is_refused_at_key() -> None:
    full = _context(ContextFields(context={f"k{n}": "v" for n in range(MAX_ATTRIBUTES)}))
    with pytest.raises(InvalidInput) as error:
        added(full, LATER, name="one-more", value="v")
    assert _locations(error) == ["/key"]


def test_a_full_context_may_still_replace_an_attribute_it_has() -> None:
    full = _context(ContextFields(context={f"k{n}": "v" for n in range(MAX_ATTRIBUTES)}))
    written = added(full, LATER, name="k0", value="w")
    assert len(written.fields.context) == MAX_ATTRIBUTES
    assert written.fields.context["k0"] == "w"


def test_removing_an_attribute_drops_it_and_moves_the_version() -> None:
    written = removed(_context(version=2), LATER, name="channel")
    assert written is not None
    assert written.fields.context == {"prefs": {"theme": "dark"}}
    assert written.fields.customer_id == "c-1"
    assert (written.version, written.modified_at) == (3, LATER)


def test_removing_an_absent_attribute_gives_none() -> None:
    assert removed(_context(), LATER, name="missing") is None


def test_every_write_moves_the_version_by_exactly_one() -> None:
    context = created("shop", "s-1", ContextFields(), CREATED_AT)
    context = replaced(context, FIELDS, LATER)
    context = patched(context, ContextPatch(currency="USD"), LATER)
    context = added(context, LATER, name="x", value="y")
    after_remove = removed(context, LATER, name="x")
    assert after_remove is not None
    assert [context.version, after_remove.version] == [4, 5]


def test_the_stored_version_passes_the_check() -> None:
    _context(version=5).check_version(5)


@pytest.mark.parametrize("given", [4, 6, 0, None])
def test_another_version_raises_a_conflict_carrying_the_current_one(given: int | None) -> None:
    with pytest.raises(VersionConflict) as error:
        _context(version=5).check_version(given)
    assert error.value.current == 5
    assert isinstance(error.value, Conflict)
    assert "version 5" in error.value.details


# Expiry.


def test_an_anonymous_context_lives_until_its_idle_time_has_passed() -> None:
    context = _context(ANONYMOUS)
    assert context.anonymous
    assert not context.expired(CREATED_AT + IDLE - timedelta(microseconds=1), IDLE)
    assert context.expired(CREATED_AT + IDLE, IDLE)
    assert context.expired(CREATED_AT + IDLE * 10, IDLE)


def test_an_anonymous_context_lives_idle_from_its_last_write() -> None:
    written = added(_context(ANONYMOUS), LATER, name="x", value="y")
    assert not written.expired(CREATED_AT + IDLE, IDLE)
    assert written.expired(LATER + IDLE, IDLE)


def test_a_customer_context_never_expires() -> None:
    context = _context(FIELDS)
    assert not context.anonymous
    assert not context.expired(CREATED_AT + IDLE, IDLE)
    assert not context.expired(CREATED_AT + timedelta(days=3650), IDLE)


# OAuth: scopes, tokens, digests.


def test_a_scope_names_the_tenant_and_the_scopes() -> None:
    assert parse_scope("tenant=shop sessioncontext.context_manage") == ScopeRequest(
        "shop", frozenset({CONTEXT_MANAGE})
    )


def test_the_tenant_may_come_anywhere_among_the_scopes() -> None:
    asked = parse_scope(f"  {CONTEXT_MANAGE}   tenant=shop1 {CUSTOMER_TOKEN_ISSUE} ")
    assert asked == ScopeRequest("shop1", frozenset({CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE}))


def test_a_scope_of_only_the_tenant_asks_for_no_particular_scope() -> None:
    assert parse_scope("tenant=shop") == ScopeRequest("shop", frozenset())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "sessioncontext.context_manage",
        "tenant=shop tenant=other",
        "tenant=shop tenant=shop",
        "tenant=Shop",
        "tenant=ab",
        "tenant=",
        "tenant=1shop sessioncontext.context_manage",
    ],
)
def test_a_scope_without_exactly_one_good_tenant_is_refused_at_scope(text: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_scope(text)
    assert [(p.title, p.location, p.kind) for p in error.value.problems] == [
        (INVALID_SCOPE, "scope", "parameter")
    ]


def test_known_scopes_are_valid() -> None:
    every = frozenset(SCOPES)
    assert every == {CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE}
    assert validate_scopes(every) == every
    assert validate_scopes(frozenset({CONTEXT_MANAGE})) == {CONTEXT_MANAGE}


def test_an_unknown_scope_is_refused_at_scopes() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_scopes(frozenset({CONTEXT_MANAGE, "sessioncontext.everything", "admin"}))
    assert _locations(error) == ["/scopes", "/scopes"]
    assert "'admin'" in error.value.problems[0].details
    assert "'sessioncontext.everything'" in error.value.problems[1].details


def test_no_scope_at_all_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_scopes(frozenset(), location="scopes")
    assert _locations(error) == ["scopes"]


def test_a_digest_is_the_sha256_hex_of_the_secret() -> None:
    assert digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert digest("ünï") == hashlib.sha256("ünï".encode()).hexdigest()
    assert digest("secret") == digest("secret")
    assert digest("secret") != digest("secreT")
    assert len(digest("")) == 64
    assert set(digest("x")) <= set(string.hexdigits.lower())


def test_new_secrets_and_ids_are_random_and_url_safe() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    urlsafe = set(string.ascii_letters + string.digits + "-_")
    assert all(len(secret) == 43 and set(secret) <= urlsafe for secret in secrets)
    assert len({new_client_id() for _ in range(50)}) == 50
    assert all(len(new_session_id()) == 32 for _ in range(5))
    assert new_session_id() != new_session_id()


def test_a_token_is_usable_until_it_expires() -> None:
    token = AccessToken(TokenKind.SERVICE, "shop", "c", frozenset(), expires=LATER)
    assert token.usable(LATER - timedelta(microseconds=1))
    assert not token.usable(LATER)


def test_a_client_is_active_until_revoked() -> None:
    client = OAuthClient(1, "id", "n", "shop", frozenset({CONTEXT_MANAGE}), CREATED_AT)
    assert client.active
    assert not replace(client, revoked=LATER).active
