"""Coupons: createCoupons, getCouponsWithoutTotalCount, updateCoupon, deleteCoupon."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Protocol

import msgspec

from perks.domain.coupons import MAX_USAGE_LIMIT, CouponBatchChanges, CouponProperties
from perks.entrypoints.http.entities import Coupon, LimitConfig, wire_coupon
from perks.entrypoints.http.management.campaigns import limits_from_wire
from perks.entrypoints.http.management.paging import ListQuery, page_request
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import AwareDateTime, WireStruct
from perks.services.coupons import COUPON_SORT_FIELDS
from perks.services.coupons import NewCoupons as NewCouponsRequest
from perks.services.ports import CouponFilter

__all__ = ["OPERATIONS", "UsageLimit"]

UsageLimit = Annotated[int, msgspec.Meta(ge=0, le=MAX_USAGE_LIMIT)]


class NewCoupons(WireStruct):
    usage_limit: UsageLimit
    number_of_coupons: Annotated[int, msgspec.Meta(ge=1)]
    discount_limit: Decimal | None = None
    reservation_limit: UsageLimit | None = None
    start_date: AwareDateTime | None = None
    expiry_date: AwareDateTime | None = None
    limits: list[LimitConfig] = []
    unique_prefix: str | None = None
    attributes: dict[str, Any] = {}
    recipient_integration_id: str | None = None
    valid_characters: list[str] | None = None
    coupon_pattern: str | None = None
    is_reservation_mandatory: bool = False
    implicitly_reserved: bool = False


class UpdateCoupon(WireStruct):
    """Omitted fields keep their value, except the dates and the recipient, which an update
    that does not repeat them clears (as Talon.One documents)."""

    usage_limit: UsageLimit | None = None
    discount_limit: Decimal | None = None
    reservation_limit: UsageLimit | None = None
    start_date: AwareDateTime | None = None
    expiry_date: AwareDateTime | None = None
    limits: list[LimitConfig] | None = None
    attributes: dict[str, Any] | None = None
    recipient_integration_id: str | None = None
    is_reservation_mandatory: bool | None = None
    implicitly_reserved: bool | None = None


class CouponList(WireStruct):
    """``inline_response_200_11``."""

    total_result_size: int
    data: list[Coupon]


class CouponPage(WireStruct):
    """``inline_response_200_12``: a page, and whether more follow (no total count)."""

    has_more: bool
    data: list[Coupon]


class CreateQuery(msgspec.Struct, rename="camel", kw_only=True):
    silent: Literal["yes", "no"] = "yes"


class CouponsQuery(ListQuery):
    value: str | None = None
    exact_match: bool = False
    created_before: AwareDateTime | None = None
    created_after: AwareDateTime | None = None
    usable: Literal["true", "false"] | None = None
    recipient_integration_id: str | None = None
    batch_id: str | None = None
    referral_id: int | None = None


class CouponFilterFields(Protocol):
    """The coupon filters that listing and exporting share."""

    value: str | None
    exact_match: bool
    created_before: datetime | None
    created_after: datetime | None
    usable: Literal["true", "false"] | None
    recipient_integration_id: str | None
    batch_id: str | None
    referral_id: int | None


def coupon_filter(query: CouponFilterFields) -> CouponFilter:
    return CouponFilter(
        value=query.value,
        exact_match=query.exact_match,
        created_before=query.created_before,
        created_after=query.created_after,
        usable=None if query.usable is None else query.usable == "true",
        recipient_integration_id=query.recipient_integration_id,
        batch_id=query.batch_id,
        referral_id=query.referral_id,
    )


def create_coupons(call: Call[NewCoupons, CreateQuery]) -> Reply:
    body = call.body
    properties = CouponProperties(
        usage_limit=body.usage_limit,
        discount_limit=body.discount_limit,
        reservation_limit=body.reservation_limit,
        start_date=body.start_date,
        expiry_date=body.expiry_date,
        limits=limits_from_wire(body.limits),
        attributes=body.attributes,
        recipient_integration_id=body.recipient_integration_id,
        is_reservation_mandatory=body.is_reservation_mandatory,
        implicitly_reserved=body.implicitly_reserved,
    )
    application_id, campaign_id = call.path["applicationId"], call.path["campaignId"]
    created = call.services.coupons.create(
        call.management,
        application_id,
        campaign_id,
        NewCouponsRequest(
            number_of_coupons=body.number_of_coupons,
            properties=properties,
            coupon_pattern=body.coupon_pattern,
            valid_characters=body.valid_characters,
            unique_prefix=body.unique_prefix or "",
        ),
    )
    if call.query.silent == "yes":
        return Reply(204)
    coupons, _ = call.services.coupons.list(
        call.management,
        application_id,
        campaign_id,
        page_request(ListQuery(page_size=1000), sortable=COUPON_SORT_FIELDS),
        CouponFilter(batch_id=created.batch_id),
    )
    data = [wire_coupon(coupon) for coupon in coupons]
    return Reply(200, CouponList(total_result_size=created.count, data=data))


def get_coupons(call: Call[None, CouponsQuery]) -> Reply:
    query = call.query
    coupons, has_more = call.services.coupons.list(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        page_request(query, sortable=COUPON_SORT_FIELDS),
        coupon_filter(query),
    )
    return Reply(200, CouponPage(has_more=has_more, data=[wire_coupon(c) for c in coupons]))


def update_coupon(call: Call[UpdateCoupon, NoQuery]) -> Reply:
    ids = (call.path["applicationId"], call.path["campaignId"], call.path["couponId"])
    current = call.services.coupons.get(call.management, *ids).properties()
    body = call.body
    properties = CouponProperties(
        usage_limit=current.usage_limit if body.usage_limit is None else body.usage_limit,
        discount_limit=body.discount_limit
        if body.discount_limit is not None
        else current.discount_limit,
        reservation_limit=body.reservation_limit
        if body.reservation_limit is not None
        else current.reservation_limit,
        start_date=body.start_date,
        expiry_date=body.expiry_date,
        limits=current.limits if body.limits is None else limits_from_wire(body.limits),
        attributes=current.attributes if body.attributes is None else body.attributes,
        recipient_integration_id=body.recipient_integration_id,
        is_reservation_mandatory=current.is_reservation_mandatory
        if body.is_reservation_mandatory is None
        else body.is_reservation_mandatory,
        implicitly_reserved=current.implicitly_reserved
        if body.implicitly_reserved is None
        else body.implicitly_reserved,
    )
    return Reply(200, wire_coupon(call.services.coupons.update(call.management, *ids, properties)))


class UpdateCouponBatch(WireStruct):
    usage_limit: UsageLimit | None = None
    discount_limit: Decimal | None = None
    reservation_limit: UsageLimit | None = None
    start_date: AwareDateTime | None = None
    expiry_date: AwareDateTime | None = None
    attributes: dict[str, Any] | None = None
    batch_id: str | None = msgspec.field(default=None, name="batchID")


class DeleteCouponsQuery(msgspec.Struct, rename="camel", kw_only=True):
    value: str | None = None
    exact_match: bool = False
    created_before: AwareDateTime | None = None
    created_after: AwareDateTime | None = None
    starts_after: AwareDateTime | None = None
    starts_before: AwareDateTime | None = None
    expires_after: AwareDateTime | None = None
    expires_before: AwareDateTime | None = None
    valid: Literal["expired", "validNow", "validFuture"] | None = None
    usable: Literal["true", "false"] | None = None
    recipient_integration_id: str | None = None
    batch_id: str | None = None
    referral_id: int | None = None


def update_coupon_batch(call: Call[UpdateCouponBatch, NoQuery]) -> Reply:
    body = call.body
    call.services.coupons.update_batch(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        body.batch_id,
        CouponBatchChanges(
            usage_limit=body.usage_limit,
            discount_limit=body.discount_limit,
            reservation_limit=body.reservation_limit,
            start_date=body.start_date,
            expiry_date=body.expiry_date,
            attributes=body.attributes,
        ),
    )
    return Reply(204)


def delete_coupons(call: Call[None, DeleteCouponsQuery]) -> Reply:
    query = call.query
    call.services.coupons.delete_matching(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        replace(
            coupon_filter(query),
            starts_after=query.starts_after,
            starts_before=query.starts_before,
            expires_after=query.expires_after,
            expires_before=query.expires_before,
            valid=query.valid,
        ),
    )
    return Reply(204)


def delete_coupon(call: Call[None, NoQuery]) -> Reply:
    call.services.coupons.delete(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        call.path["couponId"],
    )
    return Reply(204)


_COUPONS = "/v1/applications/{applicationId}/campaigns/{campaignId}/coupons"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="PUT",
        path=_COUPONS,
        operation_id="updateCouponBatch",
        summary="Update coupons of a campaign (or of one batch)",
        handler=update_coupon_batch,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=UpdateCouponBatch,
        responses={204: None, 404: None},
    ),
    Operation(
        method="DELETE",
        path=_COUPONS,
        operation_id="deleteCoupons",
        summary="Delete the coupons of a campaign that match the filters",
        handler=delete_coupons,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=DeleteCouponsQuery,
        responses={204: None, 404: None},
    ),
    Operation(
        method="POST",
        path=_COUPONS,
        operation_id="createCoupons",
        summary="Create coupons",
        handler=create_coupons,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCoupons,
        query=CreateQuery,
        responses={200: CouponList, 204: None, 404: None, 409: None},
    ),
    Operation(
        method="GET",
        path=f"{_COUPONS}/no_total",
        operation_id="getCouponsWithoutTotalCount",
        summary="List coupons",
        handler=get_coupons,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=CouponsQuery,
        responses={200: CouponPage, 404: None},
    ),
    Operation(
        method="PUT",
        path=f"{_COUPONS}/{{couponId}}",
        operation_id="updateCoupon",
        summary="Update coupon",
        handler=update_coupon,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=UpdateCoupon,
        responses={200: Coupon, 404: None},
    ),
    Operation(
        method="DELETE",
        path=f"{_COUPONS}/{{couponId}}",
        operation_id="deleteCoupon",
        summary="Delete coupon",
        handler=delete_coupon,
        auth=Auth.MANAGEMENT,
        tag="management",
        responses={204: None, 404: None},
    ),
]
