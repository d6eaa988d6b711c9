"""Customer sessions in the domain: the state machine and its events, how an update builds on
the stored session, the totals before any discount, and the request limits with pointers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest

from perks.domain.customer_sessions import (
    MAX_CART_ITEMS,
    MAX_CODE_LENGTH,
    MAX_IDENTIFIERS,
    MAX_TOTAL_QUANTITY,
    CartItem,
    CustomerSession,
    SessionEvent,
    SessionOperation,
    SessionState,
    SessionUpdate,
    apply_update,
    session_events,
    unknown_attributes,
    validate_update,
)
from perks.domain.errors import InvalidInput, Problem

D = Decimal
S, E, Op = SessionState, SessionEvent, SessionOperation
CREATED_AT = datetime(2026, 1, 1, 12, tzinfo=UTC)
NOW = CREATED_AT + timedelta(hours=3)


def _locations(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [problem.location for problem in error.value.problems]


def _stored(**changes: object) -> CustomerSession:
    session = CustomerSession(
        integration_id="s-1",
        profile_id="p-1",
        store_integration_id="store-1",
        coupon_codes=("SAVE10", "FREESHIP"),
        referral_code="REF-1",
        loyalty_cards=("card-1",),
        state=S.OPEN,
        cart_items=(
            CartItem(sku="A", quantity=2, price=D("10.00"), position=0),
            CartItem(sku="B", quantity=1, price=D("5.00"), position=1),
        ),
        additional_costs={"shipping": D("4.90")},
        identifiers=("device-1",),
        attributes={"channel": "web"},
        update_count=4,
        created=CREATED_AT,
        updated=CREATED_AT + timedelta(hours=1),
    )
    return replace(session, **changes)  # type: ignore[arg-type]


def _id(value: object) -> str:
    """A readable test id: ``closed-open-updateCustomerSessionV2``."""
    if isinstance(value, tuple):
        return "-".join(str(part) for part in value) or "none"
    return str(value)


# The state machine -----------------------------------------------------------------------------

LEGAL: dict[tuple[SessionState, SessionState, SessionOperation], tuple[SessionEvent, ...]] = {
    (S.OPEN, S.OPEN, Op.UPDATE): (E.UPDATED,),
    (S.OPEN, S.CLOSED, Op.UPDATE): (E.CLOSED,),
    (S.OPEN, S.CANCELLED, Op.UPDATE): (E.CANCELLED,),
    (S.CLOSED, S.CANCELLED, Op.UPDATE): (E.REVOKED,),
    (S.PARTIALLY_RETURNED, S.CANCELLED, Op.UPDATE): (E.REVOKED,),
    (S.CLOSED, S.PARTIALLY_RETURNED, Op.RETURN): (E.PARTIALLY_RETURNED,),
    (S.PARTIALLY_RETURNED, S.PARTIALLY_RETURNED, Op.RETURN): (E.PARTIALLY_RETURNED,),
    (S.CLOSED, S.OPEN, Op.REOPEN): (E.REOPENED,),
}
ILLEGAL = [move for move in product(S, S, Op) if move not in LEGAL]


@pytest.mark.parametrize(("move", "events"), LEGAL.items(), ids=_id)
def test_legal_transitions_record_their_event(
    move: tuple[SessionState, SessionState, SessionOperation], events: tuple[SessionEvent, ...]
) -> None:
    assert session_events(*move) == events


def test_event_names_are_talon_ones() -> None:
    assert [event.value for event in SessionEvent] == [
        "talon_session_created",
        "talon_session_updated",
        "talon_session_closed",
        "talon_session_cancelled",
        "talon_session_revoked",
        "talon_session_partially_returned",
        "talon_session_reopened",
    ]


def test_a_session_is_created_open() -> None:
    assert session_events(None, S.OPEN, Op.UPDATE) == (E.CREATED,)


def test_a_session_created_closed_is_created_then_closed() -> None:
    assert session_events(None, S.CLOSED, Op.UPDATE) == (E.CREATED, E.CLOSED)


def test_the_illegal_table_is_everything_else() -> None:
    assert len(ILLEGAL) == 4 * 4 * 3 - len(LEGAL) == 40


@pytest.mark.parametrize(
    "move",
    [
        (S.CLOSED, S.OPEN, Op.UPDATE),
        (S.CLOSED, S.CLOSED, Op.UPDATE),
        (S.OPEN, S.PARTIALLY_RETURNED, Op.RETURN),
        (S.OPEN, S.PARTIALLY_RETURNED, Op.UPDATE),
        (S.CLOSED, S.PARTIALLY_RETURNED, Op.UPDATE),
        (S.PARTIALLY_RETURNED, S.OPEN, Op.REOPEN),
        (S.PARTIALLY_RETURNED, S.CLOSED, Op.UPDATE),
        (S.OPEN, S.OPEN, Op.REOPEN),
        (S.CANCELLED, S.OPEN, Op.UPDATE),
        (S.CANCELLED, S.CANCELLED, Op.UPDATE),
        (S.CANCELLED, S.OPEN, Op.REOPEN),
        (S.CANCELLED, S.PARTIALLY_RETURNED, Op.RETURN),
    ],
    ids=_id,
)
def test_named_illegal_moves_are_in_the_table(
    move: tuple[SessionState, SessionState, SessionOperation],
) -> None:
    assert move in ILLEGAL


@pytest.mark.parametrize("move", ILLEGAL, ids=_id)
def test_illegal_transitions_are_invalid_input_naming_the_states(
    move: tuple[SessionState, SessionState, SessionOperation],
) -> None:
    current, target, operation = move
    with pytest.raises(InvalidInput) as error:
        session_events(current, target, operation)
    [problem] = error.value.problems
    assert problem.location == "/customerSession/state"
    assert problem.kind == "pointer"
    assert problem.details == (
        f"a {current.value} customer session cannot become {target.value} through {operation.value}"
    )


@pytest.mark.parametrize("target", list(S))
def test_a_cancelled_session_goes_nowhere(target: SessionState) -> None:
    for operation in Op:
        with pytest.raises(InvalidInput, match="a cancelled customer session cannot become"):
            session_events(S.CANCELLED, target, operation)


@pytest.mark.parametrize("target", [S.CANCELLED, S.PARTIALLY_RETURNED])
def test_a_session_is_never_created_cancelled_or_partially_returned(
    target: SessionState,
) -> None:
    with pytest.raises(InvalidInput) as error:
        session_events(None, target, Op.UPDATE)
    [problem] = error.value.problems
    assert problem.location == "/customerSession/state"
    assert problem.details == (
        f"a customer session cannot be created {target.value}: only open or closed"
    )


@pytest.mark.parametrize(("target", "operation"), list(product(S, [Op.RETURN, Op.REOPEN])), ids=str)
def test_a_session_is_created_only_by_an_update(
    target: SessionState, operation: SessionOperation
) -> None:
    with pytest.raises(InvalidInput) as error:
        session_events(None, target, operation)
    [problem] = error.value.problems
    assert problem.location == "/customerSession/state"
    assert problem.details == (
        f"no customer session to {operation.value}: only updateCustomerSessionV2 creates one"
    )


# apply_update: new sessions --------------------------------------------------------------------


def test_a_new_session_is_open_created_now_and_counted_once() -> None:
    session, events = apply_update(None, "s-9", SessionUpdate(profile_id="p-9"), now=NOW)
    assert events == (E.CREATED,)
    assert session == CustomerSession(
        integration_id="s-9",
        profile_id="p-9",
        state=S.OPEN,
        update_count=1,
        created=NOW,
        updated=NOW,
    )
    assert not session.anonymous


def test_a_new_session_without_a_profile_is_anonymous() -> None:
    session, _ = apply_update(None, "s-9", SessionUpdate(), now=NOW)
    assert session.profile_id == ""
    assert session.anonymous
    assert session.coupon_codes == ()
    assert session.referral_code == ""
    assert session.cart_items == ()


def test_a_new_session_may_be_created_closed() -> None:
    session, events = apply_update(None, "s-9", SessionUpdate(state=S.CLOSED), now=NOW)
    assert events == (E.CREATED, E.CLOSED)
    assert session.state is S.CLOSED
    assert session.update_count == 1


@pytest.mark.parametrize("state", [S.CANCELLED, S.PARTIALLY_RETURNED])
def test_a_new_session_is_never_created_cancelled_or_partially_returned(
    state: SessionState,
) -> None:
    with pytest.raises(InvalidInput) as error:
        apply_update(None, "s-9", SessionUpdate(state=state), now=NOW)
    assert _locations(error) == ["/customerSession/state"]


def test_a_new_session_takes_every_field_of_the_update() -> None:
    update = SessionUpdate(
        profile_id="p-9",
        store_integration_id="store-9",
        coupon_codes=("A1",),
        referral_code="R9",
        loyalty_cards=("card-9",),
        cart_items=(CartItem(sku="X", quantity=1, price=D(3)),),
        additional_costs={"fee": D(1)},
        identifiers=("id-9",),
        attributes={"k": "v"},
    )
    session, _ = apply_update(None, "s-9", update, now=NOW)
    assert session.store_integration_id == "store-9"
    assert session.coupon_codes == ("A1",)
    assert session.referral_code == "R9"
    assert session.loyalty_cards == ("card-9",)
    assert session.cart_items == (CartItem(sku="X", quantity=1, price=D(3), position=0),)
    assert session.additional_costs == {"fee": D(1)}
    assert session.identifiers == ("id-9",)
    assert session.attributes == {"k": "v"}


# apply_update: on a stored session -------------------------------------------------------------


def test_an_empty_update_keeps_every_stored_value() -> None:
    stored = _stored()
    session, events = apply_update(stored, "s-1", SessionUpdate(), now=NOW)
    assert events == (E.UPDATED,)
    assert session == replace(stored, update_count=5, updated=NOW)


def test_the_stored_integration_id_is_kept() -> None:
    session, _ = apply_update(_stored(), "s-1", SessionUpdate(), now=NOW)
    assert session.integration_id == "s-1"


REPLACEMENTS: dict[str, object] = {
    "profile_id": "p-2",
    "store_integration_id": "store-2",
    "coupon_codes": ("NEW",),
    "referral_code": "REF-2",
    "loyalty_cards": ("card-2",),
    "additional_costs": {"wrap": D(1)},
    "identifiers": ("d-2", "d-3"),
    "attributes": {"channel": "pos"},
}
DISCARDS: dict[str, object] = {
    "profile_id": "",
    "coupon_codes": (),
    "referral_code": "",
    "loyalty_cards": (),
    "cart_items": (),
    "additional_costs": {},
    "identifiers": (),
    "attributes": {},
}


@pytest.mark.parametrize(("field", "value"), REPLACEMENTS.items(), ids=list(REPLACEMENTS))
def test_a_given_field_replaces_the_stored_one_and_leaves_the_rest(
    field: str, value: object
) -> None:
    stored = _stored()
    update = SessionUpdate(**{field: value})  # type: ignore[arg-type]
    session, _ = apply_update(stored, "s-1", update, now=NOW)
    assert getattr(session, field) == value
    assert session == replace(
        stored,
        **{field: value},  # type: ignore[arg-type]
        update_count=5,
        updated=NOW,
    )


@pytest.mark.parametrize(("field", "value"), DISCARDS.items(), ids=list(DISCARDS))
def test_an_empty_value_discards_the_stored_one(field: str, value: object) -> None:
    stored = _stored()
    assert getattr(stored, field)  # something to discard
    update = SessionUpdate(**{field: value})  # type: ignore[arg-type]
    session, _ = apply_update(stored, "s-1", update, now=NOW)
    assert getattr(session, field) == value
    assert session == replace(
        stored,
        **{field: value},  # type: ignore[arg-type]
        update_count=5,
        updated=NOW,
    )


def test_discarding_the_profile_makes_the_session_anonymous() -> None:
    session, _ = apply_update(_stored(), "s-1", SessionUpdate(profile_id=""), now=NOW)
    assert session.anonymous


def test_discarding_the_coupon_codes_keeps_the_referral_code() -> None:
    session, _ = apply_update(_stored(), "s-1", SessionUpdate(coupon_codes=()), now=NOW)
    assert session.coupon_codes == ()
    assert session.referral_code == "REF-1"


def test_discarding_the_referral_code_keeps_the_coupon_codes() -> None:
    session, _ = apply_update(_stored(), "s-1", SessionUpdate(referral_code=""), now=NOW)
    assert session.referral_code == ""
    assert session.coupon_codes == ("SAVE10", "FREESHIP")


def test_new_cart_items_replace_the_cart_and_are_numbered_by_place() -> None:
    items = (
        CartItem(sku="Z", quantity=1, position=7),
        CartItem(sku="Y", quantity=3, position=7),
        CartItem(sku="X", quantity=2, position=0),
    )
    session, _ = apply_update(_stored(), "s-1", SessionUpdate(cart_items=items), now=NOW)
    assert [(item.sku, item.position) for item in session.cart_items] == [
        ("Z", 0),
        ("Y", 1),
        ("X", 2),
    ]
    assert session.cart_items == tuple(
        replace(item, position=index) for index, item in enumerate(items)
    )


def test_a_cart_left_out_keeps_the_stored_items_and_their_positions() -> None:
    stored = _stored(
        cart_items=(
            CartItem(sku="A", quantity=2, position=0, returned_quantity=1),
            CartItem(sku="B", quantity=1, position=1),
        )
    )
    session, _ = apply_update(stored, "s-1", SessionUpdate(profile_id="p-2"), now=NOW)
    assert session.cart_items == stored.cart_items


def test_update_count_goes_up_by_one() -> None:
    session, _ = apply_update(_stored(update_count=0), "s-1", SessionUpdate(), now=NOW)
    assert session.update_count == 1
    session, _ = apply_update(session, "s-1", SessionUpdate(), now=NOW)
    assert session.update_count == 2
    session, _ = apply_update(_stored(update_count=41), "s-1", SessionUpdate(), now=NOW)
    assert session.update_count == 42


def test_created_is_kept_and_updated_is_now() -> None:
    later = NOW + timedelta(days=2)
    first, _ = apply_update(None, "s-9", SessionUpdate(), now=NOW)
    second, _ = apply_update(first, "s-9", SessionUpdate(), now=later)
    assert (first.created, first.updated) == (NOW, NOW)
    assert (second.created, second.updated) == (NOW, later)
    stored = _stored()
    session, _ = apply_update(stored, "s-1", SessionUpdate(), now=later)
    assert (session.created, session.updated) == (CREATED_AT, later)


def test_the_state_defaults_to_the_stored_state() -> None:
    session, events = apply_update(_stored(state=S.OPEN), "s-1", SessionUpdate(), now=NOW)
    assert session.state is S.OPEN
    assert events == (E.UPDATED,)


def test_a_closed_session_left_in_its_state_is_an_illegal_update() -> None:
    with pytest.raises(InvalidInput) as error:
        apply_update(_stored(state=S.CLOSED), "s-1", SessionUpdate(), now=NOW)
    assert _locations(error) == ["/customerSession/state"]
    assert "a closed customer session cannot become closed" in error.value.details


@pytest.mark.parametrize(
    ("current", "target", "events"),
    [
        (S.OPEN, S.OPEN, (E.UPDATED,)),
        (S.OPEN, S.CLOSED, (E.CLOSED,)),
        (S.OPEN, S.CANCELLED, (E.CANCELLED,)),
        (S.CLOSED, S.CANCELLED, (E.REVOKED,)),
        (S.PARTIALLY_RETURNED, S.CANCELLED, (E.REVOKED,)),
    ],
)
def test_an_update_moves_the_state_with_its_event(
    current: SessionState, target: SessionState, events: tuple[SessionEvent, ...]
) -> None:
    session, recorded = apply_update(
        _stored(state=current), "s-1", SessionUpdate(state=target), now=NOW
    )
    assert session.state is target
    assert recorded == events


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.CLOSED, S.OPEN),
        (S.CLOSED, S.PARTIALLY_RETURNED),
        (S.OPEN, S.PARTIALLY_RETURNED),
        (S.PARTIALLY_RETURNED, S.OPEN),
        (S.PARTIALLY_RETURNED, S.PARTIALLY_RETURNED),
        (S.CANCELLED, S.OPEN),
        (S.CANCELLED, S.CANCELLED),
    ],
)
def test_an_update_refuses_moves_that_only_returns_or_reopening_make(
    current: SessionState, target: SessionState
) -> None:
    with pytest.raises(InvalidInput) as error:
        apply_update(_stored(state=current), "s-1", SessionUpdate(state=target), now=NOW)
    assert _locations(error) == ["/customerSession/state"]
    assert f"a {current.value} customer session cannot become {target.value}" in (
        error.value.problems[0].details
    )


def test_apply_update_refuses_an_update_past_the_limits() -> None:
    update = SessionUpdate(coupon_codes=("",), identifiers=tuple("abcdef"))
    with pytest.raises(InvalidInput) as error:
        apply_update(_stored(), "s-1", update, now=NOW)
    assert _locations(error) == [
        "/customerSession/couponCodes/0",
        "/customerSession/identifiers",
    ]


# Totals ----------------------------------------------------------------------------------------


def test_an_empty_session_totals_zero() -> None:
    session = CustomerSession(integration_id="s")
    assert session.cart_item_total() == 0
    assert session.additional_cost_total() == 0
    assert session.total() == 0


def test_totals_count_the_quantity_not_returned() -> None:
    item = CartItem(sku="A", quantity=3, price=D("10.00"), returned_quantity=1)
    assert item.remaining_quantity == 2
    assert item.total() == D("20.00")
    assert CartItem(sku="A", quantity=3, price=D("10.00"), returned_quantity=3).total() == 0


def test_a_missing_price_counts_as_zero() -> None:
    item = CartItem(sku="A", quantity=4)
    assert item.total() == 0
    assert item.additional_cost_total() == 0


def test_per_item_additional_costs_count_per_unit_not_returned() -> None:
    item = CartItem(
        sku="A",
        quantity=3,
        returned_quantity=1,
        additional_costs={"shipping": D("1.50"), "wrap": D("0.25")},
    )
    assert item.additional_cost_total() == D("3.50")  # (1.50 + 0.25) x 2


def test_session_totals_add_items_and_both_kinds_of_additional_costs() -> None:
    session = CustomerSession(
        integration_id="s",
        cart_items=(
            CartItem(
                sku="A",
                quantity=3,
                price=D("10.00"),
                returned_quantity=1,
                additional_costs={"shipping": D("1.50")},
            ),
            CartItem(sku="B", quantity=2, additional_costs={"deposit": D("0.25")}),  # no price
            CartItem(sku="C", quantity=1, price=D("4.99")),
            CartItem(sku="D", quantity=2, price=D("100"), returned_quantity=2),
        ),
        additional_costs={"fee": D("2.00"), "tip": D("0.50")},
    )
    assert session.cart_item_total() == D("24.99")  # 10 x 2 + 0 + 4.99 + 0
    assert session.additional_cost_total() == D("6.00")  # 2.50 + 1.50 x 2 + 0.25 x 2
    assert session.total() == D("30.99")


def test_totals_follow_an_update() -> None:
    session, _ = apply_update(
        _stored(),
        "s-1",
        SessionUpdate(cart_items=(CartItem(sku="A", quantity=5, price=D("2.00")),)),
        now=NOW,
    )
    assert session.cart_item_total() == D("10.00")
    assert session.total() == D("14.90")  # with the stored shipping of 4.90


# validate_update: limits -----------------------------------------------------------------------


def _items(count: int, quantity: int = 1) -> tuple[CartItem, ...]:
    return tuple(CartItem(sku=f"SKU-{i}", quantity=quantity) for i in range(count))


def _problems(update: SessionUpdate) -> list[str]:
    problems: list[Problem] = []
    try:
        validate_update(update)
    except InvalidInput as error:
        problems = error.problems
    assert all(problem.title == "invalid value" for problem in problems)
    assert all(problem.kind == "pointer" for problem in problems)
    assert all(problem.location.startswith("/customerSession/") for problem in problems)
    return [problem.location for problem in problems]


BOUNDARY_IDS = [
    "1000-items",
    "1001-items",
    "no-items",
    "quantity-10000-over-10-items",
    "quantity-10001-over-11-items",
    "quantity-10000-in-one-item",
    "quantity-10001-in-one-item",
    "code-of-100",
    "code-of-101",
    "code-of-1",
    "empty-code",
    "no-codes",
    "bad-codes-at-their-index",
    "referral-of-100",
    "referral-of-101",
    "empty-referral",
    "5-identifiers",
    "6-identifiers",
    "no-identifiers",
    "1-loyalty-card",
    "2-loyalty-cards",
    "no-loyalty-cards",
    "store-id-of-1000",
    "store-id-of-1001",
    "zero-additional-cost",
    "negative-additional-cost",
]
ITEM_IDS = [
    "valid",
    "empty-sku",
    "blank-sku",
    "zero-quantity",
    "negative-quantity",
    "zero-price",
    "negative-price",
    "zero-item-additional-cost",
    "negative-item-additional-cost",
]


def test_the_limits_are_talon_ones() -> None:
    assert (MAX_CART_ITEMS, MAX_TOTAL_QUANTITY, MAX_CODE_LENGTH, MAX_IDENTIFIERS) == (
        1000,
        10_000,
        100,
        5,
    )


def test_an_empty_update_is_valid() -> None:
    validate_update(SessionUpdate())


@pytest.mark.parametrize(
    ("update", "locations"),
    [
        (SessionUpdate(cart_items=_items(1000)), []),
        (SessionUpdate(cart_items=_items(1001)), ["/customerSession/cartItems"]),
        (SessionUpdate(cart_items=()), []),
        (SessionUpdate(cart_items=_items(10, quantity=1000)), []),
        (
            SessionUpdate(cart_items=(*_items(10, quantity=1000), CartItem(sku="X", quantity=1))),
            ["/customerSession/cartItems"],
        ),
        (SessionUpdate(cart_items=_items(1, quantity=10_000)), []),
        (SessionUpdate(cart_items=_items(1, quantity=10_001)), ["/customerSession/cartItems"]),
        (SessionUpdate(coupon_codes=("C" * 100,)), []),
        (SessionUpdate(coupon_codes=("C" * 101,)), ["/customerSession/couponCodes/0"]),
        (SessionUpdate(coupon_codes=("C",)), []),
        (SessionUpdate(coupon_codes=("",)), ["/customerSession/couponCodes/0"]),
        (SessionUpdate(coupon_codes=()), []),
        (
            SessionUpdate(coupon_codes=("OK", "", "C" * 101, "C" * 100)),
            ["/customerSession/couponCodes/1", "/customerSession/couponCodes/2"],
        ),
        (SessionUpdate(referral_code="R" * 100), []),
        (SessionUpdate(referral_code="R" * 101), ["/customerSession/referralCode"]),
        (SessionUpdate(referral_code=""), []),
        (SessionUpdate(identifiers=tuple(f"id-{i}" for i in range(5))), []),
        (
            SessionUpdate(identifiers=tuple(f"id-{i}" for i in range(6))),
            ["/customerSession/identifiers"],
        ),
        (SessionUpdate(identifiers=()), []),
        (SessionUpdate(loyalty_cards=("card-1",)), []),
        (SessionUpdate(loyalty_cards=("card-1", "card-2")), ["/customerSession/loyaltyCards"]),
        (SessionUpdate(loyalty_cards=()), []),
        (SessionUpdate(store_integration_id="s" * 1000), []),
        (
            SessionUpdate(store_integration_id="s" * 1001),
            ["/customerSession/storeIntegrationId"],
        ),
        (SessionUpdate(additional_costs={"fee": D(0)}), []),
        (
            SessionUpdate(additional_costs={"fee": D("-0.01")}),
            ["/customerSession/additionalCosts/fee/price"],
        ),
    ],
    ids=BOUNDARY_IDS,
)
def test_limits_at_and_past_each_boundary(update: SessionUpdate, locations: list[str]) -> None:
    assert _problems(update) == locations


@pytest.mark.parametrize(
    ("item", "locations"),
    [
        (CartItem(sku="A", quantity=1), []),
        (CartItem(sku="", quantity=1), ["/customerSession/cartItems/3/sku"]),
        (CartItem(sku="   ", quantity=1), ["/customerSession/cartItems/3/sku"]),
        (CartItem(sku="A", quantity=0), ["/customerSession/cartItems/3/quantity"]),
        (CartItem(sku="A", quantity=-2), ["/customerSession/cartItems/3/quantity"]),
        (CartItem(sku="A", quantity=1, price=D(0)), []),
        (CartItem(sku="A", quantity=1, price=D("-0.01")), ["/customerSession/cartItems/3/price"]),
        (CartItem(sku="A", quantity=1, additional_costs={"shipping": D(0)}), []),
        (
            CartItem(sku="A", quantity=1, additional_costs={"shipping": D("-1")}),
            ["/customerSession/cartItems/3/additionalCosts/shipping/price"],
        ),
    ],
    ids=ITEM_IDS,
)
def test_each_cart_item_is_checked_at_its_index(item: CartItem, locations: list[str]) -> None:
    items = (*_items(3), item, *_items(2))
    assert _problems(SessionUpdate(cart_items=items)) == locations


def test_the_quantity_message_names_the_sum() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_update(SessionUpdate(cart_items=_items(2, quantity=5001)))
    [problem] = error.value.problems
    assert problem.location == "/customerSession/cartItems"
    assert "10002" in problem.details
    assert "10000" in problem.details


def test_non_positive_quantities_do_not_count_towards_the_sum() -> None:
    items = (CartItem(sku="A", quantity=10_000), CartItem(sku="B", quantity=-5))
    assert _problems(SessionUpdate(cart_items=items)) == ["/customerSession/cartItems/1/quantity"]


def test_too_many_items_still_come_with_the_other_problems() -> None:
    update = SessionUpdate(
        cart_items=_items(1001),
        identifiers=tuple("abcdef"),
        referral_code="R" * 101,
    )
    assert _problems(update) == [
        "/customerSession/referralCode",
        "/customerSession/cartItems",
        "/customerSession/identifiers",
    ]


def test_every_problem_comes_in_one_error_with_its_pointer() -> None:
    update = SessionUpdate(
        store_integration_id="s" * 1001,
        coupon_codes=("GOOD", "", "C" * 101),
        referral_code="R" * 101,
        loyalty_cards=("card-1", "card-2"),
        cart_items=(
            CartItem(sku="A", quantity=1),
            CartItem(sku=" ", quantity=0, price=D("-1")),
            CartItem(sku="C", quantity=9_999, additional_costs={"ship": D("-0.5")}),
            CartItem(sku="D", quantity=2),
        ),
        additional_costs={"fee": D("-2"), "tip": D("1")},
        identifiers=tuple("abcdef"),
    )
    with pytest.raises(InvalidInput) as error:
        validate_update(update)
    assert _locations(error) == [
        "/customerSession/couponCodes/1",
        "/customerSession/couponCodes/2",
        "/customerSession/referralCode",
        "/customerSession/cartItems/1/sku",
        "/customerSession/cartItems/1/quantity",
        "/customerSession/cartItems/1/price",
        "/customerSession/cartItems/2/additionalCosts/ship/price",
        "/customerSession/cartItems",  # 1 + 9,999 + 2 = 10,002
        "/customerSession/identifiers",
        "/customerSession/loyaltyCards",
        "/customerSession/storeIntegrationId",
        "/customerSession/additionalCosts/fee/price",
    ]
    assert all(problem.location in error.value.details for problem in error.value.problems)


def test_additional_cost_names_are_escaped_in_pointers() -> None:
    update = SessionUpdate(
        additional_costs={"a/b~c": D(-1)},
        cart_items=(CartItem(sku="A", quantity=1, additional_costs={"x/y": D(-1)}),),
    )
    assert _problems(update) == [
        "/customerSession/cartItems/0/additionalCosts/x~1y/price",
        "/customerSession/additionalCosts/a~1b~0c/price",
    ]


def test_undeclared_custom_attributes_are_each_named() -> None:
    update = SessionUpdate(
        attributes={"channel": "web", "a/b": 1},
        cart_items=(CartItem(sku="A", quantity=1, attributes={"gift": True, "x": 1}),),
    )
    unknown_attributes(update, session={"channel", "a/b"}, cart_item={"gift", "x"})
    with pytest.raises(InvalidInput) as error:
        unknown_attributes(update, session={"channel"}, cart_item={"gift"})
    assert [p.location for p in error.value.problems] == [
        "/customerSession/attributes/a~1b",
        "/customerSession/cartItems/0/attributes/x",
    ]
