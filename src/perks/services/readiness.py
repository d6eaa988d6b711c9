"""Readiness: can this process serve requests (is its database reachable)?"""

from __future__ import annotations

from typing import Protocol

from perks.domain.errors import Unavailable

__all__ = ["DatabaseProbe", "Readiness"]


class DatabaseProbe(Protocol):
    def ping(self) -> None:
        """Raise when the database does not answer."""


class Readiness:
    def __init__(self, probe: DatabaseProbe) -> None:
        self._probe = probe

    def check(self) -> None:
        try:
            self._probe.ping()
        except Exception as error:  # any driver failure means "not ready"
            raise Unavailable(f"the database does not answer: {type(error).__name__}") from None
