"""``updateCustomerSessionV2``: one update of a customer session in one transaction.

Load (the stored session, locked, and everything the evaluation reads), build the updated
session, evaluate it, and, unless the request is dry, store the session and the profile. A
close commits the coupons' redemptions and the budget counters with conditional updates: when
another session used a budget up meanwhile, nothing is written and the caller gets a 409 to
send the update again (never a limit passed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from perks.domain.attribute_values import typed_attributes
from perks.domain.attributes import AttributeEntity, AttributeType
from perks.domain.budgets import CounterChange, coupon_of
from perks.domain.campaigns import Campaign
from perks.domain.coupons import Coupon
from perks.domain.customer_profiles import CustomerProfile
from perks.domain.customer_sessions import (
    CustomerSession,
    SessionEvent,
    SessionOperation,
    SessionState,
    SessionUpdate,
    StoredSession,
    apply_update,
    session_events,
    unknown_attributes,
)
from perks.domain.effects import Effect, rollbacks
from perks.domain.errors import Conflict, InvalidInput, NotFound
from perks.domain.evaluation import Evaluation, EvaluationInput, evaluate
from perks.domain.events import Event, session_event_records
from perks.domain.pages import PageRequest
from perks.domain.returns import CartReturn
from perks.domain.rule_bindings import SessionView
from perks.services.lookups import require_application
from perks.services.ports import Clock, UnitOfWork, UnitOfWorkFactory
from perks.services.session_inputs import (
    Configuration,
    EvaluationCache,
    load_input,
    profile_view,
)

__all__ = [
    "NO_EVALUATION",
    "CustomerSessionService",
    "SessionOutcome",
    "SessionRequest",
    "give_back",
    "record_events",
]


@dataclass(frozen=True, slots=True)
class SessionRequest:
    integration_id: str
    update: SessionUpdate
    dry: bool = False
    now: datetime | None = None  # dry runs only, in the future
    evaluable_campaign_ids: tuple[int, ...] | None = None  # dry runs only
    with_previous_returns: bool = False  # responseContent: previousReturns


@dataclass(frozen=True, slots=True)
class SessionOutcome:
    stored: StoredSession
    evaluation: Evaluation  # empty for a reopen, which evaluates nothing
    events: tuple[SessionEvent, ...]
    profile: CustomerProfile | None
    rollbacks: tuple[Effect, ...] = ()  # what a cancel, reopen or return gave back
    event: Event | None = None  # the request's last event (id 0 in a dry run)
    coupons: tuple[Coupon, ...] = ()  # those the session's codes name
    triggered_campaigns: tuple[Campaign, ...] = ()
    previous_returns: tuple[CartReturn, ...] = ()  # when asked for
    cart_return: CartReturn | None = None  # a return's own record


_ALL = PageRequest(page_size=1_000_000)
NO_EVALUATION = Evaluation((), (), {}, (), ())


def record_events(uow: UnitOfWork, records: list[Event]) -> Event:
    """Store a request's events; the last one, with its id, is the request's ``event``."""
    stored = [uow.session_events.add(record) for record in records]
    return stored[-1]


def give_coupon_discounts(uow: UnitOfWork, changes: Sequence[CounterChange]) -> None:
    """Move the gift cards' ``discountCounter``: a close spends them (409 when one no longer
    covers it), a cancel, reopen or return gives back."""
    for change in changes:
        coupon_id = coupon_of(change.key)
        if coupon_id is not None and not uow.coupons.add_discount(coupon_id, change.delta):
            raise Conflict(
                f"the balance of coupon {coupon_id} was spent meanwhile: send the update again"
            )


def give_back(uow: UnitOfWork, changes: Sequence[CounterChange]) -> None:
    """Apply changes that give back (negative deltas): campaign budgets and gift cards."""
    uow.budget_counters.add([c for c in changes if coupon_of(c.key) is None])
    give_coupon_discounts(uow, changes)


def _profile_of(
    uow: UnitOfWork, application_id: int, session: CustomerSession, *, dry: bool, now: datetime
) -> tuple[CustomerProfile | None, bool]:
    """The session's profile, and whether this request created it: a write creates an unknown
    profile and holds its row (the close reads, then writes its counters); a dry run only
    reads. None for an anonymous session."""
    if not session.profile_id:
        return None, False
    if dry:
        return uow.customer_profiles.get(application_id, session.profile_id), False
    return uow.customer_profiles.ensure(application_id, session.profile_id, now=now)


def _named_coupons(inp: EvaluationInput, evaluation: Evaluation) -> tuple[Coupon, ...]:
    """The coupons the session's codes name, with the redemptions this evaluation makes."""
    redeemed = set(evaluation.redeemed_coupons)
    return tuple(
        replace(coupon, usage_counter=coupon.usage_counter + 1)
        if coupon.id in redeemed and inp.session.session.state is SessionState.CLOSED
        else coupon
        for coupon in inp.coupons.values()
    )


