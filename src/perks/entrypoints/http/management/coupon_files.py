"""Coupon files: importCoupons (a CSV upload) and exportCoupons (a streamed CSV download)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from perks.domain.coupon_codes import DateFormat
from perks.domain.pages import parse_sort
from perks.entrypoints.http.entities import USER_ID
from perks.entrypoints.http.management.applications import ACCOUNT_ID
from perks.entrypoints.http.management.coupons import coupon_filter
from perks.entrypoints.http.routes import Auth, Call, Operation, RawBody, Reply, Upload
from perks.entrypoints.http.wire import AwareDateTime, WireStruct
from perks.services.coupons import COUPON_SORT_FIELDS

__all__ = ["OPERATIONS"]

_CSV = "text/csv"


class Import(WireStruct):
    """``Import``: how many coupons one importCoupons call stored."""

    id: int
    created: datetime
    account_id: int
    user_id: int
    entity: str
    amount: int


class ImportQuery(msgspec.Struct, rename="camel", kw_only=True):
    skip_duplicates: bool = False


class ExportQuery(msgspec.Struct, rename="camel", kw_only=True):
    campaign_id: int | None = None
    sort: str | None = None
    value: str | None = None
    exact_match: bool = False
    created_before: AwareDateTime | None = None
    created_after: AwareDateTime | None = None
    usable: Literal["true", "false"] | None = None
    referral_id: int | None = None
    recipient_integration_id: str | None = None
    batch_id: str | None = None
    date_format: DateFormat = DateFormat.ISO8601
    values_only: bool = False


def import_coupons(call: Call[str, ImportQuery]) -> Reply:
    imported = call.services.coupons.import_coupons(
        call.management,
        call.path["applicationId"],
        call.path["campaignId"],
        call.body,
        skip_duplicates=call.query.skip_duplicates,
    )
    # No import is recorded apart from its coupons' batch, so the import has no id of its own.
    body = Import(
        id=0,
        created=imported.created,
        account_id=ACCOUNT_ID,
        user_id=USER_ID,
        entity="Coupon",
        amount=imported.amount,
    )
    return Reply(200, body)


def export_coupons(call: Call[None, ExportQuery]) -> Reply:
    query = call.query
    chunks = call.services.coupons.export_coupons(
        call.management,
        call.path["applicationId"],
        coupon_filter(query),
        campaign_id=query.campaign_id,
        date_format=query.date_format,
        values_only=query.values_only,
        sort=parse_sort(query.sort, allowed=COUPON_SORT_FIELDS),
    )
    return Reply(200, text=chunks, media_type=_CSV)


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path="/v1/applications/{applicationId}/campaigns/{campaignId}/import_coupons",
        operation_id="importCoupons",
        summary="Import coupons",
        description="Upload a CSV file (multipart part `upFile`) of the coupons to create.",
        handler=import_coupons,
        auth=Auth.MANAGEMENT,
        tag="management",
        upload=Upload("upFile", media_type=_CSV),
        query=ImportQuery,
        responses={200: Import, 404: None},
    ),
    Operation(
        method="GET",
        path="/v1/applications/{applicationId}/export_coupons",
        operation_id="exportCoupons",
        summary="Export coupons",
        description="Download the coupons that match the filters as CSV.",
        handler=export_coupons,
        auth=Auth.MANAGEMENT,
        tag="management",
        query=ExportQuery,
        responses={200: RawBody(_CSV, format="csv"), 404: None},
    ),
]
