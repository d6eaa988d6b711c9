"""The plan: what applying configuration documents would create, change or delete.

Documents are compared with what is stored, both written in the files' own form (defaults
left out, names for ids), so a second apply of the same files finds nothing to do. Every
problem of the files (a document that does not fit its kind, a name used twice, a reference to
nothing, a campaign or ruleset the services would refuse) is found before anything is
written; what is not in the files is left alone unless ``prune`` is asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import msgspec

from perks.bootstrap import Services
from perks.domain.applications import Application, CaseSensitivity, validate_application_spec
from perks.domain.campaigns import validate_campaign
from perks.domain.coupon_codes import normalized_code
from perks.domain.errors import InvalidInput
from perks.domain.evaluation_groups import BASE_GROUP_NAME
from perks.domain.rulesets import check_ruleset
from perks.domain.vocabulary import RULE_SCHEMA, CustomEffectDefinition, rules_registry
from perks.entrypoints.config import steps
from perks.entrypoints.config.differences import differences, preview
from perks.entrypoints.config.documents import (
    AdditionalCostDocument,
    ApplicationDocument,
    AttributeDocument,
    CampaignDocument,
    CampaignSetDocument,
    CustomEffectDocument,
    Document,
    SetBranch,
    SetLeaf,
)
from perks.entrypoints.config.files import FileProblem, Located, to_plain
from perks.entrypoints.config.state import (
    AccountState,
    ApplicationState,
    CampaignState,
    additional_cost_document,
    application_document,
    attribute_document,
    branch_of,
    campaign_document,
    coupon_document,
    custom_effect_document,
    read_account,
    read_application,
    ruleset_document,
)
from perks.entrypoints.config.steps import Action, Ids, Step
from perks.entrypoints.config.trees import branches, nodes, project, settings, shape
from perks.services.coupons import NamedCoupon, named_coupon_problems

__all__ = ["Plan", "make_plan"]

T = TypeVar("T")
K = TypeVar("K")


@dataclass(slots=True)
class Plan:
    steps: list[Step] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    ids: Ids = field(default_factory=Ids)
    kept: list[str] = field(default_factory=list)  # stored, not in the files, not pruned

    def count(self, action: Action) -> int:
        return sum(1 for step in self.steps if step.action is action and step.subject)


def make_plan(services: Services, located: Sequence[Located], *, prune: bool = False) -> Plan:
    plan = Plan()
    desired = _Desired.collect(located, plan.problems)
    account = read_account(services)
    _Planner(services, desired, account, plan, prune=prune).run()
    if plan.problems:
        plan.steps.clear()
    return plan


@dataclass(slots=True)
class _Desired:
    applications: dict[str, Located] = field(default_factory=dict)
    attributes: dict[tuple[str, str], Located] = field(default_factory=dict)
    additional_costs: dict[str, Located] = field(default_factory=dict)
    custom_effects: dict[str, Located] = field(default_factory=dict)
    campaign_sets: dict[str, Located] = field(default_factory=dict)
    campaigns: dict[tuple[str, str], Located] = field(default_factory=dict)

    @classmethod
    def collect(cls, located: Iterable[Located], problems: list[FileProblem]) -> _Desired:
        desired = cls()
        for item in located:
            table, key, what = desired._slot(item)
            if key in table:
                problems.append(
                    FileProblem(item.source, f"{what} is also defined at {table[key].source}")
                )
            else:
                table[key] = item
        return desired

    def _slot(self, item: Located) -> tuple[dict[Any, Located], Any, str]:
        document = item.document
        if isinstance(document, ApplicationDocument):
            return self.applications, document.name, f"application {document.name!r}"
        if isinstance(document, AttributeDocument):
            key = (str(document.entity), document.name)
            return self.attributes, key, f"attribute {key[0]}.{key[1]}"
        if isinstance(document, AdditionalCostDocument):
            return self.additional_costs, document.name, f"additional cost {document.name!r}"
        if isinstance(document, CustomEffectDocument):
            return self.custom_effects, document.name, f"custom effect {document.name!r}"
        if isinstance(document, CampaignSetDocument):
            what = f"the evaluation tree of {document.application!r}"
            return self.campaign_sets, document.application, what
        key = (document.application, document.name)
        return self.campaigns, key, f"campaign {key[1]!r} of {key[0]!r}"

    def application_names(self) -> set[str]:
        names = set(self.applications)
        names |= {application for application, _ in self.campaigns}
        names |= set(self.campaign_sets)
        for item in [*self.attributes.values(), *self.additional_costs.values()]:
            assert isinstance(item.document, AttributeDocument | AdditionalCostDocument)
            names |= set(item.document.subscribed_applications or ())
        for item in self.custom_effects.values():
            assert isinstance(item.document, CustomEffectDocument)
            names |= set(item.document.applications)
        return names


def _unique(items: Iterable[T], key: Callable[[T], K]) -> tuple[dict[K, T], set[K]]:
    """Items by key, and the keys more than one item has (ambiguous names)."""
    counts = Counter(key(item) for item in items)
    return {key(item): item for item in items}, {k for k, n in counts.items() if n > 1}


class _Planner:
    def __init__(
        self,
        services: Services,
        desired: _Desired,
        account: AccountState,
        plan: Plan,
        *,
        prune: bool,
    ) -> None:
        self.services = services
        self.desired = desired
        self.account = account
        self.plan = plan
        self.prune = prune
        self.stored: dict[str, ApplicationState] = {}

    def problem(self, where: str, details: str) -> None:
        self.plan.problems.append(FileProblem(where, details))

    def add(self, step: Step) -> None:
        self.plan.steps.append(step)

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

    # Applications.

    def _applications(self) -> None:
        stored, ambiguous = _unique(self.account.applications, lambda a: a.name)
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
                self.stored[name] = read_application(self.services, current)
                self._known_ids(name, self.stored[name])
            if item is not None:
                assert isinstance(item.document, ApplicationDocument)
                self._application(item, item.document, current)

    def _first_reference(self, name: str) -> str:
        for table in (self.desired.campaigns, self.desired.campaign_sets):
            for key, item in table.items():
                if name in (key if isinstance(key, tuple) else (key,)):
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

    # Account-wide definitions.

    def _attributes(self, names: Mapping[int, str]) -> None:
        stored = {(str(a.entity), a.name): a for a in self.account.attributes}
        for key, item in sorted(self.desired.attributes.items()):
            assert isinstance(item.document, AttributeDocument)
            document = _sorted_subscriptions(item.document)
            current = stored.get(key)
            subject = f"attribute {key[0]}.{key[1]}"
            if current is None:
                run = steps.SaveAttribute(document, None)
                self.add(Step(Action.CREATE, subject, run, (), item.source))
                continue
            details = differences(to_plain(attribute_document(current, names)), to_plain(document))
            if details:
                run = steps.SaveAttribute(document, current.id)
                self.add(Step(Action.CHANGE, subject, run, details, item.source))

    def _additional_costs(self, names: Mapping[int, str]) -> None:
        stored = {cost.name: cost for cost in self.account.additional_costs}
        for key, item in sorted(self.desired.additional_costs.items()):
            assert isinstance(item.document, AdditionalCostDocument)
            document = _sorted_subscriptions(item.document)
            current = stored.get(key)
            subject = f"additional cost {key!r}"
            if current is None:
                run = steps.SaveAdditionalCost(document, None)
                self.add(Step(Action.CREATE, subject, run, (), item.source))
                continue
            details = differences(
                to_plain(additional_cost_document(current, names)), to_plain(document)
            )
            if details:
                run = steps.SaveAdditionalCost(document, current.id)
                self.add(Step(Action.CHANGE, subject, run, details, item.source))

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
            subject = f"custom effect {key!r}"
            if current is None:
                run = steps.SaveCustomEffect(document, None)
                self.add(Step(Action.CREATE, subject, run, (), item.source))
                continue
            details = differences(
                to_plain(custom_effect_document(current, names)), to_plain(document)
            )
            if details:
                run = steps.SaveCustomEffect(document, current.id)
                self.add(Step(Action.CHANGE, subject, run, details, item.source))

    # Campaigns, rulesets, coupons.

    def _campaigns(self, application: str) -> None:
        if application not in self.plan.ids.applications and (
            application not in self.desired.applications
        ):
            return  # reported with the applications
        state = self.stored.get(application)
        stored, ambiguous = _unique(state.campaigns if state else [], lambda c: c.campaign.name)
        registry = self._registry(application)
        sensitivity = self._case_sensitivity(application)
        for (app, name), item in sorted(self.desired.campaigns.items()):
            if app != application:
                continue
            assert isinstance(item.document, CampaignDocument)
            if name in ambiguous:
                self.problem(item.source, f"several stored campaigns of {app!r} are named {name!r}")
                continue
            self._campaign(item, item.document, stored.get(name), registry, sensitivity)

    def _campaign(
        self,
        item: Located,
        document: CampaignDocument,
        current: CampaignState | None,
        registry: Any,
        sensitivity: CaseSensitivity,
    ) -> None:
        application = document.application
        known_stores = {store for (app, store) in self.plan.ids.stores if app == application}
        for index, store in enumerate(document.linked_stores):
            if store not in known_stores:
                self.problem(
                    f"{item.source}/linkedStores/{index}",
                    f"store {store!r} is not a store of {application!r}",
                )
        spec = steps.campaign_spec(document, dict.fromkeys(document.linked_stores, 0))
        ok = self._valid(item.source, lambda: validate_campaign(spec, case_sensitivity=sensitivity))
        if document.ruleset is not None:
            ruleset = steps.ruleset_spec(document.ruleset)
            problems = check_ruleset(ruleset, registry, RULE_SCHEMA)
            for problem in problems:
                self.problem(f"{item.source}/ruleset{problem.location}", problem.details)
            ok = ok and not problems
        ok = self._coupons_valid(item, document, sensitivity) and ok
        if not ok:
            return
        subject = f"campaign {document.name!r} of {application!r}"
        bare = _without_children(document)
        if current is None:
            create = steps.CreateCampaign(bare)
            self.add(Step(Action.CREATE, subject, create, (), item.source))
        else:
            store_names = {
                number: store
                for (app, store), number in self.plan.ids.stores.items()
                if app == application
            }
            before = _without_children(campaign_document(current, application, store_names))
            details = differences(to_plain(before), to_plain(bare))
            if details:
                run = steps.UpdateCampaign(bare)
                self.add(Step(Action.CHANGE, subject, run, details, item.source))
        self._ruleset(item, document, current)
        self._coupons(item, document, current, sensitivity)

    def _ruleset(
        self, item: Located, document: CampaignDocument, current: CampaignState | None
    ) -> None:
        wanted = document.ruleset
        if wanted is None:
            return
        existing = None
        if current is not None and current.ruleset is not None:
            existing = ruleset_document(current.ruleset)
        if existing is not None and to_plain(existing) == to_plain(wanted):
            return
        subject = f"ruleset of campaign {document.name!r} of {document.application!r}"
        action = Action.CREATE if existing is None else Action.CHANGE
        details = (
            (f"{len(wanted.rules)} rule(s), activated",)
            if existing is None
            else ("a new revision, activated", *differences(to_plain(existing), to_plain(wanted)))
        )
        run = steps.ActivateRuleset(document.application, document.name, wanted)
        self.add(Step(action, subject, run, details, item.source))

    def _coupons_valid(
        self, item: Located, document: CampaignDocument, sensitivity: CaseSensitivity
    ) -> bool:
        ok = True
        seen: dict[str, int] = {}
        for index, coupon in enumerate(document.coupons):
            where = f"{item.source}/coupons/{index}"
            code = normalized_code(coupon.value, sensitivity)
            if code in seen:
                self.problem(f"{where}/value", f"the code is also at /coupons/{seen[code]}")
                ok = False
            seen[code] = index
            named = NamedCoupon(coupon.value, steps.coupon_properties(coupon))
            for problem in named_coupon_problems(named):
                self.problem(f"{where}{problem.location}", problem.details)
                ok = False
        return ok

    def _coupons(
        self,
        item: Located,
        document: CampaignDocument,
        current: CampaignState | None,
        sensitivity: CaseSensitivity,
    ) -> None:
        app, name = document.application, document.name
        stored = {
            normalized_code(c.value, sensitivity): c for c in (current.coupons if current else [])
        }
        wanted = {normalized_code(c.value, sensitivity): c for c in document.coupons}
        new = tuple(c for code, c in wanted.items() if code not in stored)
        if new:
            subject = f"{len(new)} coupon(s) of campaign {name!r} of {app!r}"
            codes = preview(c.value for c in new)
            run: steps.Run = steps.CreateCoupons(app, name, new)
            self.add(Step(Action.CREATE, subject, run, (codes,), item.source))
        for code, coupon in wanted.items():
            if code not in stored:
                continue
            before = coupon_document(stored[code])
            before.value = coupon.value
            details = differences(to_plain(before), to_plain(coupon))
            if details:
                subject = f"coupon {coupon.value!r} of campaign {name!r} of {app!r}"
                run = steps.UpdateCoupon(app, name, stored[code].id, coupon)
                self.add(Step(Action.CHANGE, subject, run, details, item.source))
        gone = [c for code, c in stored.items() if code not in wanted]
        if not gone:
            return
        subject = f"{len(gone)} coupon(s) of campaign {name!r} of {app!r}"
        if self.prune:
            run = steps.DeleteCoupons(app, name, tuple(c.id for c in gone))
            details = (preview(c.value for c in gone),)
            self.add(Step(Action.DELETE, subject, run, details, item.source))
        else:
            self.plan.kept.append(subject)

    def _registry(self, application: str) -> Any:
        """The rule vocabulary the application will have: its custom effects as the files
        define them, and the stored ones the files do not redefine."""
        definitions: dict[str, CustomEffectDefinition] = {}
        application_id = self.plan.ids.applications.get(application)
        for effect in self.account.custom_effects:
            if application_id in effect.application_ids:
                definitions[effect.definition.name] = effect.definition
        for name, item in self.desired.custom_effects.items():
            assert isinstance(item.document, CustomEffectDocument)
            definitions.pop(name, None)
            if application in item.document.applications:
                definitions[name] = steps.custom_effect_definition(item.document)
        try:
            return rules_registry(tuple(definitions.values()))
        except InvalidInput:
            return rules_registry(())  # the clash is reported with the custom effects

    def _case_sensitivity(self, application: str) -> CaseSensitivity:
        item = self.desired.applications.get(application)
        if item is not None:
            assert isinstance(item.document, ApplicationDocument)
            return item.document.case_sensitivity
        return self.stored[application].application.case_sensitivity

    # The evaluation tree.

    def _tree(self, application: str) -> None:
        item = self.desired.campaign_sets[application]
        assert isinstance(item.document, CampaignSetDocument)
        if application not in self.plan.ids.applications and (
            application not in self.desired.applications
        ):
            return
        state = self.stored.get(application)
        wanted = item.document.set
        if not self._tree_valid(item, application, wanted, state):
            return
        stored_groups = {node.group.name: node for node in nodes(state.tree)[1:]} if state else {}
        base = state.tree if state else None
        changed = False
        for branch, parent, pointer in branches(wanted):
            is_base = pointer == "/set"
            node = base if is_base else stored_groups.get(branch.name)
            subject = (
                f"base evaluation group of {application!r}"
                if is_base
                else f"evaluation group {branch.name!r} of {application!r}"
            )
            group_id = node.group.id if node else None
            save = steps.SaveGroup(application, branch, parent, group_id, base=is_base)
            where = f"{item.source}{pointer}"
            if node is None and not is_base:
                self.add(Step(Action.CREATE, subject, save, (), where))
                changed = True
                continue
            before = settings(branch_of(node, {})) if node else SetBranch(name=BASE_GROUP_NAME)
            details = differences(to_plain(before), to_plain(settings(branch)))
            if details:
                self.add(Step(Action.CHANGE, subject, save, details, where))
                changed = True
        projected = project(state, wanted) if state else None
        if projected is None or to_plain(projected) != to_plain(shape(wanted)):
            details = tuple(
                differences(
                    {"set": to_plain(projected) if projected else None},
                    {"set": to_plain(shape(wanted))},
                )
            )
            arrange = steps.Arrange(application, wanted)
            subject = f"evaluation tree of {application!r}"
            self.add(Step(Action.CHANGE, subject, arrange, details, item.source))
            changed = True
        locked = tuple(branch.name for branch, _, _ in branches(wanted) if branch.locked)
        if changed:
            stored_locked = (
                tuple(node.group.name for node in nodes(state.tree) if node.group.locked)
                if state
                else ()
            )
            unlock = steps.SetLocks(application, stored_locked, locked=False)
            self.plan.steps.insert(self._tree_start(application), Step(Action.CHANGE, "", unlock))
            self.add(Step(Action.CHANGE, "", steps.SetLocks(application, locked, locked=True)))
        self._prune_groups(application, wanted, state)

    def _tree_start(self, application: str) -> int:
        for index, step in enumerate(self.plan.steps):
            if isinstance(step.run, steps.SaveGroup | steps.Arrange) and (
                step.run.application == application
            ):
                return index
        return len(self.plan.steps)

    def _tree_valid(
        self,
        item: Located,
        application: str,
        wanted: SetBranch,
        state: ApplicationState | None,
    ) -> bool:
        ok = True
        groups: dict[str, str] = {}
        campaigns: dict[str, str] = {}
        known = {name for app, name in self.desired.campaigns if app == application}
        pruned = self.prune and application in self.desired.applications
        if state is not None and not pruned:
            known |= {c.campaign.name for c in state.campaigns}
        for branch, _parent, pointer in branches(wanted):
            if pointer != "/set":
                if branch.name in groups:
                    self.problem(
                        f"{item.source}{pointer}/name",
                        f"the group is also at {groups[branch.name]}",
                    )
                    ok = False
                groups[branch.name] = pointer
            for index, element in enumerate(branch.elements):
                if not isinstance(element, SetLeaf):
                    continue
                at = f"{pointer}/elements/{index}"
                if element.campaign in campaigns:
                    self.problem(
                        f"{item.source}{at}/campaign",
                        f"the campaign is also at {campaigns[element.campaign]}",
                    )
                    ok = False
                elif element.campaign not in known:
                    self.problem(
                        f"{item.source}{at}/campaign",
                        f"campaign {element.campaign!r} is neither in the files nor stored",
                    )
                    ok = False
                campaigns[element.campaign] = at
        return ok

    def _prune_groups(
        self, application: str, wanted: SetBranch, state: ApplicationState | None
    ) -> None:
        if state is None:
            return
        named = {branch.name for branch, _, _ in branches(wanted)}
        gone = [node for node in reversed(nodes(state.tree)[1:]) if node.group.name not in named]
        for node in gone:
            subject = f"evaluation group {node.group.name!r} of {application!r}"
            if self.prune:
                run = steps.DeleteGroup(application, node.group.id)
                self.add(Step(Action.DELETE, subject, run))
            else:
                self.plan.kept.append(subject)

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

    def _valid(self, where: str, check: Callable[[], object]) -> bool:
        try:
            check()
        except InvalidInput as error:
            for problem in error.problems:
                self.problem(f"{where}{problem.location}", problem.details)
            return False
        return True


def _sorted_subscriptions(document: T) -> T:
    names = getattr(document, "subscribed_applications", None)
    if names is not None:
        document.subscribed_applications = sorted(names)  # type: ignore[attr-defined]
    return document


def _without_children(document: CampaignDocument) -> CampaignDocument:
    """The campaign's own fields: its ruleset and coupons are planned on their own."""
    plain = to_plain(document)
    plain.pop("ruleset", None)
    plain.pop("coupons", None)
    plain["linkedStores"] = sorted(plain.get("linkedStores", []))
    bare = msgspec.convert(plain, Document)
    assert isinstance(bare, CampaignDocument)
    return bare
