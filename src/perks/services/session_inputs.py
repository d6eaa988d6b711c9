"""Everything one evaluation of a session reads, loaded in the caller's transaction: the
application's settings, its campaigns with their active rulesets (compiled once per revision
and kept), the evaluation tree, the session's coupons, the profile, and the counters the
campaigns' limits may move."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Generic, TypeVar

from perks.domain.applications import Application
from perks.domain.attributes import AttributeEntity, AttributeType
from perks.domain.budgets import CounterKey, counter_keys, missing_entities
from perks.domain.campaigns import Campaign
from perks.domain.coupon_codes import normalized_code
from perks.domain.coupon_validation import own_limits
from perks.domain.coupons import Coupon
from perks.domain.customer_profiles import CustomerProfile
from perks.domain.customer_sessions import CustomerSession
from perks.domain.discounts import ItemScope, SessionScope
from perks.domain.evaluation import EvaluationInput, RunnableCampaign, Settings, subjects_of
from perks.domain.evaluation_groups import (
    BASE_GROUP_NAME,
    EvaluationGroup,
    GroupNode,
    build_tree,
)
from perks.domain.pages import PageRequest
from perks.domain.rule_bindings import ProfileView, SessionView
from perks.domain.rulesets import CompiledRuleset, Ruleset, compile_ruleset
from perks.domain.vocabulary import RULE_SCHEMA, CustomEffectDefinition
from perks.services.custom_effects import vocabulary_with_key
from perks.services.lookups import require_application
from perks.services.ports import AttributeFilter, CampaignFilter, StoreFilter, UnitOfWork
from perks.talang import FunctionRegistry

__all__ = ["Configuration", "EvaluationCache", "load_input", "profile_view"]

_ALL = PageRequest(page_size=1_000_000)
_RULESETS_KEPT = 1024
_CONFIGURATIONS_KEPT = 64  # applications
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # campaigns are listed unfiltered: any time does
K = TypeVar("K")
V = TypeVar("V")
RulesetKey = tuple[int, tuple[CustomEffectDefinition, ...]]


@dataclass(frozen=True, slots=True)
class Configuration:
    """What every evaluation of an application reads besides the session, its profile, its
    coupons and the counters."""

    application: Application
    runnable: Mapping[int, RunnableCampaign]
    tree: GroupNode
    additional_cost_ids: Mapping[str, int]
    store_ids: Mapping[str, int]
    attributes: Mapping[AttributeEntity, Mapping[str, AttributeType]]  # declared, by name


class _Kept(Generic[K, V]):
    """At most ``size`` values, the least recently used dropped first; thread-safe."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


class EvaluationCache:
    """What evaluations build from stored configuration, kept across requests; thread-safe.

    - Compiled rulesets by revision: a ruleset never changes once saved, so its compiled form
      is kept (least recently used out first).
    - Each application's configuration (its campaigns with their compiled rulesets, the
      evaluation tree, stores, additional costs, declared attributes), kept while the
      database's configuration revision stays: any committed change of those tables, by any
      process, moves it (``adapters/sql/configuration.py``)."""

    def __init__(self, size: int = _RULESETS_KEPT) -> None:
        self._rulesets: _Kept[RulesetKey, CompiledRuleset] = _Kept(size)
        self._configurations: _Kept[tuple[int, int], Configuration] = _Kept(_CONFIGURATIONS_KEPT)

    def configuration(self, uow: UnitOfWork, application_id: int) -> Configuration:
        """The application's configuration at the database's current revision (``NotFound``
        when the application does not exist)."""
        key = (application_id, uow.configuration.revision())
        found = self._configurations.get(key)
        if found is not None:
            return found
        return self._configurations.put(key, _configuration(uow, application_id, self))

    def kept(
        self, ruleset_id: int, definitions: tuple[CustomEffectDefinition, ...]
    ) -> CompiledRuleset | None:
        """The compiled ruleset when it is kept: a revision never changes, so its row need
        not be read again."""
        return self._rulesets.get((ruleset_id, definitions))

    def get(
        self,
        ruleset: Ruleset,
        definitions: tuple[CustomEffectDefinition, ...],
        registry: FunctionRegistry,
    ) -> CompiledRuleset:
        """``ruleset`` compiled with the application's vocabulary (``definitions`` are what
        the ``registry`` was built from: a change of custom effects compiles anew)."""
        found = self._rulesets.get((ruleset.id, definitions))
        if found is not None:
            return found
        compiled = compile_ruleset(ruleset, registry, RULE_SCHEMA)
        return self._rulesets.put((ruleset.id, definitions), compiled)


def load_input(
    uow: UnitOfWork,
    application: Application,
    view: SessionView,
    *,
    now: datetime,
    configuration: Configuration,
    event_type: str,
    profile: ProfileView | None,
    evaluable_campaign_ids: frozenset[int] | None = None,
) -> EvaluationInput:
    """What one evaluation reads: ``configuration`` (``EvaluationCache.configuration``, read
    once per request) and ``profile`` (``profile_view``), both read by the caller, then the
    session's coupons and the counters."""
    session = view.session
    sensitivity = application.case_sensitivity
    codes = {normalized_code(code, sensitivity) for code in session.coupon_codes}
    coupons = uow.coupons.in_application(application.id, codes) if codes else {}
    inp = EvaluationInput(
        settings=_settings(application, configuration, now, event_type),
        session=view,
        profile=profile,
        tree=configuration.tree,
        campaigns=configuration.runnable,
        coupons=coupons,
        evaluable_campaign_ids=evaluable_campaign_ids,
    )
    keys = _counter_keys(inp, configuration.runnable.values(), coupons.values())
    return replace(inp, counters=uow.budget_counters.read(keys) if keys else {})


