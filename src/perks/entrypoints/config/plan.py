"""The plan: what applying configuration documents would create, change or delete.

Documents are compared with what is stored, both written in the files' own form (defaults
left out, names for ids), so a second apply of the same files finds nothing to do. Every
problem of the files (a document that does not fit its kind, a name used twice, a reference to
nothing, a campaign or ruleset the services would refuse) is found before anything is
written; what is not in the files is left alone unless ``prune`` is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import TypeVar

import msgspec

from perks.bootstrap import Services
from perks.domain.applications import Application, validate_application_spec
from perks.domain.vocabulary import rules_registry
from perks.entrypoints.config import steps
from perks.entrypoints.config.campaign_plan import CampaignPlanning
from perks.entrypoints.config.differences import differences
from perks.entrypoints.config.documents import (
    AdditionalCostDocument,
    ApplicationDocument,
    AttributeDocument,
    CustomEffectDocument,
)
from perks.entrypoints.config.files import Located, to_plain
from perks.entrypoints.config.planning import Desired, Plan, references, unique
from perks.entrypoints.config.state import (
    ApplicationState,
    additional_cost_document,
    application_document,
    attribute_document,
    custom_effect_document,
    read_account,
    read_application,
)
from perks.entrypoints.config.steps import Action, Step
from perks.entrypoints.config.tree_plan import TreePlanning
from perks.entrypoints.config.trees import nodes

__all__ = ["Plan", "make_plan"]

T = TypeVar("T")
K = TypeVar("K")


def make_plan(services: Services, located: Sequence[Located], *, prune: bool = False) -> Plan:
    plan = Plan()
    desired = Desired.collect(located, plan.problems)
    account = read_account(services)
    _Planner(services, desired, account, plan, prune=prune).run()
    if plan.problems:
        plan.steps.clear()
    return plan


class _Planner(CampaignPlanning, TreePlanning):
    def run(self) -> None:
        self._applications()
        names = self.account.names()
        self._attributes(names)
        self._additional_costs(names)
        self._custom_effects(names)
        for application in sorted({app for app, _ in self.desired.campaigns}):
            self._campaigns(application)
        for application in sorted(self.desired.campaign_sets):
            self._tree(application)
        self._prune_campaigns()

    def _applications(self) -> None:
        stored, ambiguous = unique(self.account.applications, lambda a: a.name)
        for name in sorted(self.desired.application_names()):
            item = self.desired.applications.get(name)
            where = item.source if item else self._first_reference(name)
            if name in ambiguous:
                self.problem(where, f"{len(ambiguous)} stored applications are named {name!r}")
                continue
            current = stored.get(name)
            if current is None and item is None:
                self.problem(where, f"application {name!r} is neither in the files nor stored")
                continue
            if current is not None:
                self.plan.ids.applications[name] = current.id
                self.stored[name] = read_application(self.services, current, coupons=False)
                self._known_ids(name, self.stored[name])
            if item is not None:
                assert isinstance(item.document, ApplicationDocument)
                self._application(item, item.document, current)

    def _first_reference(self, name: str) -> str:
        for item in self.desired.everything():
            if name in references(item.document):
                return item.source
        return "(files)"

    def _known_ids(self, name: str, state: ApplicationState) -> None:
        ids = self.plan.ids
        for campaign in state.campaigns:
            ids.campaigns[(name, campaign.campaign.name)] = campaign.campaign.id
        for store in state.stores:
            ids.stores[(name, store.integration_id)] = store.id
        ids.base_groups[name] = state.tree.group.id
        for node in nodes(state.tree)[1:]:
            ids.groups[(name, node.group.name)] = node.group.id

    def _application(
        self, item: Located, document: ApplicationDocument, current: Application | None
    ) -> None:
        subject = f"application {document.name!r}"
        spec = steps.application_spec(document)
        if not self._valid(item.source, lambda: validate_application_spec(spec)):
            return
        if current is None:
            self.add(
                Step(Action.CREATE, subject, steps.CreateApplication(document), (), item.source)
            )
            return
        before = application_document(current)
        details = differences(to_plain(before), to_plain(document))
        if details:
            step = steps.UpdateApplication(document)
            self.add(Step(Action.CHANGE, subject, step, details, item.source))

    def _attributes(self, names: Mapping[int, str]) -> None:
        stored = {(str(a.entity), a.name): a for a in self.account.attributes}
        for key, item in sorted(self.desired.attributes.items()):
            assert isinstance(item.document, AttributeDocument)
            document = _sorted_subscriptions(item.document)
            current = stored.get(key)
            self._definition(
                item,
                f"attribute {key[0]}.{key[1]}",
                None if current is None else attribute_document(current, names),
                partial(steps.SaveAttribute, document, None if current is None else current.id),
            )

    def _additional_costs(self, names: Mapping[int, str]) -> None:
        stored = {cost.name: cost for cost in self.account.additional_costs}
        for key, item in sorted(self.desired.additional_costs.items()):
            assert isinstance(item.document, AdditionalCostDocument)
            document = _sorted_subscriptions(item.document)
            current = stored.get(key)
            self._definition(
                item,
                f"additional cost {key!r}",
                None if current is None else additional_cost_document(current, names),
                partial(
                    steps.SaveAdditionalCost, document, None if current is None else current.id
                ),
            )

    def _custom_effects(self, names: Mapping[int, str]) -> None:
        stored = {effect.definition.name: effect for effect in self.account.custom_effects}
        for key, item in sorted(self.desired.custom_effects.items()):
            assert isinstance(item.document, CustomEffectDocument)
            document = item.document
            document.applications = sorted(document.applications)
            definition = steps.custom_effect_definition(document)
            if not self._valid(item.source, partial(rules_registry, (definition,))):
                continue
            current = stored.get(key)
            self._definition(
                item,
                f"custom effect {key!r}",
                None if current is None else custom_effect_document(current, names),
                partial(steps.SaveCustomEffect, document, None if current is None else current.id),
            )

    def _definition(
        self,
        item: Located,
        subject: str,
        stored: msgspec.Struct | None,
        save: Callable[[], steps.Run],
    ) -> None:
        """Create an account-wide definition the files add, change one they change."""
        if stored is None:
            self.add(Step(Action.CREATE, subject, save(), (), item.source))
            return
        details = differences(to_plain(stored), to_plain(item.document))
        if details:
            self.add(Step(Action.CHANGE, subject, save(), details, item.source))

    def _prune_campaigns(self) -> None:
        for application in sorted(self.desired.applications):
            state = self.stored.get(application)
            if state is None:
                continue
            for current in state.campaigns:
                name = current.campaign.name
                if (application, name) in self.desired.campaigns:
                    continue
                subject = f"campaign {name!r} of {application!r}"
                if self.prune:
                    run = steps.DeleteCampaign(application, current.campaign.id)
                    position = self._tree_start(application)
                    self.plan.steps.insert(position, Step(Action.DELETE, subject, run))
                else:
                    self.plan.kept.append(subject)


def _sorted_subscriptions(document: T) -> T:
    names = getattr(document, "subscribed_applications", None)
    if names is not None:
        document.subscribed_applications = sorted(names)  # type: ignore[attr-defined]
    return document
