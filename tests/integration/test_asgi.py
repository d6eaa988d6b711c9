"""The ASGI factory uvicorn workers use: settings from the environment, lifespan tuning."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import structlog
from starlette.testclient import TestClient

from perks.adapters.clock import SystemClock
from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.bootstrap import compose
from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupon_jobs import JobStatus
from perks.domain.coupons import CouponProperties
from perks.entrypoints.asgi import create
from perks.services.coupons import NewCoupons
from perks.services.principals import OPERATOR
from tests.fakes import HeldJobs


@pytest.fixture
def restored_gc() -> Iterator[None]:
    """create() tunes the process: undo it for the tests that follow."""
    thresholds = gc.get_threshold()
    handlers = list(logging.getLogger().handlers)
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)


def test_factory_reads_the_environment_and_tunes_the_gc(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    database = SqlDatabase(sqlite_url)
    database.migrate()
    database.dispose()
    monkeypatch.setenv("PERKS_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PERKS_MAX_BODY_BYTES", "2048")
    app = create()
    with TestClient(app) as client:
        assert gc.get_threshold()[0] == 50_000
        assert gc.get_freeze_count() > 0
        assert client.get("/ready").json() == {"status": "ready"}
        too_big = client.post(
            "/v1/applications",
            content=b"x" * 4096,
            headers={"Content-Type": "application/json"},
        )
        assert too_big.status_code == 413


def test_start_up_resumes_coupon_jobs_a_stopped_process_left(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, restored_gc: None
) -> None:
    database = SqlDatabase(sqlite_url)
    database.migrate()
    stopped = compose(
        database,
        SqlUnitOfWorkFactory(database.engine),
        SystemClock(),
        last_used_resolution=timedelta(minutes=1),
        key_cache_ttl=timedelta(minutes=1),
        jobs=HeldJobs(),  # the process stops before running it
    )
    application = stopped.applications.create(
        OPERATOR, ApplicationSpec(name="shop", timezone="UTC", currency="EUR")
    )
    campaign = stopped.campaigns.create(OPERATOR, application.id, CampaignSpec(name="c"))
    request = NewCoupons(
        number_of_coupons=3000,
        properties=CouponProperties(usage_limit=1),
        coupon_pattern="UP-######",
    )
    job = stopped.coupon_jobs.create(OPERATOR, application.id, campaign.id, request)

    monkeypatch.setenv("PERKS_DATABASE_URL", sqlite_url)
    with TestClient(create()):
        status = None
        for _ in range(200):  # bounded: at most 10 s
            # Polled where held work never runs: only the started app can finish the job.
            status = stopped.coupon_jobs.get(OPERATOR, application.id, job.batch_id).status
            if status is not JobStatus.PENDING:
                break
            time.sleep(0.05)
    database.dispose()
    assert status is JobStatus.COMPLETED