def _configuration(uow: UnitOfWork, application_id: int, cache: EvaluationCache) -> Configuration:
    application = require_application(uow, application_id)
    campaigns = tuple(uow.campaigns.list(application_id, _ALL, CampaignFilter(), now=_EPOCH).items)
    costs = uow.additional_costs.list(_ALL).items
    stores = uow.stores.list(application_id, _ALL, StoreFilter()).items
    attributes: dict[AttributeEntity, dict[str, AttributeType]] = {}
    for attribute in uow.attributes.list(_ALL, AttributeFilter()).items:
        subscribed = attribute.subscribed_applications_ids
        if subscribed is None or application_id in subscribed:
            attributes.setdefault(attribute.entity, {})[attribute.name] = attribute.type
    return Configuration(
        application=application,
        runnable=_runnable(uow, application_id, campaigns, cache),
        tree=_tree(uow, application_id, campaigns),
        additional_cost_ids={
            cost.name: cost.id
            for cost in costs
            if cost.subscribed_applications_ids is None
            or application_id in cost.subscribed_applications_ids
        },
        store_ids={store.integration_id: store.id for store in stores},
        attributes=attributes,
    )


def _runnable(
    uow: UnitOfWork,
    application_id: int,
    campaigns: Iterable[Campaign],
    rulesets: EvaluationCache,
) -> dict[int, RunnableCampaign]:
    definitions, registry = vocabulary_with_key(uow, application_id)  # once per update
    runnable: dict[int, RunnableCampaign] = {}
    for campaign in campaigns:
        ruleset_id = campaign.active_ruleset_id
        if ruleset_id is None:
            continue
        compiled = rulesets.kept(ruleset_id, definitions)
        if compiled is None:
            ruleset = uow.rulesets.get(campaign.id, ruleset_id)
            if ruleset is None:
                continue
            compiled = rulesets.get(ruleset, definitions, registry)
        runnable[campaign.id] = RunnableCampaign(campaign, ruleset_id, compiled)
    return runnable


def _settings(
    application: Application, configuration: Configuration, now: datetime, event_type: str
) -> Settings:
    return Settings(
        application_id=application.id,
        currency=application.currency,
        timezone=application.timezone,
        now=now,
        case_sensitivity=application.case_sensitivity,
        cascading=application.enable_cascading_discounts,
        partial_discounts=application.enable_partial_discounts,
        flattened=application.enable_flattened_cart_items,
        default_scope=SessionScope(str(application.default_discount_scope)),
        default_item_scope=ItemScope(
            str(application.default_discount_additional_cost_per_item_scope)
        ),
        additional_cost_ids=configuration.additional_cost_ids,
        application_attributes=dict(application.attributes),
        store_ids=configuration.store_ids,
        event_type=event_type,
    )


def profile_view(
    session: CustomerSession, stored: CustomerProfile | None, *, created: bool = False
) -> ProfileView | None:
    """What rules read of the session's profile (``stored``); none for an anonymous session,
    a bare one for a profile this update creates (or, dry, would create)."""
    if not session.profile_id:
        return None
    if stored is None or created:
        return ProfileView(session.profile_id)
    return ProfileView(
        integration_id=stored.integration_id,
        id=stored.id,
        created=stored.created,
        attributes=dict(stored.attributes),
        closed_sessions=stored.closed_sessions,
        total_sales=stored.total_sales,
        last_activity=stored.last_activity,
    )


def _tree(uow: UnitOfWork, application_id: int, campaigns: Iterable[Campaign]) -> GroupNode:
    """The evaluation tree; an application that never had one has its campaigns in a base
    group, oldest first."""
    groups = uow.evaluation_groups.groups(application_id)
    if any(group.parent_id is None for group in groups):
        return build_tree(groups, uow.evaluation_groups.members(application_id))
    base = EvaluationGroup(name=BASE_GROUP_NAME, parent_id=None, application_id=application_id)
    return GroupNode(base, tuple(sorted(campaign.id for campaign in campaigns)))


def _counter_keys(
    inp: EvaluationInput,
    runnable: Iterable[RunnableCampaign],
    coupons: Iterable[Coupon],
) -> set[CounterKey]:
    """Every counter the campaigns' limits and the coupons' own limits may read."""
    by_campaign: dict[int, list[Coupon]] = {}
    for found in coupons:
        by_campaign.setdefault(found.campaign_id, []).append(found)
    keys: set[CounterKey] = set()
    settings = inp.settings
    for run in runnable:
        campaign_coupons = by_campaign.get(run.campaign.id, [])
        options: list[Coupon | None] = [None, *campaign_coupons]
        for coupon in options:
            subjects = subjects_of(inp, coupon)
            limits = (*run.campaign.limits, *(own_limits(coupon) if coupon else ()))
            for limit in limits:
                if missing_entities(limit, subjects):
                    continue
                keys.update(
                    counter_keys(
                        run.campaign.id,
                        limit,
                        subjects,
                        now=settings.now,
                        timezone=settings.timezone,
                    )
                )
    return keys
