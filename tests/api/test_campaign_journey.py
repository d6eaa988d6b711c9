"""Issue #4's journey through the Management API alone, on SQLite and PostgreSQL: an
application, an evaluation group, a campaign in it with a ruleset of several rules, 10,000
codes from a pattern, exported and imported again, listed with filters."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from tests.api.conftest import Api, envelope, sources, upload
from tests.api.test_evaluation_groups import elements, group_body, setup

MANY = 10_000
RULES: list[dict[str, Any]] = [
    {
        "title": "20% off over 200",
        "condition": ["and", ["couponValid"], [">=", [".", "Session", "Total"], 200]],
        "effects": [["setDiscount", "20% off", ["*", [".", "Session", "Total"], 0.2]]],
    },
    {
        "title": "10% off over 100",
        "condition": [
            "and",
            ["couponValid"],
            [">=", [".", "Session", "Total"], 100],
            ["<", [".", "Session", "Total"], 200],
        ],
        "effects": [["setDiscount", "10% off", ["*", [".", "Session", "Total"], 0.1]]],
    },
    {
        "title": "A note for everyone else",
        "condition": ["and", ["<", [".", "Session", "Total"], 100]],
        "effects": [["showNotification", "info", "Almost", "Spend 100 for 10% off"]],
    },
]


def _page(api: Api, campaign: str, **params: str) -> dict[str, Any]:
    response = api.get(f"{campaign}/coupons/no_total", params={"pageSize": "1000", **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_whole_journey(upload_api: Api) -> None:
    api = upload_api
    base, root = setup(api)

    group = api.post(f"{base}/campaign_evaluation_groups", group_body(root, name="Best of"))
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]

    campaign = api.post(
        f"{base}/campaigns",
        {
            "name": "Autumn",
            "tags": ["autumn"],
            "features": ["coupons"],
            "limits": [{"action": "redeemCoupon", "limit": 5000, "entities": []}],
            "evaluationGroupId": group_id,
            "couponSettings": {
                "validCharacters": list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
                "couponPattern": "AUT-######",
            },
        },
    )
    assert campaign.status_code == 201, campaign.text
    path = f"{base}/campaigns/{campaign.json()['id']}"
    assert campaign.json()["frontendState"] == "running"
    assert elements(api, base) == [{"Best of": [campaign.json()["id"]]}]

    bad = api.post(
        f"{path}/rulesets",
        {
            "bindings": [],
            "activate": True,
            "rules": [
                RULES[0],
                {**RULES[1], "condition": ["and", ["couponValid", 1]]},
                {**RULES[2], "effects": [["setDiscount"]]},
            ],
        },
    )
    assert sources(envelope(bad, 400)) == ["/rules/1/condition/1", "/rules/2/effects/0"]

    ruleset = api.post(f"{path}/rulesets", {"bindings": [], "activate": True, "rules": RULES})
    assert ruleset.status_code == 201, ruleset.text
    active = api.get(path).json()["activeRulesetId"]
    assert active == ruleset.json()["id"]
    stored = api.get(f"{path}/rulesets/{active}").json()
    assert [rule["title"] for rule in stored["rules"]] == [rule["title"] for rule in RULES]

    created = api.post(
        f"{path}/coupons", {"numberOfCoupons": MANY, "usageLimit": 1, "discountLimit": 50}
    )
    assert created.status_code == 204, created.text
    first = _page(api, path)
    assert first["hasMore"] is True
    assert all(c["value"].startswith("AUT-") and len(c["value"]) == 10 for c in first["data"])
    batch = first["data"][0]["batchId"]

    exported = api.get(f"{base}/export_coupons", params={"campaignId": str(campaign.json()["id"])})
    assert exported.status_code == 200, exported.text
    exported_rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(exported_rows) == MANY

    other = api.post(
        f"{base}/campaigns", {"name": "Autumn again", "tags": [], "features": [], "limits": []}
    )
    other_path = f"{base}/campaigns/{other.json()['id']}"
    clash = upload(api, f"{other_path}/import_coupons", exported.text)
    assert envelope(clash, 400)["errors"][0]["source"] == {"line": "2"}
    assert _page(api, other_path)["data"] == []  # all or nothing

    assert api.delete(path).status_code == 204
    imported = upload(api, f"{other_path}/import_coupons", exported.text)
    assert imported.status_code == 200, imported.text
    assert imported.json()["amount"] == MANY

    _filters_find(api, other_path, exported_rows[4321]["value"], batch)


def _filters_find(api: Api, other_path: str, value: str, batch: str) -> None:
    exact = _page(api, other_path, value=value, exactMatch="true")["data"]
    assert [c["value"] for c in exact] == [value]
    assert exact[0]["usageLimit"] == 1
    assert exact[0]["discountLimit"] == 50
    partial = _page(api, other_path, value=value[:6])["data"]
    assert value in [c["value"] for c in partial]
    assert all(value[:6] in c["value"] for c in partial)
    new_batch = exact[0]["batchId"]
    assert new_batch != batch
    assert _page(api, other_path, batchId=new_batch)["hasMore"] is True
    assert _page(api, other_path, batchId=batch)["data"] == []
    assert _page(api, other_path, usable="true")["hasMore"] is True
    later = (api.clock.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert _page(api, other_path, createdAfter=later)["data"] == []
