"""Customer sessions (``CustomerSessionV2``): the cart, its state machine and built-in events,
how an update builds on the stored session, the request limits, and the totals before any
discount. Pure: time arrives as an argument."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from perks.domain.budgets import CounterChange
from perks.domain.effects import Effect
from perks.domain.errors import InvalidInput, Problem, pointer_segment

__all__ = [
    "MAX_CART_ITEMS",
    "MAX_CODE_LENGTH",
    "MAX_IDENTIFIERS",
    "MAX_TOTAL_QUANTITY",
    "CartItem",
    "CustomerSession",
    "SessionEvent",
    "SessionOperation",
    "SessionState",
    "SessionUpdate",
    "StoredSession",
    "apply_update",
    "session_events",
    "unknown_attributes",
    "validate_update",
]

MAX_CART_ITEMS = 1000
MAX_TOTAL_QUANTITY = 10_000
MAX_CODE_LENGTH = 100  # NewCustomerSessionV2.couponCodes items, referralCode
MAX_IDENTIFIERS = 5
MAX_LOYALTY_CARDS = 1
MAX_STORE_ID_LENGTH = 1000
_AT = "/customerSession"
T = TypeVar("T")


class SessionState(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    PARTIALLY_RETURNED = "partially_returned"
    CANCELLED = "cancelled"


class SessionEvent(StrEnum):
    """The built-in events a session's life records (semantics §4.8)."""

    CREATED = "talon_session_created"
    UPDATED = "talon_session_updated"
    CLOSED = "talon_session_closed"
    CANCELLED = "talon_session_cancelled"
    REVOKED = "talon_session_revoked"
    PARTIALLY_RETURNED = "talon_session_partially_returned"
    REOPENED = "talon_session_reopened"


class SessionOperation(StrEnum):
    """The endpoint a transition arrives through."""

    UPDATE = "updateCustomerSessionV2"
    RETURN = "returnCartItems"
    REOPEN = "reopenCustomerSession"


_S, _E, _O = SessionState, SessionEvent, SessionOperation
_TRANSITIONS: Mapping[tuple[SessionState, SessionState, SessionOperation], SessionEvent] = {
    (_S.OPEN, _S.OPEN, _O.UPDATE): _E.UPDATED,
    (_S.OPEN, _S.CLOSED, _O.UPDATE): _E.CLOSED,
    (_S.OPEN, _S.CANCELLED, _O.UPDATE): _E.CANCELLED,
    (_S.CLOSED, _S.CANCELLED, _O.UPDATE): _E.REVOKED,
    (_S.PARTIALLY_RETURNED, _S.CANCELLED, _O.UPDATE): _E.REVOKED,
    (_S.CLOSED, _S.PARTIALLY_RETURNED, _O.RETURN): _E.PARTIALLY_RETURNED,
    (_S.PARTIALLY_RETURNED, _S.PARTIALLY_RETURNED, _O.RETURN): _E.PARTIALLY_RETURNED,
    (_S.CLOSED, _S.OPEN, _O.REOPEN): _E.REOPENED,
}
_CREATION: Mapping[SessionState, tuple[SessionEvent, ...]] = {
    _S.OPEN: (_E.CREATED,),
    _S.CLOSED: (_E.CREATED, _E.CLOSED),  # a "legacy order", created closed
}


def session_events(
    current: SessionState | None, target: SessionState, operation: SessionOperation
) -> tuple[SessionEvent, ...]:
    """The events of moving a session (``None``: a new one) to ``target`` through
    ``operation``; an illegal move is an ``InvalidInput`` naming both states."""
    if current is None and operation is SessionOperation.UPDATE and target in _CREATION:
        return _CREATION[target]
    if current is not None:
        event = _TRANSITIONS.get((current, target, operation))
        if event is not None:
            return (event,)
    if current is None and operation is not SessionOperation.UPDATE:
        details = f"no customer session to {operation}: only {SessionOperation.UPDATE} creates one"
    elif current is None:
        details = f"a customer session cannot be created {target}: only open or closed"
    else:
        details = f"a {current} customer session cannot become {target} through {operation}"
    raise InvalidInput([Problem("invalid state", details, f"{_AT}/state")])


