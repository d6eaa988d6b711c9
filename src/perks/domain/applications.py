"""Applications: the unit that owns campaigns, sessions, profiles and integration keys."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from perks.domain.errors import InvalidInput, Problem
from perks.domain.limits import LimitConfig, check_limits

__all__ = [
    "ACCOUNT_ID",
    "AdditionalCostPerItemScope",
    "Application",
    "ApplicationSpec",
    "AttributesMandatory",
    "AttributesSettings",
    "CaseSensitivity",
    "DiscountScope",
    "validate_application_spec",
]

# perks serves one account per installation: its id on the wire and in exports.
ACCOUNT_ID = 1

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
    problems.extend(check_limits(spec.limits, "/limits", require_entities=True))
    if problems:
        raise InvalidInput(problems)


def _is_timezone(name: str) -> bool:
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True
