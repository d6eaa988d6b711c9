"""Keys and auth: every failure is a 401/403/404 envelope; applications are isolated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import pytest
from starlette.testclient import TestClient

from perks.entrypoints.http.app import create_app
from perks.entrypoints.http.routes import Auth, Call, Operation, Reply
from perks.entrypoints.http.table import OPERATIONS
from perks.services.principals import IntegrationPrincipal
from tests.api.conftest import MAX_BODY, Api, envelope, sources


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "ManagementKey-v1",
        "ManagementKey-v1 ",
        "ManagementKey-v1 wrong",
        "Bearer something",
        "ManagementKey-v1 " + "x" * 300,
    ],
)
def test_management_api_refuses_missing_or_wrong_keys(api: Api, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    body = envelope(api.client.get("/v1/applications", headers=headers), 401)
    assert sources(body) == ["Authorization"]


def test_expired_management_key_is_refused(api: Api) -> None:
    key = api.create_management_key(expiry_date=api.clock.now() + timedelta(minutes=1))
    assert api.get("/v1/applications", key=key).status_code == 200
    api.clock.advance(timedelta(minutes=2))
    envelope(api.get("/v1/applications", key=key), 401)


def test_scheme_is_case_insensitive(api: Api) -> None:
    response = api.client.get(
        "/v1/applications", headers={"Authorization": f"managementkey-v1 {api.management_key}"}
    )
    assert response.status_code == 200


def test_integration_key_never_reaches_the_management_api(api: Api) -> None:
    app = api.create_application()
    integration_key = api.create_integration_key(app["id"])
    for header in (f"ApiKey-v1 {integration_key}", f"ManagementKey-v1 {integration_key}"):
        response = api.client.get("/v1/applications", headers={"Authorization": header})
        envelope(response, 401)


def test_integration_key_is_shown_once_and_listed_by_prefix(api: Api) -> None:
    app = api.create_application()
    expires = (api.clock.now() + timedelta(days=3)).isoformat()
    created = api.post(
        f"/v1/applications/{app['id']}/api_keys", {"title": "pos", "expires": expires}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert len(body["key"]) == 64
    assert body["prefix"] == body["key"][:6]
    assert body["applicationID"] == app["id"]
    assert body["accountID"] == 1
    listed = api.get(f"/v1/applications/{app['id']}/api_keys").json()
    assert listed["totalResultSize"] == 1
    assert "key" not in listed["data"][0]
    assert body["key"] not in str(listed)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"title": "t"}, "/expires"),
        ({"title": "t", "expires": "2020-01-01T00:00:00Z"}, "/expires"),
        ({"title": "t", "expires": "2099-01-01T00:00:00"}, "/expires"),
        ({"title": "", "expires": "2099-01-01T00:00:00Z"}, "/title"),
        ({"title": "t", "expires": "2099-01-01T00:00:00Z", "platform": "myspace"}, "/platform"),
    ],
)
def test_bad_key_requests_name_the_field(api: Api, body: dict[str, Any], pointer: str) -> None:
    app = api.create_application()
    response = api.post(f"/v1/applications/{app['id']}/api_keys", body)
    assert sources(envelope(response, 400)) == [pointer]
    assert api.get(f"/v1/applications/{app['id']}/api_keys").json()["totalResultSize"] == 0


def test_keys_of_a_missing_application_are_404(api: Api) -> None:
    envelope(
        api.post("/v1/applications/42/api_keys", {"title": "t", "expires": "2099-01-01T00:00:00Z"}),
        404,
    )
    envelope(api.get("/v1/applications/42/api_keys"), 404)


def test_revoked_and_expired_integration_keys_stop_working(api: Api) -> None:
    probe = _integration_probe(api)
    app = api.create_application()
    key = api.create_integration_key(app["id"])
    assert probe.get("/v2/probe", headers={"Authorization": f"ApiKey-v1 {key}"}).json() == {
        "applicationId": app["id"]
    }
    key_id = api.get(f"/v1/applications/{app['id']}/api_keys").json()["data"][0]["id"]
    assert api.delete(f"/v1/applications/{app['id']}/api_keys/{key_id}").status_code == 204
    envelope(probe.get("/v2/probe", headers={"Authorization": f"ApiKey-v1 {key}"}), 401)
    listed = api.get(f"/v1/applications/{app['id']}/api_keys").json()["data"][0]
    assert listed["revoked"] is True

    fresh = api.create_integration_key(app["id"])
    api.clock.advance(timedelta(days=31))
    envelope(probe.get("/v2/probe", headers={"Authorization": f"ApiKey-v1 {fresh}"}), 401)


def test_integration_key_records_last_used(api: Api) -> None:
    probe = _integration_probe(api)
    app = api.create_application()
    key = api.create_integration_key(app["id"])
    assert probe.get("/v2/probe", headers={"Authorization": f"ApiKey-v1 {key}"}).status_code == 200
    listed = api.get(f"/v1/applications/{app['id']}/api_keys").json()["data"][0]
    assert listed["lastUsed"] is not None


def test_management_key_cannot_reach_an_integration_route(api: Api) -> None:
    probe = _integration_probe(api)
    envelope(probe.get("/v2/probe", headers=api.headers()), 401)


def test_keys_revoke_is_scoped_to_the_application(api: Api) -> None:
    first = api.create_application(name="first")
    second = api.create_application(name="second")
    api.create_integration_key(first["id"])
    key_id = api.get(f"/v1/applications/{first['id']}/api_keys").json()["data"][0]["id"]
    envelope(api.delete(f"/v1/applications/{second['id']}/api_keys/{key_id}"), 404)
    assert api.get(f"/v1/applications/{first['id']}/api_keys").json()["data"][0]["revoked"] is False


def test_restricted_management_key_sees_only_its_applications(api: Api) -> None:
    first = api.create_application(name="first")
    second = api.create_application(name="second")
    key = api.create_management_key(allowed_application_ids=(first["id"],))
    assert [a["id"] for a in api.get("/v1/applications", key=key).json()["data"]] == [first["id"]]
    assert api.get(f"/v1/applications/{first['id']}", key=key).status_code == 200
    envelope(api.get(f"/v1/applications/{second['id']}", key=key), 404)
    envelope(
        api.put(
            f"/v1/applications/{second['id']}",
            {"name": "x", "timezone": "UTC", "currency": "EUR"},
            key=key,
        ),
        404,
    )
    envelope(api.delete(f"/v1/applications/{second['id']}", key=key), 404)
    envelope(api.get(f"/v1/applications/{second['id']}/api_keys", key=key), 404)
    envelope(
        api.post("/v1/applications", {"name": "x", "timezone": "UTC", "currency": "EUR"}, key=key),
        403,
    )
    assert api.get(f"/v1/applications/{second['id']}").status_code == 200


class _Probe(msgspec.Struct, rename="camel"):
    application_id: int


def _whoami(call: Call[None, None]) -> Reply:
    principal = call.integration
    assert isinstance(principal, IntegrationPrincipal)
    return Reply(200, _Probe(principal.application_id))


def _integration_probe(api: Api) -> TestClient:
    """The real app plus one integration route, to exercise ApiKey-v1 auth end to end."""
    probe: Operation[Any, Any] = Operation(
        method="GET",
        path="/v2/probe",
        operation_id="probe",
        summary="who am I",
        handler=_whoami,
        auth=Auth.INTEGRATION,
        tag="integration",
        responses={200: _Probe},
    )
    app = create_app(api.services, [*OPERATIONS, probe], max_body_bytes=MAX_BODY)
    return TestClient(app, raise_server_exceptions=False)
