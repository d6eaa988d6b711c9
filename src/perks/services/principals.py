"""Who is calling: the key behind a request, and what it may reach."""

from __future__ import annotations

from dataclasses import dataclass

from perks.domain.errors import Forbidden, NotFound

__all__ = ["OPERATOR", "IntegrationPrincipal", "ManagementPrincipal"]


@dataclass(frozen=True, slots=True)
class ManagementPrincipal:
    """A management key; ``key_id`` is None for the local operator (the CLI)."""

    key_id: int | None
    allowed_application_ids: frozenset[int] | None = None

    def may_access(self, application_id: int) -> bool:
        allowed = self.allowed_application_ids
        return allowed is None or application_id in allowed

    def require_application(self, application_id: int) -> None:
        """A key that may not see an application is told it does not exist."""
        if not self.may_access(application_id):
            raise NotFound("application", application_id)

    def require_unrestricted(self, action: str) -> None:
        if self.allowed_application_ids is not None:
            raise Forbidden(f"a key restricted to some applications cannot {action}")


@dataclass(frozen=True, slots=True)
class IntegrationPrincipal:
    """An integration key: it sees its own application only."""

    key_id: int
    application_id: int


OPERATOR = ManagementPrincipal(key_id=None)
