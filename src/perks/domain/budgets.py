"""Budget counters: which counters a limit reads and moves for one session, in which calendar
period (the application's time zone), and whether a delta fits (semantics §4.7).

A limit without entities has one campaign-wide counter; with entities, one counter per
combination of the session's subjects (``["Coupon", "Profile"]``: per coupon and profile).
Every session identifier is a subject of its own, so an ``Identifier`` limit makes a counter
per identifier and the strictest one decides. A limit whose entity the session lacks (a
``Profile`` limit in an anonymous session) cannot be counted: the caller rejects with
``ProfileRequired`` and the like.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from perks.domain.limits import LimitConfig, LimitEntity, LimitPeriod

__all__ = [
    "COUPON_DISCOUNT",
    "CounterChange",
    "CounterKey",
    "Subjects",
    "counter_keys",
    "coupon_discount_key",
    "coupon_of",
    "fits",
    "missing_entities",
    "period_bucket",
]

LIFETIME = ""  # the bucket of a limit without a period


@dataclass(frozen=True, slots=True)
class Subjects:
    """What a session's counters can be about."""

    coupon: str | None = None  # the coupon's id, as text
    referral: str | None = None
    profile: str | None = None  # the profile's integration id; None: anonymous
    identifiers: tuple[str, ...] = ()
    store: str | None = None
    session: str | None = None

    def values(self, entity: LimitEntity) -> tuple[str, ...]:
        if entity is LimitEntity.IDENTIFIER:
            return tuple(dict.fromkeys(self.identifiers))
        one = {
            LimitEntity.COUPON: self.coupon,
            LimitEntity.REFERRAL: self.referral,
            LimitEntity.PROFILE: self.profile,
            LimitEntity.STORE: self.store,
            LimitEntity.SESSION: self.session,
        }[entity]
        return () if one is None else (one,)


@dataclass(frozen=True, slots=True, order=True)
class CounterKey:
    """One counter: a campaign's action, for some subjects, in one period bucket."""

    campaign_id: int
    action: str
    subjects: tuple[tuple[str, str], ...]  # (entity, value), in the limit's entity order
    bucket: str  # "" (lifetime), "2026-11-23", "2026-W48", "2026-11", "2026"


# A coupon's own discount budget (``discountLimit``, a gift card's balance): its counter is the
# coupon's ``discountCounter``, kept on the coupon, not among the campaigns' counters.
COUPON_DISCOUNT = "couponDiscount"


def coupon_discount_key(campaign_id: int, coupon_id: int) -> CounterKey:
    return CounterKey(campaign_id, COUPON_DISCOUNT, (("Coupon", str(coupon_id)),), "")


def coupon_of(key: CounterKey) -> int | None:
    """The coupon whose ``discountCounter`` the key is; None for a campaign's counter."""
    return int(key.subjects[0][1]) if key.action == COUPON_DISCOUNT else None


@dataclass(frozen=True, slots=True)
class CounterChange:
    """Add ``delta`` to a counter; with a ``limit``, only if the counter stays within it."""

    key: CounterKey
    delta: Decimal
    limit: Decimal | None = None


def period_bucket(period: LimitPeriod | None, now: datetime, timezone: str) -> str:
    """The calendar period ``now`` falls in, in the application's time zone."""
    if period is None:
        return LIFETIME
    local = now.astimezone(ZoneInfo(timezone))
    if period is LimitPeriod.DAILY:
        return local.date().isoformat()
    if period is LimitPeriod.WEEKLY:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period is LimitPeriod.MONTHLY:
        return f"{local.year}-{local.month:02d}"
    return str(local.year)


def missing_entities(limit: LimitConfig, subjects: Subjects) -> tuple[LimitEntity, ...]:
    """The entities of ``limit`` the session has no subject for."""
    return tuple(entity for entity in limit.entities if not subjects.values(entity))


def counter_keys(
    campaign_id: int,
    limit: LimitConfig,
    subjects: Subjects,
    *,
    now: datetime,
    timezone: str,
) -> tuple[CounterKey, ...]:
    """The counters ``limit`` moves for this session (none when an entity is missing)."""
    bucket = period_bucket(limit.period, now, timezone)
    per_entity = [
        [(str(entity), value) for value in subjects.values(entity)] for entity in limit.entities
    ]
    return tuple(
        CounterKey(campaign_id, limit.action, tuple(combination), bucket)
        for combination in itertools.product(*per_entity)
    )


def fits(
    limit: LimitConfig,
    keys: Sequence[CounterKey],
    counters: Mapping[CounterKey, Decimal],
    delta: Decimal,
) -> bool:
    """Whether adding ``delta`` to every counter of ``keys`` keeps each within the limit
    (counters not stored yet are at 0)."""
    return all(counters.get(key, Decimal(0)) + delta <= limit.limit for key in keys)
