"""Benchmark fixtures: ``perks serve`` processes on loopback, and the report the benchmarks fill.

Every server is started by :func:`perks_server`, which terminates it by its PID on the way out,
whatever happened inside. At the end of the run the report is printed as one summary block and
written to ``bench-results/http_baseline.json`` in the repository root (the customer session
updates beside their ceilings to ``bench-results/customer_sessions.json``).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, make_url, text

from perks import __version__
from tests.bench.load import LoadResult, generator_name
from tests.bench.session_report import SessionReport
from tests.bench.talang_report import TalangReport
from tests.conftest import IN_CI, POSTGRES_URL

HOST = "127.0.0.1"
BOOTSTRAP_KEY = "perks-bench-management-key-0001"
SERVER_LOG_LEVEL = "info"  # the default: a request costs its log line, as in production
POLL_SECONDS = 0.02
STARTUP_LIMIT_SECONDS = 30.0
STOP_LIMIT_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 1.0
LOG_TAIL_CHARS = 2000
REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS_PATH = REPO_ROOT / "bench-results" / "http_baseline.json"
TALANG_RESULTS_PATH = REPO_ROOT / "bench-results" / "talang.json"
SESSIONS_RESULTS_PATH = REPO_ROOT / "bench-results" / "customer_sessions.json"
PERKS = Path(sys.executable).parent / "perks"


# --- server processes -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServerProcess:
    """A running ``perks serve`` with one worker, healthy since ``startup_s`` after its spawn."""

    pid: int
    port: int
    startup_s: float
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


@contextmanager
def perks_server(
    database: Path | str, log_path: Path, *, env: Mapping[str, str] | None = None
) -> Iterator[ServerProcess]:
    """Spawn ``perks serve`` on ``database`` (a SQLite file, or a database URL that it migrates),
    with ``env`` added to its settings; wait for ``GET /health``, terminate it at exit."""
    port = free_port()
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    command = [
        str(PERKS),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--database-url",
        url,
        *(["--migrate"] if isinstance(database, str) else []),
    ]
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**server_env(), **(env or {})},
        )
        try:
            startup = wait_until_healthy(process, port, started, log_path)
            yield ServerProcess(pid=process.pid, port=port, startup_s=startup, log_path=log_path)
        finally:
            stop(process)


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """The URL of a new PostgreSQL database, dropped on the way out; the test is skipped with
    a message when PostgreSQL is unreachable (and fails in CI, where it must be there)."""
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
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def server_env() -> dict[str, str]:
    """This environment without PERKS_* settings, plus the benchmark's own."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PERKS_")}
    env["PERKS_BOOTSTRAP_MANAGEMENT_KEY"] = BOOTSTRAP_KEY
    env["PERKS_LOG_LEVEL"] = SERVER_LOG_LEVEL
    return env


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_healthy(
    process: subprocess.Popen[bytes], port: int, started: float, log_path: Path
) -> float:
    """Seconds from ``started`` to the first ``GET /health`` answering ok, polling every 20 ms."""
    deadline = started + STARTUP_LIMIT_SECONDS
    while True:
        if is_healthy(port):
            return time.perf_counter() - started
        if process.poll() is not None:
            pytest.fail(f"perks serve exited with {process.returncode}:\n{log_tail(log_path)}")
        if time.perf_counter() >= deadline:
            pytest.fail(f"perks serve not healthy after {STARTUP_LIMIT_SECONDS:.0f} s")
        time.sleep(POLL_SECONDS)


def is_healthy(port: int) -> bool:
    try:
        status, body = http_call(port, "GET", "/health", timeout=PROBE_TIMEOUT_SECONDS)
    except (OSError, http.client.HTTPException, ValueError):
        return False
    return status == 200 and body == {"status": "ok"}


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server by its PID; kill it when it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_LIMIT_SECONDS)


def log_tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:]


