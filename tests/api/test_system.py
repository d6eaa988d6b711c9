"""Probes, metrics, OpenAPI, docs, request ids, and the last-resort 500."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from starlette.testclient import TestClient

from perks.adapters.sql.database import SqlDatabase
from perks.entrypoints.http.app import create_app
from perks.entrypoints.http.routes import Auth, Call, Operation, Reply
from perks.entrypoints.http.table import OPERATIONS
from perks.services.readiness import Readiness
from tests.api.conftest import MAX_BODY, Api, envelope


def test_health_ready_and_request_id(api: Api) -> None:
    health = api.client.get("/health")
    assert health.json() == {"status": "ok"}
    assert re.fullmatch(r"[0-9a-f]{32}", health.headers["x-request-id"])
    assert api.client.get("/ready").json() == {"status": "ready"}
    echoed = api.client.get("/health", headers={"X-Request-Id": "abc-123"})
    assert echoed.headers["x-request-id"] == "abc-123"
    refused = api.client.get("/health", headers={"X-Request-Id": "bad id\n"})
    assert refused.headers["x-request-id"] != "bad id\n"


def test_ready_is_503_when_the_database_is_gone(api: Api) -> None:
    unreachable = SqlDatabase("sqlite:////nonexistent/dir/perks.db")
    services = replace(api.services, readiness=Readiness(unreachable))
    app = create_app(services, OPERATIONS, max_body_bytes=MAX_BODY)
    with TestClient(app, raise_server_exceptions=False) as client:
        body = envelope(client.get("/ready"), 503)
    assert "database" in body["errors"][0]["details"]
    unreachable.dispose()


def test_unknown_path_and_method_use_the_envelope(api: Api) -> None:
    envelope(api.client.get("/v1/nothing"), 404)
    response = api.client.patch("/v1/applications")
    envelope(response, 405)
    assert "GET" in response.headers["allow"]


def test_metrics_count_requests_by_operation(api: Api) -> None:
    api.client.get("/health")
    api.client.get("/health")
    text = api.client.get("/metrics").text
    assert 'perks_http_requests_total{operation="health",status="200"} 2.0' in text
    assert "perks_http_request_duration_seconds_bucket" in text


def test_openapi_document_comes_from_the_route_table(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    served = {
        (method.upper(), path): op["operationId"]
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    }
    assert served == {(op.method, op.path): op.operation_id for op in OPERATIONS}
    create = document["paths"]["/v1/applications"]["post"]
    assert create["security"] == [{"management_key": []}]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewApplication"
    }
    assert "400" in create["responses"] and "401" in create["responses"]
    schemas = document["components"]["schemas"]
    assert set(schemas["NewApplication"]["required"]) == {"name", "timezone", "currency"}
    assert "ErrorResponseWithStatus" in schemas
    params = {p["name"] for p in document["paths"]["/v1/applications"]["get"]["parameters"]}
    assert params == {"pageSize", "skip", "sort"}


def test_docs_page_is_self_contained(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in page.text
    assert not re.search(r"""(src|href)=["']https?://""", page.text)


def _explode(call: Call[None, None]) -> Reply:
    raise RuntimeError("secret internals")


def test_unexpected_errors_are_a_500_envelope_without_internals(api: Api) -> None:
    boom: Operation[Any, Any] = Operation(
        method="GET",
        path="/boom",
        operation_id="boom",
        summary="fails",
        handler=_explode,
        auth=Auth.NONE,
        tag="system",
    )
    app = create_app(api.services, [*OPERATIONS, boom], max_body_bytes=MAX_BODY)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    body = envelope(response, 500)
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-request-id"] in body["errors"][0]["details"]
