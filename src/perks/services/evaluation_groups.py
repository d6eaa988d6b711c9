"""Use cases of campaign evaluation groups: the tree, its groups, and where campaigns sit in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from perks.domain.errors import Conflict, InvalidInput, NotFound
from perks.domain.evaluation_groups import (
    BASE_GROUP_NAME,
    EvaluationGroup,
    EvaluationGroupSpec,
    GroupNode,
    build_tree,
    descendants,
    validate_group,
)
from perks.services.lookups import require_application, require_campaign
from perks.services.ports import UnitOfWork, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = [
    "Arrangement",
    "EvaluationGroupService",
    "base_group",
    "current_spec",
    "ensure_groups",
    "place_at_end",
    "require_group",
]


def ensure_groups(uow: UnitOfWork, application_id: int) -> list[EvaluationGroup]:
    """The application's groups; its base group is created on first use (needs a write unit)."""
    groups = uow.evaluation_groups.groups(application_id)
    if not any(group.parent_id is None for group in groups):
        base = EvaluationGroupSpec(name=BASE_GROUP_NAME, parent_id=None)
        groups.insert(0, uow.evaluation_groups.add(application_id, base, position=0))
    return groups


def require_group(
    groups: Sequence[EvaluationGroup], group_id: int, pointer: str
) -> EvaluationGroup:
    group = next((g for g in groups if g.id == group_id), None)
    if group is None:
        raise InvalidInput.at(pointer, f"evaluation group {group_id} not found")
    return group


def base_group(groups: Sequence[EvaluationGroup]) -> EvaluationGroup:
    return next(group for group in groups if group.parent_id is None)


def place_at_end(uow: UnitOfWork, application_id: int, campaign_id: int, group_id: int) -> None:
    uow.evaluation_groups.place(
        application_id, campaign_id, group_id, _next_position(uow, application_id, group_id)
    )


def _next_position(uow: UnitOfWork, application_id: int, group_id: int) -> int:
    positions = [
        g.position for g in uow.evaluation_groups.groups(application_id) if g.parent_id == group_id
    ]
    positions += [
        m.position for m in uow.evaluation_groups.members(application_id) if m.group_id == group_id
    ]
    return max(positions, default=-1) + 1


@dataclass(frozen=True, slots=True)
class Arrangement:
    """Where members go: a group and, in order, its child groups and campaign ids."""

    group_id: int
    elements: tuple[Arrangement | int, ...]


class EvaluationGroupService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def create(
        self, principal: ManagementPrincipal, application_id: int, spec: EvaluationGroupSpec
    ) -> EvaluationGroup:
        principal.require_application(application_id)
        validate_group(spec)
        with self._uow(write=True) as uow:
            require_application(uow, application_id)
            groups = ensure_groups(uow, application_id)
            if spec.parent_id is None:
                raise InvalidInput.at("/parentId", "a group needs a parent (the base group's id)")
            require_group(groups, spec.parent_id, "/parentId")
            position = _next_position(uow, application_id, spec.parent_id)
            group = uow.evaluation_groups.add(application_id, spec, position=position)
            uow.commit()
        return group

    def tree(self, principal: ManagementPrincipal, application_id: int) -> GroupNode:
        """The whole tree (creating the base group on first use)."""
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            require_application(uow, application_id)
            groups = ensure_groups(uow, application_id)
            members = uow.evaluation_groups.members(application_id)
            uow.commit()
        return build_tree(groups, members)

    def update(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        group_id: int,
        spec: EvaluationGroupSpec,
    ) -> EvaluationGroup:
        principal.require_application(application_id)
        validate_group(spec)
        with self._uow(write=True) as uow:
            require_application(uow, application_id)
            groups = ensure_groups(uow, application_id)
            current = _existing(groups, group_id)
            if current.locked and replace(spec, locked=True) != current_spec(current):
                raise Conflict(f"evaluation group {group_id} is locked: unlock it first")
            position = current.position
            if current.parent_id is None:
                spec = replace(spec, parent_id=None)  # the base group stays the root
            elif spec.parent_id != current.parent_id:
                parent = spec.parent_id
                if parent is None or parent == group_id or parent in descendants(group_id, groups):
                    raise InvalidInput.at(
                        "/parentId", "a group moves under another group, never under itself"
                    )
                require_group(groups, parent, "/parentId")
                position = _next_position(uow, application_id, parent)
            updated = uow.evaluation_groups.update(
                application_id, group_id, spec, position=position
            )
            assert updated is not None, "the group was read in this transaction"
            uow.commit()
        return updated

    def delete(self, principal: ManagementPrincipal, application_id: int, group_id: int) -> None:
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            require_application(uow, application_id)
            groups = ensure_groups(uow, application_id)
            group = _existing(groups, group_id)
            if group.parent_id is None:
                raise Conflict("the base group cannot be deleted")
            if group.locked:
                raise Conflict(f"evaluation group {group_id} is locked: unlock it first")
            members = uow.evaluation_groups.members(application_id)
            if any(g.parent_id == group_id for g in groups) or any(
                m.group_id == group_id for m in members
            ):
                raise Conflict("the group is not empty: move its campaigns and groups first")
            uow.evaluation_groups.delete(application_id, group_id)
            uow.commit()

    def move_campaign(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        group_id: int,
        index: int | None,
    ) -> GroupNode:
        """Put a campaign at ``index`` among the members of ``group_id`` (the end when None)."""
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            require_campaign(uow, application_id, campaign_id)
            groups = ensure_groups(uow, application_id)
            target = require_group(groups, group_id, "/groupId")
            if target.locked:
                raise Conflict(f"evaluation group {group_id} is locked: unlock it first")
            members = uow.evaluation_groups.members(application_id)
            node = _find(build_tree(groups, members), group_id)
            order: list[EvaluationGroup | int] = [
                element.group if isinstance(element, GroupNode) else element
                for element in node.elements
                if element != campaign_id
            ]
            at = len(order) if index is None else max(0, min(index, len(order)))
            order.insert(at, campaign_id)
            for position, element in enumerate(order):
                if isinstance(element, EvaluationGroup):
                    uow.evaluation_groups.update(
                        application_id, element.id, current_spec(element), position=position
                    )
                else:
                    uow.evaluation_groups.place(application_id, element, group_id, position)
            tree = build_tree(
                uow.evaluation_groups.groups(application_id),
                uow.evaluation_groups.members(application_id),
            )
            uow.commit()
        return tree

    def arrange(
        self, principal: ManagementPrincipal, application_id: int, root: Arrangement
    ) -> GroupNode:
        """Put the groups and campaigns ``root`` lists where it lists them, in one transaction.
        Members it does not list stay in their group, after the listed ones. No member enters,
        leaves or moves within a locked group (409)."""
        principal.require_application(application_id)
        with self._uow(write=True) as uow:
            require_application(uow, application_id)
            groups = ensure_groups(uow, application_id)
            members = uow.evaluation_groups.members(application_id)
            if root.group_id != base_group(groups).id:
                raise InvalidInput.at("/set", "the tree starts at the base group")
            listed = _listed(root, groups, {m.campaign_id for m in members})
            by_id = {group.id: group for group in groups}
            tree = build_tree(groups, members)
            arranged = {a.group_id: a for a in _arrangements(root)}
            for node in _all_nodes(tree):
                unlisted = Arrangement(node.group.id, ())
                order = _order(arranged.get(node.group.id, unlisted), node, listed)
                if node.group.locked and order != _ids(node):
                    raise Conflict(f"evaluation group {node.group.id} is locked: unlock it first")
            for arrangement in arranged.values():
                current = _find(tree, arrangement.group_id)
                for position, (kind, element) in enumerate(_order(arrangement, current, listed)):
                    if kind == "group":
                        spec = replace(current_spec(by_id[element]), parent_id=arrangement.group_id)
                        uow.evaluation_groups.update(
                            application_id, element, spec, position=position
                        )
                    else:
                        uow.evaluation_groups.place(
                            application_id, element, arrangement.group_id, position
                        )
            tree = build_tree(
                uow.evaluation_groups.groups(application_id),
                uow.evaluation_groups.members(application_id),
            )
            uow.commit()
        return tree


