"""Evaluation trees as the files write them: groups by name, campaigns by name."""

from __future__ import annotations

from perks.domain.evaluation_groups import GroupNode
from perks.entrypoints.config.documents import SetBranch, SetLeaf
from perks.entrypoints.config.state import ApplicationState

__all__ = ["branches", "nodes", "project", "settings", "shape"]


def settings(branch: SetBranch) -> SetBranch:
    return SetBranch(
        name=branch.name,
        description=branch.description,
        evaluation_mode=branch.evaluation_mode,
        evaluation_scope=branch.evaluation_scope,
        locked=branch.locked,
    )


def shape(branch: SetBranch) -> SetBranch:
    """The tree's members by name, without the groups' settings (planned on their own)."""
    return SetBranch(
        name=branch.name,
        elements=[
            shape(element) if isinstance(element, SetBranch) else element
            for element in branch.elements
        ],
    )


def project(state: ApplicationState, wanted: SetBranch) -> SetBranch:
    """The stored tree, keeping only the groups and campaigns the files list: what an apply
    would have to change."""
    groups = {branch.name for branch, _, _ in branches(wanted)}
    campaigns = {
        leaf.campaign
        for branch, _, _ in branches(wanted)
        for leaf in branch.elements
        if isinstance(leaf, SetLeaf)
    }
    names = {c.campaign.id: c.campaign.name for c in state.campaigns}

    def keep(node: GroupNode) -> SetBranch:
        elements: list[SetBranch | SetLeaf] = []
        for element in node.elements:
            if isinstance(element, GroupNode):
                if element.group.name in groups:
                    elements.append(keep(element))
            elif names.get(element) in campaigns:
                elements.append(SetLeaf(campaign=names[element]))
        return SetBranch(
            name=wanted.name if node is state.tree else node.group.name, elements=elements
        )

    return keep(state.tree)


def branches(
    branch: SetBranch, parent: str | None = None, pointer: str = "/set"
) -> list[tuple[SetBranch, str | None, str]]:
    """Every group of the tree, parents first, with its parent's name (None: the base group)
    and its JSON pointer."""
    found = [(branch, parent, pointer)]
    for index, element in enumerate(branch.elements):
        if isinstance(element, SetBranch):
            own = None if pointer == "/set" else branch.name
            found += branches(element, own, f"{pointer}/elements/{index}")
    return found


def nodes(node: GroupNode) -> list[GroupNode]:
    found = [node]
    for element in node.elements:
        if isinstance(element, GroupNode):
            found += nodes(element)
    return found
