"""Emporix's session context: a small record, per tenant, of a shopper's browser session
(``sessionId``, ``customerId``, ``siteCode``, ``currency``, ``cartId``, ``targetLocation``,
``language`` and custom ``context`` attributes) that storefronts and back ends read and
update concurrently (seed 004; ``reference/emporix-session-context-openapi.yaml``).

- Optimistic locking: a context's ``version`` starts at 1 and grows by one with every write.
  A replacement (PUT) or a partial update (PATCH) names the version it read and is refused
  with the current one when another write came first. Adding or removing one attribute
  takes no version: it applies to whatever is stored (and still moves the version).
- An anonymous context (no ``customerId``) expires after an idle time and then reads as
  absent; a logged-in customer's context does not expire.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from perks.domain.errors import Conflict, InvalidInput, Problem, pointer_segment

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_NAME_LENGTH",
    "MAX_TEXT_LENGTH",
    "ContextFields",
    "ContextPatch",
    "SessionContext",
    "VersionConflict",
    "added",
    "created",
    "patched",
    "removed",
    "replaced",
    "validate_attribute",
    "validate_fields",
    "validate_session_id",
    "validate_tenant",
]

_TENANT = re.compile(r"[a-z][a-z0-9]+")
MIN_TENANT_LENGTH = 3
MAX_TENANT_LENGTH = 16
MAX_TEXT_LENGTH = 255  # a session id, customer id, site code, cart id, ...
MAX_NAME_LENGTH = 255  # an attribute's name
MAX_ATTRIBUTES = 256  # custom attributes of one context


class VersionConflict(Conflict):
    """The write named a version that is no longer the stored one."""

    def __init__(self, current: int, given: int | None) -> None:
        named = "no version" if given is None else f"version {given}"
        super().__init__(
            f"the session context is at version {current}, the request named {named}: "
            "read it again and send its current metadata.version"
        )
        self.current = current


@dataclass(frozen=True, slots=True)
class ContextFields:
    """What a context holds besides its ids and metadata."""

    customer_id: str | None = None
    site_code: str | None = None
    currency: str | None = None
    cart_id: str | None = None
    target_location: str | None = None
    language: str | None = None
    context: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ContextPatch:
    """``PATCH /me/context``: only these fields can change; None leaves a field as it is, and
    ``context`` replaces the custom attributes when given."""

    site_code: str | None = None
    currency: str | None = None
    target_location: str | None = None
    language: str | None = None
    context: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class SessionContext:
    tenant: str
    session_id: str
    fields: ContextFields
    version: int
    created_at: datetime
    modified_at: datetime

    @property
    def anonymous(self) -> bool:
        return self.fields.customer_id is None

    def expired(self, now: datetime, idle: timedelta) -> bool:
        """An anonymous context nobody wrote for ``idle`` is gone."""
        return self.anonymous and self.modified_at + idle <= now

    def check_version(self, given: int | None) -> None:
        if given != self.version:
            raise VersionConflict(self.version, given)


def created(tenant: str, session_id: str, fields: ContextFields, now: datetime) -> SessionContext:
    return SessionContext(tenant, session_id, fields, version=1, created_at=now, modified_at=now)


def replaced(current: SessionContext, fields: ContextFields, now: datetime) -> SessionContext:
    """PUT: the fields sent replace the stored ones (the ids and ``createdAt`` stay)."""
    return _written(current, fields, now)


def patched(current: SessionContext, patch: ContextPatch, now: datetime) -> SessionContext:
    """PATCH: the fields sent change, the others (``customerId``, ``cartId``) stay."""
    kept = current.fields
    fields = replace(
        kept,
        site_code=_kept(patch.site_code, kept.site_code),
        currency=_kept(patch.currency, kept.currency),
        target_location=_kept(patch.target_location, kept.target_location),
        language=_kept(patch.language, kept.language),
        context=kept.context if patch.context is None else patch.context,
    )
    return _written(current, fields, now)


def added(current: SessionContext, now: datetime, *, name: str, value: object) -> SessionContext:
    """One custom attribute set (added, or replaced when it exists)."""
    context = {**current.fields.context, name: value}
    if len(context) > MAX_ATTRIBUTES:
        raise InvalidInput.at(
            "/key", f"a session context holds at most {MAX_ATTRIBUTES} attributes"
        )
    return _written(current, replace(current.fields, context=context), now)


def removed(current: SessionContext, now: datetime, *, name: str) -> SessionContext | None:
    """One custom attribute removed; None when the context has no such attribute (nothing to
    write)."""
    if name not in current.fields.context:
        return None
    context = {key: value for key, value in current.fields.context.items() if key != name}
    return _written(current, replace(current.fields, context=context), now)


def _written(current: SessionContext, fields: ContextFields, now: datetime) -> SessionContext:
    return replace(current, fields=fields, version=current.version + 1, modified_at=now)


def _kept(new: str | None, old: str | None) -> str | None:
    return old if new is None else new


# Validation: every problem at once, each at its place.


def validate_tenant(tenant: str) -> str:
    """Emporix's tenant: lowercase, 3 to 16 characters, ``^[a-z][a-z0-9]+$``."""
    if not MIN_TENANT_LENGTH <= len(tenant) <= MAX_TENANT_LENGTH or not _TENANT.fullmatch(tenant):
        raise InvalidInput.at(
            "tenant",
            f"the tenant has {MIN_TENANT_LENGTH} to {MAX_TENANT_LENGTH} characters, lowercase "
            "letters and digits, starting with a letter (^[a-z][a-z0-9]+$)",
            kind="parameter",
        )
    return tenant


