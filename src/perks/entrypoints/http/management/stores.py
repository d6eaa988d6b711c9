"""Stores: createStore, listStores (as far as campaigns link them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from perks.domain.stores import MAX_INTEGRATION_ID, MAX_STORE_NAME, StoreSpec
from perks.domain.stores import Store as DomainStore
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct
from perks.services.ports import StoreFilter
from perks.services.stores import STORE_SORT_FIELDS

__all__ = ["OPERATIONS"]


class NewStore(WireStruct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_STORE_NAME)]
    description: str
    integration_id: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_INTEGRATION_ID)]
    attributes: dict[str, Any] = {}


class Store(WireStruct):
    id: int
    created: datetime
    updated: datetime
    application_id: int
    name: str
    description: str
    integration_id: str
    attributes: dict[str, Any]
    linked_campaign_ids: list[int]


class StoreList(WireStruct):
    """``inline_response_200_47``."""

    has_more: bool
    data: list[Store]
    total_result_size: int | None = None


class StoresQuery(ListQuery):
    with_total_result_size: bool = False
    campaign_id: int | None = None
    name: str | None = None
    integration_id: str | None = None
    query: str | None = None


def _wire(store: DomainStore, linked: list[int]) -> Store:
    assert store.created is not None
    assert store.updated is not None
    return Store(
        id=store.id,
        created=store.created,
        updated=store.updated,
        application_id=store.application_id,
        name=store.name,
        description=store.description,
        integration_id=store.integration_id,
        attributes=dict(store.attributes),
        linked_campaign_ids=linked,
    )


def create_store(call: Call[NewStore, NoQuery]) -> Reply:
    body = call.body
    store = call.services.stores.create(
        call.management,
        call.path["applicationId"],
        StoreSpec(
            name=body.name,
            description=body.description,
            integration_id=body.integration_id,
            attributes=body.attributes,
        ),
    )
    return Reply(201, _wire(store, []))


def list_stores(call: Call[None, StoresQuery]) -> Reply:
    query = call.query
    page = page_request(query, sortable=STORE_SORT_FIELDS)
    found, linked = call.services.stores.list(
        call.management,
        call.path["applicationId"],
        page,
        StoreFilter(name=query.name, integration_id=query.integration_id, query=query.query),
        campaign_id=query.campaign_id,
    )
    return Reply(
        200,
        StoreList(
            has_more=page.skip + len(found.items) < found.total,
            data=[_wire(store, linked[store.id]) for store in found.items],
            total_result_size=found.total if query.with_total_result_size else None,
        ),
    )


_STORES = "/v1/applications/{applicationId}/stores"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path=_STORES,
        operation_id="createStore",
        summary="Create store",
        handler=create_store,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewStore,
        responses={201: Store, 404: None, 409: None},
    ),
    Operation(
        method="GET",
        path=_STORES,
        operation_id="listStores",
        summary="List stores",
        handler=list_stores,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=StoresQuery,
        responses={200: StoreList, 404: None},
    ),
]
