"""updateCustomerSessionV2's use case on SQLite and PostgreSQL: evaluation, dry runs and their
clock, what a close commits, and a single-use coupon raced by 200 closing sessions."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from perks.bootstrap import Services, build_services
from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec, budgets
from perks.domain.coupons import CouponProperties
from perks.domain.customer_sessions import CartItem, SessionState, SessionUpdate
from perks.domain.errors import Conflict, InvalidInput, NotFound
from perks.domain.limits import LimitConfig
from perks.domain.pages import PageRequest
from perks.domain.rulesets import Rule, RulesetSpec
from perks.domain.vocabulary import CustomEffectDefinition
from perks.services.coupons import NamedCoupon
from perks.services.customer_sessions import SessionRequest
from perks.services.ports import CampaignFilter, CouponFilter
from perks.services.principals import OPERATOR
from perks.settings import Settings
from tests.fakes import FixedClock

D = Decimal
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TOTAL = [".", "Session", "Total"]
CART = (
    CartItem(sku="SHOE", quantity=1, price=D("80")),
    CartItem(sku="MUG", quantity=2, price=D("10")),
)
RACERS = 200


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url, sqlite_busy_timeout_ms=60_000, database_pool_size=16
    )
    built = build_services(settings, clock=FixedClock(NOW))
    yield built
    built.database.dispose()


def _shop(services: Services, *, limits: tuple[LimitConfig, ...] = ()) -> tuple[int, int]:
    application = services.applications.create(
        OPERATOR, ApplicationSpec(name="shop", timezone="Europe/Berlin", currency="EUR")
    )
    campaign = services.campaigns.create(
        OPERATOR, application.id, CampaignSpec(name="10%", limits=limits)
    )
    rule = Rule(
        "10% with a coupon",
        ["and", ["couponValid"], [">", TOTAL, 50]],
        [["setDiscount", "10%", ["*", TOTAL, D("0.1")]]],
    )
    services.rulesets.create(
        OPERATOR, application.id, campaign.id, RulesetSpec(rules=(rule,), activate=True)
    )
    return application.id, campaign.id


def _update(**changes: object) -> SessionUpdate:
    fields: dict[str, object] = {"profile_id": "alice", "cart_items": CART, **changes}
    return SessionUpdate(**fields)  # type: ignore[arg-type]


def test_an_open_session_gets_its_effects_and_a_close_commits_them(services: Services) -> None:
    app, campaign = _shop(services, limits=(LimitConfig("redeemCoupon", D(10), (), None),))
    services.coupons.create_named(
        OPERATOR, app, campaign, [NamedCoupon("XMAS", CouponProperties(usage_limit=2))]
    )
    sessions = services.customer_sessions
    opened = sessions.update(app, SessionRequest("s-1", _update(coupon_codes=("XMAS",))))
    assert [e.effect_type for e in opened.evaluation.effects] == ["acceptCoupon", "setDiscount"]
    assert opened.evaluation.effects[1].props["value"] == D("10.00")
    assert opened.stored.id > 0
    assert opened.stored.session.update_count == 1
    assert opened.stored.first_session is True
    assert opened.profile is not None and opened.profile.closed_sessions == 0

    closed = sessions.update(app, SessionRequest("s-1", SessionUpdate(state=SessionState.CLOSED)))
    assert [str(e) for e in closed.events] == ["talon_session_closed"]
    assert closed.stored.session.coupon_codes == ("XMAS",)  # kept from the stored session
    assert closed.stored.committed == closed.evaluation.effects
    assert closed.profile is not None
    assert (closed.profile.closed_sessions, closed.profile.total_sales) == (1, D("100"))
    coupon = services.coupons.find_codes(OPERATOR, app, campaign, ["XMAS"])[0]
    assert coupon.usage_counter == 1

    second = sessions.update(app, SessionRequest("s-2", _update(coupon_codes=("XMAS",))))
    assert second.stored.first_session is False
    with pytest.raises(InvalidInput) as illegal:
        sessions.update(app, SessionRequest("s-1", SessionUpdate(state=SessionState.OPEN)))
    assert illegal.value.problems[0].location == "/customerSession/state"


def test_a_dry_run_writes_nothing_and_travels_in_time(services: Services) -> None:
    app, campaign = _shop(services)
    services.coupons.create_named(
        OPERATOR,
        app,
        campaign,
        [NamedCoupon("LATER", CouponProperties(usage_limit=1, start_date=NOW + timedelta(days=3)))],
    )
    sessions = services.customer_sessions
    today = sessions.update(
        app,
        SessionRequest(
            "s-9", _update(coupon_codes=("LATER",), state=SessionState.CLOSED), dry=True
        ),
    )
    assert today.evaluation.effects[0].props["rejectionReason"] == "CouponStartDateInFuture"
    later = sessions.update(
        app,
        SessionRequest(
            "s-9",
            _update(coupon_codes=("LATER",), state=SessionState.CLOSED),
            dry=True,
            now=NOW + timedelta(days=4),
        ),
    )
    assert [e.effect_type for e in later.evaluation.effects] == ["acceptCoupon", "setDiscount"]
    assert later.profile is None
    with pytest.raises(InvalidInput) as past:
        sessions.update(
            app, SessionRequest("s-9", _update(), dry=True, now=NOW - timedelta(seconds=1))
        )
    assert past.value.problems[0].location == "now"
    with pytest.raises(InvalidInput):
        sessions.update(app, SessionRequest("s-9", _update(), now=NOW + timedelta(days=1)))
    # Nothing of the dry runs was stored: the session is new, the coupon unused, no profile.
    real = sessions.update(app, SessionRequest("s-9", _update()))
    assert real.stored.session.update_count == 1
    coupon = services.coupons.find_codes(OPERATOR, app, campaign, ["LATER"])[0]
    assert coupon.usage_counter == 0


def test_200_sessions_closing_with_one_single_use_coupon_redeem_it_once(services: Services) -> None:
    app, campaign = _shop(services)
    services.coupons.create_named(
        OPERATOR, app, campaign, [NamedCoupon("ONCE", CouponProperties(usage_limit=1))]
    )
    sessions = services.customer_sessions

    def close(index: int) -> str:
        update = _update(coupon_codes=("ONCE",), state=SessionState.CLOSED, profile_id=f"p{index}")
        try:
            outcome = sessions.update(app, SessionRequest(f"race-{index}", update))
        except Conflict:
            return "conflict"
        kinds = [e.effect_type for e in outcome.evaluation.effects]
        return "redeemed" if "acceptCoupon" in kinds else "rejected"

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(close, range(RACERS)))
    assert results.count("redeemed") == 1
    assert (
        results.count("redeemed") + results.count("rejected") + results.count("conflict") == RACERS
    )
    coupons, _ = services.coupons.list(OPERATOR, app, campaign, PageRequest(), CouponFilter())
    assert [c.usage_counter for c in coupons] == [1]
    print(
        f"{RACERS} closing sessions: {results.count('redeemed')} redeemed, {results.count('rejected')} rejected, {results.count('conflict')} told to retry"
    )


def _closed_with_coupon(services: Services) -> tuple[int, int, LimitConfig]:
    budget = LimitConfig("setDiscount", D(100), (), None)
    app, campaign = _shop(services, limits=(budget,))
    services.coupons.create_named(
        OPERATOR, app, campaign, [NamedCoupon("XMAS", CouponProperties(usage_limit=1))]
    )
    closing = _update(coupon_codes=("XMAS",), state=SessionState.CLOSED)
    services.customer_sessions.update(app, SessionRequest("s-1", closing))
    return app, campaign, budget


def _usage(services: Services, app: int, campaign: int) -> int:
    return services.coupons.find_codes(OPERATOR, app, campaign, ["XMAS"])[0].usage_counter


def test_cancelling_a_closed_session_gives_back_what_its_close_committed(
    services: Services,
) -> None:
    app, campaign, _ = _closed_with_coupon(services)
    assert _usage(services, app, campaign) == 1
    cancelled = services.customer_sessions.update(
        app, SessionRequest("s-1", SessionUpdate(state=SessionState.CANCELLED))
    )
    assert [str(e) for e in cancelled.events] == ["talon_session_revoked"]
    assert [(e.effect_type, dict(e.props)) for e in cancelled.rollbacks] == [
        ("rollbackCoupon", {"value": "XMAS"}),
        ("rollbackDiscount", {"name": "10%", "value": D("10.00")}),
    ]
    assert _usage(services, app, campaign) == 0
    assert cancelled.profile is not None
    assert (cancelled.profile.closed_sessions, cancelled.profile.total_sales) == (0, D(0))
    # The coupon and the budget are whole again: another session redeems the coupon.
    again = services.customer_sessions.update(
        app, SessionRequest("s-2", _update(coupon_codes=("XMAS",), state=SessionState.CLOSED))
    )
    assert [e.effect_type for e in again.evaluation.effects] == ["acceptCoupon", "setDiscount"]


def test_reopening_gives_back_and_closing_again_commits_again(services: Services) -> None:
    app, campaign, _ = _closed_with_coupon(services)
    reopened = services.customer_sessions.reopen(app, "s-1")
    assert [str(e) for e in reopened.events] == ["talon_session_reopened"]
    assert [e.effect_type for e in reopened.rollbacks] == ["rollbackCoupon", "rollbackDiscount"]
    assert reopened.stored.session.state is SessionState.OPEN
    assert _usage(services, app, campaign) == 0
    closed = services.customer_sessions.update(
        app, SessionRequest("s-1", SessionUpdate(state=SessionState.CLOSED))
    )
    assert [e.effect_type for e in closed.evaluation.effects] == ["acceptCoupon", "setDiscount"]
    assert _usage(services, app, campaign) == 1
    assert closed.profile is not None and closed.profile.closed_sessions == 1
    with pytest.raises(NotFound):
        services.customer_sessions.reopen(app, "s-2")
    services.customer_sessions.update(app, SessionRequest("s-3", _update()))
    with pytest.raises(InvalidInput) as open_one:
        services.customer_sessions.reopen(app, "s-3")
    assert "open customer session cannot become open" in open_one.value.problems[0].details


def test_a_changed_custom_effect_is_used_at_once(services: Services) -> None:
    app, _ = _shop(services)
    definition = CustomEffectDefinition(id=0, name="Note", payload='{"text": "one"}')
    effect = services.custom_effects.create(OPERATOR, definition, (app,))
    campaign = services.campaigns.create(OPERATOR, app, CampaignSpec(name="notes"))
    rule = Rule("note", ["and", True], [["!", "Note"]])
    services.rulesets.create(OPERATOR, app, campaign.id, RulesetSpec(rules=(rule,), activate=True))

    def payload() -> object:
        outcome = services.customer_sessions.update(app, SessionRequest("s-1", _update()))
        (custom,) = [e for e in outcome.evaluation.effects if e.effect_type == "customEffect"]
        return custom.props["payload"]

    before = payload()
    changed = replace(definition, payload='{"text": "two"}')
    services.custom_effects.update(OPERATOR, effect.definition.id, changed, (app,))
    assert (before, payload()) == ({"text": "one"}, {"text": "two"})


@pytest.mark.parametrize(
    ("scope", "props"),
    [
        (
            "price",
            {"name": "mug#1", "value": D("10.00"), "position": D(1), "totalDiscount": D("20.00")},
        ),
        ("itemTotal", {"name": "mug#1", "value": D("15.00"), "position": D(1)}),
    ],
)
def test_per_item_discounts_without_a_scope_take_the_applications_default(
    services: Services, scope: str, props: dict[str, object]
) -> None:
    from perks.domain.applications import AdditionalCostPerItemScope

    application = services.applications.create(
        OPERATOR,
        ApplicationSpec(
            name="shop",
            timezone="UTC",
            currency="EUR",
            default_discount_additional_cost_per_item_scope=AdditionalCostPerItemScope(scope),
        ),
    )
    campaign = services.campaigns.create(OPERATOR, application.id, CampaignSpec(name="mugs"))
    mugs = ["filter", [".", "Session", "CartItems"], [["Item"], ["=", [".", "Item", "Sku"], "MUG"]]]
    rule = Rule(
        "15 off mugs", ["and", True], [["map", mugs, [["Item"], ["setDiscountPerItem", "mug", 15]]]]
    )
    services.rulesets.create(
        OPERATOR, application.id, campaign.id, RulesetSpec(rules=(rule,), activate=True)
    )
    outcome = services.customer_sessions.update(application.id, SessionRequest("s-1", _update()))
    assert [dict(e.props) for e in outcome.evaluation.effects] == [props]


def test_a_campaigns_budgets_show_what_closed_sessions_spent(services: Services) -> None:
    app, campaign, _ = _closed_with_coupon(services)  # a 100 setDiscount budget; 10 spent
    read = services.campaigns.get(OPERATOR, app, campaign)
    assert [(b.action, b.limit, b.counter) for b in budgets(read)] == [
        ("setDiscount", D(100), D("10.00"))
    ]
    listed = services.campaigns.list(OPERATOR, app, PageRequest(), CampaignFilter())
    assert [budgets(c)[0].counter for c in listed.items] == [D("10.00")]
    services.customer_sessions.update(
        app, SessionRequest("s-1", SessionUpdate(state=SessionState.CANCELLED))
    )
    assert budgets(services.campaigns.get(OPERATOR, app, campaign))[0].counter == 0