_Element = tuple[str, int]  # ("group" | "campaign", id)


def _all_nodes(node: GroupNode) -> list[GroupNode]:
    found = [node]
    for element in node.elements:
        if isinstance(element, GroupNode):
            found += _all_nodes(element)
    return found


def _arrangements(root: Arrangement) -> list[Arrangement]:
    found = [root]
    for element in root.elements:
        if isinstance(element, Arrangement):
            found += _arrangements(element)
    return found


def _listed(
    root: Arrangement, groups: Sequence[EvaluationGroup], campaigns: set[int]
) -> set[_Element]:
    """Every element ``root`` lists, each checked to exist and to be listed once."""
    known = {group.id for group in groups}
    listed: set[_Element] = {("group", root.group_id)}
    for arrangement in _arrangements(root):
        for element in arrangement.elements:
            entry = _element(element)
            kind, number = entry
            if number not in (known if kind == "group" else campaigns):
                raise InvalidInput.at("/set", f"{kind} {number} is not in the application")
            if entry in listed:
                raise InvalidInput.at("/set", f"{kind} {number} is listed twice")
            listed.add(entry)
    return listed


def _element(element: Arrangement | int) -> _Element:
    if isinstance(element, Arrangement):
        return ("group", element.group_id)
    return ("campaign", element)


def _ids(node: GroupNode) -> list[_Element]:
    return [
        ("group", element.group.id) if isinstance(element, GroupNode) else ("campaign", element)
        for element in node.elements
    ]


def _order(arrangement: Arrangement, current: GroupNode, listed: set[_Element]) -> list[_Element]:
    wanted = [_element(element) for element in arrangement.elements]
    return wanted + [element for element in _ids(current) if element not in listed]


def current_spec(group: EvaluationGroup) -> EvaluationGroupSpec:
    return EvaluationGroupSpec(
        name=group.name,
        parent_id=group.parent_id,
        evaluation_mode=group.evaluation_mode,
        evaluation_scope=group.evaluation_scope,
        locked=group.locked,
        description=group.description,
    )


def _existing(groups: Sequence[EvaluationGroup], group_id: int) -> EvaluationGroup:
    group = next((g for g in groups if g.id == group_id), None)
    if group is None:
        raise NotFound("evaluation group", group_id)
    return group


def _find(node: GroupNode, group_id: int) -> GroupNode:
    found = _search(node, group_id)
    if found is None:
        raise NotFound("evaluation group", group_id)
    return found


def _search(node: GroupNode, group_id: int) -> GroupNode | None:
    if node.group.id == group_id:
        return node
    for element in node.elements:
        if isinstance(element, GroupNode) and (found := _search(element, group_id)):
            return found
    return None
