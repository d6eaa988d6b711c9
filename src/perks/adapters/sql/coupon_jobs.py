"""Coupon creation jobs in SQL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from perks.adapters.sql.documents import dump, load
from perks.adapters.sql.paging import inserted_id
from perks.adapters.sql.tables import coupon_creation_jobs
from perks.domain.campaigns import CodeGeneratorSettings
from perks.domain.coupon_jobs import CouponCreationJob, JobStatus
from perks.domain.coupons import CouponProperties

__all__ = ["SqlCouponJobRepository"]


class SqlCouponJobRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, job: CouponCreationJob) -> CouponCreationJob:
        result = self._connection.execute(
            insert(coupon_creation_jobs).values(
                application_id=job.application_id,
                campaign_id=job.campaign_id,
                batch_id=job.batch_id,
                created=job.created,
                status=str(job.status),
                number_of_coupons=job.number_of_coupons,
                created_amount=job.created_amount,
                fail_count=job.fail_count,
                errors=list(job.errors),
                request=dump(_request(job)),
            )
        )
        return CouponCreationJob(**{**_fields(job), "id": inserted_id(result)})

    def get(self, job_id: int) -> CouponCreationJob | None:
        return self._first(coupon_creation_jobs.c.id == job_id)

    def find(self, application_id: int, batch_id: str) -> CouponCreationJob | None:
        return self._first(
            coupon_creation_jobs.c.application_id == application_id,
            coupon_creation_jobs.c.batch_id == batch_id,
        )

    def claim(self, job_id: int, owner: str, *, now: datetime, until: datetime) -> bool:
        table = coupon_creation_jobs
        result = self._connection.execute(
            update(table)
            .where(
                table.c.id == job_id,
                table.c.status == str(JobStatus.PENDING),
                or_(table.c.lease_until.is_(None), table.c.lease_until <= now),
            )
            .values(lease_owner=owner, lease_until=until)
        )
        return result.rowcount == 1

    def abandoned(self, now: datetime) -> list[int]:
        table = coupon_creation_jobs
        rows = self._connection.execute(
            select(table.c.id)
            .where(
                table.c.status == str(JobStatus.PENDING),
                or_(table.c.lease_until.is_(None), table.c.lease_until <= now),
            )
            .order_by(table.c.id)
        )
        return [int(row[0]) for row in rows]

    def progress(
        self,
        job_id: int,
        owner: str,
        *,
        status: JobStatus,
        created_amount: int,
        errors: tuple[str, ...],
        until: datetime | None,
    ) -> bool:
        table = coupon_creation_jobs
        result = self._connection.execute(
            update(table)
            .where(table.c.id == job_id, table.c.lease_owner == owner)
            .values(
                status=str(status),
                created_amount=created_amount,
                fail_count=len(errors),
                errors=list(errors),
                lease_until=until,
                lease_owner=owner if until is not None else None,
            )
        )
        return result.rowcount == 1

    def _first(self, *conditions: Any) -> CouponCreationJob | None:
        row = (
            self._connection.execute(select(coupon_creation_jobs).where(*conditions))
            .mappings()
            .first()
        )
        return None if row is None else _job(row)


def _fields(job: CouponCreationJob) -> dict[str, Any]:
    return {name: getattr(job, name) for name in CouponCreationJob.__dataclass_fields__}


def _request(job: CouponCreationJob) -> dict[str, Any]:
    props = job.properties
    return {
        "validCharacters": list(job.settings.valid_characters),
        "couponPattern": job.settings.coupon_pattern,
        "usageLimit": props.usage_limit,
        "discountLimit": props.discount_limit,
        "reservationLimit": props.reservation_limit,
        "startDate": None if props.start_date is None else props.start_date.isoformat(),
        "expiryDate": None if props.expiry_date is None else props.expiry_date.isoformat(),
        "attributes": dict(props.attributes),
        "isReservationMandatory": props.is_reservation_mandatory,
        "implicitlyReserved": props.implicitly_reserved,
    }


def _job(row: RowMapping) -> CouponCreationJob:
    request: dict[str, Any] = load(row["request"])
    return CouponCreationJob(
        id=int(row["id"]),
        application_id=int(row["application_id"]),
        campaign_id=int(row["campaign_id"]),
        batch_id=row["batch_id"],
        created=row["created"],
        status=JobStatus(row["status"]),
        number_of_coupons=int(row["number_of_coupons"]),
        created_amount=int(row["created_amount"]),
        fail_count=int(row["fail_count"]),
        errors=tuple(row["errors"]),
        lease_until=row["lease_until"],
        settings=CodeGeneratorSettings(tuple(request["validCharacters"]), request["couponPattern"]),
        properties=CouponProperties(
            usage_limit=request["usageLimit"],
            discount_limit=None
            if request["discountLimit"] is None
            else Decimal(str(request["discountLimit"])),
            reservation_limit=request["reservationLimit"],
            start_date=_time(request["startDate"]),
            expiry_date=_time(request["expiryDate"]),
            attributes=request["attributes"],
            is_reservation_mandatory=request["isReservationMandatory"],
            implicitly_reserved=request["implicitlyReserved"],
        ),
    )


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
