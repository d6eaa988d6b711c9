"""``createCouponsAsync``: up to 5,000,000 codes, generated after the answer in chunks of
10,000, each chunk stored in its own transaction, the job's progress recorded after each."""

from __future__ import annotations

import secrets
from dataclasses import replace

from perks.domain.campaigns import CodeGeneratorSettings
from perks.domain.coupon_codes import CodeCreation, generate_codes, parse_code_request
from perks.domain.coupon_jobs import CouponCreationJob, JobStatus
from perks.domain.coupons import validate_coupon_properties
from perks.domain.errors import Conflict, NotFound
from perks.services.coupons import CodeSpaceFull, CodeTarget, NewCoupons, store_chunk
from perks.services.lookups import require_application, require_campaign
from perks.services.ports import BackgroundJobs, Clock, UnitOfWorkFactory
from perks.services.principals import ManagementPrincipal

__all__ = ["CouponJobService"]


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
        principal.require_application(application_id)
        with self._uow(write=False) as uow:
            require_application(uow, application_id)
            job = uow.coupon_jobs.find(application_id, batch_id)
        if job is None:
            raise NotFound("coupon creation job", batch_id)
        return job

    def run(self, job_id: int) -> None:
        """Generate and store the job's codes, one transaction per chunk; never raises."""
        with self._uow(write=False) as uow:
            job = uow.coupon_jobs.get(job_id)
            application = None if job is None else uow.applications.get(job.application_id)
        if job is None or application is None:
            return
        try:
            code_request = parse_code_request(
                coupon_pattern=job.settings.coupon_pattern,
                valid_characters=job.settings.valid_characters,
                number_of_coupons=job.number_of_coupons,
                creation=CodeCreation.ASYNC,
                case_sensitivity=application.case_sensitivity,
            )
            codes = generate_codes(code_request.settings, code_request.count)
            target = CodeTarget(
                job.application_id, job.campaign_id, job.properties, job.batch_id, job.created
            )
            for chunk in codes:
                with self._uow(write=True) as uow:
                    full: CodeSpaceFull | None = None
                    try:
                        stored = store_chunk(uow, target, chunk, codes)
                    except CodeSpaceFull as error:  # keep what the chunk stored
                        full, stored = error, error.stored
                    job = replace(job, created_amount=job.created_amount + stored)
                    uow.coupon_jobs.progress(
                        job.id,
                        status=JobStatus.PENDING,
                        created_amount=job.created_amount,
                        errors=(),
                    )
                    uow.commit()
                if full is not None:
                    self._finish(job, JobStatus.PATTERN_FULL, (full.details,))
                    return
            self._finish(job, JobStatus.COMPLETED, ())
        except Conflict as error:  # the code space ran out before a chunk began
            self._finish(job, JobStatus.PATTERN_FULL, (error.details,))
        except Exception as error:
            self._finish(job, JobStatus.FAILED, (f"{type(error).__name__}: {error}",))

    def _finish(self, job: CouponCreationJob, status: JobStatus, errors: tuple[str, ...]) -> None:
        with self._uow(write=True) as uow:
            uow.coupon_jobs.progress(
                job.id, status=status, created_amount=job.created_amount, errors=errors
            )
            uow.commit()
