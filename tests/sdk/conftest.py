"""A real perks server on loopback, driven by Talon.One's official SDK (talon-one-sdk)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn

from perks.bootstrap import Services, build_services
from perks.entrypoints.http.app import create_app
from perks.entrypoints.http.table import OPERATIONS
from perks.services.api_keys import ManagementKeyRequest
from perks.settings import Settings

STARTUP_SECONDS = 10.0


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    services: Services
    management_key: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_server(database_url: str) -> Iterator[LiveServer]:
    settings = Settings(database_url=database_url)
    services = build_services(settings)
    key = services.api_keys.create_management_key(
        ManagementKeyRequest(name="sdk", expiry_date=datetime.now(UTC) + timedelta(days=1))
    ).secret
    app = create_app(services, OPERATIONS, max_body_bytes=settings.max_body_bytes)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the perks server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", services, key)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        services.database.dispose()
