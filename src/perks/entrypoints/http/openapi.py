"""The OpenAPI 3.1 document, generated from the route table and the wire Structs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from perks.entrypoints.http.errors import ErrorResponseWithStatus
from perks.entrypoints.http.routes import Auth, Operation, RawBody, Upload, path_parameters

__all__ = ["openapi_document"]

_REF = "#/components/schemas/{name}"
_SECURITY = {
    Auth.MANAGEMENT: "management_key",
    Auth.INTEGRATION: "api_key_v1",
}
_ERROR_STATUSES = {
    Auth.NONE: (),
    Auth.MANAGEMENT: (401,),
    Auth.INTEGRATION: (401,),
}


def openapi_document(
    operations: Sequence[Operation[Any, Any]], *, title: str, version: str
) -> dict[str, Any]:
    types = _schema_types(operations)
    schemas, components = msgspec.json.schema_components(types, ref_template=_REF)
    schema_of = dict(zip(types, schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, schema_of)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "perks speaks Talon.One's Integration and Management APIs.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "management_key": _key_scheme("ManagementKey-v1"),
                "api_key_v1": _key_scheme("ApiKey-v1"),
            },
        },
    }


def _schema_types(operations: Sequence[Operation[Any, Any]]) -> list[Any]:
    types: list[Any] = [ErrorResponseWithStatus]
    for op in operations:
        candidates = [op.body, *op.responses.values()]
        for candidate in candidates:
            if (
                candidate is not None
                and not isinstance(candidate, RawBody)
                and candidate not in types
            ):
                types.append(candidate)
    return types


def _operation(op: Operation[Any, Any], schema_of: dict[Any, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op),
        "responses": _responses(op, schema_of),
    }
    if op.description:
        result["description"] = op.description
    if op.body is not None:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema_of[op.body]}},
        }
    if op.upload is not None:
        result["requestBody"] = _upload(op.upload)
    scheme = _SECURITY.get(op.auth)
    result["security"] = [{scheme: []}] if scheme else []
    return result


def _upload(upload: Upload) -> dict[str, Any]:
    part = {"type": "string", "contentMediaType": upload.media_type}
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {upload.field: part},
                    "required": [upload.field],
                },
                "encoding": {upload.field: {"contentType": upload.media_type}},
            }
        },
    }


def _parameters(op: Operation[Any, Any]) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 1000}
            if name in op.text_path
            else {"type": "integer", "format": "int64"},
        }
        for name in path_parameters(op.path)
    ]
    if op.query is not None and issubclass(op.query, msgspec.Struct):
        for field in msgspec.structs.fields(op.query):
            parameters.append(
                {
                    "name": field.encode_name,
                    "in": "query",
                    "required": field.required,
                    "schema": msgspec.json.schema(field.type),
                }
            )
    return parameters


def _responses(op: Operation[Any, Any], schema_of: dict[Any, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, body in op.responses.items():
        entry: dict[str, Any] = {"description": _describe(status)}
        if isinstance(body, RawBody):
            schema = {"type": "string", **({"format": body.format} if body.format else {})}
            entry["content"] = {body.media_type: {"schema": schema}}
        elif body is not None:
            entry["content"] = {"application/json": {"schema": schema_of[body]}}
        responses[str(status)] = entry
    error = {"application/json": {"schema": schema_of[ErrorResponseWithStatus]}}
    statuses = set(_ERROR_STATUSES[op.auth])
    if op.body or op.upload or op.query or path_parameters(op.path):
        statuses.add(400)
    if path_parameters(op.path):
        statuses.add(404)
    for status in sorted(statuses):
        responses.setdefault(str(status), {"description": _describe(status), "content": error})
    return responses


def _describe(status: int) -> str:
    return {
        200: "OK",
        201: "Created",
        204: "No Content",
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        503: "Service unavailable",
    }.get(status, "Response")


def _key_scheme(prefix: str) -> dict[str, str]:
    return {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": f"Format: `{prefix} <key>`",
    }
