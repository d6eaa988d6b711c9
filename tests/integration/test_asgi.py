"""The ASGI factory uvicorn workers use: settings from the environment, lifespan tuning."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest
import structlog
from starlette.testclient import TestClient

from perks.adapters.sql.database import SqlDatabase
from perks.entrypoints.asgi import create


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
