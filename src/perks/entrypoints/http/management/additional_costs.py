"""Additional costs: createAdditionalCost, getAdditionalCosts, getAdditionalCost, update."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from perks.domain.additional_costs import AdditionalCost, AdditionalCostSpec, AdditionalCostType
from perks.entrypoints.http.management.applications import ACCOUNT_ID
from perks.entrypoints.http.management.attributes import Name, Title
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct
from perks.services.additional_costs import ADDITIONAL_COST_SORT_FIELDS

__all__ = ["OPERATIONS"]


class NewAdditionalCost(WireStruct):
    name: Name
    title: Title
    description: Annotated[str, msgspec.Meta(max_length=2000)]
    subscribed_applications_ids: list[int] | None = None
    type: AdditionalCostType = AdditionalCostType.SESSION


class AccountAdditionalCost(WireStruct):
    id: int
    created: datetime
    name: str
    title: str
    description: str
    type: AdditionalCostType
    subscribed_applications_ids: list[int] | None = None
    account_id: int = ACCOUNT_ID


class AdditionalCostList(WireStruct):
    """``inline_response_200_40``."""

    total_result_size: int
    data: list[AccountAdditionalCost]


def _wire(cost: AdditionalCost) -> AccountAdditionalCost:
    return msgspec.convert(cost, AccountAdditionalCost, from_attributes=True)


def _spec(body: NewAdditionalCost) -> AdditionalCostSpec:
    return msgspec.convert(body, AdditionalCostSpec, from_attributes=True)


def create_additional_cost(call: Call[NewAdditionalCost, NoQuery]) -> Reply:
    return Reply(201, _wire(call.services.additional_costs.create(_spec(call.body))))


def get_additional_costs(call: Call[None, ListQuery]) -> Reply:
    page = call.services.additional_costs.list(
        page_request(call.query, sortable=ADDITIONAL_COST_SORT_FIELDS)
    )
    data = [_wire(cost) for cost in page.items]
    return Reply(200, AdditionalCostList(total_result_size=page.total, data=data))


def get_additional_cost(call: Call[None, NoQuery]) -> Reply:
    return Reply(200, _wire(call.services.additional_costs.get(call.path["additionalCostId"])))


def update_additional_cost(call: Call[NewAdditionalCost, NoQuery]) -> Reply:
    updated = call.services.additional_costs.update(call.path["additionalCostId"], _spec(call.body))
    return Reply(200, _wire(updated))


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path="/v1/additional_costs",
        operation_id="createAdditionalCost",
        summary="Create additional cost",
        handler=create_additional_cost,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewAdditionalCost,
        responses={201: AccountAdditionalCost, 409: None},
    ),
    Operation(
        method="GET",
        path="/v1/additional_costs",
        operation_id="getAdditionalCosts",
        summary="List additional costs",
        handler=get_additional_costs,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=ListQuery,
        responses={200: AdditionalCostList},
    ),
    Operation(
        method="GET",
        path="/v1/additional_costs/{additionalCostId}",
        operation_id="getAdditionalCost",
        summary="Get additional cost",
        handler=get_additional_cost,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={200: AccountAdditionalCost},
    ),
    Operation(
        method="PUT",
        path="/v1/additional_costs/{additionalCostId}",
        operation_id="updateAdditionalCost",
        summary="Update additional cost",
        handler=update_additional_cost,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewAdditionalCost,
        responses={200: AccountAdditionalCost, 409: None},
    ),
]
