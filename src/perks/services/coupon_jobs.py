"""``createCouponsAsync``: up to 5,000,000 codes, generated after the answer in chunks of
10,000, each chunk stored in its own transaction, the job's progress recorded after each."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Generator
from dataclasses import replace
from datetime import timedelta
from functools import partial

from perks.domain.applications import CaseSensitivity
from perks.domain.campaigns import CodeGeneratorSettings
from perks.domain.coupon_codes import CodeCreation, generate_codes, parse_code_request
from perks.domain.coupon_jobs import CouponCreationJob, JobStatus
from perks.domain.coupons import validate_coupon_properties
from perks.domain.errors import Conflict, NotFound
from perks.services.coupons import CodeSpaceFull, CodeTarget, NewCoupons, store_chunk
from perks.services.lookups import require_application, require_campaign
from perks.services.ports import BackgroundJobs, Clock, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = ["LEASE", "CouponJobService"]

# A run renews its lease with every chunk (10,000 codes take well under a second); a job whose
# lease ran out was cut off, and the next poll or start-up resumes it.
LEASE = timedelta(seconds=60)


class CouponJobService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, jobs: BackgroundJobs) -> None:
        self._uow = uow
        self._clock = clock
        self._jobs = jobs

    def create(
        self,
        principal: ManagementPrincipal,
        application_id: int,
        campaign_id: int,
        request: NewCoupons,
    ) -> CouponCreationJob:
        """Check the request, record the job, answer; the codes are generated afterwards."""
        principal.require_application(application_id)
        validate_coupon_properties(request.properties, many=True)
        with self._uow(write=True) as uow:
            sensitivity = require_application(uow, application_id).case_sensitivity
            require_campaign(uow, application_id, campaign_id)
            code_request = parse_code_request(
                coupon_pattern=request.coupon_pattern,
                valid_characters=request.valid_characters,
                number_of_coupons=request.number_of_coupons,
                creation=CodeCreation.ASYNC,
                case_sensitivity=sensitivity,
                settings_at="/couponSettings",
            )
            settings = code_request.settings
            job = uow.coupon_jobs.add(
                CouponCreationJob(
                    application_id=application_id,
                    campaign_id=campaign_id,
                    batch_id=secrets.token_hex(8),
                    number_of_coupons=code_request.count,
                    settings=CodeGeneratorSettings(settings.characters, settings.pattern),
                    properties=request.properties,
                    created=self._clock.now(),
                )
            )
            uow.commit()
        self._jobs.submit(lambda: self.run(job.id))
        return job

    def get(
        self, principal: ManagementPrincipal, application_id: int, batch_id: str
    ) -> CouponCreationJob:
        """The job; one left pending by a process that stopped is resumed here."""
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_application(uow, application_id)
            job = uow.coupon_jobs.find(application_id, batch_id)
        if job is None:
            raise NotFound("coupon creation job", batch_id)
        if job.abandoned(self._clock.now()):
            self._jobs.submit(lambda: self.run(job.id))
        return job

    def resume(self) -> list[int]:
        """Resume every job whose process stopped before it finished (at start-up)."""
        with self._uow(write=False) as uow:
            abandoned = uow.coupon_jobs.abandoned(self._clock.now())
        for job_id in abandoned:
            self._jobs.submit(partial(self.run, job_id))
        return abandoned

    def run(self, job_id: int) -> None:
        """Generate and store the codes the job still lacks, one transaction per chunk, while
        this run holds the job's lease; never raises."""
        owner = secrets.token_hex(8)
        with self._uow(write=True) as uow:
            now = self._clock.now()
            claimed = uow.coupon_jobs.claim(job_id, owner, now=now, until=now + LEASE)
            job = uow.coupon_jobs.get(job_id)
            application = None if job is None else uow.applications.get(job.application_id)
            uow.commit()
        if not claimed or job is None or application is None:
            return
        try:
            self._generate(job, owner, application.case_sensitivity)
        except Conflict as error:  # the code space ran out before a chunk began
            self._finish(job, owner, JobStatus.PATTERN_FULL, (error.details,))
        except _LeaseLost:
            return
        except Exception as error:
            self._finish(job, owner, JobStatus.FAILED, (f"{type(error).__name__}: {error}",))

    def _generate(self, job: CouponCreationJob, owner: str, sensitivity: CaseSensitivity) -> None:
        remaining = job.number_of_coupons - job.created_amount
        if remaining > 0:
            code_request = parse_code_request(
                coupon_pattern=job.settings.coupon_pattern,
                valid_characters=job.settings.valid_characters,
                number_of_coupons=remaining,
                creation=CodeCreation.ASYNC,
                case_sensitivity=sensitivity,
            )
            codes = generate_codes(code_request.settings, code_request.count)
            target = CodeTarget(
                job.application_id, job.campaign_id, job.properties, job.batch_id, job.created
            )
            for chunk in codes:
                job, full = self._store(job, owner, target, chunk, codes)
                if full is not None:
                    self._finish(job, owner, JobStatus.PATTERN_FULL, (full.details,))
                    return
        self._finish(job, owner, JobStatus.COMPLETED, ())

    def _store(
        self,
        job: CouponCreationJob,
        owner: str,
        target: CodeTarget,
        chunk: list[str],
        codes: Generator[list[str], Collection[str] | None, None],
    ) -> tuple[CouponCreationJob, CodeSpaceFull | None]:
        """One chunk and the job's progress in one transaction, or nothing if the lease was
        lost (another process resumed the job meanwhile)."""
        with self._uow(write=True) as uow:
            full: CodeSpaceFull | None = None
            try:
                stored = store_chunk(uow, target, chunk, codes)
            except CodeSpaceFull as error:  # keep what the chunk stored
                full, stored = error, error.stored
            job = replace(job, created_amount=job.created_amount + stored)
            kept = uow.coupon_jobs.progress(
                job.id,
                owner,
                status=JobStatus.PENDING,
                created_amount=job.created_amount,
                errors=(),
                until=self._clock.now() + LEASE,
            )
            if not kept:
                raise _LeaseLost
            uow.commit()
        return job, full

    def _finish(
        self, job: CouponCreationJob, owner: str, status: JobStatus, errors: tuple[str, ...]
    ) -> None:
        with self._uow(write=True) as uow:
            if uow.coupon_jobs.progress(
                job.id,
                owner,
                status=status,
                created_amount=job.created_amount,
                errors=errors,
                until=None,
            ):
                uow.commit()


class _LeaseLost(Exception):
    """Another run holds the job now; this one stops without writing."""