@dataclass(frozen=True, slots=True)
class _Declared:
    """The application's custom attributes of sessions and cart items, by name."""

    session: Mapping[str, AttributeType]
    cart_item: Mapping[str, AttributeType]


_NOTHING_DECLARED = _Declared({}, {})


def _declared(
    update: SessionUpdate, base: CustomerSession | None, configuration: Configuration
) -> _Declared:
    """Refuse custom attributes the application has not declared (400, each named)."""
    sent = update.attributes or any(i.attributes for i in update.cart_items or ())
    kept = base is not None and (base.attributes or any(i.attributes for i in base.cart_items))
    if not sent and not kept:
        return _NOTHING_DECLARED  # no attribute to check or type
    kinds = configuration.attributes
    result = _Declared(
        kinds.get(AttributeEntity.CUSTOMER_SESSION, {}), kinds.get(AttributeEntity.CART_ITEM, {})
    )
    unknown_attributes(update, session=result.session, cart_item=result.cart_item)
    return result


def _typed(session: CustomerSession, declared: _Declared) -> CustomerSession:
    """The session's custom attribute values as rules read them (times as times); a value
    of the wrong kind is a 400 at its pointer."""
    if declared is _NOTHING_DECLARED:
        return session
    attributes, problems = typed_attributes(
        session.attributes, declared.session, "/customerSession/attributes"
    )
    items = []
    for index, item in enumerate(session.cart_items):
        typed, wrong = typed_attributes(
            item.attributes, declared.cart_item, f"/customerSession/cartItems/{index}/attributes"
        )
        items.append(replace(item, attributes=typed))
        problems += wrong
    if problems:
        raise InvalidInput(problems)
    return replace(session, attributes=attributes, cart_items=tuple(items))


