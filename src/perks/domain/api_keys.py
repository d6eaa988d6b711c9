"""API keys: integration keys (one application) and management keys (the account).

A key is shown once, when created. Only its SHA-256 digest and a short display
prefix are stored; keys are 256 random bits, so a fast digest is not guessable and
lookup by digest reveals nothing about the key through timing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "DISPLAY_PREFIX_LENGTH",
    "IntegrationKey",
    "IntegrationKeyPlatform",
    "IntegrationKeyType",
    "ManagementKey",
    "generate_secret",
    "secret_digest",
]

DISPLAY_PREFIX_LENGTH = 6
_SECRET_BYTES = 32


class IntegrationKeyPlatform(StrEnum):
    NONE = "none"
    SEGMENT = "segment"
    BRAZE = "braze"
    MPARTICLE = "mparticle"
    SHOPIFY = "shopify"
    ITERABLE = "iterable"
    CUSTOMER_ENGAGEMENT = "customer_engagement"
    CUSTOMER_DATA = "customer_data"
    SALESFORCE = "salesforce"
    EMARSYS = "emarsys"


class IntegrationKeyType(StrEnum):
    STAGING = "staging"


def generate_secret() -> str:
    """A new key: 64 hex digits (256 bits)."""
    return secrets.token_hex(_SECRET_BYTES)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IntegrationKey:
    """A key of the Integration API, bound to one application."""

    id: int
    application_id: int
    title: str
    prefix: str
    expires: datetime
    created: datetime
    platform: IntegrationKeyPlatform = IntegrationKeyPlatform.NONE
    type: IntegrationKeyType | None = None
    time_offset: int | None = None
    revoked: datetime | None = None
    last_used: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked is None and now < self.expires


@dataclass(frozen=True, slots=True)
class ManagementKey:
    """A key of the Management API; ``allowed_application_ids`` narrows it when set."""

    id: int
    name: str
    prefix: str
    expiry_date: datetime
    created: datetime
    allowed_application_ids: tuple[int, ...] | None = None
    disabled: bool = False
    last_used: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return not self.disabled and now < self.expiry_date
