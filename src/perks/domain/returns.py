"""Returns of a closed session's cart items (``returnCartItems``, semantics §4.8).

A return names cart items by ``position`` (and optionally their ``sku``, which must match)
with the quantity to take back (all that is left when it is omitted). The session becomes
``partially_returned``; its items count ``returnedQuantity`` and only their remaining
quantity counts in its totals from then on.

What the close committed for the returned items is rolled back: per-item discounts
(``setDiscountPerItem``, ``setDiscountPerAdditionalCostPerItem``) on returned units go back
whole, and a line's discount on some of its units goes back pro rata, in minor units that add
up. Their ``setDiscount`` budgets are given back by the same amounts, and a discount given
back whole no longer counts as a ``setDiscountEffect``. Session-wide discounts and coupon
redemptions stay: a return does not undo the order, only these items.

Flattened units are returned from the end of their line: with ``n`` units left, returning
``q`` takes back ``subPosition`` ``n - q`` to ``n - 1``, so that the units that stay keep
the numbers their effects were given at the close.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from perks.domain.budgets import COUPON_DISCOUNT, CounterChange
from perks.domain.customer_sessions import CartItem, CustomerSession, SessionState
from perks.domain.effects import (
    DISCOUNTS,
    PER_ITEM_DISCOUNTS,
    Effect,
    granted_total,
    rollback_of,
)
from perks.domain.errors import InvalidInput, Problem
from perks.domain.money import money

__all__ = [
    "CartReturn",
    "ReturnRequestItem",
    "ReturnSettlement",
    "ReturnedCartItem",
    "after_return",
    "resolve_return",
    "returned_value",
    "settle_reevaluation",
    "settle_return",
]

_AT = "/return/returnedCartItems"
_PLACES = ("position", "subPosition", "additionalCost", "scope")
_DISCOUNT_VALUE = "setDiscount"
_DISCOUNT_COUNT = "setDiscountEffect"


@dataclass(frozen=True, slots=True)
class ReturnRequestItem:
    """``ReturnedCartItem`` as a request names it."""

    position: int
    quantity: int | None = None  # None: all that is left
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnedCartItem:
    """``ReturnedCartItem`` as it is recorded: one per returned line."""

    position: int
    quantity: int
    sku: str


@dataclass(frozen=True, slots=True)
class CartReturn:
    """``Return``: one return request on a session."""

    application_id: int
    session_id: int
    session_integration_id: str
    profile_integration_id: str
    created: datetime
    returned_cart_items: tuple[ReturnedCartItem, ...]
    event_id: int = 0
    id: int = 0


def resolve_return(
    session: CustomerSession, asked: Sequence[ReturnRequestItem]
) -> tuple[ReturnedCartItem, ...]:
    """What ``asked`` returns, one entry per line in the order first named; every problem
    (no such position, another SKU, more than is left) is an ``InvalidInput`` at its pointer."""
    problems: list[Problem] = []
    if not asked:
        problems.append(Problem("invalid value", "name at least one cart item to return", _AT))
    wanted: dict[int, int] = {}
    for index, item in enumerate(asked):
        at = f"{_AT}/{index}"
        if not 0 <= item.position < len(session.cart_items):
            problems.append(_problem(f"{at}/position", _no_line(item.position, session)))
            continue
        line = session.cart_items[item.position]
        if item.sku is not None and item.sku != line.sku:
            details = f"the cart item at position {item.position} is {line.sku!r}, not {item.sku!r}"
            problems.append(_problem(f"{at}/sku", details))
            continue
        taken = wanted.get(item.position, 0)
        left = line.remaining_quantity - taken
        quantity = left if item.quantity is None else item.quantity
        if item.quantity is not None and item.quantity < 1:
            problems.append(_problem(f"{at}/quantity", "the quantity to return is at least 1"))
        elif quantity < 1 or quantity > left:
            details = f"{left} of the cart item at position {item.position} left to return"
            problems.append(_problem(f"{at}/quantity", details))
        else:
            wanted[item.position] = taken + quantity
    if problems:
        raise InvalidInput(problems)
    return tuple(
        ReturnedCartItem(position, quantity, session.cart_items[position].sku)
        for position, quantity in wanted.items()
    )


def after_return(
    session: CustomerSession, returned: Sequence[ReturnedCartItem], *, now: datetime
) -> CustomerSession:
    """The session with ``returned`` counted in its items' ``returnedQuantity``."""
    quantities = _quantities(returned)
    items = tuple(
        replace(item, returned_quantity=item.returned_quantity + quantities.get(item.position, 0))
        for item in session.cart_items
    )
    return replace(session, cart_items=items, state=SessionState.PARTIALLY_RETURNED, updated=now)


def returned_value(session: CustomerSession, returned: Sequence[ReturnedCartItem]) -> Decimal:
    """What the returned units were worth before discounts (price and additional costs): it
    leaves the profile's ``totalSales``."""
    by_position = {item.position: item for item in session.cart_items}
    return sum(
        (_unit_value(by_position[line.position]) * line.quantity for line in returned),
        Decimal(0),
    )


@dataclass(frozen=True, slots=True)
class ReturnSettlement:
    """The rollbacks of a return, the committed effects that stay (values cut), the budget
    changes that give back (negative deltas) and what the close's changes become."""

    rollbacks: tuple[Effect, ...]
    committed: tuple[Effect, ...]
    given_back: tuple[CounterChange, ...]
    committed_changes: tuple[CounterChange, ...]


