"""Use cases of campaigns and their rulesets (getCampaigns, updateCampaign, getRulesets, ...)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from perks.domain.budgets import CounterKey
from perks.domain.campaigns import Campaign, CampaignSpec, validate_campaign
from perks.domain.errors import InvalidInput, NotFound, Problem
from perks.domain.pages import Page, PageRequest
from perks.domain.rulesets import Ruleset, RulesetSpec, compile_ruleset
from perks.domain.vocabulary import RULE_SCHEMA
from perks.services.custom_effects import vocabulary_of
from perks.services.evaluation_groups import (
    base_group,
    ensure_groups,
    place_at_end,
    require_group,
)
from perks.services.lookups import require_application, require_campaign
from perks.services.ports import CampaignFilter, Clock, UnitOfWork, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = [
    "CAMPAIGN_SORT_FIELDS",
    "RULESET_SORT_FIELDS",
    "CampaignCopy",
    "CampaignService",
    "RulesetService",
]


@dataclass(frozen=True, slots=True)
class CampaignCopy:
    """``CampaignCopy``: where to, and what changes in the copies."""

    application_ids: tuple[int, ...]
    name: str | None = None
    description: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    tags: tuple[str, ...] | None = None
    evaluation_group_id: int | None = None


CAMPAIGN_SORT_FIELDS = ("id", "name", "created", "updated", "state", "start_time", "end_time")
RULESET_SORT_FIELDS = ("id", "created")


def with_counters(uow: UnitOfWork, campaigns: Sequence[Campaign]) -> list[Campaign]:
    """The campaigns with the live counters of their campaign-wide, lifetime budgets
    (``Campaign.budgets``), read in one query."""
    keys = [
        CounterKey(campaign.id, limit.action, (), "")
        for campaign in campaigns
        for limit in campaign.limits
        if not limit.entities and limit.period is None
    ]
    if not keys:
        return list(campaigns)
    values = uow.budget_counters.read(keys)
    return [
        replace(
            campaign,
            counters={
                key.action: value for key, value in values.items() if key.campaign_id == campaign.id
            },
        )
        for campaign in campaigns
    ]


class CampaignService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(
        self, principal: ManagementPrincipal, application_id: int, spec: CampaignSpec
    ) -> Campaign:
        principal.require_application(application_id)
        if spec.active_ruleset_id is not None:
            raise InvalidInput.at(
                "/activeRulesetId",
                "a new campaign has no rulesets yet: create one with activate=true",
            )
        with self._uow(write=True) as uow:
            campaign = self._add(uow, application_id, spec)
            uow.commit()
        return campaign

    def copy(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        request: CampaignCopy,
    ) -> list[Campaign]:
        """``copyCampaignToApplications``: the campaign and its active ruleset, into each
        application (coupons, stores and campaign groups stay behind), all or none."""
        principal.require_application(application_id)
        for target in request.application_ids:
            principal.require_application(target)
        copies: list[Campaign] = []
        with self._uow(write=True) as uow:
            source = require_campaign(uow, application_id, campaign_id)
            ruleset = (
                None
                if source.active_ruleset_id is None
                else uow.rulesets.get(campaign_id, source.active_ruleset_id)
            )
            spec = replace(
                source.spec(),
                name=request.name or f"Copy of {source.name}",
                description=source.description
                if request.description is None
                else request.description,
                start_time=request.start_time or source.start_time,
                end_time=request.end_time or source.end_time,
                tags=source.tags if request.tags is None else tuple(request.tags),
                evaluation_group_id=request.evaluation_group_id,
                active_ruleset_id=None,
                linked_store_ids=(),
                campaign_groups=(),
            )
            now = self._clock.now()
            for target in request.application_ids:
                copy = self._add(uow, target, spec)
                if ruleset is not None:
                    copied = uow.rulesets.add(copy.id, ruleset, now=now, activated=True)
                    activated = replace(copy.spec(), active_ruleset_id=copied.id)
                    copy = uow.campaigns.update(target, copy.id, activated, now=now) or copy
                copies.append(copy)
            uow.commit()
        return copies

    def _add(self, uow: UnitOfWork, application_id: int, spec: CampaignSpec) -> Campaign:
        """Validate ``spec`` for the application and store it at the end of its group (the
        application's default group, or the base group, when it names none)."""
        application = require_application(uow, application_id)
        validate_campaign(spec, case_sensitivity=application.case_sensitivity)
        groups = ensure_groups(uow, application_id)
        if spec.evaluation_group_id is None:
            default = application.default_evaluation_group_id
            known = {group.id for group in groups}
            group_id = default if default in known else base_group(groups).id
            spec = replace(spec, evaluation_group_id=group_id)
        else:
            require_group(groups, spec.evaluation_group_id, "/evaluationGroupId")
        problems = _reference_problems(uow, application_id, spec)
        if problems:
            raise InvalidInput(problems)
        campaign = uow.campaigns.add(application_id, spec, now=self._clock.now())
        assert campaign.evaluation_group_id is not None
        place_at_end(uow, application_id, campaign.id, campaign.evaluation_group_id)
        return campaign

    def get(
        self, principal: ManagementPrincipal, application_id: int, campaign_id: int
    ) -> Campaign:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            return with_counters(uow, [require_campaign(uow, application_id, campaign_id)])[0]

    def list(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        page: PageRequest,
        filter: CampaignFilter,
    ) -> Page[Campaign]:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_application(uow, application_id)
            found = uow.campaigns.list(application_id, page, filter, now=self._clock.now())
            return replace(found, items=with_counters(uow, found.items))

    def update(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        spec: CampaignSpec,
    ) -> Campaign:
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            current = require_campaign(uow, application_id, campaign_id)
            application = require_application(uow, application_id)
            validate_campaign(spec, case_sensitivity=application.case_sensitivity)
            groups = ensure_groups(uow, application_id)
            group_id = spec.evaluation_group_id or current.evaluation_group_id
            if group_id is None:
                group_id = base_group(groups).id
            require_group(groups, group_id, "/evaluationGroupId")
            spec = replace(spec, evaluation_group_id=group_id)
            problems = _reference_problems(uow, application_id, spec)
            now = self._clock.now()
            ruleset_id = spec.active_ruleset_id
            if ruleset_id is not None and uow.rulesets.get(campaign_id, ruleset_id) is None:
                problems.append(
                    Problem(
                        "invalid value",
                        f"ruleset {ruleset_id} is not a ruleset of campaign {campaign_id}",
                        "/activeRulesetId",
                    )
                )
            if problems:
                raise InvalidInput(problems)
            if ruleset_id is not None and ruleset_id != current.active_ruleset_id:
                uow.rulesets.mark_activated(campaign_id, ruleset_id, now=now)
            updated = uow.campaigns.update(application_id, campaign_id, spec, now=now)
            assert updated is not None, "the campaign was read in this transaction"
            if group_id != current.evaluation_group_id:
                place_at_end(uow, application_id, campaign_id, group_id)
            uow.commit()
        return updated

    def delete(self, principal: ManagementPrincipal, application_id: int, campaign_id: int) -> None:
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            if not uow.campaigns.delete(application_id, campaign_id):
                raise NotFound("campaign", campaign_id)
            uow.commit()


class RulesetService:
    """Rulesets are checked and compiled against the rule vocabulary when saved, and never
    change afterwards: a new revision is a new ruleset, activated on its campaign."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        spec: RulesetSpec,
    ) -> Ruleset:
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            campaign = require_campaign(uow, application_id, campaign_id)
            compile_ruleset(spec, vocabulary_of(uow, application_id), RULE_SCHEMA)
            now = self._clock.now()
            ruleset = uow.rulesets.add(campaign_id, spec, now=now, activated=spec.activate)
            if spec.activate:
                activated = replace(campaign.spec(), active_ruleset_id=ruleset.id)
                uow.campaigns.update(application_id, campaign_id, activated, now=now)
            uow.commit()
        return ruleset

    def get(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        ruleset_id: int,
    ) -> Ruleset:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_campaign(uow, application_id, campaign_id)
            ruleset = uow.rulesets.get(campaign_id, ruleset_id)
        if ruleset is None:
            raise NotFound("ruleset", ruleset_id)
        return ruleset

    def list(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        page: PageRequest,
    ) -> Page[Ruleset]:
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_campaign(uow, application_id, campaign_id)
            return uow.rulesets.list(campaign_id, page)


def _reference_problems(uow: UnitOfWork, application_id: int, spec: CampaignSpec) -> list[Problem]:
    """Linked stores must be the application's; campaign groups (access groups of Talon.One's
    users) do not exist in perks, so any is unknown."""
    known = uow.stores.known_ids(application_id, spec.linked_store_ids)
    problems = [
        Problem("invalid value", f"store {store_id} not found", f"/linkedStoreIds/{index}")
        for index, store_id in enumerate(spec.linked_store_ids)
        if store_id not in known
    ]
    problems += [
        Problem("invalid value", f"campaign group {group} not found", f"/campaignGroups/{index}")
        for index, group in enumerate(spec.campaign_groups)
    ]
    return problems
