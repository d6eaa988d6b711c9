"""The Protocols that adapters implement and services depend on."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Literal, Protocol

from perks.domain.additional_costs import AdditionalCost, AdditionalCostSpec
from perks.domain.api_keys import (
    IntegrationKey,
    IntegrationKeyPlatform,
    IntegrationKeyType,
    ManagementKey,
)
from perks.domain.applications import Application, ApplicationSpec
from perks.domain.attributes import Attribute, AttributeEntity, AttributeSpec, AttributeType
from perks.domain.budgets import CounterChange, CounterKey
from perks.domain.campaigns import Campaign, CampaignSpec
from perks.domain.coupon_jobs import CouponCreationJob, JobStatus
from perks.domain.coupons import Coupon, CouponBatchChanges, CouponProperties
from perks.domain.custom_effects import CustomEffect
from perks.domain.customer_profiles import CustomerProfile
from perks.domain.customer_sessions import StoredSession
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

__all__ = [
    "AccessTokenRepository",
    "AdditionalCostRepository",
    "ApplicationRepository",
    "AttributeFilter",
    "AttributeRepository",
    "BackgroundJobs",
    "CampaignFilter",
    "CampaignRepository",
    "Clock",
    "ConfigurationRepository",
    "CouponFilter",
    "CouponJobRepository",
    "CouponRepository",
    "CustomEffectRepository",
    "EvaluationGroupRepository",
    "IdempotencyKeyRepository",
    "IntegrationKeyRepository",
    "ManagementKeyRepository",
    "NewCoupon",
    "NewIntegrationKey",
    "NewManagementKey",
    "OAuthClientRepository",
    "RulesetRepository",
    "SessionContextRepository",
    "SessionEventRepository",
    "SessionReturnRepository",
    "StoreFilter",
    "StoreRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
]


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class NewIntegrationKey:
    application_id: int
    title: str
    digest: str
    prefix: str
    expires: datetime
    created: datetime
    platform: IntegrationKeyPlatform = IntegrationKeyPlatform.NONE
    type: IntegrationKeyType | None = None
    time_offset: int | None = None


@dataclass(frozen=True, slots=True)
class NewManagementKey:
    name: str
    digest: str
    prefix: str
    expiry_date: datetime
    created: datetime
    allowed_application_ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class AttributeFilter:
    entity: AttributeEntity | None = None
    type: AttributeType | None = None
    application_ids: tuple[int, ...] | None = None
    search: str | None = None


class ApplicationRepository(Protocol):
    def add(self, spec: ApplicationSpec, *, now: datetime) -> Application: ...
    def get(self, application_id: int) -> Application | None: ...
    def list(
        self, page: PageRequest, *, only_ids: Collection[int] | None = None
    ) -> Page[Application]: ...
    def update(
        self, application_id: int, spec: ApplicationSpec, *, now: datetime
    ) -> Application | None: ...
    def delete(self, application_id: int) -> bool: ...


class IntegrationKeyRepository(Protocol):
    def add(self, key: NewIntegrationKey) -> IntegrationKey: ...
    def find_by_digest(self, digest: str) -> IntegrationKey | None: ...
    def get(self, application_id: int, key_id: int) -> IntegrationKey | None: ...
    def list(self, application_id: int, page: PageRequest) -> Page[IntegrationKey]: ...
    def revoke(self, application_id: int, key_id: int, *, now: datetime) -> bool: ...
    def touch(self, key_id: int, *, now: datetime) -> None: ...


class ManagementKeyRepository(Protocol):
    def add(self, key: NewManagementKey) -> ManagementKey: ...
    def find_by_digest(self, digest: str) -> ManagementKey | None: ...
    def count_usable(self, *, now: datetime) -> int: ...
    def touch(self, key_id: int, *, now: datetime) -> None: ...


class AttributeRepository(Protocol):
    def add(self, spec: AttributeSpec, *, now: datetime) -> Attribute: ...
    def get(self, attribute_id: int) -> Attribute | None: ...
    def find(
        self, entity: AttributeEntity, name: str, *, event_type: str | None
    ) -> Attribute | None: ...
    def list(self, page: PageRequest, filter: AttributeFilter) -> Page[Attribute]: ...
    def update(self, attribute_id: int, spec: AttributeSpec) -> Attribute | None: ...


class AdditionalCostRepository(Protocol):
    def add(self, spec: AdditionalCostSpec, *, now: datetime) -> AdditionalCost: ...
    def get(self, additional_cost_id: int) -> AdditionalCost | None: ...
    def find_by_name(self, name: str) -> AdditionalCost | None: ...
    def list(self, page: PageRequest) -> Page[AdditionalCost]: ...
    def update(
        self, additional_cost_id: int, spec: AdditionalCostSpec
    ) -> AdditionalCost | None: ...


@dataclass(frozen=True, slots=True)
class CampaignFilter:
    """``getCampaigns``' filters. ``state`` is a stored state or a frontend state (running,
    scheduled, expired: judged at ``now``); ``name`` and ``tags`` match case-insensitively
    (either, when both are given); creation times are exclusive bounds."""

    state: str | None = None
    name: str | None = None
    tags: str | None = None
    created_before: datetime | None = None
    created_after: datetime | None = None


class CampaignRepository(Protocol):
    def add(self, application_id: int, spec: CampaignSpec, *, now: datetime) -> Campaign: ...
    def get(self, application_id: int, campaign_id: int) -> Campaign | None: ...
    def list(
        self, application_id: int, page: PageRequest, filter: CampaignFilter, *, now: datetime
    ) -> Page[Campaign]: ...
    def update(
        self, application_id: int, campaign_id: int, spec: CampaignSpec, *, now: datetime
    ) -> Campaign | None: ...
    def delete(self, application_id: int, campaign_id: int) -> bool: ...


class RulesetRepository(Protocol):
    def add(
        self, campaign_id: int, spec: RulesetSpec, *, now: datetime, activated: bool
    ) -> Ruleset: ...
    def get(self, campaign_id: int, ruleset_id: int) -> Ruleset | None: ...
    def list(self, campaign_id: int, page: PageRequest) -> Page[Ruleset]: ...
    def mark_activated(self, campaign_id: int, ruleset_id: int, *, now: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class CouponFilter:
    """``getCouponsWithoutTotalCount``' filters. ``value`` matches a part of the code, or the
    whole (normalized) code with ``exact_match``; ``usable`` coupons have started, not expired
    and have redemptions left at ``now``."""

    value: str | None = None
    exact_match: bool = False
    created_before: datetime | None = None
    created_after: datetime | None = None
    usable: bool | None = None
    recipient_integration_id: str | None = None
    batch_id: str | None = None
    referral_id: int | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    expires_after: datetime | None = None
    expires_before: datetime | None = None
    # expired (ended), validNow (started, not ended), validFuture (not started) at ``now``
    valid: Literal["expired", "validNow", "validFuture"] | None = None
    after_id: int | None = None  # keyset paging: coupons with a greater id


@dataclass(frozen=True, slots=True)
class NewCoupon:
    value: str
    normalized_value: str


class CouponRepository(Protocol):
    def add_many(
        self,
        application_id: int,
        campaign_id: int,
        codes: Sequence[NewCoupon],
        properties: CouponProperties,
        *,
        batch_id: str | None,
        now: datetime,
    ) -> None: ...
    def existing(self, application_id: int, normalized_values: Collection[str]) -> set[str]: ...
    def get(self, campaign_id: int, coupon_id: int) -> Coupon | None: ...
    def by_codes(self, campaign_id: int, normalized_values: Collection[str]) -> list[Coupon]: ...
    def count(self, campaign_id: int) -> int: ...
    def redeem(self, coupon_id: int) -> bool:
        """One more use, unless that passes the usage limit (a conditional update)."""
        ...

    def unredeem(self, coupon_id: int) -> None: ...
    def add_discount(self, coupon_id: int, amount: Decimal) -> bool:
        """Move the coupon's ``discountCounter`` by ``amount`` (negative gives back, never
        below 0), unless that passes its ``discountLimit``: the row is read locked, so that
        concurrent closes can never spend a gift card twice."""
        ...

    def in_application(
        self, application_id: int, normalized_values: Collection[str]
    ) -> dict[str, Coupon]:
        """The application's coupons with these codes, by normalized code."""
        ...

    def list(
        self, campaign_id: int, page: PageRequest, filter: CouponFilter, *, now: datetime
    ) -> tuple[list[Coupon], bool]: ...
    def update(
        self, campaign_id: int, coupon_id: int, properties: CouponProperties
    ) -> Coupon | None: ...
    def delete(self, campaign_id: int, coupon_id: int) -> bool: ...
    def update_many(
        self, campaign_id: int, batch_id: str | None, changes: CouponBatchChanges
    ) -> int: ...
    def delete_many(self, campaign_id: int, filter: CouponFilter, *, now: datetime) -> int: ...


