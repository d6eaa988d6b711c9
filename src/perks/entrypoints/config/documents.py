"""The documents of campaigns as code: Talon.One's schemas, with a ``kind`` and references by
name where the API has ids (``application`` for ``applicationId``, ``linkedStores`` for
``linkedStoreIds``, ``subscribedApplications`` for ``subscribedApplicationsIds``...)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import msgspec

from perks.domain.additional_costs import AdditionalCostType
from perks.domain.attributes import AttributeEntity, AttributeType
from perks.domain.campaigns import CampaignFeature, CampaignState, CampaignType
from perks.domain.evaluation_groups import EvaluationMode, EvaluationScope
from perks.domain.limits import LimitEntity, LimitPeriod
from perks.entrypoints.http.entities import CodeGeneratorSettings
from perks.entrypoints.http.integration.customer_sessions import NewCustomerSessionV2
from perks.entrypoints.http.management.applications import ApplicationSettings, AttributesSettings
from perks.entrypoints.http.management.attributes import Name, Title
from perks.entrypoints.http.management.campaigns import Tag
from perks.entrypoints.http.management.coupons import UsageLimit
from perks.entrypoints.http.management.custom_effects import TemplateArgDef
from perks.entrypoints.http.management.rulesets import Binding, Rule
from perks.entrypoints.http.wire import AwareDateTime, WireStruct

__all__ = [
    "KINDS",
    "AdditionalCostDocument",
    "ApplicationDocument",
    "AttributeDocument",
    "CampaignDocument",
    "CampaignSetDocument",
    "CouponDocument",
    "CustomEffectDocument",
    "Document",
    "EffectExpectation",
    "LimitConfig",
    "RulesetDocument",
    "SessionTestDocument",
    "SetBranch",
    "SetLeaf",
]

ApplicationName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
CampaignName = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
GroupName = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class _Document(WireStruct, omit_defaults=True, tag_field="kind"):
    """Defaults are left out when written, so a file says only what differs."""


class LimitConfig(WireStruct, omit_defaults=True):
    """``LimitConfig``; ``entities: []`` is a campaign-wide budget."""

    action: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    limit: Decimal
    entities: list[LimitEntity]
    period: LimitPeriod | None = None


class ApplicationDocument(ApplicationSettings, _Document, omit_defaults=True, tag="Application"):
    """``NewApplication`` (its ``key``, a secret, stays out of files); found by name."""

    # Narrowed from NewApplication's fields, so that files leave out what is empty.
    limits: list[LimitConfig] = []  # type: ignore[assignment]
    attributes_settings: AttributesSettings | None = None  # type: ignore[assignment]


class AttributeDocument(_Document, tag="Attribute"):
    """``NewAttribute``; found by entity and name."""

    entity: AttributeEntity
    name: Name
    title: Title
    type: AttributeType
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    suggestions: Annotated[list[str], msgspec.Meta(max_length=50)] = []
    editable: bool = True
    event_type: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    has_allowed_list: bool = False
    restricted_by_suggestions: bool = False
    subscribed_applications: list[ApplicationName] | None = None


class AdditionalCostDocument(_Document, tag="AdditionalCost"):
    """``NewAdditionalCost``; found by name."""

    name: Name
    title: Title
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    type: AdditionalCostType = AdditionalCostType.SESSION
    subscribed_applications: list[ApplicationName] | None = None


class CustomEffectDocument(_Document, tag="CustomEffect"):
    """``NewCustomEffect``; found by name."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    applications: Annotated[list[ApplicationName], msgspec.Meta(min_length=1)]
    payload: str
    enabled: bool = True
    is_per_item: bool = False
    description: str = ""
    params: list[TemplateArgDef] = []


class SetLeaf(WireStruct, tag_field="type", tag="CAMPAIGN"):
    """``CampaignSetLeafNode``: a campaign, by name."""

    campaign: CampaignName


class SetBranch(WireStruct, omit_defaults=True, tag_field="type", tag="SET"):
    """``CampaignSetBranchNode``: an evaluation group and its members in order."""

    name: GroupName
    description: str = ""
    evaluation_mode: EvaluationMode = EvaluationMode.STACKABLE
    evaluation_scope: EvaluationScope = EvaluationScope.SESSION
    locked: bool = False
    elements: list[SetBranch | SetLeaf] = []


class CampaignSetDocument(_Document, tag="CampaignSet"):
    """``CampaignSet``: an application's evaluation tree; ``set`` is its base group."""

    application: ApplicationName
    set: SetBranch


class RulesetDocument(WireStruct, omit_defaults=True):
    """``NewRuleset``: the campaign's active ruleset."""

    bindings: list[Binding] = []
    rules: list[Rule] = []
    strikethrough_rules: list[Rule] = []


class CouponDocument(WireStruct, omit_defaults=True):
    """One coupon with its code (``Coupon``'s writable fields); found by code under the
    application's case sensitivity."""

    value: Code
    usage_limit: UsageLimit
    discount_limit: Decimal | None = None
    reservation_limit: UsageLimit | None = None
    start_date: AwareDateTime | None = None
    expiry_date: AwareDateTime | None = None
    limits: list[LimitConfig] = []
    attributes: dict[str, Any] = {}
    recipient_integration_id: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    is_reservation_mandatory: bool = False
    implicitly_reserved: bool = False


class CampaignDocument(_Document, tag="Campaign"):
    """``NewCampaign`` with its active ruleset and its coupons; found by name in its
    application."""

    application: ApplicationName
    name: CampaignName
    description: str = ""
    state: CampaignState = CampaignState.ENABLED
    type: CampaignType = CampaignType.ADVANCED
    start_time: AwareDateTime | None = None
    end_time: AwareDateTime | None = None
    tags: Annotated[list[Tag], msgspec.Meta(max_length=50)] = []
    features: list[CampaignFeature] = []
    attributes: dict[str, Any] = {}
    coupon_attributes: dict[str, Any] = {}
    reevaluate_on_return: bool = False
    limits: list[LimitConfig] = []
    coupon_settings: CodeGeneratorSettings | None = None
    referral_settings: CodeGeneratorSettings | None = None
    linked_stores: list[Annotated[str, msgspec.Meta(min_length=1)]] = []
    ruleset: RulesetDocument | None = None
    coupons: list[CouponDocument] = []


class EffectExpectation(WireStruct, omit_defaults=True):
    """An effect a golden cart expects (or must not see): its ``effectType``, optionally the
    name of the campaign that produced it, and the props it must have (others may be there)."""

    effect_type: Annotated[str, msgspec.Meta(min_length=1)]
    campaign: CampaignName | None = None
    props: dict[str, Any] = {}


class SessionTestDocument(_Document, tag="SessionTest"):
    """A golden cart: a ``NewCustomerSessionV2`` evaluated as a dry run (at ``now`` when
    given), and the effects it must produce and must not produce. ``perks test`` runs them;
    ``plan`` and ``apply`` leave them alone."""

    application: ApplicationName
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
    customer_session: NewCustomerSessionV2
    now: AwareDateTime | None = None
    produces: list[EffectExpectation] = []
    does_not_produce: list[EffectExpectation] = []


Document = (
    ApplicationDocument
    | AttributeDocument
    | AdditionalCostDocument
    | CustomEffectDocument
    | CampaignSetDocument
    | CampaignDocument
    | SessionTestDocument
)

KINDS: tuple[type[_Document], ...] = (
    ApplicationDocument,
    AttributeDocument,
    AdditionalCostDocument,
    CustomEffectDocument,
    CampaignSetDocument,
    CampaignDocument,
    SessionTestDocument,
)
