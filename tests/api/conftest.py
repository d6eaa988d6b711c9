"""An HTTP client on a perks app over a migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from perks.bootstrap import Services, build_services
from perks.entrypoints.http.app import create_app
from perks.entrypoints.http.table import OPERATIONS
from perks.services.api_keys import ManagementKeyRequest
from perks.settings import Settings
from tests.fakes import FixedClock

MAX_BODY = 64 * 1024
NEW_APPLICATION = {"name": "shop", "timezone": "Europe/Berlin", "currency": "EUR"}


@dataclass
class Api:
    client: TestClient
    services: Services
    clock: FixedClock
    management_key: str

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"ManagementKey-v1 {key or self.management_key}"}

    def get(self, path: str, *, key: str | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers(key), **kwargs)

    def post(self, path: str, body: object, *, key: str | None = None) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.headers(key))

    def put(self, path: str, body: object, *, key: str | None = None) -> httpx.Response:
        return self.client.put(path, json=body, headers=self.headers(key))

    def delete(self, path: str, *, key: str | None = None) -> httpx.Response:
        return self.client.delete(path, headers=self.headers(key))

    def create_application(self, **changes: object) -> dict[str, Any]:
        response = self.post("/v1/applications", {**NEW_APPLICATION, **changes})
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def create_integration_key(self, application_id: int) -> str:
        expires = (self.clock.now() + timedelta(days=30)).isoformat()
        response = self.post(
            f"/v1/applications/{application_id}/api_keys", {"title": "t", "expires": expires}
        )
        assert response.status_code == 201, response.text
        key: str = response.json()["key"]
        return key

    def create_management_key(self, **request: Any) -> str:
        created = self.services.api_keys.create_management_key(
            ManagementKeyRequest(
                name=request.pop("name", "extra"),
                expiry_date=request.pop("expiry_date", self.clock.now() + timedelta(days=1)),
                **request,
            )
        )
        return created.secret


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    settings = Settings(database_url=database_url, max_body_bytes=MAX_BODY)
    services = build_services(settings, clock=clock)
    key = services.api_keys.create_management_key(
        ManagementKeyRequest(name="tests", expiry_date=clock.now() + timedelta(days=1))
    ).secret
    app = create_app(services, OPERATIONS, max_body_bytes=MAX_BODY)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, services, clock, key)
    services.database.dispose()


def envelope(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert Talon's error envelope with ``status``; return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"message", "errors", "StatusCode"}
    assert body["StatusCode"] == status
    assert body["errors"], "an envelope names at least one problem"
    for error in body["errors"]:
        assert {"title", "details", "source"} <= set(error)
        assert len(set(error["source"]) & {"pointer", "parameter", "line"}) == 1
    return body


def sources(body: dict[str, Any]) -> list[str]:
    return [next(iter(error["source"].values())) for error in body["errors"]]


UPLOAD_MAX_BODY = 16 * 1024 * 1024


@pytest.fixture
def upload_api(database_url: str) -> Iterator[Api]:
    """``api`` with room for CSV uploads of many thousand coupons."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    settings = Settings(database_url=database_url, max_body_bytes=UPLOAD_MAX_BODY)
    services = build_services(settings, clock=clock)
    key = services.api_keys.create_management_key(
        ManagementKeyRequest(name="tests", expiry_date=clock.now() + timedelta(days=1))
    ).secret
    app = create_app(services, OPERATIONS, max_body_bytes=UPLOAD_MAX_BODY)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, services, clock, key)
    services.database.dispose()


def upload(api: Api, path: str, text: str, **params: str) -> httpx.Response:
    """POST ``text`` as the CSV file part ``upFile`` (importCoupons)."""
    files = {"upFile": ("coupons.csv", text.encode(), "text/csv")}
    return api.client.post(path, files=files, params=params, headers=api.headers())
