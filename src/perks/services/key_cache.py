"""A short-lived, per-process cache of authenticated keys.

Looking a key up costs a database round trip on every request (~0.4 ms on SQLite);
caching it for a few seconds removes that from the hot path. Revoking a key or deleting
an application clears this process's cache at once; other processes notice within the
time to live (``PERKS_KEY_CACHE_SECONDS``). Expiry is checked on every hit.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Generic, TypeVar

__all__ = ["KeyCache"]

K = TypeVar("K")
_MAX_ENTRIES = 10_000


class KeyCache(Generic[K]):
    def __init__(self, ttl: timedelta) -> None:
        self._ttl = ttl
        self._entries: dict[str, tuple[datetime, K]] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, now: datetime) -> K | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        stored_at, key = entry
        if not (stored_at <= now < stored_at + self._ttl):
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return key

    def put(self, digest: str, key: K, now: datetime) -> None:
        if self._ttl <= timedelta(0):
            return
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (now, key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
