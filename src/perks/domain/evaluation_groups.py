"""Campaign evaluation groups: the tree that orders an application's campaigns.

Every application has a base group (no parent). A group holds campaigns and other groups in
one order (``position`` among its siblings); its ``evaluationMode`` says how its members'
effects combine (``stackable``, ``listOrder``, ``lowestDiscount``, ``highestDiscount``) and its
``evaluationScope`` whether exclusivity holds per session or per cart item. The tree is
answered as Talon.One's ``CampaignSet``: ``SET`` nodes with ``elements``, ``CAMPAIGN`` leaves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum

from perks.domain.errors import InvalidInput, Problem

__all__ = [
    "BASE_GROUP_NAME",
    "EvaluationGroup",
    "EvaluationGroupSpec",
    "EvaluationMode",
    "EvaluationScope",
    "GroupNode",
    "Member",
    "build_tree",
    "descendants",
    "validate_group",
]

BASE_GROUP_NAME = "Base"
MAX_NAME_LENGTH = 255


class EvaluationMode(StrEnum):
    STACKABLE = "stackable"
    LIST_ORDER = "listOrder"
    LOWEST_DISCOUNT = "lowestDiscount"
    HIGHEST_DISCOUNT = "highestDiscount"


class EvaluationScope(StrEnum):
    CART_ITEM = "cartItem"
    SESSION = "session"


@dataclass(frozen=True, slots=True)
class EvaluationGroupSpec:
    """``NewCampaignEvaluationGroup`` / ``UpdateCampaignEvaluationGroup``."""

    name: str
    parent_id: int | None
    evaluation_mode: EvaluationMode = EvaluationMode.STACKABLE
    evaluation_scope: EvaluationScope = EvaluationScope.SESSION
    locked: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class EvaluationGroup(EvaluationGroupSpec):
    id: int = 0
    application_id: int = 0
    position: int = 0  # among the members of its parent

    @classmethod
    def from_spec(
        cls, spec: EvaluationGroupSpec, *, id: int, application_id: int, position: int
    ) -> EvaluationGroup:
        values = {f.name: getattr(spec, f.name) for f in fields(EvaluationGroupSpec)}
        return cls(**values, id=id, application_id=application_id, position=position)


@dataclass(frozen=True, slots=True)
class Member:
    """A campaign's place in the tree."""

    campaign_id: int
    group_id: int
    position: int


@dataclass(frozen=True, slots=True)
class GroupNode:
    group: EvaluationGroup
    elements: tuple[GroupNode | int, ...]  # child groups and campaign ids, in order


def validate_group(spec: EvaluationGroupSpec) -> None:
    if not spec.name.strip() or len(spec.name) > MAX_NAME_LENGTH:
        raise InvalidInput(
            [Problem("invalid value", f"a name has 1 to {MAX_NAME_LENGTH} characters", "/name")]
        )


def descendants(group_id: int, groups: Sequence[EvaluationGroup]) -> set[int]:
    """The ids of every group below ``group_id`` (a move under one of them makes a cycle)."""
    children: dict[int, list[int]] = {}
    for group in groups:
        if group.parent_id is not None:
            children.setdefault(group.parent_id, []).append(group.id)
    found: set[int] = set()
    stack = [group_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def build_tree(groups: Sequence[EvaluationGroup], members: Sequence[Member]) -> GroupNode:
    """The tree from the base group down: members of each group by position (ties: groups
    before campaigns, then by id)."""
    by_parent: dict[int | None, list[EvaluationGroup]] = {}
    for group in groups:
        by_parent.setdefault(group.parent_id, []).append(group)
    campaigns: dict[int, list[Member]] = {}
    for member in members:
        campaigns.setdefault(member.group_id, []).append(member)
    (base,) = by_parent[None]
    return _node(base, by_parent, campaigns)


def _node(
    group: EvaluationGroup,
    by_parent: Mapping[int | None, list[EvaluationGroup]],
    campaigns: Mapping[int, list[Member]],
) -> GroupNode:
    entries: list[tuple[int, int, int, GroupNode | int]] = [
        (child.position, 0, child.id, _node(child, by_parent, campaigns))
        for child in by_parent.get(group.id, [])
    ]
    entries += [(m.position, 1, m.campaign_id, m.campaign_id) for m in campaigns.get(group.id, [])]
    entries.sort(key=lambda entry: entry[:3])
    return GroupNode(group, tuple(entry[3] for entry in entries))
