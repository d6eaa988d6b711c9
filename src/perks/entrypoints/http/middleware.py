"""Request id, body-size guard, last-resort 500, access log and metrics: one pure ASGI layer."""

from __future__ import annotations

import itertools
import re
import secrets
import time
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from perks.domain.errors import Problem
from perks.entrypoints.http.errors import Face, renderer_for
from perks.entrypoints.http.observability import HttpMetrics, request_logger

__all__ = ["REQUEST_ID_HEADER", "RequestContextMiddleware"]

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        metrics: HttpMetrics,
        faces: Sequence[Face] = (),
    ) -> None:
        self._app = app
        self._faces = faces
        self._max_body_bytes = max_body_bytes
        self._metrics = metrics
        self._log = request_logger()
        # A random per-process prefix and a counter: unique across processes, and ~50x
        # cheaper than uuid4(), which reads the OS entropy pool on every request.
        self._id_prefix = secrets.token_hex(8)
        self._counter = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _given_request_id(scope) or f"{self._id_prefix}{next(self._counter):016x}"
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if _declared_length(scope) > self._max_body_bytes:
                details = f"the request body exceeds {self._max_body_bytes} bytes"
                render = renderer_for(scope["path"], self._faces)
                response = render(413, [Problem("request too large", details, "")])
                await response(scope, receive, send_with_id)
            else:
                await self._app(scope, receive, send_with_id)
        except Exception:
            self._log.exception("unhandled error", request_id=request_id, path=scope["path"])
            if response_started:
                raise
            problem = Problem("internal error", f"the request {request_id} failed", "")
            render = renderer_for(scope["path"], self._faces)
            await render(500, [problem])(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            operation = state.get("operation_id", "unrouted")
            self._metrics.observe(operation, status, elapsed)
            self._log.info(
                "request",
                request_id=request_id,
                method=scope["method"],
                path=scope["path"],
                operation=operation,
                status=status,
                duration_ms=round(elapsed * 1000, 3),
            )


def _given_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER.encode():
            given: str = value.decode("latin-1")
            return given if _VALID_REQUEST_ID.match(given) else None
    return None


def _declared_length(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0
