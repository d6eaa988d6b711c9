"""Rollback effects: what a cancelled, reopened or returned session gives back, and what stays."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perks.domain.effects import Effect, EffectType, rollback_of, rollbacks


def _effect(effect_type: str, **props: object) -> Effect:
    return Effect(
        campaign_id=3,
        ruleset_id=7,
        rule_index=1,
        rule_name="10% off",
        effect_type=effect_type,
        props=props,
        triggered_by_coupon=9,
        evaluation_group_id=1,
        evaluation_group_mode="stackable",
    )


def test_redemptions_roll_back_by_value_and_keep_their_origin() -> None:
    coupon = rollback_of(_effect("acceptCoupon", value="XMAS"))
    assert coupon == _effect("rollbackCoupon", value="XMAS")
    referral = rollback_of(_effect("acceptReferral", value="FRIEND"))
    assert referral is not None
    assert (referral.effect_type, referral.props) == ("rollbackReferral", {"value": "FRIEND"})


@pytest.mark.parametrize(
    ("effect", "props"),
    [
        (
            _effect("setDiscount", name="10%", value=Decimal("12.50"), scope="sessionTotal"),
            {"name": "10%", "value": Decimal("12.50"), "scope": "sessionTotal"},
        ),
        (
            _effect(
                "setDiscountPerItem", name="half#1", value=Decimal(5), position=1, subPosition=0
            ),
            {
                "name": "half#1",
                "value": Decimal(5),
                "cartItemPosition": 1,
                "cartItemSubPosition": 0,
            },
        ),
        (
            _effect(
                "setDiscountPerAdditionalCost",
                name="free shipping",
                value=Decimal("4.99"),
                additionalCostId=3,
                additionalCost="shipping",
            ),
            {
                "name": "free shipping",
                "value": Decimal("4.99"),
                "additionalCostId": 3,
                "additionalCost": "shipping",
            },
        ),
        (
            _effect(
                "setDiscountPerAdditionalCostPerItem",
                name="s",
                value=Decimal(1),
                additionalCostId=3,
                additionalCost="shipping",
                position=2,
            ),
            {
                "name": "s",
                "value": Decimal(1),
                "additionalCostId": 3,
                "additionalCost": "shipping",
                "cartItemPosition": 2,
            },
        ),
    ],
)
def test_discounts_roll_back_with_their_place(effect: Effect, props: dict[str, object]) -> None:
    rolled = rollback_of(effect)
    assert rolled is not None
    assert rolled.effect_type == EffectType.ROLLBACK_DISCOUNT
    assert rolled.props == props
    assert (rolled.campaign_id, rolled.rule_index, rolled.triggered_by_coupon) == (3, 1, 9)


@pytest.mark.parametrize(
    "effect_type",
    [
        "addFreeItem",
        "showNotification",
        "updateAttribute",
        "updateCartItemAttribute",
        "customEffect",
        "rejectCoupon",
        "couponCreated",
        "rollbackDiscount",
    ],
)
def test_what_is_never_rolled_back(effect_type: str) -> None:
    assert rollback_of(_effect(effect_type, value="x", name="n")) is None


def test_rollbacks_keep_the_order_of_the_committed_effects() -> None:
    committed = [
        _effect("acceptCoupon", value="XMAS"),
        _effect("setDiscount", name="10%", value=Decimal(12)),
        _effect("addFreeItem", sku="TOTE", name="Tote"),
        _effect("showNotification", notificationType="info", title="t", body="b"),
    ]
    assert [e.effect_type for e in rollbacks(committed)] == ["rollbackCoupon", "rollbackDiscount"]
