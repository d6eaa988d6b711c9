"""The wire of entities both HTTP faces answer with: ``Campaign`` (``triggeredCampaigns`` and
the Management API) and ``Coupon`` (``coupons`` and the Management API)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from perks.domain.applications import ACCOUNT_ID
from perks.domain.campaigns import Campaign as DomainCampaign
from perks.domain.campaigns import (
    CampaignFeature,
    CampaignState,
    CampaignType,
    FrontendState,
    budgets,
    frontend_state,
)
from perks.domain.campaigns import CodeGeneratorSettings as DomainCodeGeneratorSettings
from perks.domain.coupons import Coupon as DomainCoupon
from perks.domain.limits import LimitConfig as DomainLimitConfig
from perks.domain.limits import LimitEntity, LimitPeriod
from perks.entrypoints.http.wire import AwareDateTime, WireStruct

__all__ = [
    "USER_ID",
    "Campaign",
    "CampaignBudget",
    "CodeGeneratorSettings",
    "Coupon",
    "LimitConfig",
    "limits_to_wire",
    "settings_to_wire",
    "wire_campaign",
    "wire_coupon",
]

# perks has no user accounts: every campaign is the installation's own.
USER_ID = ACCOUNT_ID


class CodeGeneratorSettings(WireStruct):
    valid_characters: list[str]
    coupon_pattern: str


class LimitConfig(WireStruct):
    """A campaign's ``LimitConfig``: ``entities: []`` is a campaign-wide budget."""

    action: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    limit: Decimal
    entities: list[LimitEntity]
    period: LimitPeriod | None = None


class CampaignBudget(WireStruct):
    action: str
    limit: Decimal
    counter: Decimal


class Campaign(WireStruct, omit_defaults=True):
    """``Campaign``: every field the SDK requires is always present."""

    id: int
    created: datetime
    application_id: int
    user_id: int
    name: str
    description: str
    state: CampaignState
    tags: list[str]
    reevaluate_on_return: bool
    features: list[CampaignFeature]
    limits: list[LimitConfig]
    type: CampaignType
    frontend_state: FrontendState
    stores_imported: bool
    budgets: list[CampaignBudget]
    attributes: dict[str, Any]
    campaign_groups: list[int]
    linked_store_ids: list[int]
    start_time: AwareDateTime | None = None
    end_time: AwareDateTime | None = None
    active_ruleset_id: int | None = None
    coupon_settings: CodeGeneratorSettings | None = None
    referral_settings: CodeGeneratorSettings | None = None
    coupon_attributes: dict[str, Any] | None = None
    evaluation_group_id: int | None = None
    updated: datetime | None = None


def limits_to_wire(limits: tuple[DomainLimitConfig, ...]) -> list[LimitConfig]:
    return [
        LimitConfig(
            action=limit.action,
            limit=limit.limit,
            entities=list(limit.entities),
            period=limit.period,
        )
        for limit in limits
    ]


def settings_to_wire(settings: DomainCodeGeneratorSettings) -> CodeGeneratorSettings:
    return CodeGeneratorSettings(
        valid_characters=list(settings.valid_characters), coupon_pattern=settings.coupon_pattern
    )


def wire_campaign(campaign: DomainCampaign, now: datetime) -> Campaign:
    assert campaign.created is not None
    return Campaign(
        id=campaign.id,
        created=campaign.created,
        updated=campaign.updated,
        application_id=campaign.application_id,
        user_id=USER_ID,
        name=campaign.name,
        description=campaign.description,
        state=campaign.state,
        tags=list(campaign.tags),
        reevaluate_on_return=campaign.reevaluate_on_return,
        features=list(campaign.features),
        limits=limits_to_wire(campaign.limits),
        type=campaign.type,
        frontend_state=frontend_state(campaign, now),
        stores_imported=False,
        budgets=[
            CampaignBudget(action=b.action, limit=b.limit, counter=b.counter)
            for b in budgets(campaign)
        ],
        attributes=dict(campaign.attributes),
        campaign_groups=list(campaign.campaign_groups),
        linked_store_ids=list(campaign.linked_store_ids),
        start_time=campaign.start_time,
        end_time=campaign.end_time,
        active_ruleset_id=campaign.active_ruleset_id,
        coupon_settings=None
        if campaign.coupon_settings is None
        else settings_to_wire(campaign.coupon_settings),
        referral_settings=None
        if campaign.referral_settings is None
        else settings_to_wire(campaign.referral_settings),
        coupon_attributes=dict(campaign.coupon_attributes) or None,
        evaluation_group_id=campaign.evaluation_group_id,
    )


class Coupon(WireStruct, omit_defaults=True):
    id: int
    created: datetime
    campaign_id: int
    value: str
    usage_limit: int
    usage_counter: int
    discount_counter: Decimal
    reservation_counter: int
    limits: list[LimitConfig]
    attributes: dict[str, Any]
    is_reservation_mandatory: bool
    implicitly_reserved: bool
    discount_limit: Decimal | None = None
    discount_remainder: Decimal | None = None
    reservation_limit: int | None = None
    start_date: AwareDateTime | None = None
    expiry_date: AwareDateTime | None = None
    recipient_integration_id: str | None = None
    batch_id: str | None = None
    referral_id: int | None = None


def wire_coupon(coupon: DomainCoupon) -> Coupon:
    assert coupon.created is not None
    return Coupon(
        id=coupon.id,
        created=coupon.created,
        campaign_id=coupon.campaign_id,
        value=coupon.value,
        usage_limit=coupon.usage_limit,
        usage_counter=coupon.usage_counter,
        discount_counter=coupon.discount_counter,
        reservation_counter=coupon.reservation_counter,
        limits=limits_to_wire(coupon.limits),
        attributes=dict(coupon.attributes),
        is_reservation_mandatory=coupon.is_reservation_mandatory,
        implicitly_reserved=coupon.implicitly_reserved,
        discount_limit=coupon.discount_limit,
        discount_remainder=coupon.discount_remainder,
        reservation_limit=coupon.reservation_limit,
        start_date=coupon.start_date,
        expiry_date=coupon.expiry_date,
        recipient_integration_id=coupon.recipient_integration_id,
        batch_id=coupon.batch_id,
        referral_id=coupon.referral_id,
    )
