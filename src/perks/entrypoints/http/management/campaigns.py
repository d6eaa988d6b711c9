"""Campaigns: createCampaign (ours), getCampaigns, getCampaign, updateCampaign, deleteCampaign."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from perks.domain.campaigns import (
    CampaignFeature,
    CampaignSpec,
    CampaignState,
    CampaignType,
)
from perks.domain.campaigns import (
    CodeGeneratorSettings as DomainCodeGeneratorSettings,
)
from perks.domain.limits import LimitConfig as DomainLimitConfig
from perks.entrypoints.http.entities import (
    Campaign,
    CodeGeneratorSettings,
    LimitConfig,
    wire_campaign,
)
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import AwareDateTime, WireStruct
from perks.services.campaigns import CAMPAIGN_SORT_FIELDS
from perks.services.campaigns import CampaignCopy as CampaignCopyRequest
from perks.services.ports import CampaignFilter

__all__ = [
    "OPERATIONS",
    "Tag",
    "limits_from_wire",
    "settings_from_wire",
]

Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]


class NewCampaign(WireStruct):
    """``NewCampaign`` (and ``UpdateCampaign``, whose fields are the same)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    tags: Annotated[list[Tag], msgspec.Meta(max_length=50)]
    features: list[CampaignFeature]
    limits: list[LimitConfig]
    state: CampaignState = CampaignState.ENABLED
    description: str = ""
    start_time: AwareDateTime | None = None
    end_time: AwareDateTime | None = None
    attributes: dict[str, Any] = {}
    active_ruleset_id: int | None = None
    reevaluate_on_return: bool = False
    coupon_settings: CodeGeneratorSettings | None = None
    referral_settings: CodeGeneratorSettings | None = None
    campaign_groups: list[int] = []
    type: CampaignType = CampaignType.ADVANCED
    linked_store_ids: list[int] = []
    coupon_attributes: dict[str, Any] = {}
    evaluation_group_id: int | None = None


class CampaignCopy(WireStruct):
    application_ids: Annotated[list[int], msgspec.Meta(min_length=1)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)] | None = None
    description: str | None = None
    start_time: AwareDateTime | None = None
    end_time: AwareDateTime | None = None
    tags: Annotated[list[Tag], msgspec.Meta(max_length=50)] | None = None
    evaluation_group_id: int | None = None


class CampaignList(WireStruct):
    """``inline_response_200_9``."""

    total_result_size: int
    data: list[Campaign]


CampaignStateFilter = Literal["enabled", "disabled", "archived", "scheduled", "running", "expired"]


class CampaignsQuery(ListQuery):
    campaign_state: CampaignStateFilter | None = None
    name: str | None = None
    tags: str | None = None
    created_before: AwareDateTime | None = None
    created_after: AwareDateTime | None = None


def settings_from_wire(wire: CodeGeneratorSettings | None) -> DomainCodeGeneratorSettings | None:
    if wire is None:
        return None
    return DomainCodeGeneratorSettings(tuple(wire.valid_characters), wire.coupon_pattern)


def limits_from_wire(wire: list[LimitConfig]) -> tuple[DomainLimitConfig, ...]:
    return tuple(
        DomainLimitConfig(limit.action, limit.limit, tuple(limit.entities), limit.period)
        for limit in wire
    )


def _spec(body: NewCampaign) -> CampaignSpec:
    return CampaignSpec(
        name=body.name,
        state=body.state,
        description=body.description,
        start_time=body.start_time,
        end_time=body.end_time,
        attributes=body.attributes,
        active_ruleset_id=body.active_ruleset_id,
        tags=tuple(body.tags),
        reevaluate_on_return=body.reevaluate_on_return,
        features=tuple(body.features),
        coupon_settings=settings_from_wire(body.coupon_settings),
        referral_settings=settings_from_wire(body.referral_settings),
        limits=limits_from_wire(body.limits),
        campaign_groups=tuple(body.campaign_groups),
        type=body.type,
        linked_store_ids=tuple(body.linked_store_ids),
        coupon_attributes=body.coupon_attributes,
        evaluation_group_id=body.evaluation_group_id,
    )


