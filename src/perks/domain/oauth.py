"""OAuth2 for the session-context face, as Emporix answers it
(``reference/emporix-oauth-openapi.yaml``).

- **Clients** (``client_id`` and a secret shown once) belong to one tenant and are allowed a
  set of scopes. They are created and revoked through the Management API and the CLI.
- **Service tokens** come from ``POST /oauth/token`` (``grant_type=client_credentials``,
  ``scope="tenant=<t> <scope> ..."``): bound to the client's tenant and the scopes asked for
  (all the client's scopes when none is named).
- **Anonymous tokens** come from the storefront's anonymous login: each is bound to a new
  session id, which selects the session context of the ``/me`` endpoints.
- **Customer tokens** are issued to a trusted back end (a service token with
  ``sessioncontext.customer_token_issue``) for a logged-in customer: bound to a customer id
  and a session id.

Tokens and secrets are random, shown once, and stored as SHA-256 digests (256 random bits:
a fast digest cannot be guessed, and a lookup by digest leaks nothing through timing).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from perks.domain.errors import InvalidInput, Problem
from perks.domain.session_contexts import validate_tenant

__all__ = [
    "CONTEXT_MANAGE",
    "CUSTOMER_TOKEN_ISSUE",
    "INVALID_SCOPE",
    "MISSING_PARAMETER",
    "SCOPES",
    "UNSUPPORTED_GRANT",
    "AccessToken",
    "OAuthClient",
    "ScopeRequest",
    "TokenKind",
    "canonical_scopes",
    "digest",
    "new_client_id",
    "new_secret",
    "new_session_id",
    "parse_scope",
    "validate_scopes",
]

CONTEXT_MANAGE = "sessioncontext.context_manage"
CUSTOMER_TOKEN_ISSUE = "sessioncontext.customer_token_issue"  # noqa: S105 (a scope name)
SCOPES = {
    CONTEXT_MANAGE: "Manage session contexts (read, replace, add and remove attributes)",
    CUSTOMER_TOKEN_ISSUE: "Issue customer tokens for logged-in customers (a trusted back end)",
}
# Emporix's OpenAPI document spells the scope ``sessioncontext.context_manage``; the spelling
# with an underscore (as issue #6 wrote it) is taken for the same scope.
_ALIASES = {"session_context.context_manage": CONTEXT_MANAGE}
_TOKEN_BYTES = 32
# Problem titles of a token request that RFC 6749 §5.2 names apart (its ``error``).
MISSING_PARAMETER = "missing parameter"
UNSUPPORTED_GRANT = "unsupported grant type"
INVALID_SCOPE = "invalid scope"


class TokenKind(StrEnum):
    SERVICE = "service"
    ANONYMOUS = "anonymous"
    CUSTOMER = "customer"


@dataclass(frozen=True, slots=True)
class OAuthClient:
    id: int
    client_id: str
    name: str
    tenant: str
    scopes: frozenset[str]
    created: datetime
    revoked: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


@dataclass(frozen=True, slots=True)
class AccessToken:
    """What a token grants; ``session_id`` selects the context of the ``/me`` endpoints."""

    kind: TokenKind
    tenant: str
    client_id: str
    scopes: frozenset[str]
    expires: datetime
    session_id: str | None = None
    customer_id: str | None = None

    def usable(self, now: datetime) -> bool:
        return now < self.expires


@dataclass(frozen=True, slots=True)
class ScopeRequest:
    """``scope="tenant=<t> <scope> ..."`` of a token request."""

    tenant: str
    scopes: frozenset[str]


def parse_scope(text: str) -> ScopeRequest:
    """The tenant and the scopes a token request names (400 when the tenant is missing,
    named twice or malformed)."""
    tenants = [part.removeprefix("tenant=") for part in text.split() if part.startswith("tenant=")]
    if len(tenants) != 1:
        raise InvalidInput.at(
            "scope",
            'name exactly one tenant: scope="tenant=<tenant> ..."',
            title=INVALID_SCOPE,
            kind="parameter",
        )
    try:
        tenant = validate_tenant(tenants[0])
    except InvalidInput:
        raise InvalidInput.at(
            "scope",
            f"tenant={tenants[0]} is not a tenant name",
            title=INVALID_SCOPE,
            kind="parameter",
        ) from None
    scopes = canonical_scopes(part for part in text.split() if not part.startswith("tenant="))
    return ScopeRequest(tenant, scopes)


def canonical_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """Scopes by their Emporix names (the other spelling of a known one is the same scope)."""
    return frozenset(_ALIASES.get(scope, scope) for scope in scopes)


def validate_scopes(scopes: frozenset[str], *, location: str = "/scopes") -> frozenset[str]:
    """Only the scopes perks knows, and at least one (by their Emporix names)."""
    scopes = canonical_scopes(scopes)
    unknown = sorted(scopes - SCOPES.keys())
    problems = [
        Problem("invalid value", f"unknown scope {name!r}; known: {', '.join(SCOPES)}", location)
        for name in unknown
    ]
    if not scopes:
        problems.append(Problem("invalid value", "name at least one scope", location))
    if problems:
        raise InvalidInput(problems)
    return scopes


def new_client_id() -> str:
    return secrets.token_hex(12)


def new_secret() -> str:
    """A client secret or an access token: 256 random bits."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def new_session_id() -> str:
    return secrets.token_hex(16)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
