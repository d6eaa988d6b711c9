"""Effects as the wire carries them (``Effect``), and the rollback effects that undo them when a
closed session is cancelled, reopened or returned (semantics §3.1).

Only what a closed session committed is rolled back: coupon and referral redemptions
(``rollbackCoupon``, ``rollbackReferral``) and discounts, whose budgets are given back
(``rollbackDiscount``, with the item's or additional cost's place). Creations of codes,
attribute updates, free items, notifications, custom effects and the rest stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "DISCOUNTS",
    "PER_ITEM_DISCOUNTS",
    "Effect",
    "EffectType",
    "granted_total",
    "rollback_of",
    "rollbacks",
]


class EffectType(StrEnum):
    ACCEPT_COUPON = "acceptCoupon"
    REJECT_COUPON = "rejectCoupon"
    ACCEPT_REFERRAL = "acceptReferral"
    REJECT_REFERRAL = "rejectReferral"
    SET_DISCOUNT = "setDiscount"
    SET_DISCOUNT_PER_ITEM = "setDiscountPerItem"
    SET_DISCOUNT_PER_ADDITIONAL_COST = "setDiscountPerAdditionalCost"
    SET_DISCOUNT_PER_ADDITIONAL_COST_PER_ITEM = "setDiscountPerAdditionalCostPerItem"
    ADD_FREE_ITEM = "addFreeItem"
    SHOW_NOTIFICATION = "showNotification"
    UPDATE_ATTRIBUTE = "updateAttribute"
    UPDATE_CART_ITEM_ATTRIBUTE = "updateCartItemAttribute"
    CUSTOM_EFFECT = "customEffect"
    ROLLBACK_COUPON = "rollbackCoupon"
    ROLLBACK_REFERRAL = "rollbackReferral"
    ROLLBACK_DISCOUNT = "rollbackDiscount"


@dataclass(frozen=True, slots=True)
class Effect:
    """``Effect``: which campaign, ruleset and rule produced it, and its props."""

    campaign_id: int
    ruleset_id: int
    rule_index: int
    rule_name: str
    effect_type: str
    props: Mapping[str, object]
    triggered_by_coupon: int | None = None
    condition_index: int | None = None
    evaluation_group_id: int | None = None
    evaluation_group_mode: str | None = None


PER_ITEM_DISCOUNTS = frozenset(
    {EffectType.SET_DISCOUNT_PER_ITEM, EffectType.SET_DISCOUNT_PER_ADDITIONAL_COST_PER_ITEM}
)
DISCOUNTS = PER_ITEM_DISCOUNTS | {
    EffectType.SET_DISCOUNT,
    EffectType.SET_DISCOUNT_PER_ADDITIONAL_COST,
}


def granted_total(effect: Effect) -> Decimal:
    """What a discount effect granted in all: ``totalDiscount`` when it differs from
    ``value`` (a per-unit price discount), else ``value``."""
    return Decimal(str(effect.props.get("totalDiscount", effect.props["value"])))


# RollbackDiscountEffectProps names the discounted place as the discount named it.
_PLACES = {
    "position": "cartItemPosition",
    "subPosition": "cartItemSubPosition",
    "additionalCostId": "additionalCostId",
    "additionalCost": "additionalCost",
    "scope": "scope",
}


def rollback_of(effect: Effect) -> Effect | None:
    """The effect that undoes ``effect``, or None when it is not rolled back."""
    props = effect.props
    if effect.effect_type == EffectType.ACCEPT_COUPON:
        return _as(effect, EffectType.ROLLBACK_COUPON, {"value": props["value"]})
    if effect.effect_type == EffectType.ACCEPT_REFERRAL:
        return _as(effect, EffectType.ROLLBACK_REFERRAL, {"value": props["value"]})
    if effect.effect_type in DISCOUNTS:
        rolled: dict[str, object] = {"name": props["name"], "value": props["value"]}
        rolled |= {_PLACES[key]: props[key] for key in _PLACES if key in props}
        return _as(effect, EffectType.ROLLBACK_DISCOUNT, rolled)
    return None


def rollbacks(effects: Iterable[Effect]) -> list[Effect]:
    """The rollbacks of the effects a closed session committed, in their order."""
    return [rolled for effect in effects if (rolled := rollback_of(effect)) is not None]


def _as(effect: Effect, effect_type: EffectType, props: Mapping[str, object]) -> Effect:
    return replace(effect, effect_type=str(effect_type), props=props)
