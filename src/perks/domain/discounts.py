"""Discount arithmetic of one evaluation: what is left to discount, and how much of a wanted
discount a scope can take (semantics §4.4).

A discount never takes a scope below zero: it is capped by what is left of its scope, the
amount granted is rounded once to the currency's minor unit, and it is taken from what is left
so that later discounts (and, with cascading, later campaigns' ``Discounted*`` values) see it.
A discount on several places (the cart items, the additional costs, the session total) is
shared among them in proportion to what is left of each, in minor units that add up.

Cart lines are the session's items, or their units once flattened (``subPosition``). A line
keeps its unit price left to discount; scope ``price`` discounts each unit of the line (the
granted value is per unit, ``totalDiscount`` the line's), scope ``itemTotal`` the line as a
whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from functools import partial

from perks.domain.customer_sessions import CartItem
from perks.domain.money import minor_unit, money, split

__all__ = ["Granted", "ItemScope", "Line", "Remaining", "SessionScope"]

ZERO = Decimal(0)


class SessionScope(StrEnum):
    """``setDiscount``'s scope."""

    SESSION_TOTAL = "sessionTotal"
    CART_ITEMS = "cartItems"
    ADDITIONAL_COSTS = "additionalCosts"


class ItemScope(StrEnum):
    """``setDiscountPerItem``'s scope."""

    PRICE = "price"
    ITEM_TOTAL = "itemTotal"
    ADDITIONAL_COSTS = "additionalCosts"


LineKey = tuple[int, int | None]  # (position, subPosition when flattened)


@dataclass(slots=True)
class Line:
    """A cart line with what is left to discount: its unit price, and its additional costs
    per unit."""

    quantity: int
    unit_price: Decimal
    costs: dict[str, Decimal] = field(default_factory=dict)

    def value(self) -> Decimal:
        return self.unit_price * self.quantity

    def cost_value(self) -> Decimal:
        return sum(self.costs.values(), ZERO) * self.quantity


@dataclass(frozen=True, slots=True)
class Granted:
    """What a discount got: ``value`` (per unit for scope ``price``), the line's
    ``total`` for per-item discounts, and the ``desired`` value when it was cut."""

    value: Decimal
    total: Decimal
    desired: Decimal

    @property
    def cut(self) -> bool:
        return self.value < self.desired


