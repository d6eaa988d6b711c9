"""Concurrent writers of one session context through a real perks server on loopback (SQLite
and PostgreSQL): optimistic locking lets exactly one of the writers that read a version win,
and attribute changes, which take no version, lose none of one another (issue #6)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from perks.bootstrap import Services, build_services
from perks.domain.oauth import CONTEXT_MANAGE
from perks.entrypoints.asgi import build_app
from perks.services.oauth import NewClient
from perks.services.principals import OPERATOR
from perks.settings import Settings
from tests.live import serving

PUTS = 50
ATTRIBUTES = 100
CLIENTS = 16  # concurrent HTTP clients
TENANT = "shop"


@dataclass(frozen=True)
class Server:
    base_url: str
    services: Services

    def token(self, tenant: str = TENANT) -> str:
        created = self.services.oauth.create_client(
            OPERATOR, NewClient(tenant, frozenset({CONTEXT_MANAGE}))
        )
        issued = self.services.oauth.client_credentials(
            "client_credentials",
            created.client.client_id,
            created.secret,
            f"tenant={tenant} {CONTEXT_MANAGE}",
        )
        return issued.value


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    # Writers queue for SQLite's lock (and PostgreSQL's row) rather than time out: the race
    # is about what they write, not how long they wait.
    settings = Settings(
        database_url=database_url,
        sqlite_busy_timeout_ms=30_000,
        lock_timeout_ms=30_000,
        database_pool_size=CLIENTS,
    )
    services = build_services(settings)
    try:
        with serving(build_app(services, settings)) as base_url:
            yield Server(base_url, services)
    finally:
        services.database.dispose()


def _upsert(client: httpx.Client, path: str, token: str) -> None:
    answer = client.put(
        f"{path}?upsert=true",
        headers={"Authorization": f"Bearer {token}"},
        json={"siteCode": "main", "currency": "EUR", "metadata": {"version": 0}},
    )
    assert answer.status_code == 204, answer.text


def test_writers_of_one_version_let_exactly_one_win(server: Server) -> None:
    token = server.token()
    path = f"{server.base_url}/session-context/{TENANT}/context/race-1"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=60) as client:
        _upsert(client, path, token)
        start = threading.Barrier(CLIENTS)

        def put(n: int) -> httpx.Response:
            if n < CLIENTS:
                start.wait(timeout=30)
            body = {"currency": f"C{n:02d}", "metadata": {"version": 1}}
            return client.put(path, headers=headers, json=body)

        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(put, range(PUTS)))
        final = client.get(path, headers=headers).json()
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [204] + [409] * (PUTS - 1)
    assert final["metadata"]["version"] == 2
    conflicts = [answer.json() for answer in answers if answer.status_code == 409]
    assert {conflict["metadata"]["version"] for conflict in conflicts} == {2}
    assert {conflict["code"] for conflict in conflicts} == {409}
    winner = next(i for i, answer in enumerate(answers) if answer.status_code == 204)
    assert final["currency"] == f"C{winner:02d}"


def test_concurrent_attribute_adds_lose_none(server: Server) -> None:
    token = server.token()
    path = f"{server.base_url}/session-context/{TENANT}/context/race-2"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=60) as client:
        _upsert(client, path, token)
        start = threading.Barrier(CLIENTS)

        def add(n: int) -> int:
            if n < CLIENTS:
                start.wait(timeout=30)
            body = {"key": f"k{n:03d}", "value": f"v{n}"}
            return client.post(f"{path}/attributes", headers=headers, json=body).status_code

        with ThreadPoolExecutor(CLIENTS) as pool:
            statuses = list(pool.map(add, range(ATTRIBUTES)))
        final = client.get(path, headers=headers).json()
    assert statuses == [204] * ATTRIBUTES
    assert final["context"] == {f"k{n:03d}": f"v{n}" for n in range(ATTRIBUTES)}
    assert final["metadata"]["version"] == 1 + ATTRIBUTES


def test_a_token_of_one_tenant_never_reaches_another(server: Server) -> None:
    mine, theirs = server.token("shopa"), server.token("shopb")
    with httpx.Client(timeout=60) as client:
        _upsert(client, f"{server.base_url}/session-context/shopb/context/s-1", theirs)
        for method, suffix, body in (
            ("GET", "", None),
            ("PUT", "", {"currency": "USD", "metadata": {"version": 1}}),
            ("PUT", "", {"unknown": "field"}),  # refused before its body is even read
            ("POST", "/attributes", {"key": "k", "value": "v"}),
            ("DELETE", "/attributes/k", None),
        ):
            answer = client.request(
                method,
                f"{server.base_url}/session-context/shopb/context/s-1{suffix}",
                headers={"Authorization": f"Bearer {mine}"},
                json=body,
            )
            assert answer.status_code == 403, (method, answer.text)
        still = client.get(
            f"{server.base_url}/session-context/shopb/context/s-1",
            headers={"Authorization": f"Bearer {theirs}"},
        ).json()
    assert still["metadata"]["version"] == 1
    assert still["context"] == {}
