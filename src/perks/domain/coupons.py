"""Coupons: codes of a campaign, with their own limits, validity window and live counters.

``CouponProperties`` is what ``NewCoupons`` and ``UpdateCoupon`` set on every coupon they
touch; ``Coupon`` adds the code, identity and the counters (``usageCounter``,
``discountCounter``, ``reservationCounter``; ``discountRemainder`` is derived).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from perks.domain.errors import InvalidInput, Problem
from perks.domain.limits import LimitConfig, LimitEntity, check_limits

__all__ = [
    "MAX_DISCOUNT_LIMIT",
    "MAX_USAGE_LIMIT",
    "Coupon",
    "CouponBatchChanges",
    "CouponProperties",
    "validate_coupon_properties",
]

MAX_USAGE_LIMIT = 999_999  # usageLimit and reservationLimit (SPEC NewCoupons)
MAX_DISCOUNT_LIMIT = Decimal("1E+15")
MAX_RECIPIENT_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class CouponProperties:
    usage_limit: int
    discount_limit: Decimal | None = None
    reservation_limit: int | None = None
    start_date: datetime | None = None
    expiry_date: datetime | None = None
    limits: tuple[LimitConfig, ...] = ()
    attributes: Mapping[str, object] = field(default_factory=dict)
    recipient_integration_id: str | None = None
    is_reservation_mandatory: bool = False
    implicitly_reserved: bool = False


@dataclass(frozen=True, slots=True)
class Coupon(CouponProperties):
    id: int = 0
    created: datetime | None = None
    campaign_id: int = 0
    value: str = ""
    usage_counter: int = 0
    discount_counter: Decimal = Decimal(0)
    reservation_counter: int = 0
    batch_id: str | None = None
    referral_id: int | None = None

    @property
    def discount_remainder(self) -> Decimal | None:
        """What is left of ``discountLimit`` (a gift card's balance); None without a limit."""
        if self.discount_limit is None:
            return None
        return self.discount_limit - self.discount_counter

    def properties(self) -> CouponProperties:
        return CouponProperties(**{f.name: getattr(self, f.name) for f in fields(CouponProperties)})


@dataclass(frozen=True, slots=True)
class CouponBatchChanges:
    """``UpdateCouponBatch``: what changes on every coupon of a campaign (or of one batch);
    None leaves a field as it is."""

    usage_limit: int | None = None
    discount_limit: Decimal | None = None
    reservation_limit: int | None = None
    start_date: datetime | None = None
    expiry_date: datetime | None = None
    attributes: Mapping[str, object] | None = None

    def changed(self) -> dict[str, object]:
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }


def validate_coupon_properties(properties: CouponProperties, *, many: bool) -> None:
    """Raise ``InvalidInput`` with every problem, each at its JSON pointer. Limits of their own
    count per profile only, and only for a single coupon without a recipient (SPEC)."""
    problems: list[Problem] = []
    if not 0 <= properties.usage_limit <= MAX_USAGE_LIMIT:
        problems.append(_out_of_range("/usageLimit", 0, MAX_USAGE_LIMIT))
    limit = properties.discount_limit
    if limit is not None and (not limit.is_finite() or not 0 <= limit <= MAX_DISCOUNT_LIMIT):
        problems.append(_out_of_range("/discountLimit", 0, MAX_DISCOUNT_LIMIT))
    reservations = properties.reservation_limit
    if reservations is not None and not 0 <= reservations <= MAX_USAGE_LIMIT:
        problems.append(_out_of_range("/reservationLimit", 0, MAX_USAGE_LIMIT))
    start, end = properties.start_date, properties.expiry_date
    if start is not None and end is not None and end <= start:
        problems.append(
            Problem("invalid value", "a coupon must expire after it starts", "/expiryDate")
        )
    recipient = properties.recipient_integration_id
    if recipient is not None and not 0 < len(recipient) <= MAX_RECIPIENT_LENGTH:
        problems.append(
            Problem(
                "invalid value",
                f"a recipient integration ID has 1 to {MAX_RECIPIENT_LENGTH} characters",
                "/recipientIntegrationId",
            )
        )
    if properties.limits and (many or recipient is not None):
        problems.append(
            Problem(
                "invalid value",
                "limits are only for a single coupon without a recipient",
                "/limits",
            )
        )
    problems += check_limits(
        properties.limits, "/limits", allowed_entities=frozenset({LimitEntity.PROFILE})
    )
    if problems:
        raise InvalidInput(problems)


def _out_of_range(pointer: str, low: object, high: object) -> Problem:
    return Problem("invalid value", f"must be between {low} and {high}", pointer)