@dataclass(frozen=True, slots=True)
class CartItem:
    """``CartItem``: ``position`` is its index in the cart, ``returned_quantity`` what returns
    took back."""

    sku: str
    quantity: int
    name: str | None = None
    price: Decimal | None = None
    category: str | None = None
    product: Mapping[str, object] | None = None
    weight: Decimal | None = None
    height: Decimal | None = None
    width: Decimal | None = None
    length: Decimal | None = None
    attributes: Mapping[str, object] = field(default_factory=dict)
    additional_costs: Mapping[str, Decimal] = field(default_factory=dict)  # name: price
    returned_quantity: int = 0
    position: int = 0

    @property
    def remaining_quantity(self) -> int:
        return self.quantity - self.returned_quantity

    def total(self) -> Decimal:
        """Price times the quantity not returned (a missing price counts as 0)."""
        return (self.price or Decimal(0)) * self.remaining_quantity

    def additional_cost_total(self) -> Decimal:
        return sum(self.additional_costs.values(), Decimal(0)) * self.remaining_quantity


@dataclass(frozen=True, slots=True)
class SessionUpdate:
    """``NewCustomerSessionV2``: ``None`` is a field the request leaves out (or sends null),
    which keeps the stored value. An empty ``coupon_codes`` or ``referral_code`` discards."""

    profile_id: str | None = None
    store_integration_id: str | None = None
    evaluable_campaign_ids: tuple[int, ...] | None = None
    coupon_codes: tuple[str, ...] | None = None
    referral_code: str | None = None
    loyalty_cards: tuple[str, ...] | None = None
    state: SessionState | None = None
    cart_items: tuple[CartItem, ...] | None = None
    additional_costs: Mapping[str, Decimal] | None = None
    identifiers: tuple[str, ...] | None = None
    attributes: Mapping[str, object] | None = None


