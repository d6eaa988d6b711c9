"""Session events, returns and idempotency keys on the fake, SQLite and PostgreSQL: what is
stored comes back exactly, returns come oldest first, an expired key reads as absent and is
replaced, a live one is taken once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from perks.adapters.sql.customer_sessions import effect_from_document
from perks.adapters.sql.documents import load
from perks.adapters.sql.tables import session_events
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.domain.applications import ApplicationSpec
from perks.domain.customer_sessions import CustomerSession, SessionState, StoredSession
from perks.domain.effects import Effect
from perks.domain.errors import Conflict
from perks.domain.events import Event
from perks.domain.idempotency import MAX_KEY_LENGTH, StoredAnswer
from perks.domain.returns import CartReturn, ReturnedCartItem
from perks.services.ports import UnitOfWorkFactory
from tests.fakes import FakeStore

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
OPERATION = "returnCartItems"
ROLLBACK = Effect(
    campaign_id=3,
    ruleset_id=7,
    rule_index=0,
    rule_name="2 off each mug",
    effect_type="rollbackDiscount",
    props={
        "name": "mug#1",
        "value": Decimal("4.00"),
        "cartItemPosition": 1,
        "ratio": Decimal("0.1"),
    },
    triggered_by_coupon=9,
    evaluation_group_id=1,
    evaluation_group_mode="stackable",
)


def _application(uow: UnitOfWorkFactory, name: str = "a") -> int:
    with uow(write=True) as tx:
        app = tx.applications.add(
            ApplicationSpec(name=name, timezone="UTC", currency="EUR"), now=NOW
        )
        tx.commit()
    return app.id


def _sessions(uow: UnitOfWorkFactory, app: int, *names: str) -> list[int]:
    with uow(write=True) as tx:
        ids = [
            tx.customer_sessions.add(
                StoredSession(
                    0,
                    app,
                    CustomerSession(
                        integration_id=name, state=SessionState.CLOSED, created=NOW, updated=NOW
                    ),
                )
            ).id
            for name in names
        ]
        tx.commit()
    return ids


def _stored_events(uow: UnitOfWorkFactory) -> list[Event]:
    """Every stored event, oldest first (the repository has no reader of its own)."""
    if isinstance(uow, FakeStore):
        return [event for _, event in sorted(uow.state.session_events.rows.items())]
    assert isinstance(uow, SqlUnitOfWorkFactory)
    with uow._engine.connect() as connection:
        rows = connection.execute(select(session_events).order_by(session_events.c.id))
        return [
            Event(
                application_id=int(row["application_id"]),
                type=row["type"],
                created=row["created"],
                session_integration_id=row["session_integration_id"],
                profile_id=row["profile_integration_id"],
                store_integration_id=row["store_integration_id"],
                attributes=load(row["attributes"]),
                effects=tuple(effect_from_document(e) for e in load(row["effects"])),
                meta=load(row["meta"]),
                id=int(row["id"]),
            )
            for row in rows.mappings()
        ]


# Events ---------------------------------------------------------------------------------------


def test_events_get_increasing_ids_and_are_stored_exactly(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    created = Event(
        application_id=app,
        type="talon_session_created",
        created=NOW,
        session_integration_id="s-1",
        profile_id="alice",
        store_integration_id="berlin",
    )
    returned = Event(
        application_id=app,
        type="talon_session_partially_returned",
        created=NOW + timedelta(minutes=5),
        session_integration_id="s-1",
        profile_id="",
        store_integration_id=None,
        attributes={"channel": "web"},
        effects=(ROLLBACK,),
        meta={
            "couponRejectionReason": {"campaignId": -1, "couponId": 0, "reason": "CouponNotFound"}
        },
    )
    with uow(write=True) as tx:
        first = tx.session_events.add(created)
        second = tx.session_events.add(returned)
        tx.commit()
    assert 0 < first.id < second.id
    assert (first, second) == (replace(created, id=first.id), replace(returned, id=second.id))
    with uow(write=True) as tx:
        tx.session_events.add(replace(created, type="talon_session_updated"))
        # left without commit: dropped
    with uow(write=True) as tx:
        third = tx.session_events.add(replace(created, type="talon_session_closed"))
        tx.commit()
    assert third.id > second.id
    assert _stored_events(uow) == [first, second, third]


# Returns --------------------------------------------------------------------------------------


def _return(
    app: int, session_id: int, name: str, minutes: int, *items: ReturnedCartItem
) -> CartReturn:
    return CartReturn(
        application_id=app,
        session_id=session_id,
        session_integration_id=name,
        profile_integration_id="alice",
        created=NOW + timedelta(minutes=minutes),
        returned_cart_items=items,
        event_id=40 + minutes,
    )


def test_returns_come_back_exactly_oldest_first_per_session(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    one, two = _sessions(uow, app, "s-1", "s-2")
    first = _return(
        app, one, "s-1", 1, ReturnedCartItem(1, 2, "MUG"), ReturnedCartItem(0, 1, "SHOE")
    )
    other = _return(app, two, "s-2", 2, ReturnedCartItem(0, 1, "HAT"))
    # The latest return was created earlier (a clock going back): the order is the insertion's.
    last = replace(
        _return(app, one, "s-1", 0, ReturnedCartItem(1, 1, "MUG")), profile_integration_id=""
    )
    with uow(write=True) as tx:
        assert tx.session_returns.for_session(one) == []
        added = [tx.session_returns.add(r) for r in (first, other, last)]
        tx.commit()
    assert [a.id for a in added] == sorted({a.id for a in added})
    assert all(a.id > 0 for a in added)
    assert added == [replace(r, id=a.id) for r, a in zip((first, other, last), added, strict=True)]
    with uow(write=True) as tx:
        tx.session_returns.add(_return(app, two, "s-2", 9, ReturnedCartItem(0, 1, "HAT")))
        # left without commit: dropped
    with uow(write=False) as tx:
        assert tx.session_returns.for_session(one) == [added[0], added[2]]
        assert tx.session_returns.for_session(two) == [added[1]]
        assert tx.session_returns.for_session(two + 1000) == []


# Idempotency keys -------------------------------------------------------------------------------


def _answer(app: int, key: str = "k-1", **changes: object) -> StoredAnswer:
    fields: dict[str, object] = {
        "application_id": app,
        "operation": OPERATION,
        "key": key,
        "fingerprint": "a" * 64,
        "status": 200,
        "response": '{"effects":[],"note":"ünïcødé ✓"}',
        "created": NOW,
        **changes,
    }
    return StoredAnswer(**fields)  # type: ignore[arg-type]


def test_a_stored_answer_is_read_back_until_it_expires(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    other_app = _application(uow, "b")
    answer = _answer(app, response="x" * 100_000)
    longest = _answer(app, key="k" * MAX_KEY_LENGTH, status=201)
    with uow(write=True) as tx:
        assert tx.idempotency_keys.get(app, OPERATION, "k-1", now=NOW) is None
        tx.idempotency_keys.add(answer)
        tx.idempotency_keys.add(longest)
        tx.commit()
    with uow(write=False) as tx:
        keys = tx.idempotency_keys
        assert keys.get(app, OPERATION, "k-1", now=NOW) == answer
        assert keys.get(app, OPERATION, "k-1", now=NOW + timedelta(hours=24, seconds=-1)) == answer
        assert keys.get(app, OPERATION, "k" * MAX_KEY_LENGTH, now=NOW) == longest
        # 24 hours later it has expired; other applications, operations and keys never had it.
        assert keys.get(app, OPERATION, "k-1", now=NOW + timedelta(hours=24)) is None
        assert keys.get(other_app, OPERATION, "k-1", now=NOW) is None
        assert keys.get(app, "updateCustomerSessionV2", "k-1", now=NOW) is None
        assert keys.get(app, OPERATION, "K-1", now=NOW) is None
    assert answer.expires == NOW + timedelta(hours=24)


def test_the_same_key_in_another_application_or_operation_is_another_key(
    uow: UnitOfWorkFactory,
) -> None:
    app = _application(uow)
    other_app = _application(uow, "b")
    answers = [
        _answer(app),
        _answer(other_app, fingerprint="b" * 64),
        _answer(app, operation="other", fingerprint="c" * 64),
    ]
    with uow(write=True) as tx:
        for answer in answers:
            tx.idempotency_keys.add(answer)
        tx.commit()
    with uow(write=False) as tx:
        found = [
            tx.idempotency_keys.get(a.application_id, a.operation, a.key, now=NOW) for a in answers
        ]
    assert found == answers


def test_an_expired_key_is_replaced(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    with uow(write=True) as tx:
        tx.idempotency_keys.add(_answer(app))
        tx.commit()
    later = NOW + timedelta(hours=24, minutes=1)
    fresh = _answer(app, fingerprint="f" * 64, status=200, response="{}", created=later)
    with uow(write=True) as tx:
        tx.idempotency_keys.add(fresh)
        tx.commit()
    with uow(write=False) as tx:
        assert tx.idempotency_keys.get(app, OPERATION, "k-1", now=later) == fresh
        assert tx.idempotency_keys.get(app, OPERATION, "k-1", now=later + timedelta(hours=23)) == (
            fresh
        )


def test_a_live_key_is_taken_once_and_the_transaction_goes_on(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    first = _answer(app)
    with uow(write=True) as tx:
        tx.idempotency_keys.add(first)
        tx.commit()
    second = _answer(app, fingerprint="d" * 64, response="{}", created=NOW + timedelta(hours=1))
    other = _answer(app, key="k-2", created=NOW + timedelta(hours=1))
    with uow(write=True) as tx:
        with pytest.raises(Conflict) as taken:
            tx.idempotency_keys.add(second)
        assert "k-1" in taken.value.details
        tx.idempotency_keys.add(other)  # the transaction survives the refused insert
        (session_id,) = [
            tx.customer_sessions.add(
                StoredSession(
                    0, app, CustomerSession(integration_id="s-1", created=NOW, updated=NOW)
                )
            ).id
        ]
        tx.commit()
    with uow(write=False) as tx:
        assert tx.idempotency_keys.get(app, OPERATION, "k-1", now=NOW + timedelta(hours=2)) == first
        assert tx.idempotency_keys.get(app, OPERATION, "k-2", now=NOW + timedelta(hours=2)) == other
        stored = tx.customer_sessions.get(app, "s-1")
        assert stored is not None and stored.id == session_id


def test_a_key_taken_in_the_same_transaction_is_refused(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    with uow(write=True) as tx:
        tx.idempotency_keys.add(_answer(app))
        with pytest.raises(Conflict):
            tx.idempotency_keys.add(_answer(app, fingerprint="e" * 64))
        tx.commit()
    with uow(write=False) as tx:
        assert tx.idempotency_keys.get(app, OPERATION, "k-1", now=NOW) == _answer(app)
