"""Reading the ``Authorization`` header: ``ManagementKey-v1 <key>`` or ``ApiKey-v1 <key>``."""

from __future__ import annotations

from perks.domain.errors import Unauthenticated

__all__ = ["INTEGRATION_SCHEME", "MANAGEMENT_SCHEME", "credentials"]

MANAGEMENT_SCHEME = "ManagementKey-v1"
INTEGRATION_SCHEME = "ApiKey-v1"
_MAX_KEY_LENGTH = 256


def credentials(header: str | None, scheme: str) -> str:
    """The key of ``scheme`` in the header; ``Unauthenticated`` when it is absent or malformed."""
    if not header:
        raise Unauthenticated(f"missing Authorization header: use '{scheme} <key>'")
    given, _, key = header.strip().partition(" ")
    key = key.strip()
    if given.lower() != scheme.lower():
        raise Unauthenticated(f"wrong authorization scheme: use '{scheme} <key>'")
    if not key or len(key) > _MAX_KEY_LENGTH:
        raise Unauthenticated(f"malformed Authorization header: use '{scheme} <key>'")
    return key
