"""Discount arithmetic: caps by what is left of a scope, rounding once, shares that add up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perks.domain.customer_sessions import CartItem
from perks.domain.discounts import ItemScope, Remaining, SessionScope

D = Decimal
CART = (
    CartItem(sku="SHOE", quantity=2, price=D("40.00"), position=0),
    CartItem(
        sku="MUG", quantity=1, price=D("20.00"), position=1, additional_costs={"wrap": D("2.00")}
    ),
    CartItem(sku="GONE", quantity=1, price=D("99"), returned_quantity=1, position=2),
)
SHIPPING = {"shipping": D("5.00")}


def _remaining(*, flattened: bool = False, currency: str = "EUR") -> Remaining:
    return Remaining.of(CART, dict(SHIPPING), currency=currency, flattened=flattened)


def test_what_a_session_offers_before_discounts() -> None:
    left = _remaining()
    assert (left.cart_items(), left.additional_costs(), left.total()) == (
        D("100.00"),
        D("7.00"),
        D("107.00"),
    )
    assert set(left.lines) == {(0, None), (1, None)}  # returned units are not discountable
    flat = _remaining(flattened=True)
    assert set(flat.lines) == {(0, 0), (0, 1), (1, 0)}
    assert flat.total() == D("107.00")


@pytest.mark.parametrize(
    ("scope", "desired", "granted", "items_left", "costs_left"),
    [
        (SessionScope.CART_ITEMS, D("30"), D("30.00"), D("70.00"), D("7.00")),
        (SessionScope.CART_ITEMS, D("150"), D("100.00"), D("0.00"), D("7.00")),
        (SessionScope.ADDITIONAL_COSTS, D("10"), D("7.00"), D("100.00"), D("0.00")),
        (SessionScope.SESSION_TOTAL, D("107"), D("107.00"), D("0.00"), D("0.00")),
        (SessionScope.SESSION_TOTAL, D("10.70"), D("10.70"), D("90.00"), D("6.30")),
        (SessionScope.SESSION_TOTAL, D("-5"), D("0.00"), D("100.00"), D("7.00")),
    ],
)
def test_a_session_discount_is_capped_by_its_scope_and_shared(
    scope: SessionScope, desired: D, granted: D, items_left: D, costs_left: D
) -> None:
    left = _remaining()
    got = left.session_discount(desired, scope)
    assert got.value == granted
    assert got.desired == max(desired, D(0)).quantize(D("0.01"))
    assert got.cut is (granted < max(desired, D(0)))
    assert (left.cart_items(), left.additional_costs()) == (items_left, costs_left)


def test_a_discount_is_rounded_once_and_the_shares_add_up() -> None:
    left = _remaining()
    got = left.session_discount(D("33.3333"), SessionScope.CART_ITEMS)
    assert got.value == D("33.33")
    assert left.cart_items() == D("66.67")
    yen = Remaining.of(CART, {}, currency="JPY", flattened=True)
    assert yen.session_discount(D("10.5"), SessionScope.CART_ITEMS).value == D("11")
    assert yen.cart_items() == D("89")


def test_later_discounts_see_what_earlier_ones_left() -> None:
    left = _remaining()
    left.session_discount(D("90"), SessionScope.CART_ITEMS)
    second = left.session_discount(D("20"), SessionScope.CART_ITEMS)
    assert (second.value, second.desired, second.cut) == (D("10.00"), D("20.00"), True)
    assert left.cart_items() == D("0.00")
    assert left.session_discount(D("1"), SessionScope.CART_ITEMS).value == D("0.00")


def test_per_item_discounts_by_scope() -> None:
    left = _remaining()
    price = left.item_discount((0, None), D("15"), ItemScope.PRICE)  # per unit of 2 shoes
    assert (price.value, price.total) == (D("15.00"), D("30.00"))
    assert left.lines[(0, None)].unit_price == D("25.00")
    whole = left.item_discount((0, None), D("60"), ItemScope.ITEM_TOTAL)
    assert (whole.value, whole.total, whole.cut) == (D("50.00"), D("50.00"), True)
    assert left.lines[(0, None)].value() == D("0.00")
    wrap = left.item_discount((1, None), D("5"), ItemScope.ADDITIONAL_COSTS)
    assert (wrap.value, wrap.cut) == (D("2.00"), True)
    assert left.additional_costs() == D("5.00")
    with pytest.raises(KeyError):
        left.item_discount((2, None), D("1"), ItemScope.PRICE)  # returned: not a line


def test_flattened_units_are_discounted_one_by_one() -> None:
    left = _remaining(flattened=True)
    first = left.item_discount((0, 0), D("50"), ItemScope.PRICE)
    assert (first.value, first.total) == (D("40.00"), D("40.00"))
    assert left.lines[(0, 1)].unit_price == D("40.00")


def test_additional_cost_discounts() -> None:
    left = _remaining()
    shipping = left.additional_cost_discount("shipping", D("4.99"))
    assert shipping.value == D("4.99")
    rest = left.additional_cost_discount("shipping", D("4.99"))
    assert (rest.value, rest.cut) == (D("0.01"), True)
    assert left.additional_cost_discount("unknown", D("3")).value == D("0.00")
    wrap = left.additional_cost_discount("wrap", D("1.50"), (1, None))
    assert wrap.value == D("1.50")
    assert left.lines[(1, None)].costs["wrap"] == D("0.50")
    assert left.additional_cost_discount("wrap", D("1"), (0, None)).value == D("0.00")


AMOUNTS = st.decimals(min_value=-10, max_value=200, places=3, allow_nan=False, allow_infinity=False)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("session"), st.sampled_from(list(SessionScope)), AMOUNTS),
        st.tuples(st.just("item"), st.sampled_from(list(ItemScope)), AMOUNTS),
        st.tuples(st.just("cost"), st.sampled_from(["shipping", "wrap"]), AMOUNTS),
    ),
    max_size=12,
)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(steps=STEPS, flattened=st.booleans())
def test_discounts_never_go_below_zero_and_account_for_every_cent(
    steps: list[tuple[str, str, Decimal]], flattened: bool
) -> None:
    left = _remaining(flattened=flattened)
    start = left.total()
    granted = Decimal(0)
    keys = sorted(left.lines, key=lambda key: (key[0], key[1] or 0))
    for index, (kind, scope, amount) in enumerate(steps):
        if kind == "session":
            got = left.session_discount(amount, SessionScope(scope))
            granted += got.value
        elif kind == "item":
            got = left.item_discount(keys[index % len(keys)], amount, ItemScope(scope))
            granted += got.total
        else:
            key = None if scope == "shipping" else keys[-1]
            got = left.additional_cost_discount(scope, amount, key)
            granted += got.value
        assert got.value >= 0
        assert got.value <= got.desired
        assert got.value == got.value.quantize(Decimal("0.01"))
    assert all(line.unit_price >= 0 for line in left.lines.values())
    assert all(cost >= 0 for line in left.lines.values() for cost in line.costs.values())
    assert all(cost >= 0 for cost in left.costs.values())
    assert left.total() + granted == start


def test_a_fractional_unit_price_left_is_taken_in_whole_cents_only() -> None:
    left = Remaining.of(
        (CartItem(sku="A", quantity=2, price=D("10"), position=0),),
        {},
        currency="EUR",
        flattened=False,
    )
    left.session_discount(D("13.33"), SessionScope.CART_ITEMS)  # 3.335 left per unit
    got = left.item_discount((0, None), D("7"), ItemScope.PRICE)
    assert (got.value, got.total) == (D("3.33"), D("6.66"))
    assert left.lines[(0, None)].unit_price == D("0.005")
    assert left.cart_items() == D("0.01")
