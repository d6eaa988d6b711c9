"""Applications: the unit that owns campaigns, sessions, profiles and integration keys."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from perks.domain.errors import InvalidInput, Problem

__all__ = [
    "AdditionalCostPerItemScope",
    "Application",
    "ApplicationSpec",
    "AttributesMandatory",
    "AttributesSettings",
    "CaseSensitivity",
    "DiscountScope",
    "LimitConfig",
    "LimitEntity",
    "LimitPeriod",
    "validate_application_spec",
    "validate_limits",
]

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class CaseSensitivity(StrEnum):
    SENSITIVE = "sensitive"
    INSENSITIVE_UPPERCASE = "insensitive-uppercase"
    INSENSITIVE_LOWERCASE = "insensitive-lowercase"


class DiscountScope(StrEnum):
    SESSION_TOTAL = "sessionTotal"
    CART_ITEMS = "cartItems"
    ADDITIONAL_COSTS = "additionalCosts"


class AdditionalCostPerItemScope(StrEnum):
    PRICE = "price"
    ITEM_TOTAL = "itemTotal"
    ADDITIONAL_COSTS = "additionalCosts"


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
    """A limit on an action (``LimitConfig``), per entity and optionally per period."""

    action: str
    limit: Decimal
    entities: tuple[LimitEntity, ...]
    period: LimitPeriod | None = None


@dataclass(frozen=True, slots=True)
class AttributesMandatory:
    """Custom attributes that must be set on new campaigns and coupons."""

    campaigns: tuple[str, ...] = ()
    coupons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AttributesSettings:
    mandatory: AttributesMandatory = field(default_factory=AttributesMandatory)


@dataclass(frozen=True, slots=True)
class ApplicationSpec:
    """What a client states about an application (``NewApplication``/``UpdateApplication``)."""

    name: str
    timezone: str
    currency: str
    description: str = ""
    case_sensitivity: CaseSensitivity = CaseSensitivity.SENSITIVE
    attributes: dict[str, Any] = field(default_factory=dict)
    limits: tuple[LimitConfig, ...] = ()
    default_discount_scope: DiscountScope = DiscountScope.SESSION_TOTAL
    enable_cascading_discounts: bool = False
    enable_flattened_cart_items: bool = False
    attributes_settings: AttributesSettings = field(default_factory=AttributesSettings)
    sandbox: bool = False
    enable_partial_discounts: bool = False
    default_discount_additional_cost_per_item_scope: AdditionalCostPerItemScope = (
        AdditionalCostPerItemScope.PRICE
    )
    default_evaluation_group_id: int | None = None
    default_cart_item_filter_id: int | None = None
    enable_campaign_state_management: bool = False
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Application(ApplicationSpec):
    """A stored application (``Application``)."""

    id: int = 0
    created: datetime | None = None
    modified: datetime | None = None

    @classmethod
    def from_spec(
        cls, spec: ApplicationSpec, *, id: int, created: datetime, modified: datetime
    ) -> Application:
        values = {f.name: getattr(spec, f.name) for f in fields(ApplicationSpec)}
        return cls(**values, id=id, created=created, modified=modified)

    @property
    def spec(self) -> ApplicationSpec:
        return ApplicationSpec(**{f.name: getattr(self, f.name) for f in fields(ApplicationSpec)})


def validate_application_spec(spec: ApplicationSpec) -> None:
    """Raise ``InvalidInput`` listing every semantic problem of ``spec``."""
    problems: list[Problem] = []
    if not spec.name.strip():
        problems.append(Problem("invalid value", "name must not be blank", "/name"))
    if not _is_timezone(spec.timezone):
        problems.append(
            Problem("invalid value", f"unknown IANA time zone {spec.timezone!r}", "/timezone")
        )
    if not _CURRENCY.match(spec.currency):
        problems.append(
            Problem("invalid value", "currency must be an ISO 4217 code such as EUR", "/currency")
        )
    problems.extend(_limit_problems(spec.limits, "/limits"))
    if problems:
        raise InvalidInput(problems)


def validate_limits(limits: tuple[LimitConfig, ...], pointer: str) -> None:
    problems = _limit_problems(limits, pointer)
    if problems:
        raise InvalidInput(problems)


def _limit_problems(limits: tuple[LimitConfig, ...], pointer: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, LimitPeriod | None, tuple[LimitEntity, ...]]] = set()
    for index, limit in enumerate(limits):
        at = f"{pointer}/{index}"
        if not limit.action.strip():
            problems.append(Problem("invalid value", "action must not be blank", f"{at}/action"))
        if limit.limit < 0:
            problems.append(Problem("invalid value", "limit must not be negative", f"{at}/limit"))
        if not limit.entities:
            problems.append(
                Problem("invalid value", "entities must name at least one entity", f"{at}/entities")
            )
        identity = (limit.action, limit.period, tuple(sorted(limit.entities)))
        if identity in seen:
            problems.append(
                Problem("duplicate limit", "the same action, period and entities appear twice", at)
            )
        seen.add(identity)
    return problems


def _is_timezone(name: str) -> bool:
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
