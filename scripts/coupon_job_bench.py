"""Time and memory of a createCouponsAsync job end to end: the codes generated, checked against
the database and stored chunk by chunk, with the job's progress (issue #4).

    .venv/bin/python scripts/coupon_job_bench.py [count] [database-url]

Without a URL, a fresh SQLite file in a temporary directory. The job runs in this process, as
the serving process's background thread would run it; the figures are its wall time and the
growth of the peak resident set.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from perks.adapters.clock import SystemClock
from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.bootstrap import compose
from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupons import CouponProperties
from perks.services.coupons import NewCoupons
from perks.services.principals import OPERATOR

MIB = 1024 * 1024


class _Later:
    def __init__(self) -> None:
        self.work: list[Callable[[], None]] = []

    def submit(self, work: Callable[[], None]) -> None:
        self.work.append(work)


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def main(count: int, url: str) -> None:
    database = SqlDatabase(url)
    database.migrate()
    jobs = _Later()
    services = compose(
        database,
        SqlUnitOfWorkFactory(database.engine),
        SystemClock(),
        last_used_resolution=timedelta(minutes=1),
        key_cache_ttl=timedelta(minutes=1),
        jobs=jobs,
    )
    spec = ApplicationSpec(name="bench", timezone="UTC", currency="EUR")
    application = services.applications.create(OPERATOR, spec)
    campaign = services.campaigns.create(OPERATOR, application.id, CampaignSpec(name="bench"))
    request = NewCoupons(
        number_of_coupons=count,
        properties=CouponProperties(usage_limit=1),
        coupon_pattern="########",
    )
    job = services.coupon_jobs.create(OPERATOR, application.id, campaign.id, request)
    before = _peak_rss()
    started = time.perf_counter()
    for work in jobs.work:
        work()
    elapsed = time.perf_counter() - started
    done = services.coupon_jobs.get(OPERATOR, application.id, job.batch_id)
    assert done.created_amount == count, done
    print(
        f"{count:,} codes of ######## on {database.display_url}: {elapsed:.1f} s "
        f"({count / elapsed:,.0f} codes/s), status {done.status}, "
        f"peak RSS {_peak_rss() / MIB:.0f} MiB (+{(_peak_rss() - before) / MIB:.0f} MiB)"
    )
    database.dispose()


if __name__ == "__main__":
    number = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    if len(sys.argv) > 2:
        main(number, sys.argv[2])
    else:
        with tempfile.TemporaryDirectory() as directory:
            main(number, f"sqlite:///{Path(directory) / 'bench.db'}")
