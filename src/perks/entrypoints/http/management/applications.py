"""Applications: createApplication (ours), getApplications, getApplication, update, delete."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from perks.domain.applications import (
    ACCOUNT_ID,
    AdditionalCostPerItemScope,
    ApplicationSpec,
    CaseSensitivity,
    DiscountScope,
)
from perks.domain.limits import LimitEntity, LimitPeriod
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import WireStruct
from perks.services.applications import APPLICATION_SORT_FIELDS

__all__ = [
    "ACCOUNT_ID",
    "OPERATIONS",
    "ApplicationSettings",
    "AttributesSettings",
    "LimitConfig",
]


NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LimitConfig(WireStruct):
    action: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    limit: Decimal
    entities: Annotated[list[LimitEntity], msgspec.Meta(min_length=1)]
    period: LimitPeriod | None = None


class AttributesMandatory(WireStruct):
    campaigns: list[str] = []
    coupons: list[str] = []


class AttributesSettings(WireStruct):
    mandatory: AttributesMandatory = msgspec.field(default_factory=AttributesMandatory)


class ApplicationSettings(WireStruct):
    """The fields ``NewApplication`` and ``UpdateApplication`` share."""

    name: NonEmpty
    timezone: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    currency: Annotated[str, msgspec.Meta(min_length=1, max_length=3)]
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    case_sensitivity: CaseSensitivity = CaseSensitivity.SENSITIVE
    attributes: dict[str, Any] = {}
    limits: list[LimitConfig] = []
    default_discount_scope: DiscountScope = DiscountScope.SESSION_TOTAL
    enable_cascading_discounts: bool = False
    enable_flattened_cart_items: bool = False
    attributes_settings: AttributesSettings = msgspec.field(default_factory=AttributesSettings)
    sandbox: bool = False
    enable_partial_discounts: bool = False
    default_discount_additional_cost_per_item_scope: AdditionalCostPerItemScope = (
        AdditionalCostPerItemScope.PRICE
    )
    enable_campaign_state_management: bool = False


class NewApplication(ApplicationSettings):
    key: Annotated[str, msgspec.Meta(pattern="^[a-fA-F0-9]{16}$")] | None = None


class UpdateApplication(ApplicationSettings):
    default_evaluation_group_id: int | None = None
    default_cart_item_filter_id: int | None = None


class Application(WireStruct):
    id: int
    created: datetime
    modified: datetime
    name: str
    timezone: str
    currency: str
    description: str
    case_sensitivity: CaseSensitivity
    attributes: dict[str, Any]
    limits: list[LimitConfig]
    default_discount_scope: DiscountScope
    enable_cascading_discounts: bool
    enable_flattened_cart_items: bool
    attributes_settings: AttributesSettings
    sandbox: bool
    enable_partial_discounts: bool
    default_discount_additional_cost_per_item_scope: AdditionalCostPerItemScope
    enable_campaign_state_management: bool
    default_evaluation_group_id: int | None = None
    default_cart_item_filter_id: int | None = None
    account_id: int = ACCOUNT_ID
    loyalty_programs: list[dict[str, Any]] = []


class ApplicationList(WireStruct):
    """``inline_response_200_8``."""

    total_result_size: int
    data: list[Application]


def _spec(body: NewApplication | UpdateApplication) -> ApplicationSpec:
    return msgspec.convert(body, ApplicationSpec, from_attributes=True)


def _wire(application: object) -> Application:
    return msgspec.convert(application, Application, from_attributes=True)


def create_application(call: Call[NewApplication, NoQuery]) -> Reply:
    created = call.services.applications.create(call.management, _spec(call.body))
    return Reply(201, _wire(created))


def get_applications(call: Call[None, ListQuery]) -> Reply:
    page = call.services.applications.list(
        call.management, page_request(call.query, sortable=APPLICATION_SORT_FIELDS)
    )
    data = [_wire(application) for application in page.items]
    return Reply(200, ApplicationList(total_result_size=page.total, data=data))


def get_application(call: Call[None, NoQuery]) -> Reply:
    found = call.services.applications.get(call.management, call.path["applicationId"])
    return Reply(200, _wire(found))


def update_application(call: Call[UpdateApplication, NoQuery]) -> Reply:
    updated = call.services.applications.update(
        call.management, call.path["applicationId"], _spec(call.body)
    )
    return Reply(200, _wire(updated))


def delete_application(call: Call[None, NoQuery]) -> Reply:
    call.services.applications.delete(call.management, call.path["applicationId"])
    return Reply(204)


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path="/v1/applications",
        operation_id="createApplication",
        summary="Create an Application",
        description="perks' own operation: Talon.One creates applications in its web UI.",
        handler=create_application,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewApplication,
        responses={201: Application},
    ),
    Operation(
        method="GET",
        path="/v1/applications",
        operation_id="getApplications",
        summary="List Applications",
        handler=get_applications,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=ListQuery,
        responses={200: ApplicationList},
    ),
    Operation(
        method="GET",
        path="/v1/applications/{applicationId}",
        operation_id="getApplication",
        summary="Get Application",
        handler=get_application,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={200: Application},
    ),
    Operation(
        method="PUT",
        path="/v1/applications/{applicationId}",
        operation_id="updateApplication",
        summary="Update Application",
        handler=update_application,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=UpdateApplication,
        responses={200: Application},
    ),
    Operation(
        method="DELETE",
        path="/v1/applications/{applicationId}",
        operation_id="deleteApplication",
        summary="Delete Application",
        description="Deletes the application with its integration keys.",
        handler=delete_application,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={204: None},
    ),
]