class EvaluationGroupRepository(Protocol):
    def add(
        self, application_id: int, spec: EvaluationGroupSpec, *, position: int
    ) -> EvaluationGroup: ...
    def groups(self, application_id: int) -> list[EvaluationGroup]: ...
    def update(
        self, application_id: int, group_id: int, spec: EvaluationGroupSpec, *, position: int
    ) -> EvaluationGroup | None: ...
    def delete(self, application_id: int, group_id: int) -> bool: ...
    def members(self, application_id: int) -> list[Member]: ...
    def place(
        self, application_id: int, campaign_id: int, group_id: int, position: int
    ) -> None: ...


class CustomEffectRepository(Protocol):
    def add(
        self, definition: CustomEffectDefinition, application_ids: tuple[int, ...], *, now: datetime
    ) -> CustomEffect: ...
    def get(self, custom_effect_id: int) -> CustomEffect | None: ...
    def find_by_name(self, name: str) -> CustomEffect | None: ...
    def list(self, page: PageRequest) -> Page[CustomEffect]: ...
    def for_application(self, application_id: int) -> Sequence[CustomEffectDefinition]: ...
    def update(
        self,
        custom_effect_id: int,
        definition: CustomEffectDefinition,
        application_ids: tuple[int, ...],
        *,
        now: datetime,
    ) -> CustomEffect | None: ...
    def delete(self, custom_effect_id: int) -> bool: ...


