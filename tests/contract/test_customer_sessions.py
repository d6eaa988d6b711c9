"""Customer profiles and sessions on the fake, SQLite and PostgreSQL: what is stored comes back
exactly, profiles are created once, sessions are unique per application."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from perks.domain.applications import ApplicationSpec
from perks.domain.customer_sessions import CartItem, CustomerSession, SessionState, StoredSession
from perks.domain.effects import Effect
from perks.domain.errors import Conflict
from perks.services.ports import UnitOfWorkFactory

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SESSION = CustomerSession(
    integration_id="s-1",
    profile_id="alice",
    store_integration_id="berlin",
    coupon_codes=("XMAS",),
    referral_code="FRIEND",
    loyalty_cards=("card-1",),
    state=SessionState.CLOSED,
    cart_items=(
        CartItem(
            sku="SHOE",
            quantity=2,
            name="Shoe",
            price=Decimal("59.90"),
            category="shoes",
            product={"name": "Runner"},
            weight=Decimal("800.5"),
            attributes={"size": Decimal("42.5"), "gift": True},
            additional_costs={"wrap": Decimal("1.50")},
            returned_quantity=1,
            position=0,
        ),
        CartItem(sku="MUG", quantity=1, position=1),
    ),
    additional_costs={"shipping": Decimal("4.99")},
    identifiers=("ip-1",),
    attributes={"channel": "web", "score": Decimal("0.1")},
    update_count=3,
    created=NOW - timedelta(hours=1),
    updated=NOW,
)
EFFECT = Effect(
    campaign_id=3,
    ruleset_id=7,
    rule_index=0,
    rule_name="10%",
    effect_type="setDiscount",
    props={"name": "10%", "value": Decimal("11.98")},
    triggered_by_coupon=9,
    evaluation_group_id=1,
    evaluation_group_mode="stackable",
)


def _application(uow: UnitOfWorkFactory) -> int:
    with uow(write=True) as tx:
        app = tx.applications.add(
            ApplicationSpec(name="a", timezone="UTC", currency="EUR"), now=NOW
        )
        tx.commit()
    return app.id


def test_a_session_round_trips_exactly(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    stored = StoredSession(
        0, app, SESSION, first_session=False, effects=(EFFECT,), committed=(EFFECT,)
    )
    with uow(write=True) as tx:
        added = tx.customer_sessions.add(stored)
        tx.commit()
    assert added.id > 0
    with uow(write=False) as tx:
        found = tx.customer_sessions.get(app, "s-1", lock=True)
        without_effects = tx.customer_sessions.get(app, "s-1", effects=False)
        assert tx.customer_sessions.get(app, "s-2") is None
        assert tx.customer_sessions.get(app + 1, "s-1") is None
    assert found == replace(stored, id=added.id)
    # What an update reads: everything but the last effects, which it replaces.
    assert without_effects == replace(stored, id=added.id, effects=())
    assert found is not None
    assert found.session.total() == SESSION.total()


def test_a_session_is_saved_and_counted_per_profile(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    with uow(write=True) as tx:
        first = tx.customer_sessions.add(StoredSession(0, app, SESSION))
        tx.customer_sessions.add(StoredSession(0, app, replace(SESSION, integration_id="s-2")))
        tx.customer_sessions.add(
            StoredSession(0, app, replace(SESSION, integration_id="s-3", profile_id=""))
        )
        tx.commit()
    changed = replace(
        first,
        session=replace(
            SESSION,
            state=SessionState.CANCELLED,
            cart_items=(),
            update_count=4,
            updated=NOW + timedelta(minutes=1),
        ),
        effects=(),
        committed=(EFFECT,),
    )
    with uow(write=True) as tx:
        tx.customer_sessions.save(changed)
        tx.commit()
    with uow(write=False) as tx:
        assert tx.customer_sessions.get(app, "s-1") == changed
        assert tx.customer_sessions.count_for_profile(app, "alice") == 2
        assert tx.customer_sessions.count_for_profile(app, "") == 1
        assert tx.customer_sessions.count_for_profile(app, "bob") == 0


def test_a_session_id_is_unique_per_application(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    with uow(write=True) as tx:
        tx.customer_sessions.add(StoredSession(0, app, SESSION))
        tx.commit()
    with uow(write=True) as tx:
        with pytest.raises(Conflict):
            tx.customer_sessions.add(StoredSession(0, app, SESSION))
        tx.customer_sessions.add(StoredSession(0, app, replace(SESSION, integration_id="s-9")))
        tx.commit()  # the transaction survives the refused insert
    with uow(write=False) as tx:
        assert tx.customer_sessions.count_for_profile(app, "alice") == 2


def test_a_profile_is_created_once_and_saved(uow: UnitOfWorkFactory) -> None:
    app = _application(uow)
    with uow(write=True) as tx:
        assert tx.customer_profiles.get(app, "alice") is None
        profile, created = tx.customer_profiles.ensure(app, "alice", now=NOW)
        again, created_again = tx.customer_profiles.ensure(
            app, "alice", now=NOW + timedelta(days=1)
        )
        tx.commit()
    assert (created, created_again) == (True, False)
    assert again == profile
    assert (profile.closed_sessions, profile.total_sales, profile.created) == (0, Decimal(0), NOW)
    closed = replace(
        profile,
        attributes={"tier": "gold", "points": Decimal("10.5")},
        closed_sessions=1,
        total_sales=Decimal("119.80"),
        last_activity=NOW,
    )
    with uow(write=True) as tx:
        tx.customer_profiles.save(closed)
        tx.commit()
    with uow(write=False) as tx:
        assert tx.customer_profiles.get(app, "alice") == closed
        assert tx.customer_profiles.get(app + 1, "alice") is None
