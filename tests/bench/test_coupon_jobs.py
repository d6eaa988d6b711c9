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
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import IN_CI, POSTGRES_URL

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
    admin = create_engine(
        make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    name = f"perks_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable ({type(error).__name__})")
    try:
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        rate, _growth = _run(url)
        assert rate >= FLOOR_CODES_PER_SECOND
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
