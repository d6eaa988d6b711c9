"""Customer session updates (``updateCustomerSessionV2``) per second, beside the same server's
bare decode-and-encode ceiling for the same body, in the same run (issue #5).

One ``perks serve`` per database, with ``PERKS_BENCH_CEILING=true`` so that it also serves
``PUT /bench/ceiling/customer_sessions/{id}``: the same route pipeline (key, decoding of the
same body, worker thread, encoding) without the service call. The data
(``session_workload.py``): 20 running campaigns, one coupon-driven, set up through the
Management API. Each case loads the update, then the ceiling, with the same body and
duration; sessions stay open, one session (and customer) per id, the ids taken in turn so that
no two requests wait for the same session.

Connections: 8 for every case, enough to saturate the server. SQLite runs one write
transaction at a time (``BEGIN IMMEDIATE``, held through the evaluation): a process's writers
queue for it in arrival order (``adapters/sql/engine.py``), so 8 connections only wait their
turn. (Before that queue, SQLite's own busy handler, which polls and is not fair, let a few
updates wait past the 5 s busy timeout and get a 409; the 1000-item case keeps one connection
so that its few long requests stay well inside the timeout.)

Cases: 10 cart items and the coupon on SQLite (the issue's target: at least 0.35 of the
ceiling), 1000 cart items on SQLite, and 10 items on PostgreSQL when it is reachable.
Everything runs on 127.0.0.1, bounded: 8 s per load run.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.bench import load
from tests.bench.conftest import (
    ServerProcess,
    http_call,
    management_headers,
    perks_server,
    scratch_postgres,
)
from tests.bench.load import VARIANT, LoadResult, LoadSpec, run_load
from tests.bench.session_report import Comparison, SessionReport
from tests.bench.session_workload import (
    CAMPAIGNS,
    Workload,
    expected_effects,
    session_body,
    set_up,
)

SECONDS = 8
CEILING_ENV = {"PERKS_BENCH_CEILING": "true"}
TARGET_RATIO = 0.35  # issue #5, 10 items on SQLite
# What the 10-item SQLite case reliably reaches on this 2-core machine (0.086-0.097 after the
# second hot-path work, see docs/performance.md): far under the target, which is reported, not
# asserted; the floor catches a fall back towards where it was before (0.065-0.074).
FLOOR_RATIO = 0.06


CEILING_CONNECTIONS = 8


@dataclass(frozen=True)
class Case:
    """A cart size, and the connections that load its updates (see the module's docstring);
    a 1000-item update takes most of a second, hence its longer timeout."""

    items: int
    connections: int
    sessions: int
    timeout_seconds: int = 5


SQLITE_SMALL = Case(items=10, connections=8, sessions=64)
SQLITE_LARGE = Case(items=1000, connections=1, sessions=8, timeout_seconds=15)
POSTGRES_SMALL = Case(items=10, connections=8, sessions=64)


@dataclass(frozen=True)
class Bench:
    server: ServerProcess
    workload: Workload
    database: str

    @property
    def integration_headers(self) -> dict[str, str]:
        return {"Authorization": f"ApiKey-v1 {self.workload.integration_key}"}


def _set_up(server: ServerProcess, database: str) -> Bench:
    def call(method: str, path: str, body: object) -> tuple[int, Any]:
        return http_call(server.port, method, path, body=body, headers=management_headers())

    return Bench(server=server, workload=set_up(call), database=database)


@pytest.fixture(scope="module")
def sqlite_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    directory = tmp_path_factory.mktemp("sessions")
    with perks_server(directory / "perks.db", directory / "server.log", env=CEILING_ENV) as server:
        yield _set_up(server, "sqlite")


@pytest.fixture(scope="module")
def postgres_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """A server on a fresh PostgreSQL database, dropped afterwards; skipped when unreachable."""
    directory = tmp_path_factory.mktemp("sessions-pg")
    with (
        scratch_postgres() as url,
        perks_server(url, directory / "server.log", env=CEILING_ENV) as server,
    ):
        yield _set_up(server, "postgresql")


def _put(bench: Bench, path: str, body: bytes) -> dict[str, Any]:
    status, answer = http_call(
        bench.server.port,
        "PUT",
        path,
        body=json.loads(body),
        headers=bench.integration_headers,
        timeout=30.0,
    )
    assert status == 200, answer
    assert isinstance(answer, dict)
    return answer


def _effect_counts(answer: dict[str, Any], items: int) -> dict[str, int]:
    types = [effect["effectType"] for effect in answer["effects"]]
    return {kind: types.count(kind) for kind in expected_effects(items)}


def _prepare(bench: Bench, case: Case, prefix: str) -> tuple[bytes, int]:
    """Create every session of the run (so that the load updates them), compile the rulesets,
    and check that a sample answer carries the effects the campaigns give: the load measures
    real evaluations. The body template, and the number of effects per answer."""
    template = session_body(case.items, bench.workload.coupon)
    answer: dict[str, Any] = {}
    for n in range(case.sessions):
        answer = _put(
            bench,
            f"/v2/customer_sessions/{prefix}-{n}",
            template.replace(VARIANT.encode(), str(n).encode()),
        )
    assert _effect_counts(answer, case.items) == expected_effects(case.items), answer["effects"]
    session = answer["customerSession"]
    assert (session["state"], len(session["cartItems"])) == ("open", case.items)
    assert session["updateCount"] == 1
    coupon = [e for e in answer["effects"] if e["effectType"] == "acceptCoupon"]
    assert coupon[0]["props"] == {"value": bench.workload.coupon}
    ceiling = _put(bench, f"/bench/ceiling/customer_sessions/{prefix}-0", template)
    assert ceiling["effects"] == []
    assert len(ceiling["customerSession"]["cartItems"]) == case.items
    return template, len(answer["effects"])


def _load(bench: Bench, case: Case, path: str, body: bytes, *, connections: int) -> LoadResult:
    spec = LoadSpec(
        url=f"{bench.server.base_url}{path}",
        headers={**bench.integration_headers, "Content-Type": "application/json"},
        connections=connections,
        seconds=SECONDS,
        method="PUT",
        body=body,
        variants=case.sessions,
        timeout_seconds=case.timeout_seconds,
    )
    result = run_load(spec)
    assert result.errors == 0, result
    assert result.requests > 0, result
    return result


def _compare(bench: Bench, case: Case, report: SessionReport) -> Comparison:
    prefix = f"{bench.database}-{case.items}"
    body, effects = _prepare(bench, case, prefix)
    session = _load(
        bench,
        case,
        f"/v2/customer_sessions/{prefix}-{VARIANT}",
        body,
        connections=case.connections,
    )
    # Every session was updated by the load: it evaluated (and stored) each time.
    last = _put(bench, f"/v2/customer_sessions/{prefix}-0", body.replace(VARIANT.encode(), b"0"))
    assert last["customerSession"]["updateCount"] > 2, last["customerSession"]
    assert _effect_counts(last, case.items) == expected_effects(case.items)
    ceiling = _load(
        bench,
        case,
        f"/bench/ceiling/customer_sessions/{prefix}-{VARIANT}",
        body,
        connections=CEILING_CONNECTIONS,
    )
    database = "SQLite" if bench.database == "sqlite" else "PostgreSQL"
    comparison = Comparison(
        case=f"{case.items} items, {database}",
        database=bench.database,
        cart_items=case.items,
        campaigns=CAMPAIGNS,
        effects=effects,
        session=session,
        ceiling=ceiling,
        target_ratio=TARGET_RATIO if case is SQLITE_SMALL else None,
    )
    report.record(comparison)
    print(f"{comparison.case}: {comparison.ratio:.3f} of the ceiling")
    return comparison


@pytest.mark.bench
def test_ten_items_on_sqlite(sqlite_bench: Bench, session_report: SessionReport) -> None:
    comparison = _compare(sqlite_bench, SQLITE_SMALL, session_report)
    assert comparison.ratio >= FLOOR_RATIO, comparison


@pytest.mark.bench
def test_a_thousand_items_on_sqlite(sqlite_bench: Bench, session_report: SessionReport) -> None:
    _compare(sqlite_bench, SQLITE_LARGE, session_report)


@pytest.mark.bench
def test_ten_items_on_postgresql(postgres_bench: Bench, session_report: SessionReport) -> None:
    _compare(postgres_bench, POSTGRES_SMALL, session_report)


@pytest.mark.bench
def test_the_workload_counts_its_effects() -> None:
    """The arithmetic the benchmark's assertions rest on."""
    assert expected_effects(10) == {"acceptCoupon": 1, "setDiscount": 14, "setDiscountPerItem": 6}
    assert expected_effects(1000)["setDiscountPerItem"] == 600
    assert b'"profileId":"customer-{variant}"' in session_body(1, "C")


@pytest.mark.bench
def test_both_generators_send_bodies_and_variants(sqlite_bench: Bench) -> None:
    """wrk (through its Lua script) and the asyncio client send the same requests."""
    path = "/bench/ceiling/customer_sessions/probe-{variant}"
    spec = LoadSpec(
        url=f"{sqlite_bench.server.base_url}{path}",
        headers={**sqlite_bench.integration_headers, "Content-Type": "application/json"},
        connections=2,
        seconds=1,
        method="PUT",
        body=session_body(2, sqlite_bench.workload.coupon),
        variants=3,
    )
    assert [p for p, _ in spec.requests()] == [path.replace(VARIANT, str(n)) for n in range(3)]
    results = [load.run_python(spec)]
    if shutil.which("wrk"):
        results.append(load.run_wrk(spec))
    for result in results:
        assert (result.errors, result.method) == (0, "PUT"), result
        assert result.requests > 0, result
