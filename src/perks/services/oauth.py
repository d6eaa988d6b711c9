"""OAuth2 of the session-context face: clients (Management API, CLI), service tokens
(``POST /oauth/token``, client credentials), anonymous storefront tokens, customer tokens
for a trusted back end, and authenticating a bearer token."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from perks.domain.errors import Forbidden, InvalidInput, NotFound, Problem, Unauthenticated
from perks.domain.oauth import (
    CUSTOMER_TOKEN_ISSUE,
    INVALID_SCOPE,
    MISSING_PARAMETER,
    UNSUPPORTED_GRANT,
    AccessToken,
    OAuthClient,
    TokenKind,
    canonical_scopes,
    digest,
    new_client_id,
    new_secret,
    new_session_id,
    parse_scope,
    validate_scopes,
)
from perks.domain.pages import Page, PageRequest
from perks.domain.session_contexts import (
    MAX_TEXT_LENGTH,
    validate_session_id,
    validate_tenant,
)
from perks.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = [
    "CLIENT_CREDENTIALS",
    "CreatedClient",
    "IssuedToken",
    "NewClient",
    "OAuthService",
    "TokenLifetimes",
    "require_service",
]

CLIENT_CREDENTIALS = "client_credentials"
_EXPIRED_SWEEP = 100  # expired tokens deleted each time a token is issued


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    service: timedelta = timedelta(hours=4)  # Emporix answers expires_in 14399
    storefront: timedelta = timedelta(hours=1)  # anonymous and customer tokens


@dataclass(frozen=True, slots=True)
class NewClient:
    tenant: str
    scopes: frozenset[str]
    name: str = ""


@dataclass(frozen=True, slots=True)
class CreatedClient:
    client: OAuthClient
    secret: str  # shown once


@dataclass(frozen=True, slots=True)
class IssuedToken:
    value: str  # shown once
    token: AccessToken
    lifetime: timedelta


class OAuthService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, lifetimes: TokenLifetimes | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._lifetimes = lifetimes or TokenLifetimes()

    # Clients.

    def create_client(self, principal: ManagementPrincipal, new: NewClient) -> CreatedClient:
        _require_account(principal)
        problems = _client_problems(new)
        if problems:
            raise InvalidInput(problems)
        tenant, scopes = new.tenant, canonical_scopes(new.scopes)
        secret = new_secret()
        client = OAuthClient(0, new_client_id(), new.name, tenant, scopes, self._clock.now())
        with self._uow(write=True) as uow:
            stored = uow.oauth_clients.add(client, digest(secret))
            uow.commit()
        return CreatedClient(stored, secret)

    def list_clients(self, principal: ManagementPrincipal, page: PageRequest) -> Page[OAuthClient]:
        _require_account(principal)
        with self._uow(write=False) as uow:
            return uow.oauth_clients.list(page)

    def revoke_client(self, principal: ManagementPrincipal, client_id: str) -> OAuthClient:
        """The client can no longer get tokens, and the tokens issued through it stop
        working."""
        _require_account(principal)
        with self._uow(write=True) as uow:
            revoked = uow.oauth_clients.revoke(client_id, now=self._clock.now())
            if revoked is None:
                raise NotFound("OAuth client", client_id)
            uow.access_tokens.delete_for_client(client_id)
            uow.commit()
        return revoked

    # Tokens.

    def client_credentials(
        self, grant_type: str | None, client_id: str | None, secret: str | None, scope: str | None
    ) -> IssuedToken:
        """``POST /oauth/token``: a service token for the client's tenant and the scopes
        asked for (every scope of the client when none is named)."""
        if not grant_type:
            raise InvalidInput.at(
                "grant_type", "grant_type is required", title=MISSING_PARAMETER, kind="parameter"
            )
        if grant_type != CLIENT_CREDENTIALS:
            raise InvalidInput.at(
                "grant_type",
                f"grant_type must be {CLIENT_CREDENTIALS}",
                title=UNSUPPORTED_GRANT,
                kind="parameter",
            )
        if not client_id or not secret:
            raise Unauthenticated("client_id and client_secret are required")
        asked = parse_scope(scope or "")
        with self._uow(write=True) as uow:
            client = _authenticated_client(uow, client_id, secret)
            if asked.tenant != client.tenant:
                raise InvalidInput.at(
                    "scope",
                    f"the client does not belong to tenant {asked.tenant}",
                    title=INVALID_SCOPE,
                    kind="parameter",
                )
            granted = asked.scopes or client.scopes
            if not granted <= client.scopes:
                missing = ", ".join(sorted(granted - client.scopes))
                raise InvalidInput.at(
                    "scope",
                    f"the client may not ask for {missing}",
                    title=INVALID_SCOPE,
                    kind="parameter",
                )
            issued = self._issue(uow, TokenKind.SERVICE, client, granted)
            uow.commit()
        return issued

    def anonymous_login(self, tenant: str, client_id: str | None) -> IssuedToken:
        """The storefront's anonymous login: a token bound to a new session id, through an
        active client of the tenant (the storefront's public client id)."""
        tenant = validate_tenant(tenant)
        if not client_id:
            raise InvalidInput.at("client_id", "client_id is required", kind="parameter")
        with self._uow(write=True) as uow:
            found = uow.oauth_clients.get(client_id)
            if found is None or not found[0].active or found[0].tenant != tenant:
                raise Unauthenticated(f"no active client {client_id} of tenant {tenant}")
            issued = self._issue(
                uow, TokenKind.ANONYMOUS, found[0], frozenset(), session_id=new_session_id()
            )
            uow.commit()
        return issued

    def customer_token(
        self, issuer: AccessToken, tenant: str, customer_id: str, session_id: str | None
    ) -> IssuedToken:
        """A token for a logged-in customer, asked by a trusted back end: bound to
        ``customer_id`` and to ``session_id`` (a new one when not given; an anonymous
        session's id carries its context over to the customer)."""
        tenant = validate_tenant(tenant)
        require_service(issuer, tenant, CUSTOMER_TOKEN_ISSUE)
        if not 0 < len(customer_id) <= MAX_TEXT_LENGTH:
            raise InvalidInput.at("/customerId", f"1 to {MAX_TEXT_LENGTH} characters")
        session = new_session_id() if session_id is None else session_id
        validate_session_id(session, location="/sessionId")
        with self._uow(write=True) as uow:
            found = uow.oauth_clients.get(issuer.client_id)
            if found is None or not found[0].active:
                raise Unauthenticated("the token's client was revoked")
            issued = self._issue(
                uow,
                TokenKind.CUSTOMER,
                found[0],
                frozenset(),
                session_id=session,
                customer_id=customer_id,
            )
            uow.commit()
        return issued

    def authenticate(self, bearer: str | None) -> AccessToken:
        """The token behind ``Authorization: Bearer <token>`` (401 when missing, unknown,
        expired or revoked)."""
        if not bearer:
            raise Unauthenticated("an access token is required: Authorization: Bearer <token>")
        with self._uow(write=False) as uow:
            token = uow.access_tokens.get(digest(bearer))
        if token is None or not token.usable(self._clock.now()):
            raise Unauthenticated("the access token is unknown, expired or revoked")
        return token

    def _issue(
        self,
        uow: UnitOfWork,
        kind: TokenKind,
        client: OAuthClient,
        scopes: frozenset[str],
        *,
        session_id: str | None = None,
        customer_id: str | None = None,
    ) -> IssuedToken:
        now = self._clock.now()
        lifetime = (
            self._lifetimes.service if kind is TokenKind.SERVICE else self._lifetimes.storefront
        )
        value = new_secret()
        token = AccessToken(
            kind=kind,
            tenant=client.tenant,
            client_id=client.client_id,
            scopes=scopes,
            expires=now + lifetime,
            session_id=session_id,
            customer_id=customer_id,
        )
        uow.access_tokens.delete_expired(now, limit=_EXPIRED_SWEEP)
        uow.access_tokens.add(digest(value), token)
        return IssuedToken(value, token, lifetime)


def require_service(token: AccessToken, tenant: str, scope: str) -> None:
    """A service token of ``tenant`` granted ``scope`` (else 403)."""
    if token.kind is not TokenKind.SERVICE:
        raise Forbidden("this operation needs a service token (client credentials)")
    if token.tenant != tenant:
        raise Forbidden(f"the token does not belong to tenant {tenant}")
    if scope not in token.scopes:
        raise Forbidden(f"the token lacks the scope {scope}")


def _require_account(principal: ManagementPrincipal) -> None:
    """OAuth clients belong to the account: a key limited to some applications may not
    manage them."""
    if principal.allowed_application_ids is not None:
        raise Forbidden("managing OAuth clients needs a management key of the whole account")


def _authenticated_client(uow: UnitOfWork, client_id: str, secret: str) -> OAuthClient:
    found = uow.oauth_clients.get(client_id)
    # The digest is compared even for an unknown client, so that timing tells nothing.
    stored = found[1] if found is not None else digest("")
    if not hmac.compare_digest(stored, digest(secret)) or found is None or not found[0].active:
        raise Unauthenticated("unknown client, wrong secret, or revoked client")
    return found[0]


def _client_problems(new: NewClient) -> list[Problem]:
    """Every problem of a new client, each at its field."""
    problems: list[Problem] = []
    try:
        validate_tenant(new.tenant)
    except InvalidInput:
        details = "a tenant has 3 to 16 characters: lowercase letters and digits, first a letter"
        problems.append(Problem("invalid value", details, "/tenant"))
    try:
        validate_scopes(new.scopes)
    except InvalidInput as error:
        problems += error.problems
    if len(new.name) > MAX_TEXT_LENGTH:
        problems.append(Problem("invalid value", f"at most {MAX_TEXT_LENGTH} characters", "/name"))
    return problems
