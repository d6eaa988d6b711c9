"""The composition root: the one place that names concrete adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from perks.adapters.clock import SystemClock
from perks.adapters.jobs import ThreadJobs
from perks.adapters.sql.database import SqlDatabase
from perks.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from perks.domain.api_keys import IntegrationKey
from perks.services.additional_costs import AdditionalCostService
from perks.services.api_keys import ApiKeyService
from perks.services.applications import ApplicationService
from perks.services.attributes import AttributeService
from perks.services.campaigns import CampaignService, RulesetService
from perks.services.cart_returns import CartReturnService
from perks.services.coupon_jobs import CouponJobService
from perks.services.coupons import CouponService
from perks.services.custom_effects import CustomEffectService
from perks.services.customer_sessions import CustomerSessionService
from perks.services.evaluation_groups import EvaluationGroupService
from perks.services.key_cache import KeyCache
from perks.services.oauth import OAuthService, TokenLifetimes
from perks.services.ports import BackgroundJobs, Clock, UnitOfWorkFactory
from perks.services.readiness import Readiness
from perks.services.session_contexts import DEFAULT_IDLE, SessionContextService
from perks.services.session_inputs import EvaluationCache
from perks.services.stores import StoreService
from perks.settings import Settings

__all__ = ["Services", "SessionContextSettings", "build_services", "compose"]


@dataclass(frozen=True, slots=True)
class Services:
    database: SqlDatabase
    clock: Clock
    applications: ApplicationService
    api_keys: ApiKeyService
    attributes: AttributeService
    additional_costs: AdditionalCostService
    campaigns: CampaignService
    rulesets: RulesetService
    coupons: CouponService
    coupon_jobs: CouponJobService
    customer_sessions: CustomerSessionService
    cart_returns: CartReturnService
    evaluation_groups: EvaluationGroupService
    custom_effects: CustomEffectService
    stores: StoreService
    readiness: Readiness
    oauth: OAuthService
    session_contexts: SessionContextService


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Services on the database of ``settings``; nothing is migrated here."""
    database = SqlDatabase(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.database_pool_size,
        lock_timeout_ms=settings.lock_timeout_ms,
    )
    return compose(
        database,
        SqlUnitOfWorkFactory(database.engine),
        clock or SystemClock(),
        last_used_resolution=timedelta(seconds=settings.key_last_used_resolution_seconds),
        key_cache_ttl=timedelta(seconds=settings.key_cache_seconds),
        jobs=ThreadJobs(),
        session_contexts=SessionContextSettings(
            idle=timedelta(seconds=settings.session_context_idle_seconds),
            tokens=TokenLifetimes(
                service=timedelta(seconds=settings.oauth_token_seconds),
                storefront=timedelta(seconds=settings.storefront_token_seconds),
            ),
        ),
    )


def compose(
    database: SqlDatabase,
    uow: UnitOfWorkFactory,
    clock: Clock,
    *,
    last_used_resolution: timedelta,
    key_cache_ttl: timedelta,
    jobs: BackgroundJobs,
    session_contexts: SessionContextSettings | None = None,
) -> Services:
    """Wire the services over any unit of work (tests pass a fake one)."""
    integration_cache: KeyCache[IntegrationKey] = KeyCache(key_cache_ttl)
    evaluations = EvaluationCache()  # one for every evaluation: compiled rules, configuration
    contexts = session_contexts or SessionContextSettings()
    return Services(
        database=database,
        clock=clock,
        applications=ApplicationService(uow, clock, integration_cache=integration_cache),
        api_keys=ApiKeyService(
            uow,
            clock,
            last_used_resolution=last_used_resolution,
            integration_cache=integration_cache,
            management_cache=KeyCache(key_cache_ttl),
        ),
        attributes=AttributeService(uow, clock),
        additional_costs=AdditionalCostService(uow, clock),
        campaigns=CampaignService(uow, clock),
        rulesets=RulesetService(uow, clock),
        coupons=CouponService(uow, clock),
        coupon_jobs=CouponJobService(uow, clock, jobs),
        customer_sessions=CustomerSessionService(uow, clock, evaluations),
        cart_returns=CartReturnService(uow, clock, evaluations),
        evaluation_groups=EvaluationGroupService(uow),
        custom_effects=CustomEffectService(uow, clock),
        stores=StoreService(uow, clock),
        readiness=Readiness(database),
        oauth=OAuthService(uow, clock, contexts.tokens),
        session_contexts=SessionContextService(uow, clock, idle=contexts.idle),
    )


@dataclass(frozen=True, slots=True)
class SessionContextSettings:
    """Emporix's face: how long an anonymous context lives idle, and tokens live."""

    idle: timedelta = DEFAULT_IDLE
    tokens: TokenLifetimes = field(default_factory=TokenLifetimes)
