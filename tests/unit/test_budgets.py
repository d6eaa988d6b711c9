"""Budget counters: keys per entity combination, calendar buckets in the application's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from perks.domain.budgets import (
    CounterKey,
    Subjects,
    counter_keys,
    fits,
    missing_entities,
    period_bucket,
)
from perks.domain.limits import LimitConfig, LimitEntity, LimitPeriod

NEW_YEAR_UTC = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 2027 already in Berlin


@pytest.mark.parametrize(
    ("period", "timezone", "bucket"),
    [
        (None, "Europe/Berlin", ""),
        (LimitPeriod.DAILY, "Europe/Berlin", "2027-01-01"),
        (LimitPeriod.DAILY, "UTC", "2026-12-31"),
        (LimitPeriod.DAILY, "America/New_York", "2026-12-31"),
        (LimitPeriod.WEEKLY, "Europe/Berlin", "2026-W53"),  # ISO week of Friday 1 Jan 2027
        (LimitPeriod.WEEKLY, "UTC", "2026-W53"),
        (LimitPeriod.MONTHLY, "Europe/Berlin", "2027-01"),
        (LimitPeriod.MONTHLY, "UTC", "2026-12"),
        (LimitPeriod.YEARLY, "Europe/Berlin", "2027"),
        (LimitPeriod.YEARLY, "UTC", "2026"),
    ],
)
def test_period_buckets_follow_the_application_time_zone(
    period: LimitPeriod | None, timezone: str, bucket: str
) -> None:
    assert period_bucket(period, NEW_YEAR_UTC, timezone) == bucket


def test_weeks_start_on_monday() -> None:
    sunday = datetime(2026, 11, 22, 12, tzinfo=UTC)
    monday = datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert period_bucket(LimitPeriod.WEEKLY, sunday, "UTC") == "2026-W47"
    assert period_bucket(LimitPeriod.WEEKLY, monday, "UTC") == "2026-W48"


def test_a_campaign_wide_limit_has_one_counter() -> None:
    limit = LimitConfig("setDiscount", Decimal(100), (), None)
    keys = counter_keys(4, limit, Subjects(), now=NEW_YEAR_UTC, timezone="UTC")
    assert keys == (CounterKey(4, "setDiscount", (), ""),)


def test_entities_combine_and_every_identifier_counts_on_its_own() -> None:
    limit = LimitConfig(
        "redeemCoupon", Decimal(1), (LimitEntity.COUPON, LimitEntity.IDENTIFIER), LimitPeriod.DAILY
    )
    subjects = Subjects(coupon="7", profile="alice", identifiers=("ip-1", "ip-2", "ip-1"))
    keys = counter_keys(3, limit, subjects, now=NEW_YEAR_UTC, timezone="UTC")
    assert keys == (
        CounterKey(3, "redeemCoupon", (("Coupon", "7"), ("Identifier", "ip-1")), "2026-12-31"),
        CounterKey(3, "redeemCoupon", (("Coupon", "7"), ("Identifier", "ip-2")), "2026-12-31"),
    )


def test_a_missing_subject_means_no_counter_and_is_named() -> None:
    limit = LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.PROFILE,), None)
    anonymous = Subjects(coupon="7", session="s-1")
    assert missing_entities(limit, anonymous) == (LimitEntity.PROFILE,)
    assert counter_keys(3, limit, anonymous, now=NEW_YEAR_UTC, timezone="UTC") == ()
    every = (
        LimitEntity.COUPON,
        LimitEntity.REFERRAL,
        LimitEntity.PROFILE,
        LimitEntity.IDENTIFIER,
        LimitEntity.STORE,
        LimitEntity.SESSION,
    )
    full = Subjects("1", "2", "p", ("i",), "s", "x")
    assert missing_entities(LimitConfig("a", Decimal(1), every, None), full) == ()
    assert missing_entities(LimitConfig("a", Decimal(1), every, None), Subjects()) == every


def test_a_delta_fits_only_when_every_counter_stays_within_the_limit() -> None:
    limit = LimitConfig("setDiscount", Decimal("50.00"), (LimitEntity.IDENTIFIER,), None)
    keys = counter_keys(
        1, limit, Subjects(identifiers=("a", "b")), now=NEW_YEAR_UTC, timezone="UTC"
    )
    assert fits(limit, keys, {}, Decimal("50.00"))
    assert not fits(limit, keys, {}, Decimal("50.01"))
    assert fits(limit, keys, {keys[0]: Decimal("40")}, Decimal("10"))
    assert not fits(limit, keys, {keys[1]: Decimal("40")}, Decimal("10.01"))
    assert fits(limit, (), {}, Decimal(10**6))  # nothing to count: nothing to exceed
