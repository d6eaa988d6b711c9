"""Budget counters on the fake, SQLite and PostgreSQL: exact values, all-or-nothing adds, and
no concurrency that passes a limit."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

from perks.domain.applications import ApplicationSpec
from perks.domain.budgets import CounterChange, CounterKey
from perks.domain.campaigns import CampaignSpec
from perks.services.ports import UnitOfWorkFactory

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
RACERS = 24
LIMIT = 5


def _campaign(uow: UnitOfWorkFactory) -> int:
    with uow(write=True) as tx:
        app = tx.applications.add(
            ApplicationSpec(name="a", timezone="UTC", currency="EUR"), now=NOW
        )
        campaign = tx.campaigns.add(app.id, CampaignSpec(name="c"), now=NOW)
        tx.commit()
    return campaign.id


def test_counters_add_exactly_and_read_back(uow: UnitOfWorkFactory) -> None:
    campaign = _campaign(uow)
    wide = CounterKey(campaign, "setDiscount", (), "")
    alice = CounterKey(
        campaign, "redeemCoupon", (("Coupon", "7"), ("Profile", "alice")), "2026-11-23"
    )
    with uow(write=True) as tx:
        assert tx.budget_counters.read([wide, alice]) == {}
        assert (
            tx.budget_counters.add(
                [CounterChange(wide, Decimal("12.34")), CounterChange(alice, Decimal(1))]
            )
            == []
        )
        assert (
            tx.budget_counters.add([CounterChange(wide, Decimal("0.01"), Decimal("12.35"))]) == []
        )
        tx.commit()
    with uow(write=False) as tx:
        assert tx.budget_counters.read([wide, alice]) == {wide: Decimal("12.35"), alice: Decimal(1)}
        other_day = CounterKey(campaign, "redeemCoupon", alice.subjects, "2026-11-24")
        assert tx.budget_counters.read([other_day]) == {}


def test_an_add_that_would_pass_a_limit_writes_nothing(uow: UnitOfWorkFactory) -> None:
    campaign = _campaign(uow)
    first = CounterKey(campaign, "setDiscount", (), "")
    second = CounterKey(campaign, "setDiscountEffect", (), "")
    with uow(write=True) as tx:
        tx.budget_counters.add([CounterChange(first, Decimal(90))])
        tx.commit()
    with uow(write=True) as tx:
        refused = tx.budget_counters.add(
            [
                CounterChange(second, Decimal(1), Decimal(10)),
                CounterChange(first, Decimal("10.01"), Decimal(100)),
            ]
        )
        assert refused == [first]
        tx.commit()
    with uow(write=True) as tx:
        assert tx.budget_counters.read([first, second]) == {first: Decimal(90)}
        # Two changes of one counter count together; giving back never fails.
        both = [
            CounterChange(first, Decimal(6), Decimal(100)),
            CounterChange(first, Decimal(5), Decimal(100)),
        ]
        assert tx.budget_counters.add(both) == [first]
        assert tx.budget_counters.add([CounterChange(first, Decimal(-40), Decimal(10))]) == []
        tx.commit()
    with uow(write=False) as tx:
        assert tx.budget_counters.read([first]) == {first: Decimal(50)}


def test_racing_transactions_never_pass_a_limit(uow: UnitOfWorkFactory) -> None:
    campaign = _campaign(uow)
    key = CounterKey(campaign, "redeemCoupon", (("Coupon", "1"),), "")
    shared = CounterKey(campaign, "setDiscount", (), "")
    accepted: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(RACERS)

    def race() -> None:
        start.wait()
        with uow(write=True) as tx:
            refused = tx.budget_counters.add(
                [
                    CounterChange(shared, Decimal("0.5")),
                    CounterChange(key, Decimal(1), Decimal(LIMIT)),
                ]
            )
            if not refused:
                tx.commit()
        with lock:
            accepted.append(not refused)

    threads = [threading.Thread(target=race) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(accepted) == RACERS
    assert accepted.count(True) == LIMIT
    with uow(write=False) as tx:
        assert tx.budget_counters.read([key, shared]) == {
            key: Decimal(LIMIT),
            shared: Decimal("2.5"),
        }
