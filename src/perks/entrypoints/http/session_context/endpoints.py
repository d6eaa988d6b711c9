"""Emporix's session-context service and the OAuth2 endpoints in front of it: paths, bodies,
statuses and error bodies (``{"code", "message"}``, with ``sessionId`` on a 404) as Emporix's
documents give them (``docs/session-context.md``)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from perks.bootstrap import Services
from perks.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PerksError,
    Problem,
    Unauthenticated,
    Unavailable,
    Unprocessable,
)
from perks.domain.oauth import INVALID_SCOPE, UNSUPPORTED_GRANT, AccessToken
from perks.domain.session_contexts import (
    ContextFields,
    ContextPatch,
    SessionContext,
    VersionConflict,
)
from perks.entrypoints.http.bodies import BodyTooLargeError, is_json, media_type, read_body
from perks.entrypoints.http.errors import Face
from perks.entrypoints.http.session_context.wire import (
    AccessTokenResponse,
    ContextAttribute,
    CustomerTokenRequest,
    CustomerTokenResponse,
    ErrorDetail,
    ErrorMessage,
    Metadata,
    OAuthError,
    SessionContextPatch,
    SessionContextUpdate,
    SessionContextView,
    StorefrontTokenResponse,
)
from perks.entrypoints.http.wire import decode_body, encode
from perks.services.oauth import IssuedToken
from perks.services.session_contexts import ContextNotFound, Replacement

__all__ = ["face", "routes"]

_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
_BEARER = "bearer"
_TOKEN_TYPE = "Bearer"  # noqa: S105 (OAuth2's token type, not a secret)
_UNAUTHORIZED = 401
_MAX_TOKEN_LENGTH = 256


@dataclass(frozen=True, slots=True)
class _Input:
    """What a handler reads of its request (the body already read and size-checked)."""

    path: Mapping[str, str]
    query: Mapping[str, str]
    headers: Headers
    body: bytes
    media_type: str


Handler = Callable[[Services, _Input], Response]


@dataclass(frozen=True, slots=True)
class _Operation:
    operation_id: str
    handler: Handler
    oauth_errors: bool = False  # POST /oauth/token answers RFC 6749's error names too


def face(services: Services, *, max_body_bytes: int) -> Face:
    """The face's routes, and Emporix's error body for what the shared layers answer on its
    paths (a body too large, a method not allowed, an internal error)."""
    return Face(
        routes(services, max_body_bytes=max_body_bytes),
        prefixes=("/session-context/", "/oauth/", "/customerlogin/"),
        render=_problems_response,
    )


def routes(services: Services, *, max_body_bytes: int) -> list[Route]:
    """The face's routes, one per path, each method its operation."""
    table: dict[str, dict[str, _Operation]] = {
        "/oauth/token": {
            "POST": _Operation("POST-oauth-request-client-credentials", _token, True),
        },
        "/customerlogin/auth/anonymous/login": {
            "GET": _Operation("GET-customerlogin-anonymous-login", _anonymous_login),
        },
        "/session-context/{tenant}/customer-tokens": {
            "POST": _Operation("POST-session-context-issue-customer-token", _customer_token),
        },
        "/session-context/{tenant}/context/{sessionId}": {
            "GET": _Operation("GET-session-context-retrieve-session-context", _get),
            "PUT": _Operation("PUT-session-context-update-session-context", _put),
        },
        "/session-context/{tenant}/context/{sessionId}/attributes": {
            "POST": _Operation("POST-session-context-add-attribute-sessionId", _add_attribute),
        },
        "/session-context/{tenant}/context/{sessionId}/attributes/{attributeName}": {
            "DELETE": _Operation("DELETE-session-context-remove-attribute", _remove_attribute),
        },
        "/session-context/{tenant}/me/context": {
            "GET": _Operation(
                "GET-session-context-retrieve-session-context-by-sessionId", _get_own
            ),
            "PATCH": _Operation(
                "PATCH-session-context-update-attribute-sessionId-storefront", _patch_own
            ),
        },
        "/session-context/{tenant}/me/context/attributes": {
            "POST": _Operation(
                "POST-session-context-add-attribute-own-sessionId", _add_own_attribute
            ),
        },
        "/session-context/{tenant}/me/context/attributes/{attributeName}": {
            "DELETE": _Operation(
                "DELETE-session-context-remove-attribute-sessionId", _remove_own_attribute
            ),
        },
    }
    return [
        Route(path, partial(_dispatch, ops, services, max_body_bytes), methods=list(ops))
        for path, ops in table.items()
    ]


