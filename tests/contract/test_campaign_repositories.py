"""The campaign and ruleset repositories: one contract for the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import (
    CampaignFeature,
    CampaignSpec,
    CampaignState,
    CampaignType,
    CodeGeneratorSettings,
)
from perks.domain.coupons import CouponProperties
from perks.domain.errors import Conflict
from perks.domain.limits import LimitConfig, LimitEntity, LimitPeriod
from perks.domain.pages import PageRequest, SortKey
from perks.domain.rulesets import Binding, Rule, RulesetSpec
from perks.services.ports import CampaignFilter, CouponFilter, NewCoupon, UnitOfWorkFactory

NOW = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)
DAY = timedelta(days=1)
CAMPAIGN = CampaignSpec(
    name="Summer 10%",
    description="ten percent off",
    state=CampaignState.ENABLED,
    start_time=NOW - DAY,
    end_time=NOW + 30 * DAY,
    attributes={"channel": "web", "weight": Decimal("0.25")},
    tags=("Summer", "web"),
    reevaluate_on_return=True,
    features=(CampaignFeature.COUPONS,),
    coupon_settings=CodeGeneratorSettings(tuple("ABC"), "SUMMER-###"),
    limits=(
        LimitConfig("redeemCoupon", Decimal(1000)),
        LimitConfig("setDiscount", Decimal("99.95"), (LimitEntity.PROFILE,), LimitPeriod.DAILY),
    ),
    type=CampaignType.CART_ITEM,
    coupon_attributes={"source": "newsletter"},
)
RULESET = RulesetSpec(
    bindings=(
        Binding("Threshold", Decimal("100.5"), type="templateParameter", min_value=Decimal("0.5")),
    ),
    rules=(
        Rule(
            title="10% over the threshold",
            description="",
            condition=["and", [">", [".", "Session", "Total"], [".", "Threshold"]]],
            effects=[["setDiscount", "10%", ["*", [".", "Session", "Total"], Decimal("0.1")]]],
            bindings=(Binding("Rate", Decimal("0.1")),),
            id="7fa800a8-ac8d-4792-85dc-c4650dcc8f23",
        ),
    ),
    rb_version="v2",
    activate=True,
)


def application(uow: UnitOfWorkFactory) -> int:
    with uow(write=True) as tx:
        app = tx.applications.add(
            ApplicationSpec(name="shop", timezone="UTC", currency="EUR"), now=NOW
        )
        tx.commit()
    return app.id


def test_a_campaign_round_trips_exactly(uow: UnitOfWorkFactory) -> None:
    app_id = application(uow)
    with uow(write=True) as tx:
        added = tx.campaigns.add(app_id, CAMPAIGN, now=NOW)
        tx.commit()
    with uow(write=False) as tx:
        found = tx.campaigns.get(app_id, added.id)
        assert tx.campaigns.get(app_id + 1, added.id) is None
    assert found == added
    assert found is not None
    assert found.spec() == CAMPAIGN
    assert found.attributes["weight"] == Decimal("0.25")


def test_campaigns_are_filtered_by_state_text_and_creation(uow: UnitOfWorkFactory) -> None:
    app_id = application(uow)
    specs = {
        "running": CAMPAIGN,
        "scheduled": replace(CAMPAIGN, name="Winter", tags=("cold",), start_time=NOW + DAY),
        "expired": replace(CAMPAIGN, name="Spring", tags=(), end_time=NOW - DAY / 2),
        "disabled": replace(CAMPAIGN, name="Off", tags=("x",), state=CampaignState.DISABLED),
        "archived": replace(CAMPAIGN, name="Old", tags=("y",), state=CampaignState.ARCHIVED),
    }
    ids = {}
    with uow(write=True) as tx:
        for offset, (key, spec) in enumerate(specs.items()):
            ids[key] = tx.campaigns.add(app_id, spec, now=NOW + offset * timedelta(seconds=1)).id
        tx.commit()

    def found(**criteria: Any) -> list[int]:
        with uow(write=False) as tx:
            page = tx.campaigns.list(app_id, PageRequest(), CampaignFilter(**criteria), now=NOW)
        return [campaign.id for campaign in page.items]

    for state in ("running", "scheduled", "expired", "disabled", "archived"):
        assert found(state=state) == [ids[state]], state
    assert found(state="enabled") == [ids["running"], ids["scheduled"], ids["expired"]]
    assert found(name="WIN") == [ids["scheduled"]]
    assert found(tags="summ") == [ids["running"]]
    assert found(name="spring", tags="COLD") == [ids["scheduled"], ids["expired"]]
    assert found(tags="%") == []
    assert found(created_after=NOW + timedelta(seconds=2)) == [ids["disabled"], ids["archived"]]
    assert found(created_before=NOW + timedelta(seconds=1)) == [ids["running"]]


def test_campaigns_page_and_sort(uow: UnitOfWorkFactory) -> None:
    app_id = application(uow)
    with uow(write=True) as tx:
        for name in ("b", "c", "a"):
            tx.campaigns.add(app_id, replace(CAMPAIGN, name=name), now=NOW)
        tx.commit()
    with uow(write=False) as tx:
        page = tx.campaigns.list(
            app_id,
            PageRequest(page_size=2, skip=0, sort=SortKey("name", descending=True)),
            CampaignFilter(),
            now=NOW,
        )
    assert [c.name for c in page.items] == ["c", "b"]
    assert page.total == 3


def test_update_and_delete_take_the_rulesets_along(uow: UnitOfWorkFactory) -> None:
    app_id = application(uow)
    with uow(write=True) as tx:
        campaign = tx.campaigns.add(app_id, CAMPAIGN, now=NOW)
        ruleset = tx.rulesets.add(campaign.id, RULESET, now=NOW, activated=False)
        tx.commit()
    with uow(write=True) as tx:
        changed = replace(CAMPAIGN, name="renamed", active_ruleset_id=ruleset.id)
        updated = tx.campaigns.update(app_id, campaign.id, changed, now=NOW + DAY)
        assert tx.campaigns.update(app_id + 1, campaign.id, changed, now=NOW) is None
        tx.commit()
    assert updated is not None
    assert (updated.name, updated.active_ruleset_id, updated.updated) == (
        "renamed",
        ruleset.id,
        NOW + DAY,
    )
    assert updated.created == NOW
    with uow(write=True) as tx:
        assert tx.campaigns.delete(app_id + 1, campaign.id) is False
        assert tx.campaigns.delete(app_id, campaign.id) is True
        tx.commit()
    with uow(write=False) as tx:
        assert tx.campaigns.get(app_id, campaign.id) is None
        assert tx.rulesets.get(campaign.id, ruleset.id) is None


def test_a_ruleset_round_trips_with_exact_numbers(uow: UnitOfWorkFactory) -> None:
    app_id = application(uow)
    with uow(write=True) as tx:
        campaign = tx.campaigns.add(app_id, CAMPAIGN, now=NOW)
        first = tx.rulesets.add(campaign.id, RULESET, now=NOW, activated=True)
        second = tx.rulesets.add(campaign.id, RULESET, now=NOW + DAY, activated=False)
        tx.commit()
    with uow(write=True) as tx:
        tx.rulesets.mark_activated(campaign.id, second.id, now=NOW + 2 * DAY)
        tx.commit()
    with uow(write=False) as tx:
        found = tx.rulesets.get(campaign.id, first.id)
        assert tx.rulesets.get(campaign.id + 1, first.id) is None
        listed = tx.rulesets.list(campaign.id, PageRequest())
        activated = tx.rulesets.get(campaign.id, second.id)
    assert found is not None
    assert found == first
    (rule,) = found.rules
    assert rule.effects == [
        ["setDiscount", "10%", ["*", [".", "Session", "Total"], Decimal("0.1")]]
    ]
    assert found.bindings[0].expression == Decimal("100.5")
    assert [r.id for r in listed.items] == [first.id, second.id]
    assert activated is not None
    assert activated.activated_at == NOW + 2 * DAY


def test_coupons_are_unique_per_application_and_filtered(uow: UnitOfWorkFactory) -> None:
    app_id = application(uow)
    properties = CouponProperties(
        usage_limit=2, discount_limit=Decimal("10.50"), attributes={"k": Decimal("0.5")}
    )
    with uow(write=True) as tx:
        campaign = tx.campaigns.add(app_id, CAMPAIGN, now=NOW)
        codes = [NewCoupon(f"Code-{n}", f"CODE-{n}") for n in range(5)]
        tx.coupons.add_many(app_id, campaign.id, codes, properties, batch_id="b1", now=NOW)
        tx.commit()
    with uow(write=False) as tx:
        assert tx.coupons.existing(app_id, ["CODE-1", "CODE-9"]) == {"CODE-1"}
        assert tx.coupons.existing(app_id + 1, ["CODE-1"]) == set()
        first, more = tx.coupons.list(
            campaign.id, PageRequest(page_size=2), CouponFilter(), now=NOW
        )
        found, _ = tx.coupons.list(
            campaign.id, PageRequest(), CouponFilter(value="code-3", exact_match=True), now=NOW
        )
        usable, _ = tx.coupons.list(campaign.id, PageRequest(), CouponFilter(usable=True), now=NOW)
    assert more is True
    assert [c.value for c in first] == ["Code-0", "Code-1"]
    assert [c.value for c in found] == ["Code-3"]
    assert len(usable) == 5
    coupon = first[0]
    assert coupon.discount_remainder == Decimal("10.50")
    assert coupon.attributes == {"k": Decimal("0.5")}
    assert coupon.batch_id == "b1"
    with uow(write=True) as tx, pytest.raises(Conflict):
        tx.coupons.add_many(
            app_id, campaign.id, [NewCoupon("x", "CODE-2")], properties, batch_id=None, now=NOW
        )
    with uow(write=True) as tx:
        expired = replace(properties, expiry_date=NOW - DAY)
        changed = tx.coupons.update(campaign.id, coupon.id, expired)
        assert changed is not None
        assert changed.expiry_date == NOW - DAY
        assert tx.coupons.delete(campaign.id, first[1].id) is True
        assert tx.coupons.delete(campaign.id, first[1].id) is False
        tx.commit()
    with uow(write=False) as tx:
        usable, _ = tx.coupons.list(campaign.id, PageRequest(), CouponFilter(usable=True), now=NOW)
        unusable, _ = tx.coupons.list(
            campaign.id, PageRequest(), CouponFilter(usable=False), now=NOW
        )
    assert len(usable) == 3
    assert [c.id for c in unusable] == [coupon.id]


def test_coupons_by_code_count_and_keyset_pages(uow: UnitOfWorkFactory) -> None:
    app_id = application(uow)
    properties = CouponProperties(usage_limit=1)
    with uow(write=True) as tx:
        campaign = tx.campaigns.add(app_id, CAMPAIGN, now=NOW)
        other = tx.campaigns.add(app_id, CAMPAIGN, now=NOW)
        codes = [NewCoupon(f"K-{n:04d}", f"K-{n:04d}") for n in range(1200)]
        tx.coupons.add_many(app_id, campaign.id, codes, properties, batch_id=None, now=NOW)
        tx.coupons.add_many(
            app_id, other.id, [NewCoupon("O-1", "O-1")], properties, batch_id=None, now=NOW
        )
        tx.commit()
    wanted = [f"K-{n:04d}" for n in range(0, 1200, 7)] + ["O-1", "NOPE"]
    with uow(write=False) as tx:
        found = tx.coupons.by_codes(campaign.id, wanted)
        assert sorted(c.value for c in found) == sorted(wanted[:-2])
        assert tx.coupons.by_codes(other.id, wanted)[0].value == "O-1"
        assert tx.coupons.by_codes(campaign.id, []) == []
        assert tx.coupons.count(campaign.id) == 1200
        assert tx.coupons.count(other.id) == 1
        in_app = tx.coupons.in_application(app_id, ["K-0007", "O-1", "NOPE"])
        assert {code: c.campaign_id for code, c in in_app.items()} == {
            "K-0007": campaign.id,
            "O-1": other.id,
        }
        assert tx.coupons.in_application(app_id + 1, ["O-1"]) == {}
        seen: list[str] = []
        after: int | None = None
        while True:
            page, more = tx.coupons.list(
                campaign.id, PageRequest(page_size=500), CouponFilter(after_id=after), now=NOW
            )
            seen += [c.value for c in page]
            if not more:
                break
            after = page[-1].id
    assert seen == [f"K-{n:04d}" for n in range(1200)]
