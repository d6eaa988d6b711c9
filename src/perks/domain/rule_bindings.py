"""The values campaign rules read (``RULE_SCHEMA``): the session, its cart items, the profile,
the event, the campaign, the candidate coupon and the application, in Talang's values
(numbers as Decimal, times as aware datetimes, PascalCase field names, custom attributes under
``Attributes``).

``Session.Discounted*`` and ``Item.DiscountedPrice`` are what is left after the discounts
granted so far (``Remaining``); without cascading discounts the engine passes none, and they
equal the totals before discounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from perks.domain.campaigns import Campaign
from perks.domain.coupons import Coupon
from perks.domain.customer_sessions import CartItem, CustomerSession
from perks.domain.discounts import Remaining

__all__ = [
    "ProfileView",
    "SessionView",
    "application_binding",
    "campaign_binding",
    "cart_item_bindings",
    "coupon_binding",
    "event_binding",
    "profile_binding",
    "session_binding",
]


@dataclass(frozen=True, slots=True)
class SessionView:
    """A session as the rules see it: the stored ids and what the engine knows of it."""

    session: CustomerSession
    id: int = 0
    first_session: bool = True
    flattened: bool = False


@dataclass(frozen=True, slots=True)
class ProfileView:
    """What rules read of a customer profile."""

    integration_id: str
    id: int = 0
    created: datetime | None = None
    attributes: Mapping[str, object] = field(default_factory=dict)
    closed_sessions: int = 0
    total_sales: Decimal = Decimal(0)
    last_activity: datetime | None = None


def _number(value: int | Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _costs(costs: Mapping[str, Decimal]) -> dict[str, object]:
    return {name: {"Price": price} for name, price in costs.items()}


def _item(
    item: CartItem, quantity: int, sub_position: int | None, left: Decimal | None
) -> dict[str, object]:
    product = None if item.product is None else {"Name": item.product.get("name")}
    price = item.price or Decimal(0)
    return {
        "Name": item.name,
        "Sku": item.sku,
        "Quantity": Decimal(quantity),
        "ReturnedQuantity": Decimal(item.returned_quantity),
        "RemainingQuantity": Decimal(item.remaining_quantity),
        "Price": item.price,
        "Category": item.category,
        "Product": product,
        "Weight": item.weight,
        "Height": item.height,
        "Width": item.width,
        "Length": item.length,
        "Position": Decimal(item.position),
        "SubPosition": _number(sub_position),
        "Attributes": dict(item.attributes),
        "AdditionalCosts": _costs(item.additional_costs),
        "CatalogItemId": None,
        "DiscountedPrice": price if left is None else left,
    }


def cart_item_bindings(view: SessionView, remaining: Remaining | None) -> list[dict[str, object]]:
    """``Session.CartItems``: one per line, or one per unit (``SubPosition``) when flattened.
    A unit returned in full is not in the flattened cart."""
    items: list[dict[str, object]] = []
    for item in view.session.cart_items:
        if not view.flattened:
            line = None if remaining is None else remaining.lines.get((item.position, None))
            left = None if line is None else line.unit_price
            items.append(_item(item, item.quantity, None, left))
            continue
        for unit in range(item.remaining_quantity):
            line = None if remaining is None else remaining.lines.get((item.position, unit))
            left = None if line is None else line.unit_price
            items.append(_item(item, 1, unit, left))
    return items


def session_binding(view: SessionView, remaining: Remaining | None) -> dict[str, object]:
    session = view.session
    total, cart_total = session.total(), session.cart_item_total()
    return {
        "Id": Decimal(view.id),
        "IntegrationId": session.integration_id,
        "ProfileId": session.profile_id,
        "StoreIntegrationId": session.store_integration_id,
        "Created": session.created,
        "Updated": session.updated,
        "State": str(session.state),
        "FirstSession": view.first_session,
        "UpdateCount": Decimal(session.update_count),
        "CouponCodes": list(session.coupon_codes),
        "ReferralCode": session.referral_code,
        "LoyaltyCards": list(session.loyalty_cards),
        "Identifiers": list(session.identifiers),
        "CartItems": cart_item_bindings(view, remaining),
        "AdditionalCosts": _costs(session.additional_costs),
        "Attributes": dict(session.attributes),
        "Total": total,
        "CartItemTotal": cart_total,
        "AdditionalCostTotal": session.additional_cost_total(),
        "DiscountedTotal": total if remaining is None else remaining.total(),
        "DiscountedCartItemsTotal": cart_total if remaining is None else remaining.cart_items(),
    }


def profile_binding(profile: ProfileView) -> dict[str, object]:
    return {
        "Id": Decimal(profile.id),
        "IntegrationId": profile.integration_id,
        "Created": profile.created,
        "Attributes": dict(profile.attributes),
        "ClosedSessions": Decimal(profile.closed_sessions),
        "TotalSales": profile.total_sales,
        "LastActivity": profile.last_activity,
        "AudienceMemberships": [],
        "LoyaltyMemberships": [],
    }


def event_binding(
    event_type: str, view: SessionView, *, created: datetime, attributes: Mapping[str, object]
) -> dict[str, object]:
    session = view.session
    return {
        "Id": Decimal(0),
        "Type": event_type,
        "Attributes": dict(attributes),
        "SessionId": session.integration_id,
        "ProfileId": session.profile_id,
        "StoreIntegrationId": session.store_integration_id,
        "Created": created,
    }


def campaign_binding(campaign: Campaign) -> dict[str, object]:
    return {
        "Id": Decimal(campaign.id),
        "Name": campaign.name,
        "Description": campaign.description,
        "Tags": list(campaign.tags),
        "State": str(campaign.state),
        "Type": str(campaign.type),
        "StartTime": campaign.start_time,
        "EndTime": campaign.end_time,
        "Attributes": dict(campaign.attributes),
    }


def coupon_binding(coupon: Coupon, *, valid: bool) -> dict[str, object]:
    """``Coupon``: ``Valid`` is the verdict of the checks before rules (``check_coupon``)."""
    return {
        "Id": Decimal(coupon.id),
        "Value": coupon.value,
        "Valid": valid,
        "CampaignId": Decimal(coupon.campaign_id),
        "UsageLimit": Decimal(coupon.usage_limit),
        "UsageCounter": Decimal(coupon.usage_counter),
        "DiscountLimit": coupon.discount_limit,
        "DiscountCounter": coupon.discount_counter,
        "DiscountRemainder": coupon.discount_remainder,
        "StartDate": coupon.start_date,
        "ExpiryDate": coupon.expiry_date,
        "RecipientIntegrationId": coupon.recipient_integration_id,
        "ReferralId": _number(coupon.referral_id),
        "Reservation": not coupon.is_reservation_mandatory,
        "Attributes": dict(coupon.attributes),
    }


def application_binding(
    application_id: int,
    attributes: Mapping[str, object],
    additional_costs: Mapping[str, int],
) -> dict[str, object]:
    """``Application``: ``AdditionalCosts`` maps each cost's name to ``{"Id": id}``, which the
    per-additional-cost effects report."""
    return {
        "Id": Decimal(application_id),
        "Attributes": dict(attributes),
        "AdditionalCosts": {name: {"Id": Decimal(i)} for name, i in additional_costs.items()},
    }