async def _dispatch(
    ops: dict[str, _Operation], services: Services, limit: int, request: Request
) -> Response:
    op = ops.get(request.method) or ops["GET"]  # Starlette routes HEAD where GET is served
    request.state.operation_id = op.operation_id
    try:
        given = _Input(
            path=dict(request.path_params),
            query=dict(request.query_params),
            headers=request.headers,
            body=await read_body(request, limit),
            media_type=media_type(request),
        )
        return await run_in_threadpool(op.handler, services, given)
    except PerksError as error:
        return _oauth_error(error) if op.oauth_errors else _error(error)
    except BodyTooLargeError as error:
        return _problems_response(413, [Problem("request too large", str(error), "")])


# OAuth2.


def _token(services: Services, given: _Input) -> Response:
    """``POST /oauth/token``: form-encoded; the client's id and secret in the form or as HTTP
    Basic."""
    if given.media_type != _FORM:
        raise InvalidInput.at("Content-Type", f"send the form as {_FORM}", kind="parameter")
    form = _form(given.body)
    client_id, secret = form.get("client_id"), form.get("client_secret")
    basic = _basic(given.headers.get("authorization"))
    if basic is not None:
        client_id, secret = basic
    issued = services.oauth.client_credentials(
        form.get("grant_type"), client_id, secret, form.get("scope")
    )
    token = issued.token
    return _json(
        200,
        AccessTokenResponse(
            access_token=issued.value,
            token_type=_TOKEN_TYPE,
            expires_in=_seconds(issued),
            scope=" ".join([f"tenant={token.tenant}", *sorted(token.scopes)]),
            session_idle_time=int(services.session_contexts.idle.total_seconds()),
        ),
    )


def _anonymous_login(services: Services, given: _Input) -> Response:
    """The storefront's anonymous login (``?tenant=&client_id=``): a token bound to a new
    session id."""
    tenant = given.query.get("tenant")
    if not tenant:
        raise InvalidInput.at("tenant", "tenant is required", kind="parameter")
    issued = services.oauth.anonymous_login(tenant, given.query.get("client_id"))
    return _json(
        200,
        StorefrontTokenResponse(
            access_token=issued.value,
            token_type=_TOKEN_TYPE,
            expires_in=_seconds(issued),
            sessionId=issued.token.session_id or "",
            scope=f"tenant={issued.token.tenant}",
        ),
    )


def _customer_token(services: Services, given: _Input) -> Response:
    """A logged-in customer's token, for a trusted back end (its service token needs
    ``sessioncontext.customer_token_issue``)."""
    issuer = _bearer(services, given)
    asked = _json_body(given, CustomerTokenRequest)
    issued = services.oauth.customer_token(
        issuer, given.path["tenant"], asked.customer_id, asked.session_id
    )
    return _json(
        201,
        CustomerTokenResponse(
            access_token=issued.value,
            token_type=_TOKEN_TYPE,
            expires_in=_seconds(issued),
            sessionId=issued.token.session_id or "",
            customerId=issued.token.customer_id or "",
            scope=f"tenant={issued.token.tenant}",
        ),
    )


# Management: a service token with sessioncontext.context_manage.


