"""Custom attributes: the declared extra fields of sessions, profiles, items, events..."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from perks.domain.errors import InvalidInput, Problem

__all__ = [
    "Attribute",
    "AttributeEntity",
    "AttributeSpec",
    "AttributeType",
    "validate_attribute_change",
    "validate_attribute_spec",
]


class AttributeEntity(StrEnum):
    APPLICATION = "Application"
    CAMPAIGN = "Campaign"
    CUSTOMER_PROFILE = "CustomerProfile"
    CUSTOMER_SESSION = "CustomerSession"
    CART_ITEM = "CartItem"
    COUPON = "Coupon"
    EVENT = "Event"
    GIVEAWAY = "Giveaway"
    LOYALTY_CARD = "LoyaltyCard"
    REFERRAL = "Referral"
    STORE = "Store"


class AttributeType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    TIME = "time"
    LIST_STRING = "(list string)"
    LIST_NUMBER = "(list number)"
    LIST_TIME = "(list time)"
    LOCATION = "location"
    LIST_LOCATION = "(list location)"


_SUGGESTIBLE = {AttributeType.STRING, AttributeType.LIST_STRING}
# updateAttribute: these identify the attribute to integrations and rules, so they
# never change once created; a new attribute is needed instead.
_IMMUTABLE = ("entity", "event_type", "name", "type")


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    """``NewAttribute``."""

    entity: AttributeEntity
    name: str
    title: str
    type: AttributeType
    description: str
    suggestions: tuple[str, ...]
    editable: bool
    event_type: str | None = None
    has_allowed_list: bool = False
    restricted_by_suggestions: bool = False
    subscribed_applications_ids: tuple[int, ...] | None = None
    subscribed_catalogs_ids: tuple[int, ...] | None = None
    allowed_subscriptions: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Attribute(AttributeSpec):
    """A stored custom attribute (``Attribute``)."""

    id: int = 0
    created: datetime | None = None

    @classmethod
    def from_spec(cls, spec: AttributeSpec, *, id: int, created: datetime) -> Attribute:
        values = {f.name: getattr(spec, f.name) for f in fields(AttributeSpec)}
        return cls(**values, id=id, created=created)


def validate_attribute_spec(spec: AttributeSpec) -> None:
    problems: list[Problem] = []
    if spec.entity is AttributeEntity.EVENT and not spec.event_type:
        problems.append(
            Problem("missing value", "eventType is required for Event attributes", "/eventType")
        )
    if spec.entity is not AttributeEntity.EVENT and spec.event_type:
        problems.append(
            Problem("invalid value", "eventType applies to Event attributes only", "/eventType")
        )
    if spec.suggestions and spec.type not in _SUGGESTIBLE:
        problems.append(
            Problem(
                "invalid value", f"suggestions do not apply to type {spec.type}", "/suggestions"
            )
        )
    if spec.restricted_by_suggestions and not spec.suggestions:
        problems.append(
            Problem(
                "invalid value",
                "restrictedBySuggestions needs at least one suggestion",
                "/restrictedBySuggestions",
            )
        )
    if len(set(spec.suggestions)) != len(spec.suggestions):
        problems.append(Problem("invalid value", "suggestions must be unique", "/suggestions"))
    if problems:
        raise InvalidInput(problems)


def validate_attribute_change(current: Attribute, spec: AttributeSpec) -> None:
    """updateAttribute may not change what integrations and rules depend on."""
    problems = [
        Problem(
            "immutable field",
            f"{_camel(name)} cannot change once the attribute exists",
            f"/{_camel(name)}",
        )
        for name in _IMMUTABLE
        if getattr(current, name) != getattr(spec, name)
    ]
    if problems:
        raise InvalidInput(problems)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
