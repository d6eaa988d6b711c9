"""Where the time of one session update goes (issue #5), in process, without HTTP.

    PYTHONPATH=. .venv/bin/python scripts/session_update_profile.py [items] [updates] [url]

Builds the session benchmark's data (``tests/bench/session_workload.py``: 20 campaigns, one
coupon) through the Management API of an in-process app on a fresh SQLite file (or ``url``, a
database to fill, e.g. a new PostgreSQL database), then runs ``updates`` updates of open
sessions (64 ids in turn, each created first) the way a worker thread of ``perks serve`` runs
them: authenticate, decode the body, the handler (service call and wire), encode.

Prints the time of each phase, the same for the benchmark's ceiling (no service call), the
service call's own parts (timed by wrapping them: loading the evaluation's input, evaluating,
and within the evaluation the copies of the discount state), and a cProfile of the updates:
time by package, then the functions that cost most. cProfile roughly doubles the time of
Python-heavy code, so read its shares as a ranking; the timed parts are the wall-clock truth.
"""

from __future__ import annotations

import cProfile
import functools
import gc
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from starlette.testclient import TestClient
from tests.bench.session_workload import Workload, expected_effects, session_body, set_up

from perks.adapters.sql.campaigns import SqlRulesetRepository
from perks.adapters.sql.prepared import Prepared
from perks.bootstrap import Services, build_services
from perks.domain import discounts
from perks.entrypoints.asgi import build_app
from perks.entrypoints.http.integration import ceiling
from perks.entrypoints.http.integration.customer_sessions import IntegrationRequest, SessionQuery
from perks.entrypoints.http.routes import Call, Operation
from perks.entrypoints.http.table import OPERATIONS
from perks.entrypoints.http.wire import decode_body, decode_query, encode
from perks.entrypoints.logs import configure_logging
from perks.services import customer_sessions as session_service
from perks.services.api_keys import ManagementKeyRequest
from perks.settings import Settings

SESSION_IDS = 64
TOP = 25
PHASES = ("auth", "decode", "handler", "encode")


def _management(client: TestClient, key: str) -> Callable[[str, str, object], tuple[int, Any]]:
    headers = {"Authorization": f"ManagementKey-v1 {key}"}

    def call(method: str, path: str, body: object) -> tuple[int, Any]:
        response = client.request(method, path, json=body, headers=headers)
        return response.status_code, response.json() if response.content else None

    return call


def _prepare(url: str) -> tuple[Services, Workload]:
    settings = Settings(database_url=url, bench_ceiling=True, log_level="warning")
    configure_logging(settings.log_level)
    services = build_services(settings)
    services.database.migrate()
    key = services.api_keys.create_management_key(
        ManagementKeyRequest(name="profile", expiry_date=datetime.now(UTC) + timedelta(days=1))
    ).secret
    client = TestClient(build_app(services, settings))  # no lifespan: nothing runs in it
    workload = set_up(_management(client, key))
    client.close()
    return services, workload


class Runner:
    """One update the way ``_handle`` in ``perks.entrypoints.http.app`` runs it, phase by phase."""

    def __init__(self, services: Services, workload: Workload, items: int) -> None:
        self.services = services
        self.key = workload.integration_key
        self.bodies = [
            session_body(items, workload.coupon, profile=f"customer-{n}")
            for n in range(SESSION_IDS)
        ]
        self.spent = dict.fromkeys(PHASES, 0.0)
        self.last: Any = None

    def run(self, op: Operation[Any, Any], n: int) -> bytes:
        clock = time.perf_counter
        started = clock()
        principal = self.services.api_keys.authenticate_integration(self.key)
        authenticated = clock()
        body = decode_body(self.bodies[n % SESSION_IDS], IntegrationRequest)
        query = decode_query({}, SessionQuery)
        decoded = clock()
        call = Call(
            services=self.services,
            path={},
            query=query,
            body=body,
            principal=principal,
            text={"customerSessionId": f"profile-{n % SESSION_IDS}"},
        )
        reply = op.handler(call)
        handled = clock()
        answer = encode(reply.body)
        encoded = clock()
        for phase, seconds in zip(
            PHASES,
            (
                authenticated - started,
                decoded - authenticated,
                handled - decoded,
                encoded - handled,
            ),
            strict=True,
        ):
            self.spent[phase] += seconds
        self.last = reply.body
        return answer

    def timed(self, op: Operation[Any, Any], updates: int) -> dict[str, float]:
        self.spent = dict.fromkeys(PHASES, 0.0)
        for n in range(updates):
            self.run(op, n)
        return {phase: seconds / updates * 1000 for phase, seconds in self.spent.items()}


_BUILTINS = {"sqlite3": "sqlite3 (C)", "msgspec": "msgspec (C)", "decimal": "decimal (C)"}
_PACKAGES = ("sqlalchemy", "msgspec", "psycopg", "starlette")


