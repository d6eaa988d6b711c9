"""Applications through the Management API."""

from __future__ import annotations

import pytest

from tests.api.conftest import NEW_APPLICATION, Api, envelope, sources


def test_create_get_list_update_delete(api: Api) -> None:
    created = api.create_application(
        description="main shop",
        limits=[
            {"action": "setDiscount", "limit": 100.25, "entities": ["Coupon"], "period": "daily"}
        ],
    )
    assert created["name"] == "shop"
    assert created["accountId"] == 1
    assert created["loyaltyPrograms"] == []
    assert created["limits"][0]["limit"] == 100.25
    assert created["created"].endswith("Z")

    app_id = created["id"]
    assert api.get(f"/v1/applications/{app_id}").json() == created

    listed = api.get("/v1/applications").json()
    assert listed["totalResultSize"] == 1
    assert listed["data"] == [created]

    update = {**NEW_APPLICATION, "name": "renamed", "caseSensitivity": "insensitive-uppercase"}
    updated = api.put(f"/v1/applications/{app_id}", update)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "renamed"
    assert updated.json()["caseSensitivity"] == "insensitive-uppercase"
    assert updated.json()["limits"] == []

    assert api.delete(f"/v1/applications/{app_id}").status_code == 204
    envelope(api.get(f"/v1/applications/{app_id}"), 404)
    envelope(api.delete(f"/v1/applications/{app_id}"), 404)


def test_list_pages_and_sorts(api: Api) -> None:
    for name in ["b", "c", "a"]:
        api.create_application(name=name)
    page = api.get("/v1/applications", params={"pageSize": 2, "skip": 1, "sort": "-name"})
    assert page.status_code == 200, page.text
    assert [a["name"] for a in page.json()["data"]] == ["b", "a"]
    assert page.json()["totalResultSize"] == 3


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 1001}, "pageSize"),
        ({"pageSize": "many"}, "pageSize"),
        ({"skip": -1}, "skip"),
        ({"sort": "secret"}, "sort"),
    ],
)
def test_bad_paging_names_the_parameter(
    api: Api, params: dict[str, object], parameter: str
) -> None:
    body = envelope(api.get("/v1/applications", params=params), 400)
    assert body["errors"][0]["source"] == {"parameter": parameter}


@pytest.mark.parametrize(
    ("changes", "pointers"),
    [
        ({"name": ""}, ["/name"]),
        ({"name": 7}, ["/name"]),
        ({"timezone": "Mars/Olympus"}, ["/timezone"]),
        ({"currency": "eur"}, ["/currency"]),
        ({"caseSensitivity": "shouting"}, ["/caseSensitivity"]),
        (
            {"limits": [{"action": "x", "limit": 1, "entities": ["Planet"]}]},
            ["/limits/0/entities/0"],
        ),
        (
            {"limits": [{"action": "redeemCoupon", "limit": -1, "entities": ["Coupon"]}]},
            ["/limits/0/limit"],
        ),
        ({"limits": [{"action": "x", "limit": 1, "entities": ["Coupon"]}]}, ["/limits/0/action"]),
        ({"unknownField": True}, ["/unknownField"]),
        ({"key": "not-hex"}, ["/key"]),
    ],
)
def test_bad_application_names_the_field_and_stores_nothing(
    api: Api, changes: dict[str, object], pointers: list[str]
) -> None:
    body = envelope(api.post("/v1/applications", {**NEW_APPLICATION, **changes}), 400)
    assert sources(body) == pointers
    assert api.get("/v1/applications").json()["totalResultSize"] == 0


def test_every_semantic_problem_is_listed_at_once(api: Api) -> None:
    body = envelope(
        api.post("/v1/applications", {**NEW_APPLICATION, "timezone": "Nowhere", "currency": "E"}),
        400,
    )
    assert sources(body) == ["/timezone", "/currency"]


def test_missing_required_field(api: Api) -> None:
    body = envelope(api.post("/v1/applications", {"name": "x", "currency": "EUR"}), 400)
    assert sources(body) == ["/timezone"]


def test_malformed_json_and_missing_body(api: Api) -> None:
    headers = {**api.headers(), "Content-Type": "application/json"}
    envelope(api.client.post("/v1/applications", content=b"{oops", headers=headers), 400)
    envelope(api.client.post("/v1/applications", content=b"", headers=headers), 400)
    assert api.get("/v1/applications").json()["totalResultSize"] == 0


def test_wrong_media_type_is_415(api: Api) -> None:
    headers = {**api.headers(), "Content-Type": "text/plain"}
    response = api.client.post("/v1/applications", content=b"{}", headers=headers)
    assert sources(envelope(response, 415)) == ["Content-Type"]


def test_body_over_the_limit_is_413(api: Api) -> None:
    huge = {**NEW_APPLICATION, "description": "x" * (70 * 1024)}
    envelope(api.post("/v1/applications", huge), 413)

    # Without Content-Length (chunked), the streamed body is counted too.
    def chunks() -> object:
        yield b'{"name": "'
        for _ in range(80):
            yield b"y" * 1024
        yield b'"}'

    headers = {**api.headers(), "Content-Type": "application/json"}
    envelope(api.client.post("/v1/applications", content=chunks(), headers=headers), 413)  # type: ignore[arg-type]
    assert api.get("/v1/applications").json()["totalResultSize"] == 0


def test_path_ids_must_be_integers(api: Api) -> None:
    body = envelope(api.get("/v1/applications/abc"), 400)
    assert body["errors"][0]["source"] == {"parameter": "applicationId"}


@pytest.mark.parametrize(
    ("path", "create", "bad", "pointer"),
    [
        (
            "/v1/applications",
            NEW_APPLICATION,
            {**NEW_APPLICATION, "timezone": "Atlantis/Capital"},
            "/timezone",
        ),
        (
            "/v1/attributes",
            {
                "entity": "Coupon",
                "name": "tier",
                "title": "Tier",
                "type": "string",
                "description": "",
                "suggestions": [],
                "editable": True,
            },
            {
                "entity": "Coupon",
                "name": "tier",
                "title": "1 Tier",
                "type": "string",
                "description": "",
                "suggestions": [],
                "editable": True,
            },
            "/title",
        ),
        (
            "/v1/additional_costs",
            {"name": "shipping", "title": "Shipping", "description": ""},
            {"name": "shipping", "title": "Shipping", "description": 5},
            "/description",
        ),
    ],
)
def test_bad_updates_name_the_field_and_change_nothing(
    api: Api, path: str, create: dict[str, object], bad: dict[str, object], pointer: str
) -> None:
    created = api.post(path, create)
    assert created.status_code == 201, created.text
    resource = f"{path}/{created.json()['id']}"
    assert sources(envelope(api.put(resource, bad), 400)) == [pointer]
    assert api.get(resource).json() == created.json()
