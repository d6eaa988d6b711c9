"""In-memory adapters: the fake side of the repository contract, and a fixed clock."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import fields, replace
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, Generic, TypeVar

from perks.domain.additional_costs import AdditionalCost, AdditionalCostSpec
from perks.domain.api_keys import IntegrationKey, ManagementKey
from perks.domain.applications import Application, ApplicationSpec
from perks.domain.attributes import Attribute, AttributeEntity, AttributeSpec
from perks.domain.budgets import CounterChange, CounterKey
from perks.domain.campaigns import (
    Campaign,
    CampaignSpec,
    CampaignState,
    FrontendState,
    frontend_state,
)
from perks.domain.coupon_jobs import CouponCreationJob, JobStatus
from perks.domain.coupons import Coupon, CouponBatchChanges, CouponProperties
from perks.domain.custom_effects import CustomEffect
from perks.domain.customer_profiles import CustomerProfile
from perks.domain.customer_sessions import StoredSession
from perks.domain.errors import Conflict
from perks.domain.evaluation_groups import EvaluationGroup, EvaluationGroupSpec, Member
from perks.domain.events import Event
from perks.domain.idempotency import StoredAnswer
from perks.domain.oauth import AccessToken, OAuthClient
from perks.domain.pages import Page, PageRequest
from perks.domain.returns import CartReturn
from perks.domain.rulesets import Ruleset, RulesetSpec
from perks.domain.session_contexts import SessionContext
from perks.domain.stores import Store, StoreSpec
from perks.domain.vocabulary import CustomEffectDefinition
from perks.services.ports import (
    AttributeFilter,
    CampaignFilter,
    CouponFilter,
    NewCoupon,
    NewIntegrationKey,
    NewManagementKey,
    StoreFilter,
)

T = TypeVar("T")


class InlineJobs:
    """Background work, run at once (the request then answers after it)."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, work: Callable[[], None]) -> None:
        self.submitted += 1
        work()


class HeldJobs:
    """Background work kept until ``run_all``: a process that stops before running it."""

    def __init__(self) -> None:
        self.held: list[Callable[[], None]] = []

    def submit(self, work: Callable[[], None]) -> None:
        self.held.append(work)

    def run_all(self) -> int:
        work, self.held = self.held, []
        for item in work:
            item()
        return len(work)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class _Table(Generic[T]):
    def __init__(self) -> None:
        self.rows: dict[int, T] = {}
        self.next_id = 1

    def allocate(self) -> int:
        new_id = self.next_id
        self.next_id += 1
        return new_id


def _page(items: Iterable[T], page: PageRequest) -> Page[T]:
    rows = list(items)
    key: Callable[[T], Any] = lambda row: (getattr(row, page.sort.field), row.id)  # type: ignore[attr-defined]  # noqa: E731
    rows.sort(key=key, reverse=page.sort.descending)
    return Page(items=rows[page.skip : page.skip + page.page_size], total=len(rows))


class FakeState:
    """The stored data; a unit of work works on a copy and publishes it on commit."""

    def __init__(self) -> None:
        self.applications: _Table[Application] = _Table()
        self.integration_keys: _Table[tuple[str, IntegrationKey]] = _Table()
        self.management_keys: _Table[tuple[str, ManagementKey]] = _Table()
        self.attributes: _Table[Attribute] = _Table()
        self.additional_costs: _Table[AdditionalCost] = _Table()
        self.campaigns: _Table[Campaign] = _Table()
        self.rulesets: _Table[Ruleset] = _Table()
        self.coupons: _Table[tuple[int, str, Coupon]] = _Table()  # application, normalized
        self.evaluation_groups: _Table[EvaluationGroup] = _Table()
        self.custom_effects: _Table[CustomEffect] = _Table()
        self.stores: _Table[Store] = _Table()
        self.coupon_jobs: _Table[CouponCreationJob] = _Table()
        self.coupon_job_owners: dict[int, str] = {}
        self.budget_counters: dict[CounterKey, Decimal] = {}
        self.customer_profiles: _Table[CustomerProfile] = _Table()
        self.customer_sessions: _Table[StoredSession] = _Table()
        self.session_events: _Table[Event] = _Table()
        self.session_returns: _Table[CartReturn] = _Table()
        self.idempotency_keys: dict[tuple[int, str, str], StoredAnswer] = {}
        self.session_contexts: dict[tuple[str, str], SessionContext] = {}
        self.oauth_clients: _Table[tuple[OAuthClient, str]] = _Table()  # with the digest
        self.access_tokens: dict[str, AccessToken] = {}
        self.places: dict[int, tuple[int, int]] = {}  # campaign id: (group id, position)


class FakeApplicationRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.applications
        self._keys = state.integration_keys

    def add(self, spec: ApplicationSpec, *, now: datetime) -> Application:
        application = Application.from_spec(
            spec, id=self._table.allocate(), created=now, modified=now
        )
        self._table.rows[application.id] = application
        return application

    def get(self, application_id: int) -> Application | None:
        return self._table.rows.get(application_id)

    def list(
        self, page: PageRequest, *, only_ids: Collection[int] | None = None
    ) -> Page[Application]:
        rows = self._table.rows.values()
        return _page((a for a in rows if only_ids is None or a.id in only_ids), page)

    def update(
        self, application_id: int, spec: ApplicationSpec, *, now: datetime
    ) -> Application | None:
        current = self._table.rows.get(application_id)
        if current is None:
            return None
        assert current.created is not None
        updated = Application.from_spec(
            spec, id=application_id, created=current.created, modified=now
        )
        self._table.rows[application_id] = updated
        return updated

    def delete(self, application_id: int) -> bool:
        if self._table.rows.pop(application_id, None) is None:
            return False
        for key_id, (_, key) in list(self._keys.rows.items()):
            if key.application_id == application_id:
                del self._keys.rows[key_id]
        return True


class FakeIntegrationKeyRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.integration_keys

    def add(self, key: NewIntegrationKey) -> IntegrationKey:
        if any(digest == key.digest for digest, _ in self._table.rows.values()):
            raise ValueError("duplicate digest")
        stored = IntegrationKey(
            id=self._table.allocate(),
            application_id=key.application_id,
            title=key.title,
            prefix=key.prefix,
            expires=key.expires,
            created=key.created,
            platform=key.platform,
            type=key.type,
            time_offset=key.time_offset,
        )
        self._table.rows[stored.id] = (key.digest, stored)
        return stored

    def find_by_digest(self, digest: str) -> IntegrationKey | None:
        return next((k for d, k in self._table.rows.values() if d == digest), None)

    def get(self, application_id: int, key_id: int) -> IntegrationKey | None:
        row = self._table.rows.get(key_id)
        return row[1] if row is not None and row[1].application_id == application_id else None

    def list(self, application_id: int, page: PageRequest) -> Page[IntegrationKey]:
        keys = (k for _, k in self._table.rows.values() if k.application_id == application_id)
        return _page(keys, page)

    def revoke(self, application_id: int, key_id: int, *, now: datetime) -> bool:
        key = self.get(application_id, key_id)
        if key is None:
            return False
        if key.revoked is None:
            digest = self._table.rows[key_id][0]
            self._table.rows[key_id] = (digest, replace(key, revoked=now))
        return True

    def touch(self, key_id: int, *, now: datetime) -> None:
        digest, key = self._table.rows[key_id]
        self._table.rows[key_id] = (digest, replace(key, last_used=now))


class FakeManagementKeyRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.management_keys

    def add(self, key: NewManagementKey) -> ManagementKey:
        stored = ManagementKey(
            id=self._table.allocate(),
            name=key.name,
            prefix=key.prefix,
            expiry_date=key.expiry_date,
            created=key.created,
            allowed_application_ids=key.allowed_application_ids,
        )
        self._table.rows[stored.id] = (key.digest, stored)
        return stored

    def find_by_digest(self, digest: str) -> ManagementKey | None:
        return next((k for d, k in self._table.rows.values() if d == digest), None)

    def count_usable(self, *, now: datetime) -> int:
        return sum(1 for _, k in self._table.rows.values() if k.is_usable(now))

    def touch(self, key_id: int, *, now: datetime) -> None:
        digest, key = self._table.rows[key_id]
        self._table.rows[key_id] = (digest, replace(key, last_used=now))


class FakeAttributeRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.attributes

    def add(self, spec: AttributeSpec, *, now: datetime) -> Attribute:
        attribute = Attribute.from_spec(spec, id=self._table.allocate(), created=now)
        self._table.rows[attribute.id] = attribute
        return attribute

    def get(self, attribute_id: int) -> Attribute | None:
        return self._table.rows.get(attribute_id)

    def find(
        self, entity: AttributeEntity, name: str, *, event_type: str | None
    ) -> Attribute | None:
        return next(
            (
                a
                for a in self._table.rows.values()
                if a.entity == entity and a.name == name and a.event_type == event_type
            ),
            None,
        )

    def list(self, page: PageRequest, filter: AttributeFilter) -> Page[Attribute]:
        def matches(attribute: Attribute) -> bool:
            needle = (filter.search or "").lower()
            text = f"{attribute.name}\n{attribute.title}\n{attribute.description}".lower()
            return (
                (filter.entity is None or attribute.entity == filter.entity)
                and (filter.type is None or attribute.type == filter.type)
                and needle in text
            )

        return _page(filter_rows(self._table.rows.values(), matches), page)

    def update(self, attribute_id: int, spec: AttributeSpec) -> Attribute | None:
        current = self._table.rows.get(attribute_id)
        if current is None:
            return None
        updated = Attribute.from_spec(spec, id=attribute_id, created=current.created)  # type: ignore[arg-type]
        self._table.rows[attribute_id] = updated
        return updated


