"""createCouponsAsync at the size issue #4 asks for: 1,000,000 codes, on SQLite and PostgreSQL.

Each run is ``scripts/coupon_job_bench.py`` in its own process (its peak resident set is the
job's, not pytest's), bounded by a timeout. The figures are printed; the assertion is the
throughput floor that a quadratic duplicate check (PostgreSQL's generic plan for a long
``IN`` list: ~200 codes/s) would break.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.conftest import scratch_postgres

SCRIPT = Path(__file__).parents[2] / "scripts" / "coupon_job_bench.py"
CODES = 1_000_000
TIMEOUT_SECONDS = 600
FLOOR_CODES_PER_SECOND = 5_000
RESULT = re.compile(r"\(([\d,]+) codes/s\), status completed, peak RSS \d+ MiB \(\+(\d+) MiB\)")


def _run(*database_url: str) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(CODES), *database_url],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=True,
    )
    print(done.stdout.strip())
    found = RESULT.search(done.stdout)
    assert found, done.stdout + done.stderr
    return int(found.group(1).replace(",", "")), int(found.group(2))


@pytest.mark.bench
def test_a_million_codes_on_sqlite() -> None:
    rate, _growth = _run()
    assert rate >= FLOOR_CODES_PER_SECOND


@pytest.mark.bench
def test_a_million_codes_on_postgresql() -> None:
    with scratch_postgres() as url:
        rate, _growth = _run(url)
    assert rate >= FLOOR_CODES_PER_SECOND
