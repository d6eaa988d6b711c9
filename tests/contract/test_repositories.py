"""One contract, three implementations: the fake, SQLite and PostgreSQL repositories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from perks.domain.additional_costs import AdditionalCostSpec, AdditionalCostType
from perks.domain.applications import ApplicationSpec
from perks.domain.attributes import AttributeEntity, AttributeSpec, AttributeType
from perks.domain.limits import LimitConfig, LimitEntity, LimitPeriod
from perks.domain.pages import PageRequest, SortKey
from perks.services.ports import (
    AttributeFilter,
    NewIntegrationKey,
    NewManagementKey,
    UnitOfWorkFactory,
)

NOW = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
SPEC = ApplicationSpec(
    name="shop",
    timezone="Europe/Berlin",
    currency="EUR",
    limits=(
        LimitConfig(
            action="setDiscount",
            limit=Decimal("1234.5678"),
            entities=(LimitEntity.COUPON, LimitEntity.PROFILE),
            period=LimitPeriod.MONTHLY,
        ),
    ),
    attributes={"region": "north", "nested": {"a": [1, 2]}},
)


def test_an_application_round_trips_exactly(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        added = tx.applications.add(SPEC, now=NOW)
        tx.commit()
    with uow(write=False) as tx:
        found = tx.applications.get(added.id)
    assert found == added
    assert found is not None
    assert found.limits[0].limit == Decimal("1234.5678")
    assert found.created == NOW
    assert found.created.tzinfo is not None


def test_leaving_without_commit_stores_nothing(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        added = tx.applications.add(SPEC, now=NOW)
    with uow(write=False) as tx:
        assert tx.applications.get(added.id) is None
        assert tx.applications.list(PageRequest()).total == 0


def test_applications_page_sort_and_filter(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        for name in ["c", "a", "b"]:
            tx.applications.add(replace(SPEC, name=name), now=NOW)
        tx.commit()
    with uow(write=False) as tx:
        by_name = tx.applications.list(PageRequest(page_size=2, sort=SortKey("name")))
        descending = tx.applications.list(PageRequest(sort=SortKey("name", descending=True)))
        skipped = tx.applications.list(PageRequest(skip=2))
        only = tx.applications.list(PageRequest(), only_ids=[1, 3])
    assert [a.name for a in by_name.items] == ["a", "b"]
    assert by_name.total == 3
    assert [a.name for a in descending.items] == ["c", "b", "a"]
    assert [a.id for a in skipped.items] == [3]
    assert [a.id for a in only.items] == [1, 3]
    assert only.total == 2


def test_update_and_delete_application(uow: UnitOfWorkFactory) -> None:
    later = NOW + timedelta(hours=1)
    with uow(write=True) as tx:
        added = tx.applications.add(SPEC, now=NOW)
        updated = tx.applications.update(added.id, replace(SPEC, name="renamed"), now=later)
        missing = tx.applications.update(999, SPEC, now=later)
        tx.commit()
    assert updated is not None and missing is None
    assert (updated.name, updated.created, updated.modified) == ("renamed", NOW, later)
    with uow(write=True) as tx:
        assert tx.applications.delete(added.id) is True
        assert tx.applications.delete(added.id) is False
        tx.commit()


def test_integration_keys_are_found_by_digest_and_revoked(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        app = tx.applications.add(SPEC, now=NOW)
        other = tx.applications.add(SPEC, now=NOW)
        key = tx.integration_keys.add(
            NewIntegrationKey(
                application_id=app.id,
                title="checkout",
                digest="d" * 64,
                prefix="abcdef",
                expires=NOW + timedelta(days=1),
                created=NOW,
            )
        )
        tx.commit()
    with uow(write=True) as tx:
        assert tx.integration_keys.find_by_digest("d" * 64) == key
        assert tx.integration_keys.find_by_digest("e" * 64) is None
        assert tx.integration_keys.get(other.id, key.id) is None
        assert tx.integration_keys.revoke(other.id, key.id, now=NOW) is False
        assert tx.integration_keys.revoke(app.id, key.id, now=NOW) is True
        tx.integration_keys.touch(key.id, now=NOW)
        tx.commit()
    with uow(write=False) as tx:
        stored = tx.integration_keys.get(app.id, key.id)
        listed = tx.integration_keys.list(app.id, PageRequest())
    assert stored is not None
    assert (stored.revoked, stored.last_used) == (NOW, NOW)
    assert [k.id for k in listed.items] == [key.id]


def test_deleting_an_application_deletes_its_keys(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        app = tx.applications.add(SPEC, now=NOW)
        tx.integration_keys.add(
            NewIntegrationKey(app.id, "k", "f" * 64, "ffffff", NOW + timedelta(days=1), NOW)
        )
        tx.applications.delete(app.id)
        tx.commit()
    with uow(write=False) as tx:
        assert tx.integration_keys.find_by_digest("f" * 64) is None


def test_management_keys(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        key = tx.management_keys.add(
            NewManagementKey("ops", "a" * 64, "aaaaaa", NOW + timedelta(days=1), NOW, (1, 2))
        )
        tx.management_keys.add(
            NewManagementKey("old", "b" * 64, "bbbbbb", NOW - timedelta(days=1), NOW)
        )
        tx.commit()
    with uow(write=True) as tx:
        assert tx.management_keys.find_by_digest("a" * 64) == key
        assert tx.management_keys.count_usable(now=NOW) == 1
        tx.management_keys.touch(key.id, now=NOW)
        tx.commit()
    with uow(write=False) as tx:
        found = tx.management_keys.find_by_digest("a" * 64)
    assert found is not None
    assert found.last_used == NOW
    assert found.allowed_application_ids == (1, 2)


def _attribute(name: str, **changes: object) -> AttributeSpec:
    spec = AttributeSpec(
        entity=AttributeEntity.CUSTOMER_SESSION,
        name=name,
        title=name.title(),
        type=AttributeType.STRING,
        description=f"the {name}",
        suggestions=("x", "y"),
        editable=True,
    )
    return replace(spec, **changes)  # type: ignore[arg-type]


def test_attributes_find_filter_and_update(uow: UnitOfWorkFactory) -> None:
    with uow(write=True) as tx:
        color = tx.attributes.add(_attribute("color"), now=NOW)
        tx.attributes.add(_attribute("size", type=AttributeType.NUMBER, suggestions=()), now=NOW)
        tx.attributes.add(
            _attribute("color", entity=AttributeEntity.EVENT, event_type="viewed"), now=NOW
        )
        tx.commit()
    with uow(write=True) as tx:
        assert (
            tx.attributes.find(AttributeEntity.CUSTOMER_SESSION, "color", event_type=None) == color
        )
        assert tx.attributes.find(AttributeEntity.EVENT, "color", event_type="viewed") is not None
        assert tx.attributes.find(AttributeEntity.EVENT, "color", event_type=None) is None
        sessions = tx.attributes.list(
            PageRequest(), AttributeFilter(entity=AttributeEntity.CUSTOMER_SESSION)
        )
        numbers = tx.attributes.list(PageRequest(), AttributeFilter(type=AttributeType.NUMBER))
        searched = tx.attributes.list(PageRequest(), AttributeFilter(search="THE SI"))
        updated = tx.attributes.update(color.id, replace(_attribute("color"), title="Colour"))
        tx.commit()
    assert sessions.total == 2
    assert [a.name for a in numbers.items] == ["size"]
    assert [a.name for a in searched.items] == ["size"]
    assert updated is not None and updated.title == "Colour" and updated.created == NOW


def test_additional_costs(uow: UnitOfWorkFactory) -> None:
    spec = AdditionalCostSpec(name="shipping", title="Shipping", description="")
    with uow(write=True) as tx:
        cost = tx.additional_costs.add(spec, now=NOW)
        tx.commit()
    with uow(write=True) as tx:
        assert tx.additional_costs.find_by_name("shipping") == cost
        assert tx.additional_costs.find_by_name("packaging") is None
        updated = tx.additional_costs.update(
            cost.id, replace(spec, type=AdditionalCostType.BOTH, subscribed_applications_ids=(1,))
        )
        assert tx.additional_costs.update(999, spec) is None
        tx.commit()
    with uow(write=False) as tx:
        assert tx.additional_costs.get(cost.id) == updated
        assert tx.additional_costs.list(PageRequest()).total == 1