def filter_rows(rows: Iterable[T], keep: Callable[[T], bool]) -> list[T]:
    return [row for row in rows if keep(row)]


class FakeAdditionalCostRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.additional_costs

    def add(self, spec: AdditionalCostSpec, *, now: datetime) -> AdditionalCost:
        cost = AdditionalCost.from_spec(spec, id=self._table.allocate(), created=now)
        self._table.rows[cost.id] = cost
        return cost

    def get(self, additional_cost_id: int) -> AdditionalCost | None:
        return self._table.rows.get(additional_cost_id)

    def find_by_name(self, name: str) -> AdditionalCost | None:
        return next((c for c in self._table.rows.values() if c.name == name), None)

    def list(self, page: PageRequest) -> Page[AdditionalCost]:
        return _page(self._table.rows.values(), page)

    def update(self, additional_cost_id: int, spec: AdditionalCostSpec) -> AdditionalCost | None:
        current = self._table.rows.get(additional_cost_id)
        if current is None:
            return None
        updated = AdditionalCost.from_spec(spec, id=additional_cost_id, created=current.created)  # type: ignore[arg-type]
        self._table.rows[additional_cost_id] = updated
        return updated


class FakeCampaignRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.campaigns
        self._rulesets = state.rulesets

    def add(self, application_id: int, spec: CampaignSpec, *, now: datetime) -> Campaign:
        campaign = Campaign.from_spec(
            spec, id=self._table.allocate(), application_id=application_id, created=now, updated=now
        )
        self._table.rows[campaign.id] = campaign
        return campaign

    def get(self, application_id: int, campaign_id: int) -> Campaign | None:
        campaign = self._table.rows.get(campaign_id)
        return campaign if campaign and campaign.application_id == application_id else None

    def list(
        self, application_id: int, page: PageRequest, filter: CampaignFilter, *, now: datetime
    ) -> Page[Campaign]:
        def keep(campaign: Campaign) -> bool:
            return (
                campaign.application_id == application_id
                and _state_matches(campaign, filter.state, now)
                and _text_matches(campaign, filter)
                and (filter.created_before is None or campaign.created < filter.created_before)  # type: ignore[operator]
                and (filter.created_after is None or campaign.created > filter.created_after)  # type: ignore[operator]
            )

        return _page(filter_rows(self._table.rows.values(), keep), page)

    def update(
        self, application_id: int, campaign_id: int, spec: CampaignSpec, *, now: datetime
    ) -> Campaign | None:
        current = self.get(application_id, campaign_id)
        if current is None:
            return None
        updated = Campaign.from_spec(
            spec,
            id=campaign_id,
            application_id=application_id,
            created=current.created,  # type: ignore[arg-type]
            updated=now,
        )
        self._table.rows[campaign_id] = updated
        return updated

    def delete(self, application_id: int, campaign_id: int) -> bool:
        if self.get(application_id, campaign_id) is None:
            return False
        del self._table.rows[campaign_id]
        for ruleset_id in [
            r.id for r in self._rulesets.rows.values() if r.campaign_id == campaign_id
        ]:
            del self._rulesets.rows[ruleset_id]
        return True


def _state_matches(campaign: Campaign, state: str | None, now: datetime) -> bool:
    if state is None:
        return True
    if state in (FrontendState.RUNNING, FrontendState.SCHEDULED, FrontendState.EXPIRED):
        return frontend_state(campaign, now) == state
    return campaign.state == CampaignState(state)


def _text_matches(campaign: Campaign, filter: CampaignFilter) -> bool:
    checks = []
    if filter.name:
        checks.append(filter.name.lower() in campaign.name.lower())
    if filter.tags:
        checks.append(any(filter.tags.lower() in tag.lower() for tag in campaign.tags))
    return not checks or any(checks)


class FakeRulesetRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.rulesets

    def add(
        self, campaign_id: int, spec: RulesetSpec, *, now: datetime, activated: bool
    ) -> Ruleset:
        ruleset = Ruleset.from_spec(
            spec,
            id=self._table.allocate(),
            campaign_id=campaign_id,
            created=now,
            activated_at=now if activated else None,
        )
        self._table.rows[ruleset.id] = ruleset
        return ruleset

    def get(self, campaign_id: int, ruleset_id: int) -> Ruleset | None:
        ruleset = self._table.rows.get(ruleset_id)
        return ruleset if ruleset and ruleset.campaign_id == campaign_id else None

    def list(self, campaign_id: int, page: PageRequest) -> Page[Ruleset]:
        rows = filter_rows(self._table.rows.values(), lambda r: r.campaign_id == campaign_id)
        return _page(rows, page)

    def mark_activated(self, campaign_id: int, ruleset_id: int, *, now: datetime) -> None:
        ruleset = self.get(campaign_id, ruleset_id)
        if ruleset is not None:
            self._table.rows[ruleset_id] = replace(ruleset, activated_at=now)


class FakeCouponRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.coupons

    def add_many(
        self,
        application_id: int,
        campaign_id: int,
        codes: Sequence[NewCoupon],
        properties: CouponProperties,
        *,
        batch_id: str | None,
        now: datetime,
    ) -> None:
        taken = self.existing(application_id, [code.normalized_value for code in codes])
        if taken or len({c.normalized_value for c in codes}) != len(codes):
            raise Conflict("coupon codes collided", pointer="/numberOfCoupons")
        for code in codes:
            coupon = Coupon(
                **{f.name: getattr(properties, f.name) for f in fields(CouponProperties)},
                id=self._table.allocate(),
                created=now,
                campaign_id=campaign_id,
                value=code.value,
                batch_id=batch_id,
            )
            self._table.rows[coupon.id] = (application_id, code.normalized_value, coupon)

    def existing(self, application_id: int, normalized_values: Collection[str]) -> set[str]:
        wanted = set(normalized_values)
        return {
            normalized
            for app, normalized, _ in self._table.rows.values()
            if app == application_id and normalized in wanted
        }

    def get(self, campaign_id: int, coupon_id: int) -> Coupon | None:
        row = self._table.rows.get(coupon_id)
        return row[2] if row and row[2].campaign_id == campaign_id else None

    def by_codes(self, campaign_id: int, normalized_values: Collection[str]) -> list[Coupon]:
        wanted = set(normalized_values)
        return [
            coupon
            for _, normalized, coupon in sorted(self._table.rows.values(), key=lambda r: r[2].id)
            if coupon.campaign_id == campaign_id and normalized in wanted
        ]

    def count(self, campaign_id: int) -> int:
        return sum(1 for _, _, c in self._table.rows.values() if c.campaign_id == campaign_id)

    def redeem(self, coupon_id: int) -> bool:
        app, normalized, coupon = self._table.rows[coupon_id]
        if coupon.usage_limit and coupon.usage_counter >= coupon.usage_limit:
            return False
        used = replace(coupon, usage_counter=coupon.usage_counter + 1)
        self._table.rows[coupon_id] = (app, normalized, used)
        return True

    def unredeem(self, coupon_id: int) -> None:
        app, normalized, coupon = self._table.rows[coupon_id]
        used = replace(coupon, usage_counter=max(0, coupon.usage_counter - 1))
        self._table.rows[coupon_id] = (app, normalized, used)

    def add_discount(self, coupon_id: int, amount: Decimal) -> bool:
        if coupon_id not in self._table.rows:
            return amount <= 0
        app, normalized, coupon = self._table.rows[coupon_id]
        counter = max(Decimal(0), coupon.discount_counter + amount)
        if amount > 0 and coupon.discount_limit is not None and counter > coupon.discount_limit:
            return False
        self._table.rows[coupon_id] = (app, normalized, replace(coupon, discount_counter=counter))
        return True

    def in_application(
        self, application_id: int, normalized_values: Collection[str]
    ) -> dict[str, Coupon]:
        wanted = set(normalized_values)
        return {
            normalized: coupon
            for app, normalized, coupon in self._table.rows.values()
            if app == application_id and normalized in wanted
        }

    def list(
        self, campaign_id: int, page: PageRequest, filter: CouponFilter, *, now: datetime
    ) -> tuple[list[Coupon], bool]:
        def keep(coupon: Coupon) -> bool:
            return coupon.campaign_id == campaign_id and _coupon_matches(coupon, filter, now)

        rows = filter_rows((row[2] for row in self._table.rows.values()), keep)
        found = _page(rows, PageRequest(page.page_size + 1, page.skip, page.sort)).items
        return list(found[: page.page_size]), len(found) > page.page_size

    def update(
        self, campaign_id: int, coupon_id: int, properties: CouponProperties
    ) -> Coupon | None:
        current = self.get(campaign_id, coupon_id)
        if current is None:
            return None
        changed = replace(
            current, **{f.name: getattr(properties, f.name) for f in fields(CouponProperties)}
        )
        application_id, normalized, _ = self._table.rows[coupon_id]
        self._table.rows[coupon_id] = (application_id, normalized, changed)
        return changed

    def delete(self, campaign_id: int, coupon_id: int) -> bool:
        if self.get(campaign_id, coupon_id) is None:
            return False
        del self._table.rows[coupon_id]
        return True

    def update_many(
        self, campaign_id: int, batch_id: str | None, changes: CouponBatchChanges
    ) -> int:
        changed: dict[str, Any] = changes.changed()
        if not changed:
            return 0
        count = 0
        for coupon_id, (app, normalized, coupon) in list(self._table.rows.items()):
            if coupon.campaign_id == campaign_id and batch_id in (None, coupon.batch_id):
                self._table.rows[coupon_id] = (app, normalized, replace(coupon, **changed))
                count += 1
        return count

    def delete_many(self, campaign_id: int, filter: CouponFilter, *, now: datetime) -> int:
        doomed = [
            coupon_id
            for coupon_id, (_, _, coupon) in self._table.rows.items()
            if coupon.campaign_id == campaign_id and _coupon_matches(coupon, filter, now)
        ]
        for coupon_id in doomed:
            del self._table.rows[coupon_id]
        return len(doomed)


