"""The coupon checks that run before any rule, each reason and their order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from perks.domain.budgets import Subjects, counter_keys
from perks.domain.coupon_validation import CouponContext, CouponRejection, check_coupon
from perks.domain.coupons import Coupon
from perks.domain.limits import LimitConfig, LimitEntity, LimitPeriod

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)
COUPON = Coupon(usage_limit=0, id=9, campaign_id=3, value="XMAS", created=NOW - HOUR)
ALICE = CouponContext(
    now=NOW,
    timezone="UTC",
    campaign_running=True,
    subjects=Subjects(profile="alice", session="s-1", identifiers=("ip-1",)),
)
ANONYMOUS = replace(ALICE, subjects=Subjects(session="s-1"))
R = CouponRejection


def test_a_plain_coupon_is_valid_for_anyone() -> None:
    assert check_coupon(COUPON, ALICE) is None
    assert check_coupon(COUPON, ANONYMOUS) is None


@pytest.mark.parametrize(
    ("coupon", "context", "reason"),
    [
        (None, ALICE, R.COUPON_NOT_FOUND),
        (COUPON, replace(ALICE, campaign_running=False), R.COUPON_PART_OF_NOT_RUNNING_CAMPAIGN),
        (replace(COUPON, start_date=NOW + HOUR), ALICE, R.COUPON_START_DATE_IN_FUTURE),
        (replace(COUPON, expiry_date=NOW), ALICE, R.COUPON_EXPIRED),
        (replace(COUPON, recipient_integration_id="bob"), ALICE, R.COUPON_RECIPIENT_DOES_NOT_MATCH),
        (replace(COUPON, recipient_integration_id="bob"), ANONYMOUS, R.PROFILE_REQUIRED),
        (replace(COUPON, is_reservation_mandatory=True), ANONYMOUS, R.PROFILE_REQUIRED),
        (replace(COUPON, is_reservation_mandatory=True), ALICE, R.COUPON_RESERVATION_REQUIRED),
        (replace(COUPON, usage_limit=2, usage_counter=2), ALICE, R.CAMPAIGN_LIMIT_REACHED),
        (
            replace(COUPON, discount_limit=Decimal(20), discount_counter=Decimal(20)),
            ALICE,
            R.CAMPAIGN_LIMIT_REACHED,
        ),
    ],
)
def test_each_reason(coupon: Coupon | None, context: CouponContext, reason: R) -> None:
    assert check_coupon(coupon, context) is reason


def test_edges_of_the_schedule_and_the_limits_pass() -> None:
    assert check_coupon(replace(COUPON, start_date=NOW, expiry_date=NOW + HOUR), ALICE) is None
    assert check_coupon(replace(COUPON, usage_limit=2, usage_counter=1), ALICE) is None
    assert check_coupon(replace(COUPON, recipient_integration_id="alice"), ALICE) is None
    reserved = replace(ALICE, reserved=True)
    assert check_coupon(replace(COUPON, is_reservation_mandatory=True), reserved) is None
    gift = replace(COUPON, discount_limit=Decimal(20), discount_counter=Decimal("19.99"))
    assert check_coupon(gift, ALICE) is None


def test_the_first_failing_check_answers() -> None:
    everything_wrong = replace(
        COUPON,
        start_date=NOW + HOUR,
        expiry_date=NOW - HOUR,
        recipient_integration_id="bob",
        usage_limit=1,
        usage_counter=1,
    )
    assert check_coupon(everything_wrong, replace(ALICE, campaign_running=False)) is (
        R.COUPON_PART_OF_NOT_RUNNING_CAMPAIGN
    )
    assert check_coupon(everything_wrong, ALICE) is R.COUPON_START_DATE_IN_FUTURE
    expired = replace(everything_wrong, start_date=None)
    assert check_coupon(expired, ALICE) is R.COUPON_EXPIRED
    assert check_coupon(replace(expired, expiry_date=None), ALICE) is (
        R.COUPON_RECIPIENT_DOES_NOT_MATCH
    )


def test_campaign_budgets_for_redemptions() -> None:
    campaign_wide = LimitConfig("redeemCoupon", Decimal(100), (), None)
    per_profile = LimitConfig("redeemCoupon", Decimal(2), (LimitEntity.PROFILE,), LimitPeriod.DAILY)
    discounts = LimitConfig("setDiscount", Decimal(0), (), None)  # not about redemptions
    context = replace(ALICE, campaign_limits=(campaign_wide, per_profile, discounts))
    assert check_coupon(COUPON, context) is None

    full = counter_keys(3, campaign_wide, ALICE.subjects, now=NOW, timezone="UTC")[0]
    at_limit = replace(context, counters={full: Decimal(100)})
    assert check_coupon(COUPON, at_limit) is R.CAMPAIGN_LIMIT_REACHED

    alice = counter_keys(3, per_profile, ALICE.subjects, now=NOW, timezone="UTC")[0]
    assert check_coupon(COUPON, replace(context, counters={alice: Decimal(2)})) is (
        R.PROFILE_LIMIT_REACHED
    )
    yesterday = replace(context, now=NOW + timedelta(days=1), counters={alice: Decimal(2)})
    assert check_coupon(COUPON, yesterday) is None  # a new day, a new counter
    anonymous = replace(context, subjects=ANONYMOUS.subjects)
    assert check_coupon(COUPON, anonymous) is R.PROFILE_REQUIRED


def test_a_limit_on_an_entity_the_session_lacks_is_not_counted() -> None:
    per_store = LimitConfig("redeemCoupon", Decimal(0), (LimitEntity.STORE,), None)
    assert check_coupon(COUPON, replace(ALICE, campaign_limits=(per_store,))) is None
    in_store = replace(ALICE, subjects=replace(ALICE.subjects, store="berlin"))
    assert check_coupon(COUPON, replace(in_store, campaign_limits=(per_store,))) is (
        R.CAMPAIGN_LIMIT_REACHED
    )


def test_the_coupons_own_limits_count_per_coupon_and_profile() -> None:
    limited = replace(
        COUPON, limits=(LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.PROFILE,), None),)
    )
    assert check_coupon(limited, ANONYMOUS) is R.PROFILE_REQUIRED
    assert check_coupon(limited, ALICE) is None
    own = LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.COUPON, LimitEntity.PROFILE), None)
    used = counter_keys(3, own, replace(ALICE.subjects, coupon="9"), now=NOW, timezone="UTC")[0]
    assert used.subjects == (("Coupon", "9"), ("Profile", "alice"))
    assert check_coupon(limited, replace(ALICE, counters={used: Decimal(1)})) is (
        R.PROFILE_LIMIT_REACHED
    )
    bob = replace(ALICE, subjects=Subjects(profile="bob"), counters={used: Decimal(1)})
    assert check_coupon(limited, bob) is None
