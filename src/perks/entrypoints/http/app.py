"""The ASGI application: the route table served by Starlette, errors as Talon's envelope."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from http import HTTPStatus
from importlib.resources import files
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Scope

from perks import __version__
from perks.bootstrap import Services
from perks.domain.errors import InvalidInput, PerksError, Problem
from perks.entrypoints.http.auth import INTEGRATION_SCHEME, MANAGEMENT_SCHEME, credentials
from perks.entrypoints.http.bodies import BodyTooLargeError, is_json, media_type, read_body
from perks.entrypoints.http.errors import Face, error_response, renderer_for, response_for
from perks.entrypoints.http.middleware import RequestContextMiddleware
from perks.entrypoints.http.observability import HttpMetrics
from perks.entrypoints.http.openapi import openapi_document
from perks.entrypoints.http.routes import Auth, Call, Operation, Reply, Upload, path_parameters
from perks.entrypoints.http.wire import decode_body, decode_query, encode
from perks.services.principals import IntegrationPrincipal, ManagementPrincipal

__all__ = ["create_app"]

_JSON = "application/json"
_MULTIPART = "multipart/form-data"
_MAX_FORM_FIELDS = 16
_MAX_ID_DIGITS = 18  # stays within a signed 64-bit id
_MAX_TEXT_PARAMETER = 1000  # integration ids (CustomerSessionV2.integrationId maxLength)


class _UnsupportedMediaTypeError(Exception):
    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def create_app(
    services: Services,
    operations: Sequence[Operation[Any, Any]],
    *,
    max_body_bytes: int,
    title: str = "perks",
    unlisted: Sequence[Operation[Any, Any]] = (),
    faces: Sequence[Face] = (),
) -> Starlette:
    """Serve ``operations``; ``/openapi.json``, ``/docs`` and ``/metrics`` come along.
    ``unlisted`` operations are served the same way but left out of the OpenAPI document.
    ``faces`` are routes of faces with their own wire (Emporix's session context)."""
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry)
    document = encode(openapi_document(operations, title=title, version=__version__))
    by_path: dict[str, dict[str, Operation[Any, Any]]] = {}
    for op in (*operations, *unlisted):
        by_path.setdefault(op.path, {})[op.method] = op
    routes: list[BaseRoute] = [
        Route(path, partial(_dispatch, ops, services, max_body_bytes), methods=list(ops))
        for path, ops in by_path.items()
    ]
    routes += [
        Route("/openapi.json", partial(_raw, document, _JSON), methods=["GET"]),
        Route("/docs", _docs_page, methods=["GET"]),
        Route("/metrics", partial(_metrics, registry), methods=["GET"]),
        *(route for face in faces for route in face.routes),
    ]
    app = Starlette(
        routes=routes, exception_handlers={HTTPException: partial(_http_exception, faces)}
    )
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=max_body_bytes, metrics=metrics, faces=faces
    )
    return app


async def _dispatch(
    ops: dict[str, Operation[Any, Any]], services: Services, max_body_bytes: int, request: Request
) -> Response:
    """One route per path, so that a 405 lists every allowed method."""
    op = ops.get(request.method) or ops["GET"]  # Starlette routes HEAD only where GET is served
    return await _endpoint(op, services, max_body_bytes, request)


async def _endpoint(
    op: Operation[Any, Any], services: Services, max_body_bytes: int, request: Request
) -> Response:
    request.state.operation_id = op.operation_id
    try:
        payload = await _read_payload(request, op, max_body_bytes)
        if op.blocking:
            reply = await run_in_threadpool(_handle, op, services, request, payload)
        else:
            reply = _handle(op, services, request, payload)
    except PerksError as error:
        return response_for(error)
    except BodyTooLargeError as error:
        return error_response(413, [Problem("request too large", str(error), "")])
    except _UnsupportedMediaTypeError as error:
        details = f"send the request body as {error.expected}"
        return error_response(
            415, [Problem("unsupported media type", details, "Content-Type", kind="parameter")]
        )
    return _response(reply)


def _response(reply: Reply) -> Response:
    if isinstance(reply.text, str):
        return Response(reply.text, reply.status, media_type=reply.media_type)
    if reply.text is not None:
        # A sync iterable: Starlette pulls each chunk in a worker thread.
        return StreamingResponse(reply.text, reply.status, media_type=reply.media_type)
    if reply.body is None:
        return Response(status_code=reply.status)
    return Response(encode(reply.body), reply.status, media_type=_JSON)