def _coupon_matches(coupon: Coupon, filter: CouponFilter, now: datetime) -> bool:
    value = coupon.value.lower()
    wanted = (filter.value or "").lower()
    checks = [
        not wanted or (value == wanted if filter.exact_match else wanted in value),
        filter.created_before is None or coupon.created < filter.created_before,  # type: ignore[operator]
        filter.created_after is None or coupon.created > filter.created_after,  # type: ignore[operator]
        filter.recipient_integration_id in (None, coupon.recipient_integration_id),
        filter.batch_id in (None, coupon.batch_id),
        filter.referral_id in (None, coupon.referral_id),
        filter.after_id is None or coupon.id > filter.after_id,
        _between(coupon.start_date, filter.starts_after, filter.starts_before),
        _between(coupon.expiry_date, filter.expires_after, filter.expires_before),
    ]
    if filter.valid is not None:
        started = coupon.start_date is None or coupon.start_date <= now
        ended = coupon.expiry_date is not None and coupon.expiry_date <= now
        validity = {
            "expired": ended,
            "validFuture": not started,
            "validNow": started and not ended,
        }
        checks.append(validity[filter.valid])
    if filter.usable is not None:
        usable = (
            (coupon.start_date is None or coupon.start_date <= now)
            and (coupon.expiry_date is None or coupon.expiry_date > now)
            and (coupon.usage_limit == 0 or coupon.usage_counter < coupon.usage_limit)
        )
        checks.append(usable == filter.usable)
    return all(checks)


class FakeEvaluationGroupRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.evaluation_groups
        self._places = state.places
        self._campaigns = state.campaigns

    def add(
        self, application_id: int, spec: EvaluationGroupSpec, *, position: int
    ) -> EvaluationGroup:
        group = EvaluationGroup.from_spec(
            spec, id=self._table.allocate(), application_id=application_id, position=position
        )
        self._table.rows[group.id] = group
        return group

    def groups(self, application_id: int) -> list[EvaluationGroup]:
        return sorted(
            (g for g in self._table.rows.values() if g.application_id == application_id),
            key=lambda g: g.id,
        )

    def update(
        self, application_id: int, group_id: int, spec: EvaluationGroupSpec, *, position: int
    ) -> EvaluationGroup | None:
        current = self._table.rows.get(group_id)
        if current is None or current.application_id != application_id:
            return None
        group = EvaluationGroup.from_spec(
            spec, id=group_id, application_id=application_id, position=position
        )
        self._table.rows[group_id] = group
        return group

    def delete(self, application_id: int, group_id: int) -> bool:
        current = self._table.rows.get(group_id)
        if current is None or current.application_id != application_id:
            return False
        del self._table.rows[group_id]
        return True

    def members(self, application_id: int) -> list[Member]:
        members = []
        for campaign in sorted(self._campaigns.rows.values(), key=lambda c: c.id):
            if campaign.application_id != application_id or campaign.evaluation_group_id is None:
                continue
            _, position = self._places.get(campaign.id, (campaign.evaluation_group_id, 0))
            members.append(Member(campaign.id, campaign.evaluation_group_id, position))
        return members

    def place(self, application_id: int, campaign_id: int, group_id: int, position: int) -> None:
        campaign = self._campaigns.rows.get(campaign_id)
        if campaign is not None and campaign.application_id == application_id:
            self._campaigns.rows[campaign_id] = replace(campaign, evaluation_group_id=group_id)
            self._places[campaign_id] = (group_id, position)


class FakeCustomEffectRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.custom_effects

    def add(
        self, definition: CustomEffectDefinition, application_ids: tuple[int, ...], *, now: datetime
    ) -> CustomEffect:
        stored = replace(definition, id=self._table.allocate())
        effect = CustomEffect(stored, application_ids, now, now)
        self._table.rows[stored.id] = effect
        return effect

    def get(self, custom_effect_id: int) -> CustomEffect | None:
        return self._table.rows.get(custom_effect_id)

    def find_by_name(self, name: str) -> CustomEffect | None:
        wanted = name.lower()
        return next(
            (e for e in self._table.rows.values() if e.definition.name.lower() == wanted), None
        )

    def list(self, page: PageRequest) -> Page[CustomEffect]:
        rows = sorted(self._table.rows.values(), key=lambda e: e.id)
        return Page(items=rows[page.skip : page.skip + page.page_size], total=len(rows))

    def for_application(self, application_id: int) -> Sequence[CustomEffectDefinition]:
        return [
            e.definition
            for e in sorted(self._table.rows.values(), key=lambda e: e.id)
            if application_id in e.application_ids
        ]

    def update(
        self,
        custom_effect_id: int,
        definition: CustomEffectDefinition,
        application_ids: tuple[int, ...],
        *,
        now: datetime,
    ) -> CustomEffect | None:
        current = self._table.rows.get(custom_effect_id)
        if current is None:
            return None
        stored = replace(definition, id=custom_effect_id)
        effect = CustomEffect(stored, application_ids, current.created, now)
        self._table.rows[custom_effect_id] = effect
        return effect

    def delete(self, custom_effect_id: int) -> bool:
        return self._table.rows.pop(custom_effect_id, None) is not None


class FakeStoreRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.stores

    def add(self, application_id: int, spec: StoreSpec, *, now: datetime) -> Store:
        store = Store.from_spec(
            spec, id=self._table.allocate(), application_id=application_id, created=now
        )
        self._table.rows[store.id] = store
        return store

    def find_by_integration_id(self, application_id: int, integration_id: str) -> Store | None:
        return next(
            (
                s
                for s in self._table.rows.values()
                if s.application_id == application_id and s.integration_id == integration_id
            ),
            None,
        )

    def known_ids(self, application_id: int, store_ids: Collection[int]) -> set[int]:
        return {
            s.id
            for s in self._table.rows.values()
            if s.application_id == application_id and s.id in set(store_ids)
        }

    def list(self, application_id: int, page: PageRequest, filter: StoreFilter) -> Page[Store]:
        def keep(store: Store) -> bool:
            query = (filter.query or "").lower()
            return (
                store.application_id == application_id
                and (not filter.name or filter.name.lower() in store.name.lower())
                and filter.integration_id in (None, store.integration_id)
                and (
                    not query
                    or query in store.name.lower()
                    or query in store.integration_id.lower()
                )
                and (filter.ids is None or store.id in filter.ids)
            )

        return _page(filter_rows(self._table.rows.values(), keep), page)


class FakeCouponJobRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.coupon_jobs
        self._owners = state.coupon_job_owners

    def add(self, job: CouponCreationJob) -> CouponCreationJob:
        stored = replace(job, id=self._table.allocate())
        self._table.rows[stored.id] = stored
        return stored

    def get(self, job_id: int) -> CouponCreationJob | None:
        return self._table.rows.get(job_id)

    def find(self, application_id: int, batch_id: str) -> CouponCreationJob | None:
        return next(
            (
                j
                for j in self._table.rows.values()
                if j.application_id == application_id and j.batch_id == batch_id
            ),
            None,
        )

    def claim(self, job_id: int, owner: str, *, now: datetime, until: datetime) -> bool:
        job = self._table.rows.get(job_id)
        if job is None or not job.abandoned(now):
            return False
        self._table.rows[job_id] = replace(job, lease_until=until)
        self._owners[job_id] = owner
        return True

    def abandoned(self, now: datetime) -> list[int]:
        return sorted(i for i, job in self._table.rows.items() if job.abandoned(now))

    def progress(
        self,
        job_id: int,
        owner: str,
        *,
        status: JobStatus,
        created_amount: int,
        errors: tuple[str, ...],
        until: datetime | None,
    ) -> bool:
        job = self._table.rows[job_id]
        if self._owners.get(job_id) != owner:
            return False
        self._table.rows[job_id] = replace(
            job,
            status=status,
            created_amount=created_amount,
            fail_count=len(errors),
            errors=errors,
            lease_until=until,
        )
        if until is None:
            self._owners.pop(job_id, None)
        return True


