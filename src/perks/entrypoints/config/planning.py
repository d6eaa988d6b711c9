"""What planning shares: the plan, the documents by identity, and the checks' bookkeeping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from perks.bootstrap import Services
from perks.domain.applications import CaseSensitivity
from perks.domain.errors import InvalidInput
from perks.domain.vocabulary import CustomEffectDefinition, rules_registry
from perks.entrypoints.config import steps
from perks.entrypoints.config.documents import (
    AdditionalCostDocument,
    ApplicationDocument,
    AttributeDocument,
    CampaignSetDocument,
    CustomEffectDocument,
    Document,
    SessionTestDocument,
)
from perks.entrypoints.config.files import FileProblem, Located
from perks.entrypoints.config.state import (
    AccountState,
    ApplicationState,
)
from perks.entrypoints.config.steps import Action, Ids, Step

__all__ = ["Desired", "Plan", "Planning", "references", "unique"]

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


_BY_NAME = (ApplicationDocument, AdditionalCostDocument, CustomEffectDocument)


@dataclass(slots=True)
class Desired:
    applications: dict[str, Located] = field(default_factory=dict)
    attributes: dict[tuple[str, str], Located] = field(default_factory=dict)
    additional_costs: dict[str, Located] = field(default_factory=dict)
    custom_effects: dict[str, Located] = field(default_factory=dict)
    campaign_sets: dict[str, Located] = field(default_factory=dict)
    campaigns: dict[tuple[str, str], Located] = field(default_factory=dict)
    # Golden carts: read by ``perks test``, never planned.
    session_tests: dict[tuple[str, str], Located] = field(default_factory=dict)

    @classmethod
    def collect(cls, located: Iterable[Located], problems: list[FileProblem]) -> Desired:
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
        if isinstance(document, AttributeDocument):
            key = (str(document.entity), document.name)
            return self.attributes, key, f"attribute {key[0]}.{key[1]}"
        if isinstance(document, CampaignSetDocument):
            what = f"the evaluation tree of {document.application!r}"
            return self.campaign_sets, document.application, what
        if isinstance(document, SessionTestDocument):
            key = (document.application, document.name)
            return self.session_tests, key, f"session test {key[1]!r} of {key[0]!r}"
        if isinstance(
            document, ApplicationDocument | AdditionalCostDocument | CustomEffectDocument
        ):
            table, kind = {
                ApplicationDocument: (self.applications, "application"),
                AdditionalCostDocument: (self.additional_costs, "additional cost"),
                CustomEffectDocument: (self.custom_effects, "custom effect"),
            }[type(document)]
            return table, document.name, f"{kind} {document.name!r}"
        key = (document.application, document.name)
        return self.campaigns, key, f"campaign {key[1]!r} of {key[0]!r}"

    def everything(self) -> list[Located]:
        tables: list[dict[Any, Located]] = [
            self.applications,
            self.attributes,
            self.additional_costs,
            self.custom_effects,
            self.campaign_sets,
            self.campaigns,
        ]
        return sorted(
            (item for table in tables for item in table.values()),
            key=lambda item: (item.file, item.index),
        )

    def application_names(self) -> set[str]:
        return {name for item in self.everything() for name in references(item.document)}


def references(document: Document) -> tuple[str, ...]:
    """The applications a document names."""
    if isinstance(document, ApplicationDocument):
        return (document.name,)
    if isinstance(document, AttributeDocument | AdditionalCostDocument):
        return tuple(document.subscribed_applications or ())
    if isinstance(document, CustomEffectDocument):
        return tuple(document.applications)
    return (document.application,)


def unique(items: Iterable[T], key: Callable[[T], K]) -> tuple[dict[K, T], set[K]]:
    """Items by key, and the keys more than one item has (ambiguous names)."""
    counts = Counter(key(item) for item in items)
    return {key(item): item for item in items}, {k for k, n in counts.items() if n > 1}


class Planning:
    """The state a plan is made from, and how problems and steps are recorded."""

    def __init__(
        self,
        services: Services,
        desired: Desired,
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

    def _valid(self, where: str, check: Callable[[], object]) -> bool:
        try:
            check()
        except InvalidInput as error:
            for problem in error.problems:
                self.problem(f"{where}{problem.location}", problem.details)
            return False
        return True

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

    def _tree_start(self, application: str) -> int:
        for index, step in enumerate(self.plan.steps):
            if isinstance(step.run, steps.SaveGroup | steps.Arrange) and (
                step.run.application == application
            ):
                return index
        return len(self.plan.steps)