@dataclass(frozen=True, slots=True)
class CustomerSession:
    """``CustomerSessionV2`` without its ids and times, which storage gives."""

    integration_id: str
    profile_id: str = ""  # "": anonymous
    store_integration_id: str | None = None
    coupon_codes: tuple[str, ...] = ()
    referral_code: str = ""
    loyalty_cards: tuple[str, ...] = ()
    state: SessionState = SessionState.OPEN
    cart_items: tuple[CartItem, ...] = ()
    additional_costs: Mapping[str, Decimal] = field(default_factory=dict)  # name: price
    identifiers: tuple[str, ...] = ()
    attributes: Mapping[str, object] = field(default_factory=dict)
    update_count: int = 0
    created: datetime | None = None
    updated: datetime | None = None

    @property
    def anonymous(self) -> bool:
        return not self.profile_id

    def cart_item_total(self) -> Decimal:
        return sum((item.total() for item in self.cart_items), Decimal(0))

    def additional_cost_total(self) -> Decimal:
        session = sum(self.additional_costs.values(), Decimal(0))
        return session + sum((i.additional_cost_total() for i in self.cart_items), Decimal(0))

    def total(self) -> Decimal:
        """``total``: cart items and additional costs, before any discount."""
        return self.cart_item_total() + self.additional_cost_total()


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A session as storage keeps it: its id, whether it was its profile's first, the effects
    its last evaluation answered, and the effects its close committed (what cancel, reopen
    and returns roll back)."""

    id: int
    application_id: int
    session: CustomerSession
    first_session: bool = True
    effects: tuple[Effect, ...] = ()
    committed: tuple[Effect, ...] = ()
    # What its close committed besides effects, so that cancel and reopen give it back.
    committed_changes: tuple[CounterChange, ...] = ()
    redeemed_coupons: tuple[int, ...] = ()
    committed_total: Decimal = Decimal(0)  # the total the profile's totalSales received


def apply_update(
    stored: CustomerSession | None,
    integration_id: str,
    update: SessionUpdate,
    *,
    now: datetime,
) -> tuple[CustomerSession, tuple[SessionEvent, ...]]:
    """The session after ``update`` (on ``stored``, or a new one) and the events it records.
    Cart items are numbered by their place in the cart; ``updateCount`` counts updates. A
    session that is no longer open keeps its cart and the rest: only its state moves."""
    validate_update(update)
    base = stored or CustomerSession(integration_id=integration_id, created=now)
    target = update.state or (base.state if stored else SessionState.OPEN)
    events = session_events(stored.state if stored else None, target, SessionOperation.UPDATE)
    if stored is not None and stored.state is not SessionState.OPEN:
        # A closed or returned session is history: only its state moves (a cancel).
        return replace(stored, state=target, updated=now), events
    items = base.cart_items
    if update.cart_items is not None:
        items = tuple(
            item if item.position == index else replace(item, position=index)
            for index, item in enumerate(update.cart_items)
        )
    session = replace(
        base,
        profile_id=_kept(update.profile_id, base.profile_id),
        store_integration_id=_kept(update.store_integration_id, base.store_integration_id),
        coupon_codes=_kept(update.coupon_codes, base.coupon_codes),
        referral_code=_kept(update.referral_code, base.referral_code),
        loyalty_cards=_kept(update.loyalty_cards, base.loyalty_cards),
        state=target,
        cart_items=items,
        additional_costs=_kept(update.additional_costs, base.additional_costs),
        identifiers=_kept(update.identifiers, base.identifiers),
        attributes=_kept(update.attributes, base.attributes),
        update_count=base.update_count + 1 if stored else 1,
        updated=now,
    )
    return session, events


def _kept(new: T | None, old: T) -> T:
    return old if new is None else new


def validate_update(update: SessionUpdate) -> None:
    """Raise ``InvalidInput`` with every breach of the request limits, each at its pointer."""
    problems = _code_problems(update) + _cart_problems(update.cart_items or ())
    if update.identifiers is not None and len(update.identifiers) > MAX_IDENTIFIERS:
        problems.append(_problem("/identifiers", f"at most {MAX_IDENTIFIERS} identifiers"))
    if update.loyalty_cards is not None and len(update.loyalty_cards) > MAX_LOYALTY_CARDS:
        problems.append(_problem("/loyaltyCards", f"at most {MAX_LOYALTY_CARDS} loyalty card"))
    store = update.store_integration_id
    if store is not None and len(store) > MAX_STORE_ID_LENGTH:
        problems.append(
            _problem("/storeIntegrationId", f"at most {MAX_STORE_ID_LENGTH} characters")
        )
    for name, price in (update.additional_costs or {}).items():
        if price < 0:
            problems.append(
                _problem(f"/additionalCosts/{pointer_segment(name)}/price", "must not be negative")
            )
    if problems:
        raise InvalidInput(problems)


def unknown_attributes(
    update: SessionUpdate, *, session: Collection[str], cart_item: Collection[str]
) -> None:
    """Raise ``InvalidInput`` naming every custom attribute the request sets that the
    application has not declared (``CustomerSession`` / ``CartItem`` attributes), as
    Talon.One refuses them."""
    problems = [
        _problem(f"/attributes/{pointer_segment(name)}", f"unknown session attribute {name!r}")
        for name in (update.attributes or {})
        if name not in session
    ]
    for index, item in enumerate(update.cart_items or ()):
        problems += [
            _problem(
                f"/cartItems/{index}/attributes/{pointer_segment(name)}",
                f"unknown cart item attribute {name!r}",
            )
            for name in item.attributes
            if name not in cart_item
        ]
    if problems:
        raise InvalidInput(problems)


def _code_problems(update: SessionUpdate) -> list[Problem]:
    problems = [
        _problem(f"/couponCodes/{index}", f"a code has 1 to {MAX_CODE_LENGTH} characters")
        for index, code in enumerate(update.coupon_codes or ())
        if not 0 < len(code) <= MAX_CODE_LENGTH
    ]
    if update.referral_code is not None and len(update.referral_code) > MAX_CODE_LENGTH:
        problems.append(
            _problem("/referralCode", f"a code has at most {MAX_CODE_LENGTH} characters")
        )
    return problems


def _cart_problems(items: Sequence[CartItem]) -> list[Problem]:
    if len(items) > MAX_CART_ITEMS:
        return [_problem("/cartItems", f"at most {MAX_CART_ITEMS} cart items per session")]
    problems: list[Problem] = []
    for index, item in enumerate(items):
        at = f"/cartItems/{index}"
        if not item.sku.strip():
            problems.append(_problem(f"{at}/sku", "a cart item needs a SKU"))
        if item.quantity < 1:
            problems.append(_problem(f"{at}/quantity", "the quantity is at least 1"))
        if item.price is not None and item.price < 0:
            problems.append(_problem(f"{at}/price", "must not be negative"))
        for name, price in item.additional_costs.items():
            if price < 0:
                problems.append(
                    _problem(
                        f"{at}/additionalCosts/{pointer_segment(name)}/price",
                        "must not be negative",
                    )
                )
    quantity = sum(max(item.quantity, 0) for item in items)
    if quantity > MAX_TOTAL_QUANTITY:
        problems.append(
            _problem(
                "/cartItems",
                f"the quantities add up to {quantity}: at most {MAX_TOTAL_QUANTITY} per session",
            )
        )
    return problems


def _problem(pointer: str, details: str) -> Problem:
    return Problem("invalid value", details, f"{_AT}{pointer}")
