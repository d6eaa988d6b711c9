"""Turning one triggered rule's records into effects: discounts capped by what is left of their
scope and by the campaign's budgets (partial discounts when the application allows them),
counted effects checked against their limits, and the counter deltas they cause.

A rule is all or nothing: when one of its effects cannot be applied (a budget without partial
discounts, a cart line that does not exist), none of its effects is, and the failing index is
the rule's ``effectIndex``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from perks.domain.budgets import (
    CounterKey,
    Subjects,
    counter_keys,
    coupon_discount_key,
    missing_entities,
)
from perks.domain.coupon_validation import own_limits
from perks.domain.coupons import Coupon
from perks.domain.discounts import Granted, ItemScope, Remaining, SessionScope
from perks.domain.effects import PER_ITEM_DISCOUNTS, Effect, EffectType
from perks.domain.evaluation._state import EvaluationInput, RunnableCampaign
from perks.domain.limits import LimitConfig

__all__ = [
    "Applied",
    "RuleContext",
    "apply_records",
    "budget_deltas",
    "line_of",
]

ZERO = Decimal(0)
_COUNTED: dict[str, str] = {
    EffectType.ADD_FREE_ITEM: "addFreeItemEffect",
    EffectType.CUSTOM_EFFECT: "customEffect",
}


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Where the records come from, and what their budgets are counted against."""

    inp: EvaluationInput
    run: RunnableCampaign
    rule_index: int
    rule_name: str
    subjects: Subjects
    coupon: Coupon | None
    counters: Mapping[CounterKey, Decimal]  # committed plus this evaluation's deltas
    group_id: int | None = None
    group_mode: str | None = None
    caps: dict[CounterKey, Decimal] | None = None  # each moved counter's limit, recorded
    item_owners: Mapping[tuple[int, int | None], int] | None = None  # cartItem-scoped groups

    def effect(self, effect_type: str, props: Mapping[str, object]) -> Effect:
        return Effect(
            campaign_id=self.run.campaign.id,
            ruleset_id=self.run.ruleset_id,
            rule_index=self.rule_index,
            rule_name=self.rule_name,
            effect_type=str(effect_type),
            props=props,
            triggered_by_coupon=None if self.coupon is None else self.coupon.id,
            evaluation_group_id=self.group_id,
            evaluation_group_mode=self.group_mode,
        )

    def limits(self, action: str) -> tuple[LimitConfig, ...]:
        """The campaign's limits of ``action``, then the coupon's own."""
        campaign = self.run.limits.get(action, ())
        if self.coupon is None or not self.coupon.limits:
            return campaign
        own = (limit for limit in own_limits(self.coupon) if limit.action == action)
        return (*campaign, *own)


@dataclass(frozen=True, slots=True)
class Applied:
    effects: tuple[Effect, ...]
    deltas: Mapping[CounterKey, Decimal]
    failed_effect: int | None = None
    details: str | None = None


class _NotApplied(Exception):
    pass


def apply_records(
    records: Sequence[Mapping[str, object]], context: RuleContext, remaining: Remaining
) -> Applied:
    """The effects of one triggered rule, taken from ``remaining`` (changed only when every
    effect applies: the caller passes a copy and adopts it on success)."""
    effects: list[Effect] = []
    deltas: dict[CounterKey, Decimal] = {}
    for index, record in enumerate(records):
        effect_type = str(record["effectType"])
        props = dict(record["props"])  # type: ignore[call-overload]
        try:
            effect = _apply(effect_type, props, context, remaining, deltas)
        except _NotApplied as error:
            return Applied((), {}, failed_effect=index, details=str(error))
        if effect is not None:
            effects.append(effect)
    return Applied(tuple(effects), deltas)


def _apply(
    effect_type: str,
    props: dict[str, object],
    context: RuleContext,
    remaining: Remaining,
    deltas: dict[CounterKey, Decimal],
) -> Effect | None:
    if effect_type.startswith("setDiscount"):
        return _discount(effect_type, props, context, remaining, deltas)
    action = _COUNTED.get(effect_type)  # EffectType is a StrEnum: its members are str keys
    if action is not None:
        _count(context, action, deltas)
    return context.effect(effect_type, props)


def _discount(
    effect_type: str,
    props: dict[str, object],
    context: RuleContext,
    remaining: Remaining,
    deltas: dict[CounterKey, Decimal],
) -> Effect | None:
    desired = _decimal(props["value"])
    budget = _budget_left(context, "setDiscount", deltas)
    gift_card = _gift_card(context)
    if gift_card is not None:  # a coupon's own discount budget (a gift card's balance)
        key, balance = gift_card
        left = balance - _counter(context, key, deltas)  # less what this session took
        budget = left if budget is None else min(budget, left)
    asked = desired
    if budget is not None and budget < desired:
        if not context.inp.settings.partial_discounts:
            raise _NotApplied("the campaign's discount budget is exhausted")
        asked = max(budget, ZERO)
    if not _owns_line(effect_type, props, context):
        return None  # another campaign of the cartItem-scoped group discounts this item
    effects_left = _budget_left(context, "setDiscountEffect", deltas)
    if effects_left is not None and effects_left < 1:  # checked before anything is taken
        raise _NotApplied("the campaign's setDiscountEffect limit is reached")
    granted = _grant(effect_type, props, context, remaining, asked)
    if granted.value <= 0:
        return None
    _add(context, "setDiscountEffect", Decimal(1), deltas)
    _add(context, "setDiscount", granted.total, deltas)
    if gift_card is not None:
        key, _ = gift_card
        deltas[key] = deltas.get(key, ZERO) + granted.total  # the close checks the limit
    written = {**props, "value": granted.value}
    if "totalDiscount" in written or granted.total != granted.value:
        written["totalDiscount"] = granted.total
    if asked < desired:
        written["desiredValue"] = remaining.money(desired)
    return context.effect(effect_type, written)


