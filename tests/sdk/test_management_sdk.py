"""The official SDK's Management API parses what perks answers (pydantic v2, strict)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import talon_one
from talon_one.api.management_api import ManagementApi
from talon_one.exceptions import ApiException
from talon_one.models.new_additional_cost import NewAdditionalCost
from talon_one.models.new_attribute import NewAttribute

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
