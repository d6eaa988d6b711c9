"""Session events in the domain: one record per built-in event of a request, the effects and the
first coupon rejection on the last one only."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from perks.domain.customer_sessions import CustomerSession, SessionEvent, SessionState
from perks.domain.effects import Effect
from perks.domain.events import Event, coupon_rejection, session_event_records

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SESSION = CustomerSession(
    integration_id="s-1",
    profile_id="alice",
    store_integration_id="berlin",
    state=SessionState.CLOSED,
    created=NOW,
    updated=NOW,
)


def _effect(
    effect_type: str, *, campaign: int = 3, coupon: int | None = None, **props: object
) -> Effect:
    return Effect(
        campaign_id=campaign,
        ruleset_id=7,
        rule_index=0,
        rule_name="r",
        effect_type=effect_type,
        props=props,
        triggered_by_coupon=coupon,
    )


DISCOUNT = _effect("setDiscount", name="10%", value=Decimal("10.00"))
NOT_FOUND = _effect("rejectCoupon", campaign=-1, value="NOPE", rejectionReason="CouponNotFound")
EXPIRED = _effect(
    "rejectCoupon", campaign=4, coupon=12, value="OLD", rejectionReason="CouponExpired"
)


def test_the_first_rejection_is_the_reason() -> None:
    assert coupon_rejection([DISCOUNT, EXPIRED, NOT_FOUND]) == {
        "campaignId": 4,
        "couponId": 12,
        "reason": "CouponExpired",
    }
    # A code that finds no coupon has campaign -1 and coupon 0.
    assert coupon_rejection([NOT_FOUND, EXPIRED]) == {
        "campaignId": -1,
        "couponId": 0,
        "reason": "CouponNotFound",
    }


def test_no_rejection_no_reason() -> None:
    assert coupon_rejection([]) is None
    accepted = _effect("acceptCoupon", coupon=12, value="XMAS")
    assert coupon_rejection([accepted, DISCOUNT, _effect("rejectReferral", value="R")]) is None


def test_a_created_and_closed_session_records_two_events_the_last_with_the_effects() -> None:
    effects = [DISCOUNT, EXPIRED]
    records = session_event_records(
        5,
        SESSION,
        (SessionEvent.CREATED, SessionEvent.CLOSED),
        effects,
        now=NOW,
    )
    assert records == [
        Event(
            application_id=5,
            type="talon_session_created",
            created=NOW,
            session_integration_id="s-1",
            profile_id="alice",
            store_integration_id="berlin",
        ),
        Event(
            application_id=5,
            type="talon_session_closed",
            created=NOW,
            session_integration_id="s-1",
            profile_id="alice",
            store_integration_id="berlin",
            effects=(DISCOUNT, EXPIRED),
            meta={
                "couponRejectionReason": {
                    "campaignId": 4,
                    "couponId": 12,
                    "reason": "CouponExpired",
                }
            },
        ),
    ]
    assert [record.id for record in records] == [0, 0]  # storage gives the ids
    assert all(isinstance(record.type, str) for record in records)
    assert records[0].meta == {}
    assert records[0].effects == ()


def test_one_event_without_rejection_has_empty_meta() -> None:
    anonymous = CustomerSession(integration_id="s-2", created=NOW, updated=NOW)
    (record,) = session_event_records(
        1, anonymous, (SessionEvent.PARTIALLY_RETURNED,), [DISCOUNT], now=NOW
    )
    assert (record.type, record.profile_id, record.store_integration_id) == (
        "talon_session_partially_returned",
        "",
        None,
    )
    assert record.session_integration_id == "s-2"
    assert record.effects == (DISCOUNT,)
    assert record.meta == {}
    assert record.attributes == {}


def test_every_event_of_a_request_is_recorded_in_order() -> None:
    events = tuple(SessionEvent)
    records = session_event_records(1, SESSION, events, [NOT_FOUND], now=NOW)
    assert [record.type for record in records] == [str(event) for event in events]
    assert [bool(record.effects) for record in records] == [False] * (len(events) - 1) + [True]
    assert [bool(record.meta) for record in records] == [False] * (len(events) - 1) + [True]