def _decimal(value: object) -> Decimal:
    """A number of the records (Talang gives Decimals)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _owns_line(effect_type: str, props: Mapping[str, object], context: RuleContext) -> bool:
    """Whether the campaign may discount the effect's cart line: always, outside groups of
    the cartItem scope; inside one, only the campaign the group's mode chose for the line."""
    owners = context.item_owners
    if owners is None or effect_type not in PER_ITEM_DISCOUNTS:
        return True
    line = line_of(props, context.inp.settings.flattened)
    return owners.get(line) == context.run.campaign.id


def _gift_card(context: RuleContext) -> tuple[CounterKey, Decimal] | None:
    """The coupon's discount counter and its balance, when the coupon has a discount limit."""
    coupon = context.coupon
    if coupon is None or coupon.discount_remainder is None:
        return None
    return coupon_discount_key(context.run.campaign.id, coupon.id), coupon.discount_remainder


def _grant(
    effect_type: str,
    props: Mapping[str, object],
    context: RuleContext,
    remaining: Remaining,
    asked: Decimal,
) -> Granted:
    settings = context.inp.settings
    scope = str(props.get("scope") or "")
    try:
        if effect_type == EffectType.SET_DISCOUNT:
            session_scope = SessionScope(scope) if scope else settings.default_scope
            return remaining.session_discount(asked, session_scope)
        if effect_type == EffectType.SET_DISCOUNT_PER_ITEM:
            item_scope = ItemScope(scope) if scope else settings.default_item_scope
            return remaining.item_discount(line_of(props, settings.flattened), asked, item_scope)
        name = str(props["additionalCost"])
        if effect_type == EffectType.SET_DISCOUNT_PER_ADDITIONAL_COST:
            return remaining.additional_cost_discount(name, asked)
        key = line_of(props, settings.flattened)
        return remaining.additional_cost_discount(name, asked, key)
    except KeyError as error:
        raise _NotApplied(f"no cart item at position {error}") from None


def line_of(props: Mapping[str, object], flattened: bool) -> tuple[int, int | None]:
    """The cart line (position, and unit once flattened) a per-item effect names."""
    position = int(Decimal(str(props["position"])))
    sub = props.get("subPosition")
    return position, (int(Decimal(str(sub))) if flattened and sub is not None else None)


def _keys(context: RuleContext, limit: LimitConfig) -> tuple[CounterKey, ...] | None:
    """The counters of ``limit`` for this session; None when an entity is missing."""
    if missing_entities(limit, context.subjects):
        return None
    settings = context.inp.settings
    return counter_keys(
        context.run.campaign.id,
        limit,
        context.subjects,
        now=settings.now,
        timezone=settings.timezone,
    )


def _counter(
    context: RuleContext, key: CounterKey, deltas: Mapping[CounterKey, Decimal]
) -> Decimal:
    return context.counters.get(key, ZERO) + deltas.get(key, ZERO)


def _budget_left(
    context: RuleContext, action: str, deltas: Mapping[CounterKey, Decimal]
) -> Decimal | None:
    """What the ``action``'s limits leave (None: no limit applies)."""
    left: Decimal | None = None
    for limit in context.limits(action):
        for key in _keys(context, limit) or ():
            room = limit.limit - _counter(context, key, deltas)
            left = room if left is None else min(left, room)
    return left


def _count(context: RuleContext, action: str, deltas: dict[CounterKey, Decimal]) -> None:
    left = _budget_left(context, action, deltas)
    if left is not None and left < 1:
        raise _NotApplied(f"the campaign's {action} limit is reached")
    _add(context, action, Decimal(1), deltas)


def _add(
    context: RuleContext, action: str, amount: Decimal, deltas: dict[CounterKey, Decimal]
) -> None:
    for limit in context.limits(action):
        for key in _keys(context, limit) or ():
            deltas[key] = deltas.get(key, ZERO) + amount
            if context.caps is not None:
                cap = context.caps.get(key)
                context.caps[key] = limit.limit if cap is None else min(cap, limit.limit)


def budget_deltas(context: RuleContext, action: str, amount: Decimal) -> dict[CounterKey, Decimal]:
    """The counters ``amount`` of ``action`` moves (a coupon redemption, ...)."""
    deltas: dict[CounterKey, Decimal] = {}
    _add(context, action, amount, deltas)
    return deltas
