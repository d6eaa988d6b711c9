"""Use cases of Emporix's session context: the management endpoints (a service token with
``sessioncontext.context_manage``) and the storefront's own ``/me`` endpoints (an anonymous
or customer token, whose session id selects the context).

Every write runs in one transaction on the context's row (held on PostgreSQL, SQLite's
writers are serial), so that a replacement checks the version it read against the stored
one, and attribute changes, which take no version, never lose one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from perks.domain.errors import Conflict, Forbidden, NotFound
from perks.domain.oauth import CONTEXT_MANAGE, AccessToken, TokenKind
from perks.domain.session_contexts import (
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
from perks.services.oauth import require_service
from perks.services.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = ["DEFAULT_IDLE", "ContextNotFound", "Replacement", "SessionContextService"]

DEFAULT_IDLE = timedelta(hours=1)  # Emporix's anonymous session
_SWEEP = 100  # expired contexts deleted each time one is created


class ContextNotFound(NotFound):
    """No session context (or only an expired anonymous one) under this session id."""

    def __init__(self, session_id: str) -> None:
        super().__init__("session context", session_id)
        self.session_id = session_id


@dataclass(frozen=True, slots=True)
class Replacement:
    """``PUT .../context/{sessionId}``: the fields, the version read, and whether a missing
    context is created (``upsert``)."""

    fields: ContextFields
    version: int | None
    upsert: bool = False


# What a write does to the stored context at a time; None: nothing to write.
Change = Callable[[SessionContext, datetime], SessionContext | None]


class SessionContextService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, *, idle: timedelta = DEFAULT_IDLE
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._idle = idle

    @property
    def idle(self) -> timedelta:
        """How long an anonymous context lives without a write."""
        return self._idle

    # Management: a service token of the tenant with sessioncontext.context_manage.

    def get(self, token: AccessToken, tenant: str, session_id: str) -> SessionContext:
        tenant, session_id = self._manage(token, tenant, session_id)
        return self._read(tenant, session_id)

    def replace(
        self,
        token: AccessToken,
        tenant: str,
        session_id: str,
        replacement: Replacement,
        *,
        customer: AccessToken | None = None,
    ) -> SessionContext:
        """Replace the context's fields when ``replacement.version`` is the stored version
        (409 with the current one otherwise); create it with ``upsert`` when missing. A
        context of a logged-in customer (stored or sent) needs that customer's token
        (``saas-token``): ``customer``."""
        tenant, session_id = self._manage(token, tenant, session_id)
        validate_fields(replacement.fields)
        now = self._clock.now()
        created_new = False
        with self._uow(write=True) as uow:
            current = self._live(uow, tenant, session_id, lock=True)
            owners = {replacement.fields.customer_id}
            if current is not None:
                owners.add(current.fields.customer_id)
            for customer_id in sorted(owner for owner in owners if owner is not None):
                _require_customer(customer, tenant, customer_id)
            if current is None:
                if not replacement.upsert:
                    raise ContextNotFound(session_id)
                written = self._create(
                    uow, created(tenant, session_id, replacement.fields, now), replacement
                )
                created_new = True
            else:
                current.check_version(replacement.version)
                written = replaced(current, replacement.fields, now)
                self._save(uow, current, written)
            uow.commit()
        if created_new:
            self._sweep(now)
        return written

    def add_attribute(
        self, token: AccessToken, tenant: str, session_id: str, name: str, value: object
    ) -> SessionContext:
        tenant, session_id = self._manage(token, tenant, session_id)
        validate_attribute(name, value)
        return self._change(tenant, session_id, partial(added, name=name, value=value))

    def remove_attribute(
        self, token: AccessToken, tenant: str, session_id: str, name: str
    ) -> SessionContext:
        tenant, session_id = self._manage(token, tenant, session_id)
        return self._change(tenant, session_id, partial(removed, name=name))

    # The storefront's own context: an anonymous or customer token of the tenant.

    def get_own(self, token: AccessToken, tenant: str) -> SessionContext:
        tenant, session_id = self._own(token, tenant)
        context = self._read(tenant, session_id)
        _require_owner(token, context)
        return context

    def patch_own(
        self, token: AccessToken, tenant: str, patch: ContextPatch, version: int | None
    ) -> SessionContext:
        """Change the allowed fields when ``version`` is the stored version."""
        tenant, session_id = self._own(token, tenant)
        validate_fields(patch)

        def change(current: SessionContext, now: datetime) -> SessionContext:
            current.check_version(version)
            return patched(current, patch, now)

        return self._change(tenant, session_id, change, owner=token)

    def add_own_attribute(
        self, token: AccessToken, tenant: str, name: str, value: object
    ) -> SessionContext:
        tenant, session_id = self._own(token, tenant)
        validate_attribute(name, value)
        change = partial(added, name=name, value=value)
        return self._change(tenant, session_id, change, owner=token)

    def remove_own_attribute(self, token: AccessToken, tenant: str, name: str) -> SessionContext:
        tenant, session_id = self._own(token, tenant)
        return self._change(tenant, session_id, partial(removed, name=name), owner=token)

    def authorize(self, token: AccessToken, tenant: str, *, own: bool = False) -> None:
        """Whether ``token`` may use the management endpoints of ``tenant`` (or, ``own``, the
        storefront's ``/me`` ones), before its request's body is read: a token of another
        tenant learns nothing, not even what its body lacks."""
        if own:
            self._own(token, tenant)
        else:
            require_service(token, validate_tenant(tenant), CONTEXT_MANAGE)

    # The work.

    def _manage(self, token: AccessToken, tenant: str, session_id: str) -> tuple[str, str]:
        tenant = validate_tenant(tenant)
        require_service(token, tenant, CONTEXT_MANAGE)
        return tenant, validate_session_id(session_id)

    @staticmethod
    def _own(token: AccessToken, tenant: str) -> tuple[str, str]:
        tenant = validate_tenant(tenant)
        if token.kind is TokenKind.SERVICE or token.session_id is None:
            raise Forbidden("the /me endpoints need a customer or anonymous token")
        if token.tenant != tenant:
            raise Forbidden(f"the token does not belong to tenant {tenant}")
        return tenant, token.session_id

    def _read(self, tenant: str, session_id: str) -> SessionContext:
        with self._uow(write=False) as uow:
            context = self._live(uow, tenant, session_id)
        if context is None:
            raise ContextNotFound(session_id)
        return context

    def _change(
        self,
        tenant: str,
        session_id: str,
        change: Change,
        *,
        owner: AccessToken | None = None,
    ) -> SessionContext:
        """Apply ``change`` to the stored context, its row held: no version is needed for
        concurrent changes not to lose one another."""
        with self._uow(write=True) as uow:
            current = self._live(uow, tenant, session_id, lock=True)
            if current is None:
                raise ContextNotFound(session_id)
            if owner is not None:
                _require_owner(owner, current)
            written = change(current, self._clock.now())
            if written is None:  # nothing to change (an attribute that is not there)
                return current
            self._save(uow, current, written)
            uow.commit()
        return written

    def _sweep(self, now: datetime) -> None:
        """Delete a few expired anonymous contexts, in a transaction of its own, each time a
        context is created: the table holds about as many as live, at no request's risk."""
        try:
            with self._uow(write=True) as uow:
                uow.session_contexts.delete_expired(now - self._idle, limit=_SWEEP)
                uow.commit()
        except Conflict:  # busy: the next creation sweeps
            return

    def _live(
        self, uow: UnitOfWork, tenant: str, session_id: str, *, lock: bool = False
    ) -> SessionContext | None:
        """The stored context, unless it is an anonymous one that has expired."""
        context = uow.session_contexts.get(tenant, session_id, lock=lock)
        if context is None or context.expired(self._clock.now(), self._idle):
            return None
        return context

    def _create(
        self, uow: UnitOfWork, context: SessionContext, replacement: Replacement
    ) -> SessionContext:
        """A new context, or one over an expired anonymous one (a new life: version 1). One
        that another request created since this one looked (PostgreSQL) is not overwritten:
        this request read no version of it."""
        stale = uow.session_contexts.get(context.tenant, context.session_id, lock=True)
        if stale is not None:
            if not stale.expired(context.created_at, self._idle):
                raise VersionConflict(stale.version, replacement.version)
            self._save(uow, stale, context)
            return context
        try:
            uow.session_contexts.add(context)
        except Conflict:  # created meanwhile (PostgreSQL): this request read no version of it
            found = uow.session_contexts.get(context.tenant, context.session_id)
            raise VersionConflict(found.version if found else 1, replacement.version) from None
        return context

    @staticmethod
    def _save(uow: UnitOfWork, current: SessionContext, written: SessionContext) -> None:
        if not uow.session_contexts.save(written, expected_version=current.version):
            # The row is held, so this means another writer got past the lock: never pass.
            stored = uow.session_contexts.get(current.tenant, current.session_id)
            raise VersionConflict(stored.version if stored else current.version, current.version)


def _require_owner(token: AccessToken, context: SessionContext) -> None:
    """A logged-in customer's context is only that customer's."""
    owner = context.fields.customer_id
    if owner is not None and (token.kind is not TokenKind.CUSTOMER or token.customer_id != owner):
        raise Forbidden("the session context belongs to another customer")


def _require_customer(token: AccessToken | None, tenant: str, customer_id: str) -> None:
    """``saas-token``: a customer token of the tenant for ``customer_id``."""
    if token is None:
        raise Forbidden(
            "the session context belongs to a logged-in customer: send that customer's "
            "token in the saas-token header"
        )
    if token.kind is not TokenKind.CUSTOMER or token.tenant != tenant:
        raise Forbidden("the saas-token is not a customer token of this tenant")
    if token.customer_id != customer_id:
        raise Forbidden("the saas-token belongs to another customer")