def _get(services: Services, given: _Input) -> Response:
    context = services.session_contexts.get(
        _bearer(services, given), given.path["tenant"], given.path["sessionId"]
    )
    return _json(200, _view(context))


def _put(services: Services, given: _Input) -> Response:
    token = _bearer(services, given, own=False)
    body = _json_body(given, SessionContextUpdate)
    session_id = given.path["sessionId"]
    if body.session_id is not None and body.session_id != session_id:
        raise InvalidInput.at("/sessionId", "the body's sessionId differs from the path's")
    saas = given.headers.get("saas-token")
    customer = services.oauth.authenticate(_token_of(saas)) if saas else None
    fields = ContextFields(
        customer_id=body.customer_id,
        site_code=body.site_code,
        currency=body.currency,
        cart_id=body.cart_id,
        target_location=body.target_location,
        language=body.language,
        context=body.context or {},
    )
    upsert = _upsert(given.query.get("upsert"))
    services.session_contexts.replace(
        token,
        given.path["tenant"],
        session_id,
        Replacement(fields, body.metadata.version, upsert=upsert),
        customer=customer,
    )
    return Response(status_code=204)


def _add_attribute(services: Services, given: _Input) -> Response:
    token = _bearer(services, given, own=False)
    attribute = _json_body(given, ContextAttribute)
    services.session_contexts.add_attribute(
        token, given.path["tenant"], given.path["sessionId"], attribute.key, attribute.value
    )
    return Response(status_code=204)


def _remove_attribute(services: Services, given: _Input) -> Response:
    services.session_contexts.remove_attribute(
        _bearer(services, given),
        given.path["tenant"],
        given.path["sessionId"],
        given.path["attributeName"],
    )
    return Response(status_code=204)


# The storefront's own context: an anonymous or customer token.


def _get_own(services: Services, given: _Input) -> Response:
    context = services.session_contexts.get_own(_bearer(services, given), given.path["tenant"])
    return _json(200, _view(context))


def _patch_own(services: Services, given: _Input) -> Response:
    token = _bearer(services, given, own=True)
    body = _json_body(given, SessionContextPatch)
    patch = ContextPatch(
        site_code=body.site_code,
        currency=body.currency,
        target_location=body.target_location,
        language=body.language,
        context=body.context,
    )
    services.session_contexts.patch_own(token, given.path["tenant"], patch, body.metadata.version)
    return Response(status_code=204)


def _add_own_attribute(services: Services, given: _Input) -> Response:
    token = _bearer(services, given, own=True)
    attribute = _json_body(given, ContextAttribute)
    services.session_contexts.add_own_attribute(
        token, given.path["tenant"], attribute.key, attribute.value
    )
    return Response(encode(attribute.key), 201, media_type=_JSON)  # the attribute's name


def _remove_own_attribute(services: Services, given: _Input) -> Response:
    services.session_contexts.remove_own_attribute(
        _bearer(services, given), given.path["tenant"], given.path["attributeName"]
    )
    return Response(status_code=204)


# The wire.


def _view(context: SessionContext) -> SessionContextView:
    fields = context.fields
    return SessionContextView(
        session_id=context.session_id,
        customer_id=fields.customer_id,
        site_code=fields.site_code,
        currency=fields.currency,
        cart_id=fields.cart_id,
        target_location=fields.target_location,
        language=fields.language,
        context=dict(fields.context),
        metadata=Metadata(context.version, context.created_at, context.modified_at),
    )


def _json_body(given: _Input, into: type[Any]) -> Any:
    if not is_json(given.media_type):
        raise InvalidInput.at("Content-Type", f"send the body as {_JSON}", kind="parameter")
    if not given.body.strip():
        raise InvalidInput.at("", "a JSON request body is required", title="missing body")
    return decode_body(given.body, into)


def _upsert(value: str | None) -> bool:
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise InvalidInput.at("upsert", "upsert is true or false", kind="parameter")


