"""A real perks server on loopback, driven by Talon.One's official SDK (talon-one-sdk)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from perks.bootstrap import Services, build_services
from perks.entrypoints.http.app import create_app
from perks.entrypoints.http.table import OPERATIONS
from perks.services.api_keys import ManagementKeyRequest
from perks.settings import Settings
from tests.live import serving


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    services: Services
    management_key: str


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url)
    services = build_services(settings)
    key = services.api_keys.create_management_key(
        ManagementKeyRequest(name="sdk", expiry_date=datetime.now(UTC) + timedelta(days=1))
    ).secret
    app = create_app(services, OPERATIONS, max_body_bytes=settings.max_body_bytes)
    try:
        with serving(app) as base_url:
            yield LiveServer(base_url, services, key)
    finally:
        services.database.dispose()
