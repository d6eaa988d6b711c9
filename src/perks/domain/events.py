"""Events (``Event``): what happened to a session, recorded with the effects it produced.

A session update records its built-in events (``talon_session_created``, ``_updated``,
``_closed``, ...); a return records ``talon_session_partially_returned`` and a reopen
``talon_session_reopened``. The last event of a request is the one ``responseContent:
["event"]`` answers. Its ``meta`` carries the first coupon rejection, as the spec's
``Meta.couponRejectionReason`` describes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from perks.domain.customer_sessions import CustomerSession, SessionEvent
from perks.domain.effects import Effect, EffectType

__all__ = ["Event", "coupon_rejection", "session_event_records"]


@dataclass(frozen=True, slots=True)
class Event:
    application_id: int
    type: str
    created: datetime
    session_integration_id: str
    profile_id: str = ""
    store_integration_id: str | None = None
    attributes: Mapping[str, object] = field(default_factory=dict)
    effects: tuple[Effect, ...] = ()
    meta: Mapping[str, object] = field(default_factory=dict)
    id: int = 0


def coupon_rejection(effects: Sequence[Effect]) -> Mapping[str, object] | None:
    """``CouponRejectionReason`` of the first rejected coupon: ``{campaignId, couponId,
    reason}`` (a code that finds no coupon has campaign -1 and coupon 0)."""
    for effect in effects:
        if effect.effect_type == EffectType.REJECT_COUPON:
            return {
                "campaignId": effect.campaign_id,
                "couponId": effect.triggered_by_coupon or 0,
                "reason": effect.props["rejectionReason"],
            }
    return None


def session_event_records(
    application_id: int,
    session: CustomerSession,
    events: Sequence[SessionEvent],
    effects: Sequence[Effect],
    *,
    now: datetime,
) -> list[Event]:
    """One ``Event`` per built-in event of a request; the effects belong to the last one,
    the evaluation that answered it."""
    rejection = coupon_rejection(effects)
    meta: Mapping[str, object] = {} if rejection is None else {"couponRejectionReason": rejection}
    records = []
    for index, event in enumerate(events):
        last = index == len(events) - 1
        records.append(
            Event(
                application_id=application_id,
                type=str(event),
                created=now,
                session_integration_id=session.integration_id,
                profile_id=session.profile_id,
                store_integration_id=session.store_integration_id,
                effects=tuple(effects) if last else (),
                meta=meta if last else {},
            )
        )
    return records
