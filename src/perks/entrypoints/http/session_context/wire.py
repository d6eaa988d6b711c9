"""The session-context face's bodies, as Emporix's documents name them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

__all__ = [
    "AccessTokenResponse",
    "ContextAttribute",
    "CustomerTokenRequest",
    "CustomerTokenResponse",
    "ErrorDetail",
    "ErrorMessage",
    "Metadata",
    "MetadataUpdate",
    "OAuthError",
    "SessionContextPatch",
    "SessionContextUpdate",
    "SessionContextView",
    "StorefrontTokenResponse",
]


class _Strict(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    pass


class _Lenient(msgspec.Struct, rename="camel", kw_only=True):
    """A body whose unknown fields are ignored (Emporix's PATCH: "the rest is ignored")."""


class MetadataUpdate(_Strict):
    """``metadata`` of a write: the version read. ``createdAt`` and ``modifiedAt`` of a body
    read back are accepted and ignored."""

    version: int | None = None
    created_at: str | None = None
    modified_at: str | None = None


class SessionContextUpdate(_Strict):
    """``SessionContext_PUT``."""

    metadata: MetadataUpdate
    session_id: str | None = None
    customer_id: str | None = None
    site_code: str | None = None
    currency: str | None = None
    cart_id: str | None = None
    target_location: str | None = None
    language: str | None = None
    context: dict[str, Any] | None = None


class SessionContextPatch(_Lenient):
    """``SessionContext_PATCH``: only these fields; anything else is ignored."""

    metadata: MetadataUpdate
    site_code: str | None = None
    currency: str | None = None
    target_location: str | None = None
    language: str | None = None
    context: dict[str, Any] | None = None


class ContextAttribute(_Strict):
    key: str
    value: Any


class Metadata(msgspec.Struct, rename="camel", omit_defaults=True):
    version: int
    created_at: datetime
    modified_at: datetime


class SessionContextView(msgspec.Struct, rename="camel", omit_defaults=True):
    """``SessionContext_GET``."""

    session_id: str
    metadata: Metadata
    context: dict[str, Any]  # always present, {} when there is none
    customer_id: str | None = None
    site_code: str | None = None
    currency: str | None = None
    cart_id: str | None = None
    target_location: str | None = None
    language: str | None = None


class ErrorDetail(msgspec.Struct):
    field: str
    message: str


class ErrorMessage(msgspec.Struct, rename="camel", omit_defaults=True):
    """Emporix's ``ErrorMessage``; ``sessionId`` on a 404, the current ``metadata`` on a
    version conflict, each problem's field on a 400."""

    code: int
    message: str
    session_id: str | None = None
    metadata: dict[str, int] | None = None
    details: list[ErrorDetail] | None = None


class OAuthError(msgspec.Struct, omit_defaults=True):
    """``POST /oauth/token``'s errors: Emporix's ``code`` and ``message``, and RFC 6749's
    ``error`` for OAuth client libraries."""

    code: int
    message: str
    error: str
    error_description: str


class AccessTokenResponse(msgspec.Struct):
    """Emporix's ``AccessToken`` (no refresh tokens for service tokens)."""

    access_token: str
    token_type: str
    expires_in: int
    scope: str
    session_idle_time: int
    refresh_token: str = ""
    refresh_token_expires_in: int = 0


class StorefrontTokenResponse(msgspec.Struct):
    """The anonymous login's answer: a token bound to a new session id."""

    access_token: str
    token_type: str
    expires_in: int
    sessionId: str  # noqa: N815 (Emporix's name)
    scope: str
    refresh_token: str = ""
    refresh_token_expires_in: int = 0


class CustomerTokenRequest(_Strict):
    customer_id: str
    session_id: str | None = None


class CustomerTokenResponse(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    sessionId: str  # noqa: N815 (Emporix's name)
    customerId: str  # noqa: N815
    scope: str
