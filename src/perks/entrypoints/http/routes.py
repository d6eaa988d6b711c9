"""The declarative route table: one ``Operation`` per served operationId.

From the table come the Starlette routes, the OpenAPI document and the compatibility
check against ``docs/compatibility.md``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from perks.services.principals import IntegrationPrincipal, ManagementPrincipal

if TYPE_CHECKING:
    from perks.bootstrap import Services

__all__ = [
    "Auth",
    "Call",
    "NoQuery",
    "Operation",
    "RawBody",
    "Reply",
    "Upload",
    "path_parameters",
]

B = TypeVar("B")
Q = TypeVar("Q")


class Auth(StrEnum):
    NONE = "none"
    MANAGEMENT = "management"
    INTEGRATION = "integration"


class NoQuery(msgspec.Struct):
    """The query of an operation that takes no query parameters."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A Struct answered as JSON, or ``text`` answered as ``media_type``: one string, or an
    iterable of chunks that is streamed (so a big export is never one string in memory)."""

    status: int
    body: msgspec.Struct | None = None
    text: str | Iterable[str] | None = None
    media_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class RawBody:
    """A response that is not JSON, as ``Operation.responses`` declares it."""

    media_type: str
    format: str | None = None


@dataclass(frozen=True, slots=True)
class Upload:
    """A ``multipart/form-data`` request body of one file part, ``field``; the handler
    receives the file's text (UTF-8) as its body."""

    field: str
    media_type: str = "text/csv"


@dataclass(frozen=True, slots=True)
class Call(Generic[B, Q]):
    """What a handler receives: typed path ids, query and body, and the caller."""

    services: Services
    path: Mapping[str, int]
    query: Q
    body: B
    principal: ManagementPrincipal | IntegrationPrincipal | None = None
    text: Mapping[str, str] = field(default_factory=dict)  # the operation's text path values
    headers: Mapping[str, str] = field(default_factory=dict)  # case-insensitive names

    @property
    def management(self) -> ManagementPrincipal:
        assert isinstance(self.principal, ManagementPrincipal), "route needs a management key"
        return self.principal

    @property
    def integration(self) -> IntegrationPrincipal:
        assert isinstance(self.principal, IntegrationPrincipal), "route needs an integration key"
        return self.principal


@dataclass(frozen=True, slots=True)
class Operation(Generic[B, Q]):
    """One HTTP operation: what it is on the wire, who may call it, which handler runs it."""

    method: str
    path: str
    operation_id: str
    summary: str
    handler: Callable[[Call[B, Q]], Reply]
    auth: Auth
    tag: str
    body: type[B] | None = None
    query: type[Q] | None = None
    responses: Mapping[int, type[Any] | RawBody | None] = field(default_factory=dict)
    # A multipart file upload instead of a JSON body (``body`` stays None).
    upload: Upload | None = None
    description: str = ""
    # False for handlers that do no I/O: they run on the event loop, sparing a thread hop.
    blocking: bool = True
    # Path parameters that are text (integration ids such as ``customerSessionId``); every
    # other one is an integer id.
    text_path: frozenset[str] = frozenset()


_PARAMETER = re.compile(r"\{([A-Za-z]+)\}")


def path_parameters(path: str) -> list[str]:
    """Path parameters, in order (integer ids unless the operation says text)."""
    return _PARAMETER.findall(path)
