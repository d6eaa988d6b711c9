"""Reading a request's body within the size limit, for every face: the middleware refuses a
declared ``Content-Length`` over it, this refuses a streamed body that grows past it."""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["JSON", "BodyTooLargeError", "is_json", "media_type", "read_body"]

JSON = "application/json"


class BodyTooLargeError(Exception):
    """The body grew past the limit (a 413, in the face's own error shape)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body exceeds {limit} bytes")
        self.limit = limit


def media_type(request: Request) -> str:
    """The ``Content-Type`` without its parameters, lowercase."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def is_json(given: str) -> bool:
    """``application/json`` or a ``+json`` type."""
    return given == JSON or given.endswith("+json")


async def read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(limit)
        chunks.append(chunk)
    return b"".join(chunks)
