"""Errors the domain and services raise; the HTTP edge maps each to a status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "PerksError",
    "Problem",
    "SourceKind",
    "Unauthenticated",
    "Unavailable",
    "Unprocessable",
    "pointer_segment",
]

SourceKind = Literal["pointer", "parameter", "line"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with the input, located by a JSON pointer or a parameter name."""

    title: str
    details: str
    location: str
    kind: SourceKind = "pointer"


class PerksError(Exception):
    """Base of every error a client may see."""

    message = "error"

    def __init__(self, details: str = "") -> None:
        super().__init__(details or self.message)
        self.details = details or self.message


class InvalidInput(PerksError):
    """The request is malformed or breaks a rule; nothing was stored."""

    message = "Invalid input"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.location}: {p.details}" for p in problems))
        self.problems = problems

    @classmethod
    def at(
        cls,
        location: str,
        details: str,
        *,
        title: str = "invalid value",
        kind: SourceKind = "pointer",
    ) -> InvalidInput:
        return cls([Problem(title=title, details=details, location=location, kind=kind)])


class NotFound(PerksError):
    """The resource does not exist, or the caller may not know that it does."""

    message = "Not found"

    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(f"{resource} {identifier} not found")
        self.resource = resource
        self.identifier = identifier


class Conflict(PerksError):
    """The request collides with the stored state (a duplicate name, a concurrent update)."""

    message = "Conflict"

    def __init__(self, details: str, *, pointer: str | None = None) -> None:
        super().__init__(details)
        self.pointer = pointer


class Unprocessable(PerksError):
    """Well formed, but it contradicts an earlier request (an idempotency key sent again with
    another body)."""

    message = "Unprocessable entity"

    def __init__(self, details: str, *, parameter: str) -> None:
        super().__init__(details)
        self.parameter = parameter


class Unauthenticated(PerksError):
    """No credentials, or credentials that are wrong, expired or revoked."""

    message = "Unauthorized"


class Forbidden(PerksError):
    """Valid credentials that may not do this."""

    message = "Forbidden"


class Unavailable(PerksError):
    """A dependency (the database) does not answer."""

    message = "Service unavailable"


def pointer_segment(name: str) -> str:
    """``name`` as one segment of a JSON pointer (RFC 6901: ``~`` is ``~0``, ``/`` is ``~1``)."""
    return name.replace("~", "~0").replace("/", "~1")