@dataclass(frozen=True, slots=True)
class StoreFilter:
    """``listStores``' filters; ``ids`` restricts to some stores (a campaign's linked ones)."""

    name: str | None = None
    integration_id: str | None = None
    query: str | None = None
    ids: frozenset[int] | None = None


class StoreRepository(Protocol):
    def add(self, application_id: int, spec: StoreSpec, *, now: datetime) -> Store: ...
    def find_by_integration_id(self, application_id: int, integration_id: str) -> Store | None: ...
    def known_ids(self, application_id: int, store_ids: Collection[int]) -> set[int]: ...
    def list(self, application_id: int, page: PageRequest, filter: StoreFilter) -> Page[Store]: ...


class CouponJobRepository(Protocol):
    def add(self, job: CouponCreationJob) -> CouponCreationJob: ...
    def get(self, job_id: int) -> CouponCreationJob | None: ...
    def find(self, application_id: int, batch_id: str) -> CouponCreationJob | None: ...
    def claim(self, job_id: int, owner: str, *, now: datetime, until: datetime) -> bool:
        """Take the lease of a pending job whose lease is free or ran out."""
        ...

    def abandoned(self, now: datetime) -> list[int]:
        """Pending jobs whose lease is free or ran out."""
        ...

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
        """Record progress and renew (or, ``until`` None, release) the lease, if ``owner``
        still holds it; False when it does not (then nothing is written)."""
        ...


class BudgetCounterRepository(Protocol):
    def read(self, keys: Collection[CounterKey]) -> dict[CounterKey, Decimal]:
        """The stored values of ``keys`` (a counter never moved is absent: 0)."""
        ...

    def add(self, changes: Sequence[CounterChange]) -> list[CounterKey]:
        """Apply every change, or none: the keys whose limit a change would pass (nothing is
        written then). Counters are locked in key order, so concurrent transactions can
        neither pass a limit nor deadlock."""
        ...


class CustomerProfileRepository(Protocol):
    def get(self, application_id: int, integration_id: str) -> CustomerProfile | None: ...
    def ensure(
        self, application_id: int, integration_id: str, *, now: datetime
    ) -> tuple[CustomerProfile, bool]:
        """The profile, created when unknown, and held until the transaction ends (its
        counters are read, then written); True when this call created it."""
        ...

    def save(self, profile: CustomerProfile) -> None: ...


class CustomerSessionRepository(Protocol):
    def get(
        self,
        application_id: int,
        integration_id: str,
        *,
        lock: bool = False,
        effects: bool = True,
    ) -> StoredSession | None:
        """The session; with ``lock``, held until the transaction ends. Without ``effects``,
        its last evaluation's effects are not read (an update replaces them): they are
        empty."""
        ...

    def add(self, stored: StoredSession) -> StoredSession: ...
    def save(self, stored: StoredSession) -> None: ...
    def count_for_profile(self, application_id: int, profile_integration_id: str) -> int: ...


class SessionEventRepository(Protocol):
    def add(self, event: Event) -> Event: ...


