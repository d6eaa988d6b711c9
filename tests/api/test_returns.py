"""returnCartItems over HTTP, and what updateCustomerSessionV2 now answers: the ``return``, the
``event``, ``previousReturns``, ``coupons`` and ``triggeredCampaigns``; error envelopes (400 at
their pointers, 401, 404, 422 naming the ``Idempotency-Key``); idempotent replays; dry runs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx2 as httpx
import pytest

from perks.domain.campaigns import CampaignSpec
from perks.domain.coupons import CouponProperties
from perks.domain.limits import LimitConfig
from perks.domain.rulesets import Rule, RulesetSpec
from perks.services.coupons import NamedCoupon
from perks.services.principals import OPERATOR
from tests.api.conftest import Api, envelope, sources

D = Decimal
TOTAL = [".", "Session", "Total"]
CART = [
    {"sku": "SHOE", "quantity": 1, "price": 80},
    {"sku": "MUG", "quantity": 3, "price": 10},
]  # 110: 2 off each mug (6), 10% of the total (11); 5 off with the coupon XMAS
SESSIONS = "/v2/customer_sessions"
ALL = ["customerSession", "customerProfile", "coupons", "triggeredCampaigns", "event"]


class Shop:
    def __init__(self, api: Api) -> None:
        self.api = api
        application = api.create_application()
        self.app = int(application["id"])
        self.headers = {"Authorization": f"ApiKey-v1 {api.create_integration_key(self.app)}"}
        services = api.services
        mugs = services.campaigns.create(
            OPERATOR,
            self.app,
            CampaignSpec(
                name="mugs",
                reevaluate_on_return=True,
                limits=(LimitConfig("setDiscount", D(1000)),),
            ),
        )
        only_mugs = [
            "filter",
            [".", "Session", "CartItems"],
            [["Item"], ["=", [".", "Item", "Sku"], "MUG"]],
        ]
        each = ["map", only_mugs, [["Item"], ["setDiscountPerItem", "mug", 2]]]
        rules = (
            Rule("2 off each mug", True, [each]),
            Rule("10% over 100", [">", TOTAL, 100], [["setDiscount", "10%", ["*", TOTAL, 0.1]]]),
        )
        services.rulesets.create(
            OPERATOR, self.app, mugs.id, RulesetSpec(rules=rules, activate=True)
        )
        coupons = services.campaigns.create(OPERATOR, self.app, CampaignSpec(name="coupons"))
        coupon_rule = Rule("5 off", ["couponValid"], [["setDiscount", "5 off", 5]])
        services.rulesets.create(
            OPERATOR, self.app, coupons.id, RulesetSpec(rules=(coupon_rule,), activate=True)
        )
        services.coupons.create_named(
            OPERATOR, self.app, coupons.id, [NamedCoupon("XMAS", CouponProperties(usage_limit=5))]
        )
        self.mugs, self.coupons = mugs.id, coupons.id

    def update(self, name: str, session: dict[str, Any], *content: str, **params: str) -> Any:
        body = {"customerSession": session, "responseContent": list(content)}
        return self.api.client.put(
            f"{SESSIONS}/{name}", json=body, headers=self.headers, params=params
        )

    def close(self, name: str = "s-1", *content: str, **session: Any) -> dict[str, Any]:
        fields = {"profileId": "alice", "cartItems": CART, "state": "closed", **session}
        response = self.update(name, fields, *content)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def give_back(
        self,
        items: list[dict[str, Any]],
        *content: str,
        name: str = "s-1",
        key: str | None = None,
        **params: str,
    ) -> httpx.Response:
        headers = dict(self.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        body: dict[str, Any] = {"return": {"returnedCartItems": items}}
        if content:
            body["responseContent"] = list(content)
        return self.api.client.post(
            f"{SESSIONS}/{name}/returns", json=body, headers=headers, params=params
        )

    def get(self, name: str = "s-1") -> dict[str, Any]:
        response = self.api.client.get(f"{SESSIONS}/{name}", headers=self.headers)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture
def shop(api: Api) -> Shop:
    return Shop(api)


def _effects(answer: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [
        (e["effectType"], e["props"].get("name"), e["props"]["value"]) for e in answer["effects"]
    ]


# What a close answers ---------------------------------------------------------------------------


def test_a_close_answers_its_event_coupons_and_triggered_campaigns(shop: Shop) -> None:
    closed = shop.close(
        "s-1", *ALL, "previousReturns", couponCodes=["XMAS", "NOPE"], storeIntegrationId=None
    )
    event = closed["event"]
    assert event["id"] > 0
    assert event["type"] == "talon_session_closed"
    assert (event["sessionId"], event["profileId"], event["applicationId"]) == (
        "s-1",
        "alice",
        shop.app,
    )
    assert event["created"].endswith("Z")
    assert event["attributes"] == {}
    assert event["effects"] == closed["effects"]
    assert event["meta"] == {
        "couponRejectionReason": {"campaignId": -1, "couponId": 0, "reason": "CouponNotFound"}
    }
    (coupon,) = closed["coupons"]
    assert (coupon["value"], coupon["campaignId"], coupon["usageCounter"]) == (
        "XMAS",
        shop.coupons,
        1,
    )
    assert coupon["profileRedemptionCount"] == 0
    assert sorted(c["id"] for c in closed["triggeredCampaigns"]) == [shop.mugs, shop.coupons]
    mugs = next(c for c in closed["triggeredCampaigns"] if c["id"] == shop.mugs)
    assert mugs["reevaluateOnReturn"] is True
    assert closed["previousReturns"] == []
    assert "return" not in closed
    # Created and closed at once: the event answered is the last one.
    later = shop.close("s-2", "event")
    assert later["event"]["id"] > event["id"] + 1
    assert later["event"]["meta"] == {}


def test_without_response_content_only_the_effects_are_answered(shop: Shop) -> None:
    closed = shop.close()
    assert set(closed) == {"effects", "createdCoupons", "createdReferrals"}
    returned = shop.give_back([{"position": 1, "quantity": 1}])
    assert returned.status_code == 200, returned.text
    assert set(returned.json()) == {"effects", "createdCoupons", "createdReferrals", "return"}


def test_a_dry_update_answers_an_event_it_does_not_store(shop: Shop) -> None:
    dry = shop.update("s-9", {"cartItems": CART}, "event", dry="true")
    assert dry.status_code == 200, dry.text
    assert dry.json()["event"]["id"] == 0
    assert dry.json()["event"]["type"] == "talon_session_created"
    real = shop.update("s-9", {"cartItems": CART}, "event")
    first_id = real.json()["event"]["id"]
    assert first_id > 0
    assert shop.update("s-9", {}, "event").json()["event"]["id"] == first_id + 1


# Returns -----------------------------------------------------------------------------------------


def test_a_return_answers_the_session_its_return_and_the_earlier_ones(shop: Shop) -> None:
    closed = shop.close("s-1", "customerSession", couponCodes=["XMAS"])
    session_id = closed["customerSession"]["id"]
    first = shop.give_back([{"position": 1, "quantity": 1}], *ALL, "previousReturns")
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/json"
    answer = first.json()
    assert _effects(answer) == [("rollbackDiscount", "mug#1", 2)]
    assert answer["effects"][0]["props"]["cartItemPosition"] == 1
    assert answer["effects"][0]["campaignId"] == shop.mugs
    returned = answer["return"]
    assert returned["id"] > 0
    assert returned["returnedCartItems"] == [{"position": 1, "quantity": 1, "sku": "MUG"}]
    assert (returned["sessionId"], returned["sessionIntegrationId"]) == (session_id, "s-1")
    assert returned["profileIntegrationId"] == "alice"
    assert returned["applicationId"] == shop.app
    assert returned["eventId"] == answer["event"]["id"]
    assert returned["created"].endswith("Z")
    assert isinstance(returned["accountId"], int)
    assert answer["previousReturns"] == []
    assert answer["event"]["type"] == "talon_session_partially_returned"
    assert answer["event"]["effects"] == answer["effects"]
    session = answer["customerSession"]
    assert session["state"] == "partially_returned"
    assert [(i["returnedQuantity"], i["remainingQuantity"]) for i in session["cartItems"]] == [
        (0, 1),
        (1, 2),
    ]
    assert (session["total"], session["cartItemTotal"]) == (100, 100)
    assert answer["customerProfile"]["totalSales"] == 100
    assert answer["customerProfile"]["closedSessions"] == 1
    assert answer["coupons"] == []  # a return names no coupons
    assert answer["triggeredCampaigns"] == []

    second = shop.give_back([{"position": 1, "sku": "MUG"}], "previousReturns", "event")
    assert second.status_code == 200, second.text
    assert _effects(second.json()) == [("rollbackDiscount", "mug#1", 4)]
    assert second.json()["previousReturns"] == [returned]
    assert second.json()["return"]["returnedCartItems"] == [
        {"position": 1, "quantity": 2, "sku": "MUG"}
    ]
    stored = shop.get()
    assert stored["customerSession"]["state"] == "partially_returned"
    assert sorted(_effects(stored)) == [
        ("acceptCoupon", None, "XMAS"),
        ("setDiscount", "10%", 11),
        ("setDiscount", "5 off", 5),
    ]

    cancelled = shop.update("s-1", {"state": "cancelled"}, "previousReturns", "event")
    assert cancelled.status_code == 200, cancelled.text
    assert [r["id"] for r in cancelled.json()["previousReturns"]] == [
        returned["id"],
        second.json()["return"]["id"],
    ]
    assert cancelled.json()["event"]["type"] == "talon_session_revoked"
    rollbacks = [e for e in _effects(cancelled.json()) if e[0].startswith("rollback")]
    assert sorted(rollbacks) == [
        ("rollbackCoupon", None, "XMAS"),
        ("rollbackDiscount", "10%", 11),
        ("rollbackDiscount", "5 off", 5),
    ]


def test_run_rule_engine_and_dry_over_http(shop: Shop) -> None:
    shop.close()
    items = [{"position": 1, "quantity": 2}]
    dry = shop.give_back(items, "event", "customerSession", dry="true", runRuleEngine="true")
    assert dry.status_code == 200, dry.text
    assert _effects(dry.json()) == [
        ("rollbackDiscount", "mug#1", 4),
        ("rollbackDiscount", "10%", 11),
    ]
    assert (dry.json()["event"]["id"], dry.json()["return"]["id"]) == (0, 0)
    assert dry.json()["customerSession"]["state"] == "partially_returned"
    # Nothing was stored.
    stored = shop.get()
    assert stored["customerSession"]["state"] == "closed"
    assert sorted(_effects(stored)) == [
        ("setDiscount", "10%", 11),
        ("setDiscountPerItem", "mug#1", 2),
    ]
    without = shop.give_back(items, "previousReturns")
    assert _effects(without.json()) == [("rollbackDiscount", "mug#1", 4)]
    assert without.json()["previousReturns"] == []


def test_bad_returns_are_refused_at_their_pointers(shop: Shop) -> None:
    shop.update("open", {"cartItems": CART})
    still_open = envelope(shop.give_back([{"position": 0}], name="open"), 400)
    assert sources(still_open) == ["/customerSession/state"]
    shop.close()
    at = "/return/returnedCartItems"
    cases: list[tuple[list[dict[str, Any]], list[str]]] = [
        ([{"position": 2, "quantity": 1}], [f"{at}/0/position"]),
        ([{"position": 0, "quantity": 0}], [f"{at}/0/quantity"]),
        ([{"position": 0, "quantity": 2}], [f"{at}/0/quantity"]),
        ([{"position": 0, "sku": "MUG"}], [f"{at}/0/sku"]),
        (
            [{"position": 1, "quantity": 2}, {"position": 1, "quantity": 2}, {"position": 5}],
            [f"{at}/1/quantity", f"{at}/2/position"],
        ),
        ([], [at]),
    ]
    for items, pointers in cases:
        refused = envelope(shop.give_back(items), 400)
        assert sources(refused) == pointers, items
    wire = envelope(shop.give_back([{"position": 0, "sku": ""}]), 400)
    assert sources(wire) == [f"{at}/0/sku"]
    mistyped = envelope(shop.give_back([{"position": "first"}]), 400)
    assert sources(mistyped) == [f"{at}/0/position"]
    no_return = shop.api.client.post(f"{SESSIONS}/s-1/returns", json={}, headers=shop.headers)
    assert sources(envelope(no_return, 400)) == ["/return"]
    # None of them changed anything.
    assert shop.get()["customerSession"]["state"] == "closed"


def test_returns_need_an_integration_key_and_a_known_session(shop: Shop) -> None:
    shop.close()
    body = {"return": {"returnedCartItems": [{"position": 0}]}}
    bare = shop.api.client.post(f"{SESSIONS}/s-1/returns", json=body)
    assert envelope(bare, 401)["StatusCode"] == 401
    management = shop.api.client.post(
        f"{SESSIONS}/s-1/returns", json=body, headers=shop.api.headers()
    )
    envelope(management, 401)
    other_app = shop.api.create_application(name="other")
    stranger = {"Authorization": f"ApiKey-v1 {shop.api.create_integration_key(other_app['id'])}"}
    elsewhere = shop.api.client.post(f"{SESSIONS}/s-1/returns", json=body, headers=stranger)
    envelope(elsewhere, 404)  # the session is another application's
    envelope(shop.give_back([{"position": 0}], name="nobody"), 404)
    envelope(shop.give_back([{"position": 0}], name="nobody", key="k-404"), 404)
    assert shop.get()["customerSession"]["state"] == "closed"


# Idempotency keys ----------------------------------------------------------------------------------


def test_the_same_key_and_body_get_the_same_answer_text(shop: Shop) -> None:
    shop.close()
    items = [{"position": 1, "quantity": 1}]
    first = shop.give_back(items, *ALL, key="k-1")
    assert first.status_code == 200, first.text
    shop.give_back([{"position": 1, "quantity": 1}])  # the session moves on
    again = shop.give_back(items, *ALL, key="k-1")
    assert again.status_code == 200
    assert again.headers["content-type"] == "application/json"
    assert again.text == first.text
    assert again.json()["customerSession"]["cartItems"][1]["returnedQuantity"] == 1
    assert shop.get()["customerSession"]["cartItems"][1]["returnedQuantity"] == 2
    # The same key with another body, query or response content is refused.
    for other in (
        shop.give_back([{"position": 1, "quantity": 1}], key="k-1"),
        shop.give_back([{"position": 0, "quantity": 1}], *ALL, key="k-1"),
        shop.give_back(items, *ALL, key="k-1", runRuleEngine="true"),
    ):
        refused = envelope(other, 422)
        assert refused["errors"][0]["source"] == {"parameter": "Idempotency-Key"}
    assert shop.get()["customerSession"]["cartItems"][1]["returnedQuantity"] == 2


def test_a_dry_request_with_a_key_keeps_no_answer(shop: Shop) -> None:
    shop.close()
    dry = shop.give_back([{"position": 1, "quantity": 3}], key="k-1", dry="true")
    assert dry.status_code == 200, dry.text
    real = shop.give_back([{"position": 1, "quantity": 1}], key="k-1")
    assert real.status_code == 200, real.text
    assert real.json()["return"]["returnedCartItems"][0]["quantity"] == 1


def test_idempotency_keys_have_1_to_255_characters(shop: Shop) -> None:
    shop.close()
    items = [{"position": 1, "quantity": 1}]
    too_long = envelope(shop.give_back(items, key="k" * 256), 400)
    assert too_long["errors"][0]["source"] == {"parameter": "Idempotency-Key"}
    empty = envelope(shop.give_back(items, key=""), 400)
    assert empty["errors"][0]["source"] == {"parameter": "Idempotency-Key"}
    assert shop.get()["customerSession"]["state"] == "closed"
    longest = shop.give_back(items, key="k" * 255)
    assert longest.status_code == 200, longest.text
    assert shop.give_back(items, key="k" * 255).text == longest.text


def test_a_key_expires_after_24_hours(shop: Shop) -> None:
    shop.close()
    items = [{"position": 1, "quantity": 1}]
    first = shop.give_back(items, "previousReturns", key="k-1")
    shop.api.clock.advance(timedelta(hours=24, seconds=1))
    anew = shop.give_back(items, "previousReturns", key="k-1")
    assert anew.status_code == 200, anew.text
    assert anew.json()["return"]["id"] != first.json()["return"]["id"]
    assert anew.json()["previousReturns"] == [first.json()["return"]]


def test_a_key_used_for_one_session_does_not_answer_for_another(shop: Shop) -> None:
    shop.close("s-1")
    shop.close("s-2")
    items = [{"position": 1, "quantity": 1}]
    first = shop.give_back(items, key="k-1", name="s-1")
    assert first.status_code == 200, first.text
    other = shop.give_back(items, key="k-1", name="s-2")
    if other.status_code == 200:
        assert other.json()["return"]["sessionIntegrationId"] == "s-2"
        assert shop.get("s-2")["customerSession"]["state"] == "partially_returned"
    else:
        envelope(other, 422)
