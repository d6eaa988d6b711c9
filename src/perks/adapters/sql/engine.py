"""Engines: the SQLite recipe (WAL, BEGIN IMMEDIATE for writes) and PostgreSQL via psycopg 3."""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from perks.adapters.sql.prepared import Prepared

__all__ = [
    "WRITE_OPTION",
    "WriterQueueTimeout",
    "busy",
    "create_database_engine",
    "is_sqlite",
    "normalize_database_url",
    "release_writer",
]

# Execution option set on connections that will write: SQLite then takes its write
# lock at BEGIN, so concurrent read-then-write transactions queue instead of failing
# "database is locked" halfway (DESIGN.md: 364 of 400 failed with a deferred BEGIN).
WRITE_OPTION = "perks_write"
_RELEASE_WRITER = "perks_release_writer"
_LOCK_NOT_AVAILABLE = "55P03"
# SQLite's transactions begin on the driver: every request begins one.
_BEGIN = Prepared(text("BEGIN"))
_BEGIN_IMMEDIATE = Prepared(text("BEGIN IMMEDIATE"))


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite:///`` URLs; pick our drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite or postgresql")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(normalize_database_url(url)).get_backend_name() == "sqlite"


def create_database_engine(
    url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 8, lock_timeout_ms: int = 5000
) -> Engine:
    """SQLite waits ``busy_timeout_ms`` for the write lock; PostgreSQL waits
    ``lock_timeout_ms`` for a row lock. Either way, a request that does not get its turn
    fails with an error :func:`busy` recognizes (or, queued behind this process's own SQLite
    writers, :class:`WriterQueueTimeout`)."""
    normalized = normalize_database_url(url)
    if is_sqlite(normalized):
        return _sqlite_engine(normalized, busy_timeout_ms)
    return create_engine(
        normalized,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        connect_args={"options": f"-c lock_timeout={int(lock_timeout_ms)}"},
    )


def busy(error: DBAPIError) -> bool:
    """Whether ``error`` says the request did not get its turn: SQLite's write lock stayed
    taken past ``busy_timeout``, or a PostgreSQL row lock past ``lock_timeout`` (55P03)."""
    original = error.orig
    if isinstance(original, sqlite3.OperationalError):
        return "database is locked" in str(original) or "database is busy" in str(original)
    return getattr(original, "sqlstate", None) == _LOCK_NOT_AVAILABLE


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    database = make_url(url).database
    in_memory = database in (None, "", ":memory:")
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if in_memory:
        options["poolclass"] = StaticPool
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    writers = _Writers()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        if not write:
            _BEGIN.execute(connection, {})
            return
        if _RELEASE_WRITER in connection.info:  # this connection has the turn already
            _BEGIN_IMMEDIATE.execute(connection, {})
            return
        # This process's writers queue for SQLite's write lock in arrival order: SQLite's own
        # busy handler polls with growing sleeps and lets late comers overtake, so under load
        # some requests waited past the busy timeout while others went through.
        if not writers.acquire(busy_timeout_ms / 1000):
            raise WriterQueueTimeout("waited past the busy timeout for this process's writers")
        try:
            _BEGIN_IMMEDIATE.execute(connection, {})
        except BaseException:
            writers.release()
            raise
        connection.info[_RELEASE_WRITER] = writers.release

    @event.listens_for(engine, "checkin")
    def _checkin(_: object, record: ConnectionPoolEntry) -> None:
        # Whatever ended the transaction, the turn is given back once the connection is.
        release = record.info.pop(_RELEASE_WRITER, None)
        if release is not None:
            release()

    return engine


class WriterQueueTimeout(Exception):
    """A SQLite writer of this process did not get its turn within the busy timeout."""


class _Writers:
    """One SQLite write transaction at a time in this process, handed over in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Event] = deque()

    def acquire(self, timeout_s: float) -> bool:
        with self._lock:
            if not self._held and not self._waiting:
                self._held = True
                return True
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(timeout_s):
            return True
        with self._lock:
            if turn.is_set():  # handed over while the wait ended
                return True
            self._waiting.remove(turn)
            return False

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()  # handed over: still held
            else:
                self._held = False


def release_writer(connection: Connection) -> None:
    """After a write transaction ends: let this process's next SQLite writer in."""
    release = connection.info.pop(_RELEASE_WRITER, None)
    if release is not None:
        release()


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