class FakeBudgetCounterRepository:
    def __init__(self, state: FakeState) -> None:
        self._counters = state.budget_counters

    def read(self, keys: Collection[CounterKey]) -> dict[CounterKey, Decimal]:
        return {key: self._counters[key] for key in keys if key in self._counters}

    def add(self, changes: Sequence[CounterChange]) -> list[CounterKey]:
        totals: dict[CounterKey, Decimal] = {}
        for change in changes:
            totals[change.key] = totals.get(change.key, Decimal(0)) + change.delta
        exceeded = sorted(
            {
                change.key
                for change in changes
                if change.limit is not None
                and change.delta > 0
                and self._counters.get(change.key, Decimal(0)) + totals[change.key] > change.limit
            }
        )
        if not exceeded:
            for key, total in totals.items():
                self._counters[key] = self._counters.get(key, Decimal(0)) + total
        return exceeded


class FakeCustomerProfileRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.customer_profiles

    def get(self, application_id: int, integration_id: str) -> CustomerProfile | None:
        return next(
            (
                p
                for p in self._table.rows.values()
                if (p.application_id, p.integration_id) == (application_id, integration_id)
            ),
            None,
        )

    def ensure(
        self, application_id: int, integration_id: str, *, now: datetime
    ) -> tuple[CustomerProfile, bool]:
        found = self.get(application_id, integration_id)
        if found is not None:
            return found, False
        profile = CustomerProfile(
            application_id, integration_id, created=now, id=self._table.allocate()
        )
        self._table.rows[profile.id] = profile
        return profile, True

    def save(self, profile: CustomerProfile) -> None:
        self._table.rows[profile.id] = profile


class FakeCustomerSessionRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.customer_sessions

    def get(
        self,
        application_id: int,
        integration_id: str,
        *,
        lock: bool = False,
        effects: bool = True,
    ) -> StoredSession | None:
        found = next(
            (
                s
                for s in self._table.rows.values()
                if (s.application_id, s.session.integration_id) == (application_id, integration_id)
            ),
            None,
        )
        return found if found is None or effects else replace(found, effects=())

    def add(self, stored: StoredSession) -> StoredSession:
        if self.get(stored.application_id, stored.session.integration_id) is not None:
            raise Conflict("the customer session exists")
        added = replace(stored, id=self._table.allocate())
        self._table.rows[added.id] = added
        return added

    def save(self, stored: StoredSession) -> None:
        self._table.rows[stored.id] = stored

    def count_for_profile(self, application_id: int, profile_integration_id: str) -> int:
        return sum(
            1
            for s in self._table.rows.values()
            if s.application_id == application_id and s.session.profile_id == profile_integration_id
        )


class FakeSessionEventRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.session_events

    def add(self, event: Event) -> Event:
        added = replace(event, id=self._table.allocate())
        self._table.rows[added.id] = added
        return added


class FakeSessionReturnRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.session_returns

    def add(self, cart_return: CartReturn) -> CartReturn:
        added = replace(cart_return, id=self._table.allocate())
        self._table.rows[added.id] = added
        return added

    def for_session(self, session_id: int) -> list[CartReturn]:
        return [r for _, r in sorted(self._table.rows.items()) if r.session_id == session_id]


class FakeIdempotencyKeyRepository:
    def __init__(self, state: FakeState) -> None:
        self._answers = state.idempotency_keys

    def get(
        self, application_id: int, operation: str, key: str, *, now: datetime
    ) -> StoredAnswer | None:
        answer = self._answers.get((application_id, operation, key))
        return answer if answer is not None and answer.expires > now else None

    def add(self, answer: StoredAnswer) -> None:
        for stored_key, stored in list(self._answers.items()):
            if stored.expires <= answer.created:
                del self._answers[stored_key]
        key = (answer.application_id, answer.operation, answer.key)
        if key in self._answers:
            raise Conflict(f"the idempotency key {answer.key!r} is being used meanwhile")
        self._answers[key] = answer


class FakeSessionContextRepository:
    def __init__(self, state: FakeState) -> None:
        self._rows = state.session_contexts

    def get(self, tenant: str, session_id: str, *, lock: bool = False) -> SessionContext | None:
        return self._rows.get((tenant, session_id))

    def add(self, context: SessionContext) -> None:
        key = (context.tenant, context.session_id)
        if key in self._rows:
            raise Conflict(f"the session context {context.session_id} exists")
        self._rows[key] = context

    def delete_expired(self, idle_since: datetime, *, limit: int) -> int:
        stale = [
            key
            for key, context in self._rows.items()
            if context.anonymous and context.modified_at <= idle_since
        ][:limit]
        for key in stale:
            del self._rows[key]
        return len(stale)

    def save(self, context: SessionContext, *, expected_version: int) -> bool:
        key = (context.tenant, context.session_id)
        stored = self._rows.get(key)
        if stored is None or stored.version != expected_version:
            return False
        self._rows[key] = context
        return True


