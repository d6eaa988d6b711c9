"""Use cases of API keys: create (shown once), list, revoke, authenticate."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from perks.domain.api_keys import (
    DISPLAY_PREFIX_LENGTH,
    IntegrationKey,
    IntegrationKeyPlatform,
    IntegrationKeyType,
    ManagementKey,
    generate_secret,
    secret_digest,
)
from perks.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from perks.domain.pages import Page, PageRequest
from perks.services.key_cache import KeyCache
from perks.services.ports import (
    Clock,
    NewIntegrationKey,
    NewManagementKey,
    UnitOfWork,
    UnitOfWorkFactory,
)
from perks.services.principals import IntegrationPrincipal, ManagementPrincipal

__all__ = [
    "API_KEY_SORT_FIELDS",
    "ApiKeyService",
    "CreatedIntegrationKey",
    "CreatedManagementKey",
    "IntegrationKeyRequest",
    "ManagementKeyRequest",
]

API_KEY_SORT_FIELDS = ("id", "title", "created", "expires")


@dataclass(frozen=True, slots=True)
class IntegrationKeyRequest:
    """``CreateApplicationAPIKey``."""

    title: str
    expires: datetime
    platform: IntegrationKeyPlatform = IntegrationKeyPlatform.NONE
    type: IntegrationKeyType | None = None
    time_offset: int | None = None


@dataclass(frozen=True, slots=True)
class ManagementKeyRequest:
    name: str
    expiry_date: datetime
    allowed_application_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class CreatedIntegrationKey:
    key: IntegrationKey
    secret: str


@dataclass(frozen=True, slots=True)
class CreatedManagementKey:
    key: ManagementKey
    secret: str


class ApiKeyService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        last_used_resolution: timedelta,
        integration_cache: KeyCache[IntegrationKey],
        management_cache: KeyCache[ManagementKey],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._last_used = _LastUsedThrottle(last_used_resolution)
        self._integration_cache = integration_cache
        self._integration_keys = _KeyStore[IntegrationKey](
            kind="integration",
            cache=integration_cache,
            find=lambda uow, digest: uow.integration_keys.find_by_digest(digest),
            touch=lambda uow, key_id, now: uow.integration_keys.touch(key_id, now=now),
        )
        self._management_keys = _KeyStore[ManagementKey](
            kind="management",
            cache=management_cache,
            find=lambda uow, digest: uow.management_keys.find_by_digest(digest),
            touch=lambda uow, key_id, now: uow.management_keys.touch(key_id, now=now),
        )

    # Integration keys -----------------------------------------------------------------

    def create_integration_key(
        self, application_id: int, request: IntegrationKeyRequest, principal: ManagementPrincipal
    ) -> CreatedIntegrationKey:
        principal.require_application(application_id)
        now = self._clock.now()
        _require_future(request.expires, now, "/expires")
        if not request.title.strip():
            raise InvalidInput.at("/title", "title must not be blank")
        secret = generate_secret()
        with self._uow(write=True) as uow:
            if uow.applications.get(application_id) is None:
                raise NotFound("application", application_id)
            key = uow.integration_keys.add(
                NewIntegrationKey(
                    application_id=application_id,
                    title=request.title,
                    digest=secret_digest(secret),
                    prefix=secret[:DISPLAY_PREFIX_LENGTH],
                    expires=request.expires,
                    created=now,
                    platform=request.platform,
                    type=request.type,
                    time_offset=request.time_offset,
                )
            )
            uow.commit()
        return CreatedIntegrationKey(key, secret)

    def list_integration_keys(
        self, application_id: int, page: PageRequest, principal: ManagementPrincipal
    ) -> Page[IntegrationKey]:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            if uow.applications.get(application_id) is None:
                raise NotFound("application", application_id)
            return uow.integration_keys.list(application_id, page)

    def revoke_integration_key(
        self, application_id: int, key_id: int, principal: ManagementPrincipal
    ) -> None:
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            if not uow.integration_keys.revoke(application_id, key_id, now=self._clock.now()):
                raise NotFound("API key", key_id)
            uow.commit()
        self._integration_cache.clear()

    def authenticate_integration(self, secret: str) -> IntegrationPrincipal:
        key = self._authenticate(secret, self._integration_keys, "the API key")
        return IntegrationPrincipal(key_id=key.id, application_id=key.application_id)

    # Management keys ------------------------------------------------------------------

    def create_management_key(self, request: ManagementKeyRequest) -> CreatedManagementKey:
        secret = generate_secret()
        return CreatedManagementKey(self._add_management_key(request, secret), secret)

    def ensure_management_key(self, secret: str, request: ManagementKeyRequest) -> bool:
        """Make ``secret`` a usable management key; True when it was created now."""
        with self._uow(write=False) as uow:
            existing = uow.management_keys.find_by_digest(secret_digest(secret))
        if existing is None:
            self._add_management_key(request, secret)
            return True
        if not existing.is_usable(self._clock.now()):
            raise Conflict(f"management key {existing.prefix}… exists but is expired or disabled")
        return False

    def has_usable_management_key(self) -> bool:
        with self._uow(write=False) as uow:
            return uow.management_keys.count_usable(now=self._clock.now()) > 0

    def authenticate_management(self, secret: str) -> ManagementPrincipal:
        key = self._authenticate(secret, self._management_keys, "the management key")
        allowed = key.allowed_application_ids
        return ManagementPrincipal(
            key_id=key.id, allowed_application_ids=None if allowed is None else frozenset(allowed)
        )

    def _authenticate(self, secret: str, keys: _KeyStore[K], what: str) -> K:
        """The usable key behind ``secret``, from the cache or the database."""
        digest = secret_digest(secret)
        now = self._clock.now()
        key = keys.cache.get(digest, now)
        if key is None:
            with self._uow(write=False) as uow:
                key = keys.find(uow, digest)
            if key is not None:
                keys.cache.put(digest, key, now)
        if key is None or not key.is_usable(now):
            raise Unauthenticated(f"{what} is missing, wrong, expired or revoked")
        if self._last_used.due((keys.kind, key.id), now):
            with self._uow(write=True) as uow:
                keys.touch(uow, key.id, now)
                uow.commit()
        return key

    def _add_management_key(self, request: ManagementKeyRequest, secret: str) -> ManagementKey:
        now = self._clock.now()
        _require_future(request.expiry_date, now, "/expiryDate")
        with self._uow(write=True) as uow:
            key = uow.management_keys.add(
                NewManagementKey(
                    name=request.name,
                    digest=secret_digest(secret),
                    prefix=secret[:DISPLAY_PREFIX_LENGTH],
                    expiry_date=request.expiry_date,
                    created=now,
                    allowed_application_ids=request.allowed_application_ids,
                )
            )
            uow.commit()
        return key


def _require_future(moment: datetime, now: datetime, pointer: str) -> None:
    if moment <= now:
        raise InvalidInput.at(pointer, "the expiry must lie in the future")


class _Key(Protocol):
    @property
    def id(self) -> int: ...
    def is_usable(self, now: datetime) -> bool: ...


K = TypeVar("K", bound=_Key)


@dataclass(frozen=True)
class _KeyStore(Generic[K]):
    """Where keys of one kind are found, cached and marked as used."""

    kind: str
    cache: KeyCache[K]
    find: Callable[[UnitOfWork, str], K | None]
    touch: Callable[[UnitOfWork, int, datetime], None]


class _LastUsedThrottle:
    """Decides when ``lastUsed`` is worth a write: at most once per resolution per key."""

    def __init__(self, resolution: timedelta) -> None:
        self._resolution = resolution
        self._written: dict[tuple[str, int], datetime] = {}
        self._lock = threading.Lock()

    def due(self, key: tuple[str, int], now: datetime) -> bool:
        with self._lock:
            last = self._written.get(key)
            if last is not None and now - last < self._resolution:
                return False
            self._written[key] = now
            return True