class SessionReturnRepository(Protocol):
    def add(self, cart_return: CartReturn) -> CartReturn: ...
    def for_session(self, session_id: int) -> list[CartReturn]:
        """The session's returns, oldest first."""
        ...


class IdempotencyKeyRepository(Protocol):
    def get(
        self, application_id: int, operation: str, key: str, *, now: datetime
    ) -> StoredAnswer | None:
        """The answer stored for the key, unless it has expired."""
        ...

    def add(self, answer: StoredAnswer) -> None:
        """Store an answer (replacing an expired one); ``Conflict`` when the key is taken."""
        ...


class SessionContextRepository(Protocol):
    def get(self, tenant: str, session_id: str, *, lock: bool = False) -> SessionContext | None:
        """The stored context, expired or not; with ``lock``, held until the transaction
        ends (PostgreSQL; SQLite's writers are serial already)."""
        ...

    def add(self, context: SessionContext) -> None:
        """A new context; ``Conflict`` when another transaction created it meanwhile (the
        transaction stays usable)."""
        ...

    def save(self, context: SessionContext, *, expected_version: int) -> bool:
        """Write every field of ``context`` when the stored version is still
        ``expected_version``; False (nothing written) otherwise."""
        ...

    def delete_expired(self, idle_since: datetime, *, limit: int) -> int:
        """At most ``limit`` anonymous contexts nobody wrote since ``idle_since``."""
        ...


class OAuthClientRepository(Protocol):
    def add(self, client: OAuthClient, secret_digest: str) -> OAuthClient: ...
    def get(self, client_id: str) -> tuple[OAuthClient, str] | None:
        """The client and the digest of its secret."""
        ...

    def list(self, page: PageRequest) -> Page[OAuthClient]: ...
    def revoke(self, client_id: str, *, now: datetime) -> OAuthClient | None:
        """Revoke an active client; None when there is no such client."""
        ...


class AccessTokenRepository(Protocol):
    def add(self, token_digest: str, token: AccessToken) -> None: ...
    def get(self, token_digest: str) -> AccessToken | None: ...
    def delete_for_client(self, client_id: str) -> int:
        """Every token issued through the client: a revoked client's tokens stop working."""
        ...

    def delete_expired(self, now: datetime, *, limit: int) -> int: ...


class ConfigurationRepository(Protocol):
    def revision(self) -> int:
        """A number every committed change of what evaluations read moves (campaigns,
        rulesets, groups, stores, attributes, additional costs, custom effects,
        applications): what is built from those may be kept while it stays."""
        ...


class BackgroundJobs(Protocol):
    """Runs work after the request that asked for it has been answered."""

    def submit(self, work: Callable[[], None]) -> None: ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls it back."""

    @property
    def applications(self) -> ApplicationRepository: ...
    @property
    def integration_keys(self) -> IntegrationKeyRepository: ...
    @property
    def management_keys(self) -> ManagementKeyRepository: ...
    @property
    def attributes(self) -> AttributeRepository: ...
    @property
    def additional_costs(self) -> AdditionalCostRepository: ...
    @property
    def campaigns(self) -> CampaignRepository: ...
    @property
    def rulesets(self) -> RulesetRepository: ...
    @property
    def coupons(self) -> CouponRepository: ...
    @property
    def evaluation_groups(self) -> EvaluationGroupRepository: ...
    @property
    def custom_effects(self) -> CustomEffectRepository: ...
    @property
    def stores(self) -> StoreRepository: ...
    @property
    def coupon_jobs(self) -> CouponJobRepository: ...
    @property
    def budget_counters(self) -> BudgetCounterRepository: ...
    @property
    def customer_profiles(self) -> CustomerProfileRepository: ...
    @property
    def customer_sessions(self) -> CustomerSessionRepository: ...
    @property
    def configuration(self) -> ConfigurationRepository: ...
    @property
    def session_events(self) -> SessionEventRepository: ...
    @property
    def session_returns(self) -> SessionReturnRepository: ...
    @property
    def idempotency_keys(self) -> IdempotencyKeyRepository: ...
    @property
    def session_contexts(self) -> SessionContextRepository: ...
    @property
    def oauth_clients(self) -> OAuthClientRepository: ...
    @property
    def access_tokens(self) -> AccessTokenRepository: ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Opens a unit of work; ``write=True`` takes the write lock up front where it matters."""

    def __call__(self, *, write: bool) -> UnitOfWork: ...