def http_call(
    port: int,
    method: str,
    path: str,
    *,
    body: object = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, Any]:
    """One request to the server on ``port``: its status and its decoded JSON body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    all_headers = dict(headers or {})
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    return response.status, json.loads(raw) if raw else None


def management_headers() -> dict[str, str]:
    return {"Authorization": f"ManagementKey-v1 {BOOTSTRAP_KEY}"}


# --- the report -----------------------------------------------------------------------------


@dataclass
class BenchReport:
    """The figures the benchmarks of this run measured."""

    startup: dict[str, list[float]] = field(default_factory=dict)
    load: dict[str, LoadResult] = field(default_factory=dict)

    def record_startup(self, name: str, samples: list[float]) -> None:
        self.startup[name] = [round(sample, 3) for sample in samples]

    def record_load(self, name: str, result: LoadResult) -> None:
        self.load[name] = result

    @property
    def empty(self) -> bool:
        return not self.startup and not self.load

    def as_json(self, exit_status: int) -> dict[str, Any]:
        return {
            "benchmark": "http_baseline",
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "exit_status": exit_status,
            "perks_version": __version__,
            "machine": machine(),
            "server": {
                "host": HOST,
                "workers": 1,
                "database": "sqlite",
                "log_level": SERVER_LOG_LEVEL,
            },
            "note": shared_cpu_note(),
            "startup": {
                name: {
                    "runs": len(samples),
                    "samples_s": samples,
                    "median_s": round(statistics.median(samples), 3),
                }
                for name, samples in self.startup.items()
            },
            "load": {name: asdict(result) for name, result in self.load.items()},
        }

    def summary_lines(self) -> list[str]:
        described = machine()
        lines = [
            f"perks {__version__}, Python {described['python']}, {described['cpus']} CPUs, "
            f"one server worker, SQLite, server log level {SERVER_LOG_LEVEL}",
            f"note: {shared_cpu_note()}",
        ]
        lines += [startup_line(name, samples) for name, samples in self.startup.items()]
        lines += [load_line(result) for result in self.load.values()]
        return lines

    def write(self, path: Path, exit_status: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_json(exit_status), indent=2) + "\n")


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_generator": generator_name(),
    }


def shared_cpu_note() -> str:
    return (
        f"the load generator and the server share this machine's {os.cpu_count()} CPUs over "
        "loopback; what the client burns, the server does not get"
    )


def startup_line(name: str, samples: list[float]) -> str:
    runs = ", ".join(f"{sample:.3f}" for sample in samples)
    label = f"start-up, {name.replace('_', ' ')}"
    return f"{label:<30} median {statistics.median(samples):7.3f} s    runs {runs} s"


def load_line(result: LoadResult) -> str:
    label = f"{result.method} {urlsplit(result.url).path} [{result.generator}]"
    return (
        f"{label:<30} {result.requests_per_s:9.1f} req/s  p50 {result.latency_p50_ms:.2f} ms"
        f"  p99 {result.latency_p99_ms:.2f} ms  ({result.requests} requests,"
        f" {result.connections} connections, {result.seconds:.1f} s, {result.errors} errors,"
        f" client CPU {result.client_cpu_s:.1f} s)"
    )


REPORT = pytest.StashKey[BenchReport]()
TALANG_REPORT = pytest.StashKey[TalangReport]()
SESSION_REPORT = pytest.StashKey[SessionReport]()


@pytest.fixture(scope="session")
def bench_report(pytestconfig: pytest.Config) -> BenchReport:
    return pytestconfig.stash.setdefault(REPORT, BenchReport())


@pytest.fixture(scope="session")
def talang_report(pytestconfig: pytest.Config) -> TalangReport:
    return pytestconfig.stash.setdefault(TALANG_REPORT, TalangReport())


@pytest.fixture(scope="session")
def session_report(pytestconfig: pytest.Config) -> SessionReport:
    return pytestconfig.stash.setdefault(SESSION_REPORT, SessionReport())


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print each report as one block and write it under bench-results/."""
    talang = config.stash.get(TALANG_REPORT, None)
    if talang is not None and not talang.empty:
        talang.write(TALANG_RESULTS_PATH, machine())
        terminalreporter.section("Talang against hand-written Python, zen-engine, JSON Logic")
        for line in talang.summary_lines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"written to {TALANG_RESULTS_PATH.relative_to(REPO_ROOT)}")
    sessions = config.stash.get(SESSION_REPORT, None)
    if sessions is not None and not sessions.empty:
        sessions.write(SESSIONS_RESULTS_PATH, machine(), int(exitstatus))
        terminalreporter.section("perks customer session updates against their ceiling")
        for line in sessions.summary_lines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"written to {SESSIONS_RESULTS_PATH.relative_to(REPO_ROOT)}")
    report = config.stash.get(REPORT, None)
    if report is None or report.empty:
        return
    report.write(RESULTS_PATH, int(exitstatus))
    terminalreporter.section("perks HTTP baseline")
    for line in report.summary_lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"written to {RESULTS_PATH.relative_to(REPO_ROOT)}")