def _bearer(services: Services, given: _Input, *, own: bool | None = None) -> AccessToken:
    """The caller's token (``Authorization: Bearer <token>``, RFC 6750); with ``own`` given,
    also authorized for the tenant's management (False) or storefront (True) endpoints before
    the body is read."""
    header = given.headers.get("authorization")
    if header is not None and header.strip().partition(" ")[0].lower() != _BEARER:
        raise Unauthenticated("use 'Authorization: Bearer <token>'")
    token = services.oauth.authenticate(_token_of(header))
    if own is not None:
        services.session_contexts.authorize(token, given.path["tenant"], own=own)
    return token


def _token_of(header: str | None) -> str | None:
    """The token of ``Bearer <token>`` (``saas-token`` may also carry the bare token)."""
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    token = value.strip() if scheme.lower() == _BEARER else header.strip()
    if not token or len(token) > _MAX_TOKEN_LENGTH or " " in token:
        raise Unauthenticated("malformed token: use 'Authorization: Bearer <token>'")
    return token


def _basic(header: str | None) -> tuple[str, str] | None:
    """HTTP Basic client credentials (RFC 6749 §2.3.1), when the header carries them."""
    if header is None or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("malformed HTTP Basic credentials") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise Unauthenticated("malformed HTTP Basic credentials")
    return unquote_plus(client_id), unquote_plus(secret)


def _form(body: bytes) -> dict[str, str]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise InvalidInput.at("", "the form is not UTF-8") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise InvalidInput.at(
                name, f"{name} is given twice", title="repeated parameter", kind="parameter"
            )
        form[name] = value
    return form


def _seconds(issued: IssuedToken) -> int:
    return int(issued.lifetime.total_seconds())


def _json(status: int, body: Any) -> Response:
    return Response(encode(body), status, media_type=_JSON)


# Errors.

_STATUS: tuple[tuple[type[PerksError], int], ...] = (
    (InvalidInput, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Unprocessable, 422),
    (Unavailable, 503),
)
_OAUTH_ERRORS = {400: "invalid_request", 401: "invalid_client", 403: "unauthorized_client"}


def _status(error: PerksError) -> int:
    return next((status for kind, status in _STATUS if isinstance(error, kind)), 500)


def _error(error: PerksError) -> Response:
    status = _status(error)
    message = error.details
    body = ErrorMessage(code=status, message=message)
    if isinstance(error, ContextNotFound):
        body = ErrorMessage(code=status, message="Session not found", session_id=error.session_id)
    elif isinstance(error, VersionConflict):
        body = ErrorMessage(code=status, message=message, metadata={"version": error.current})
    elif isinstance(error, InvalidInput):
        details = [ErrorDetail(p.location, p.details) for p in error.problems]
        body = ErrorMessage(code=status, message=message, details=details)
    headers = {"WWW-Authenticate": "Bearer"} if status == _UNAUTHORIZED else None
    return Response(encode(body), status, media_type=_JSON, headers=headers)


def _problems_response(
    status: int, problems: list[Problem], *, headers: dict[str, str] | None = None
) -> Response:
    """Emporix's ``ErrorMessage`` for an error the shared layers answer."""
    message = "; ".join(problem.details for problem in problems)
    return Response(
        encode(ErrorMessage(code=status, message=message)),
        status,
        media_type=_JSON,
        headers=headers,
    )


def _oauth_error(error: PerksError) -> Response:
    status = _status(error)
    name = _OAUTH_ERRORS.get(status, "server_error")
    titles = {p.title for p in error.problems} if isinstance(error, InvalidInput) else set()
    if UNSUPPORTED_GRANT in titles:
        name = "unsupported_grant_type"
    elif INVALID_SCOPE in titles:
        name = "invalid_scope"
    body = OAuthError(status, error.details, name, error.details)
    headers = {"WWW-Authenticate": "Basic"} if status == _UNAUTHORIZED else None
    return Response(encode(body), status, media_type=_JSON, headers=headers)
