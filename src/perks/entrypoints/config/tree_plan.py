"""Planning an application's evaluation tree: its groups' settings, where every group and
campaign sits, and the groups the files leave out."""

from __future__ import annotations

from perks.domain.evaluation_groups import BASE_GROUP_NAME
from perks.entrypoints.config import steps
from perks.entrypoints.config.differences import differences
from perks.entrypoints.config.documents import (
    CampaignSetDocument,
    SetBranch,
    SetLeaf,
)
from perks.entrypoints.config.files import Located, to_plain
from perks.entrypoints.config.planning import Planning
from perks.entrypoints.config.state import (
    ApplicationState,
    branch_of,
)
from perks.entrypoints.config.steps import Action, Step
from perks.entrypoints.config.trees import branches, nodes, project, settings, shape

__all__ = ["TreePlanning"]


class TreePlanning(Planning):
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
