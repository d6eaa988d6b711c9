"""Whether a coupon code is valid before any rule runs: ``Coupon.Valid`` of the rule bindings,
or the ``CouponRejectionReason`` that says why not (semantics §4.5).

The reasons a rule decides (``CouponRejectedByCondition``, ``EffectCouldNotBeApplied``,
``CouponPartOfNotTriggeredCampaign``) come later, from the evaluation. Checks run in this
order, the first failing one answers: found, campaign running, start date, expiry date,
recipient and profile, reservation, the coupon's own usage and discount limits, the campaign's
``redeemCoupon`` budgets, the coupon's per-profile limits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from perks.domain.budgets import CounterKey, Subjects, counter_keys, fits, missing_entities
from perks.domain.coupons import Coupon
from perks.domain.limits import LimitConfig, LimitEntity

__all__ = ["REDEEM_COUPON", "CouponContext", "CouponRejection", "check_coupon", "own_limits"]

REDEEM_COUPON = "redeemCoupon"


class CouponRejection(StrEnum):
    """``CouponRejectionReason.reason``: every value of the spec's enum."""

    COUPON_NOT_FOUND = "CouponNotFound"
    COUPON_PART_OF_NOT_RUNNING_CAMPAIGN = "CouponPartOfNotRunningCampaign"
    CAMPAIGN_LIMIT_REACHED = "CampaignLimitReached"
    PROFILE_LIMIT_REACHED = "ProfileLimitReached"
    COUPON_RECIPIENT_DOES_NOT_MATCH = "CouponRecipientDoesNotMatch"
    COUPON_EXPIRED = "CouponExpired"
    COUPON_START_DATE_IN_FUTURE = "CouponStartDateInFuture"
    COUPON_REJECTED_BY_CONDITION = "CouponRejectedByCondition"
    EFFECT_COULD_NOT_BE_APPLIED = "EffectCouldNotBeApplied"
    COUPON_PART_OF_NOT_TRIGGERED_CAMPAIGN = "CouponPartOfNotTriggeredCampaign"
    COUPON_RESERVATION_REQUIRED = "CouponReservationRequired"
    PROFILE_REQUIRED = "ProfileRequired"


@dataclass(frozen=True, slots=True)
class CouponContext:
    """What the checks read besides the coupon: the session's subjects (``profile`` None for
    an anonymous session), the campaign's state and budgets, and the committed counters."""

    now: datetime
    timezone: str
    campaign_running: bool
    subjects: Subjects
    campaign_limits: Sequence[LimitConfig] = ()
    counters: Mapping[CounterKey, Decimal] = field(default_factory=dict)
    reserved: bool = False  # the session's profile holds a reservation of the coupon


def check_coupon(coupon: Coupon | None, context: CouponContext) -> CouponRejection | None:
    """``None`` when the coupon may be redeemed by this session, else the first reason."""
    if coupon is None:
        return CouponRejection.COUPON_NOT_FOUND
    for check in (_schedule, _profile, _own_limits, _budgets):
        reason = check(coupon, context)
        if reason is not None:
            return reason
    return None


def _schedule(coupon: Coupon, context: CouponContext) -> CouponRejection | None:
    if not context.campaign_running:
        return CouponRejection.COUPON_PART_OF_NOT_RUNNING_CAMPAIGN
    if coupon.start_date is not None and context.now < coupon.start_date:
        return CouponRejection.COUPON_START_DATE_IN_FUTURE
    if coupon.expiry_date is not None and context.now >= coupon.expiry_date:
        return CouponRejection.COUPON_EXPIRED
    return None


def _profile(coupon: Coupon, context: CouponContext) -> CouponRejection | None:
    profile = context.subjects.profile
    personal = coupon.recipient_integration_id is not None
    needs_profile = personal or bool(coupon.limits) or coupon.is_reservation_mandatory
    if needs_profile and profile is None:
        return CouponRejection.PROFILE_REQUIRED
    if personal and coupon.recipient_integration_id != profile:
        return CouponRejection.COUPON_RECIPIENT_DOES_NOT_MATCH
    if coupon.is_reservation_mandatory and not context.reserved:
        return CouponRejection.COUPON_RESERVATION_REQUIRED
    return None


def _own_limits(coupon: Coupon, _: CouponContext) -> CouponRejection | None:
    """The coupon's usage limit (0: unlimited) and discount budget. The spec has no reason
    of the coupon's own; Talon.One reports these as the campaign's (semantics §6.8, a guess)."""
    if coupon.usage_limit and coupon.usage_counter >= coupon.usage_limit:
        return CouponRejection.CAMPAIGN_LIMIT_REACHED
    if coupon.discount_limit is not None and coupon.discount_counter >= coupon.discount_limit:
        return CouponRejection.CAMPAIGN_LIMIT_REACHED
    return None


def own_limits(coupon: Coupon) -> list[LimitConfig]:
    """A coupon's own limits (per profile, SPEC), counted per coupon and profile."""
    return [
        LimitConfig(limit.action, limit.limit, (LimitEntity.COUPON, *limit.entities), limit.period)
        for limit in coupon.limits
    ]


def _budgets(coupon: Coupon, context: CouponContext) -> CouponRejection | None:
    """The campaign's ``redeemCoupon`` limits, then the coupon's per-profile limits (counted
    per coupon and profile). A limit whose other entity the session lacks is not counted."""
    subjects = replace(context.subjects, coupon=str(coupon.id))
    for limit in [*context.campaign_limits, *own_limits(coupon)]:
        if limit.action != REDEEM_COUPON:
            continue
        missing = missing_entities(limit, subjects)
        if LimitEntity.PROFILE in missing:
            return CouponRejection.PROFILE_REQUIRED
        if missing:
            continue
        keys = counter_keys(
            coupon.campaign_id, limit, subjects, now=context.now, timezone=context.timezone
        )
        if not fits(limit, keys, context.counters, Decimal(1)):
            if LimitEntity.PROFILE in limit.entities:
                return CouponRejection.PROFILE_LIMIT_REACHED
            return CouponRejection.CAMPAIGN_LIMIT_REACHED
    return None
