"""createCouponsAsync: a job generates the codes after the answer; its status is polled."""

from __future__ import annotations

import time
from typing import Any

from tests.api.conftest import Api, envelope, sources
from tests.api.test_coupons import campaign_path

JOB: dict[str, Any] = {
    "usageLimit": 1,
    "numberOfCoupons": 30_000,
    "couponSettings": {"couponPattern": "BULK-########", "validCharacters": list("ABCDEF123456")},
    "attributes": {"source": "bulk"},
}
POLL_SECONDS = 0.05
POLL_LIMIT_SECONDS = 120.0


def wait_for(api: Api, base: str, batch_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + POLL_LIMIT_SECONDS
    while True:
        job = api.get(f"{base}/coupon_creation_jobs", params={"batchId": batch_id})
        assert job.status_code == 200, job.text
        if job.json()["status"] != "pending" or time.monotonic() > deadline:
            return job.json()  # type: ignore[no-any-return]
        time.sleep(POLL_SECONDS)


def test_a_job_creates_the_codes_and_reports_its_progress(api: Api) -> None:
    campaign = campaign_path(api)
    base = campaign.split("/campaigns/")[0]
    started = api.post(f"{campaign}/coupons_async", JOB)
    assert started.status_code == 200, started.text
    batch_id = started.json()["batchId"]
    job = wait_for(api, base, batch_id)
    assert job["status"] == "completed", job
    assert (job["createdAmount"], job["failCount"], job["errors"]) == (30_000, 0, [])
    assert job["couponSettings"]["couponPattern"] == "BULK-########"
    page = api.get(f"{campaign}/coupons/no_total", params={"batchId": batch_id, "pageSize": "5"})
    assert page.json()["hasMore"] is True
    assert all(c["attributes"] == {"source": "bulk"} for c in page.json()["data"])


def test_a_bad_job_is_refused_before_it_starts(api: Api) -> None:
    campaign = campaign_path(api)
    small = {**JOB, "couponSettings": {"couponPattern": "X-##", "validCharacters": ["A", "B"]}}
    refused = envelope(api.post(f"{campaign}/coupons_async", small), 400)
    assert sources(refused) == ["/numberOfCoupons"]
    too_many = {**JOB, "numberOfCoupons": 5_000_001}
    assert sources(envelope(api.post(f"{campaign}/coupons_async", too_many), 400)) == [
        "/numberOfCoupons"
    ]
    base = campaign.split("/campaigns/")[0]
    envelope(api.get(f"{base}/coupon_creation_jobs", params={"batchId": "nope"}), 404)