def _handle(
    op: Operation[Any, Any], services: Services, request: Request, payload: bytes | str | None
) -> Reply:
    """Runs in a worker thread: authenticate, decode, one service call."""
    principal = _authenticate(op, services, request.headers.get("authorization"))
    call = Call(
        services=services,
        path=_path_ids(op, request.path_params),
        query=decode_query(dict(request.query_params), op.query) if op.query else None,
        body=_decode(op, payload),
        principal=principal,
        text=_path_texts(op, request.path_params),
        headers=request.headers,
    )
    return op.handler(call)


def _decode(op: Operation[Any, Any], payload: bytes | str | None) -> Any:
    """A JSON body becomes ``op.body``; an upload's text is passed as it is."""
    if isinstance(payload, bytes) and op.body is not None:
        return decode_body(payload, op.body)
    return payload


def _authenticate(
    op: Operation[Any, Any], services: Services, header: str | None
) -> ManagementPrincipal | IntegrationPrincipal | None:
    if op.auth is Auth.MANAGEMENT:
        return services.api_keys.authenticate_management(credentials(header, MANAGEMENT_SCHEME))
    if op.auth is Auth.INTEGRATION:
        return services.api_keys.authenticate_integration(credentials(header, INTEGRATION_SCHEME))
    return None


def _path_texts(op: Operation[Any, Any], values: dict[str, str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for name in op.text_path:
        raw = values[name]
        if not 0 < len(raw) <= _MAX_TEXT_PARAMETER:
            raise InvalidInput.at(
                name, f"{name} has 1 to {_MAX_TEXT_PARAMETER} characters", kind="parameter"
            )
        texts[name] = raw
    return texts


def _path_ids(op: Operation[Any, Any], values: dict[str, str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name in path_parameters(op.path):
        if name in op.text_path:
            continue
        raw = values[name]
        if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_ID_DIGITS:
            raise InvalidInput.at(name, f"{name} must be a positive integer", kind="parameter")
        ids[name] = int(raw)
    return ids


async def _read_payload(
    request: Request, op: Operation[Any, Any], limit: int
) -> bytes | str | None:
    if op.upload is not None:
        return await _read_upload(request, op.upload, limit)
    if op.body is None:
        return None
    if not is_json(media_type(request)):
        raise _UnsupportedMediaTypeError(_JSON)
    body = await read_body(request, limit)
    if not body.strip():
        raise InvalidInput.at("", "a JSON request body is required", title="missing body")
    return body


async def _read_upload(request: Request, upload: Upload, limit: int) -> str:
    """The text of the file part ``upload.field``; the whole body counts against ``limit``."""
    if media_type(request) != _MULTIPART:
        raise _UnsupportedMediaTypeError(_MULTIPART)
    form = await _parse_form(request.scope, await read_body(request, limit))
    pointer = f"/{upload.field}"
    try:
        part = form.get(upload.field)
        if part is None:
            raise InvalidInput.at(
                pointer, f"the file part {upload.field!r} is required", title="missing file"
            )
        if not isinstance(part, UploadFile):
            raise InvalidInput.at(pointer, f"{upload.field!r} must be sent as a file")
        content = await part.read()
    finally:
        await form.close()
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput.at(pointer, f"the file is not UTF-8 text: {error}") from None


async def _parse_form(scope: Scope, body: bytes) -> FormData:
    """Parse a body already read (and size-checked) as multipart/form-data."""

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(scope, replay).form(max_files=1, max_fields=_MAX_FORM_FIELDS)
    except (HTTPException, MultiPartException) as error:
        details = error.detail if isinstance(error, HTTPException) else error.message
        raise InvalidInput.at(
            "", f"malformed multipart body: {details}", title="malformed body"
        ) from None


async def _http_exception(faces: Sequence[Face], request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        problem = Problem("method not allowed", f"{request.method} is not allowed here", "")
    else:
        problem = Problem("not found", f"no operation at {request.url.path}", "")
    render = renderer_for(request.url.path, faces)
    return render(exc.status_code, [problem], headers=dict(exc.headers or {}))


async def _raw(content: bytes, media_type: str, _: Request) -> Response:
    return Response(content, media_type=media_type)


_DOCS_PAGE = files("perks.entrypoints.http").joinpath("docs_page.html")


async def _docs_page(_: Request) -> Response:
    return HTMLResponse(_DOCS_PAGE.read_text(encoding="utf-8"))


async def _metrics(registry: CollectorRegistry, _: Request) -> Response:
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