@dataclass(slots=True)
class Remaining:
    """What is left to discount in one session, in one currency."""

    currency: str
    lines: dict[LineKey, Line]
    costs: dict[str, Decimal]  # session additional costs by name

    @classmethod
    def of(
        cls,
        items: Iterable[CartItem],
        costs: dict[str, Decimal],
        *,
        currency: str,
        flattened: bool,
    ) -> Remaining:
        """What a session offers before any discount; returned units are not discountable."""
        lines: dict[LineKey, Line] = {}
        for item in items:
            price, item_costs = item.price or ZERO, dict(item.additional_costs)
            if item.remaining_quantity <= 0:
                continue
            if flattened:
                for unit in range(item.remaining_quantity):
                    lines[(item.position, unit)] = Line(1, price, dict(item_costs))
            else:
                lines[(item.position, None)] = Line(item.remaining_quantity, price, item_costs)
        return cls(currency, lines, dict(costs))

    # What is left, as the Discounted* bindings read it.

    def cart_items(self) -> Decimal:
        return sum((line.value() for line in self.lines.values()), ZERO)

    def additional_costs(self) -> Decimal:
        items = sum((line.cost_value() for line in self.lines.values()), ZERO)
        return sum(self.costs.values(), ZERO) + items

    def total(self) -> Decimal:
        return self.cart_items() + self.additional_costs()

    def copy(self) -> Remaining:
        """An independent copy (lines and costs; the numbers themselves are immutable)."""
        lines = {
            key: Line(line.quantity, line.unit_price, dict(line.costs))
            for key, line in self.lines.items()
        }
        return Remaining(self.currency, lines, dict(self.costs))

    def money(self, value: Decimal) -> Decimal:
        """``value`` rounded to the currency, as discounts report it."""
        return money(value, self.currency)

    # Discounts.

    def session_discount(self, desired: Decimal, scope: SessionScope) -> Granted:
        """``setDiscount``: capped by the scope's remainder, shared among its places."""
        places = self._places(scope)
        amounts = [amount for _, amount in places]
        wanted = self._wanted(desired)
        value = self._within(wanted, sum(amounts, ZERO))
        for (take, _), share in zip(places, split(value, amounts, self.currency), strict=True):
            take(share)
        return Granted(value, value, wanted)

    def item_discount(self, key: LineKey, desired: Decimal, scope: ItemScope) -> Granted:
        """``setDiscountPerItem`` on one line (``KeyError`` when it does not exist)."""
        line = self.lines[key]
        if scope is ItemScope.PRICE:
            value = self._grant(desired, line.unit_price)
            line.unit_price -= value
            return Granted(value, value * line.quantity, self._wanted(desired))
        if scope is ItemScope.ITEM_TOTAL:
            value = self._grant(desired, line.value())
            line.unit_price -= value / line.quantity
            return Granted(value, value, self._wanted(desired))
        value = self._grant(desired, line.cost_value())
        _take_line_costs(line, self.currency, value)
        return Granted(value, value, self._wanted(desired))

    def additional_cost_discount(
        self, name: str, desired: Decimal, key: LineKey | None = None
    ) -> Granted:
        """``setDiscountPerAdditionalCost`` (the session's cost ``name``), or, with a line,
        ``setDiscountPerAdditionalCostPerItem`` (that line's cost, for all its units)."""
        if key is None:
            value = self._grant(desired, self.costs.get(name, ZERO))
            if name in self.costs:
                self.costs[name] -= value
            return Granted(value, value, self._wanted(desired))
        line = self.lines[key]
        value = self._grant(desired, line.costs.get(name, ZERO) * line.quantity)
        if name in line.costs:
            line.costs[name] -= value / line.quantity
        return Granted(value, value, self._wanted(desired))

    def _wanted(self, desired: Decimal) -> Decimal:
        """The value asked for, as it is reported (``desiredValue``): rounded, never negative."""
        return money(max(ZERO, desired), self.currency)

    def _grant(self, desired: Decimal, left: Decimal) -> Decimal:
        """The wanted value rounded, within what is left in whole minor units: a unit price
        left at 3.335 after a shared discount takes at most 3.33, never 3.34."""
        return self._within(self._wanted(desired), left)

    def _within(self, wanted: Decimal, left: Decimal) -> Decimal:
        whole_units = left.quantize(minor_unit(self.currency), rounding=ROUND_FLOOR)
        return max(ZERO, min(wanted, whole_units))

    def _places(self, scope: SessionScope) -> list[tuple[Callable[[Decimal], None], Decimal]]:
        """Where a session discount of ``scope`` takes from, with what is left there (places
        with nothing left get no share, so they are left out)."""
        places: list[tuple[Callable[[Decimal], None], Decimal]] = []
        if scope is not SessionScope.ADDITIONAL_COSTS:
            for line in self.lines.values():
                value = line.value()
                if value > 0:
                    places.append((partial(_take_price, line), value))
        if scope is not SessionScope.CART_ITEMS:
            places += [
                (partial(_take_session_cost, self.costs, name), left)
                for name, left in self.costs.items()
                if left > 0
            ]
            for line in self.lines.values():
                if line.costs:
                    value = line.cost_value()
                    if value > 0:
                        places.append((partial(_take_line_costs, line, self.currency), value))
        return places


def _take_price(line: Line, amount: Decimal) -> None:
    line.unit_price -= amount / line.quantity


def _take_session_cost(costs: dict[str, Decimal], name: str, amount: Decimal) -> None:
    costs[name] -= amount


def _take_line_costs(line: Line, currency: str, amount: Decimal) -> None:
    """``amount`` off a line's additional costs, shared in proportion to them."""
    names = list(line.costs)
    shares = split(amount, [line.costs[name] * line.quantity for name in names], currency)
    for name, share in zip(names, shares, strict=True):
        line.costs[name] -= share / line.quantity
