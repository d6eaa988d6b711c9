"""The values rules read, checked by running real rules on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from perks.domain.campaigns import Campaign
from perks.domain.coupons import Coupon
from perks.domain.customer_sessions import CartItem, CustomerSession
from perks.domain.discounts import Remaining, SessionScope
from perks.domain.rule_bindings import (
    ProfileView,
    SessionView,
    application_binding,
    campaign_binding,
    coupon_binding,
    event_binding,
    profile_binding,
    session_binding,
)
from perks.domain.rules import run_rules
from perks.domain.rulesets import Rule, RulesetSpec, compile_ruleset
from perks.domain.vocabulary import RULE_SCHEMA, rules_registry
from perks.talang import check

D = Decimal
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SESSION = CustomerSession(
    integration_id="s-1",
    profile_id="alice",
    coupon_codes=("WELCOME10",),
    cart_items=(
        CartItem(sku="SHOE-1", quantity=2, price=D("60"), category="shoes", position=0),
        CartItem(
            sku="MUG",
            quantity=1,
            price=D("10"),
            category="kitchen",
            position=1,
            attributes={"gift": True},
            additional_costs={"wrap": D("2")},
        ),
    ),
    additional_costs={"shipping": D("4.99")},
    attributes={"channel": "web"},
    update_count=3,
    created=NOW - timedelta(hours=1),
    updated=NOW,
)
CAMPAIGN = Campaign(name="Autumn", id=3, tags=("autumn",), attributes={"weight": D("0.5")})
COUPON = Coupon(usage_limit=5, id=9, campaign_id=3, value="WELCOME10", discount_limit=D(50))


def _bindings(view: SessionView, remaining: Remaining | None = None) -> dict[str, Any]:
    return {
        "Session": session_binding(view, remaining),
        "Profile": profile_binding(ProfileView("alice", id=4, closed_sessions=2)),
        "Event": event_binding("talon_session_updated", view, created=NOW, attributes={}),
        "Campaign": campaign_binding(CAMPAIGN),
        "Coupon": coupon_binding(COUPON, valid=True),
        "Application": application_binding(1, {"region": "eu"}, {"shipping": 7}),
        "Now": NOW,
        "Timezone": "Europe/Berlin",
    }


def _run(rule: Rule, bindings: dict[str, Any]) -> list[dict[str, Any]]:
    compiled = compile_ruleset(RulesetSpec(rules=(rule,)), rules_registry(), RULE_SCHEMA)
    (run,) = run_rules(compiled, bindings)
    assert run.triggered, run
    return [dict(record) for record in run.records]


def test_every_binding_has_exactly_the_schemas_fields() -> None:
    bindings = _bindings(SessionView(SESSION, id=11))
    for name in ("Session", "Profile", "Event", "Campaign", "Coupon", "Application"):
        fields: Any = RULE_SCHEMA[name]
        assert set(bindings[name]) == set(fields), name
    item_fields: Any = RULE_SCHEMA["Item"]
    assert set(bindings["Session"]["CartItems"][0]) == set(item_fields)


def test_session_totals_and_fields() -> None:
    session = _bindings(SessionView(SESSION, id=11))["Session"]
    assert (session["Total"], session["CartItemTotal"], session["AdditionalCostTotal"]) == (
        D("136.99"),
        D("130"),
        D("6.99"),
    )
    assert session["DiscountedTotal"] == session["Total"]
    assert session["UpdateCount"] == D(3)
    assert session["AdditionalCosts"] == {"shipping": {"Price": D("4.99")}}
    assert [item["Position"] for item in session["CartItems"]] == [D(0), D(1)]


def test_flattened_items_are_units_and_discounted_values_follow_remaining() -> None:
    view = SessionView(SESSION, flattened=True)
    remaining = Remaining.of(
        SESSION.cart_items, dict(SESSION.additional_costs), currency="EUR", flattened=True
    )
    remaining.session_discount(D("13"), SessionScope.CART_ITEMS)
    session = session_binding(view, remaining)
    units = session["CartItems"]
    assert isinstance(units, list)
    assert [(u["Position"], u["SubPosition"], u["Quantity"]) for u in units] == [
        (D(0), D(0), D(1)),
        (D(0), D(1), D(1)),
        (D(1), D(0), D(1)),
    ]
    assert sum(u["DiscountedPrice"] for u in units) == D("117.00")
    assert session["DiscountedCartItemsTotal"] == D("117.00")
    assert session["DiscountedTotal"] == D("123.99")


def test_real_rules_read_the_bindings() -> None:
    bindings = _bindings(SessionView(SESSION))
    shoes = ["=", [".", "Item", "Category"], "shoes"]
    records = _run(
        Rule(
            "20% off shoes with a coupon, for returning customers",
            [
                "and",
                ["couponValid"],
                [">", [".", "Profile", "ClosedSessions"], 1],
                ["exists", [".", "Session", "CartItems"], [["Item"], shoes]],
                ["=", [".", "Session", "Attributes", "channel"], "web"],
            ],
            [
                [
                    "map",
                    ["filter", [".", "Session", "CartItems"], [["Item"], shoes]],
                    [
                        ["Item"],
                        ["setDiscountPerItem", "shoes", ["*", [".", "Item", "Price"], D("0.2")]],
                    ],
                ],
                ["setDiscountPerAdditionalCost", "free shipping", "shipping", D("4.99")],
            ],
        ),
        bindings,
    )
    assert [r["effectType"] for r in records] == [
        "acceptCoupon",
        "setDiscountPerItem",
        "setDiscountPerAdditionalCost",
    ]
    assert records[1]["props"] == {"name": "shoes#0", "value": D("12.0"), "position": D(0)}
    assert records[2]["props"]["additionalCostId"] == D(7)


def test_campaign_coupon_and_time_bindings() -> None:
    bindings = _bindings(SessionView(SESSION))
    records = _run(
        Rule(
            "weighted",
            [
                "and",
                ["=", [".", "Coupon", "Value"], "WELCOME10"],
                [">", [".", "Coupon", "DiscountRemainder"], 0],
                ["exists", [".", "Campaign", "Tags"], [["Tag"], ["=", [".", "Tag"], "autumn"]]],
            ],
            [["setDiscount", "w", ["*", [".", "Campaign", "Attributes", "weight"], 10]]],
        ),
        bindings,
    )
    assert records == [{"effectType": "setDiscount", "props": {"name": "w", "value": D("5.0")}}]
    assert check([".", "Session", "Totl"], registry=rules_registry(), schema=RULE_SCHEMA)