def _group(filename: str, function: str) -> str:
    """The package a profiled function belongs to (C functions by the type they belong to)."""
    if filename == "~":
        named = (label for marker, label in _BUILTINS.items() if marker in function.lower())
        return next(named, "other builtins")
    package = next((name for name in _PACKAGES if f"/{name}/" in filename), None)
    if package is not None:
        return package
    if "/perks/" in filename:
        part = filename.split("/perks/", 1)[1].split("/", 1)[0].removesuffix(".py")
        return f"perks.{part}"
    return "other Python"


def _by_group(stats: pstats.Stats) -> list[tuple[str, float]]:
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        totals[_group(filename, function)] += row[2]
    return sorted(totals.items(), key=lambda pair: -pair[1])


class Parts:
    """Wall time spent in a few functions of the service call, wrapped for the occasion."""

    LOAD = "load the input (SQL reads, compiled rules)"
    RULESETS = "  of which: ruleset rows read (kept ones are not)"
    EVALUATE = "evaluate (20 campaigns)"
    COPY = "  of which: copies of the discount ledger"

    def __init__(self) -> None:
        self.spent = dict.fromkeys((self.LOAD, self.RULESETS, self.EVALUATE, self.COPY), 0.0)
        self.statements = 0

    def wrap(self, owner: object, name: str, label: str) -> None:
        inner = getattr(owner, name)

        @functools.wraps(inner)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.spent[label] += time.perf_counter() - started

        setattr(owner, name, timed)

    def install(self, services: Services) -> None:
        self.wrap(session_service, "load_input", self.LOAD)
        self.wrap(session_service, "evaluate", self.EVALUATE)
        self.wrap(discounts.Remaining, "copy", self.COPY)
        self.wrap(SqlRulesetRepository, "get", self.RULESETS)
        event.listen(services.database.engine, "before_cursor_execute", self._count)
        counted = Prepared._run  # the hot path's statements skip SQLAlchemy's events

        def run(prepared: Prepared, *args: Any) -> Any:
            self._count()
            return counted(prepared, *args)

        Prepared._run = run  # type: ignore[method-assign,assignment]

    def _count(self, *_: object) -> None:
        self.statements += 1

    def lines(self, updates: int, handler_ms: float) -> list[str]:
        parts = {label: seconds / updates * 1000 for label, seconds in self.spent.items()}
        counted = sum(ms for label, ms in parts.items() if not label.startswith(" "))
        parts["the rest (session and profile writes, commit, wire)"] = handler_ms - counted
        lines = [f"  {label:<52} {ms:8.3f} ms" for label, ms in parts.items()]
        return [*lines, f"  SQL statements per update: {self.statements / updates:.1f}"]


def _print_phases(label: str, phases: dict[str, float]) -> None:
    total = sum(phases.values())
    parts = ", ".join(f"{phase} {ms:.3f}" for phase, ms in phases.items())
    print(f"{label:<9} {total:8.3f} ms per request ({parts})")


def main() -> None:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    updates = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    with tempfile.TemporaryDirectory(prefix="perks-profile-") as directory:
        url = sys.argv[3] if len(sys.argv) > 3 else f"sqlite:///{Path(directory) / 'perks.db'}"
        services, workload = _prepare(url)
        update = next(op for op in OPERATIONS if op.operation_id == "updateCustomerSessionV2")
        runner = Runner(services, workload, items)
        runner.timed(update, SESSION_IDS * 2)  # creates the sessions, compiles the rulesets
        effects = [effect.effect_type for effect in runner.last.effects]
        counted = {kind: effects.count(kind) for kind in expected_effects(items)}
        assert counted == expected_effects(items), counted
        gc.collect()
        gc.freeze()  # as perks serve does after start-up
        gc.set_threshold(50_000, 20, 20)
        print(f"{items} cart items, 20 campaigns, {len(effects)} effects per answer, {url}")
        session = runner.timed(update, updates)
        bare = runner.timed(ceiling.OPERATIONS[0], updates)
        _print_phases("update", session)
        _print_phases("ceiling", bare)
        print(
            f"in process, without HTTP: ceiling / update = "
            f"{sum(bare.values()) / sum(session.values()):.3f}"
        )
        parts = Parts()
        parts.install(services)
        handler = runner.timed(update, updates)["handler"]
        print(f"the handler's {handler:.3f} ms, by part:")
        for line in parts.lines(updates, handler):
            print(line)
        profiler = cProfile.Profile()
        profiler.enable()
        for n in range(updates):
            runner.run(update, n)
        profiler.disable()
        stats = pstats.Stats(profiler)
        total = sum(seconds for _, seconds in _by_group(stats))
        print(f"\ncProfile of {updates} updates: own time by package (total {total:.2f} s)")
        for group, seconds in _by_group(stats):
            print(f"  {group:<24} {seconds / total:6.1%}  {seconds / updates * 1000:7.3f} ms")
        stats.sort_stats("tottime").print_stats(TOP)
        stats.sort_stats("cumulative").print_stats(TOP)
        services.database.dispose()


if __name__ == "__main__":
    main()
