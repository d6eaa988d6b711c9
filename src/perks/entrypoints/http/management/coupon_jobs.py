"""createCouponsAsync, and the job it starts (getCouponCreationJob: ours, by batch ID)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from perks.domain.coupon_jobs import CouponCreationJob as DomainJob
from perks.domain.coupon_jobs import JobStatus
from perks.domain.coupons import MAX_USAGE_LIMIT, CouponProperties
from perks.entrypoints.http.entities import (
    USER_ID,
    CodeGeneratorSettings,
    settings_to_wire,
)
from perks.entrypoints.http.management.applications import ACCOUNT_ID
from perks.entrypoints.http.routes import Auth, Call, NoQuery, Operation, Reply
from perks.entrypoints.http.wire import AwareDateTime, WireStruct
from perks.services.coupons import NewCoupons

__all__ = ["OPERATIONS"]

UsageLimit = Annotated[int, msgspec.Meta(ge=0, le=MAX_USAGE_LIMIT)]


class NewCouponCreationJob(WireStruct):
    usage_limit: UsageLimit
    number_of_coupons: Annotated[int, msgspec.Meta(ge=1)]
    coupon_settings: CodeGeneratorSettings
    attributes: dict[str, Any]
    discount_limit: Decimal | None = None
    reservation_limit: UsageLimit | None = None
    start_date: AwareDateTime | None = None
    expiry_date: AwareDateTime | None = None
    is_reservation_mandatory: bool = False


class AsyncCouponCreationResponse(WireStruct):
    batch_id: str


class CouponCreationJob(WireStruct, omit_defaults=True):
    id: int
    created: datetime
    campaign_id: int
    application_id: int
    account_id: int
    created_by: int
    usage_limit: int
    number_of_coupons: int
    coupon_settings: CodeGeneratorSettings
    attributes: dict[str, Any]
    batch_id: str
    status: JobStatus
    created_amount: int
    fail_count: int
    errors: list[str]
    is_reservation_mandatory: bool = False
    discount_limit: Decimal | None = None
    reservation_limit: int | None = None
    start_date: AwareDateTime | None = None
    expiry_date: AwareDateTime | None = None


class JobQuery(msgspec.Struct, rename="camel", kw_only=True):
    batch_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


def _wire(job: DomainJob) -> CouponCreationJob:
    props = job.properties
    return CouponCreationJob(
        id=job.id,
        created=job.created,
        campaign_id=job.campaign_id,
        application_id=job.application_id,
        account_id=ACCOUNT_ID,
        created_by=USER_ID,
        usage_limit=props.usage_limit,
        number_of_coupons=job.number_of_coupons,
        coupon_settings=settings_to_wire(job.settings),
        attributes=dict(props.attributes),
        batch_id=job.batch_id,
        status=job.status,
        created_amount=job.created_amount,
        fail_count=job.fail_count,
        errors=list(job.errors),
        is_reservation_mandatory=props.is_reservation_mandatory,
        discount_limit=props.discount_limit,
        reservation_limit=props.reservation_limit,
        start_date=props.start_date,
        expiry_date=props.expiry_date,
    )


def create_coupons_async(call: Call[NewCouponCreationJob, NoQuery]) -> Reply:
    body = call.body
    job = call.services.coupon_jobs.create(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        NewCoupons(
            number_of_coupons=body.number_of_coupons,
            properties=CouponProperties(
                usage_limit=body.usage_limit,
                discount_limit=body.discount_limit,
                reservation_limit=body.reservation_limit,
                start_date=body.start_date,
                expiry_date=body.expiry_date,
                attributes=body.attributes,
                is_reservation_mandatory=body.is_reservation_mandatory,
            ),
            coupon_pattern=body.coupon_settings.coupon_pattern,
            valid_characters=body.coupon_settings.valid_characters,
        ),
    )
    return Reply(200, AsyncCouponCreationResponse(batch_id=job.batch_id))


def get_coupon_creation_job(call: Call[None, JobQuery]) -> Reply:
    job = call.services.coupon_jobs.get(
        call.management, call.path["applicationId"], call.query.batch_id
    )
    return Reply(200, _wire(job))


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path="/v1/applications/{applicationId}/campaigns/{campaignId}/coupons_async",
        operation_id="createCouponsAsync",
        summary="Create coupons asynchronously",
        handler=create_coupons_async,
        auth=Auth.MANAGEMENT,
        tag="management",
        body=NewCouponCreationJob,
        responses={200: AsyncCouponCreationResponse, 404: None},
    ),
    Operation(
        method="GET",
        path="/v1/applications/{applicationId}/coupon_creation_jobs",
        operation_id="getCouponCreationJob",
        summary="Get a coupon creation job by its batch ID (perks)",
        handler=get_coupon_creation_job,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=JobQuery,
        responses={200: CouponCreationJob, 404: None},
    ),
]
