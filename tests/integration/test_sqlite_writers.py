"""SQLite runs one write transaction at a time: a process's writers queue for it in arrival
order, instead of polling SQLite's busy handler, which is not fair. Many writers at once all
get their turn, none waits past the busy timeout, and the turn is handed over in order."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.engine import _Writers
from perks.adapters.sql.tables import configuration_revision
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.domain.applications import ApplicationSpec

WRITERS = 24
HOLD_SECONDS = 0.02


def test_many_writers_at_once_all_get_their_turn(tmp_path: Path) -> None:
    # The busy timeout is well above the queue's length (24 x 20 ms), far below what
    # SQLite's polling needed under this load.
    database = SqlDatabase(f"sqlite:///{tmp_path / 'perks.db'}", busy_timeout_ms=3000)
    database.migrate()
    units = SqlUnitOfWorkFactory(database.engine)

    def write(index: int) -> None:
        with units(write=True) as uow:
            time.sleep(HOLD_SECONDS)  # an evaluation holding the write lock
            uow.applications.add(
                ApplicationSpec(name=f"shop {index}", timezone="UTC", currency="EUR"),
                now=_now(),
            )
            uow.commit()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))  # any Conflict (409) would raise here
    with database.engine.connect() as connection:
        revision = connection.execute(select(configuration_revision.c.revision)).scalar_one()
    assert revision == WRITERS  # every write committed
    database.dispose()


def test_the_turn_is_handed_over_in_arrival_order() -> None:
    writers = _Writers()
    assert writers.acquire(1)
    order: list[int] = []
    arrived: list[threading.Event] = []
    threads = []
    for index in range(5):
        ready = threading.Event()
        arrived.append(ready)

        def wait(index: int = index, ready: threading.Event = ready) -> None:
            ready.set()
            assert writers.acquire(5)
            order.append(index)
            writers.release()

        thread = threading.Thread(target=wait)
        thread.start()
        assert ready.wait(5)
        time.sleep(0.01)  # let it queue before the next arrives
        threads.append(thread)
    writers.release()
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4]


def test_a_writer_that_waits_too_long_leaves_the_queue() -> None:
    writers = _Writers()
    assert writers.acquire(1)
    assert not writers.acquire(0.05)  # timed out: no longer waiting
    writers.release()
    assert writers.acquire(0.05)  # free again, not handed to the one that left


def _now() -> datetime:
    return datetime.now(UTC)
