"""The HTTP baseline of perks: start-up time, and requests/s of a bare and an authenticated read.

Benchmarks, not timed tests: each one measures, records its figures in the run's report (printed
at the end and written to ``bench-results/http_baseline.json``) and asserts only that the
measurement is sane: the server came up, no request failed, the throughput is not zero.
Everything runs on 127.0.0.1 and is bounded: 6 start-ups and two 10-second load runs.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bench.conftest import (
    PERKS,
    BenchReport,
    ServerProcess,
    http_call,
    management_headers,
    perks_server,
)
from tests.bench.load import LoadResult, LoadSpec, run_load

STARTUP_RUNS = 3
MIGRATE_TIMEOUT_SECONDS = 60.0
NEW_APPLICATION = {"name": "shop", "timezone": "Europe/Berlin", "currency": "EUR"}


def measure_startup(database: Path, log_path: Path) -> float:
    """Seconds from spawning ``perks serve`` on ``database`` to its first healthy answer."""
    with perks_server(database, log_path) as server:
        return server.startup_s


def migrate(database: Path) -> None:
    subprocess.run(
        [str(PERKS), "migrate", "--database-url", f"sqlite:///{database}"],
        check=True,
        capture_output=True,
        timeout=MIGRATE_TIMEOUT_SECONDS,
    )


def assert_sane(result: LoadResult) -> None:
    assert result.errors == 0, result
    assert result.requests > 0, result
    assert result.requests_per_s > 0, result


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the load benchmarks, on its own fresh SQLite file."""
    directory = tmp_path_factory.mktemp("load")
    with perks_server(directory / "perks.db", directory / "server.log") as running:
        yield running


@pytest.mark.bench
def test_startup_on_a_fresh_database(tmp_path: Path, bench_report: BenchReport) -> None:
    samples = [
        measure_startup(tmp_path / f"fresh-{run}.db", tmp_path / f"fresh-{run}.log")
        for run in range(STARTUP_RUNS)
    ]
    bench_report.record_startup("fresh_database", samples)
    assert all(sample > 0 for sample in samples)


@pytest.mark.bench
def test_startup_on_a_migrated_database(tmp_path: Path, bench_report: BenchReport) -> None:
    database = tmp_path / "perks.db"
    migrate(database)
    samples = [
        measure_startup(database, tmp_path / f"migrated-{run}.log") for run in range(STARTUP_RUNS)
    ]
    bench_report.record_startup("migrated_database", samples)
    assert all(sample > 0 for sample in samples)


@pytest.mark.bench
def test_health_requests_per_second(server: ServerProcess, bench_report: BenchReport) -> None:
    result = run_load(LoadSpec(url=f"{server.base_url}/health"))
    bench_report.record_load("health", result)
    assert_sane(result)


@pytest.mark.bench
def test_management_read_requests_per_second(
    server: ServerProcess, bench_report: BenchReport
) -> None:
    """Auth (a key digest lookup) plus a database read, on a list of one application."""
    status, created = http_call(
        server.port, "POST", "/v1/applications", body=NEW_APPLICATION, headers=management_headers()
    )
    assert status == 201, created
    status, listed = http_call(server.port, "GET", "/v1/applications", headers=management_headers())
    assert status == 200, listed
    assert [application["id"] for application in listed["data"]] == [created["id"]]

    spec = LoadSpec(url=f"{server.base_url}/v1/applications", headers=management_headers())
    result = run_load(spec)
    bench_report.record_load("applications", result)
    assert_sane(result)