class FakeOAuthClientRepository:
    def __init__(self, state: FakeState) -> None:
        self._table = state.oauth_clients

    def add(self, client: OAuthClient, secret_digest: str) -> OAuthClient:
        stored = replace(client, id=self._table.allocate())
        self._table.rows[stored.id] = (stored, secret_digest)
        return stored

    def get(self, client_id: str) -> tuple[OAuthClient, str] | None:
        return next(
            (row for row in self._table.rows.values() if row[0].client_id == client_id), None
        )

    def list(self, page: PageRequest) -> Page[OAuthClient]:
        clients = [client for client, _ in self._table.rows.values()]
        return Page(clients[page.skip : page.skip + page.page_size], len(clients))

    def revoke(self, client_id: str, *, now: datetime) -> OAuthClient | None:
        found = self.get(client_id)
        if found is None:
            return None
        client, secret = found
        if client.revoked is None:
            client = replace(client, revoked=now)
            self._table.rows[client.id] = (client, secret)
        return client


class FakeAccessTokenRepository:
    def __init__(self, state: FakeState) -> None:
        self._tokens = state.access_tokens

    def add(self, token_digest: str, token: AccessToken) -> None:
        self._tokens[token_digest] = token

    def get(self, token_digest: str) -> AccessToken | None:
        return self._tokens.get(token_digest)

    def delete_for_client(self, client_id: str) -> int:
        return self._delete(lambda token: token.client_id == client_id)

    def delete_expired(self, now: datetime, *, limit: int) -> int:
        expired = [d for d, token in self._tokens.items() if token.expires <= now][:limit]
        for token_digest in expired:
            del self._tokens[token_digest]
        return len(expired)

    def _delete(self, doomed: Callable[[AccessToken], bool]) -> int:
        chosen = [d for d, token in self._tokens.items() if doomed(token)]
        for token_digest in chosen:
            del self._tokens[token_digest]
        return len(chosen)


def _between(value: datetime | None, after: datetime | None, before: datetime | None) -> bool:
    if after is None and before is None:
        return True
    if value is None:
        return False
    return (after is None or value > after) and (before is None or value < before)


class FakeConfigurationRepository:
    """The fake never keeps configuration: every read is a new revision."""

    _counter = itertools.count(1)

    def revision(self) -> int:
        return next(self._counter)


class FakeUnitOfWork:
    """Works on a deep copy; ``commit`` publishes it, leaving without commit drops it."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._state = copy.deepcopy(store.state)
        self.applications = FakeApplicationRepository(self._state)
        self.integration_keys = FakeIntegrationKeyRepository(self._state)
        self.management_keys = FakeManagementKeyRepository(self._state)
        self.attributes = FakeAttributeRepository(self._state)
        self.additional_costs = FakeAdditionalCostRepository(self._state)
        self.campaigns = FakeCampaignRepository(self._state)
        self.rulesets = FakeRulesetRepository(self._state)
        self.coupons = FakeCouponRepository(self._state)
        self.evaluation_groups = FakeEvaluationGroupRepository(self._state)
        self.custom_effects = FakeCustomEffectRepository(self._state)
        self.stores = FakeStoreRepository(self._state)
        self.coupon_jobs = FakeCouponJobRepository(self._state)
        self.budget_counters = FakeBudgetCounterRepository(self._state)
        self.customer_profiles = FakeCustomerProfileRepository(self._state)
        self.customer_sessions = FakeCustomerSessionRepository(self._state)
        self.session_events = FakeSessionEventRepository(self._state)
        self.session_returns = FakeSessionReturnRepository(self._state)
        self.idempotency_keys = FakeIdempotencyKeyRepository(self._state)
        self.session_contexts = FakeSessionContextRepository(self._state)
        self.oauth_clients = FakeOAuthClientRepository(self._state)
        self.access_tokens = FakeAccessTokenRepository(self._state)
        self.configuration = FakeConfigurationRepository()

    def __enter__(self) -> FakeUnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def commit(self) -> None:
        self._store.state = self._state
        self._store.commits += 1


class FakeStore:
    """The fake database: a ``UnitOfWorkFactory``."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.commits = 0

    def __call__(self, *, write: bool) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)
