"""Custom attributes and additional costs through the Management API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api, envelope, sources

COLOR = {
    "entity": "CartItem",
    "name": "color",
    "title": "Color",
    "type": "string",
    "description": "the item's colour",
    "suggestions": ["red", "blue"],
    "editable": True,
}


def test_attribute_lifecycle(api: Api) -> None:
    created = api.post("/v1/attributes", COLOR)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["accountId"] == 1
    assert body["suggestions"] == ["red", "blue"]
    assert api.get(f"/v1/attributes/{body['id']}").json() == body

    retitled = api.put(f"/v1/attributes/{body['id']}", {**COLOR, "title": "Colour"})
    assert retitled.status_code == 200, retitled.text
    assert retitled.json()["title"] == "Colour"
    assert retitled.json()["created"] == body["created"]


def test_duplicate_attribute_is_409_and_event_attributes_are_per_event_type(api: Api) -> None:
    assert api.post("/v1/attributes", COLOR).status_code == 201
    duplicate = envelope(api.post("/v1/attributes", COLOR), 409)
    assert sources(duplicate) == ["/name"]
    event = {**COLOR, "entity": "Event", "eventType": "viewed"}
    assert api.post("/v1/attributes", event).status_code == 201
    assert api.post("/v1/attributes", {**event, "eventType": "bought"}).status_code == 201
    assert api.get("/v1/attributes").json()["totalResultSize"] == 3


def test_attribute_identity_cannot_change(api: Api) -> None:
    attribute_id = api.post("/v1/attributes", COLOR).json()["id"]
    changed = {**COLOR, "name": "colour", "type": "(list string)"}
    body = envelope(api.put(f"/v1/attributes/{attribute_id}", changed), 400)
    assert sources(body) == ["/name", "/type"]
    assert api.get(f"/v1/attributes/{attribute_id}").json()["name"] == "color"


@pytest.mark.parametrize(
    ("changes", "pointers"),
    [
        ({"entity": "Planet"}, ["/entity"]),
        ({"name": "1color"}, ["/name"]),
        ({"title": "Colour?"}, ["/title"]),
        ({"type": "rgb"}, ["/type"]),
        ({"suggestions": [""]}, ["/suggestions/0"]),
        ({"suggestions": ["a"] * 51}, ["/suggestions"]),
        ({"suggestions": ["a", "a"]}, ["/suggestions"]),
        ({"type": "number"}, ["/suggestions"]),
        ({"entity": "Event"}, ["/eventType"]),
        ({"eventType": "viewed"}, ["/eventType"]),
        ({"suggestions": [], "restrictedBySuggestions": True}, ["/restrictedBySuggestions"]),
        ({"allowedSubscriptions": ["everyone"]}, ["/allowedSubscriptions/0"]),
    ],
)
def test_bad_attribute_names_the_field(
    api: Api, changes: dict[str, Any], pointers: list[str]
) -> None:
    body = envelope(api.post("/v1/attributes", {**COLOR, **changes}), 400)
    assert sources(body) == pointers
    assert api.get("/v1/attributes").json()["totalResultSize"] == 0


def test_attribute_filters(api: Api) -> None:
    api.post("/v1/attributes", COLOR)
    api.post(
        "/v1/attributes", {**COLOR, "entity": "CustomerProfile", "name": "tier", "title": "Tier"}
    )
    api.post(
        "/v1/attributes",
        {
            **COLOR,
            "name": "weight",
            "title": "Weight",
            "type": "number",
            "suggestions": [],
            "description": "kg",
        },
    )

    def names(params: dict[str, str]) -> list[str]:
        return [a["name"] for a in api.get("/v1/attributes", params=params).json()["data"]]

    assert names({"entity": "CartItem"}) == ["color", "weight"]
    assert names({"type": "number"}) == ["weight"]
    assert names({"search": "TIE"}) == ["tier"]
    assert names({"sort": "-name"}) == ["weight", "tier", "color"]
    assert sources(envelope(api.get("/v1/attributes", params={"entity": "Planet"}), 400)) == [
        "entity"
    ]


def test_missing_attribute_is_404(api: Api) -> None:
    envelope(api.get("/v1/attributes/77"), 404)
    envelope(api.put("/v1/attributes/77", COLOR), 404)


SHIPPING = {"name": "shipping", "title": "Shipping", "description": "to the door"}


def test_additional_cost_lifecycle(api: Api) -> None:
    created = api.post("/v1/additional_costs", SHIPPING)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["type"] == "session"
    assert api.get(f"/v1/additional_costs/{body['id']}").json() == body
    updated = api.put(
        f"/v1/additional_costs/{body['id']}",
        {**SHIPPING, "type": "both", "subscribedApplicationsIds": [1]},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["type"] == "both"
    listed = api.get("/v1/additional_costs").json()
    assert listed == {"totalResultSize": 1, "data": [updated.json()]}


def test_additional_cost_names_are_unique(api: Api) -> None:
    api.post("/v1/additional_costs", SHIPPING)
    other = api.post("/v1/additional_costs", {**SHIPPING, "name": "packaging"}).json()
    assert sources(envelope(api.post("/v1/additional_costs", SHIPPING), 409)) == ["/name"]
    envelope(api.put(f"/v1/additional_costs/{other['id']}", SHIPPING), 409)
    assert (
        api.put(
            f"/v1/additional_costs/{other['id']}", {**SHIPPING, "name": "packaging", "title": "Box"}
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [({"name": "ship ping"}, "/name"), ({"type": "weekly"}, "/type"), ({"title": 3}, "/title")],
)
def test_bad_additional_cost(api: Api, changes: dict[str, Any], pointer: str) -> None:
    assert sources(envelope(api.post("/v1/additional_costs", {**SHIPPING, **changes}), 400)) == [
        pointer
    ]
    envelope(api.get("/v1/additional_costs/5"), 404)
    assert api.get("/v1/additional_costs").json()["totalResultSize"] == 0
