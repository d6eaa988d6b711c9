"""`perks serve` as a user runs it: a real process on loopback, stopped by the test."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

from tests.live import free_port

PERKS = Path(sys.executable).parent / "perks"
KEY = re.compile(r"^    ([0-9a-f]{64})$", re.MULTILINE)
STARTUP_SECONDS = 30.0


class Served:
    """What a finished ``perks serve`` printed."""

    output = ""


@contextmanager
def serving(database: Path, **env: str) -> Iterator[tuple[str, Served]]:
    port = free_port()
    process = subprocess.Popen(
        [str(PERKS), "serve", "--port", str(port), "--database-url", f"sqlite:///{database}"],
        env={**os.environ, "PERKS_LOG_LEVEL": "warning", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    served = Served()
    try:
        _wait_until_healthy(base, process)
        yield base, served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            served.output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            served.output, _ = process.communicate()


def _wait_until_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"perks serve exited with {process.returncode}")
        try:
            if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.05)
    pytest.fail("perks serve did not become healthy")


def test_first_serve_prints_a_working_key_once(tmp_path: Path) -> None:
    database = tmp_path / "perks.db"
    with serving(database) as (base, process):
        response = httpx2.post(
            f"{base}/v1/applications",
            json={"name": "shop", "timezone": "UTC", "currency": "USD"},
            headers={"Authorization": "ManagementKey-v1 pending"},
        )
        assert response.status_code == 401
    printed = KEY.search(process.output)
    assert printed is not None, "the first start prints a management key"
    key = printed.group(1)
    with serving(database) as (base, process):
        headers = {"Authorization": f"ManagementKey-v1 {key}"}
        created = httpx2.post(
            f"{base}/v1/applications",
            json={"name": "shop", "timezone": "UTC", "currency": "USD"},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        assert httpx2.get(f"{base}/ready").json() == {"status": "ready"}
    assert KEY.search(process.output) is None, "a key is printed only when none exists"


def test_bootstrap_key_from_the_environment(tmp_path: Path) -> None:
    secret = "bootstrap-key-for-tests-0123456789"
    with serving(tmp_path / "perks.db", PERKS_BOOTSTRAP_MANAGEMENT_KEY=secret) as (base, process):
        listed = httpx2.get(
            f"{base}/v1/applications", headers={"Authorization": f"ManagementKey-v1 {secret}"}
        )
        assert listed.json() == {"totalResultSize": 0, "data": []}
    assert KEY.search(process.output) is None
