"""Campaign evaluation groups and the tree through the Management API."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, envelope, sources
from tests.api.test_campaigns import NEW_CAMPAIGN


def group_body(parent: int, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Exclusive",
        "parentId": parent,
        "evaluationMode": "highestDiscount",
        "evaluationScope": "session",
        "locked": False,
        **changes,
    }


def setup(api: Api) -> tuple[str, int]:
    application = api.create_application()
    base = f"/v1/applications/{application['id']}"
    tree = api.get(f"{base}/campaign_evaluation_tree")
    assert tree.status_code == 200, tree.text
    return base, tree.json()["set"]["groupId"]


def elements(api: Api, base: str) -> list[Any]:
    def shape(node: dict[str, Any]) -> Any:
        if node["type"] == "CAMPAIGN":
            return node["campaignId"]
        return {node["name"]: [shape(child) for child in node["elements"]]}

    return shape(api.get(f"{base}/campaign_evaluation_tree").json()["set"])["Base"]  # type: ignore[no-any-return]


def test_campaigns_join_the_base_group_and_move_between_groups(api: Api) -> None:
    base, root = setup(api)
    first = api.post(f"{base}/campaigns", NEW_CAMPAIGN).json()
    second = api.post(f"{base}/campaigns", NEW_CAMPAIGN).json()
    assert first["evaluationGroupId"] == root
    assert elements(api, base) == [first["id"], second["id"]]

    created = api.post(f"{base}/campaign_evaluation_groups", group_body(root))
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["parentId"] == root
    third = api.post(f"{base}/campaigns", {**NEW_CAMPAIGN, "evaluationGroupId": group["id"]})
    assert third.status_code == 201, third.text
    assert elements(api, base) == [first["id"], second["id"], {"Exclusive": [third.json()["id"]]}]

    moved = api.put(
        f"{base}/campaign_evaluation_tree/campaigns/{second['id']}",
        {"groupId": group["id"], "position": 0},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["set"]["elements"][1]["operator"] == "FIRST"
    assert elements(api, base) == [
        first["id"],
        {"Exclusive": [second["id"], third.json()["id"]]},
    ]
    assert api.get(f"{base}/campaigns/{second['id']}").json()["evaluationGroupId"] == group["id"]
    to_front = api.put(
        f"{base}/campaign_evaluation_tree/campaigns/{second['id']}",
        {"groupId": root, "position": 0},
    )
    assert to_front.status_code == 200, to_front.text
    assert elements(api, base) == [second["id"], first["id"], {"Exclusive": [third.json()["id"]]}]


def test_groups_update_delete_and_their_rules(api: Api) -> None:
    base, root = setup(api)
    groups = f"{base}/campaign_evaluation_groups"
    outer = api.post(groups, group_body(root, name="Outer")).json()
    inner = api.post(groups, group_body(outer["id"], name="Inner")).json()
    cycle = api.put(f"{groups}/{outer['id']}", group_body(inner["id"], name="Outer"))
    assert sources(envelope(cycle, 400)) == ["/parentId"]
    assert sources(envelope(api.post(groups, group_body(999)), 400)) == ["/parentId"]

    locked = api.put(f"{groups}/{inner['id']}", group_body(outer["id"], name="Inner", locked=True))
    assert locked.status_code == 200, locked.text
    envelope(
        api.put(f"{groups}/{inner['id']}", group_body(outer["id"], name="X", locked=True)), 409
    )
    envelope(api.delete(f"{groups}/{inner['id']}"), 409)
    unlocked = api.put(f"{groups}/{inner['id']}", group_body(outer["id"], name="Inner"))
    assert unlocked.status_code == 200, unlocked.text

    envelope(api.delete(f"{groups}/{outer['id']}"), 409)  # not empty
    envelope(api.delete(f"{groups}/{root}"), 409)  # the base group
    assert api.delete(f"{groups}/{inner['id']}").status_code == 204
    assert api.delete(f"{groups}/{outer['id']}").status_code == 204
    envelope(api.delete(f"{groups}/{outer['id']}"), 404)
    assert elements(api, base) == []


def test_an_unknown_group_is_refused_by_name(api: Api) -> None:
    base, _ = setup(api)
    refused = envelope(
        api.post(f"{base}/campaigns", {**NEW_CAMPAIGN, "evaluationGroupId": 999}), 400
    )
    assert sources(refused) == ["/evaluationGroupId"]
    campaign = api.post(f"{base}/campaigns", NEW_CAMPAIGN).json()
    missing = api.put(
        f"{base}/campaign_evaluation_tree/campaigns/{campaign['id']}", {"groupId": 999}
    )
    assert sources(envelope(missing, 400)) == ["/groupId"]
    envelope(api.put(f"{base}/campaign_evaluation_tree/campaigns/999", {"groupId": 1}), 404)
