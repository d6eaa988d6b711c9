"""Idempotency keys (``Idempotency-Key``): a request sent again with the same key and the same
body gets the stored answer; the same key with another body is refused (422). Answers are kept
24 hours; a key has 1 to 255 characters."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from perks.domain.errors import InvalidInput

__all__ = [
    "KEEP_FOR",
    "MAX_KEY_LENGTH",
    "IdempotencyKey",
    "StoredAnswer",
    "fingerprint",
]

MAX_KEY_LENGTH = 255
KEEP_FOR = timedelta(hours=24)
HEADER = "Idempotency-Key"


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A request's key and the fingerprint of what it asks (its query and body)."""

    key: str
    fingerprint: str

    def __post_init__(self) -> None:
        if not 0 < len(self.key) <= MAX_KEY_LENGTH:
            raise InvalidInput.at(
                HEADER,
                f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters",
                kind="parameter",
            )


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The answer given to the first request with a key."""

    application_id: int
    operation: str
    key: str
    fingerprint: str
    status: int
    response: str
    created: datetime

    @property
    def expires(self) -> datetime:
        return self.created + KEEP_FOR


def fingerprint(*parts: bytes) -> str:
    """A digest of the request's parts (SHA-256, hex)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
