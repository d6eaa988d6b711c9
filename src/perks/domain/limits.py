"""Budgets: ``LimitConfig`` (on campaigns, coupons and application defaults) and their counters.

A limit caps how often, or how much of, a limitable action may happen, campaign-wide
(``entities: []``) or per entity (per coupon, per profile, ...; several entities make one
counter per combination), for the lifetime of the campaign or per calendar period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from perks.domain.errors import InvalidInput, Problem

__all__ = [
    "LIMITABLE_ACTIONS",
    "CampaignBudget",
    "LimitConfig",
    "LimitEntity",
    "LimitPeriod",
    "check_limits",
    "validate_limits",
]

# SPEC SummaryCampaignStoreBudget (talang-semantics.md §4.7): the complete list.
LIMITABLE_ACTIONS = (
    "redeemCoupon",
    "redeemReferral",
    "setDiscount",
    "setDiscountEffect",
    "createCoupon",
    "createReferral",
    "createLoyaltyPoints",
    "redeemLoyaltyPoints",
    "customEffect",
    "createLoyaltyPointsEffect",
    "redeemLoyaltyPointsEffect",
    "callApi",
    "awardGiveaway",
    "addFreeItemEffect",
    "reserveCoupon",
)


class LimitPeriod(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class LimitEntity(StrEnum):
    COUPON = "Coupon"
    REFERRAL = "Referral"
    PROFILE = "Profile"
    IDENTIFIER = "Identifier"
    STORE = "Store"
    SESSION = "Session"


@dataclass(frozen=True, slots=True)
class LimitConfig:
    """``LimitConfig``: at most ``limit`` of ``action`` per ``entities`` (and ``period``)."""

    action: str
    limit: Decimal
    entities: tuple[LimitEntity, ...] = ()
    period: LimitPeriod | None = None


@dataclass(frozen=True, slots=True)
class CampaignBudget:
    """``CampaignBudget``: a campaign-wide limit with its live counter."""

    action: str
    limit: Decimal
    counter: Decimal = Decimal(0)


def validate_limits(
    limits: Sequence[LimitConfig], pointer: str, *, require_entities: bool = False
) -> None:
    """Raise ``InvalidInput`` with every problem of ``limits``."""
    problems = check_limits(limits, pointer, require_entities=require_entities)
    if problems:
        raise InvalidInput(problems)


def check_limits(
    limits: Sequence[LimitConfig],
    pointer: str,
    *,
    allowed_entities: frozenset[LimitEntity] | None = None,
    require_entities: bool = False,
) -> list[Problem]:
    """Every problem of a list of limits, each located at ``{pointer}/{index}/{field}``.

    An action is limitable once per combination of entities and period; coupon limits may
    only count per profile (``allowed_entities``); application defaults name an entity
    (``require_entities``), campaign limits may be campaign-wide (no entity).
    """
    problems: list[Problem] = []
    seen: set[tuple[str, tuple[LimitEntity, ...], LimitPeriod | None]] = set()
    for index, limit in enumerate(limits):
        where = f"{pointer}/{index}"
        if limit.action not in LIMITABLE_ACTIONS:
            problems.append(
                Problem(
                    title="invalid limit",
                    details=f"{limit.action!r} is not a limitable action: "
                    f"use one of {', '.join(LIMITABLE_ACTIONS)}",
                    location=f"{where}/action",
                )
            )
        if not limit.limit.is_finite() or limit.limit < 0:
            problems.append(
                Problem(
                    title="invalid limit",
                    details="the limit must be a number of at least 0",
                    location=f"{where}/limit",
                )
            )
        if require_entities and not limit.entities:
            problems.append(
                Problem(
                    title="invalid limit",
                    details="entities must name at least one entity",
                    location=f"{where}/entities",
                )
            )
        if len(set(limit.entities)) != len(limit.entities):
            problems.append(
                Problem(
                    title="invalid limit",
                    details="an entity may appear only once",
                    location=f"{where}/entities",
                )
            )
        if allowed_entities is not None and not set(limit.entities) <= allowed_entities:
            allowed = ", ".join(sorted(allowed_entities)) or "none"
            problems.append(
                Problem(
                    title="invalid limit",
                    details=f"entities here may only be: {allowed}",
                    location=f"{where}/entities",
                )
            )
        key = (limit.action, tuple(sorted(limit.entities)), limit.period)
        if key in seen:
            problems.append(
                Problem(
                    title="duplicate limit",
                    details=f"{limit.action} is already limited for these entities and period",
                    location=where,
                )
            )
        seen.add(key)
    return problems