def settle_return(
    before: CustomerSession,
    returned: Sequence[ReturnedCartItem],
    committed: Sequence[Effect],
    committed_changes: Sequence[CounterChange],
    *,
    currency: str,
) -> ReturnSettlement:
    """Roll back what the close committed for the returned units (see the module's doc)."""
    lines = {item.position: item for item in before.cart_items}
    quantities = _quantities(returned)
    return _settle(
        committed,
        committed_changes,
        lambda effect: _returned_share(effect, lines, quantities, currency),
    )


def settle_reevaluation(
    committed: Sequence[Effect],
    committed_changes: Sequence[CounterChange],
    reevaluated: Sequence[Effect],
    campaign_ids: Collection[int],
) -> ReturnSettlement:
    """After a return with ``runRuleEngine``, the discounts of the reevaluated campaigns that
    the smaller cart no longer earns, or earns less of, are rolled back by the difference; a
    return never adds a discount."""
    now_worth: dict[tuple[object, ...], Decimal] = {}
    for effect in reevaluated:
        if effect.effect_type in DISCOUNTS:
            key = _discount_key(effect)
            now_worth[key] = now_worth.get(key, Decimal(0)) + granted_total(effect)

    def share(effect: Effect) -> tuple[Decimal, Effect | None] | None:
        if effect.campaign_id not in campaign_ids or effect.effect_type not in DISCOUNTS:
            return None
        total = granted_total(effect)
        worth = min(total, now_worth.get(_discount_key(effect), Decimal(0)))
        if worth >= total:
            return None
        if worth <= 0:
            return total, None
        return total - worth, _with_total(effect, worth)

    return _settle(committed, committed_changes, share)


Share = Callable[[Effect], "tuple[Decimal, Effect | None] | None"]


def _settle(
    committed: Sequence[Effect], committed_changes: Sequence[CounterChange], share: Share
) -> ReturnSettlement:
    """Roll back each committed effect by its share (the amount given back and what stays of
    the effect, None when nothing stays) and give the budgets back by the same amounts."""
    kept: list[Effect] = []
    rolled_back: list[Effect] = []
    value_back: dict[int, Decimal] = {}
    effects_back: dict[int, int] = {}
    for effect in committed:
        portion = share(effect)
        if portion is None:
            kept.append(effect)
            continue
        amount, remainder = portion
        campaign = effect.campaign_id
        if amount > 0:
            rollback = rollback_of(replace(effect, props={**effect.props, "value": amount}))
            assert rollback is not None, "a discount has a rollback"
            rolled_back.append(rollback)
            value_back[campaign] = value_back.get(campaign, Decimal(0)) + amount
        if remainder is None:
            effects_back[campaign] = effects_back.get(campaign, 0) + 1
        else:
            kept.append(remainder)
    given_back: list[CounterChange] = []
    changes: list[CounterChange] = []
    for change in committed_changes:
        back = _given_back(change, value_back, effects_back)
        if back:
            given_back.append(CounterChange(change.key, -back))
        changes.append(CounterChange(change.key, change.delta - back))
    return ReturnSettlement(tuple(rolled_back), tuple(kept), tuple(given_back), tuple(changes))


def _discount_key(effect: Effect) -> tuple[object, ...]:
    props = effect.props
    return (
        effect.campaign_id,
        effect.rule_index,
        effect.effect_type,
        props.get("name"),
        *(str(props.get(place)) for place in _PLACES),
    )


def _with_total(effect: Effect, total: Decimal) -> Effect:
    field = "totalDiscount" if "totalDiscount" in effect.props else "value"
    return replace(effect, props={**effect.props, field: total})


def _returned_share(
    effect: Effect,
    lines: Mapping[int, CartItem],
    quantities: Mapping[int, int],
    currency: str,
) -> tuple[Decimal, Effect | None] | None:
    """The amount of ``effect`` the return takes back and what stays of it (None: nothing
    stays); None when the return does not touch it."""
    if effect.effect_type not in PER_ITEM_DISCOUNTS:
        return None
    props = effect.props
    position = int(Decimal(str(props["position"])))
    quantity = quantities.get(position, 0)
    line = lines.get(position)
    if not quantity or line is None:
        return None
    left = line.remaining_quantity  # before this return
    total = granted_total(effect)
    sub = props.get("subPosition")
    if sub is not None:
        unit = int(Decimal(str(sub)))
        return (total, None) if left - quantity <= unit < left else None
    if quantity >= left:
        return total, None
    amount = money(total * quantity / left, currency)
    return amount, _with_total(effect, total - amount)


def _given_back(
    change: CounterChange, value_back: Mapping[int, Decimal], effects_back: Mapping[int, int]
) -> Decimal:
    """What goes back to one committed counter: a campaign's discount value (and a gift
    card's balance, spent by its campaign's discounts), its count of discount effects."""
    key = change.key
    if key.action in (_DISCOUNT_VALUE, COUPON_DISCOUNT):
        back = value_back.get(key.campaign_id, Decimal(0))
    elif key.action == _DISCOUNT_COUNT:
        back = Decimal(effects_back.get(key.campaign_id, 0))
    else:
        return Decimal(0)
    return min(back, change.delta)


def _quantities(returned: Sequence[ReturnedCartItem]) -> dict[int, int]:
    return {line.position: line.quantity for line in returned}


def _unit_value(item: CartItem) -> Decimal:
    return (item.price or Decimal(0)) + sum(item.additional_costs.values(), Decimal(0))


def _no_line(position: int, session: CustomerSession) -> str:
    return f"no cart item at position {position}: the session has {len(session.cart_items)}"


def _problem(pointer: str, details: str) -> Problem:
    return Problem("invalid value", details, pointer)
