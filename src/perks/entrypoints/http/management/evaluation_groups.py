"""Campaign evaluation groups and the evaluation tree (paths of ours: Talon.One publishes the
schemas ``NewCampaignEvaluationGroup``, ``CampaignEvaluationGroup`` and ``CampaignSet``, and
manages them in its UI)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from perks.domain.evaluation_groups import (
    EvaluationGroup,
    EvaluationGroupSpec,
    EvaluationMode,
    EvaluationScope,
    GroupNode,
)
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct

__all__ = ["OPERATIONS"]

TREE_VERSION = 1


class NewCampaignEvaluationGroup(WireStruct):
    """``NewCampaignEvaluationGroup`` (and ``UpdateCampaignEvaluationGroup``)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    parent_id: Annotated[int, msgspec.Meta(ge=1)]
    evaluation_mode: EvaluationMode
    evaluation_scope: EvaluationScope
    locked: bool
    description: str = ""


class CampaignEvaluationGroup(WireStruct):
    id: int
    application_id: int
    name: str
    parent_id: int | None
    description: str
    evaluation_mode: EvaluationMode
    evaluation_scope: EvaluationScope
    locked: bool


class CampaignSetLeafNode(WireStruct, tag_field="type", tag="CAMPAIGN"):
    campaign_id: int


class CampaignSetBranchNode(WireStruct, tag_field="type", tag="SET"):
    name: str
    operator: str
    elements: list[CampaignSetBranchNode | CampaignSetLeafNode]
    group_id: int
    locked: bool
    description: str
    evaluation_mode: EvaluationMode
    evaluation_scope: EvaluationScope


class CampaignSet(WireStruct):
    application_id: int
    id: int
    version: int
    set: CampaignSetBranchNode


class MoveCampaign(WireStruct):
    """Where a campaign goes: a group, and its index among the group's members (the end when
    omitted)."""

    group_id: int
    position: Annotated[int, msgspec.Meta(ge=0)] | None = None


def _wire_group(group: EvaluationGroup) -> CampaignEvaluationGroup:
    return CampaignEvaluationGroup(
        id=group.id,
        application_id=group.application_id,
        name=group.name,
        parent_id=group.parent_id,
        description=group.description,
        evaluation_mode=group.evaluation_mode,
        evaluation_scope=group.evaluation_scope,
        locked=group.locked,
    )


def _branch(node: GroupNode) -> CampaignSetBranchNode:
    group = node.group
    return CampaignSetBranchNode(
        name=group.name,
        # All members apply when stackable; otherwise one wins (list order, lowest, highest).
        operator="ALL" if group.evaluation_mode is EvaluationMode.STACKABLE else "FIRST",
        elements=[
            _branch(element)
            if isinstance(element, GroupNode)
            else CampaignSetLeafNode(campaign_id=element)
            for element in node.elements
        ],
        group_id=group.id,
        locked=group.locked,
        description=group.description,
        evaluation_mode=group.evaluation_mode,
        evaluation_scope=group.evaluation_scope,
    )


def _wire_tree(tree: GroupNode) -> CampaignSet:
    return CampaignSet(
        application_id=tree.group.application_id,
        id=tree.group.id,
        version=TREE_VERSION,
        set=_branch(tree),
    )


def _spec(body: NewCampaignEvaluationGroup) -> EvaluationGroupSpec:
    return EvaluationGroupSpec(
        name=body.name,
        parent_id=body.parent_id,
        evaluation_mode=body.evaluation_mode,
        evaluation_scope=body.evaluation_scope,
        locked=body.locked,
        description=body.description,
    )


def create_group(call: Call[NewCampaignEvaluationGroup, NoQuery]) -> Reply:
    group = call.services.evaluation_groups.create(
        call.management, call.path["applicationId"], _spec(call.body)
    )
    return Reply(201, _wire_group(group))


def get_tree(call: Call[None, NoQuery]) -> Reply:
    tree = call.services.evaluation_groups.tree(call.management, call.path["applicationId"])
    return Reply(200, _wire_tree(tree))


def update_group(call: Call[NewCampaignEvaluationGroup, NoQuery]) -> Reply:
    group = call.services.evaluation_groups.update(
        call.management, call.path["applicationId"], call.path["groupId"], _spec(call.body)
    )
    return Reply(200, _wire_group(group))


def delete_group(call: Call[None, NoQuery]) -> Reply:
    call.services.evaluation_groups.delete(
        call.management, call.path["applicationId"], call.path["groupId"]
    )
    return Reply(204)


def move_campaign(call: Call[MoveCampaign, NoQuery]) -> Reply:
    tree = call.services.evaluation_groups.move_campaign(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        call.body.group_id,
        call.body.position,
    )
    return Reply(200, _wire_tree(tree))


_GROUPS = "/v1/applications/{applicationId}/campaign_evaluation_groups"
_TREE = "/v1/applications/{applicationId}/campaign_evaluation_tree"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path=_GROUPS,
        operation_id="createCampaignEvaluationGroup",
        summary="Create campaign evaluation group (perks)",
        handler=create_group,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCampaignEvaluationGroup,
        responses={201: CampaignEvaluationGroup, 404: None},
    ),
    Operation(
        method="PUT",
        path=f"{_GROUPS}/{{groupId}}",
        operation_id="updateCampaignEvaluationGroup",
        summary="Update campaign evaluation group (perks)",
        handler=update_group,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCampaignEvaluationGroup,
        responses={200: CampaignEvaluationGroup, 404: None, 409: None},
    ),
    Operation(
        method="DELETE",
        path=f"{_GROUPS}/{{groupId}}",
        operation_id="deleteCampaignEvaluationGroup",
        summary="Delete an empty campaign evaluation group (perks)",
        handler=delete_group,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={204: None, 404: None, 409: None},
    ),
    Operation(
        method="GET",
        path=_TREE,
        operation_id="getCampaignEvaluationTree",
        summary="Get the campaign evaluation tree (perks; Talon.One's CampaignSet)",
        handler=get_tree,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={200: CampaignSet, 404: None},
    ),
    Operation(
        method="PUT",
        path=f"{_TREE}/campaigns/{{campaignId}}",
        operation_id="moveCampaignInEvaluationTree",
        summary="Move a campaign within or between evaluation groups (perks)",
        handler=move_campaign,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=MoveCampaign,
        responses={200: CampaignSet, 404: None, 409: None},
    ),
]
