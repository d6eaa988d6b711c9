"""The official SDK's Management API parses what perks answers (pydantic v2, strict)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import talon_one
from talon_one.api.management_api import ManagementApi
from talon_one.exceptions import ApiException
from talon_one.models.new_additional_cost import NewAdditionalCost
from talon_one.models.new_attribute import NewAttribute
from talon_one.models.update_campaign import UpdateCampaign

from tests.sdk.conftest import LiveServer


@pytest.fixture
def management(live_server: LiveServer) -> Iterator[ManagementApi]:
    configuration = talon_one.Configuration(host=live_server.base_url)
    configuration.api_key["management_key"] = live_server.management_key
    configuration.api_key_prefix["management_key"] = "ManagementKey-v1"
    with talon_one.ApiClient(configuration) as client:
        yield ManagementApi(client)


def _create_application(server: LiveServer) -> int:
    import httpx2

    response = httpx2.post(
        f"{server.base_url}/v1/applications",
        json={
            "name": "sdk shop",
            "timezone": "Europe/Berlin",
            "currency": "EUR",
            "limits": [{"action": "redeemCoupon", "limit": 3, "entities": ["Coupon"]}],
        },
        headers={"Authorization": f"ManagementKey-v1 {server.management_key}"},
    )
    assert response.status_code == 201, response.text
    application_id: int = response.json()["id"]
    return application_id


def test_sdk_reads_applications(live_server: LiveServer, management: ManagementApi) -> None:
    application_id = _create_application(live_server)
    application = management.get_application(application_id)
    assert application.id == application_id
    assert application.name == "sdk shop"
    assert application.currency == "EUR"
    assert application.created.tzinfo is not None
    assert application.limits is not None
    assert application.limits[0].limit == 3
    listed = management.get_applications(page_size=10, sort="-name")
    assert listed.total_result_size == 1
    assert [a.id for a in listed.data] == [application_id]


def test_sdk_creates_and_updates_attributes(management: ManagementApi) -> None:
    new = NewAttribute(
        entity="CustomerSession",
        name="channel",
        title="Channel",
        type="string",
        description="web or store",
        suggestions=["web", "store"],
        editable=True,
    )
    created = management.create_attribute(new)
    assert created.id > 0
    assert created.account_id == 1
    new.title = "Sales channel"
    updated = management.update_attribute(created.id, new)
    assert updated.title == "Sales channel"
    fetched = management.get_attribute(created.id)
    assert fetched.suggestions == ["web", "store"]
    listed = management.get_attributes(entity="CustomerSession")
    assert [a.name for a in listed.data] == ["channel"]


def test_sdk_creates_and_reads_additional_costs(management: ManagementApi) -> None:
    created = management.create_additional_cost(
        NewAdditionalCost(name="shipping", title="Shipping", description="to the door", type="both")
    )
    assert created.type == "both"
    assert management.get_additional_cost(created.id).name == "shipping"
    assert management.get_additional_costs().total_result_size == 1


def test_sdk_surfaces_the_error_envelope(management: ManagementApi) -> None:
    with pytest.raises(ApiException) as raised:
        management.get_application(999)
    assert raised.value.status == 404
    assert '"StatusCode":404' in (raised.value.body or "")


def test_sdk_reads_and_updates_campaigns_and_rulesets(
    live_server: LiveServer, management: ManagementApi
) -> None:
    import httpx2

    application_id = _create_application(live_server)
    headers = {"Authorization": f"ManagementKey-v1 {live_server.management_key}"}
    base = f"{live_server.base_url}/v1/applications/{application_id}/campaigns"
    created = httpx2.post(
        base,
        json={
            "name": "sdk campaign",
            "tags": ["sdk"],
            "features": ["coupons"],
            "limits": [{"action": "redeemCoupon", "limit": 10, "entities": []}],
            "couponSettings": {"validCharacters": ["A", "B"], "couponPattern": "SDK-####"},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    campaign_id: int = created.json()["id"]
    ruleset = httpx2.post(
        f"{base}/{campaign_id}/rulesets",
        json={
            "bindings": [],
            "activate": True,
            "rules": [
                {
                    "title": "10% off",
                    "condition": ["and", [">", [".", "Session", "Total"], 100]],
                    "effects": [["setDiscount", "10%", ["*", [".", "Session", "Total"], 0.1]]],
                }
            ],
        },
        headers=headers,
    )
    assert ruleset.status_code == 201, ruleset.text

    campaign = management.get_campaign(application_id, campaign_id)
    assert campaign.name == "sdk campaign"
    assert campaign.frontend_state == "running"
    assert campaign.active_ruleset_id == ruleset.json()["id"]
    assert campaign.budgets is not None
    assert campaign.budgets[0].action == "redeemCoupon"
    listed = management.get_campaigns(application_id, campaign_state="running", tags="sdk")
    assert [c.id for c in listed.data] == [campaign_id]

    # The SDK types Rule.effects as a list of objects (the spec says "items: object"), so
    # it refuses real Talang effects (["setDiscount", ...]) from Talon.One and perks alike:
    # read rulesets through the SDK's raw-response variants.
    raw = management.get_rulesets_without_preload_content(application_id, campaign_id)
    assert raw.status == 200
    rulesets = json.loads(raw.data)
    assert rulesets["totalResultSize"] == 1
    raw = management.get_ruleset_without_preload_content(
        application_id, campaign_id, ruleset.json()["id"]
    )
    fetched = json.loads(raw.data)
    assert fetched["rules"][0]["title"] == "10% off"
    assert fetched["rules"][0]["effects"] == [
        ["setDiscount", "10%", ["*", [".", "Session", "Total"], 0.1]]
    ]

    updated = management.update_campaign(
        application_id,
        campaign_id,
        UpdateCampaign(name="renamed", tags=["sdk"], features=["coupons"], limits=[]),
    )
    assert updated.name == "renamed"
    management.delete_campaign(application_id, campaign_id)
    with pytest.raises(ApiException) as missing:
        management.get_campaign(application_id, campaign_id)
    assert missing.value.status == 404
