"""Talon.One's error envelope (``ErrorResponseWithStatus``) for every failure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import msgspec
from starlette.responses import Response
from starlette.routing import BaseRoute

from perks.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PerksError,
    Problem,
    SourceKind,
    Unauthenticated,
    Unavailable,
    Unprocessable,
)
from perks.entrypoints.http.wire import encode

__all__ = [
    "APIError",
    "ErrorRenderer",
    "ErrorResponseWithStatus",
    "ErrorSource",
    "Face",
    "error_response",
    "renderer_for",
    "response_for",
]

_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request entity too large",
    415: "Unsupported media type",
    422: "Unprocessable entity",
    500: "Internal server error",
    503: "Service unavailable",
}


class ErrorSource(msgspec.Struct, omit_defaults=True):
    """Exactly one of ``pointer``, ``parameter`` or ``line`` is set."""

    pointer: str | None = None
    parameter: str | None = None
    line: str | None = None
    resource: str | None = None


class APIError(msgspec.Struct):
    title: str
    details: str
    source: ErrorSource


class ErrorResponseWithStatus(msgspec.Struct):
    message: str
    errors: list[APIError]
    StatusCode: int


def error_response(
    status: int,
    problems: list[Problem],
    *,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = ErrorResponseWithStatus(
        message=message or _MESSAGES.get(status, "Error"),
        errors=[_api_error(problem) for problem in problems],
        StatusCode=status,
    )
    return Response(encode(body), status, headers=headers, media_type="application/json")


ErrorRenderer = Callable[..., Response]  # (status, problems, *, headers=None) -> Response


@dataclass(frozen=True, slots=True)
class Face:
    """Routes with a wire of their own (Emporix's session context): the paths under its
    ``prefixes`` answer the shared layers' errors (413, 404, 405, 500) as ``render`` shapes
    them."""

    routes: Sequence[BaseRoute]
    prefixes: tuple[str, ...]
    render: ErrorRenderer


def renderer_for(path: str, faces: Sequence[Face]) -> ErrorRenderer:
    """How errors on ``path`` are answered: its face's shape, else Talon.One's envelope."""
    face = next((f for f in faces if path.startswith(f.prefixes)), None)
    return error_response if face is None else face.render


def response_for(error: PerksError) -> Response:
    """The status and envelope of a domain or service error."""
    if isinstance(error, InvalidInput):
        return error_response(400, error.problems)
    status, title, location, kind = _SIMPLE.get(type(error), _INTERNAL)
    if isinstance(error, Conflict) and error.pointer:
        location = error.pointer
    if isinstance(error, Unprocessable):
        location = error.parameter
    details = (
        "the request failed" if (status, title, location, kind) == _INTERNAL else error.details
    )
    return error_response(status, [Problem(title, details, location, kind=kind)])


_SIMPLE: dict[type[PerksError], tuple[int, str, str, SourceKind]] = {
    NotFound: (404, "not found", "", "parameter"),
    Conflict: (409, "conflict", "", "pointer"),
    Unauthenticated: (401, "unauthorized", "Authorization", "parameter"),
    Forbidden: (403, "forbidden", "", "pointer"),
    Unavailable: (503, "unavailable", "", "pointer"),
    Unprocessable: (422, "unprocessable entity", "", "parameter"),
}
_INTERNAL: tuple[int, str, str, SourceKind] = (500, "internal error", "", "pointer")


def _api_error(problem: Problem) -> APIError:
    source = (
        ErrorSource(parameter=problem.location)
        if problem.kind == "parameter"
        else ErrorSource(line=problem.location)
        if problem.kind == "line"
        else ErrorSource(pointer=problem.location)
    )
    return APIError(title=problem.title, details=problem.details, source=source)
