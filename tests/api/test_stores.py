"""Stores through the Management API, and campaigns linked to them."""

from __future__ import annotations

from tests.api.conftest import Api, envelope, sources
from tests.api.test_campaigns import NEW_CAMPAIGN

SOUTH = {"name": "South", "description": "south store", "integrationId": "STORE-1"}


def test_stores_and_the_campaigns_linked_to_them(api: Api) -> None:
    application = api.create_application()
    base = f"/v1/applications/{application['id']}"
    created = api.post(f"{base}/stores", {**SOUTH, "attributes": {"country": "US"}})
    assert created.status_code == 201, created.text
    store = created.json()
    assert store["linkedCampaignIds"] == []
    north = api.post(f"{base}/stores", {**SOUTH, "name": "North", "integrationId": "STORE-2"})
    assert north.status_code == 201, north.text
    duplicate = envelope(api.post(f"{base}/stores", {**SOUTH, "name": "Again"}), 409)
    assert sources(duplicate) == ["/integrationId"]

    campaign = api.post(f"{base}/campaigns", {**NEW_CAMPAIGN, "linkedStoreIds": [store["id"]]})
    assert campaign.status_code == 201, campaign.text
    unknown = api.post(f"{base}/campaigns", {**NEW_CAMPAIGN, "linkedStoreIds": [store["id"], 999]})
    assert sources(envelope(unknown, 400)) == ["/linkedStoreIds/1"]

    listed = api.get(f"{base}/stores", params={"withTotalResultSize": "true"}).json()
    assert listed["totalResultSize"] == 2
    assert listed["hasMore"] is False
    by_id = {s["id"]: s for s in listed["data"]}
    assert by_id[store["id"]]["linkedCampaignIds"] == [campaign.json()["id"]]
    assert by_id[north.json()["id"]]["linkedCampaignIds"] == []

    def ids(**params: str) -> list[int]:
        response = api.get(f"{base}/stores", params=params)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["data"]]

    assert ids(campaignId=str(campaign.json()["id"])) == [store["id"]]
    assert ids(name="nor") == [north.json()["id"]]
    assert ids(query="store-1") == [store["id"]]
    assert ids(pageSize="1") == [store["id"]]
    assert api.get(f"{base}/stores", params={"pageSize": "1"}).json()["hasMore"] is True
    envelope(api.get("/v1/applications/999/stores"), 404)
