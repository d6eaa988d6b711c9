"""The SQL unit of work: one connection, one transaction, repositories bound to it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.engine import Connection, RootTransaction
from sqlalchemy.exc import DBAPIError

from perks.adapters.sql.additional_costs import SqlAdditionalCostRepository
from perks.adapters.sql.api_keys import SqlIntegrationKeyRepository, SqlManagementKeyRepository
from perks.adapters.sql.applications import SqlApplicationRepository
from perks.adapters.sql.attributes import SqlAttributeRepository
from perks.adapters.sql.budget_counters import SqlBudgetCounterRepository
from perks.adapters.sql.campaigns import SqlCampaignRepository, SqlRulesetRepository
from perks.adapters.sql.configuration import (
    SqlConfigurationRepository,
    forget_writes,
    move_revision_if_written,
    note_configuration_writes,
)
from perks.adapters.sql.coupon_jobs import SqlCouponJobRepository
from perks.adapters.sql.coupons import SqlCouponRepository
from perks.adapters.sql.custom_effects import SqlCustomEffectRepository
from perks.adapters.sql.customer_profiles import SqlCustomerProfileRepository
from perks.adapters.sql.customer_sessions import SqlCustomerSessionRepository
from perks.adapters.sql.engine import WRITE_OPTION, WriterQueueTimeout, busy, release_writer
from perks.adapters.sql.evaluation_groups import SqlEvaluationGroupRepository
from perks.adapters.sql.idempotency_keys import SqlIdempotencyKeyRepository
from perks.adapters.sql.oauth import SqlAccessTokenRepository, SqlOAuthClientRepository
from perks.adapters.sql.session_contexts import SqlSessionContextRepository
from perks.adapters.sql.session_events import SqlSessionEventRepository
from perks.adapters.sql.session_returns import SqlSessionReturnRepository
from perks.adapters.sql.stores import SqlStoreRepository
from perks.domain.errors import Conflict

__all__ = ["TOO_MANY_REQUESTS", "SqlUnitOfWork", "SqlUnitOfWorkFactory"]

# Talon.One's words for a request that could not get its turn (its 409).
TOO_MANY_REQUESTS = "Too many requests are updating this profile/session at the same time"


class SqlUnitOfWork:
    def __init__(self, engine: Engine, *, write: bool) -> None:
        self._engine = engine
        self._write = write
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> SqlUnitOfWork:
        connection = self._engine.connect().execution_options(**{WRITE_OPTION: self._write})
        self._connection = connection
        try:
            self._transaction = connection.begin()
        except WriterQueueTimeout as error:
            connection.close()
            raise Conflict(TOO_MANY_REQUESTS) from error
        except DBAPIError as error:
            connection.close()
            if busy(error):
                raise Conflict(TOO_MANY_REQUESTS) from error
            raise
        self.applications = SqlApplicationRepository(connection)
        self.integration_keys = SqlIntegrationKeyRepository(connection)
        self.management_keys = SqlManagementKeyRepository(connection)
        self.attributes = SqlAttributeRepository(connection)
        self.additional_costs = SqlAdditionalCostRepository(connection)
        self.campaigns = SqlCampaignRepository(connection)
        self.rulesets = SqlRulesetRepository(connection)
        self.coupons = SqlCouponRepository(connection)
        self.evaluation_groups = SqlEvaluationGroupRepository(connection)
        self.custom_effects = SqlCustomEffectRepository(connection)
        self.stores = SqlStoreRepository(connection)
        self.coupon_jobs = SqlCouponJobRepository(connection)
        self.budget_counters = SqlBudgetCounterRepository(connection)
        self.customer_profiles = SqlCustomerProfileRepository(connection)
        self.customer_sessions = SqlCustomerSessionRepository(connection)
        self.configuration = SqlConfigurationRepository(connection)
        self.session_events = SqlSessionEventRepository(connection)
        self.session_returns = SqlSessionReturnRepository(connection)
        self.idempotency_keys = SqlIdempotencyKeyRepository(connection)
        self.session_contexts = SqlSessionContextRepository(connection)
        self.oauth_clients = SqlOAuthClientRepository(connection)
        self.access_tokens = SqlAccessTokenRepository(connection)
        return self

    def commit(self) -> None:
        assert self._transaction is not None, "commit outside the unit of work"
        assert self._connection is not None
        move_revision_if_written(self._connection)
        try:
            self._transaction.commit()
        finally:
            release_writer(self._connection)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        assert self._transaction is not None
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            forget_writes(self._connection)
            release_writer(self._connection)
            self._connection.close()
        if isinstance(exc, DBAPIError) and busy(exc):
            raise Conflict(TOO_MANY_REQUESTS) from exc


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        note_configuration_writes(engine)

    def __call__(self, *, write: bool) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._engine, write=write)
