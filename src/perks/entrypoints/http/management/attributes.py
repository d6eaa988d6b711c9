"""Custom attributes: createAttribute, getAttributes, getAttribute, updateAttribute."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from perks.domain.attributes import Attribute as DomainAttribute
from perks.domain.attributes import AttributeEntity, AttributeSpec, AttributeType
from perks.entrypoints.http.management.applications import ACCOUNT_ID
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct
from perks.services.attributes import ATTRIBUTE_SORT_FIELDS
from perks.services.ports import AttributeFilter

__all__ = ["OPERATIONS", "Name", "Title"]

Name = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]\w*$", max_length=200)]
Title = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z][A-Za-z0-9_.!~*'() -]*$", max_length=200)]
Suggestion = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class NewAttribute(WireStruct):
    entity: AttributeEntity
    name: Name
    title: Title
    type: AttributeType
    description: Annotated[str, msgspec.Meta(max_length=2000)]
    suggestions: Annotated[list[Suggestion], msgspec.Meta(max_length=50)]
    editable: bool
    event_type: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    has_allowed_list: bool = False
    restricted_by_suggestions: bool = False
    subscribed_applications_ids: list[int] | None = None
    subscribed_catalogs_ids: list[int] | None = None
    allowed_subscriptions: (
        Annotated[list[Literal["application", "catalog"]], msgspec.Meta(max_length=2)] | None
    ) = None


class Attribute(WireStruct):
    id: int
    created: datetime
    entity: AttributeEntity
    name: str
    title: str
    type: AttributeType
    description: str
    suggestions: list[str]
    editable: bool
    has_allowed_list: bool
    restricted_by_suggestions: bool
    event_type: str | None = None
    subscribed_applications_ids: list[int] | None = None
    subscribed_catalogs_ids: list[int] | None = None
    allowed_subscriptions: list[str] | None = None
    account_id: int = ACCOUNT_ID


class AttributeList(WireStruct):
    """``inline_response_200_38``."""

    total_result_size: int
    data: list[Attribute]


class AttributeQuery(ListQuery, kw_only=True):
    entity: AttributeEntity | None = None
    type: AttributeType | None = None
    search: Annotated[str, msgspec.Meta(max_length=200)] | None = None


def _wire(attribute: DomainAttribute) -> Attribute:
    return msgspec.convert(attribute, Attribute, from_attributes=True)


def _spec(body: NewAttribute) -> AttributeSpec:
    return msgspec.convert(body, AttributeSpec, from_attributes=True)


def create_attribute(call: Call[NewAttribute, NoQuery]) -> Reply:
    return Reply(201, _wire(call.services.attributes.create(_spec(call.body))))


def get_attributes(call: Call[None, AttributeQuery]) -> Reply:
    query = call.query
    page = call.services.attributes.list(
        page_request(query, sortable=ATTRIBUTE_SORT_FIELDS),
        AttributeFilter(entity=query.entity, type=query.type, search=query.search),
    )
    data = [_wire(attribute) for attribute in page.items]
    return Reply(200, AttributeList(total_result_size=page.total, data=data))


def get_attribute(call: Call[None, NoQuery]) -> Reply:
    return Reply(200, _wire(call.services.attributes.get(call.path["attributeId"])))


def update_attribute(call: Call[NewAttribute, NoQuery]) -> Reply:
    updated = call.services.attributes.update(call.path["attributeId"], _spec(call.body))
    return Reply(200, _wire(updated))


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path="/v1/attributes",
        operation_id="createAttribute",
        summary="Create custom attribute",
        handler=create_attribute,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewAttribute,
        responses={201: Attribute, 409: None},
    ),
    Operation(
        method="GET",
        path="/v1/attributes",
        operation_id="getAttributes",
        summary="List custom attributes",
        handler=get_attributes,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=AttributeQuery,
        responses={200: AttributeList},
    ),
    Operation(
        method="GET",
        path="/v1/attributes/{attributeId}",
        operation_id="getAttribute",
        summary="Get custom attribute",
        handler=get_attribute,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={200: Attribute},
    ),
    Operation(
        method="PUT",
        path="/v1/attributes/{attributeId}",
        operation_id="updateAttribute",
        summary="Update custom attribute",
        description="entity, eventType, name and type cannot change once created.",
        handler=update_attribute,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewAttribute,
        responses={200: Attribute},
    ),
]
