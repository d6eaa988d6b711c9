"""The expiry sweep of anonymous session contexts behaves alike on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from perks.domain.session_contexts import ContextFields, created
from perks.services.ports import UnitOfWorkFactory
from perks.services.session_contexts import DEFAULT_IDLE

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TENANT = "shop"


def test_the_sweep_deletes_only_expired_anonymous_contexts_within_its_limit(
    uow: UnitOfWorkFactory,
) -> None:
    old = NOW - timedelta(hours=2)
    contexts = [created(TENANT, f"old-{n}", ContextFields(), old) for n in range(3)] + [
        created(TENANT, "customer", ContextFields(customer_id="C1"), old),
        created(TENANT, "fresh", ContextFields(), NOW),
    ]
    with uow(write=True) as tx:
        for context in contexts:
            tx.session_contexts.add(context)
        tx.commit()
    with uow(write=True) as tx:
        assert tx.session_contexts.delete_expired(NOW - DEFAULT_IDLE, limit=2) == 2
        assert tx.session_contexts.delete_expired(NOW - DEFAULT_IDLE, limit=2) == 1
        assert tx.session_contexts.delete_expired(NOW - DEFAULT_IDLE, limit=2) == 0
        tx.commit()
    with uow(write=False) as tx:
        left = [c.session_id for c in contexts if tx.session_contexts.get(TENANT, c.session_id)]
    assert left == ["customer", "fresh"]
