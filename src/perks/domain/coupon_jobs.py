"""Coupon creation jobs: ``createCouponsAsync`` generates up to 5,000,000 codes in chunks,
each chunk committed on its own, and reports its progress (Talon.One's ``CouponCreationJob``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from perks.domain.campaigns import CodeGeneratorSettings
from perks.domain.coupons import CouponProperties

__all__ = ["CouponCreationJob", "JobStatus"]


class JobStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    PATTERN_FULL = "coupon pattern full"


@dataclass(frozen=True, slots=True)
class CouponCreationJob:
    application_id: int
    campaign_id: int
    batch_id: str
    number_of_coupons: int
    settings: CodeGeneratorSettings
    properties: CouponProperties
    created: datetime
    id: int = 0
    status: JobStatus = JobStatus.PENDING
    created_amount: int = 0
    fail_count: int = 0
    errors: tuple[str, ...] = field(default=())
    lease_until: datetime | None = None  # while a process generates the codes

    def abandoned(self, now: datetime) -> bool:
        """Pending, and nobody is generating its codes (the process was cut off)."""
        return self.status is JobStatus.PENDING and (
            self.lease_until is None or self.lease_until <= now
        )
