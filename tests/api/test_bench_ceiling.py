"""The benchmark's ceiling route: served only with ``bench_ceiling``, undocumented, keyed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from perks.bootstrap import build_services
from perks.entrypoints.asgi import build_app
from perks.services.api_keys import ManagementKeyRequest
from perks.settings import Settings
from tests.api.conftest import MAX_BODY, NEW_APPLICATION, envelope
from tests.fakes import FixedClock

CEILING = "/bench/ceiling/customer_sessions/s-1"
SESSION = "/v2/customer_sessions/s-1"
BODY = {
    "customerSession": {
        "profileId": "alice",
        "couponCodes": ["SAVE-1"],
        "cartItems": [
            {"sku": "SHOE", "quantity": 1, "price": 80, "category": "shoes"},
            {"sku": "MUG", "quantity": 2, "price": 9.99},
        ],
    },
    "responseContent": ["customerSession", "customerProfile"],
}


def _client(database_url: str, *, bench_ceiling: bool) -> Iterator[tuple[TestClient, str]]:
    """A client on the app ``perks serve`` builds, and an integration key of one application.

    The lifespan (``gc.freeze``, job resumption) is not entered: it belongs to the server."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    settings = Settings(
        database_url=database_url, max_body_bytes=MAX_BODY, bench_ceiling=bench_ceiling
    )
    services = build_services(settings, clock=clock)
    management = services.api_keys.create_management_key(
        ManagementKeyRequest(name="tests", expiry_date=clock.now() + timedelta(days=1))
    ).secret
    client = TestClient(build_app(services, settings), raise_server_exceptions=False)
    headers = {"Authorization": f"ManagementKey-v1 {management}"}
    application = client.post("/v1/applications", json=NEW_APPLICATION, headers=headers)
    assert application.status_code == 201, application.text
    created = client.post(
        f"/v1/applications/{application.json()['id']}/api_keys",
        json={"title": "bench", "expires": (clock.now() + timedelta(days=30)).isoformat()},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    try:
        yield client, created.json()["key"]
    finally:
        client.close()
        services.database.dispose()


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[TestClient, str]]:
    yield from _client(database_url, bench_ceiling=True)


@pytest.fixture
def unserved(database_url: str) -> Iterator[tuple[TestClient, str]]:
    yield from _client(database_url, bench_ceiling=False)


def _shape(answer: dict[str, Any]) -> dict[str, Any]:
    session = answer["customerSession"]
    return {
        "answer": sorted(answer),
        "session": sorted(session),
        "items": [sorted(item) for item in session["cartItems"]],
        "profile": sorted(answer["customerProfile"]),
    }


def test_the_ceiling_is_not_served_by_default(unserved: tuple[TestClient, str]) -> None:
    client, key = unserved
    envelope(client.put(CEILING, json=BODY, headers={"Authorization": f"ApiKey-v1 {key}"}), 404)


def test_the_ceiling_answers_as_the_update_does(served: tuple[TestClient, str]) -> None:
    client, key = served
    headers = {"Authorization": f"ApiKey-v1 {key}"}
    ceiling = client.put(CEILING, json=BODY, headers=headers)
    assert ceiling.status_code == 200, ceiling.text
    update = client.put(SESSION, json=BODY, headers=headers)
    assert update.status_code == 200, update.text
    assert _shape(ceiling.json()) == _shape(update.json())
    echoed = ceiling.json()["customerSession"]
    assert (echoed["integrationId"], echoed["state"], echoed["couponCodes"]) == (
        "s-1",
        "open",
        ["SAVE-1"],
    )
    assert echoed["total"] == echoed["cartItemTotal"] == 99.98
    assert [item["position"] for item in echoed["cartItems"]] == [0, 1]
    assert ceiling.json()["effects"] == []
    # Nothing was stored: the only session is the one the real update created.
    assert client.get(SESSION, headers=headers).json()["customerSession"]["updateCount"] == 1


def test_the_ceiling_needs_an_integration_key(served: tuple[TestClient, str]) -> None:
    client, _ = served
    envelope(client.put(CEILING, json=BODY), 401)
    envelope(client.put(CEILING, json=BODY, headers={"Authorization": "ApiKey-v1 wrong"}), 401)


def test_the_ceiling_decodes_as_the_update_does(served: tuple[TestClient, str]) -> None:
    client, key = served
    headers = {"Authorization": f"ApiKey-v1 {key}"}
    bad = {"customerSession": {"cartItems": [{"sku": "A"}]}}
    answer = envelope(client.put(CEILING, json=bad, headers=headers), 400)
    assert answer["errors"][0]["source"] == {"pointer": "/customerSession/cartItems/0/quantity"}


def test_the_ceiling_is_neither_documented_nor_in_the_route_table(
    served: tuple[TestClient, str],
) -> None:
    from perks.entrypoints.http.table import OPERATIONS

    client, _ = served
    document = client.get("/openapi.json").json()
    assert not any(path.startswith("/bench") for path in document["paths"])
    assert not any(op.path.startswith("/bench") for op in OPERATIONS)
