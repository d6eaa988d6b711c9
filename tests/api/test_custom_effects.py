"""Custom effects through the Management API, and rulesets that call them."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, envelope, sources
from tests.api.test_campaigns import NEW_CAMPAIGN, TEN_PERCENT

FREE_COFFEE: dict[str, Any] = {
    "name": "FreeCoffee",
    "title": "Free coffee",
    "payload": '{"cups": ${$cups}, "for": "${$Profile.IntegrationId}"}',
    "enabled": True,
    "params": [{"key": "cups", "type": "number", "title": "Cups"}],
}


def test_custom_effect_lifecycle_and_rules_that_call_it(api: Api) -> None:
    application = api.create_application()
    other = api.create_application(name="other")
    created = api.post("/v1/custom_effects", {**FREE_COFFEE, "applicationIds": [application["id"]]})
    assert created.status_code == 201, created.text
    effect = created.json()
    assert effect["params"] == [{"type": "number", "title": "Cups", "key": "cups"}]
    assert api.get(f"/v1/custom_effects/{effect['id']}").json() == effect
    assert api.get("/v1/custom_effects").json()["totalResultSize"] == 1
    duplicate = {**FREE_COFFEE, "name": "freecoffee", "applicationIds": [other["id"]]}
    assert sources(envelope(api.post("/v1/custom_effects", duplicate), 409)) == ["/name"]

    campaigns = f"/v1/applications/{application['id']}/campaigns"
    campaign = api.post(campaigns, NEW_CAMPAIGN).json()
    rulesets = f"{campaigns}/{campaign['id']}/rulesets"
    calling = {**TEN_PERCENT, "effects": [["!", "FreeCoffee", 2]]}
    saved = api.post(rulesets, {"rules": [calling], "bindings": []})
    assert saved.status_code == 201, saved.text
    wrong = {**TEN_PERCENT, "effects": [["!", "FreeCoffee", "two"]]}
    assert sources(envelope(api.post(rulesets, {"rules": [wrong], "bindings": []}), 400)) == [
        "/rules/0/effects/0"
    ]

    # The other application does not have the effect until it is shared with it.
    other_campaigns = f"/v1/applications/{other['id']}/campaigns"
    other_campaign = api.post(other_campaigns, NEW_CAMPAIGN).json()
    other_rulesets = f"{other_campaigns}/{other_campaign['id']}/rulesets"
    envelope(api.post(other_rulesets, {"rules": [calling], "bindings": []}), 400)
    shared = api.put(
        f"/v1/custom_effects/{effect['id']}",
        {**FREE_COFFEE, "applicationIds": [application["id"], other["id"]]},
    )
    assert shared.status_code == 200, shared.text
    assert shared.json()["created"] == effect["created"]
    again = api.post(other_rulesets, {"rules": [calling], "bindings": []})
    assert again.status_code == 201, again.text


def test_bad_custom_effects_name_every_field(api: Api) -> None:
    body = {
        **FREE_COFFEE,
        "name": "1st",
        "applicationIds": [999],
        "params": [{"key": "", "type": "number", "title": "x"}],
    }
    refused = envelope(api.post("/v1/custom_effects", body), 400)
    assert "/name" in sources(refused)
    application = api.create_application()
    missing = {**FREE_COFFEE, "applicationIds": [application["id"], 999]}
    assert sources(envelope(api.post("/v1/custom_effects", missing), 400)) == ["/applicationIds/1"]
    envelope(api.get("/v1/custom_effects/999"), 404)
    assert api.get("/v1/custom_effects").json()["totalResultSize"] == 0


def test_an_effect_an_active_ruleset_calls_is_neither_deleted_nor_broken(api: Api) -> None:
    application = api.create_application()
    other = api.create_application(name="other")
    body = {**FREE_COFFEE, "applicationIds": [application["id"]]}
    effect = api.post("/v1/custom_effects", body).json()
    path = f"/v1/custom_effects/{effect['id']}"
    campaigns = f"/v1/applications/{application['id']}/campaigns"
    campaign = api.post(campaigns, NEW_CAMPAIGN).json()
    rulesets = f"{campaigns}/{campaign['id']}/rulesets"
    calling = {**TEN_PERCENT, "effects": [["!", "FreeCoffee", 2]]}
    saved = api.post(rulesets, {"rules": [calling], "bindings": [], "activate": True})
    assert saved.status_code == 201, saved.text

    refused = envelope(api.delete(path), 409)
    assert (
        f"campaign {campaign['id']} of application {application['id']}"
        in (refused["errors"][0]["details"])
    )
    two_params = {
        **body,
        "params": [*FREE_COFFEE["params"], {"key": "size", "type": "string", "title": "Size"}],
    }
    envelope(api.put(path, two_params), 409)
    envelope(api.put(path, {**body, "applicationIds": [other["id"]]}), 409)
    assert api.get(path).json() == effect

    retitled = api.put(path, {**body, "title": "Coffee on us"})
    assert retitled.status_code == 200, retitled.text

    plain = api.post(rulesets, {"rules": [TEN_PERCENT], "bindings": [], "activate": True})
    assert plain.status_code == 201, plain.text
    assert api.delete(path).status_code == 204
    envelope(api.get(path), 404)
    envelope(api.delete(path), 404)

    unused = api.post("/v1/custom_effects", {**body, "name": "Unused"}).json()
    assert api.delete(f"/v1/custom_effects/{unused['id']}").status_code == 204
