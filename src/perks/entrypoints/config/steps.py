"""The steps of a plan: each says what it will do and does it through one service call, with
the ids of what earlier steps created."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

import msgspec

from perks.bootstrap import Services
from perks.domain.additional_costs import AdditionalCostSpec
from perks.domain.applications import ApplicationSpec
from perks.domain.attributes import AttributeSpec
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupons import CouponProperties
from perks.domain.evaluation_groups import EvaluationGroupSpec, GroupNode
from perks.domain.limits import LimitConfig as DomainLimitConfig
from perks.domain.rulesets import RulesetSpec
from perks.domain.vocabulary import CustomEffectDefinition
from perks.entrypoints.config.documents import (
    AdditionalCostDocument,
    ApplicationDocument,
    AttributeDocument,
    CampaignDocument,
    CouponDocument,
    CustomEffectDocument,
    LimitConfig,
    RulesetDocument,
    SetBranch,
)
from perks.entrypoints.http.management.applications import AttributesSettings
from perks.entrypoints.http.management.campaigns import settings_from_wire
from perks.entrypoints.http.management.custom_effects import definition_from_wire
from perks.entrypoints.http.management.rulesets import binding_from_wire, rule_from_wire
from perks.services.coupons import NamedCoupon
from perks.services.evaluation_groups import Arrangement, current_spec
from perks.services.principals import OPERATOR

__all__ = [
    "Action",
    "Ids",
    "Run",
    "Step",
    "additional_cost_spec",
    "application_spec",
    "attribute_spec",
    "campaign_spec",
    "coupon_properties",
    "custom_effect_definition",
    "ruleset_spec",
]


class Action(StrEnum):
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"


@dataclass(slots=True)
class Ids:
    """Ids by name: what is stored, completed by each step that creates something."""

    applications: dict[str, int] = field(default_factory=dict)
    campaigns: dict[tuple[str, str], int] = field(default_factory=dict)
    groups: dict[tuple[str, str], int] = field(default_factory=dict)
    base_groups: dict[str, int] = field(default_factory=dict)
    stores: dict[tuple[str, str], int] = field(default_factory=dict)

    def application(self, name: str) -> int:
        return self.applications[name]

    def applications_of(self, names: Sequence[str] | None) -> tuple[int, ...] | None:
        return None if names is None else tuple(self.applications[name] for name in names)


class Run(Protocol):
    def __call__(self, services: Services, ids: Ids) -> None: ...


@dataclass(frozen=True, slots=True)
class Step:
    """One change: ``subject`` names what it changes, ``details`` how, ``run`` does it."""

    action: Action
    subject: str
    run: Run
    details: tuple[str, ...] = ()
    source: str = ""


# Specs from documents, with names turned into ids.


def application_spec(document: ApplicationDocument) -> ApplicationSpec:
    settings = document.attributes_settings or AttributesSettings()
    complete = msgspec.structs.replace(document, attributes_settings=settings)
    return msgspec.convert(complete, ApplicationSpec, from_attributes=True)


def limits_spec(limits: Sequence[LimitConfig]) -> tuple[DomainLimitConfig, ...]:
    return tuple(
        DomainLimitConfig(limit.action, limit.limit, tuple(limit.entities), limit.period)
        for limit in limits
    )


def attribute_spec(document: AttributeDocument, ids: Ids) -> AttributeSpec:
    return AttributeSpec(
        entity=document.entity,
        name=document.name,
        title=document.title,
        type=document.type,
        description=document.description,
        suggestions=tuple(document.suggestions),
        editable=document.editable,
        event_type=document.event_type,
        has_allowed_list=document.has_allowed_list,
        restricted_by_suggestions=document.restricted_by_suggestions,
        subscribed_applications_ids=ids.applications_of(document.subscribed_applications),
    )


def additional_cost_spec(document: AdditionalCostDocument, ids: Ids) -> AdditionalCostSpec:
    return AdditionalCostSpec(
        name=document.name,
        title=document.title,
        description=document.description,
        type=document.type,
        subscribed_applications_ids=ids.applications_of(document.subscribed_applications),
    )


def custom_effect_definition(document: CustomEffectDocument) -> CustomEffectDefinition:
    return definition_from_wire(document)


def campaign_spec(document: CampaignDocument, stores: Mapping[str, int]) -> CampaignSpec:
    return CampaignSpec(
        name=document.name,
        state=document.state,
        description=document.description,
        start_time=document.start_time,
        end_time=document.end_time,
        attributes=document.attributes,
        tags=tuple(document.tags),
        reevaluate_on_return=document.reevaluate_on_return,
        features=tuple(document.features),
        coupon_settings=settings_from_wire(document.coupon_settings),
        referral_settings=settings_from_wire(document.referral_settings),
        limits=limits_spec(document.limits),
        type=document.type,
        linked_store_ids=tuple(stores[store] for store in document.linked_stores),
        coupon_attributes=document.coupon_attributes,
    )


def ruleset_spec(document: RulesetDocument) -> RulesetSpec:
    return RulesetSpec(
        rules=tuple(rule_from_wire(rule) for rule in document.rules),
        bindings=tuple(binding_from_wire(binding) for binding in document.bindings),
        strikethrough_rules=tuple(rule_from_wire(rule) for rule in document.strikethrough_rules),
        activate=True,
    )


def coupon_properties(document: CouponDocument) -> CouponProperties:
    return msgspec.convert(document, CouponProperties, from_attributes=True)


def stores_of(ids: Ids, application: str) -> dict[str, int]:
    return {store: id_ for (app, store), id_ in ids.stores.items() if app == application}


# The runs: one service call each.


@dataclass(frozen=True, slots=True)
class CreateApplication:
    document: ApplicationDocument

    def __call__(self, services: Services, ids: Ids) -> None:
        created = services.applications.create(OPERATOR, application_spec(self.document))
        ids.applications[created.name] = created.id


@dataclass(frozen=True, slots=True)
class UpdateApplication:
    document: ApplicationDocument

    def __call__(self, services: Services, ids: Ids) -> None:
        application_id = ids.application(self.document.name)
        current = services.applications.get(OPERATOR, application_id)
        spec = replace(
            application_spec(self.document),
            default_evaluation_group_id=current.default_evaluation_group_id,
            default_cart_item_filter_id=current.default_cart_item_filter_id,
        )
        services.applications.update(OPERATOR, application_id, spec)


@dataclass(frozen=True, slots=True)
class SaveAttribute:
    document: AttributeDocument
    attribute_id: int | None

    def __call__(self, services: Services, ids: Ids) -> None:
        spec = attribute_spec(self.document, ids)
        if self.attribute_id is None:
            services.attributes.create(spec)
        else:
            services.attributes.update(self.attribute_id, spec)


@dataclass(frozen=True, slots=True)
class SaveAdditionalCost:
    document: AdditionalCostDocument
    cost_id: int | None

    def __call__(self, services: Services, ids: Ids) -> None:
        spec = additional_cost_spec(self.document, ids)
        if self.cost_id is None:
            services.additional_costs.create(spec)
        else:
            services.additional_costs.update(self.cost_id, spec)


@dataclass(frozen=True, slots=True)
class SaveCustomEffect:
    document: CustomEffectDocument
    effect_id: int | None

    def __call__(self, services: Services, ids: Ids) -> None:
        definition = custom_effect_definition(self.document)
        applications = tuple(ids.application(name) for name in self.document.applications)
        if self.effect_id is None:
            services.custom_effects.create(OPERATOR, definition, applications)
        else:
            services.custom_effects.update(OPERATOR, self.effect_id, definition, applications)


@dataclass(frozen=True, slots=True)
class CreateCampaign:
    document: CampaignDocument

    def __call__(self, services: Services, ids: Ids) -> None:
        application = self.document.application
        spec = campaign_spec(self.document, stores_of(ids, application))
        created = services.campaigns.create(OPERATOR, ids.application(application), spec)
        ids.campaigns[(application, created.name)] = created.id


@dataclass(frozen=True, slots=True)
class UpdateCampaign:
    document: CampaignDocument

    def __call__(self, services: Services, ids: Ids) -> None:
        application = self.document.application
        application_id = ids.application(application)
        campaign_id = ids.campaigns[(application, self.document.name)]
        current = services.campaigns.get(OPERATOR, application_id, campaign_id)
        spec = replace(
            campaign_spec(self.document, stores_of(ids, application)),
            active_ruleset_id=current.active_ruleset_id,
            evaluation_group_id=current.evaluation_group_id,
            campaign_groups=current.campaign_groups,
        )
        services.campaigns.update(OPERATOR, application_id, campaign_id, spec)


@dataclass(frozen=True, slots=True)
class DeleteCampaign:
    application: str
    campaign_id: int

    def __call__(self, services: Services, ids: Ids) -> None:
        services.campaigns.delete(OPERATOR, ids.application(self.application), self.campaign_id)


@dataclass(frozen=True, slots=True)
class ActivateRuleset:
    application: str
    campaign: str
    document: RulesetDocument

    def __call__(self, services: Services, ids: Ids) -> None:
        services.rulesets.create(
            OPERATOR,
            ids.application(self.application),
            ids.campaigns[(self.application, self.campaign)],
            ruleset_spec(self.document),
        )


@dataclass(frozen=True, slots=True)
class CreateCoupons:
    application: str
    campaign: str
    documents: tuple[CouponDocument, ...]

    def __call__(self, services: Services, ids: Ids) -> None:
        services.coupons.create_named(
            OPERATOR,
            ids.application(self.application),
            ids.campaigns[(self.application, self.campaign)],
            [NamedCoupon(doc.value, coupon_properties(doc)) for doc in self.documents],
        )


@dataclass(frozen=True, slots=True)
class UpdateCoupon:
    application: str
    campaign: str
    coupon_id: int
    document: CouponDocument

    def __call__(self, services: Services, ids: Ids) -> None:
        services.coupons.update(
            OPERATOR,
            ids.application(self.application),
            ids.campaigns[(self.application, self.campaign)],
            self.coupon_id,
            coupon_properties(self.document),
        )


@dataclass(frozen=True, slots=True)
class DeleteCoupons:
    application: str
    campaign: str
    coupon_ids: tuple[int, ...]

    def __call__(self, services: Services, ids: Ids) -> None:
        application_id = ids.application(self.application)
        campaign_id = ids.campaigns[(self.application, self.campaign)]
        for coupon_id in self.coupon_ids:
            services.coupons.delete(OPERATOR, application_id, campaign_id, coupon_id)


def group_spec(branch: SetBranch, parent_id: int | None) -> EvaluationGroupSpec:
    return EvaluationGroupSpec(
        name=branch.name,
        parent_id=parent_id,
        evaluation_mode=branch.evaluation_mode,
        evaluation_scope=branch.evaluation_scope,
        locked=branch.locked,
        description=branch.description,
    )


@dataclass(frozen=True, slots=True)
class SaveGroup:
    """Create a group under ``parent`` (the base group when None), or change its settings
    where it is; the arrangement puts it in place. Locks are set after the arrangement."""

    application: str
    branch: SetBranch
    parent: str | None
    group_id: int | None
    base: bool = False

    def __call__(self, services: Services, ids: Ids) -> None:
        app = self.application
        application_id = ids.application(app)
        unlocked = msgspec.structs.replace(self.branch, locked=False)
        if self.base:
            group_id = base_group_id(services, ids, app)
            spec = group_spec(unlocked, None)
            services.evaluation_groups.update(OPERATOR, application_id, group_id, spec)
        elif self.group_id is None:
            parent = (
                ids.groups[(app, self.parent)] if self.parent else base_group_id(services, ids, app)
            )
            group = services.evaluation_groups.create(
                OPERATOR, application_id, group_spec(unlocked, parent)
            )
            ids.groups[(app, group.name)] = group.id
        else:
            parent_id = _parent_of(services, application_id, self.group_id)
            services.evaluation_groups.update(
                OPERATOR, application_id, self.group_id, group_spec(unlocked, parent_id)
            )


def base_group_id(services: Services, ids: Ids, application: str) -> int:
    """The application's base group (a new application's is made on first use)."""
    if application not in ids.base_groups:
        tree = services.evaluation_groups.tree(OPERATOR, ids.application(application))
        ids.base_groups[application] = tree.group.id
    return ids.base_groups[application]


def _parent_of(services: Services, application_id: int, group_id: int) -> int | None:
    tree = services.evaluation_groups.tree(OPERATOR, application_id)
    pending: list[tuple[GroupNode, int | None]] = [(tree, None)]
    while pending:
        node, parent = pending.pop()
        if node.group.id == group_id:
            return parent
        pending += [
            (element, node.group.id) for element in node.elements if isinstance(element, GroupNode)
        ]
    return None


@dataclass(frozen=True, slots=True)
class SetLocks:
    """Lock or unlock groups by name (around an arrangement, which a lock would refuse)."""

    application: str
    groups: tuple[str, ...]
    locked: bool

    def __call__(self, services: Services, ids: Ids) -> None:
        application_id = ids.application(self.application)
        tree = services.evaluation_groups.tree(OPERATOR, application_id)
        for node in _nodes(tree):
            if node.group.name in self.groups and node.group.locked != self.locked:
                spec = replace(current_spec(node.group), locked=self.locked)
                services.evaluation_groups.update(OPERATOR, application_id, node.group.id, spec)


def _nodes(node: GroupNode) -> list[GroupNode]:
    found = [node]
    for element in node.elements:
        if isinstance(element, GroupNode):
            found += _nodes(element)
    return found


@dataclass(frozen=True, slots=True)
class Arrange:
    application: str
    tree: SetBranch

    def __call__(self, services: Services, ids: Ids) -> None:
        services.evaluation_groups.arrange(
            OPERATOR,
            ids.application(self.application),
            self._arrangement(self.tree, base_group_id(services, ids, self.application), ids),
        )

    def _arrangement(self, branch: SetBranch, group_id: int, ids: Ids) -> Arrangement:
        elements: list[Arrangement | int] = []
        for element in branch.elements:
            if isinstance(element, SetBranch):
                child = ids.groups[(self.application, element.name)]
                elements.append(self._arrangement(element, child, ids))
            else:
                elements.append(ids.campaigns[(self.application, element.campaign)])
        return Arrangement(group_id, tuple(elements))


@dataclass(frozen=True, slots=True)
class DeleteGroup:
    application: str
    group_id: int

    def __call__(self, services: Services, ids: Ids) -> None:
        services.evaluation_groups.delete(
            OPERATOR, ids.application(self.application), self.group_id
        )