class CustomerSessionService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, cache: EvaluationCache | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._cache = cache or EvaluationCache()

    def update(self, application_id: int, request: SessionRequest) -> SessionOutcome:
        now = self._now(request)
        with self._uow(write=not request.dry) as uow:
            configuration = self._cache.configuration(uow, application_id)
            application = configuration.application
            stored = uow.customer_sessions.get(
                application_id, request.integration_id, lock=not request.dry, effects=False
            )
            # A dry run considers only its payload (semantics §5).
            base = None if request.dry or stored is None else stored.session
            declared = _declared(request.update, base, configuration)
            session, events = apply_update(base, request.integration_id, request.update, now=now)
            session = _typed(session, declared)
            first = self._first_session(uow, application_id, session.profile_id, stored)
            profile, created = _profile_of(uow, application_id, session, dry=request.dry, now=now)
            evaluable = (
                frozenset(request.evaluable_campaign_ids)
                if request.dry and request.evaluable_campaign_ids is not None
                else None
            )
            inp = load_input(
                uow,
                application,
                SessionView(
                    session,
                    id=stored.id if stored else 0,
                    first_session=first,
                    flattened=application.enable_flattened_cart_items,
                ),
                now=now,
                configuration=configuration,
                event_type=str(events[-1]),
                profile=profile_view(session, profile, created=created),
                evaluable_campaign_ids=evaluable,
            )
            # A cancel evaluates nothing: its answer is what it rolls back.
            cancelled = session.state is SessionState.CANCELLED
            evaluation = NO_EVALUATION if cancelled else evaluate(inp)
            result = replace(
                stored or StoredSession(0, application_id, session),
                session=session,
                first_session=first,
                effects=evaluation.effects,
            )
            records = session_event_records(
                application_id, session, events, evaluation.effects, now=now
            )
            outcome = SessionOutcome(
                result,
                evaluation,
                events,
                None,
                event=records[-1],
                coupons=_named_coupons(inp, evaluation),
                triggered_campaigns=tuple(
                    inp.campaigns[campaign_id].campaign
                    for campaign_id in evaluation.triggered_campaigns
                ),
                previous_returns=tuple(uow.session_returns.for_session(stored.id))
                if stored is not None and request.with_previous_returns
                else (),
            )
            if request.dry:
                return outcome
            profile = self._profile(uow, profile, result, events, now)
            given_back: tuple[Effect, ...] = ()
            if SessionEvent.CLOSED in events:
                result = self._close(uow, result, evaluation)
            elif SessionEvent.REVOKED in events:
                result, given_back = self._give_back(uow, result)
            result = self._store(uow, result, stored is None)
            event = record_events(uow, records)
            uow.commit()
        return replace(outcome, stored=result, profile=profile, rollbacks=given_back, event=event)

    def get(self, application_id: int, integration_id: str) -> StoredSession:
        """``getCustomerSession``: the session and the effects of its last evaluation."""
        with self._uow(write=False) as uow:
            require_application(uow, application_id)
            stored = uow.customer_sessions.get(application_id, integration_id)
        if stored is None:
            raise NotFound("customer session", integration_id)
        return stored

    def reopen(self, application_id: int, integration_id: str) -> SessionOutcome:
        """``reopenCustomerSession``: a closed session opens again, and what its close
        committed is given back (the rolled-back effects are the answer)."""
        now = self._clock.now()
        with self._uow(write=True) as uow:
            require_application(uow, application_id)
            stored = uow.customer_sessions.get(application_id, integration_id, lock=True)
            if stored is None:
                raise NotFound("customer session", integration_id)
            events = session_events(
                stored.session.state, SessionState.OPEN, SessionOperation.REOPEN
            )
            session = replace(stored.session, state=SessionState.OPEN, updated=now)
            result, given_back = self._give_back(uow, replace(stored, session=session))
            found, _ = _profile_of(uow, application_id, session, dry=False, now=now)
            profile = self._profile(uow, found, result, events, now)
            uow.customer_sessions.save(result)
            event = record_events(
                uow, session_event_records(application_id, session, events, given_back, now=now)
            )
            uow.commit()
        return SessionOutcome(result, NO_EVALUATION, events, profile, given_back, event=event)

    def _now(self, request: SessionRequest) -> datetime:
        clock = self._clock.now()
        if request.now is None:
            return clock
        if not request.dry:
            raise InvalidInput.at("now", "now is accepted only with dry=true", kind="parameter")
        if request.now <= clock:
            raise InvalidInput.at("now", "now must be in the future", kind="parameter")
        return request.now

    @staticmethod
    def _first_session(
        uow: UnitOfWork, application_id: int, profile_id: str, stored: StoredSession | None
    ) -> bool:
        """Always true for anonymous sessions; else whether the profile had no session."""
        if not profile_id:
            return True
        if stored is not None and stored.session.profile_id == profile_id:
            return stored.first_session
        return uow.customer_sessions.count_for_profile(application_id, profile_id) == 0

    @staticmethod
    def _profile(
        uow: UnitOfWork,
        profile: CustomerProfile | None,
        stored: StoredSession,
        events: tuple[SessionEvent, ...],
        now: datetime,
    ) -> CustomerProfile | None:
        """The session's profile (``_profile_of``) after this request: a close counts the
        session and its total (before discounts) into ``closedSessions`` and ``totalSales``."""
        session = stored.session
        if profile is None:
            return None
        profile = replace(profile, last_activity=now)
        if SessionEvent.CLOSED in events:
            profile = replace(
                profile,
                closed_sessions=profile.closed_sessions + 1,
                total_sales=profile.total_sales + session.total(),
            )
        elif SessionEvent.REVOKED in events or SessionEvent.REOPENED in events:
            profile = replace(
                profile,
                closed_sessions=max(0, profile.closed_sessions - 1),
                total_sales=profile.total_sales - stored.committed_total,
            )
        uow.customer_profiles.save(profile)
        return profile

    @staticmethod
    def _close(uow: UnitOfWork, stored: StoredSession, evaluation: Evaluation) -> StoredSession:
        changes = evaluation.changes()
        exceeded = uow.budget_counters.add([c for c in changes if coupon_of(c.key) is None])
        if exceeded:
            raise Conflict(
                "a budget of this session's campaigns was used up meanwhile: send the update "
                "again to have it evaluated on what is left"
            )
        for coupon_id in evaluation.redeemed_coupons:
            if not uow.coupons.redeem(coupon_id):
                raise Conflict(f"coupon {coupon_id} was used up meanwhile: send the update again")
        give_coupon_discounts(uow, changes)
        return replace(
            stored,
            committed=evaluation.effects,
            committed_changes=tuple(
                CounterChange(change.key, change.delta) for change in evaluation.changes()
            ),
            redeemed_coupons=evaluation.redeemed_coupons,
            committed_total=stored.session.total(),
        )

    @staticmethod
    def _give_back(
        uow: UnitOfWork, stored: StoredSession
    ) -> tuple[StoredSession, tuple[Effect, ...]]:
        """Undo what the close committed: budgets, redemptions (never creations, attribute
        updates, free items or custom effects); the rollback effects say what."""
        give_back(uow, [CounterChange(c.key, -c.delta) for c in stored.committed_changes])
        for coupon_id in stored.redeemed_coupons:
            uow.coupons.unredeem(coupon_id)
        given_back = tuple(rollbacks(stored.committed))
        emptied = replace(
            stored,
            effects=(),  # rolled back: no longer valid (getCustomerSession)
            committed=(),
            committed_changes=(),
            redeemed_coupons=(),
            committed_total=Decimal(0),
        )
        return emptied, given_back

    @staticmethod
    def _store(uow: UnitOfWork, stored: StoredSession, new: bool) -> StoredSession:
        if new:
            return uow.customer_sessions.add(stored)
        uow.customer_sessions.save(stored)
        return stored
