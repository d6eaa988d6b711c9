"""createCouponsAsync jobs cut off by a stopped process are resumed, by one process only, with
exactly the codes they lacked (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.bootstrap import Services, compose
from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupon_codes import CodeCreation, generate_codes, parse_code_request
from perks.domain.coupon_jobs import CouponCreationJob, JobStatus
from perks.domain.coupons import CouponProperties
from perks.domain.pages import PageRequest
from perks.services.coupon_jobs import LEASE
from perks.services.coupons import CodeTarget, NewCoupons, store_chunk
from perks.services.ports import CouponFilter
from perks.services.principals import OPERATOR
from tests.fakes import FixedClock, HeldJobs

COUNT = 25_000


@dataclass
class World:
    services: Services
    uow: SqlUnitOfWorkFactory
    clock: FixedClock
    jobs: HeldJobs
    application_id: int
    campaign_id: int


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    database = SqlDatabase(database_url)
    uow = SqlUnitOfWorkFactory(database.engine)
    clock = FixedClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    jobs = HeldJobs()
    services = compose(
        database,
        uow,
        clock,
        last_used_resolution=timedelta(minutes=1),
        key_cache_ttl=timedelta(minutes=1),
        jobs=jobs,
    )
    application = services.applications.create(
        OPERATOR, ApplicationSpec(name="shop", timezone="UTC", currency="EUR")
    )
    campaign = services.campaigns.create(OPERATOR, application.id, CampaignSpec(name="c"))
    yield World(services, uow, clock, jobs, application.id, campaign.id)
    database.dispose()


def _start(world: World) -> CouponCreationJob:
    request = NewCoupons(
        number_of_coupons=COUNT,
        properties=CouponProperties(usage_limit=1),
        coupon_pattern="JOB-#######",
    )
    job = world.services.coupon_jobs.create(
        OPERATOR, world.application_id, world.campaign_id, request
    )
    assert len(world.jobs.held) == 1  # the process stops before it runs
    world.jobs.held.clear()
    return job


def _cut_off_after_one_chunk(world: World, job: CouponCreationJob) -> None:
    """What a process leaves when it stops after its first chunk: 10,000 codes stored, the
    progress recorded, the lease still running."""
    now = world.clock.now()
    with world.uow(write=True) as uow:
        assert uow.coupon_jobs.claim(job.id, "stopped", now=now, until=now + LEASE)
        request = parse_code_request(
            coupon_pattern=job.settings.coupon_pattern,
            valid_characters=job.settings.valid_characters,
            number_of_coupons=COUNT,
            creation=CodeCreation.ASYNC,
        )
        codes = generate_codes(request.settings, request.count)
        target = CodeTarget(job.application_id, job.campaign_id, job.properties, job.batch_id, now)
        stored = store_chunk(uow, target, next(codes), codes)
        assert uow.coupon_jobs.progress(
            job.id,
            "stopped",
            status=JobStatus.PENDING,
            created_amount=stored,
            errors=(),
            until=now + LEASE,
        )
        uow.commit()


def _batch_size(world: World, batch_id: str) -> int:
    count, skip = 0, 0
    while True:
        page = PageRequest(page_size=1000, skip=skip)
        coupons, more = world.services.coupons.list(
            OPERATOR, world.application_id, world.campaign_id, page, CouponFilter(batch_id=batch_id)
        )
        count += len(coupons)
        skip += len(coupons)
        if not more:
            return count


def _poll(world: World, job: CouponCreationJob) -> CouponCreationJob:
    return world.services.coupon_jobs.get(OPERATOR, world.application_id, job.batch_id)


def test_a_job_never_started_is_resumed_at_start_up(world: World) -> None:
    job = _start(world)
    assert world.services.coupon_jobs.resume() == [job.id]
    assert world.jobs.run_all() == 1
    done = _poll(world, job)
    assert (done.status, done.created_amount) == (JobStatus.COMPLETED, COUNT)
    assert _batch_size(world, job.batch_id) == COUNT
    assert world.services.coupon_jobs.resume() == []


def test_a_job_cut_off_is_resumed_once_its_lease_runs_out(world: World) -> None:
    job = _start(world)
    _cut_off_after_one_chunk(world, job)

    polled = _poll(world, job)
    assert (polled.status, polled.created_amount) == (JobStatus.PENDING, 10_000)
    assert world.jobs.held == []  # its lease runs: the stopped process may still be alive
    assert world.services.coupon_jobs.resume() == []

    world.clock.advance(LEASE)
    _poll(world, job)
    _poll(world, job)
    assert len(world.jobs.held) == 2  # two polls ask; one run gets the lease
    world.jobs.run_all()
    done = _poll(world, job)
    assert (done.status, done.created_amount, done.errors) == (JobStatus.COMPLETED, COUNT, ())
    assert _batch_size(world, job.batch_id) == COUNT


def test_a_run_that_lost_its_lease_writes_nothing(world: World) -> None:
    job = _start(world)
    now = world.clock.now()
    later = now + LEASE + timedelta(seconds=1)
    with world.uow(write=True) as uow:
        assert uow.coupon_jobs.claim(job.id, "first", now=now, until=now + LEASE)
        assert not uow.coupon_jobs.claim(job.id, "second", now=now, until=now + LEASE)
        assert uow.coupon_jobs.claim(job.id, "second", now=later, until=later + LEASE)
        for owner, kept in (("first", False), ("second", True)):
            written = uow.coupon_jobs.progress(
                job.id,
                owner,
                status=JobStatus.PENDING,
                created_amount=5,
                errors=(),
                until=later + LEASE,
            )
            assert written is kept
        uow.commit()
    assert _poll(world, job).created_amount == 5
    world.services.coupon_jobs.run(job.id)  # the lease is second's: this run stops at once
    assert _poll(world, job).created_amount == 5
    assert _batch_size(world, job.batch_id) == 0
