"""Gift cards: a coupon's ``discountLimit`` is a balance its discounts spend when a session closes
(``discountCounter``), never beyond it whatever the concurrency, and get back when the session
is cancelled, reopened or returned. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from perks.bootstrap import Services, build_services
from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupons import CouponProperties
from perks.domain.customer_sessions import CartItem, SessionState, SessionUpdate
from perks.domain.errors import Conflict
from perks.domain.rulesets import Rule, RulesetSpec
from perks.services.coupons import NamedCoupon
from perks.services.customer_sessions import SessionRequest
from perks.services.principals import OPERATOR
from perks.settings import Settings
from tests.fakes import FixedClock

D = Decimal
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
CART = (CartItem(sku="SHOE", quantity=1, price=D("80")),)
BALANCE = D(50)
RACERS = 24


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url, sqlite_busy_timeout_ms=60_000, database_pool_size=16
    )
    built = build_services(settings, clock=FixedClock(NOW))
    yield built
    built.database.dispose()


def _gift_card_shop(services: Services, *, partial: bool) -> tuple[int, int]:
    application = services.applications.create(
        OPERATOR,
        ApplicationSpec(
            name="shop", timezone="UTC", currency="EUR", enable_partial_discounts=partial
        ),
    )
    campaign = services.campaigns.create(OPERATOR, application.id, CampaignSpec(name="gift"))
    rule = Rule("20 off with the card", ["and", ["couponValid"]], [["setDiscount", "card", 20]])
    services.rulesets.create(
        OPERATOR, application.id, campaign.id, RulesetSpec(rules=(rule,), activate=True)
    )
    card = CouponProperties(usage_limit=0, discount_limit=BALANCE)
    services.coupons.create_named(
        OPERATOR, application.id, campaign.id, [NamedCoupon("CARD", card)]
    )
    return application.id, campaign.id


def _counter(services: Services, app: int, campaign: int) -> Decimal:
    return services.coupons.find_codes(OPERATOR, app, campaign, ["CARD"])[0].discount_counter


def _close(services: Services, app: int, session_id: str) -> SessionRequest:
    update = SessionUpdate(
        profile_id="alice", cart_items=CART, coupon_codes=("CARD",), state=SessionState.CLOSED
    )
    return SessionRequest(session_id, update)


def test_a_gift_card_is_spent_by_closes_and_given_back_by_a_cancel(services: Services) -> None:
    app, campaign = _gift_card_shop(services, partial=True)
    sessions = services.customer_sessions
    for index in range(2):
        closed = sessions.update(app, _close(services, app, f"s-{index}"))
        discounts = [
            e.props["value"] for e in closed.evaluation.effects if e.effect_type == "setDiscount"
        ]
        assert discounts == [D(20)]
    assert _counter(services, app, campaign) == D(40)
    third = sessions.update(app, _close(services, app, "s-2"))
    props = [dict(e.props) for e in third.evaluation.effects if e.effect_type == "setDiscount"]
    assert props == [{"name": "card", "value": D(10), "desiredValue": D(20)}]  # what is left
    assert _counter(services, app, campaign) == BALANCE
    cancelled = sessions.update(
        app, SessionRequest("s-0", SessionUpdate(state=SessionState.CANCELLED))
    )
    assert ("rollbackDiscount", D(20)) in [
        (e.effect_type, e.props["value"]) for e in cancelled.rollbacks
    ]
    assert _counter(services, app, campaign) == D(30)


def test_without_partial_discounts_an_exhausted_card_is_refused(services: Services) -> None:
    app, campaign = _gift_card_shop(services, partial=False)
    sessions = services.customer_sessions
    for index in range(2):
        sessions.update(app, _close(services, app, f"s-{index}"))
    refused = sessions.update(app, _close(services, app, "s-2"))
    kinds = [(e.effect_type, e.props.get("rejectionReason")) for e in refused.evaluation.effects]
    assert kinds == [("rejectCoupon", "EffectCouldNotBeApplied")]
    assert _counter(services, app, campaign) == D(40)


def test_closes_racing_for_one_gift_card_never_spend_more_than_its_balance(
    services: Services,
) -> None:
    app, campaign = _gift_card_shop(services, partial=True)

    def close(index: int) -> Decimal:
        try:
            outcome = services.customer_sessions.update(app, _close(services, app, f"r-{index}"))
        except Conflict:
            return D(-1)  # told to send it again
        return sum(
            (
                D(str(e.props["value"]))
                for e in outcome.evaluation.effects
                if e.effect_type == "setDiscount"
            ),
            D(0),
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        granted = list(pool.map(close, range(RACERS)))
    spent = sum((g for g in granted if g > 0), D(0))
    assert spent == _counter(services, app, campaign) == BALANCE
