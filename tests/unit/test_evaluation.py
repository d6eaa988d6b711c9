"""One evaluation end to end in the domain: running campaigns, the tree's modes, coupons and
their reasons, discounts capped by the cart and by budgets, cascading, counter deltas."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from perks.domain.budgets import CounterChange, CounterKey
from perks.domain.campaigns import Campaign, CampaignState
from perks.domain.coupons import Coupon
from perks.domain.customer_sessions import CartItem, CustomerSession
from perks.domain.evaluation import (
    Evaluation,
    EvaluationInput,
    RunnableCampaign,
    Settings,
    evaluate,
)
from perks.domain.evaluation_groups import EvaluationGroup, EvaluationMode, GroupNode
from perks.domain.limits import LimitConfig
from perks.domain.rule_bindings import ProfileView, SessionView
from perks.domain.rulesets import Rule, RulesetSpec, compile_ruleset
from perks.domain.vocabulary import RULE_SCHEMA, rules_registry

D = Decimal
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TOTAL = [".", "Session", "Total"]
SETTINGS = Settings(application_id=1, currency="EUR", timezone="UTC", now=NOW)
CART = (
    CartItem(sku="SHOE", quantity=1, price=D("80"), category="shoes", position=0),
    CartItem(sku="MUG", quantity=2, price=D("10"), category="kitchen", position=1),
)


def _session(*codes: str, profile: str = "alice") -> SessionView:
    return SessionView(
        CustomerSession(
            integration_id="s-1", profile_id=profile, coupon_codes=codes, cart_items=CART
        )
    )


def _campaign(
    campaign_id: int, *rules: Rule, limits: tuple[LimitConfig, ...] = (), **changes: Any
) -> RunnableCampaign:
    campaign = Campaign(name=f"c{campaign_id}", id=campaign_id, limits=limits, **changes)
    spec = RulesetSpec(rules=rules)
    return RunnableCampaign(
        campaign, 100 + campaign_id, compile_ruleset(spec, rules_registry(), RULE_SCHEMA)
    )


def _discount(name: str, value: Any, *condition: Any) -> Rule:
    return Rule(
        name, ["and", *condition] if condition else ["and", True], [["setDiscount", name, value]]
    )


def _group(group_id: int, mode: EvaluationMode, *elements: GroupNode | int) -> GroupNode:
    return GroupNode(
        EvaluationGroup(name=f"g{group_id}", parent_id=None, evaluation_mode=mode, id=group_id),
        elements,
    )


def _coupon(coupon_id: int, campaign_id: int, value: str, **changes: Any) -> Coupon:
    return Coupon(
        usage_limit=changes.pop("usage_limit", 0),
        id=coupon_id,
        campaign_id=campaign_id,
        value=value,
        **changes,
    )


def _evaluate(
    *runs: RunnableCampaign,
    tree: GroupNode | None = None,
    session: SessionView | None = None,
    coupons: tuple[Coupon, ...] = (),
    settings: Settings = SETTINGS,
    **changes: Any,
) -> Evaluation:
    return evaluate(
        EvaluationInput(
            settings=settings,
            session=session or _session(),
            profile=ProfileView("alice"),
            tree=tree or _group(1, EvaluationMode.STACKABLE, *(run.campaign.id for run in runs)),
            campaigns={run.campaign.id: run for run in runs},
            coupons={coupon.value: coupon for coupon in coupons},
            **changes,
        )
    )


def _summary(evaluation: Evaluation) -> list[tuple[int, str, dict[str, Any]]]:
    return [(e.campaign_id, e.effect_type, dict(e.props)) for e in evaluation.effects]


def test_stackable_campaigns_all_apply_in_tree_order() -> None:
    result = _evaluate(
        _campaign(1, _discount("ten", 10)),
        _campaign(2, _discount("five", 5, [">", TOTAL, 50])),
        _campaign(3, _discount("never", 5, [">", TOTAL, 500])),
    )
    assert _summary(result) == [
        (1, "setDiscount", {"name": "ten", "value": D("10.00")}),
        (2, "setDiscount", {"name": "five", "value": D("5.00")}),
    ]
    assert result.triggered_campaigns == (1, 2)
    (failure,) = result.rule_failures
    assert (failure.campaign_id, failure.rule_index, failure.condition_index) == (3, 0, 0)


def test_a_valid_coupon_is_accepted_before_the_rules_effects_and_redeemed() -> None:
    limit = LimitConfig("redeemCoupon", D(100), (), None)
    run = _campaign(1, _discount("10%", ["*", TOTAL, D("0.1")], ["couponValid"]), limits=(limit,))
    result = _evaluate(run, session=_session("XMAS"), coupons=(_coupon(9, 1, "XMAS"),))
    assert _summary(result) == [
        (1, "acceptCoupon", {"value": "XMAS"}),
        (1, "setDiscount", {"name": "10%", "value": D("10.00")}),
    ]
    assert all(e.triggered_by_coupon == 9 for e in result.effects)
    assert result.redeemed_coupons == (9,)
    assert result.deltas == {CounterKey(1, "redeemCoupon", (), ""): D(1)}
    assert result.changes() == [CounterChange(CounterKey(1, "redeemCoupon", (), ""), D(1), D(100))]


def test_coupon_rejections_name_their_reason() -> None:
    run = _campaign(1, _discount("10%", 10, ["couponValid"], [">", TOTAL, 500]))
    other = _campaign(2, _discount("x", 1, ["couponValid"]), state=CampaignState.DISABLED)
    coupons = (
        _coupon(9, 1, "OLD", expiry_date=NOW - timedelta(days=1)),
        _coupon(10, 1, "GOOD"),
        _coupon(11, 2, "OFF"),
    )
    result = _evaluate(run, other, session=_session("OLD", "GOOD", "OFF", "NOPE"), coupons=coupons)
    rejected = {e.props["value"]: (e.campaign_id, dict(e.props)) for e in result.effects}
    assert rejected["OLD"][1]["rejectionReason"] == "CouponExpired"
    assert rejected["GOOD"][1] == {
        "value": "GOOD",
        "rejectionReason": "CouponRejectedByCondition",
        "conditionIndex": 1,
    }
    assert rejected["OFF"] == (
        2,
        {"value": "OFF", "rejectionReason": "CouponPartOfNotRunningCampaign"},
    )
    assert rejected["NOPE"] == (-1, {"value": "NOPE", "rejectionReason": "CouponNotFound"})
    assert result.redeemed_coupons == ()


def test_discounts_are_capped_by_what_is_left() -> None:
    result = _evaluate(_campaign(1, _discount("big", 90)), _campaign(2, _discount("more", 50)))
    assert [e.props["value"] for e in result.effects] == [D("90.00"), D("10.00")]


def test_a_discount_budget_without_partial_discounts_fails_the_rule_and_the_coupon() -> None:
    budget = LimitConfig("setDiscount", D(15), (), None)
    spent = {CounterKey(1, "setDiscount", (), ""): D(10)}
    run = _campaign(1, _discount("20 off", 20, ["couponValid"]), limits=(budget,))
    result = _evaluate(
        run, session=_session("XMAS"), coupons=(_coupon(9, 1, "XMAS"),), counters=spent
    )
    assert _summary(result) == [
        (
            1,
            "rejectCoupon",
            {"value": "XMAS", "rejectionReason": "EffectCouldNotBeApplied", "effectIndex": 1},
        )
    ]
    (failure,) = result.rule_failures
    assert failure.effect_index == 1
    partial = replace(SETTINGS, partial_discounts=True)
    granted = _evaluate(
        run,
        session=_session("XMAS"),
        coupons=(_coupon(9, 1, "XMAS"),),
        counters=spent,
        settings=partial,
    )
    assert _summary(granted)[1] == (
        1,
        "setDiscount",
        {"name": "20 off", "value": D("5.00"), "desiredValue": D("20.00")},
    )
    assert granted.deltas[CounterKey(1, "setDiscount", (), "")] == D("5.00")
    assert granted.changes() == [
        CounterChange(CounterKey(1, "setDiscount", (), ""), D("5.00"), D(15))
    ]


def test_list_order_stops_at_the_first_campaign_that_applies() -> None:
    tree = _group(1, EvaluationMode.STACKABLE, _group(2, EvaluationMode.LIST_ORDER, 1, 2, 3))
    result = _evaluate(
        _campaign(1, _discount("no", 1, [">", TOTAL, 500])),
        _campaign(2, _discount("first", 3)),
        _campaign(3, _discount("second", 7, ["couponValid"])),
        tree=tree,
        session=_session("LATE"),
        coupons=(_coupon(9, 3, "LATE"),),
    )
    assert _summary(result) == [
        (2, "setDiscount", {"name": "first", "value": D("3.00")}),
        (
            3,
            "rejectCoupon",
            {
                "value": "LATE",
                "rejectionReason": "CouponPartOfNotTriggeredCampaign",
                "campaignExclusionReason": "CampaignNotEvaluatedBecauseOfListOrder",
            },
        ),
    ]
    assert result.effects[0].evaluation_group_id == 2
    assert result.effects[0].evaluation_group_mode == "listOrder"


def test_highest_and_lowest_discount_keep_one_campaign() -> None:
    runs = (
        _campaign(1, _discount("small", 5)),
        _campaign(2, _discount("big", 12, ["couponValid"])),
        _campaign(3, _discount("mid", 8)),
    )
    coupons = (_coupon(9, 2, "BIG"),)
    highest = _evaluate(
        *runs,
        tree=_group(1, EvaluationMode.HIGHEST_DISCOUNT, 1, 2, 3),
        session=_session("BIG"),
        coupons=coupons,
    )
    assert [(c, t) for c, t, _ in _summary(highest)] == [(2, "acceptCoupon"), (2, "setDiscount")]
    assert highest.redeemed_coupons == (9,)
    lowest = _evaluate(
        *runs,
        tree=_group(1, EvaluationMode.LOWEST_DISCOUNT, 1, 2, 3),
        session=_session("BIG"),
        coupons=coupons,
    )
    assert _summary(lowest) == [
        (1, "setDiscount", {"name": "small", "value": D("5.00")}),
        (
            2,
            "rejectCoupon",
            {
                "value": "BIG",
                "rejectionReason": "CouponPartOfNotTriggeredCampaign",
                "campaignExclusionReason": "CampaignGaveHigherDiscount",
            },
        ),
    ]
    assert lowest.redeemed_coupons == ()


def test_cascading_lets_later_campaigns_see_discounted_totals() -> None:
    half = Rule(
        "half",
        ["and", True],
        [["setDiscount", "half", ["/", [".", "Session", "DiscountedTotal"], 2]]],
    )
    runs = (_campaign(1, _discount("ten", 10)), _campaign(2, half))
    flat = _evaluate(*runs)
    cascading = _evaluate(*runs, settings=replace(SETTINGS, cascading=True))
    assert [e.props["value"] for e in flat.effects] == [D("10.00"), D("50.00")]
    assert [e.props["value"] for e in cascading.effects] == [D("10.00"), D("45.00")]


def test_running_campaigns_and_dry_run_selections() -> None:
    later = _campaign(1, _discount("later", 1), start_time=NOW + timedelta(days=1))
    disabled = _campaign(2, _discount("off", 2), state=CampaignState.DISABLED)
    store = _campaign(3, _discount("berlin", 3), linked_store_ids=(5,))
    assert _evaluate(later, disabled, store).effects == ()
    in_berlin = SessionView(replace(_session().session, store_integration_id="berlin"))
    berlin = _evaluate(
        later,
        disabled,
        store,
        session=in_berlin,
        settings=replace(SETTINGS, store_ids={"berlin": 5}),
    )
    assert [e.campaign_id for e in berlin.effects] == [3]
    chosen = _evaluate(later, disabled, store, evaluable_campaign_ids=frozenset({1, 2}))
    assert [e.campaign_id for e in chosen.effects] == [1, 2]
    tomorrow = _evaluate(later, settings=replace(SETTINGS, now=NOW + timedelta(days=2)))
    assert [e.campaign_id for e in tomorrow.effects] == [1]


def test_per_item_discounts_and_counted_effects() -> None:
    shoes = ["=", [".", "Item", "Category"], "shoes"]
    per_item = Rule(
        "shoes",
        ["and", True],
        [
            [
                "map",
                ["filter", [".", "Session", "CartItems"], [["Item"], shoes]],
                [["Item"], ["setDiscountPerItem", "20%", ["*", [".", "Item", "Price"], D("0.2")]]],
            ],
            ["addFreeItem", "TOTE", "Tote"],
        ],
    )
    limit = LimitConfig("addFreeItemEffect", D(1), (), None)
    result = _evaluate(_campaign(1, per_item, limits=(limit,)))
    assert _summary(result) == [
        (1, "setDiscountPerItem", {"name": "20%#0", "value": D("16.00"), "position": D(0)}),
        (1, "addFreeItem", {"sku": "TOTE", "name": "Tote"}),
    ]
    assert result.deltas[CounterKey(1, "addFreeItemEffect", (), "")] == D(1)
    used = _evaluate(
        _campaign(1, per_item, limits=(limit,)),
        counters={CounterKey(1, "addFreeItemEffect", (), ""): D(1)},
    )
    assert used.effects == ()
    assert used.rule_failures[0].effect_index == 1
