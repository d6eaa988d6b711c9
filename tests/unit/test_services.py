"""Services through the composition root with fakes: transactions and key handling."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from perks.adapters.sql.database import SqlDatabase
from perks.bootstrap import Services, compose
from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupon_jobs import JobStatus
from perks.domain.coupons import CouponProperties
from perks.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from perks.domain.pages import PageRequest
from perks.services.api_keys import IntegrationKeyRequest, ManagementKeyRequest
from perks.services.coupons import NewCoupons
from perks.services.ports import CouponFilter
from perks.services.principals import OPERATOR
from tests.fakes import FakeStore, FixedClock, InlineJobs

SPEC = ApplicationSpec(name="shop", timezone="UTC", currency="EUR")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def process(store: FakeStore, clock: FixedClock) -> Services:
    """One perks process on the shared fake database; keys cached for five seconds."""
    # The SQL database is never touched: every use case runs on the fake.
    return compose(
        SqlDatabase("sqlite://"),
        store,
        clock,
        last_used_resolution=timedelta(minutes=1),
        key_cache_ttl=timedelta(seconds=5),
        jobs=InlineJobs(),
    )


@pytest.fixture
def services(store: FakeStore, clock: FixedClock) -> Services:
    return process(store, clock)


def test_invalid_input_commits_nothing(services: Services, store: FakeStore) -> None:
    with pytest.raises(InvalidInput):
        services.applications.create(OPERATOR, ApplicationSpec("x", "Nowhere", "EUR"))
    assert store.commits == 0


def test_last_used_is_written_once_per_resolution(
    services: Services, store: FakeStore, clock: FixedClock
) -> None:
    app = services.applications.create(OPERATOR, SPEC)
    created = services.api_keys.create_integration_key(
        app.id, IntegrationKeyRequest("t", clock.now() + timedelta(days=1)), OPERATOR
    )
    commits = store.commits
    for _ in range(5):
        principal = services.api_keys.authenticate_integration(created.secret)
    assert principal.application_id == app.id
    assert store.commits == commits + 1
    clock.advance(timedelta(minutes=2))
    services.api_keys.authenticate_integration(created.secret)
    assert store.commits == commits + 2


def test_unknown_keys_are_unauthenticated(services: Services) -> None:
    with pytest.raises(Unauthenticated):
        services.api_keys.authenticate_integration("nope")
    with pytest.raises(Unauthenticated):
        services.api_keys.authenticate_management("nope")


def test_ensure_management_key(services: Services, clock: FixedClock) -> None:
    request = ManagementKeyRequest("boot", clock.now() + timedelta(days=1))
    assert not services.api_keys.has_usable_management_key()
    assert services.api_keys.ensure_management_key("s" * 32, request) is True
    assert services.api_keys.ensure_management_key("s" * 32, request) is False
    assert services.api_keys.has_usable_management_key()
    clock.advance(timedelta(days=2))
    with pytest.raises(Conflict):
        services.api_keys.ensure_management_key("s" * 32, request)


def test_management_key_expiry_must_be_in_the_future(services: Services, clock: FixedClock) -> None:
    with pytest.raises(InvalidInput) as error:
        services.api_keys.create_management_key(ManagementKeyRequest("k", clock.now()))
    assert error.value.problems[0].location == "/expiryDate"


def test_keys_of_missing_applications(services: Services, clock: FixedClock) -> None:
    request = IntegrationKeyRequest("t", clock.now() + timedelta(days=1))
    with pytest.raises(NotFound):
        services.api_keys.create_integration_key(7, request, OPERATOR)
    with pytest.raises(NotFound):
        services.api_keys.revoke_integration_key(7, 1, OPERATOR)


def test_a_key_revoked_elsewhere_stops_working_within_the_cache_time(
    store: FakeStore, clock: FixedClock
) -> None:
    """Two processes share the database; each caches keys for five seconds."""
    first, second = process(store, clock), process(store, clock)
    app = first.applications.create(OPERATOR, SPEC)
    created = first.api_keys.create_integration_key(
        app.id, IntegrationKeyRequest("t", clock.now() + timedelta(days=1)), OPERATOR
    )
    first.api_keys.authenticate_integration(created.secret)
    second.api_keys.revoke_integration_key(app.id, created.key.id, OPERATOR)
    with pytest.raises(Unauthenticated):
        second.api_keys.authenticate_integration(created.secret)
    first.api_keys.authenticate_integration(created.secret)  # still cached here
    clock.advance(timedelta(seconds=5))
    with pytest.raises(Unauthenticated):
        first.api_keys.authenticate_integration(created.secret)


def test_deleting_an_application_drops_its_cached_keys(
    services: Services, clock: FixedClock
) -> None:
    app = services.applications.create(OPERATOR, SPEC)
    created = services.api_keys.create_integration_key(
        app.id, IntegrationKeyRequest("t", clock.now() + timedelta(days=1)), OPERATOR
    )
    services.api_keys.authenticate_integration(created.secret)
    services.applications.delete(OPERATOR, app.id)
    with pytest.raises(Unauthenticated):
        services.api_keys.authenticate_integration(created.secret)


def test_updating_an_application_keeps_its_hmac_key(services: Services, store: FakeStore) -> None:
    app = services.applications.create(OPERATOR, replace(SPEC, key="0123456789abcdef"))
    services.applications.update(OPERATOR, app.id, replace(SPEC, name="renamed"))
    stored = services.applications.get(OPERATOR, app.id)
    assert (stored.name, stored.key) == ("renamed", "0123456789abcdef")


def _campaign_for_codes(services: Services) -> tuple[int, int]:
    app = services.applications.create(OPERATOR, SPEC)
    campaign = services.campaigns.create(OPERATOR, app.id, CampaignSpec(name="codes"))
    return app.id, campaign.id


def test_a_coupon_creation_job_stores_its_codes_chunk_by_chunk(services: Services) -> None:
    app_id, campaign_id = _campaign_for_codes(services)
    job = services.coupon_jobs.create(
        OPERATOR,
        app_id,
        campaign_id,
        NewCoupons(
            number_of_coupons=25_000,
            properties=CouponProperties(usage_limit=1),
            coupon_pattern="JOB-########",
        ),
    )
    done = services.coupon_jobs.get(OPERATOR, app_id, job.batch_id)
    assert (done.status, done.created_amount, done.errors) == (JobStatus.COMPLETED, 25_000, ())
    coupons, more = services.coupons.list(
        OPERATOR,
        app_id,
        campaign_id,
        PageRequest(page_size=1000),
        CouponFilter(batch_id=job.batch_id),
    )
    assert len(coupons) == 1000
    assert more is True
    with pytest.raises(NotFound):
        services.coupon_jobs.get(OPERATOR, app_id, "no-such-batch")


def test_a_job_whose_code_space_fills_up_says_so(services: Services) -> None:
    app_id, campaign_id = _campaign_for_codes(services)
    taken = NewCoupons(
        number_of_coupons=40,
        properties=CouponProperties(usage_limit=1),
        coupon_pattern="P-##",
        valid_characters=list("ABCDEFGHIJ"),  # 100 codes
    )
    services.coupons.create(OPERATOR, app_id, campaign_id, taken)
    services.coupons.create(OPERATOR, app_id, campaign_id, taken)
    job = services.coupon_jobs.create(
        OPERATOR, app_id, campaign_id, replace(taken, number_of_coupons=30)
    )
    done = services.coupon_jobs.get(OPERATOR, app_id, job.batch_id)
    assert done.status is JobStatus.PATTERN_FULL
    # The generator gives up after 200 draws in a row find nothing new: at most the 20 codes
    # left, and what it stored is kept (the job's count matches the stored coupons).
    assert 0 < done.created_amount <= 20
    assert done.errors
    stored, _ = services.coupons.list(
        OPERATOR, app_id, campaign_id, PageRequest(), CouponFilter(batch_id=job.batch_id)
    )
    assert len(stored) == done.created_amount
