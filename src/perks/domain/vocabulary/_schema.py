"""The bindings the engine provides to campaign rules, as a Talang schema."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from perks.talang import Schema

EFFECTS = "Effects"


def _fields(*names: str) -> Mapping[str, object]:
    return MappingProxyType(dict.fromkeys(names))


_FREE = None  # a free-form part: custom attributes, lists, maps the checker does not enter

RULE_SCHEMA: Schema = MappingProxyType(
    {
        "Session": _fields(
            "Id", "IntegrationId", "ProfileId", "StoreIntegrationId", "Created", "Updated",
            "State", "FirstSession", "UpdateCount", "CouponCodes", "ReferralCode", "LoyaltyCards",
            "Identifiers", "CartItems", "AdditionalCosts", "Attributes", "Total",
            "CartItemTotal", "AdditionalCostTotal", "DiscountedTotal", "DiscountedCartItemsTotal",
        ),
        "Item": _fields(
            "Name", "Sku", "Quantity", "ReturnedQuantity", "RemainingQuantity", "Price",
            "Category", "Product", "Weight", "Height", "Width", "Length", "Position",
            "SubPosition", "Attributes", "AdditionalCosts", "CatalogItemId", "DiscountedPrice",
        ),
        "Profile": _fields(
            "Id", "IntegrationId", "Created", "Attributes", "ClosedSessions", "TotalSales",
            "LastActivity", "AudienceMemberships", "LoyaltyMemberships",
        ),
        "Event": _fields(
            "Id", "Type", "Attributes", "SessionId", "ProfileId", "StoreIntegrationId", "Created"
        ),
        "Campaign": _fields(
            "Id", "Name", "Description", "Tags", "State", "Type", "StartTime", "EndTime",
            "Attributes",
        ),
        "Coupon": _fields(
            "Id", "Value", "Valid", "CampaignId", "UsageLimit", "UsageCounter", "DiscountLimit",
            "DiscountCounter", "DiscountRemainder", "StartDate", "ExpiryDate",
            "RecipientIntegrationId", "ReferralId", "Reservation", "Attributes",
        ),
        "Referral": _fields(
            "Id", "Code", "Valid", "CampaignId", "AdvocateProfileIntegrationId",
            "FriendProfileIntegrationId", "StartDate", "ExpiryDate", "UsageLimit",
            "UsageCounter", "Attributes",
        ),
        "Application": _fields("Id", "Attributes", "AdditionalCosts"),
        "Now": _FREE,
        "Timezone": _FREE,
        EFFECTS: _FREE,
    }
)  # fmt: skip


def rule_schema(binding_names: Iterable[str] = ()) -> Schema:
    """``RULE_SCHEMA`` plus the names a ruleset's own bindings define (free-form values)."""
    return MappingProxyType({**RULE_SCHEMA, **dict.fromkeys(binding_names)})
