"""``returnCartItems``: a return of a closed session's cart items, in one transaction.

The session (locked) becomes ``partially_returned``; what its close committed for the returned
units is rolled back and its budgets given back (``domain.returns``); the profile's
``totalSales`` loses the returned value; the return and its event are recorded. With
``runRuleEngine`` the campaigns that produced effects at the close and are marked
``reevaluateOnReturn`` are evaluated again on what is left, as if the session had not
committed anything yet, and the discounts the smaller cart no longer earns are rolled back too.

With an ``Idempotency-Key`` the answer is stored beside the return, in the same transaction:
the same key and body get the stored answer again (however the session changed since), the
same key with another body a 422, and the key is free again after 24 hours. Sending the same
key twice at once is safe: the session's lock orders them, and the second finds the first's
answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from perks.domain.applications import Application
from perks.domain.budgets import CounterChange, coupon_of
from perks.domain.customer_profiles import CustomerProfile
from perks.domain.customer_sessions import (
    SessionEvent,
    SessionOperation,
    SessionState,
    StoredSession,
    session_events,
)
from perks.domain.effects import Effect
from perks.domain.errors import NotFound, Unprocessable
from perks.domain.evaluation import EvaluationInput, evaluate
from perks.domain.events import session_event_records
from perks.domain.idempotency import HEADER, IdempotencyKey, StoredAnswer
from perks.domain.returns import (
    CartReturn,
    ReturnRequestItem,
    after_return,
    resolve_return,
    returned_value,
    settle_reevaluation,
    settle_return,
)
from perks.domain.rule_bindings import SessionView
from perks.services.customer_sessions import (
    NO_EVALUATION,
    SessionOutcome,
    give_back,
    record_events,
)
from perks.services.lookups import require_application
from perks.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from perks.services.session_inputs import EvaluationCache, load_input, profile_view

__all__ = ["OPERATION", "CartReturnService", "Render", "ReturnRequest"]

OPERATION = "returnCartItems"
# The wire form of an outcome (status, JSON text), stored for an idempotency key.
Render = Callable[[SessionOutcome], tuple[int, str]]


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    integration_id: str
    items: tuple[ReturnRequestItem, ...]
    dry: bool = False
    run_rule_engine: bool = False
    idempotency: IdempotencyKey | None = None
    render: Render | None = None  # needed with an idempotency key


@dataclass(frozen=True, slots=True)
class _Worked:
    """A return worked out: its outcome, the budget changes that give back, and what the
    returned units were worth."""

    outcome: SessionOutcome
    given_back: tuple[CounterChange, ...]
    value: Decimal


class CartReturnService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, cache: EvaluationCache | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._cache = cache or EvaluationCache()

    def return_items(
        self, application_id: int, request: ReturnRequest
    ) -> SessionOutcome | StoredAnswer:
        """The outcome of the return, or the answer stored for its idempotency key."""
        now = self._clock.now()
        with self._uow(write=not request.dry) as uow:
            application = require_application(uow, application_id)
            stored = uow.customer_sessions.get(
                application_id, request.integration_id, lock=not request.dry
            )
            if stored is None:
                raise NotFound("customer session", request.integration_id)
            answer = self._answered(uow, application_id, request, now)
            if answer is not None:
                return answer
            worked = self._return(uow, application, stored, request, now)
            if request.dry:
                return worked.outcome
            outcome = self._record(uow, worked, now)
            if request.idempotency is not None:
                self._remember(uow, application_id, request, outcome, now)
            uow.commit()
        return outcome

    def _answered(
        self, uow: UnitOfWork, application_id: int, request: ReturnRequest, now: datetime
    ) -> StoredAnswer | None:
        key = request.idempotency
        if key is None or request.dry:
            return None
        answer = uow.idempotency_keys.get(application_id, OPERATION, key.key, now=now)
        if answer is not None and answer.fingerprint != key.fingerprint:
            raise Unprocessable(
                "this idempotency key was used with another request in the last 24 hours",
                parameter=HEADER,
            )
        return answer

    def _return(
        self,
        uow: UnitOfWork,
        application: Application,
        stored: StoredSession,
        request: ReturnRequest,
        now: datetime,
    ) -> _Worked:
        """The return worked out, nothing written yet."""
        before = stored.session
        events = session_events(
            before.state, SessionState.PARTIALLY_RETURNED, SessionOperation.RETURN
        )
        returned = resolve_return(before, request.items)
        currency = application.currency
        settled = settle_return(
            before, returned, stored.committed, stored.committed_changes, currency=currency
        )
        still = settle_return(before, returned, stored.effects, (), currency=currency).committed
        session = after_return(before, returned, now=now)
        value = returned_value(before, returned)
        result = replace(
            stored,
            session=session,
            effects=still,
            committed=settled.committed,
            committed_changes=settled.committed_changes,
            committed_total=stored.committed_total - value,
        )
        given_back = settled.given_back
        rollbacks = settled.rollbacks
        again = None
        if request.run_rule_engine:
            again = self._reevaluated(uow, application, result, now)
        if again is not None:
            effects, chosen = again
            cut = settle_reevaluation(result.committed, result.committed_changes, effects, chosen)
            result = replace(
                result,
                effects=settle_reevaluation(result.effects, (), effects, chosen).committed,
                committed=cut.committed,
                committed_changes=cut.committed_changes,
            )
            given_back += cut.given_back
            rollbacks += cut.rollbacks
        records = session_event_records(application.id, session, events, rollbacks, now=now)
        cart_return = CartReturn(
            application_id=application.id,
            session_id=stored.id,
            session_integration_id=session.integration_id,
            profile_integration_id=session.profile_id,
            created=now,
            returned_cart_items=returned,
        )
        outcome = SessionOutcome(
            stored=result,
            evaluation=NO_EVALUATION,
            events=events,
            profile=None,
            rollbacks=rollbacks,
            event=records[-1],
            previous_returns=tuple(uow.session_returns.for_session(stored.id)),
            cart_return=cart_return,
        )
        return _Worked(outcome, given_back, value)

    def _reevaluated(
        self, uow: UnitOfWork, application: Application, stored: StoredSession, now: datetime
    ) -> tuple[tuple[Effect, ...], frozenset[int]] | None:
        """``runRuleEngine``: the campaigns that produced effects at the close and are marked
        ``reevaluateOnReturn``, evaluated on what is left as if nothing were committed yet."""
        configuration = self._cache.configuration(uow, application.id)
        chosen = frozenset(
            effect.campaign_id
            for effect in stored.committed
            if (run := configuration.runnable.get(effect.campaign_id)) is not None
            and run.campaign.reevaluate_on_return
        )
        if not chosen:
            return None
        view = SessionView(
            stored.session,
            id=stored.id,
            first_session=stored.first_session,
            flattened=application.enable_flattened_cart_items,
        )
        inp = load_input(
            uow,
            application,
            view,
            now=now,
            configuration=configuration,
            event_type=str(SessionEvent.PARTIALLY_RETURNED),
            profile=profile_view(
                stored.session,
                uow.customer_profiles.get(application.id, stored.session.profile_id)
                if stored.session.profile_id
                else None,
            ),
            evaluable_campaign_ids=chosen,  # exactly these, whatever their state now
        )
        return evaluate(_uncommitted(inp, stored)).effects, chosen

    def _record(self, uow: UnitOfWork, worked: _Worked, now: datetime) -> SessionOutcome:
        """Write the return: budgets given back, the session, the event, the return, the
        profile."""
        outcome = worked.outcome
        if worked.given_back:
            give_back(uow, worked.given_back)
        uow.customer_sessions.save(outcome.stored)
        assert outcome.event is not None
        assert outcome.cart_return is not None
        event = record_events(uow, [outcome.event])
        cart_return = uow.session_returns.add(replace(outcome.cart_return, event_id=event.id))
        profile = _profile(uow, outcome.stored, worked.value, now)
        return replace(outcome, event=event, cart_return=cart_return, profile=profile)

    @staticmethod
    def _remember(
        uow: UnitOfWork,
        application_id: int,
        request: ReturnRequest,
        outcome: SessionOutcome,
        now: datetime,
    ) -> None:
        key = request.idempotency
        assert key is not None
        assert request.render is not None, "an idempotent return renders its answer"
        status, response = request.render(outcome)
        uow.idempotency_keys.add(
            StoredAnswer(
                application_id=application_id,
                operation=OPERATION,
                key=key.key,
                fingerprint=key.fingerprint,
                status=status,
                response=response,
                created=now,
            )
        )


def _uncommitted(inp: EvaluationInput, stored: StoredSession) -> EvaluationInput:
    """The evaluation input as it was before the session's close committed: its counter
    changes taken off, its redeemed coupons usable again."""
    counters = dict(inp.counters)
    for change in stored.committed_changes:
        if change.key in counters:
            counters[change.key] -= change.delta
    redeemed = set(stored.redeemed_coupons)
    spent: dict[int, Decimal] = {}  # gift cards: what this session's close took of each
    for change in stored.committed_changes:
        coupon_id = coupon_of(change.key)
        if coupon_id is not None:
            spent[coupon_id] = spent.get(coupon_id, Decimal(0)) + change.delta
    coupons = {
        code: replace(
            coupon,
            usage_counter=max(0, coupon.usage_counter - (coupon.id in redeemed)),
            discount_counter=max(Decimal(0), coupon.discount_counter - spent.get(coupon.id, 0)),
        )
        for code, coupon in inp.coupons.items()
    }
    return replace(inp, counters=counters, coupons=coupons)


def _profile(
    uow: UnitOfWork, stored: StoredSession, returned: Decimal, now: datetime
) -> CustomerProfile | None:
    """The profile's ``totalSales`` loses what the returned units were worth."""
    session = stored.session
    if not session.profile_id:
        return None
    profile, _ = uow.customer_profiles.ensure(stored.application_id, session.profile_id, now=now)
    profile = replace(profile, last_activity=now, total_sales=profile.total_sales - returned)
    uow.customer_profiles.save(profile)
    return profile