def _now(call: Call[Any, Any]) -> datetime:
    return call.services.clock.now()


def create_campaign(call: Call[NewCampaign, NoQuery]) -> Reply:
    campaign = call.services.campaigns.create(
        call.management, call.path["applicationId"], _spec(call.body)
    )
    return Reply(201, wire_campaign(campaign, _now(call)))


def get_campaigns(call: Call[None, CampaignsQuery]) -> Reply:
    query = call.query
    page = call.services.campaigns.list(
        call.management,
        call.path["applicationId"],
        page_request(query, sortable=CAMPAIGN_SORT_FIELDS),
        CampaignFilter(
            state=query.campaign_state,
            name=query.name,
            tags=query.tags,
            created_before=query.created_before,
            created_after=query.created_after,
        ),
    )
    now = _now(call)
    data = [wire_campaign(campaign, now) for campaign in page.items]
    return Reply(200, CampaignList(total_result_size=page.total, data=data))


def get_campaign(call: Call[None, NoQuery]) -> Reply:
    campaign = call.services.campaigns.get(
        call.management, call.path["applicationId"], call.path["campaignId"]
    )
    return Reply(200, wire_campaign(campaign, _now(call)))


def update_campaign(call: Call[NewCampaign, NoQuery]) -> Reply:
    campaign = call.services.campaigns.update(
        call.management, call.path["applicationId"], call.path["campaignId"], _spec(call.body)
    )
    return Reply(200, wire_campaign(campaign, _now(call)))


def copy_campaign(call: Call[CampaignCopy, NoQuery]) -> Reply:
    body = call.body
    copies = call.services.campaigns.copy(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        CampaignCopyRequest(
            application_ids=tuple(body.application_ids),
            name=body.name,
            description=body.description,
            start_time=body.start_time,
            end_time=body.end_time,
            tags=None if body.tags is None else tuple(body.tags),
            evaluation_group_id=body.evaluation_group_id,
        ),
    )
    now = _now(call)
    data = [wire_campaign(campaign, now) for campaign in copies]
    return Reply(200, CampaignList(total_result_size=len(data), data=data))


def delete_campaign(call: Call[None, NoQuery]) -> Reply:
    call.services.campaigns.delete(
        call.management, call.path["applicationId"], call.path["campaignId"]
    )
    return Reply(204)


_CAMPAIGNS = "/v1/applications/{applicationId}/campaigns"
_CAMPAIGN = "/v1/applications/{applicationId}/campaigns/{campaignId}"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path=_CAMPAIGNS,
        operation_id="createCampaign",
        summary="Create campaign (perks; Talon.One creates campaigns from templates)",
        handler=create_campaign,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCampaign,
        responses={201: Campaign, 404: None},
    ),
    Operation(
        method="GET",
        path=_CAMPAIGNS,
        operation_id="getCampaigns",
        summary="List campaigns",
        handler=get_campaigns,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=CampaignsQuery,
        responses={200: CampaignList, 404: None},
    ),
    Operation(
        method="GET",
        path=_CAMPAIGN,
        operation_id="getCampaign",
        summary="Get campaign",
        handler=get_campaign,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={200: Campaign, 404: None},
    ),
    Operation(
        method="PUT",
        path=_CAMPAIGN,
        operation_id="updateCampaign",
        summary="Update campaign",
        handler=update_campaign,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCampaign,
        responses={200: Campaign, 404: None},
    ),
    Operation(
        method="POST",
        path=f"{_CAMPAIGN}/copy",
        operation_id="copyCampaignToApplications",
        summary="Copy the campaign into the specified Applications",
        handler=copy_campaign,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=CampaignCopy,
        responses={200: CampaignList, 404: None},
    ),
    Operation(
        method="DELETE",
        path=_CAMPAIGN,
        operation_id="deleteCampaign",
        summary="Delete campaign",
        handler=delete_campaign,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={204: None, 404: None},
    ),
]