def validate_session_id(session_id: str, *, location: str = "sessionId") -> str:
    if not 0 < len(session_id) <= MAX_TEXT_LENGTH:
        raise InvalidInput.at(
            location, f"a session id has 1 to {MAX_TEXT_LENGTH} characters", kind="parameter"
        )
    return session_id


def validate_fields(fields: ContextFields | ContextPatch) -> None:
    """Text fields of at most ``MAX_TEXT_LENGTH`` characters (an empty ``customerId`` is
    none), custom attributes of valid names and kinds."""
    problems: list[Problem] = []
    texts = {
        "siteCode": fields.site_code,
        "currency": fields.currency,
        "targetLocation": fields.target_location,
        "language": fields.language,
    }
    if isinstance(fields, ContextFields):
        texts |= {"customerId": fields.customer_id, "cartId": fields.cart_id}
    for name, value in texts.items():
        if value is not None and len(value) > MAX_TEXT_LENGTH:
            problems.append(
                Problem("invalid value", f"at most {MAX_TEXT_LENGTH} characters", f"/{name}")
            )
    if isinstance(fields, ContextFields) and fields.customer_id == "":
        problems.append(
            Problem("invalid value", "an empty customerId: leave it out instead", "/customerId")
        )
    if fields.context is not None:
        problems += _context_problems(fields.context)
    if problems:
        raise InvalidInput(problems)


def validate_attribute(name: str, value: object, *, location: str = "/key") -> None:
    """``ContextAttribute``: a name, and a value that is an object or a string."""
    problems = _name_problems(name, location) + _value_problems(value, "/value")
    if problems:
        raise InvalidInput(problems)


def _context_problems(context: Mapping[str, object]) -> list[Problem]:
    problems: list[Problem] = []
    if len(context) > MAX_ATTRIBUTES:
        problems.append(
            Problem("invalid value", f"at most {MAX_ATTRIBUTES} attributes", "/context")
        )
    for name, value in context.items():
        at = f"/context/{pointer_segment(name)}"
        problems += _name_problems(name, at) + _value_problems(value, at)
    return problems


def _name_problems(name: str, location: str) -> list[Problem]:
    if 0 < len(name) <= MAX_NAME_LENGTH:
        return []
    return [
        Problem(
            "invalid value",
            f"an attribute name has 1 to {MAX_NAME_LENGTH} characters",
            location,
        )
    ]


def _value_problems(value: object, location: str) -> list[Problem]:
    if isinstance(value, str | dict):
        return []
    return [Problem("invalid value", "an attribute's value is an object or a string", location)]
