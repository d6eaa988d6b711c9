"""Custom effects (paths of ours: Talon.One manages ``CustomEffect`` in its UI):
createCustomEffect, getCustomEffects, getCustomEffect, updateCustomEffect."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Protocol

import msgspec

from perks.domain.custom_effects import CustomEffect as DomainCustomEffect
from perks.domain.vocabulary import (
    CustomEffectDefinition,
    CustomEffectParam,
    CustomEffectParamType,
)
from perks.entrypoints.http.entities import USER_ID
from perks.entrypoints.http.management.applications import ACCOUNT_ID
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct
from perks.services.custom_effects import CUSTOM_EFFECT_SORT_FIELDS

__all__ = [
    "OPERATIONS",
    "DefinitionFields",
    "TemplateArgDef",
    "definition_from_wire",
    "params_to_wire",
]


class TemplateArgDef(WireStruct, omit_defaults=True):
    type: CustomEffectParamType
    title: Annotated[str, msgspec.Meta(min_length=1)]
    key: str
    description: str = ""
    ui: dict[str, Any] = {}
    picklist_id: int | None = msgspec.field(default=None, name="picklistID")
    restricted_by_picklist: bool = False


class NewCustomEffect(WireStruct):
    """``NewCustomEffect`` (and ``UpdateCustomEffect``)."""

    application_ids: Annotated[list[int], msgspec.Meta(min_length=1)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    payload: str
    enabled: bool
    is_per_item: bool = False
    description: str = ""
    params: list[TemplateArgDef] = []


class CustomEffect(WireStruct):
    id: int
    created: datetime
    modified: datetime
    account_id: int
    created_by: int
    modified_by: int
    application_ids: list[int]
    name: str
    title: str
    payload: str
    enabled: bool
    is_per_item: bool
    description: str
    params: list[TemplateArgDef]


class CustomEffectList(WireStruct):
    total_result_size: int
    data: list[CustomEffect]


class DefinitionFields(Protocol):
    """What ``NewCustomEffect`` and a configuration file's ``CustomEffect`` share."""

    name: str
    title: str
    payload: str
    enabled: bool
    is_per_item: bool
    description: str
    params: list[TemplateArgDef]


def definition_from_wire(body: DefinitionFields) -> CustomEffectDefinition:
    return CustomEffectDefinition(
        id=0,
        name=body.name,
        payload=body.payload,
        params=tuple(
            CustomEffectParam(
                key=param.key, type=param.type, title=param.title, description=param.description
            )
            for param in body.params
        ),
        is_per_item=body.is_per_item,
        enabled=body.enabled,
        title=body.title,
        description=body.description,
    )


def params_to_wire(definition: CustomEffectDefinition) -> list[TemplateArgDef]:
    return [
        TemplateArgDef(
            type=param.type, title=param.title, key=param.key, description=param.description
        )
        for param in definition.params
    ]


def _wire(effect: DomainCustomEffect) -> CustomEffect:
    definition = effect.definition
    return CustomEffect(
        id=effect.id,
        created=effect.created,
        modified=effect.modified,
        account_id=ACCOUNT_ID,
        created_by=USER_ID,
        modified_by=USER_ID,
        application_ids=list(effect.application_ids),
        name=definition.name,
        title=definition.title,
        payload=definition.payload,
        enabled=definition.enabled,
        is_per_item=definition.is_per_item,
        description=definition.description,
        params=params_to_wire(definition),
    )


def create_custom_effect(call: Call[NewCustomEffect, NoQuery]) -> Reply:
    effect = call.services.custom_effects.create(
        call.management, definition_from_wire(call.body), tuple(call.body.application_ids)
    )
    return Reply(201, _wire(effect))


def get_custom_effects(call: Call[None, ListQuery]) -> Reply:
    page = call.services.custom_effects.list(
        call.management, page_request(call.query, sortable=CUSTOM_EFFECT_SORT_FIELDS)
    )
    data = [_wire(effect) for effect in page.items]
    return Reply(200, CustomEffectList(total_result_size=page.total, data=data))


def get_custom_effect(call: Call[None, NoQuery]) -> Reply:
    effect = call.services.custom_effects.get(call.management, call.path["customEffectId"])
    return Reply(200, _wire(effect))


def update_custom_effect(call: Call[NewCustomEffect, NoQuery]) -> Reply:
    effect = call.services.custom_effects.update(
        call.management,
        call.path["customEffectId"],
        definition_from_wire(call.body),
        tuple(call.body.application_ids),
    )
    return Reply(200, _wire(effect))


def delete_custom_effect(call: Call[None, NoQuery]) -> Reply:
    call.services.custom_effects.delete(call.management, call.path["customEffectId"])
    return Reply(204)


_EFFECTS = "/v1/custom_effects"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path=_EFFECTS,
        operation_id="createCustomEffect",
        summary="Create custom effect (perks)",
        handler=create_custom_effect,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCustomEffect,
        responses={201: CustomEffect, 409: None},
    ),
    Operation(
        method="GET",
        path=_EFFECTS,
        operation_id="getCustomEffects",
        summary="List custom effects (perks)",
        handler=get_custom_effects,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=ListQuery,
        responses={200: CustomEffectList},
    ),
    Operation(
        method="GET",
        path=f"{_EFFECTS}/{{customEffectId}}",
        operation_id="getCustomEffect",
        summary="Get custom effect (perks)",
        handler=get_custom_effect,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={200: CustomEffect, 404: None},
    ),
    Operation(
        method="PUT",
        path=f"{_EFFECTS}/{{customEffectId}}",
        operation_id="updateCustomEffect",
        summary="Update custom effect (perks)",
        handler=update_custom_effect,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCustomEffect,
        responses={200: CustomEffect, 404: None, 409: None},
    ),
    Operation(
        method="DELETE",
        path=f"{_EFFECTS}/{{customEffectId}}",
        operation_id="deleteCustomEffect",
        summary="Delete custom effect (perks; refused while an active ruleset calls it)",
        handler=delete_custom_effect,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={204: None, 404: None, 409: None},
    ),
]
