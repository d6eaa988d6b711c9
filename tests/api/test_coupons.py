"""Coupons through the Management API (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from tests.api.conftest import Api, envelope, sources
from tests.api.test_campaigns import NEW_CAMPAIGN

NEW_COUPONS: dict[str, Any] = {
    "usageLimit": 5,
    "numberOfCoupons": 50,
    "couponPattern": "SALE-####",
    "validCharacters": ["A", "B", "C", "1", "2", "3"],
    "discountLimit": 25.5,
    "attributes": {"channel": "web"},
}


def campaign_path(api: Api, **application: Any) -> str:
    created = api.create_application(**application)
    path = f"/v1/applications/{created['id']}/campaigns"
    campaign = api.post(path, NEW_CAMPAIGN)
    assert campaign.status_code == 201, campaign.text
    return f"{path}/{campaign.json()['id']}"


def all_coupons(api: Api, campaign: str, **params: str) -> list[dict[str, Any]]:
    response = api.get(f"{campaign}/coupons/no_total", params={"pageSize": "1000", **params})
    assert response.status_code == 200, response.text
    assert response.json()["hasMore"] is False
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def test_create_coupons_from_a_pattern(api: Api) -> None:
    campaign = campaign_path(api)
    silent = api.post(f"{campaign}/coupons", NEW_COUPONS)
    assert silent.status_code == 204, silent.text
    coupons = all_coupons(api, campaign)
    assert len(coupons) == 50
    values = [coupon["value"] for coupon in coupons]
    assert len(set(values)) == len(values)
    assert all(re.fullmatch(r"SALE-[ABC123]{4}", value) for value in values)
    first = coupons[0]
    assert first["usageLimit"] == 5
    assert first["usageCounter"] == 0
    assert first["discountLimit"] == 25.5
    assert first["discountRemainder"] == 25.5
    assert first["discountCounter"] == 0
    assert first["reservationCounter"] == 0
    assert first["attributes"] == {"channel": "web"}
    assert len({coupon["batchId"] for coupon in coupons}) == 1

    loud = api.post(f"{campaign}/coupons?silent=no", {**NEW_COUPONS, "numberOfCoupons": 3})
    assert loud.status_code == 200, loud.text
    assert loud.json()["totalResultSize"] == 3
    assert len(loud.json()["data"]) == 3
    batch = loud.json()["data"][0]["batchId"]
    assert len(all_coupons(api, campaign, batchId=batch)) == 3


def test_codes_are_unique_per_application_under_its_case_sensitivity(api: Api) -> None:
    campaign = campaign_path(api, caseSensitivity="insensitive-uppercase")
    body = {**NEW_COUPONS, "couponPattern": "X-##", "validCharacters": ["a", "b", "c", "d", "e"]}
    # 5 characters, 2 placeholders: 25 codes, at most half of them on request.
    for _ in range(2):
        assert api.post(f"{campaign}/coupons", {**body, "numberOfCoupons": 6}).status_code == 204
    values = [coupon["value"] for coupon in all_coupons(api, campaign)]
    assert len(values) == 12
    assert len(set(values)) == 12
    assert all(re.fullmatch(r"X-[A-E]{2}", value) for value in values)


def test_a_pattern_too_small_is_refused_and_nothing_is_stored(api: Api) -> None:
    campaign = campaign_path(api)
    body = {**NEW_COUPONS, "couponPattern": "AB-#", "numberOfCoupons": 5}
    refused = envelope(api.post(f"{campaign}/coupons", body), 400)
    assert sources(refused) == ["/numberOfCoupons"]
    assert "6 possible codes" in refused["errors"][0]["details"]
    bad = {**NEW_COUPONS, "usageLimit": -1, "couponPattern": "a b"}
    assert sources(envelope(api.post(f"{campaign}/coupons", bad), 400)) == ["/usageLimit"]
    expired = {
        **NEW_COUPONS,
        "startDate": api.clock.now().isoformat(),
        "expiryDate": (api.clock.now() - timedelta(days=1)).isoformat(),
    }
    assert sources(envelope(api.post(f"{campaign}/coupons", expired), 400)) == ["/expiryDate"]
    assert all_coupons(api, campaign) == []


def test_list_filters_update_and_delete(api: Api) -> None:
    campaign = campaign_path(api)
    assert api.post(f"{campaign}/coupons", {**NEW_COUPONS, "numberOfCoupons": 4}).status_code == 204
    coupons = all_coupons(api, campaign)
    target = coupons[0]
    assert [c["id"] for c in all_coupons(api, campaign, value=target["value"].lower())] == [
        target["id"]
    ]
    exact = all_coupons(api, campaign, value=target["value"], exactMatch="true")
    assert [c["id"] for c in exact] == [target["id"]]
    assert len(all_coupons(api, campaign, usable="true")) == 4
    page = api.get(f"{campaign}/coupons/no_total", params={"pageSize": "3"}).json()
    assert page["hasMore"] is True
    assert len(page["data"]) == 3

    coupon = f"{campaign}/coupons/{target['id']}"
    past = (api.clock.now() - timedelta(days=1)).isoformat()
    updated = api.put(coupon, {"usageLimit": 1, "expiryDate": past})
    assert updated.status_code == 200, updated.text
    assert updated.json()["usageLimit"] == 1
    assert updated.json()["discountLimit"] == 25.5  # kept
    assert updated.json()["value"] == target["value"]
    assert target["id"] not in [c["id"] for c in all_coupons(api, campaign, usable="true")]
    assert [c["id"] for c in all_coupons(api, campaign, usable="false")] == [target["id"]]

    assert api.delete(coupon).status_code == 204
    envelope(api.delete(coupon), 404)
    envelope(api.put(coupon, {"usageLimit": 1}), 404)
    assert len(all_coupons(api, campaign)) == 3


def test_coupons_of_an_unknown_campaign_are_404(api: Api) -> None:
    application = api.create_application()
    missing = f"/v1/applications/{application['id']}/campaigns/999"
    envelope(api.post(f"{missing}/coupons", NEW_COUPONS), 404)
    envelope(api.get(f"{missing}/coupons/no_total"), 404)


def test_update_a_batch_and_delete_by_filters(api: Api) -> None:
    campaign = campaign_path(api)
    first = api.post(f"{campaign}/coupons?silent=no", {**NEW_COUPONS, "numberOfCoupons": 3})
    second = api.post(f"{campaign}/coupons?silent=no", {**NEW_COUPONS, "numberOfCoupons": 2})
    batch = first.json()["data"][0]["batchId"]

    future = (api.clock.now() + timedelta(days=10)).isoformat()
    changed = api.put(
        f"{campaign}/coupons", {"batchID": batch, "usageLimit": 9, "startDate": future}
    )
    assert changed.status_code == 204, changed.text
    coupons = {c["id"]: c for c in all_coupons(api, campaign)}
    for coupon in first.json()["data"]:
        assert coupons[coupon["id"]]["usageLimit"] == 9
        assert coupons[coupon["id"]]["discountLimit"] == 25.5  # kept
    for coupon in second.json()["data"]:
        assert coupons[coupon["id"]]["usageLimit"] == 5
    bad = envelope(api.put(f"{campaign}/coupons", {"usageLimit": -2}), 400)
    assert sources(bad) == ["/usageLimit"]

    deleted = api.delete(f"{campaign}/coupons?valid=validFuture")
    assert deleted.status_code == 204, deleted.text
    left = [c["id"] for c in all_coupons(api, campaign)]
    assert sorted(left) == sorted(c["id"] for c in second.json()["data"])
    target = second.json()["data"][0]
    exact = api.delete(f"{campaign}/coupons?value={target['value']}&exactMatch=true")
    assert exact.status_code == 204, exact.text
    assert [c["id"] for c in all_coupons(api, campaign)] == [second.json()["data"][1]["id"]]
    refused = envelope(api.delete(f"{campaign}/coupons?valid=sometimes"), 400)
    assert sources(refused) == ["valid"]
