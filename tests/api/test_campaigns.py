"""Campaigns and rulesets through the Management API (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api.conftest import Api, envelope, sources

NEW_CAMPAIGN: dict[str, Any] = {
    "name": "Summer 10%",
    "tags": ["summer", "web"],
    "features": ["coupons"],
    "limits": [
        {"action": "redeemCoupon", "limit": 1000, "entities": []},
        {"action": "setDiscount", "limit": 20.5, "entities": ["Profile"], "period": "daily"},
    ],
    "attributes": {"weight": 0.25},
    "couponSettings": {"validCharacters": ["A", "B", "C"], "couponPattern": "SUMMER-###"},
}
TEN_PERCENT = {
    "title": "10% off over 100",
    "condition": ["and", [">", [".", "Session", "Total"], 100]],
    "effects": [["setDiscount", "10% off", ["*", [".", "Session", "Total"], 0.1]]],
}


def campaigns_path(api: Api) -> str:
    application = api.create_application()
    return f"/v1/applications/{application['id']}/campaigns"


def create_campaign(api: Api, path: str, **changes: Any) -> dict[str, Any]:
    response = api.post(path, {**NEW_CAMPAIGN, **changes})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_campaign_lifecycle(api: Api) -> None:
    path = campaigns_path(api)
    created = create_campaign(api, path)
    assert created["frontendState"] == "running"
    assert created["budgets"] == [{"action": "redeemCoupon", "limit": 1000, "counter": 0}]
    assert created["limits"][1] == {
        "action": "setDiscount",
        "limit": 20.5,
        "entities": ["Profile"],
        "period": "daily",
    }
    assert created["attributes"] == {"weight": 0.25}
    assert created["userId"] == 1
    assert created["storesImported"] is False
    campaign = f"{path}/{created['id']}"
    assert api.get(campaign).json() == created

    later = (api.clock.now() + timedelta(days=1)).isoformat()
    changed = api.put(campaign, {**NEW_CAMPAIGN, "name": "renamed", "startTime": later})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "renamed"
    assert changed.json()["frontendState"] == "scheduled"
    assert changed.json()["created"] == created["created"]

    assert api.delete(campaign).status_code == 204
    envelope(api.get(campaign), 404)
    envelope(api.delete(campaign), 404)


def test_campaigns_list_with_filters(api: Api) -> None:
    path = campaigns_path(api)
    summer = create_campaign(api, path)
    winter = create_campaign(api, path, name="Winter", tags=["cold"], state="disabled")
    listed = api.get(path).json()
    assert listed["totalResultSize"] == 2
    assert [c["id"] for c in listed["data"]] == [summer["id"], winter["id"]]

    def ids(**params: str) -> list[int]:
        response = api.get(path, params=params)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["data"]]

    assert ids(campaignState="running") == [summer["id"]]
    assert ids(campaignState="disabled") == [winter["id"]]
    assert ids(name="WINT") == [winter["id"]]
    assert ids(tags="summ") == [summer["id"]]
    assert ids(sort="-name") == [winter["id"], summer["id"]]
    assert ids(pageSize="1", skip="1") == [winter["id"]]
    bad = envelope(api.get(path, params={"campaignState": "sleeping"}), 400)
    assert sources(bad) == ["campaignState"]


def test_a_bad_campaign_names_every_field_and_stores_nothing(api: Api) -> None:
    path = campaigns_path(api)
    body = {
        **NEW_CAMPAIGN,
        "name": " ",
        "limits": [{"action": "fly", "limit": 1, "entities": []}],
        "linkedStoreIds": [7],
        "evaluationGroupId": 3,
    }
    refused = envelope(api.post(path, body), 400)
    assert sources(refused) == ["/name", "/limits/0/action"]
    refused = envelope(api.post(path, {**NEW_CAMPAIGN, "linkedStoreIds": [7]}), 400)
    assert sources(refused) == ["/linkedStoreIds/0"]
    missing = envelope(api.post(path, {"name": "x"}), 400)
    assert sources(missing) == ["/tags"]
    assert api.get(path).json()["totalResultSize"] == 0


def test_campaigns_of_an_unknown_application_are_404(api: Api) -> None:
    envelope(api.get("/v1/applications/999/campaigns"), 404)
    envelope(api.post("/v1/applications/999/campaigns", NEW_CAMPAIGN), 404)


def test_rulesets_are_checked_revisions_that_a_campaign_activates(api: Api) -> None:
    path = campaigns_path(api)
    campaign = create_campaign(api, path)
    rulesets = f"{path}/{campaign['id']}/rulesets"

    first = api.post(rulesets, {"rules": [TEN_PERCENT], "bindings": [], "activate": True})
    assert first.status_code == 201, first.text
    assert first.json()["activate"] is True
    assert first.json()["rules"][0]["effects"] == TEN_PERCENT["effects"]
    assert api.get(f"{path}/{campaign['id']}").json()["activeRulesetId"] == first.json()["id"]

    second = api.post(rulesets, {"rules": [TEN_PERCENT, TEN_PERCENT], "bindings": []})
    assert second.status_code == 201, second.text
    assert second.json()["activate"] is False
    assert api.get(f"{path}/{campaign['id']}").json()["activeRulesetId"] == first.json()["id"]
    listed = api.get(rulesets).json()
    assert [r["id"] for r in listed["data"]] == [first.json()["id"], second.json()["id"]]
    assert api.get(f"{rulesets}/{second.json()['id']}").json() == second.json()

    activate = api.put(
        f"{path}/{campaign['id']}", {**NEW_CAMPAIGN, "activeRulesetId": second.json()["id"]}
    )
    assert activate.status_code == 200, activate.text
    assert api.get(f"{rulesets}/{second.json()['id']}").json()["activate"] is True
    wrong = api.put(f"{path}/{campaign['id']}", {**NEW_CAMPAIGN, "activeRulesetId": 999})
    assert sources(envelope(wrong, 400)) == ["/activeRulesetId"]


def test_a_ruleset_with_three_mistakes_gets_one_400_naming_all_three(api: Api) -> None:
    path = campaigns_path(api)
    campaign = create_campaign(api, path)
    rulesets = f"{path}/{campaign['id']}/rulesets"
    body = {
        "bindings": [],
        "rules": [
            TEN_PERCENT,
            {**TEN_PERCENT, "condition": ["and", ["frobnicate"]]},
            {
                **TEN_PERCENT,
                "condition": ["and", [">", [".", "Session", "Totl"], 1]],
                "effects": [["setDiscount", "x"]],
            },
        ],
    }
    refused = envelope(api.post(rulesets, body), 400)
    assert sources(refused) == [
        "/rules/1/condition/1",
        "/rules/2/condition/1/1",
        "/rules/2/effects/0",
    ]
    assert api.get(rulesets).json()["totalResultSize"] == 0


def test_copy_a_campaign_with_its_ruleset_into_other_applications(api: Api) -> None:
    path = campaigns_path(api)
    campaign = create_campaign(api, path)
    rulesets = f"{path}/{campaign['id']}/rulesets"
    api.post(rulesets, {"rules": [TEN_PERCENT], "bindings": [], "activate": True})
    targets = [api.create_application(name=f"shop {n}")["id"] for n in (1, 2)]
    copied = api.post(
        f"{path}/{campaign['id']}/copy", {"applicationIds": targets, "tags": ["copied"]}
    )
    assert copied.status_code == 200, copied.text
    copies = copied.json()["data"]
    assert [c["applicationId"] for c in copies] == targets
    assert {c["name"] for c in copies} == {"Copy of Summer 10%"}
    assert {tuple(c["tags"]) for c in copies} == {("copied",)}
    for copy in copies:
        base = f"/v1/applications/{copy['applicationId']}/campaigns/{copy['id']}"
        active = api.get(f"{base}/rulesets/{copy['activeRulesetId']}")
        assert active.status_code == 200, active.text
        assert active.json()["rules"][0]["effects"] == TEN_PERCENT["effects"]
    missing = api.post(f"{path}/{campaign['id']}/copy", {"applicationIds": [targets[0], 999]})
    envelope(missing, 404)
    listed = api.get(f"/v1/applications/{targets[0]}/campaigns").json()
    assert listed["totalResultSize"] == 1  # the failed copy stored nothing


def test_a_time_without_its_offset_is_refused_by_name(api: Api) -> None:
    application = api.create_application()
    campaigns = f"/v1/applications/{application['id']}/campaigns"
    naive = api.post(campaigns, {**NEW_CAMPAIGN, "startTime": "2027-01-01T00:00:00"})
    assert sources(envelope(naive, 400)) == ["/startTime"]
    campaign = api.post(campaigns, NEW_CAMPAIGN).json()
    coupons = f"{campaigns}/{campaign['id']}/coupons"
    body = {"usageLimit": 1, "numberOfCoupons": 1, "expiryDate": "2027-01-01T00:00:00"}
    assert sources(envelope(api.post(coupons, body), 400)) == ["/expiryDate"]
    listed = api.get(campaigns, params={"createdAfter": "2026-01-01T00:00:00"})
    assert sources(envelope(listed, 400)) == ["createdAfter"]
