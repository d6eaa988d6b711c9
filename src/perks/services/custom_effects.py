"""Use cases of custom effects (account-wide definitions the rules of some applications call),
and the rule vocabulary of an application."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache

from perks.domain.custom_effects import CustomEffect
from perks.domain.errors import Conflict, InvalidInput, NotFound, Problem
from perks.domain.pages import Page, PageRequest
from perks.domain.rulesets import RulesetSpec, check_ruleset
from perks.domain.vocabulary import RULE_SCHEMA, CustomEffectDefinition, rules_registry
from perks.services.ports import CampaignFilter, Clock, UnitOfWork, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal
from perks.talang import FunctionRegistry

__all__ = [
    "CUSTOM_EFFECT_SORT_FIELDS",
    "CustomEffectService",
    "vocabulary_of",
    "vocabulary_with_key",
]

CUSTOM_EFFECT_SORT_FIELDS = ("id", "name", "created", "modified")
_VOCABULARIES = 64  # distinct sets of custom effects whose registries are kept
_ALL_CAMPAIGNS = 1_000_000
_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)  # the list's time only matters to state filters


@lru_cache(maxsize=_VOCABULARIES)
def _registry(definitions: tuple[CustomEffectDefinition, ...]) -> FunctionRegistry:
    return rules_registry(definitions)


def vocabulary_of(uow: UnitOfWork, application_id: int) -> FunctionRegistry:
    """The rule registry of an application: the core vocabulary and its custom effects (built
    once per distinct set of definitions)."""
    return vocabulary_with_key(uow, application_id)[1]


def vocabulary_with_key(
    uow: UnitOfWork, application_id: int
) -> tuple[tuple[CustomEffectDefinition, ...], FunctionRegistry]:
    """The application's custom effect definitions (what its registry depends on, usable as a
    cache key) and its registry."""
    definitions = tuple(uow.custom_effects.for_application(application_id))
    return definitions, _registry(definitions)


class CustomEffectService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def create(
        self,
        principal: ManagementPrincipal,
        definition: CustomEffectDefinition,
        application_ids: tuple[int, ...],
    ) -> CustomEffect:
        _require_applications(principal, application_ids)
        with self._uow(write=True) as uow:
            _check(uow, definition, application_ids, current_id=None)
            effect = uow.custom_effects.add(definition, application_ids, now=self._clock.now())
            uow.commit()
        return effect

    def get(self, principal: ManagementPrincipal, custom_effect_id: int) -> CustomEffect:
        with self._uow(write=False) as uow:
            effect = uow.custom_effects.get(custom_effect_id)
        if effect is None or not _visible(principal, effect):
            raise NotFound("custom effect", custom_effect_id)
        return effect

    def list(self, principal: ManagementPrincipal, page: PageRequest) -> Page[CustomEffect]:
        with self._uow(write=False) as uow:
            found = uow.custom_effects.list(page)
        if principal.allowed_application_ids is None:
            return found
        visible = [effect for effect in found.items if _visible(principal, effect)]
        return Page(items=visible, total=len(visible))

    def update(
        self,
        principal: ManagementPrincipal,
        custom_effect_id: int,
        definition: CustomEffectDefinition,
        application_ids: tuple[int, ...],
    ) -> CustomEffect:
        _require_applications(principal, application_ids)
        with self._uow(write=True) as uow:
            current = uow.custom_effects.get(custom_effect_id)
            if current is None or not _visible(principal, current):
                raise NotFound("custom effect", custom_effect_id)
            _check(uow, definition, application_ids, current_id=custom_effect_id)
            _require_rulesets_still_check(
                uow,
                current,
                replacement=(replace(definition, id=custom_effect_id), application_ids),
            )
            updated = uow.custom_effects.update(
                custom_effect_id,
                replace(definition, id=custom_effect_id),
                application_ids,
                now=self._clock.now(),
            )
            assert updated is not None, "the custom effect was read in this transaction"
            uow.commit()
        return updated

    def delete(self, principal: ManagementPrincipal, custom_effect_id: int) -> None:
        """Refused (409) while an active ruleset calls it."""
        with self._uow(write=True) as uow:
            current = uow.custom_effects.get(custom_effect_id)
            if current is None or not _visible(principal, current):
                raise NotFound("custom effect", custom_effect_id)
            _require_applications(principal, current.application_ids)
            _require_rulesets_still_check(uow, current, replacement=None)
            uow.custom_effects.delete(custom_effect_id)
            uow.commit()


def _require_rulesets_still_check(
    uow: UnitOfWork,
    current: CustomEffect,
    *,
    replacement: tuple[CustomEffectDefinition, tuple[int, ...]] | None,
) -> None:
    """Every active ruleset of the applications the effect serves (before and after) must
    still check once it is changed (or deleted: ``replacement`` None); else 409 naming them."""
    affected = set(current.application_ids) | set(replacement[1] if replacement else ())
    broken: list[str] = []
    for application_id in sorted(affected):
        definitions = [
            d for d in uow.custom_effects.for_application(application_id) if d.id != current.id
        ]
        if replacement is not None and application_id in replacement[1]:
            definitions.append(replacement[0])
        registry = _registry(tuple(sorted(definitions, key=lambda d: d.id)))
        broken += [
            f"campaign {campaign_id} of application {application_id}"
            for campaign_id, spec in active_rulesets(uow, application_id)
            if check_ruleset(spec, registry, RULE_SCHEMA)
        ]
    if broken:
        action = "changed so" if replacement else "deleted while"
        raise Conflict(
            f"custom effect {current.definition.name!r} cannot be {action} the active rulesets "
            f"of {', '.join(broken)} call it: change those rulesets first"
        )


def active_rulesets(uow: UnitOfWork, application_id: int) -> list[tuple[int, RulesetSpec]]:
    """(campaign id, active ruleset) of each campaign of the application that has one."""
    campaigns = uow.campaigns.list(
        application_id, PageRequest(page_size=_ALL_CAMPAIGNS), CampaignFilter(), now=_NO_TIME
    )
    found: list[tuple[int, RulesetSpec]] = []
    for campaign in campaigns.items:
        if campaign.active_ruleset_id is None:
            continue
        ruleset = uow.rulesets.get(campaign.id, campaign.active_ruleset_id)
        if ruleset is not None:
            found.append((campaign.id, ruleset))
    return found


def _require_applications(principal: ManagementPrincipal, application_ids: Sequence[int]) -> None:
    for application_id in application_ids:
        principal.require_application(application_id)


def _visible(principal: ManagementPrincipal, effect: CustomEffect) -> bool:
    return any(principal.may_access(app) for app in effect.application_ids)


def _check(
    uow: UnitOfWork,
    definition: CustomEffectDefinition,
    application_ids: Sequence[int],
    *,
    current_id: int | None,
) -> None:
    same_name = uow.custom_effects.find_by_name(definition.name)
    if same_name is not None and same_name.id != current_id:
        raise Conflict(f"a custom effect named {definition.name!r} exists", pointer="/name")
    problems = [
        Problem("invalid value", f"application {app} not found", f"/applicationIds/{index}")
        for index, app in enumerate(application_ids)
        if uow.applications.get(app) is None
    ]
    if len(set(application_ids)) != len(application_ids):
        problems.append(
            Problem("invalid value", "an application is listed twice", "/applicationIds")
        )
    if problems:
        raise InvalidInput(problems)
