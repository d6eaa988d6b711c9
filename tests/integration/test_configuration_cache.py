"""What evaluations build from configuration is kept per configuration revision: any committed
change of campaigns, rulesets, stores, attributes... moves the revision, so the next update of
any process (here: two service sets on one database, as two perks processes) sees it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.bootstrap import Services, build_services
from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec, CampaignState
from perks.domain.customer_sessions import CartItem, SessionUpdate
from perks.domain.rulesets import Rule, RulesetSpec
from perks.services.customer_sessions import SessionRequest
from perks.services.principals import OPERATOR
from perks.settings import Settings
from tests.fakes import FixedClock

D = Decimal
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
CART = (CartItem(sku="SHOE", quantity=1, price=D(80)),)


@pytest.fixture
def two_processes(database_url: str) -> Iterator[tuple[Services, Services]]:
    settings = Settings(database_url=database_url)
    first = build_services(settings, clock=FixedClock(NOW))
    second = build_services(settings, clock=FixedClock(NOW))
    yield first, second
    first.database.dispose()
    second.database.dispose()


def _kinds(services: Services, application_id: int, session_id: str) -> list[str]:
    update = SessionUpdate(profile_id="p", cart_items=CART)
    outcome = services.customer_sessions.update(application_id, SessionRequest(session_id, update))
    return [e.effect_type for e in outcome.evaluation.effects]


def _revision(services: Services) -> int:
    with SqlUnitOfWorkFactory(services.database.engine)(write=False) as uow:
        return uow.configuration.revision()


def test_a_change_made_by_one_process_is_seen_by_the_next_update_of_another(
    two_processes: tuple[Services, Services],
) -> None:
    management, checkout = two_processes
    app = management.applications.create(
        OPERATOR, ApplicationSpec(name="shop", timezone="UTC", currency="EUR")
    )
    assert _kinds(checkout, app.id, "s-1") == []  # kept: no campaign
    spec = CampaignSpec(name="five")
    campaign = management.campaigns.create(OPERATOR, app.id, spec)
    rule = Rule("five off", ["and", True], [["setDiscount", "five", 5]])
    ruleset = management.rulesets.create(
        OPERATOR, app.id, campaign.id, RulesetSpec(rules=(rule,), activate=True)
    )
    assert _kinds(checkout, app.id, "s-1") == ["setDiscount"]
    spec = replace(spec, active_ruleset_id=ruleset.id)
    management.campaigns.update(
        OPERATOR, app.id, campaign.id, replace(spec, state=CampaignState.DISABLED)
    )
    assert _kinds(checkout, app.id, "s-1") == []
    management.campaigns.update(OPERATOR, app.id, campaign.id, spec)
    assert _kinds(checkout, app.id, "s-1") == ["setDiscount"]


def test_the_revision_moves_with_committed_configuration_writes_only(
    two_processes: tuple[Services, Services],
) -> None:
    services, _ = two_processes
    start = _revision(services)
    app = services.applications.create(
        OPERATOR, ApplicationSpec(name="shop", timezone="UTC", currency="EUR")
    )
    assert _revision(services) == start + 1
    _kinds(services, app.id, "s-1")  # sessions, profiles and events are not configuration
    assert _revision(services) == start + 1
    units = SqlUnitOfWorkFactory(services.database.engine)
    with units(write=True) as uow:  # written, then rolled back
        uow.campaigns.add(app.id, CampaignSpec(name="never"), now=NOW)
    assert _revision(services) == start + 1
    with units(write=True) as uow:
        uow.campaigns.add(app.id, CampaignSpec(name="kept"), now=NOW)
        uow.commit()
    assert _revision(services) == start + 2
