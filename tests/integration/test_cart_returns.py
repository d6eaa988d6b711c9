"""returnCartItems' use case on SQLite and PostgreSQL: what a return rolls back and gives back,
the profile's totalSales, the session's effects after it, a cancel after returns, dry returns,
``runRuleEngine`` with and without ``reevaluateOnReturn``, and idempotency keys (replays,
another body, expiry, ten racing requests with one key)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from sqlalchemy import func, select

from perks.adapters.sql.tables import session_events
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.bootstrap import Services, build_services
from perks.domain.applications import ApplicationSpec
from perks.domain.budgets import CounterKey
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupons import CouponProperties
from perks.domain.customer_sessions import CartItem, SessionState, SessionUpdate, StoredSession
from perks.domain.effects import Effect
from perks.domain.errors import InvalidInput, NotFound, Unprocessable
from perks.domain.idempotency import IdempotencyKey, StoredAnswer, fingerprint
from perks.domain.limits import LimitConfig
from perks.domain.returns import ReturnedCartItem, ReturnRequestItem
from perks.domain.rulesets import Rule, RulesetSpec
from perks.entrypoints.http.integration.customer_sessions import state
from perks.entrypoints.http.wire import encode
from perks.services.cart_returns import ReturnRequest
from perks.services.coupons import NamedCoupon
from perks.services.customer_sessions import SessionOutcome, SessionRequest
from perks.services.principals import OPERATOR
from perks.settings import Settings
from tests.fakes import FixedClock

D = Decimal
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TOTAL = [".", "Session", "Total"]
SHOE, MUG = 0, 1
CART = (
    CartItem(sku="SHOE", quantity=1, price=D("80")),
    CartItem(sku="MUG", quantity=3, price=D("10")),
)  # 110 before discounts: 2 off each mug (6), 10% of the total (11)
RACERS = 10


@dataclass
class Shop:
    services: Services
    clock: FixedClock
    app: int = 0
    campaign: int = 0

    def close(self, name: str = "s-1", *items: CartItem, **changes: object) -> SessionOutcome:
        fields: dict[str, object] = {
            "profile_id": "alice",
            "cart_items": items or CART,
            "state": SessionState.CLOSED,
            **changes,
        }
        update = SessionUpdate(**fields)  # type: ignore[arg-type]
        return self.services.customer_sessions.update(self.app, SessionRequest(name, update))

    def give_back(
        self, *items: tuple[int, int | None], name: str = "s-1", **options: object
    ) -> SessionOutcome:
        outcome = self.services.cart_returns.return_items(
            self.app, _request(name, items, **options)
        )
        assert isinstance(outcome, SessionOutcome)
        return outcome

    def counter(self, action: str, campaign: int | None = None) -> Decimal:
        key = CounterKey(campaign or self.campaign, action, (), "")
        with SqlUnitOfWorkFactory(self.services.database.engine)(write=False) as tx:
            return tx.budget_counters.read([key]).get(key, D(0))

    def counters(self) -> tuple[Decimal, Decimal]:
        return self.counter("setDiscount"), self.counter("setDiscountEffect")

    def stored(self, name: str = "s-1") -> StoredSession:
        return self.services.customer_sessions.get(self.app, name)

    def returns(self, name: str = "s-1") -> list[tuple[tuple[int, int, str], ...]]:
        session_id = self.stored(name).id
        with SqlUnitOfWorkFactory(self.services.database.engine)(write=False) as tx:
            found = tx.session_returns.for_session(session_id)
        return [
            tuple((i.position, i.quantity, i.sku) for i in r.returned_cart_items) for r in found
        ]

    def events(self) -> int:
        with self.services.database.engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(session_events)).scalar_one()
            )

    def total_sales(self) -> tuple[int, Decimal]:
        with SqlUnitOfWorkFactory(self.services.database.engine)(write=False) as tx:
            profile = tx.customer_profiles.get(self.app, "alice")
        assert profile is not None
        return profile.closed_sessions, profile.total_sales


def _request(
    name: str, items: tuple[tuple[int, int | None], ...], **options: object
) -> ReturnRequest:
    asked = tuple(ReturnRequestItem(position, quantity) for position, quantity in items)
    return ReturnRequest(name, asked, **options)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def services(database_url: str, clock: FixedClock) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url, sqlite_busy_timeout_ms=60_000, database_pool_size=16
    )
    built = build_services(settings, clock=clock)
    yield built
    built.database.dispose()


def _shop(
    services: Services, clock: FixedClock, *, reevaluate: bool = True, flattened: bool = False
) -> Shop:
    application = services.applications.create(
        OPERATOR,
        ApplicationSpec(
            name="shop", timezone="UTC", currency="EUR", enable_flattened_cart_items=flattened
        ),
    )
    campaign = services.campaigns.create(
        OPERATOR,
        application.id,
        CampaignSpec(
            name="mugs",
            reevaluate_on_return=reevaluate,
            limits=(
                LimitConfig("setDiscount", D(1000)),
                LimitConfig("setDiscountEffect", D(100)),
            ),
        ),
    )
    mugs = ["filter", [".", "Session", "CartItems"], [["Item"], ["=", [".", "Item", "Sku"], "MUG"]]]
    rules = (
        Rule("2 off each mug", True, [["map", mugs, [["Item"], ["setDiscountPerItem", "mug", 2]]]]),
        Rule("10% over 100", [">", TOTAL, 100], [["setDiscount", "10%", ["*", TOTAL, D("0.1")]]]),
    )
    services.rulesets.create(
        OPERATOR, application.id, campaign.id, RulesetSpec(rules=rules, activate=True)
    )
    return Shop(services, clock, application.id, campaign.id)


@pytest.fixture
def shop(services: Services, clock: FixedClock) -> Shop:
    return _shop(services, clock)


def _summary(effects: tuple[Effect, ...]) -> list[tuple[str, object, object, object]]:
    return [
        (e.effect_type, e.props.get("name"), e.props.get("value"), e.props.get("totalDiscount"))
        for e in effects
    ]


def _lines(outcome: SessionOutcome) -> list[tuple[int, int]]:
    return [(i.returned_quantity, i.remaining_quantity) for i in outcome.stored.session.cart_items]


# What a return rolls back and gives back ----------------------------------------------------------


def test_a_return_rolls_back_the_returned_units_and_gives_their_budget_back(shop: Shop) -> None:
    closed = shop.close()
    assert _summary(closed.evaluation.effects) == [
        ("setDiscountPerItem", "mug#1", D("2.00"), D("6.00")),
        ("setDiscount", "10%", D("11.00"), None),
    ]
    assert shop.counters() == (D("17.00"), D(2))
    assert shop.total_sales() == (1, D(110))
    events = shop.events()

    first = shop.give_back((MUG, 1))
    assert _summary(first.rollbacks) == [("rollbackDiscount", "mug#1", D("2.00"), None)]
    assert first.rollbacks[0].props["cartItemPosition"] == 1
    assert "cartItemSubPosition" not in first.rollbacks[0].props
    assert first.stored.session.state is SessionState.PARTIALLY_RETURNED
    assert _lines(first) == [(0, 1), (1, 2)]
    assert shop.counters() == (D("15.00"), D(2))  # a cut discount still counts as one
    assert shop.total_sales() == (1, D(100))
    assert first.profile is not None and first.profile.total_sales == D(100)
    # The return and its event are recorded; the event carries the rollbacks.
    assert first.event is not None and first.cart_return is not None
    assert first.event.id > 0
    assert first.event.type == "talon_session_partially_returned"
    assert first.event.effects == first.rollbacks
    assert first.cart_return.id > 0
    assert first.cart_return.event_id == first.event.id
    assert first.cart_return.returned_cart_items == (ReturnedCartItem(1, 1, "MUG"),)
    assert (first.cart_return.session_id, first.cart_return.profile_integration_id) == (
        closed.stored.id,
        "alice",
    )
    assert first.previous_returns == ()
    assert shop.events() == events + 1
    # getCustomerSession: the session as returned and the effects that still hold.
    stored = shop.stored()
    assert stored.session.state is SessionState.PARTIALLY_RETURNED
    assert [item.returned_quantity for item in stored.session.cart_items] == [0, 1]
    assert _summary(stored.effects) == [
        ("setDiscountPerItem", "mug#1", D("2.00"), D("4.00")),
        ("setDiscount", "10%", D("11.00"), None),
    ]
    assert stored.committed_total == D(100)

    second = shop.give_back((MUG, None))  # all that is left
    assert _summary(second.rollbacks) == [("rollbackDiscount", "mug#1", D("4.00"), None)]
    assert _lines(second) == [(0, 1), (3, 0)]
    assert shop.counters() == (D("11.00"), D(1))
    assert shop.total_sales() == (1, D(80))
    assert [r.returned_cart_items for r in second.previous_returns] == [
        (ReturnedCartItem(1, 1, "MUG"),)
    ]
    assert _summary(shop.stored().effects) == [("setDiscount", "10%", D("11.00"), None)]
    assert shop.returns() == [((1, 1, "MUG"),), ((1, 2, "MUG"),)]

    with pytest.raises(InvalidInput) as nothing_left:
        shop.give_back((MUG, 1))
    assert [p.location for p in nothing_left.value.problems] == [
        "/return/returnedCartItems/0/quantity"
    ]
    assert shop.counters() == (D("11.00"), D(1))
    assert shop.events() == events + 2


def test_returned_item_costs_leave_total_sales_too(shop: Shop) -> None:
    wrapped = CartItem(sku="SHOE", quantity=2, price=D("40"), additional_costs={"wrap": D("2.5")})
    shop.close("s-1", wrapped, CART[1])
    assert shop.total_sales() == (1, D(115))
    returned = shop.give_back((SHOE, 1))
    assert returned.rollbacks == ()  # nothing was discounted on shoes
    assert shop.total_sales() == (1, D("72.5"))
    assert shop.stored().committed_total == D("72.5")
    assert shop.counters() == (D("17.50"), D(2))


def test_cancelling_after_returns_gives_back_only_what_remains(shop: Shop) -> None:
    services = shop.services
    coupons = services.campaigns.create(
        OPERATOR,
        shop.app,
        CampaignSpec(name="coupons", limits=(LimitConfig("setDiscount", D(50)),)),
    )
    services.rulesets.create(
        OPERATOR,
        shop.app,
        coupons.id,
        RulesetSpec(
            rules=(Rule("5 off", ["couponValid"], [["setDiscount", "5 off", 5]]),), activate=True
        ),
    )
    services.coupons.create_named(
        OPERATOR, shop.app, coupons.id, [NamedCoupon("XMAS", CouponProperties(usage_limit=1))]
    )

    def used() -> int:
        return services.coupons.find_codes(OPERATOR, shop.app, coupons.id, ["XMAS"])[
            0
        ].usage_counter

    shop.close(coupon_codes=("XMAS",))
    assert (shop.counters(), shop.counter("setDiscount", coupons.id), used()) == (
        (D("17.00"), D(2)),
        D(5),
        1,
    )
    returned = shop.give_back((MUG, 2))
    assert _summary(returned.rollbacks) == [("rollbackDiscount", "mug#1", D("4.00"), None)]
    # A return gives back neither the coupon nor the other campaign's session discount.
    assert (shop.counters(), shop.counter("setDiscount", coupons.id), used()) == (
        (D("13.00"), D(2)),
        D(5),
        1,
    )
    assert shop.total_sales() == (1, D(90))

    cancelled = services.customer_sessions.update(
        shop.app,
        SessionRequest(
            "s-1", SessionUpdate(state=SessionState.CANCELLED), with_previous_returns=True
        ),
    )
    assert [str(e) for e in cancelled.events] == ["talon_session_revoked"]
    assert sorted(
        (e.effect_type, str(e.props.get("name", e.props["value"])), e.props["value"])
        for e in cancelled.rollbacks
    ) == [
        ("rollbackCoupon", "XMAS", "XMAS"),
        ("rollbackDiscount", "10%", D("11.00")),
        ("rollbackDiscount", "5 off", D("5.00")),
        ("rollbackDiscount", "mug#1", D("2.00")),  # the one mug kept, not the three bought
    ]
    assert [r.returned_cart_items for r in cancelled.previous_returns] == [
        (ReturnedCartItem(1, 2, "MUG"),)
    ]
    # Everything is back at zero, not below: nothing was given back twice.
    assert (shop.counters(), shop.counter("setDiscount", coupons.id), used()) == (
        (D(0), D(0)),
        D(0),
        0,
    )
    assert shop.total_sales() == (0, D(0))
    assert shop.stored().effects == ()
    with pytest.raises(InvalidInput) as cancelled_return:
        shop.give_back((SHOE, 1))
    assert [p.location for p in cancelled_return.value.problems] == ["/customerSession/state"]


def test_only_a_closed_or_returned_session_takes_returns(shop: Shop) -> None:
    sessions = shop.services.customer_sessions
    sessions.update(shop.app, SessionRequest("open", SessionUpdate(cart_items=CART)))
    events = shop.events()
    with pytest.raises(InvalidInput) as still_open:
        shop.give_back((MUG, 1), name="open")
    (problem,) = still_open.value.problems
    assert problem.location == "/customerSession/state"
    assert "open customer session cannot become partially_returned" in problem.details
    with pytest.raises(NotFound):
        shop.give_back((MUG, 1), name="nobody")
    with pytest.raises(NotFound):
        shop.give_back((MUG, 1), name="nobody", dry=True)
    shop.close()
    with pytest.raises(InvalidInput) as bad:
        shop.give_back((MUG, 1), (7, 1), (SHOE, 2))
    assert [p.location for p in bad.value.problems] == [
        "/return/returnedCartItems/1/position",
        "/return/returnedCartItems/2/quantity",
    ]
    assert shop.counters() == (D("17.00"), D(2))
    assert shop.returns() == []
    assert shop.stored().session.state is SessionState.CLOSED
    shop.give_back((MUG, 1))
    with pytest.raises(InvalidInput) as reopened:
        sessions.reopen(shop.app, "s-1")
    assert reopened.value.problems[0].location == "/customerSession/state"
    assert shop.events() == events + 3  # created and closed, then the return


def test_a_dry_return_answers_and_writes_nothing(shop: Shop) -> None:
    shop.close()
    events, before = shop.events(), shop.stored()
    dry = shop.give_back((MUG, 2), dry=True, run_rule_engine=True)
    assert _summary(dry.rollbacks) == [
        ("rollbackDiscount", "mug#1", D("4.00"), None),
        ("rollbackDiscount", "10%", D("11.00"), None),
    ]
    assert dry.stored.session.state is SessionState.PARTIALLY_RETURNED
    assert dry.event is not None and dry.event.id == 0
    assert dry.cart_return is not None and dry.cart_return.id == 0
    assert dry.profile is None
    # Nothing was written: no counter moved, no return, no event, the session as it was.
    assert shop.counters() == (D("17.00"), D(2))
    assert shop.total_sales() == (1, D(110))
    assert shop.returns() == []
    assert shop.events() == events
    assert shop.stored() == before
    real = shop.give_back((MUG, 2))
    assert real.previous_returns == ()
    assert real.cart_return is not None and real.cart_return.id > 0


# runRuleEngine ------------------------------------------------------------------------------------


def test_run_rule_engine_rolls_back_a_discount_the_smaller_cart_no_longer_earns(
    shop: Shop,
) -> None:
    shop.close()
    returned = shop.give_back((MUG, 2), run_rule_engine=True)  # 90 left: no 10% any more
    assert _summary(returned.rollbacks) == [
        ("rollbackDiscount", "mug#1", D("4.00"), None),
        ("rollbackDiscount", "10%", D("11.00"), None),
    ]
    assert returned.event is not None and returned.event.effects == returned.rollbacks
    assert shop.counters() == (D("2.00"), D(1))
    assert _summary(shop.stored().effects) == [
        ("setDiscountPerItem", "mug#1", D("2.00"), D("2.00"))
    ]
    # A later cancel gives back what is left, once.
    shop.services.customer_sessions.update(
        shop.app, SessionRequest("s-1", SessionUpdate(state=SessionState.CANCELLED))
    )
    assert shop.counters() == (D(0), D(0))


def test_run_rule_engine_rolls_back_the_difference_of_a_smaller_discount(shop: Shop) -> None:
    cart = (CART[0], CartItem(sku="MUG", quantity=5, price=D("10")))  # 130: 10% is 13
    shop.close("s-1", *cart)
    assert shop.counters() == (D("23.00"), D(2))
    returned = shop.give_back((MUG, 1), run_rule_engine=True)  # 120: 10% is 12
    assert _summary(returned.rollbacks) == [
        ("rollbackDiscount", "mug#1", D("2.00"), None),
        ("rollbackDiscount", "10%", D("1.00"), None),
    ]
    assert shop.counters() == (D("20.00"), D(2))
    assert _summary(shop.stored().effects) == [
        ("setDiscountPerItem", "mug#1", D("2.00"), D("8.00")),
        ("setDiscount", "10%", D("12.00"), None),
    ]


def test_without_reevaluate_on_return_the_engine_leaves_the_discount(
    services: Services, clock: FixedClock
) -> None:
    shop = _shop(services, clock, reevaluate=False)
    shop.close()
    returned = shop.give_back((MUG, 2), run_rule_engine=True)
    assert _summary(returned.rollbacks) == [("rollbackDiscount", "mug#1", D("4.00"), None)]
    assert shop.counters() == (D("13.00"), D(2))
    assert ("setDiscount", "10%", D("11.00"), None) in _summary(shop.stored().effects)


def test_without_run_rule_engine_nothing_is_reevaluated(shop: Shop) -> None:
    shop.close()
    returned = shop.give_back((MUG, 2))
    assert _summary(returned.rollbacks) == [("rollbackDiscount", "mug#1", D("4.00"), None)]
    assert shop.counters() == (D("13.00"), D(2))


def test_a_return_never_adds_a_discount(shop: Shop) -> None:
    services = shop.services
    small = services.campaigns.create(
        OPERATOR, shop.app, CampaignSpec(name="small carts", reevaluate_on_return=True)
    )
    rule = Rule("3 off under 100", ["<", TOTAL, 100], [["setDiscount", "3 off", 3]])
    services.rulesets.create(
        OPERATOR, shop.app, small.id, RulesetSpec(rules=(rule,), activate=True)
    )
    shop.close()
    returned = shop.give_back((MUG, 3), run_rule_engine=True)  # 80 left: it would apply now
    assert {e.campaign_id for e in returned.rollbacks} == {shop.campaign}
    assert [e.props["name"] for e in shop.stored().effects] == []
    assert shop.counters() == (D(0), D(0))


def test_run_rule_engine_tells_rules_with_the_same_discount_name_apart(
    services: Services, clock: FixedClock
) -> None:
    shop = _shop(services, clock)
    rules = (
        Rule("bonus over 50", [">", TOTAL, 50], [["setDiscount", "bonus", 5]]),
        Rule("bonus over 100", [">", TOTAL, 100], [["setDiscount", "bonus", 5]]),
    )
    services.rulesets.create(
        OPERATOR, shop.app, shop.campaign, RulesetSpec(rules=rules, activate=True)
    )
    closed = shop.close()
    assert _summary(closed.evaluation.effects) == [
        ("setDiscount", "bonus", D("5.00"), None),
        ("setDiscount", "bonus", D("5.00"), None),
    ]
    returned = shop.give_back((MUG, 2), run_rule_engine=True)  # 90 left: only "over 50" holds
    assert [(e.rule_name, e.props["value"]) for e in returned.rollbacks] == [
        ("bonus over 100", D("5.00"))
    ]
    assert shop.counters() == (D("5.00"), D(1))


def _gift_card_shop(services: Services, clock: FixedClock) -> tuple[Shop, Callable[[], Decimal]]:
    """A gift card of 26 spent whole by the close: 2 off each of 3 mugs and 20 off the session."""
    application = services.applications.create(
        OPERATOR,
        ApplicationSpec(
            name="cards", timezone="UTC", currency="EUR", enable_partial_discounts=True
        ),
    )
    campaign = services.campaigns.create(
        OPERATOR, application.id, CampaignSpec(name="gift", reevaluate_on_return=True)
    )
    mugs = ["filter", [".", "Session", "CartItems"], [["Item"], ["=", [".", "Item", "Sku"], "MUG"]]]
    each = ["map", mugs, [["Item"], ["setDiscountPerItem", "mug", 2]]]
    rules = (
        Rule("2 off each mug", ["and", ["couponValid"]], [each]),
        Rule("20 off", ["and", ["couponValid"]], [["setDiscount", "card", 20]]),
    )
    services.rulesets.create(
        OPERATOR, application.id, campaign.id, RulesetSpec(rules=rules, activate=True)
    )
    card = CouponProperties(usage_limit=0, discount_limit=D(26))
    services.coupons.create_named(
        OPERATOR, application.id, campaign.id, [NamedCoupon("CARD", card)]
    )

    def spent() -> Decimal:
        found = services.coupons.find_codes(OPERATOR, application.id, campaign.id, ["CARD"])
        return found[0].discount_counter

    shop = Shop(services, clock, application.id, campaign.id)
    closed = shop.close(coupon_codes=("CARD",))
    discounts = [e for e in closed.evaluation.effects if e.effect_type != "acceptCoupon"]
    assert _summary(tuple(discounts)) == [
        ("setDiscountPerItem", "mug#1", D("2.00"), D("6.00")),
        ("setDiscount", "card", D("20.00"), None),
    ]
    assert spent() == D(26)
    return shop, spent


def test_a_return_gives_a_gift_card_back_what_the_returned_units_spent(
    services: Services, clock: FixedClock
) -> None:
    shop, spent = _gift_card_shop(services, clock)
    returned = shop.give_back((MUG, 1))
    assert _summary(returned.rollbacks) == [("rollbackDiscount", "mug#1", D("2.00"), None)]
    assert spent() == D(24)
    shop.services.customer_sessions.update(
        shop.app, SessionRequest("s-1", SessionUpdate(state=SessionState.CANCELLED))
    )
    assert spent() == D(0)  # what was left, once


def test_run_rule_engine_counts_the_gift_card_as_unspent_by_this_session(
    services: Services, clock: FixedClock
) -> None:
    shop, spent = _gift_card_shop(services, clock)
    returned = shop.give_back((MUG, 1), run_rule_engine=True)  # 100 left: 20 off still holds
    assert _summary(returned.rollbacks) == [("rollbackDiscount", "mug#1", D("2.00"), None)]
    assert spent() == D(24)


def test_flattened_units_are_returned_from_the_end_end_to_end(
    services: Services, clock: FixedClock
) -> None:
    shop = _shop(services, clock, flattened=True)
    closed = shop.close()
    units = [e for e in closed.evaluation.effects if e.effect_type == "setDiscountPerItem"]
    assert [e.props.get("subPosition") for e in units] == [0, 1, 2]
    returned = shop.give_back((MUG, 1), run_rule_engine=True)
    per_item = [e for e in returned.rollbacks if e.props["name"] == "mug#1"]
    assert [e.props["cartItemSubPosition"] for e in per_item] == [2]
    assert shop.counter("setDiscountEffect") == D(2)  # two units kept; 10% rolled back


# Session events and what updates answer -----------------------------------------------------------


def test_updates_record_their_events(shop: Shop) -> None:
    sessions = shop.services.customer_sessions
    opened = sessions.update(shop.app, SessionRequest("s-1", SessionUpdate(cart_items=CART)))
    assert opened.event is not None and opened.event.type == "talon_session_created"
    assert opened.event.effects == opened.evaluation.effects
    updated = sessions.update(shop.app, SessionRequest("s-1", SessionUpdate(profile_id="alice")))
    assert updated.event is not None
    assert (updated.event.type, updated.event.id > opened.event.id) == (
        "talon_session_updated",
        True,
    )
    assert [c.id for c in updated.triggered_campaigns] == [shop.campaign]
    dry = sessions.update(
        shop.app, SessionRequest("s-2", SessionUpdate(state=SessionState.CLOSED), dry=True)
    )
    assert dry.event is not None and dry.event.id == 0
    assert shop.events() == 2
    created_closed = shop.close("s-3")  # created closed: two events
    assert created_closed.event is not None
    assert created_closed.event.type == "talon_session_closed"
    assert created_closed.event.effects == created_closed.evaluation.effects
    assert shop.events() == 4


# Idempotency keys ---------------------------------------------------------------------------------

CONTENT = ["customerSession", "customerProfile", "event", "previousReturns"]


def _render(outcome: SessionOutcome) -> tuple[int, str]:
    return 200, encode(state(outcome, CONTENT)).decode()


def _keyed(
    shop: Shop, key: str, *items: tuple[int, int | None], **options: object
) -> SessionOutcome | StoredAnswer:
    body = repr(items).encode()
    request = _request(
        "s-1",
        items,
        idempotency=IdempotencyKey(key, fingerprint(body, repr(sorted(options.items())).encode())),
        render=_render,
        **options,
    )
    return shop.services.cart_returns.return_items(shop.app, request)


def _text(answer: SessionOutcome | StoredAnswer) -> str:
    return answer.response if isinstance(answer, StoredAnswer) else _render(answer)[1]


def test_the_same_key_and_body_get_the_stored_answer_however_the_session_changed(
    shop: Shop,
) -> None:
    shop.close()
    first = _keyed(shop, "k-1", (MUG, 1))
    assert isinstance(first, SessionOutcome)
    shop.give_back((MUG, 1))  # the session moves on
    events = shop.events()
    again = _keyed(shop, "k-1", (MUG, 1))
    assert isinstance(again, StoredAnswer)
    assert (again.status, again.response) == (200, _text(first))
    assert '"returnedQuantity":1' in again.response  # the session as it was then
    assert shop.returns() == [((1, 1, "MUG"),), ((1, 1, "MUG"),)]
    assert shop.counters() == (D("13.00"), D(2))
    assert shop.events() == events
    # Another key is another request.
    other = _keyed(shop, "k-2", (MUG, 1))
    assert isinstance(other, SessionOutcome)
    assert len(shop.returns()) == 3


def test_the_same_key_with_another_body_is_unprocessable(shop: Shop) -> None:
    shop.close()
    _keyed(shop, "k-1", (MUG, 1))
    for items, options in (
        (((SHOE, 1),), {}),
        (((MUG, 2),), {}),
        (((MUG, 1),), {"run_rule_engine": True}),
    ):
        with pytest.raises(Unprocessable) as refused:
            _keyed(shop, "k-1", *items, **options)
        assert refused.value.parameter == "Idempotency-Key"
    assert shop.returns() == [((1, 1, "MUG"),)]
    assert shop.counters() == (D("15.00"), D(2))


def test_a_key_is_free_again_after_24_hours(shop: Shop) -> None:
    shop.close()
    first = _keyed(shop, "k-1", (MUG, 1))
    shop.clock.advance(timedelta(hours=23, minutes=59))
    assert isinstance(_keyed(shop, "k-1", (MUG, 1)), StoredAnswer)
    shop.clock.advance(timedelta(minutes=1, seconds=1))
    anew = _keyed(shop, "k-1", (MUG, 1))
    assert isinstance(anew, SessionOutcome)
    assert _text(anew) != _text(first)
    assert len(anew.previous_returns) == 1
    assert shop.returns() == [((1, 1, "MUG"),), ((1, 1, "MUG"),)]
    # The fresh answer is the one kept now, and another body is refused again.
    replay = _keyed(shop, "k-1", (MUG, 1))
    assert isinstance(replay, StoredAnswer)
    assert replay.response == _text(anew)
    with pytest.raises(Unprocessable):
        _keyed(shop, "k-1", (SHOE, 1))


def test_a_dry_or_refused_request_keeps_no_answer(shop: Shop) -> None:
    shop.close()
    dry = _keyed(shop, "k-1", (MUG, 1), dry=True)
    assert isinstance(dry, SessionOutcome)
    with pytest.raises(InvalidInput):
        _keyed(shop, "k-2", (MUG, 9))
    # Neither kept the key: the same keys with other requests are served.
    assert isinstance(_keyed(shop, "k-1", (MUG, 2)), SessionOutcome)
    assert isinstance(_keyed(shop, "k-2", (MUG, 1)), SessionOutcome)
    assert shop.returns() == [((1, 2, "MUG"),), ((1, 1, "MUG"),)]


def test_racing_requests_with_one_key_return_once(shop: Shop) -> None:
    shop.close()
    start = Barrier(RACERS)

    def send(_: int) -> tuple[str, str]:
        start.wait()
        answer = _keyed(shop, "race", (MUG, 1))
        kind = "stored" if isinstance(answer, StoredAnswer) else "worked"
        return kind, _text(answer)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        results = list(pool.map(send, range(RACERS)))
    assert sorted(kind for kind, _ in results) == ["stored"] * (RACERS - 1) + ["worked"]
    assert len({text for _, text in results}) == 1
    assert shop.returns() == [((1, 1, "MUG"),)]
    assert shop.counters() == (D("15.00"), D(2))
    assert shop.total_sales() == (1, D(100))
