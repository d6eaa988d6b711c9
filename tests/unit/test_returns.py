"""Returns in the domain: which units a return takes back (every problem at its pointer), the
session after it, what the returned units were worth, and what is rolled back of the close:
per-item discounts whole or pro rata, their budgets given back, flattened units from the end
of their line; a property over any sequence of returns with the real evaluator; and what a
reevaluation after a return rolls back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perks.domain.budgets import CounterChange, CounterKey, coupon_discount_key
from perks.domain.campaigns import Campaign
from perks.domain.customer_sessions import CartItem, CustomerSession, SessionState
from perks.domain.effects import Effect
from perks.domain.errors import InvalidInput
from perks.domain.evaluation import EvaluationInput, RunnableCampaign, Settings, evaluate
from perks.domain.evaluation_groups import EvaluationGroup, EvaluationMode, GroupNode
from perks.domain.limits import LimitConfig
from perks.domain.returns import (
    ReturnedCartItem,
    ReturnRequestItem,
    ReturnSettlement,
    after_return,
    resolve_return,
    returned_value,
    settle_reevaluation,
    settle_return,
)
from perks.domain.rule_bindings import ProfileView, SessionView
from perks.domain.rulesets import Rule, RulesetSpec, compile_ruleset
from perks.domain.vocabulary import RULE_SCHEMA, rules_registry

D = Decimal
CLOSED_AT = datetime(2026, 11, 23, 12, tzinfo=UTC)
NOW = CLOSED_AT + timedelta(days=2)
CAMPAIGN, OTHER = 7, 8
AT = "/return/returnedCartItems"
CART = (
    CartItem(sku="SHOE", quantity=3, price=D("30"), additional_costs={"wrap": D("2")}, position=0),
    CartItem(sku="MUG", quantity=2, price=D("10"), position=1),
    CartItem(sku="CARD", quantity=1, position=2),  # no price: worth nothing
)


def _session(*items: CartItem, **changes: Any) -> CustomerSession:
    fields: dict[str, Any] = {
        "integration_id": "s-1",
        "profile_id": "alice",
        "state": SessionState.CLOSED,
        "cart_items": items or CART,
        "created": CLOSED_AT - timedelta(hours=1),
        "updated": CLOSED_AT,
        "update_count": 4,
        **changes,
    }
    return CustomerSession(**fields)


def _effect(
    effect_type: str, *, campaign: int = CAMPAIGN, rule: int = 0, **props: object
) -> Effect:
    return Effect(
        campaign_id=campaign,
        ruleset_id=100 + campaign,
        rule_index=rule,
        rule_name=f"rule {rule}",
        effect_type=effect_type,
        props=props,
        triggered_by_coupon=9,
        evaluation_group_id=1,
        evaluation_group_mode="stackable",
    )


def _key(action: str, campaign: int = CAMPAIGN, *subjects: tuple[str, str]) -> CounterKey:
    return CounterKey(campaign, action, tuple(subjects), "")


def _change(action: str, delta: str | int, campaign: int = CAMPAIGN) -> CounterChange:
    return CounterChange(_key(action, campaign), D(delta))


def _locations(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [problem.location for problem in error.value.problems]


def _details(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [problem.details for problem in error.value.problems]


def _summary(effects: Sequence[Effect]) -> list[tuple[int, str, dict[str, object]]]:
    return [(e.campaign_id, e.effect_type, dict(e.props)) for e in effects]


def _deltas(changes: Sequence[CounterChange]) -> dict[tuple[int, str], Decimal]:
    return {(c.key.campaign_id, c.key.action): c.delta for c in changes}


# resolve_return ------------------------------------------------------------------------------


def test_a_return_names_lines_by_position_and_reports_their_sku() -> None:
    returned = resolve_return(
        _session(), [ReturnRequestItem(1, 1), ReturnRequestItem(0, 2, sku="SHOE")]
    )
    assert returned == (ReturnedCartItem(1, 1, "MUG"), ReturnedCartItem(0, 2, "SHOE"))


def test_an_omitted_quantity_returns_all_that_is_left() -> None:
    partly = replace(CART[0], returned_quantity=1)
    session = _session(partly, *CART[1:])
    assert resolve_return(session, [ReturnRequestItem(0)]) == (ReturnedCartItem(0, 2, "SHOE"),)
    assert resolve_return(_session(), [ReturnRequestItem(1)]) == (ReturnedCartItem(1, 2, "MUG"),)


def test_the_same_position_twice_is_summed_in_the_order_first_named() -> None:
    returned = resolve_return(
        _session(),
        [ReturnRequestItem(1, 1), ReturnRequestItem(0, 1), ReturnRequestItem(1, 1)],
    )
    assert returned == (ReturnedCartItem(1, 2, "MUG"), ReturnedCartItem(0, 1, "SHOE"))
    # An omitted quantity after a named one takes what the first left.
    rest = resolve_return(_session(), [ReturnRequestItem(0, 1), ReturnRequestItem(0)])
    assert rest == (ReturnedCartItem(0, 3, "SHOE"),)


@pytest.mark.parametrize(
    ("asked", "location", "details"),
    [
        (ReturnRequestItem(3, 1), f"{AT}/0/position", "no cart item at position 3"),
        (ReturnRequestItem(-1, 1), f"{AT}/0/position", "no cart item at position -1"),
        (ReturnRequestItem(0, 1, sku="MUG"), f"{AT}/0/sku", "position 0 is 'SHOE', not 'MUG'"),
        (ReturnRequestItem(0, 0), f"{AT}/0/quantity", "at least 1"),
        (ReturnRequestItem(0, -2), f"{AT}/0/quantity", "at least 1"),
        (ReturnRequestItem(0, 4), f"{AT}/0/quantity", "3 of the cart item at position 0 left"),
    ],
)
def test_a_bad_item_is_refused_at_its_pointer(
    asked: ReturnRequestItem, location: str, details: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_return(_session(), [asked])
    assert _locations(refused) == [location]
    assert details in _details(refused)[0]
    assert refused.value.problems[0].kind == "pointer"


def test_nothing_to_return_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_return(_session(), [])
    assert _locations(refused) == [AT]


def test_more_than_is_left_counts_earlier_returns_and_earlier_entries() -> None:
    returned_all = replace(CART[1], returned_quantity=2)
    with pytest.raises(InvalidInput) as gone:
        resolve_return(_session(CART[0], returned_all, CART[2]), [ReturnRequestItem(1)])
    assert _locations(gone) == [f"{AT}/0/quantity"]
    assert "0 of the cart item at position 1 left" in _details(gone)[0]
    with pytest.raises(InvalidInput) as twice:
        resolve_return(_session(), [ReturnRequestItem(1, 1), ReturnRequestItem(1, 2)])
    assert _locations(twice) == [f"{AT}/1/quantity"]
    assert "1 of the cart item at position 1 left" in _details(twice)[0]
    with pytest.raises(InvalidInput) as after_all:
        resolve_return(_session(), [ReturnRequestItem(2), ReturnRequestItem(2)])
    assert _locations(after_all) == [f"{AT}/1/quantity"]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_return(
            _session(),
            [
                ReturnRequestItem(1, 1),  # fine
                ReturnRequestItem(9),
                ReturnRequestItem(0, 1, sku="HAT"),
                ReturnRequestItem(2, 0),
                ReturnRequestItem(1, 5),
            ],
        )
    assert _locations(refused) == [
        f"{AT}/1/position",
        f"{AT}/2/sku",
        f"{AT}/3/quantity",
        f"{AT}/4/quantity",
    ]
    assert {problem.title for problem in refused.value.problems} == {"invalid value"}


# after_return and returned_value ---------------------------------------------------------------


def test_after_a_return_the_items_count_what_was_returned() -> None:
    before = _session()
    once = after_return(before, [ReturnedCartItem(0, 1, "SHOE")], now=NOW)
    assert once.state is SessionState.PARTIALLY_RETURNED
    assert once.updated == NOW
    assert [(i.returned_quantity, i.remaining_quantity) for i in once.cart_items] == [
        (1, 2),
        (0, 2),
        (0, 1),
    ]
    assert [i.quantity for i in once.cart_items] == [3, 2, 1]  # the quantity bought stays
    twice = after_return(
        once, [ReturnedCartItem(0, 2, "SHOE"), ReturnedCartItem(1, 1, "MUG")], now=NOW
    )
    assert [(i.returned_quantity, i.remaining_quantity) for i in twice.cart_items] == [
        (3, 0),
        (1, 1),
        (0, 1),
    ]
    # Only the items and the state move; the totals count what is left.
    assert replace(twice, cart_items=before.cart_items, state=before.state, updated=None) == (
        replace(before, updated=None)
    )
    assert (before.total(), once.total(), twice.total()) == (D(116), D(84), D(10))


def test_returned_value_is_price_and_item_costs_of_the_units() -> None:
    session = _session()
    assert returned_value(session, [ReturnedCartItem(0, 2, "SHOE")]) == D(64)
    both = [ReturnedCartItem(0, 1, "SHOE"), ReturnedCartItem(1, 2, "MUG")]
    assert returned_value(session, both) == D(52)
    assert returned_value(session, [ReturnedCartItem(2, 1, "CARD")]) == D(0)
    # What leaves totalSales is exactly what leaves the session's total.
    after = after_return(session, both, now=NOW)
    assert session.total() - after.total() == returned_value(session, both)


# settle_return: flattened units ----------------------------------------------------------------

SHOES = CartItem(sku="SHOE", quantity=3, price=D("30"), position=0)


def _unit(sub: int, value: str = "5.00") -> Effect:
    return _effect(
        "setDiscountPerItem", name="shoe#0", value=D(value), position=D(0), subPosition=D(sub)
    )


SESSION_DISCOUNT = _effect("setDiscount", rule=1, name="10%", value=D("10.00"))
ACCEPTED = _effect("acceptCoupon", rule=1, value="XMAS")
FLAT_COMMITTED = (ACCEPTED, _unit(0), _unit(1), _unit(2), SESSION_DISCOUNT)
FLAT_CHANGES = (
    _change("redeemCoupon", 1),
    _change("setDiscount", "25.00"),
    _change("setDiscountEffect", 4),
)


def _settle(
    session: CustomerSession,
    returned: Sequence[ReturnedCartItem],
    committed: Sequence[Effect],
    changes: Sequence[CounterChange],
) -> ReturnSettlement:
    return settle_return(session, returned, committed, changes, currency="EUR")


def test_flattened_units_are_returned_from_the_end_of_their_line() -> None:
    session = _session(SHOES)
    first = _settle(session, [ReturnedCartItem(0, 1, "SHOE")], FLAT_COMMITTED, FLAT_CHANGES)
    assert _summary(first.rollbacks) == [
        (
            CAMPAIGN,
            "rollbackDiscount",
            {"name": "shoe#0", "value": D("5.00"), "cartItemPosition": 0, "cartItemSubPosition": 2},
        )
    ]
    rollback = first.rollbacks[0]
    assert (rollback.rule_index, rollback.ruleset_id, rollback.triggered_by_coupon) == (0, 107, 9)
    assert first.committed == (ACCEPTED, _unit(0), _unit(1), SESSION_DISCOUNT)
    assert first.given_back == (_change("setDiscount", "-5.00"), _change("setDiscountEffect", -1))
    assert _deltas(first.committed_changes) == {
        (CAMPAIGN, "redeemCoupon"): D(1),
        (CAMPAIGN, "setDiscount"): D("20.00"),
        (CAMPAIGN, "setDiscountEffect"): D(3),
    }

    # The next return takes the next unit from the end, then the last one.
    once = after_return(session, [ReturnedCartItem(0, 1, "SHOE")], now=NOW)
    second = _settle(
        once, [ReturnedCartItem(0, 1, "SHOE")], first.committed, first.committed_changes
    )
    assert [r.props["cartItemSubPosition"] for r in second.rollbacks] == [1]
    assert second.committed == (ACCEPTED, _unit(0), SESSION_DISCOUNT)
    twice = after_return(once, [ReturnedCartItem(0, 1, "SHOE")], now=NOW)
    third = _settle(
        twice, [ReturnedCartItem(0, 1, "SHOE")], second.committed, second.committed_changes
    )
    assert [r.props["cartItemSubPosition"] for r in third.rollbacks] == [0]
    assert third.committed == (ACCEPTED, SESSION_DISCOUNT)
    assert _deltas(third.committed_changes) == {
        (CAMPAIGN, "redeemCoupon"): D(1),  # a return never gives a redemption back
        (CAMPAIGN, "setDiscount"): D("10.00"),  # what is left: the session-wide discount
        (CAMPAIGN, "setDiscountEffect"): D(1),
    }


def test_several_flattened_units_at_once_are_the_last_ones() -> None:
    session = _session(SHOES)
    settled = _settle(session, [ReturnedCartItem(0, 2, "SHOE")], FLAT_COMMITTED, FLAT_CHANGES)
    assert [r.props["cartItemSubPosition"] for r in settled.rollbacks] == [1, 2]
    assert settled.committed == (ACCEPTED, _unit(0), SESSION_DISCOUNT)
    assert settled.given_back == (
        _change("setDiscount", "-10.00"),
        _change("setDiscountEffect", -2),
    )


def test_flattened_units_of_other_lines_stay() -> None:
    mugs = CartItem(sku="MUG", quantity=2, price=D("10"), position=1)
    mug_unit = _effect(
        "setDiscountPerItem", name="mug#1", value=D(1), position=D(1), subPosition=D(1)
    )
    committed = (*FLAT_COMMITTED, mug_unit)
    settled = _settle(_session(SHOES, mugs), [ReturnedCartItem(1, 1, "MUG")], committed, ())
    assert _summary(settled.rollbacks) == [
        (
            CAMPAIGN,
            "rollbackDiscount",
            {"name": "mug#1", "value": D(1), "cartItemPosition": 1, "cartItemSubPosition": 1},
        )
    ]
    assert settled.committed == FLAT_COMMITTED
    assert (settled.given_back, settled.committed_changes) == ((), ())


# settle_return: line discounts, pro rata ------------------------------------------------------

MUGS = CartItem(sku="MUG", quantity=4, price=D("10"), position=1)
PRICE_SCOPE = _effect(
    "setDiscountPerItem",
    name="mug#1",
    value=D("2.00"),
    position=D(1),
    scope="price",
    totalDiscount=D("8.00"),
)


def test_a_price_scope_line_discount_goes_back_pro_rata_by_its_total() -> None:
    session = _session(CART[0], MUGS)
    changes = (_change("setDiscount", "8.00"), _change("setDiscountEffect", 1))
    first = _settle(session, [ReturnedCartItem(1, 1, "MUG")], (PRICE_SCOPE,), changes)
    assert _summary(first.rollbacks) == [
        (
            CAMPAIGN,
            "rollbackDiscount",
            {"name": "mug#1", "value": D("2.00"), "cartItemPosition": D(1), "scope": "price"},
        )
    ]
    # What stays: the per-unit value, the total of the units kept.
    assert first.committed == (
        replace(PRICE_SCOPE, props={**PRICE_SCOPE.props, "totalDiscount": D("6.00")}),
    )
    # A cut effect still counts as an effect: only the value is given back.
    assert first.given_back == (_change("setDiscount", "-2.00"),)
    assert _deltas(first.committed_changes) == {
        (CAMPAIGN, "setDiscount"): D("6.00"),
        (CAMPAIGN, "setDiscountEffect"): D(1),
    }
    once = after_return(session, [ReturnedCartItem(1, 1, "MUG")], now=NOW)
    rest = _settle(once, [ReturnedCartItem(1, 3, "MUG")], first.committed, first.committed_changes)
    assert [r.props["value"] for r in rest.rollbacks] == [D("6.00")]
    assert rest.committed == ()
    assert rest.given_back == (_change("setDiscount", "-6.00"), _change("setDiscountEffect", -1))
    assert _deltas(rest.committed_changes) == {
        (CAMPAIGN, "setDiscount"): D(0),
        (CAMPAIGN, "setDiscountEffect"): D(0),
    }


def test_an_item_total_line_discount_goes_back_in_cents_that_add_up() -> None:
    hats = CartItem(sku="HAT", quantity=3, price=D("20"), position=0)
    ten = _effect(
        "setDiscountPerItem", name="hat#0", value=D("10.00"), position=0, scope="itemTotal"
    )
    session = _session(hats)
    committed: Sequence[Effect] = (ten,)
    changes: Sequence[CounterChange] = (_change("setDiscount", "10.00"),)
    given: list[Decimal] = []
    kept: list[object] = []
    for _ in range(3):
        settled = _settle(session, [ReturnedCartItem(0, 1, "HAT")], committed, changes)
        (rollback,) = settled.rollbacks
        assert rollback.props["scope"] == "itemTotal"
        assert rollback.props["cartItemPosition"] == 0
        given.append(D(str(rollback.props["value"])))
        kept.append([e.props["value"] for e in settled.committed])
        committed, changes = settled.committed, settled.committed_changes
        session = after_return(session, [ReturnedCartItem(0, 1, "HAT")], now=NOW)
    assert given == [D("3.33"), D("3.34"), D("3.33")]
    assert sum(given) == D("10.00")
    assert kept == [[D("6.67")], [D("3.33")], []]
    assert _deltas(changes) == {(CAMPAIGN, "setDiscount"): D(0)}


def test_a_line_discount_returned_whole_at_once_goes_back_whole() -> None:
    settled = _settle(
        _session(CART[0], MUGS),
        [ReturnedCartItem(1, 4, "MUG")],
        (PRICE_SCOPE,),
        (_change("setDiscountEffect", 1),),
    )
    assert [r.props["value"] for r in settled.rollbacks] == [D("8.00")]
    assert settled.given_back == (_change("setDiscountEffect", -1),)


def test_an_additional_cost_per_item_discount_goes_back_with_its_cost() -> None:
    wrap = _effect(
        "setDiscountPerAdditionalCostPerItem",
        name="free wrap",
        additionalCostId=4,
        additionalCost="wrap",
        value=D("6.00"),
        position=0,
    )
    settled = _settle(_session(), [ReturnedCartItem(0, 1, "SHOE")], (wrap,), ())
    assert _summary(settled.rollbacks) == [
        (
            CAMPAIGN,
            "rollbackDiscount",
            {
                "name": "free wrap",
                "value": D("2.00"),
                "additionalCostId": 4,
                "additionalCost": "wrap",
                "cartItemPosition": 0,
            },
        )
    ]
    assert [e.props["value"] for e in settled.committed] == [D("4.00")]


# settle_return: budgets ----------------------------------------------------------------------


def test_budgets_get_back_what_each_campaign_rolled_back() -> None:
    session = _session(CART[0], MUGS)
    other = _effect(
        "setDiscountPerItem",
        campaign=OTHER,
        name="other#1",
        value=D("1.00"),
        position=1,
        totalDiscount=D("4.00"),
    )
    per_profile = _key("setDiscount", CAMPAIGN, ("Profile", "alice"))
    changes = (
        _change("setDiscount", "18.00"),
        CounterChange(per_profile, D("18.00")),
        _change("setDiscountEffect", 2),
        _change("redeemCoupon", 1),
        _change("setDiscount", "4.00", OTHER),
        _change("setDiscountEffect", 1, OTHER),
        _change("redeemReferral", 1, OTHER),
    )
    committed = (ACCEPTED, PRICE_SCOPE, SESSION_DISCOUNT, other)
    settled = _settle(session, [ReturnedCartItem(1, 4, "MUG")], committed, changes)
    assert [(r.campaign_id, r.props["value"]) for r in settled.rollbacks] == [
        (CAMPAIGN, D("8.00")),
        (OTHER, D("4.00")),
    ]
    assert settled.committed == (ACCEPTED, SESSION_DISCOUNT)
    assert settled.given_back == (
        _change("setDiscount", "-8.00"),
        CounterChange(per_profile, D("-8.00")),
        _change("setDiscountEffect", -1),
        _change("setDiscount", "-4.00", OTHER),
        _change("setDiscountEffect", -1, OTHER),
    )
    assert [c.delta for c in settled.committed_changes] == [
        D("10.00"),
        D("10.00"),
        D(1),
        D(1),  # redeemCoupon untouched
        D(0),
        D(0),
        D(1),  # redeemReferral untouched
    ]
    assert [c.key for c in settled.committed_changes] == [c.key for c in changes]


def test_a_gift_card_gets_back_what_its_campaign_rolled_back() -> None:
    card = coupon_discount_key(CAMPAIGN, 12)
    changes = (_change("setDiscount", "8.00"), CounterChange(card, D("8.00")))
    settled = _settle(
        _session(CART[0], MUGS), [ReturnedCartItem(1, 1, "MUG")], (PRICE_SCOPE,), changes
    )
    assert settled.given_back == (_change("setDiscount", "-2.00"), CounterChange(card, D("-2.00")))
    assert [c.delta for c in settled.committed_changes] == [D("6.00"), D("6.00")]


def test_a_counter_never_gets_back_more_than_the_close_gave_it() -> None:
    # A counter the close moved by less than the campaign rolls back (a limit per coupon that
    # only some of the discounts counted in) goes back to zero, never below.
    per_coupon = _key("setDiscount", CAMPAIGN, ("Coupon", "12"))
    changes = (
        _change("setDiscount", "8.00"),
        CounterChange(per_coupon, D("3.00")),
        _change("setDiscountEffect", 1),
    )
    settled = _settle(
        _session(CART[0], MUGS), [ReturnedCartItem(1, 4, "MUG")], (PRICE_SCOPE,), changes
    )
    assert settled.given_back == (
        _change("setDiscount", "-8.00"),
        CounterChange(per_coupon, D("-3.00")),
        _change("setDiscountEffect", -1),
    )
    assert [c.delta for c in settled.committed_changes] == [D(0), D(0), D(0)]


def test_session_wide_discounts_and_other_effects_stay() -> None:
    committed = (
        ACCEPTED,
        SESSION_DISCOUNT,
        _effect(
            "setDiscountPerAdditionalCost",
            name="free shipping",
            value=D("4.99"),
            additionalCostId=3,
            additionalCost="shipping",
        ),
        _effect("addFreeItem", sku="GIFT", name="gift"),
        _effect("updateCartItemAttribute", path="Attributes.Gift", value=True, position=1),
        _effect("showNotification", notificationType="info", title="t", body="b"),
    )
    changes = (_change("setDiscount", "14.99"), _change("setDiscountEffect", 2))
    settled = _settle(_session(), [ReturnedCartItem(1, 2, "MUG")], committed, changes)
    assert settled == ReturnSettlement((), committed, (), changes)


def test_an_untouched_line_keeps_its_discounts() -> None:
    settled = _settle(
        _session(CART[0], MUGS), [ReturnedCartItem(0, 3, "SHOE")], (PRICE_SCOPE,), FLAT_CHANGES
    )
    assert settled == ReturnSettlement((), (PRICE_SCOPE,), (), FLAT_CHANGES)


# settle_return: a property over any sequence of returns ----------------------------------------

PRICE = [".", "Item", "Price"]
ITEMS = [".", "Session", "CartItems"]


def _per_item(name: str, share: str, scope: str) -> list[object]:
    discount = ["setDiscountPerItem", name, ["*", PRICE, D(share)], scope]
    return ["map", ITEMS, [["Item"], discount]]


def _runnable(campaign_id: int, *rules: Rule) -> RunnableCampaign:
    limits = (
        LimitConfig("setDiscount", D(1_000_000)),
        LimitConfig("setDiscountEffect", D(1_000_000)),
    )
    campaign = Campaign(name=f"c{campaign_id}", id=campaign_id, limits=limits)
    compiled = compile_ruleset(RulesetSpec(rules=rules), rules_registry(), RULE_SCHEMA)
    return RunnableCampaign(campaign, 100 + campaign_id, compiled)


RUNS = {
    1: _runnable(
        1,
        Rule("17.3% off each unit", True, [_per_item("unit", "0.173", "price")]),
        Rule("0.05 off the session", True, [["setDiscount", "session", D("0.05")]]),
    ),
    2: _runnable(
        2,
        Rule("29% off each line", True, [_per_item("line", "0.29", "itemTotal")]),
        Rule("1.11 off the session", True, [["setDiscount", "more", D("1.11")]]),
    ),
}
TREE = GroupNode(
    EvaluationGroup(name="base", parent_id=None, evaluation_mode=EvaluationMode.STACKABLE, id=1),
    (1, 2),
)
PER_ITEM = {"setDiscountPerItem", "setDiscountPerAdditionalCostPerItem"}


def _closed(items: Sequence[CartItem], flattened: bool) -> tuple[tuple[Effect, ...], list[Any]]:
    session = _session(*items)
    evaluation = evaluate(
        EvaluationInput(
            settings=Settings(
                application_id=1, currency="EUR", timezone="UTC", now=CLOSED_AT, flattened=flattened
            ),
            session=SessionView(session, id=1, flattened=flattened),
            profile=ProfileView("alice"),
            tree=TREE,
            campaigns=RUNS,
        )
    )
    assert not evaluation.rule_failures, evaluation.rule_failures
    return evaluation.effects, evaluation.changes()


def _grant(effect: Effect) -> Decimal:
    return D(str(effect.props.get("totalDiscount", effect.props["value"])))


LINES = st.lists(
    st.tuples(st.integers(1, 5), st.integers(100, 20_000)), min_size=1, max_size=4
).map(
    lambda lines: tuple(
        CartItem(sku=f"SKU{i}", quantity=q, price=D(cents) / 100, position=i)
        for i, (q, cents) in enumerate(lines)
    )
)


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(items=LINES, flattened=st.booleans(), data=st.data())
def test_returning_every_unit_rolls_back_exactly_the_per_item_discounts(
    items: tuple[CartItem, ...], flattened: bool, data: st.DataObject
) -> None:
    effects, evaluated = _closed(items, flattened)
    redeemed = _change("redeemCoupon", 1, 1)
    changes: Sequence[CounterChange] = (*evaluated, redeemed)
    per_item = {
        campaign: sum(
            (_grant(e) for e in effects if e.effect_type in PER_ITEM and e.campaign_id == campaign),
            D(0),
        )
        for campaign in RUNS
    }
    stays = tuple(e for e in effects if e.effect_type not in PER_ITEM)
    assert all(per_item.values()), "every campaign discounted some item"
    session, committed = _session(*items), effects
    rolled_back = dict.fromkeys(RUNS, D(0))
    given_back: dict[CounterKey, Decimal] = {}
    while any(item.remaining_quantity for item in session.cart_items):
        left = [item for item in session.cart_items if item.remaining_quantity]
        chosen = data.draw(
            st.lists(st.sampled_from([item.position for item in left]), min_size=1, unique=True)
        )
        asked = [
            ReturnRequestItem(
                position,
                data.draw(
                    st.one_of(
                        st.none(), st.integers(1, session.cart_items[position].remaining_quantity)
                    )
                ),
            )
            for position in chosen
        ]
        returned = resolve_return(session, asked)
        settled = settle_return(session, returned, committed, changes, currency="EUR")
        quantities = {line.position: line.quantity for line in returned}
        for rollback in settled.rollbacks:
            value = D(str(rollback.props["value"]))
            assert value > 0
            assert value == value.quantize(D("0.01"))
            rolled_back[rollback.campaign_id] += value
            position = int(D(str(rollback.props["cartItemPosition"])))
            assert position in quantities, "only returned lines roll back"
            if flattened:  # the last units of the line go back
                line = session.cart_items[position]
                sub = int(D(str(rollback.props["cartItemSubPosition"])))
                remaining = line.remaining_quantity
                assert remaining - quantities[position] <= sub < remaining
        for change in settled.given_back:
            assert change.delta < 0
            given_back[change.key] = given_back.get(change.key, D(0)) + change.delta
        # Nothing is lost on the way: what stays and what went back make the close.
        for campaign in RUNS:
            kept = sum(
                (
                    _grant(e)
                    for e in settled.committed
                    if e.effect_type in PER_ITEM and e.campaign_id == campaign
                ),
                D(0),
            )
            assert kept + rolled_back[campaign] == per_item[campaign]
        session = after_return(session, returned, now=NOW)
        committed, changes = settled.committed, settled.committed_changes

    assert rolled_back == per_item  # to the cent
    assert committed == stays
    session_wide = {
        campaign: [e for e in stays if e.campaign_id == campaign and e.effect_type == "setDiscount"]
        for campaign in RUNS
    }
    final = {(c.key.campaign_id, c.key.action): c.delta for c in changes}
    assert final == {
        (1, "redeemCoupon"): D(1),
        **{
            (campaign, "setDiscount"): sum((_grant(e) for e in found), D(0))
            for campaign, found in session_wide.items()
        },
        **{
            (campaign, "setDiscountEffect"): D(len(found))
            for campaign, found in session_wide.items()
        },
    }
    started = {c.key: c.delta for c in (*evaluated, redeemed)}
    for change in changes:
        assert started[change.key] + given_back.get(change.key, D(0)) == change.delta


# settle_reevaluation -------------------------------------------------------------------------

SESSION_TEN = _effect("setDiscount", name="10%", value=D("15.00"))
OTHER_FIVE = _effect("setDiscount", campaign=OTHER, name="five", value=D("5.00"))
REEVALUATION_CHANGES = (
    _change("setDiscount", "15.00"),
    _change("setDiscountEffect", 1),
    _change("setDiscount", "5.00", OTHER),
    _change("setDiscountEffect", 1, OTHER),
)


def test_a_discount_that_shrinks_rolls_back_the_difference() -> None:
    now_worth = replace(SESSION_TEN, props={**SESSION_TEN.props, "value": D("9.00")})
    settled = settle_reevaluation(
        (SESSION_TEN, OTHER_FIVE), REEVALUATION_CHANGES, (now_worth,), {CAMPAIGN}
    )
    assert _summary(settled.rollbacks) == [
        (CAMPAIGN, "rollbackDiscount", {"name": "10%", "value": D("6.00")})
    ]
    assert settled.committed == (now_worth, OTHER_FIVE)  # the other campaign was not evaluated
    assert settled.given_back == (_change("setDiscount", "-6.00"),)
    assert [c.delta for c in settled.committed_changes] == [D("9.00"), D(1), D("5.00"), D(1)]


def test_a_discount_that_disappears_rolls_back_whole() -> None:
    settled = settle_reevaluation(
        (ACCEPTED, SESSION_TEN, OTHER_FIVE), REEVALUATION_CHANGES, (), {CAMPAIGN, OTHER}
    )
    assert [(r.campaign_id, r.props["value"]) for r in settled.rollbacks] == [
        (CAMPAIGN, D("15.00")),
        (OTHER, D("5.00")),
    ]
    assert settled.committed == (ACCEPTED,)
    assert [c.delta for c in settled.given_back] == [D("-15.00"), D(-1), D("-5.00"), D(-1)]
    assert [c.delta for c in settled.committed_changes] == [D(0)] * 4


def test_a_discount_that_grows_or_stays_is_left_alone() -> None:
    grown = replace(SESSION_TEN, props={**SESSION_TEN.props, "value": D("20.00")})
    for reevaluated in (
        (grown,),
        (SESSION_TEN,),
        (grown, _effect("setDiscount", name="new", value=D(3))),
    ):
        settled = settle_reevaluation(
            (SESSION_TEN,), REEVALUATION_CHANGES[:2], reevaluated, {CAMPAIGN}
        )
        assert settled == ReturnSettlement((), (SESSION_TEN,), (), REEVALUATION_CHANGES[:2])


def test_a_reevaluated_per_item_discount_is_compared_by_its_total_and_place() -> None:
    cut = replace(PRICE_SCOPE, props={**PRICE_SCOPE.props, "totalDiscount": D("4.00")})
    elsewhere = replace(PRICE_SCOPE, props={**PRICE_SCOPE.props, "position": D(0)})
    changes = (_change("setDiscount", "8.00"),)
    smaller = settle_reevaluation((PRICE_SCOPE,), changes, (cut,), {CAMPAIGN})
    assert [r.props["value"] for r in smaller.rollbacks] == [D("4.00")]
    assert smaller.committed == (cut,)
    moved = settle_reevaluation((PRICE_SCOPE,), changes, (elsewhere,), {CAMPAIGN})
    assert [r.props["value"] for r in moved.rollbacks] == [D("8.00")]
    assert moved.committed == ()


def test_two_rules_with_the_same_discount_name_are_reevaluated_apart() -> None:
    over_50 = _effect("setDiscount", rule=0, name="bonus", value=D("5.00"))
    over_100 = _effect("setDiscount", rule=1, name="bonus", value=D("5.00"))
    changes = (_change("setDiscount", "10.00"), _change("setDiscountEffect", 2))
    # After the return only the "over 50" rule is still met.
    settled = settle_reevaluation((over_50, over_100), changes, (over_50,), {CAMPAIGN})
    assert [(r.rule_index, r.props["value"]) for r in settled.rollbacks] == [(1, D("5.00"))]
    assert settled.committed == (over_50,)
