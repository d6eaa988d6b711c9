"""Emporix's session-context face over HTTP (SQLite and PostgreSQL): OAuth2 tokens, the
management and storefront (``/me``) routes, customers, tenants, and the Management API of
OAuth clients. Every status of every route, each error in Emporix's ``{"code", "message"}``."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from perks.domain.oauth import CONTEXT_MANAGE, CUSTOMER_TOKEN_ISSUE
from perks.entrypoints.http import session_context
from perks.entrypoints.http.app import create_app
from perks.entrypoints.http.table import OPERATIONS
from tests.api.conftest import MAX_BODY, Api, envelope, sources

TENANT = "shopa"
OTHER_TENANT = "shopb"
MANAGE = CONTEXT_MANAGE
ISSUE = CUSTOMER_TOKEN_ISSUE
FORM = "application/x-www-form-urlencoded"
SERVICE_SECONDS = 14400  # Settings.oauth_token_seconds
STOREFRONT_SECONDS = 3600  # Settings.storefront_token_seconds
IDLE_SECONDS = 3600  # Settings.session_context_idle_seconds
TOKEN_FIELDS = {
    "access_token",
    "token_type",
    "expires_in",
    "scope",
    "session_idle_time",
    "refresh_token",
    "refresh_token_expires_in",
}
BAD_TENANTS = ["Shop", "ab", "a" * 17, "1shop", "shop-a"]


@dataclass
class Face:
    """The app with the session-context face mounted, and helpers to drive it."""

    api: Api

    @property
    def client(self) -> TestClient:
        return self.api.client

    def now(self) -> datetime:
        return self.api.clock.now()

    def advance(self, seconds: int) -> None:
        self.api.clock.advance(timedelta(seconds=seconds))

    # OAuth clients and tokens.

    def new_client(
        self, tenant: str = TENANT, scopes: tuple[str, ...] = (MANAGE,), name: str = "back end"
    ) -> tuple[str, str]:
        response = self.api.post(
            "/v1/oauth_clients", {"tenant": tenant, "scopes": list(scopes), "name": name}
        )
        assert response.status_code == 201, response.text
        created = response.json()
        return created["clientId"], created["clientSecret"]

    def request_token(self, client_id: str, secret: str, scope: str) -> httpx.Response:
        return self.client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "scope": scope,
            },
        )

    def token_of(self, client_id: str, secret: str, scope: str) -> str:
        response = self.request_token(client_id, secret, scope)
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def service_token(
        self, tenant: str = TENANT, scopes: tuple[str, ...] = (MANAGE,), asked: str | None = None
    ) -> str:
        """A service token of a new client allowed ``scopes`` (asking ``asked`` of them)."""
        client_id, secret = self.new_client(tenant, scopes)
        names = " ".join(scopes) if asked is None else asked
        return self.token_of(client_id, secret, f"tenant={tenant} {names}".strip())

    def login(self, client_id: str, tenant: str = TENANT) -> httpx.Response:
        return self.client.get(
            "/customerlogin/auth/anonymous/login",
            params={"tenant": tenant, "client_id": client_id},
        )

    def anonymous(self, tenant: str = TENANT) -> tuple[str, str]:
        """An anonymous storefront token and its session id."""
        client_id, _ = self.new_client(tenant, (MANAGE,), name="storefront")
        response = self.login(client_id, tenant)
        assert response.status_code == 200, response.text
        body = response.json()
        return body["access_token"], body["sessionId"]

    def issue_customer_token(
        self, issuer: str, body: dict[str, Any], tenant: str = TENANT
    ) -> httpx.Response:
        return self.client.post(
            f"/session-context/{tenant}/customer-tokens", json=body, headers=bearer(issuer)
        )

    def customer_token(
        self, issuer: str, customer_id: str, session_id: str | None, tenant: str = TENANT
    ) -> str:
        body: dict[str, Any] = {"customerId": customer_id}
        if session_id is not None:
            body["sessionId"] = session_id
        response = self.issue_customer_token(issuer, body, tenant)
        assert response.status_code == 201, response.text
        token: str = response.json()["access_token"]
        return token

    # Management routes.

    def get(self, token: str, session_id: str, tenant: str = TENANT) -> httpx.Response:
        return self.client.get(
            f"/session-context/{tenant}/context/{session_id}", headers=bearer(token)
        )

    def read(self, token: str, session_id: str, tenant: str = TENANT) -> dict[str, Any]:
        response = self.get(token, session_id, tenant)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def put(
        self,
        token: str,
        session_id: str,
        body: object,
        *,
        tenant: str = TENANT,
        upsert: str | None = None,
        saas: str | None = None,
    ) -> httpx.Response:
        headers = bearer(token)
        if saas is not None:
            headers["saas-token"] = saas
        params = {} if upsert is None else {"upsert": upsert}
        return self.client.put(
            f"/session-context/{tenant}/context/{session_id}",
            json=body,
            headers=headers,
            params=params,
        )

    def create(self, token: str, session_id: str, *, tenant: str = TENANT, **fields: Any) -> None:
        body = {"metadata": {}, **fields}
        response = self.put(token, session_id, body, tenant=tenant, upsert="true")
        assert response.status_code == 204, response.text

    def add_attribute(
        self, token: str, session_id: str, key: str, value: object, tenant: str = TENANT
    ) -> httpx.Response:
        return self.client.post(
            f"/session-context/{tenant}/context/{session_id}/attributes",
            json={"key": key, "value": value},
            headers=bearer(token),
        )

    def remove_attribute(
        self, token: str, session_id: str, name: str, tenant: str = TENANT
    ) -> httpx.Response:
        return self.client.delete(
            f"/session-context/{tenant}/context/{session_id}/attributes/{name}",
            headers=bearer(token),
        )

    # The storefront's own context.

    def get_me(self, token: str, tenant: str = TENANT) -> httpx.Response:
        return self.client.get(f"/session-context/{tenant}/me/context", headers=bearer(token))

    def patch_me(self, token: str, body: object, tenant: str = TENANT) -> httpx.Response:
        return self.client.patch(
            f"/session-context/{tenant}/me/context", json=body, headers=bearer(token)
        )

    def add_my_attribute(
        self, token: str, key: str, value: object, tenant: str = TENANT
    ) -> httpx.Response:
        return self.client.post(
            f"/session-context/{tenant}/me/context/attributes",
            json={"key": key, "value": value},
            headers=bearer(token),
        )

    def remove_my_attribute(self, token: str, name: str, tenant: str = TENANT) -> httpx.Response:
        return self.client.delete(
            f"/session-context/{tenant}/me/context/attributes/{name}", headers=bearer(token)
        )


@pytest.fixture
def face(api: Api) -> Iterator[Face]:
    """``api``'s services and management key, served with the session-context face."""
    services = api.services
    app = create_app(
        services,
        OPERATIONS,
        max_body_bytes=MAX_BODY,
        faces=[session_context.face(services, max_body_bytes=MAX_BODY)],
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Face(Api(client, services, api.clock, api.management_key))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def emporix_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert Emporix's ``ErrorMessage`` with ``status``; return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["code"] == status
    assert isinstance(body["message"], str)
    assert body["message"]
    assert set(body) <= {"code", "message", "sessionId", "metadata", "details"}
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert "www-authenticate" not in response.headers
    if status == 400:
        assert body["details"], "a 400 names its fields"
        for detail in body["details"]:
            assert set(detail) == {"field", "message"}
    else:
        assert "details" not in body
    return body


def fields(body: dict[str, Any]) -> list[str]:
    return [detail["field"] for detail in body["details"]]


def not_found(response: httpx.Response, session_id: str) -> None:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": 404, "message": "Session not found", "sessionId": session_id}


def conflict(response: httpx.Response, current: int) -> dict[str, Any]:
    body = emporix_error(response, 409)
    assert set(body) == {"code", "message", "metadata"}
    assert body["metadata"] == {"version": current}
    return body


def oauth_error(response: httpx.Response, status: int, name: str) -> dict[str, Any]:
    """Assert ``POST /oauth/token``'s error: Emporix's code and message, RFC 6749's name."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "error", "error_description"}
    assert body["code"] == status
    assert body["error"] == name
    assert body["message"]
    assert body["error_description"]
    if status == 401:
        assert response.headers["www-authenticate"] == "Basic"
    return body


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


# The README: a token with form credentials, upsert, read, optimistic locking.


def test_readme_flow(face: Face) -> None:
    client_id, secret = face.new_client()
    response = face.request_token(client_id, secret, f"tenant={TENANT} {MANAGE}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    issued = response.json()
    assert set(issued) == TOKEN_FIELDS
    assert issued["token_type"] == "Bearer"
    assert issued["expires_in"] == SERVICE_SECONDS
    assert issued["scope"] == f"tenant={TENANT} {MANAGE}"
    assert issued["session_idle_time"] == IDLE_SECONDS
    assert (issued["refresh_token"], issued["refresh_token_expires_in"]) == ("", 0)
    token = issued["access_token"]
    created_at = stamp(face.now())

    context = {
        "metadata": {},
        "siteCode": "main",
        "currency": "EUR",
        "cartId": "cart-1",
        "targetLocation": "DE",
        "language": "de",
        "context": {"channel": "web", "campaign": {"source": "mail"}},
    }
    upserted = face.put(token, "s-1", context, upsert="true")
    assert upserted.status_code == 204, upserted.text
    assert upserted.content == b""

    read = face.get(token, "s-1")
    assert read.status_code == 200, read.text
    assert read.headers["content-type"] == "application/json"
    assert read.json() == {
        "sessionId": "s-1",
        "siteCode": "main",
        "currency": "EUR",
        "cartId": "cart-1",
        "targetLocation": "DE",
        "language": "de",
        "context": {"channel": "web", "campaign": {"source": "mail"}},
        "metadata": {"version": 1, "createdAt": created_at, "modifiedAt": created_at},
    }

    face.advance(60)
    update = {"metadata": {"version": 1}, "siteCode": "main", "currency": "USD"}
    updated = face.put(token, "s-1", update)
    assert updated.status_code == 204, updated.text
    after = face.read(token, "s-1")
    assert after == {  # a replacement: what is not sent is gone
        "sessionId": "s-1",
        "siteCode": "main",
        "currency": "USD",
        "context": {},
        "metadata": {"version": 2, "createdAt": created_at, "modifiedAt": stamp(face.now())},
    }

    stale = face.put(token, "s-1", {"metadata": {"version": 1}, "currency": "GBP"})
    conflict(stale, 2)
    assert face.read(token, "s-1") == after  # nothing written


def test_a_context_read_back_is_accepted_as_the_next_write(face: Face) -> None:
    token = face.service_token()
    face.create(token, "s-1", cartId="cart-1", context={"a": "b"})
    body = face.read(token, "s-1")  # sessionId and metadata.createdAt/modifiedAt included
    body["currency"] = "EUR"
    assert face.put(token, "s-1", body).status_code == 204
    again = face.read(token, "s-1")
    assert again["metadata"]["version"] == 2
    assert (again["currency"], again["cartId"], again["context"]) == ("EUR", "cart-1", {"a": "b"})


def test_put_versions_and_upsert(face: Face) -> None:
    token = face.service_token()
    not_found(face.put(token, "s-1", {"metadata": {}}), "s-1")  # upsert is false by default
    not_found(face.put(token, "s-1", {"metadata": {}}, upsert="false"), "s-1")
    not_found(face.get(token, "s-1"), "s-1")
    assert face.put(token, "s-1", {"metadata": {}}, upsert="TRUE").status_code == 204
    conflict(face.put(token, "s-1", {"metadata": {}}), 1)  # no version on an existing one
    conflict(face.put(token, "s-1", {"metadata": {"version": 2}}, upsert="true"), 1)
    conflict(face.put(token, "s-1", {"metadata": {"version": 0}}), 1)
    same_id = {"metadata": {"version": 1}, "sessionId": "s-1", "cartId": "c"}
    assert face.put(token, "s-1", same_id, upsert="true").status_code == 204
    assert face.read(token, "s-1")["metadata"]["version"] == 2
    conflict(face.put(token, "s-1", {"metadata": {"version": 1}}), 2)


def test_put_bad_requests(face: Face) -> None:
    token = face.service_token()
    face.create(token, "s-1")
    path = f"/session-context/{TENANT}/context/s-1"

    missing = emporix_error(face.put(token, "s-1", {"cartId": "c"}, upsert="true"), 400)
    assert fields(missing) == ["/metadata"]
    other_id = {"metadata": {"version": 1}, "sessionId": "s-2"}
    assert fields(emporix_error(face.put(token, "s-1", other_id), 400)) == ["/sessionId"]
    maybe = emporix_error(face.put(token, "s-1", {"metadata": {"version": 1}}, upsert="maybe"), 400)
    assert fields(maybe) == ["upsert"]
    unknown = emporix_error(face.put(token, "s-1", {"metadata": {}, "colour": "red"}), 400)
    assert fields(unknown) == ["/colour"]
    text_version = {"metadata": {"version": "1"}}
    assert fields(emporix_error(face.put(token, "s-1", text_version), 400)) == ["/metadata/version"]
    number = {"metadata": {"version": 1}, "context": {"n": 5}}
    assert fields(emporix_error(face.put(token, "s-1", number), 400)) == ["/context/n"]
    listed = {"metadata": {"version": 1}, "context": {"l": ["x"]}}
    assert fields(emporix_error(face.put(token, "s-1", listed), 400)) == ["/context/l"]
    long_site = {"metadata": {"version": 1}, "siteCode": "x" * 256}
    assert fields(emporix_error(face.put(token, "s-1", long_site), 400)) == ["/siteCode"]
    empty_customer = {"metadata": {"version": 1}, "customerId": ""}
    assert fields(emporix_error(face.put(token, "s-1", empty_customer), 400)) == ["/customerId"]

    as_text = face.client.put(
        path,
        content=b'{"metadata": {"version": 1}}',
        headers={**bearer(token), "Content-Type": "text/plain"},
    )
    assert fields(emporix_error(as_text, 400)) == ["Content-Type"]
    as_form = face.client.put(path, data={"metadata": "x"}, headers=bearer(token))
    assert fields(emporix_error(as_form, 400)) == ["Content-Type"]
    no_body = face.client.put(
        path, content=b"", headers={**bearer(token), "Content-Type": "application/json"}
    )
    emporix_error(no_body, 400)
    malformed = face.client.put(
        path, content=b"{not json", headers={**bearer(token), "Content-Type": "application/json"}
    )
    emporix_error(malformed, 400)
    long_id = emporix_error(face.put(token, "x" * 256, {"metadata": {}}, upsert="true"), 400)
    assert fields(long_id) == ["sessionId"]

    assert face.read(token, "s-1")["metadata"]["version"] == 1  # nothing was written


def test_json_with_a_charset_or_a_json_suffix_is_accepted(face: Face) -> None:
    token = face.service_token()
    response = face.client.put(
        f"/session-context/{TENANT}/context/s-1",
        params={"upsert": "true"},
        content=b'{"metadata": {}, "currency": "EUR"}',
        headers={**bearer(token), "Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 204, response.text
    token_me, session = face.anonymous()
    face.create(token, session)
    patched = face.client.patch(
        f"/session-context/{TENANT}/me/context",
        content=b'{"metadata": {"version": 1}, "currency": "CHF"}',
        headers={**bearer(token_me), "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 204, patched.text
    assert face.read(token, session)["currency"] == "CHF"


# Attributes of the management routes.


def test_attributes_are_added_replaced_and_removed(face: Face) -> None:
    token = face.service_token()
    face.create(token, "s-1", cartId="cart-1")
    added = face.add_attribute(token, "s-1", "channel", "web")
    assert added.status_code == 204, added.text
    assert added.content == b""
    obj = face.add_attribute(token, "s-1", "price", {"amount": 1.5, "count": 2, "tags": ["a"]})
    assert obj.status_code == 204, obj.text
    spaced = face.add_attribute(token, "s-1", "my attr", "x")
    assert spaced.status_code == 204, spaced.text
    body = face.read(token, "s-1")
    assert body["context"] == {
        "channel": "web",
        "price": {"amount": 1.5, "count": 2, "tags": ["a"]},
        "my attr": "x",
    }
    assert body["cartId"] == "cart-1"
    assert body["metadata"]["version"] == 4  # every attribute write moves the version

    replaced = face.add_attribute(token, "s-1", "channel", "app")
    assert replaced.status_code == 204
    assert face.read(token, "s-1")["context"]["channel"] == "app"

    removed = face.remove_attribute(token, "s-1", "channel")
    assert removed.status_code == 204, removed.text
    assert removed.content == b""
    assert face.remove_attribute(token, "s-1", "my%20attr").status_code == 204
    body = face.read(token, "s-1")
    assert body["context"] == {"price": {"amount": 1.5, "count": 2, "tags": ["a"]}}
    assert body["metadata"]["version"] == 7

    absent = face.remove_attribute(token, "s-1", "never-there")
    assert absent.status_code == 204
    assert face.read(token, "s-1")["metadata"]["version"] == 7  # nothing to write


def test_attribute_errors(face: Face) -> None:
    token = face.service_token()
    not_found(face.add_attribute(token, "s-9", "k", "v"), "s-9")
    not_found(face.remove_attribute(token, "s-9", "k"), "s-9")
    face.create(token, "s-1")
    assert fields(emporix_error(face.add_attribute(token, "s-1", "k", 5), 400)) == ["/value"]
    assert fields(emporix_error(face.add_attribute(token, "s-1", "k", 1.5), 400)) == ["/value"]
    assert fields(emporix_error(face.add_attribute(token, "s-1", "k", ["v"]), 400)) == ["/value"]
    assert fields(emporix_error(face.add_attribute(token, "s-1", "k", None), 400)) == ["/value"]
    assert fields(emporix_error(face.add_attribute(token, "s-1", "", "v"), 400)) == ["/key"]
    no_value = face.client.post(
        f"/session-context/{TENANT}/context/s-1/attributes",
        json={"key": "k"},
        headers=bearer(token),
    )
    assert fields(emporix_error(no_value, 400)) == ["/value"]
    as_text = face.client.post(
        f"/session-context/{TENANT}/context/s-1/attributes",
        content=b'{"key": "k", "value": "v"}',
        headers={**bearer(token), "Content-Type": "text/plain"},
    )
    assert fields(emporix_error(as_text, 400)) == ["Content-Type"]
    assert face.read(token, "s-1") == {
        "sessionId": "s-1",
        "context": {},
        "metadata": {
            "version": 1,
            "createdAt": stamp(face.now()),
            "modifiedAt": stamp(face.now()),
        },
    }


def test_attribute_limits(face: Face) -> None:
    token = face.service_token()
    many = {f"a{index}": "v" for index in range(256)}
    face.create(token, "s-1", context=many)
    assert len(face.read(token, "s-1")["context"]) == 256
    full = emporix_error(face.add_attribute(token, "s-1", "one-more", "v"), 400)
    assert fields(full) == ["/key"]
    assert face.add_attribute(token, "s-1", "a0", "replaced").status_code == 204  # not new
    too_many = {"metadata": {"version": 2}, "context": {**many, "one-more": "v"}}
    assert fields(emporix_error(face.put(token, "s-1", too_many), 400)) == ["/context"]
    long_name = emporix_error(face.add_attribute(token, "s-1", "k" * 256, "v"), 400)
    assert fields(long_name) == ["/key"]
    assert face.add_attribute(token, "s-1", "a1", "k" * 1000).status_code == 204


# The storefront: anonymous login and /me.


def test_anonymous_login(face: Face) -> None:
    client_id, _ = face.new_client(name="storefront")
    first = face.login(client_id)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/json"
    body = first.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "sessionId",
        "scope",
        "refresh_token",
        "refresh_token_expires_in",
    }
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == STOREFRONT_SECONDS
    assert body["scope"] == f"tenant={TENANT}"
    assert body["sessionId"]
    assert body["access_token"]
    second = face.login(client_id).json()
    assert second["sessionId"] != body["sessionId"]  # a new session each time
    assert second["access_token"] != body["access_token"]


def test_anonymous_login_errors(face: Face) -> None:
    client_id, _ = face.new_client(name="storefront")
    login = "/customerlogin/auth/anonymous/login"
    no_tenant = emporix_error(face.client.get(login, params={"client_id": client_id}), 400)
    assert fields(no_tenant) == ["tenant"]
    for tenant in ("Shop", "ab"):
        bad = emporix_error(face.login(client_id, tenant), 400)
        assert fields(bad) == ["tenant"]
    no_client = emporix_error(face.client.get(login, params={"tenant": TENANT}), 400)
    assert fields(no_client) == ["client_id"]
    emporix_error(face.login("no-such-client"), 401)
    emporix_error(face.login(client_id, OTHER_TENANT), 401)  # a client of another tenant
    assert face.api.delete(f"/v1/oauth_clients/{client_id}").status_code == 204
    emporix_error(face.login(client_id), 401)  # revoked


def test_storefront_flow(face: Face) -> None:
    manager = face.service_token()
    token, session = face.anonymous()
    not_found(face.get_me(token), session)  # no context yet
    not_found(face.patch_me(token, {"metadata": {"version": 1}}), session)
    not_found(face.add_my_attribute(token, "k", "v"), session)
    not_found(face.remove_my_attribute(token, "k"), session)

    face.create(manager, session, cartId="cart-1", currency="EUR", context={"a": "b"})
    mine = face.get_me(token)
    assert mine.status_code == 200, mine.text
    assert mine.headers["content-type"] == "application/json"
    body = mine.json()
    assert body["sessionId"] == session
    assert (body["cartId"], body["currency"], body["context"]) == ("cart-1", "EUR", {"a": "b"})
    assert body["metadata"]["version"] == 1
    assert "customerId" not in body

    face.advance(10)
    patch = {
        "metadata": {"version": 1},
        "siteCode": "de",
        "currency": "CHF",
        "targetLocation": "CH",
        "language": "fr",
        "cartId": "someone-elses-cart",  # not a field /me may change: ignored
        "customerId": "mallory",  # ignored
        "sessionId": "other",  # ignored
    }
    patched = face.patch_me(token, patch)
    assert patched.status_code == 204, patched.text
    assert patched.content == b""
    body = face.get_me(token).json()
    assert body["sessionId"] == session
    assert body["cartId"] == "cart-1"
    assert "customerId" not in body
    assert (body["siteCode"], body["currency"], body["targetLocation"], body["language"]) == (
        "de",
        "CHF",
        "CH",
        "fr",
    )
    assert body["context"] == {"a": "b"}  # no context sent: kept
    assert body["metadata"]["version"] == 2
    assert body["metadata"]["modifiedAt"] == stamp(face.now())
    assert body["metadata"]["createdAt"] != body["metadata"]["modifiedAt"]

    conflict(face.patch_me(token, {"metadata": {"version": 1}, "currency": "USD"}), 2)
    conflict(face.patch_me(token, {"metadata": {}, "currency": "USD"}), 2)
    assert face.get_me(token).json()["currency"] == "CHF"

    added = face.add_my_attribute(token, "name", "Alice")
    assert added.status_code == 201, added.text
    assert added.headers["content-type"] == "application/json"
    assert added.json() == "name"
    assert face.get_me(token).json()["context"] == {"a": "b", "name": "Alice"}
    removed = face.remove_my_attribute(token, "name")
    assert removed.status_code == 204, removed.text
    assert removed.content == b""
    body = face.get_me(token).json()
    assert body["context"] == {"a": "b"}
    assert body["metadata"]["version"] == 4
    assert face.read(manager, session) == body  # the same context through both faces


def test_patch_me_changes_only_what_is_sent(face: Face) -> None:
    manager = face.service_token()
    token, session = face.anonymous()
    face.create(manager, session, siteCode="de", currency="EUR", language="de", context={"a": "b"})
    only_currency = face.patch_me(token, {"metadata": {"version": 1}, "currency": "USD"})
    assert only_currency.status_code == 204, only_currency.text
    body = face.get_me(token).json()
    assert (body["currency"], body["siteCode"], body["language"]) == ("USD", "de", "de")
    assert body["context"] == {"a": "b"}
    new_context = face.patch_me(token, {"metadata": {"version": 2}, "context": {"c": "d"}})
    assert new_context.status_code == 204, new_context.text
    body = face.get_me(token).json()
    assert body["context"] == {"c": "d"}  # replaced
    assert (body["currency"], body["metadata"]["version"]) == ("USD", 3)
    cleared = face.patch_me(token, {"metadata": {"version": 3}, "context": {}})
    assert cleared.status_code == 204, cleared.text
    assert face.get_me(token).json()["context"] == {}


def test_me_bad_requests(face: Face) -> None:
    manager = face.service_token()
    token, session = face.anonymous()
    face.create(manager, session)
    missing = emporix_error(face.patch_me(token, {"currency": "EUR"}), 400)
    assert fields(missing) == ["/metadata"]
    number = emporix_error(
        face.patch_me(token, {"metadata": {"version": 1}, "context": {"n": 1}}), 400
    )
    assert fields(number) == ["/context/n"]
    long_site = {"metadata": {"version": 1}, "siteCode": "x" * 256}
    assert fields(emporix_error(face.patch_me(token, long_site), 400)) == ["/siteCode"]
    as_text = face.client.patch(
        f"/session-context/{TENANT}/me/context",
        content=b'{"metadata": {"version": 1}}',
        headers={**bearer(token), "Content-Type": "text/plain"},
    )
    assert fields(emporix_error(as_text, 400)) == ["Content-Type"]
    assert fields(emporix_error(face.add_my_attribute(token, "k", 7), 400)) == ["/value"]
    assert fields(emporix_error(face.add_my_attribute(token, "", "v"), 400)) == ["/key"]
    assert face.get_me(token).json()["metadata"]["version"] == 1  # nothing written


def test_an_anonymous_context_expires_when_idle(face: Face) -> None:
    manager = face.service_token()
    face.create(manager, "s-1", cartId="cart-1")
    face.advance(IDLE_SECONDS - 1)
    assert face.get(manager, "s-1").status_code == 200
    assert face.add_attribute(manager, "s-1", "k", "v").status_code == 204  # a write: alive
    face.advance(IDLE_SECONDS - 1)
    assert face.read(manager, "s-1")["context"] == {"k": "v"}
    face.advance(1)  # an idle time since the last write
    not_found(face.get(manager, "s-1"), "s-1")
    not_found(face.put(manager, "s-1", {"metadata": {"version": 2}}), "s-1")
    not_found(face.add_attribute(manager, "s-1", "k", "v"), "s-1")
    again = face.put(manager, "s-1", {"metadata": {}, "currency": "EUR"}, upsert="true")
    assert again.status_code == 204, again.text
    body = face.read(manager, "s-1")  # a new life
    assert body["metadata"] == {
        "version": 1,
        "createdAt": stamp(face.now()),
        "modifiedAt": stamp(face.now()),
    }
    assert (body.get("cartId"), body["context"], body["currency"]) == (None, {}, "EUR")


def test_an_anonymous_context_seen_through_me_expires(face: Face) -> None:
    manager = face.service_token()
    token, session = face.anonymous()
    face.create(manager, session)
    face.advance(IDLE_SECONDS - 1)
    assert face.get_me(token).status_code == 200
    face.advance(1)
    not_found(face.get(manager, session), session)


# Customers: customer tokens, saas-token, /me of a customer's context.


def test_customer_tokens_are_issued(face: Face) -> None:
    issuer = face.service_token(scopes=(ISSUE,))
    response = face.issue_customer_token(issuer, {"customerId": "c-1", "sessionId": "s-1"})
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "sessionId",
        "customerId",
        "scope",
    }
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        STOREFRONT_SECONDS,
        f"tenant={TENANT}",
    )
    assert (body["sessionId"], body["customerId"]) == ("s-1", "c-1")
    fresh = face.issue_customer_token(issuer, {"customerId": "c-1"})
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["sessionId"] not in ("", "s-1")  # a new session
    assert fresh.json()["customerId"] == "c-1"
    not_found(face.get_me(fresh.json()["access_token"]), fresh.json()["sessionId"])


def test_customer_token_errors(face: Face) -> None:
    issuer = face.service_token(scopes=(ISSUE,))
    path = f"/session-context/{TENANT}/customer-tokens"
    emporix_error(face.client.post(path, json={"customerId": "c-1"}), 401)
    emporix_error(face.issue_customer_token("unknown", {"customerId": "c-1"}), 401)
    missing = emporix_error(face.issue_customer_token(issuer, {"sessionId": "s-1"}), 400)
    assert fields(missing) == ["/customerId"]
    empty = emporix_error(face.issue_customer_token(issuer, {"customerId": ""}), 400)
    assert fields(empty) == ["/customerId"]
    long_session = {"customerId": "c-1", "sessionId": "x" * 256}
    assert fields(emporix_error(face.issue_customer_token(issuer, long_session), 400)) == [
        "/sessionId"
    ]
    unknown = emporix_error(face.issue_customer_token(issuer, {"customerId": "c", "x": 1}), 400)
    assert fields(unknown) == ["/x"]
    as_text = face.client.post(
        path,
        content=b'{"customerId": "c-1"}',
        headers={**bearer(issuer), "Content-Type": "text/plain"},
    )
    assert fields(emporix_error(as_text, 400)) == ["Content-Type"]
    for tenant in ("Shop", "ab"):
        bad = emporix_error(face.issue_customer_token(issuer, {"customerId": "c"}, tenant), 400)
        assert fields(bad) == ["tenant"]

    body = {"customerId": "c-1"}
    manager = face.service_token(scopes=(MANAGE,))  # lacks customer_token_issue
    emporix_error(face.issue_customer_token(manager, body), 403)
    narrowed = face.service_token(scopes=(MANAGE, ISSUE), asked=MANAGE)
    emporix_error(face.issue_customer_token(narrowed, body), 403)
    other = face.service_token(tenant=OTHER_TENANT, scopes=(ISSUE,))
    emporix_error(face.issue_customer_token(other, body), 403)
    anonymous, _ = face.anonymous()
    emporix_error(face.issue_customer_token(anonymous, body), 403)
    customer = face.customer_token(issuer, "c-1", None)
    emporix_error(face.issue_customer_token(customer, body), 403)


def test_customer_flow(face: Face) -> None:
    manager = face.service_token()
    issuer = face.service_token(scopes=(ISSUE,))
    anonymous, session = face.anonymous()
    face.create(manager, session, cartId="cart-1")  # the anonymous shopper's context
    customer = face.customer_token(issuer, "c-1", session)
    # An anonymous context: the customer token of that session reads it too.
    assert face.get_me(customer).status_code == 200

    login = {"metadata": {"version": 1}, "customerId": "c-1", "cartId": "cart-1"}
    emporix_error(face.put(manager, session, login), 403)  # no saas-token
    emporix_error(face.put(manager, session, login, saas=anonymous), 403)
    other = face.customer_token(issuer, "c-2", session)
    emporix_error(face.put(manager, session, login, saas=other), 403)
    emporix_error(face.put(manager, session, login, saas="unknown-token"), 401)
    assert face.read(manager, session)["metadata"]["version"] == 1  # nothing written
    logged_in = face.put(manager, session, login, saas=customer)
    assert logged_in.status_code == 204, logged_in.text
    assert face.read(manager, session)["customerId"] == "c-1"

    # The stored customer's token is needed from now on, whatever the body says.
    anonymous_again = {"metadata": {"version": 2}, "cartId": "cart-2"}
    emporix_error(face.put(manager, session, anonymous_again), 403)
    emporix_error(face.put(manager, session, anonymous_again, saas=other), 403)
    with_scheme = face.put(
        manager,
        session,
        {"metadata": {"version": 2}, "customerId": "c-1", "cartId": "cart-2"},
        saas=f"Bearer {customer}",
    )
    assert with_scheme.status_code == 204, with_scheme.text

    emporix_error(face.get_me(anonymous), 403)
    emporix_error(face.patch_me(anonymous, {"metadata": {"version": 3}}), 403)
    emporix_error(face.add_my_attribute(anonymous, "k", "v"), 403)
    emporix_error(face.remove_my_attribute(anonymous, "k"), 403)
    emporix_error(face.get_me(other), 403)
    emporix_error(face.patch_me(other, {"metadata": {"version": 3}}), 403)

    mine = face.get_me(customer)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["sessionId"], body["customerId"], body["cartId"]) == (session, "c-1", "cart-2")
    patched = face.patch_me(customer, {"metadata": {"version": 3}, "language": "en"})
    assert patched.status_code == 204, patched.text
    assert face.add_my_attribute(customer, "tier", "gold").status_code == 201
    assert face.remove_my_attribute(customer, "tier").status_code == 204
    assert face.read(manager, session)["metadata"]["version"] == 6

    # Management routes without saas-token still read and change attributes.
    assert face.add_attribute(manager, session, "k", "v").status_code == 204
    assert face.remove_attribute(manager, session, "k").status_code == 204


def test_a_customers_context_does_not_expire(face: Face) -> None:
    manager = face.service_token()
    issuer = face.service_token(scopes=(ISSUE,))
    customer = face.customer_token(issuer, "c-1", "s-1")
    put = face.put(
        manager, "s-1", {"metadata": {}, "customerId": "c-1"}, upsert="true", saas=customer
    )
    assert put.status_code == 204, put.text
    face.advance(3 * IDLE_SECONDS)
    assert face.read(manager, "s-1")["customerId"] == "c-1"


# Tenants.


def test_a_tenant_never_reads_another(face: Face) -> None:
    token_a = face.service_token(TENANT)
    token_b = face.service_token(OTHER_TENANT)
    face.create(token_a, "s-1", currency="EUR")
    face.create(
        token_b, "s-1", tenant=OTHER_TENANT, currency="USD"
    )  # the same session id in another tenant
    assert face.read(token_a, "s-1")["currency"] == "EUR"
    assert face.read(token_b, "s-1", OTHER_TENANT)["currency"] == "USD"

    emporix_error(face.get(token_a, "s-1", OTHER_TENANT), 403)
    emporix_error(face.put(token_a, "s-1", {"metadata": {"version": 1}}, tenant=OTHER_TENANT), 403)
    emporix_error(face.add_attribute(token_a, "s-1", "k", "v", OTHER_TENANT), 403)
    emporix_error(face.remove_attribute(token_a, "s-1", "k", OTHER_TENANT), 403)
    emporix_error(face.get(token_a, "never", OTHER_TENANT), 403)  # 403 before 404

    anonymous, session = face.anonymous(TENANT)
    face.create(token_b, session, tenant=OTHER_TENANT, currency="USD")
    emporix_error(face.get_me(anonymous, OTHER_TENANT), 403)
    emporix_error(face.patch_me(anonymous, {"metadata": {"version": 1}}, OTHER_TENANT), 403)
    emporix_error(face.add_my_attribute(anonymous, "k", "v", OTHER_TENANT), 403)
    emporix_error(face.remove_my_attribute(anonymous, "k", OTHER_TENANT), 403)
    not_found(face.get_me(anonymous), session)  # its own tenant has none
    assert face.read(token_b, session, OTHER_TENANT)["metadata"]["version"] == 1
    assert face.read(token_b, "s-1", OTHER_TENANT)["metadata"]["version"] == 1


# Authentication and authorization of every route.

MANAGEMENT_ROUTES = [
    ("GET", "/session-context/{tenant}/context/s-1", None),
    ("PUT", "/session-context/{tenant}/context/s-1?upsert=true", {"metadata": {"version": 1}}),
    ("POST", "/session-context/{tenant}/context/s-1/attributes", {"key": "k", "value": "v"}),
    ("DELETE", "/session-context/{tenant}/context/s-1/attributes/k", None),
]
ME_ROUTES = [
    ("GET", "/session-context/{tenant}/me/context", None),
    ("PATCH", "/session-context/{tenant}/me/context", {"metadata": {"version": 1}}),
    ("POST", "/session-context/{tenant}/me/context/attributes", {"key": "k", "value": "v"}),
    ("DELETE", "/session-context/{tenant}/me/context/attributes/k", None),
]
ISSUE_ROUTE = ("POST", "/session-context/{tenant}/customer-tokens", {"customerId": "c-1"})
ALL_ROUTES = [*MANAGEMENT_ROUTES, *ME_ROUTES, ISSUE_ROUTE]
Route = tuple[str, str, dict[str, Any] | None]


def _call(
    face: Face, route: Route, headers: dict[str, str], tenant: str = TENANT
) -> httpx.Response:
    method, path, body = route
    url = path.format(tenant=tenant)
    if body is None:
        return face.client.request(method, url, headers=headers)
    return face.client.request(method, url, json=body, headers=headers)


def _route_id(route: Route) -> str:
    return f"{route[0]} {route[1]}"


@pytest.mark.parametrize("route", ALL_ROUTES, ids=_route_id)
def test_every_route_needs_a_usable_token(face: Face, route: Route) -> None:
    token = face.service_token(scopes=(MANAGE, ISSUE))
    face.create(token, "s-1")
    headers = [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer unknown-token"},
        {"Authorization": f"Bearer {token} extra"},
        {"Authorization": f"Basic {token}"},
        {"Authorization": f"ManagementKey-v1 {face.api.management_key}"},
        {"Authorization": "Bearer " + "x" * 300},
        {"saas-token": token},  # the saas-token is no bearer token
    ]
    for header in headers:
        body = emporix_error(_call(face, route, header), 401)
        assert set(body) == {"code", "message"}, header
    assert face.read(token, "s-1")["metadata"]["version"] == 1


@pytest.mark.parametrize("route", ALL_ROUTES, ids=_route_id)
def test_a_bad_tenant_is_named(face: Face, route: Route) -> None:
    if route in ME_ROUTES:
        token, _ = face.anonymous()
    else:
        token = face.service_token(scopes=(MANAGE, ISSUE))
    for tenant in BAD_TENANTS:
        body = emporix_error(_call(face, route, bearer(token), tenant), 400)
        assert fields(body) == ["tenant"], tenant


@pytest.mark.parametrize("route", MANAGEMENT_ROUTES, ids=_route_id)
def test_management_routes_need_a_service_token_of_the_tenant_with_the_scope(
    face: Face, route: Route
) -> None:
    manager = face.service_token()
    face.create(manager, "s-1")
    issuer = face.service_token(scopes=(ISSUE,))
    refused = {
        "other tenant": face.service_token(OTHER_TENANT),
        "no context_manage": issuer,
        "narrowed": face.service_token(scopes=(MANAGE, ISSUE), asked=ISSUE),
        "anonymous": face.anonymous()[0],
        "customer": face.customer_token(issuer, "c-1", "s-1"),
    }
    for case, token in refused.items():
        body = emporix_error(_call(face, route, bearer(token)), 403)
        assert set(body) == {"code", "message"}, case
    assert face.read(manager, "s-1")["metadata"]["version"] == 1
    allowed = _call(face, route, bearer(manager))
    assert allowed.status_code in (200, 204), allowed.text


@pytest.mark.parametrize("route", ME_ROUTES, ids=_route_id)
def test_me_routes_refuse_service_tokens(face: Face, route: Route) -> None:
    manager = face.service_token(scopes=(MANAGE, ISSUE))
    anonymous, session = face.anonymous()
    face.create(manager, session)
    emporix_error(_call(face, route, bearer(manager)), 403)
    other, _ = face.anonymous(OTHER_TENANT)
    emporix_error(_call(face, route, bearer(other)), 403)
    allowed = _call(face, route, bearer(anonymous))
    assert allowed.status_code in (200, 201, 204), allowed.text


def test_the_bearer_scheme_is_case_insensitive(face: Face) -> None:
    token = face.service_token()
    face.create(token, "s-1")
    for scheme in ("bearer", "BEARER"):
        response = face.client.get(
            f"/session-context/{TENANT}/context/s-1", headers={"Authorization": f"{scheme} {token}"}
        )
        assert response.status_code == 200, response.text


def test_authorization_needs_the_bearer_scheme(face: Face) -> None:
    """RFC 6750 §2.1: ``Authorization: Bearer <token>``; a bare token there is a malformed
    header (only ``saas-token`` may carry a bare token)."""
    token = face.service_token()
    face.create(token, "s-1")
    bare = face.client.get(
        f"/session-context/{TENANT}/context/s-1", headers={"Authorization": token}
    )
    emporix_error(bare, 401)


def test_tokens_expire(face: Face) -> None:
    manager = face.service_token(scopes=(MANAGE, ISSUE))
    issued_at = face.now()
    customer = face.customer_token(manager, "c-1", "s-c")
    anonymous, session = face.anonymous()
    face.create(manager, session)
    put = face.put(
        manager, "s-c", {"metadata": {}, "customerId": "c-1"}, upsert="true", saas=customer
    )
    assert put.status_code == 204

    face.advance(STOREFRONT_SECONDS - 1)
    assert face.get_me(anonymous).status_code == 200
    assert face.get_me(customer).status_code == 200
    face.advance(1)  # storefront tokens live an hour
    emporix_error(face.get_me(anonymous), 401)
    emporix_error(face.get_me(customer), 401)
    expired_saas = {"metadata": {"version": 1}, "customerId": "c-1"}
    emporix_error(face.put(manager, "s-c", expired_saas, saas=customer), 401)

    face.api.clock.current = issued_at + timedelta(seconds=SERVICE_SECONDS - 1)
    assert face.get(manager, "s-c").status_code == 200
    face.advance(1)  # service tokens live four hours
    emporix_error(face.get(manager, "s-c"), 401)
    emporix_error(face.issue_customer_token(manager, {"customerId": "c-1"}), 401)


# POST /oauth/token.


def test_token_scopes(face: Face) -> None:
    client_id, secret = face.new_client(scopes=(MANAGE, ISSUE))
    every = face.request_token(client_id, secret, f"tenant={TENANT}")
    assert every.status_code == 200, every.text
    assert every.json()["scope"] == f"tenant={TENANT} {MANAGE} {ISSUE}"  # all the client's
    one = face.request_token(client_id, secret, f"{ISSUE} tenant={TENANT}")
    assert one.status_code == 200, one.text
    assert one.json()["scope"] == f"tenant={TENANT} {ISSUE}"
    both = face.request_token(client_id, secret, f"tenant={TENANT} {ISSUE} {MANAGE}")
    assert both.json()["scope"] == f"tenant={TENANT} {MANAGE} {ISSUE}"
    assert len({every.json()["access_token"], one.json()["access_token"]}) == 2


def test_token_with_http_basic_credentials(face: Face) -> None:
    client_id, secret = face.new_client()
    response = face.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"tenant={TENANT} {MANAGE}"},
        headers=basic(client_id, secret),
    )
    assert response.status_code == 200, response.text
    assert set(response.json()) == TOKEN_FIELDS
    token = response.json()["access_token"]
    face.create(token, "s-1")
    assert face.read(token, "s-1")["sessionId"] == "s-1"

    # RFC 6749 §2.3.1: the id and secret are form-encoded before they are Base64-encoded.
    escaped = "".join(f"%{byte:02X}" for byte in secret.encode())
    encoded = face.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"tenant={TENANT}"},
        headers=basic(client_id, escaped),
    )
    assert encoded.status_code == 200, encoded.text

    wrong = face.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"tenant={TENANT}"},
        headers=basic(client_id, "wrong"),
    )
    oauth_error(wrong, 401, "invalid_client")
    for header in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()):
        malformed = face.client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": f"tenant={TENANT}"},
            headers={"Authorization": header},
        )
        oauth_error(malformed, 401, "invalid_client")


def test_token_errors(face: Face) -> None:
    client_id, secret = face.new_client()
    scope = f"tenant={TENANT} {MANAGE}"
    oauth_error(face.request_token(client_id, "wrong", scope), 401, "invalid_client")
    oauth_error(face.request_token("no-such-client", secret, scope), 401, "invalid_client")
    no_secret = face.client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "scope": scope},
    )
    oauth_error(no_secret, 401, "invalid_client")

    password = face.client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": client_id,
            "client_secret": secret,
            "username": "u",
            "password": "p",
            "scope": scope,
        },
    )
    oauth_error(password, 400, "unsupported_grant_type")
    oauth_error(face.request_token(client_id, secret, MANAGE), 400, "invalid_scope")
    oauth_error(face.request_token(client_id, secret, ""), 400, "invalid_scope")
    oauth_error(face.request_token(client_id, secret, "tenant=Shop"), 400, "invalid_scope")
    two = f"tenant={TENANT} tenant={OTHER_TENANT}"
    oauth_error(face.request_token(client_id, secret, two), 400, "invalid_scope")

    as_json = face.client.post(
        "/oauth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": scope,
        },
    )
    oauth_error(as_json, 400, "invalid_request")

    # RFC 6749 §5.2: a scope (here the tenant too) beyond the client's grant is invalid_scope.
    other = face.request_token(client_id, secret, f"tenant={OTHER_TENANT} {MANAGE}")
    oauth_error(other, 400, "invalid_scope")
    beyond = face.request_token(client_id, secret, f"tenant={TENANT} {ISSUE}")
    oauth_error(beyond, 400, "invalid_scope")
    unknown = face.request_token(client_id, secret, f"tenant={TENANT} made.up")
    oauth_error(unknown, 400, "invalid_scope")

    assert face.request_token(client_id, secret, scope).status_code == 200  # still a client


@pytest.mark.parametrize("repeated", ["client_id", "grant_type", "scope"])
def test_a_repeated_parameter_is_an_invalid_request(face: Face, repeated: str) -> None:
    """RFC 6749 §5.2: a request that "includes a parameter more than once" is
    ``invalid_request``, whichever the parameter."""
    client_id, secret = face.new_client()
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "scope": f"tenant={TENANT} {MANAGE}",
    }
    pairs = [*form.items(), (repeated, form[repeated])]
    response = face.client.post(
        "/oauth/token", content=urlencode(pairs).encode(), headers={"Content-Type": FORM}
    )
    body = oauth_error(response, 400, "invalid_request")
    assert repeated in body["message"]


def test_a_missing_grant_type_is_an_invalid_request(face: Face) -> None:
    """RFC 6749 §5.2: a request "missing a required parameter" is ``invalid_request``;
    ``unsupported_grant_type`` is for a grant type the server does not support."""
    client_id, secret = face.new_client()
    response = face.client.post(
        "/oauth/token",
        data={"client_id": client_id, "client_secret": secret, "scope": f"tenant={TENANT}"},
    )
    oauth_error(response, 400, "invalid_request")


# The Management API of OAuth clients.


def test_oauth_clients_are_created_listed_and_revoked(face: Face) -> None:
    created = face.api.post(
        "/v1/oauth_clients", {"tenant": TENANT, "scopes": [ISSUE, MANAGE], "name": "back end"}
    )
    assert created.status_code == 201, created.text
    client = created.json()
    assert set(client) == {"id", "clientId", "clientSecret", "name", "tenant", "scopes", "created"}
    assert (client["name"], client["tenant"], client["scopes"]) == (
        "back end",
        TENANT,
        [MANAGE, ISSUE],
    )
    assert client["created"] == stamp(face.now())
    secret = client["clientSecret"]
    unnamed = face.api.post("/v1/oauth_clients", {"tenant": OTHER_TENANT, "scopes": [MANAGE]})
    assert unnamed.status_code == 201, unnamed.text
    assert unnamed.json()["name"] == ""
    assert unnamed.json()["clientSecret"] != secret

    listed = face.api.get("/v1/oauth_clients")
    assert listed.status_code == 200, listed.text
    assert secret not in listed.text  # the secret is shown once
    body = listed.json()
    assert body["totalResultSize"] == 2
    assert [item["clientId"] for item in body["data"]] == [
        client["clientId"],
        unnamed.json()["clientId"],
    ]
    assert body["data"][0] == {key: value for key, value in client.items() if key != "clientSecret"}
    for item in body["data"]:
        assert "clientSecret" not in item
        assert "revoked" not in item
    page = face.api.get("/v1/oauth_clients", params={"pageSize": 1, "skip": 1}).json()
    assert page["totalResultSize"] == 2
    assert [item["clientId"] for item in page["data"]] == [unnamed.json()["clientId"]]

    token = face.token_of(client["clientId"], secret, f"tenant={TENANT}")
    storefront = face.login(client["clientId"]).json()["access_token"]
    customer = face.customer_token(token, "c-1", "s-1")
    face.create(token, "s-1")
    face.advance(60)

    revoked = face.api.delete(f"/v1/oauth_clients/{client['clientId']}")
    assert revoked.status_code == 204, revoked.text
    assert revoked.content == b""
    emporix_error(face.get(token, "s-1"), 401)  # its tokens stop working
    emporix_error(face.get_me(storefront), 401)
    emporix_error(face.get_me(customer), 401)
    again = face.request_token(client["clientId"], secret, f"tenant={TENANT}")
    oauth_error(again, 401, "invalid_client")
    emporix_error(face.login(client["clientId"]), 401)
    listed_after = face.api.get("/v1/oauth_clients").json()["data"]
    assert listed_after[0]["revoked"] == stamp(face.now())
    assert "revoked" not in listed_after[1]

    untouched = unnamed.json()  # another client keeps working
    assert face.token_of(untouched["clientId"], untouched["clientSecret"], f"tenant={OTHER_TENANT}")


def test_oauth_client_errors(face: Face) -> None:
    unknown = envelope(face.api.post("/v1/oauth_clients", {"tenant": TENANT, "scopes": ["x"]}), 400)
    assert sources(unknown) == ["/scopes"]
    none = envelope(face.api.post("/v1/oauth_clients", {"tenant": TENANT, "scopes": []}), 400)
    assert sources(none) == ["/scopes"]
    for tenant in BAD_TENANTS:
        bad = envelope(
            face.api.post("/v1/oauth_clients", {"tenant": tenant, "scopes": [MANAGE]}), 400
        )
        assert sources(bad) == ["/tenant"], tenant
    no_tenant = envelope(face.api.post("/v1/oauth_clients", {"scopes": [MANAGE]}), 400)
    assert sources(no_tenant) == ["/tenant"]
    long_name = {"tenant": TENANT, "scopes": [MANAGE], "name": "n" * 256}
    assert sources(envelope(face.api.post("/v1/oauth_clients", long_name), 400)) == ["/name"]
    assert face.api.get("/v1/oauth_clients").json() == {"totalResultSize": 0, "data": []}

    envelope(face.api.delete("/v1/oauth_clients/no-such-client"), 404)
    envelope(face.client.get("/v1/oauth_clients"), 401)
    envelope(
        face.client.post("/v1/oauth_clients", json={"tenant": TENANT, "scopes": [MANAGE]}), 401
    )
    envelope(face.client.delete("/v1/oauth_clients/x"), 401)

    application = face.api.create_application()
    limited = face.api.create_management_key(allowed_application_ids=(application["id"],))
    good = {"tenant": TENANT, "scopes": [MANAGE]}
    envelope(face.api.post("/v1/oauth_clients", good, key=limited), 403)
    envelope(face.api.get("/v1/oauth_clients", key=limited), 403)
    client_id, _ = face.new_client()
    envelope(face.api.delete(f"/v1/oauth_clients/{client_id}", key=limited), 403)
    assert "revoked" not in face.api.get("/v1/oauth_clients").json()["data"][0]


def test_the_shared_layers_answer_in_emporixs_shape_on_the_faces_paths(face: Face) -> None:
    """A body over the limit (413), a method not served (405), a path not served (404): the
    session-context paths answer Emporix's ``ErrorMessage``, the others Talon.One's
    envelope."""
    big = b"{" + b" " * MAX_BODY + b"}"
    headers = {"Content-Type": "application/json", "Content-Length": str(len(big))}
    too_large = face.client.put(
        f"/session-context/{TENANT}/context/s-1", content=big, headers=headers
    )
    assert "exceeds" in emporix_error(too_large, 413)["message"]
    assert emporix_error(face.client.post("/oauth/token", content=big, headers=headers), 413)
    not_allowed = face.client.delete(f"/session-context/{TENANT}/context/s-1")
    assert "DELETE" in emporix_error(not_allowed, 405)["message"]
    assert "allow" in {name.lower() for name in not_allowed.headers}
    emporix_error(face.client.get(f"/session-context/{TENANT}/nowhere"), 404)
    emporix_error(face.client.get("/oauth/token"), 405)
    talon = face.client.put("/v2/customer_sessions/s-1", content=big, headers=headers)
    assert talon.status_code == 413
    assert talon.json()["StatusCode"] == 413


def test_a_streamed_body_past_the_limit_is_a_413_too(face: Face) -> None:
    """Without a Content-Length the middleware cannot refuse it: reading it does."""

    def chunks() -> Iterator[bytes]:
        yield b'{"key": "k", "value": "'
        yield b"x" * MAX_BODY
        yield b'"}'

    streamed = face.client.post(
        f"/session-context/{TENANT}/context/s-1/attributes",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert "exceeds" in emporix_error(streamed, 413)["message"]
