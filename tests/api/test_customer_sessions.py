"""updateCustomerSessionV2 and reopenCustomerSession over HTTP: bodies, parameters, errors."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, envelope, sources

CART = [{"sku": "SHOE", "quantity": 1, "price": 80}, {"sku": "MUG", "quantity": 2, "price": 9.99}]


def _session(api: Api) -> tuple[str, dict[str, str]]:
    application = api.create_application()
    key = api.create_integration_key(application["id"])
    return "/v2/customer_sessions", {"Authorization": f"ApiKey-v1 {key}"}


def _put(api: Api, path: str, headers: dict[str, str], body: Any, **params: str) -> Any:
    return api.client.put(path, json=body, headers=headers, params=params)


def test_a_session_is_stored_and_answered(api: Api) -> None:
    base, headers = _session(api)
    body = {
        "customerSession": {"profileId": "alice", "cartItems": CART},
        "responseContent": ["customerSession"],
    }
    first = _put(api, f"{base}/s-1", headers, body)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["effects"] == []
    assert (answer["createdCoupons"], answer["createdReferrals"]) == ([], [])
    session = answer["customerSession"]
    assert (session["integrationId"], session["state"], session["updateCount"]) == (
        "s-1",
        "open",
        1,
    )
    assert (session["total"], session["cartItemTotal"], session["additionalCostTotal"]) == (
        99.98,
        99.98,
        0,
    )
    assert session["created"].endswith("Z")
    second = _put(
        api,
        f"{base}/s-1",
        headers,
        {"customerSession": {"couponCodes": []}, "responseContent": ["customerSession"]},
    )
    assert second.json()["customerSession"]["updateCount"] == 2
    assert len(second.json()["customerSession"]["cartItems"]) == 2  # kept


def test_bad_requests_name_the_field_and_store_nothing(api: Api) -> None:
    base, headers = _session(api)
    bad = {
        "customerSession": {"cartItems": [{"sku": "", "quantity": 0}], "couponCodes": ["x" * 101]}
    }
    answer = envelope(_put(api, f"{base}/s-1", headers, bad), 400)
    assert set(sources(answer)) <= {
        "/customerSession/cartItems/0/sku",
        "/customerSession/cartItems/0/quantity",
        "/customerSession/couponCodes/0",
    }
    assert sources(answer)
    unknown = envelope(
        _put(api, f"{base}/s-1", headers, {"customerSession": {"colour": "red"}}), 400
    )
    assert sources(unknown) == ["/customerSession/colour"]
    state = envelope(
        _put(api, f"{base}/s-1", headers, {"customerSession": {"state": "cancelled"}}), 400
    )
    assert sources(state) == ["/customerSession/state"]
    now = envelope(
        _put(api, f"{base}/s-1", headers, {"customerSession": {}}, now="2030-01-01T00:00:00Z"), 400
    )
    assert sources(now) == ["now"]
    long_id = envelope(_put(api, f"{base}/{'x' * 1001}", headers, {"customerSession": {}}), 400)
    assert sources(long_id) == ["customerSessionId"]
    assert _put(api, f"{base}/s-1", {}, {"customerSession": {}}).status_code == 401
    management = api.headers()
    assert _put(api, f"{base}/s-1", management, {"customerSession": {}}).status_code == 401
    reopened = api.client.put(f"{base}/s-1/reopen", headers=headers)
    envelope(reopened, 404)  # nothing was stored by the refused requests


def test_custom_attributes_must_be_declared(api: Api) -> None:
    base, headers = _session(api)
    for entity, name in (("CustomerSession", "channel"), ("CartItem", "gift")):
        declared = api.post(
            "/v1/attributes",
            {
                "entity": entity,
                "name": name,
                "title": name.title(),
                "type": "string",
                "description": "",
                "suggestions": [],
                "editable": True,
            },
        )
        assert declared.status_code == 201, declared.text
    item: dict[str, Any] = {
        "sku": "A",
        "quantity": 1,
        "attributes": {"gift": "yes", "colour": "red"},
    }
    body = {
        "customerSession": {"attributes": {"channel": "web", "mood": "good"}, "cartItems": [item]}
    }
    refused = envelope(_put(api, f"{base}/s-1", headers, body), 400)
    assert sources(refused) == [
        "/customerSession/attributes/mood",
        "/customerSession/cartItems/0/attributes/colour",
    ]
    item["attributes"] = {"gift": "yes"}
    allowed: dict[str, Any] = {
        "customerSession": {"attributes": {"channel": "web"}, "cartItems": [item]},
        "responseContent": ["customerSession"],
    }
    accepted = _put(api, f"{base}/s-1", headers, allowed)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["customerSession"]["attributes"] == {"channel": "web"}


def _declare(api: Api, entity: str, name: str, kind: str) -> None:
    declared = api.post(
        "/v1/attributes",
        {
            "entity": entity,
            "name": name,
            "title": name.title(),
            "type": kind,
            "description": "",
            "suggestions": [],
            "editable": True,
        },
    )
    assert declared.status_code == 201, declared.text


def test_attribute_values_must_have_their_declared_kind(api: Api) -> None:
    base, headers = _session(api)
    _declare(api, "CustomerSession", "deliveryDate", "time")
    _declare(api, "CustomerSession", "weight", "number")
    _declare(api, "CartItem", "tags", "(list string)")
    wrong = {
        "customerSession": {
            "attributes": {"deliveryDate": "next week", "weight": "1 kg"},
            "cartItems": [{"sku": "A", "quantity": 1, "attributes": {"tags": "gift"}}],
        }
    }
    refused = envelope(_put(api, f"{base}/s-1", headers, wrong), 400)
    assert sources(refused) == [
        "/customerSession/attributes/deliveryDate",
        "/customerSession/attributes/weight",
        "/customerSession/cartItems/0/attributes/tags",
    ]
    right = {
        "customerSession": {
            "attributes": {"deliveryDate": "2026-12-24T10:00:00+01:00", "weight": 1.5},
            "cartItems": [{"sku": "A", "quantity": 1, "attributes": {"tags": ["gift"]}}],
        },
        "responseContent": ["customerSession"],
    }
    accepted = _put(api, f"{base}/s-1", headers, right)
    assert accepted.status_code == 200, accepted.text
    session = accepted.json()["customerSession"]
    assert session["attributes"] == {"deliveryDate": "2026-12-24T10:00:00+01:00", "weight": 1.5}
    assert session["cartItems"][0]["attributes"] == {"tags": ["gift"]}
