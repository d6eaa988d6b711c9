"""What is stored, read through the services and written as configuration documents."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import msgspec

from perks.bootstrap import Services
from perks.domain.additional_costs import AdditionalCost
from perks.domain.applications import Application
from perks.domain.attributes import Attribute
from perks.domain.campaigns import Campaign
from perks.domain.campaigns import CodeGeneratorSettings as DomainCodeGeneratorSettings
from perks.domain.coupons import Coupon
from perks.domain.custom_effects import CustomEffect
from perks.domain.evaluation_groups import GroupNode
from perks.domain.limits import LimitConfig as DomainLimitConfig
from perks.domain.pages import MAX_PAGE_SIZE, Page, PageRequest, SortKey
from perks.domain.rulesets import Rule, Ruleset
from perks.domain.stores import Store
from perks.entrypoints.config.documents import (
    AdditionalCostDocument,
    ApplicationDocument,
    AttributeDocument,
    CampaignDocument,
    CampaignSetDocument,
    CouponDocument,
    CustomEffectDocument,
    LimitConfig,
    RulesetDocument,
    SetBranch,
    SetLeaf,
)
from perks.entrypoints.http.entities import CodeGeneratorSettings, settings_to_wire
from perks.entrypoints.http.management.applications import AttributesSettings
from perks.entrypoints.http.management.custom_effects import params_to_wire
from perks.entrypoints.http.management.rulesets import Binding, rule_to_wire
from perks.entrypoints.http.management.rulesets import Rule as WireRule
from perks.services.ports import AttributeFilter, CampaignFilter, CouponFilter, StoreFilter
from perks.services.principals import OPERATOR

__all__ = [
    "AccountState",
    "ApplicationState",
    "CampaignState",
    "all_coupons",
    "read_account",
    "read_application",
]

T = TypeVar("T")


@dataclass(slots=True)
class CampaignState:
    campaign: Campaign
    ruleset: Ruleset | None
    coupons: list[Coupon] | None  # None: not read (a plan reads the coupons it needs)


@dataclass(slots=True)
class ApplicationState:
    application: Application
    campaigns: list[CampaignState]
    stores: list[Store]
    tree: GroupNode


@dataclass(slots=True)
class AccountState:
    """The account-wide definitions, and the applications read so far by name."""

    applications: list[Application]
    attributes: list[Attribute]
    additional_costs: list[AdditionalCost]
    custom_effects: list[CustomEffect]
    read: dict[int, ApplicationState] = field(default_factory=dict)

    def names(self) -> dict[int, str]:
        return {application.id: application.name for application in self.applications}


def _all(read: Callable[[PageRequest], Page[T]]) -> list[T]:
    items: list[T] = []
    while True:
        page = read(PageRequest(page_size=MAX_PAGE_SIZE, skip=len(items)))
        items += page.items
        if not page.items or len(items) >= page.total:
            return items


def read_account(services: Services) -> AccountState:
    return AccountState(
        applications=_all(lambda page: services.applications.list(OPERATOR, page)),
        attributes=_all(lambda page: services.attributes.list(page, AttributeFilter())),
        additional_costs=_all(services.additional_costs.list),
        custom_effects=_all(lambda page: services.custom_effects.list(OPERATOR, page)),
    )


def read_application(
    services: Services, application: Application, *, coupons: bool = True
) -> ApplicationState:
    campaigns = _all(
        lambda page: services.campaigns.list(OPERATOR, application.id, page, CampaignFilter())
    )
    stores = _all(
        lambda page: services.stores.list(OPERATOR, application.id, page, StoreFilter())[0]
    )
    return ApplicationState(
        application=application,
        campaigns=[_campaign_state(services, campaign, coupons) for campaign in campaigns],
        stores=stores,
        tree=services.evaluation_groups.tree(OPERATOR, application.id),
    )


def _campaign_state(services: Services, campaign: Campaign, coupons: bool) -> CampaignState:
    ruleset = None
    if campaign.active_ruleset_id is not None:
        ruleset = services.rulesets.get(
            OPERATOR, campaign.application_id, campaign.id, campaign.active_ruleset_id
        )
    read = list(all_coupons(services, campaign)) if coupons else None
    return CampaignState(campaign, ruleset, read)


def all_coupons(services: Services, campaign: Campaign) -> Iterator[Coupon]:
    """Every coupon of the campaign, a page at a time by id (keyset: no page costs more than
    the first, however many coupons there are)."""
    page = PageRequest(page_size=MAX_PAGE_SIZE, sort=SortKey("id"))
    after: int | None = None
    while True:
        coupons, more = services.coupons.list(
            OPERATOR, campaign.application_id, campaign.id, page, CouponFilter(after_id=after)
        )
        yield from coupons
        if not more or not coupons:
            return
        after = coupons[-1].id


# Documents of what is stored.


def application_document(application: Application) -> ApplicationDocument:
    document = msgspec.convert(application, ApplicationDocument, from_attributes=True)
    if document.attributes_settings == AttributesSettings():
        document.attributes_settings = None
    return document


def limits_document(limits: Sequence[DomainLimitConfig]) -> list[LimitConfig]:
    return [
        LimitConfig(
            action=limit.action,
            limit=limit.limit,
            entities=list(limit.entities),
            period=limit.period,
        )
        for limit in limits
    ]


def _names(ids: Sequence[int] | None, names: Mapping[int, str]) -> list[str] | None:
    if ids is None:
        return None
    return sorted(names.get(i, f"#{i}") for i in ids)


def attribute_document(attribute: Attribute, names: Mapping[int, str]) -> AttributeDocument:
    return AttributeDocument(
        entity=attribute.entity,
        name=attribute.name,
        title=attribute.title,
        type=attribute.type,
        description=attribute.description,
        suggestions=list(attribute.suggestions),
        editable=attribute.editable,
        event_type=attribute.event_type,
        has_allowed_list=attribute.has_allowed_list,
        restricted_by_suggestions=attribute.restricted_by_suggestions,
        subscribed_applications=_names(attribute.subscribed_applications_ids, names),
    )


def additional_cost_document(
    cost: AdditionalCost, names: Mapping[int, str]
) -> AdditionalCostDocument:
    return AdditionalCostDocument(
        name=cost.name,
        title=cost.title,
        description=cost.description,
        type=cost.type,
        subscribed_applications=_names(cost.subscribed_applications_ids, names),
    )


def custom_effect_document(effect: CustomEffect, names: Mapping[int, str]) -> CustomEffectDocument:
    definition = effect.definition
    return CustomEffectDocument(
        name=definition.name,
        title=definition.title,
        applications=_names(effect.application_ids, names) or [],
        payload=definition.payload,
        enabled=definition.enabled,
        is_per_item=definition.is_per_item,
        description=definition.description,
        params=params_to_wire(definition),
    )


def ruleset_document(ruleset: Ruleset) -> RulesetDocument:
    return RulesetDocument(
        rules=_wire_rules(ruleset.rules),
        bindings=[msgspec.convert(b, Binding, from_attributes=True) for b in ruleset.bindings],
        strikethrough_rules=_wire_rules(ruleset.strikethrough_rules),
    )


def _wire_rules(rules: Sequence[Rule]) -> list[WireRule]:
    wired = [rule_to_wire(rule) for rule in rules]
    for rule in wired:
        rule.description = rule.description or None  # "" is no description: left out
    return wired


def coupon_document(coupon: Coupon) -> CouponDocument:
    return msgspec.convert(coupon, CouponDocument, from_attributes=True)


def campaign_document(
    state: CampaignState, application: str, stores: Mapping[int, str]
) -> CampaignDocument:
    campaign = state.campaign
    return CampaignDocument(
        application=application,
        name=campaign.name,
        description=campaign.description,
        state=campaign.state,
        type=campaign.type,
        start_time=campaign.start_time,
        end_time=campaign.end_time,
        tags=list(campaign.tags),
        features=list(campaign.features),
        attributes=dict(campaign.attributes),
        coupon_attributes=dict(campaign.coupon_attributes),
        reevaluate_on_return=campaign.reevaluate_on_return,
        limits=limits_document(campaign.limits),
        coupon_settings=_settings(campaign.coupon_settings),
        referral_settings=_settings(campaign.referral_settings),
        linked_stores=sorted(stores.get(i, f"#{i}") for i in campaign.linked_store_ids),
        ruleset=None if state.ruleset is None else ruleset_document(state.ruleset),
        coupons=sorted(
            (coupon_document(coupon) for coupon in state.coupons or ()), key=lambda c: c.value
        ),
    )


def _settings(settings: DomainCodeGeneratorSettings | None) -> CodeGeneratorSettings | None:
    return None if settings is None else settings_to_wire(settings)


def campaign_set_document(
    application: str, tree: GroupNode, campaigns: Mapping[int, str]
) -> CampaignSetDocument:
    return CampaignSetDocument(application=application, set=branch_of(tree, campaigns))


def branch_of(node: GroupNode, campaigns: Mapping[int, str]) -> SetBranch:
    group = node.group
    return SetBranch(
        name=group.name,
        description=group.description,
        evaluation_mode=group.evaluation_mode,
        evaluation_scope=group.evaluation_scope,
        locked=group.locked,
        elements=[
            branch_of(element, campaigns)
            if isinstance(element, GroupNode)
            else SetLeaf(campaign=campaigns.get(element, f"#{element}"))
            for element in node.elements
        ],
    )
