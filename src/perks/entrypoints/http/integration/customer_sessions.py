"""``updateCustomerSessionV2``, ``getCustomerSession`` and ``reopenCustomerSession``: the wire
of customer sessions (``IntegrationRequest``, ``NewCustomerSessionV2``, ``IntegrationStateV2``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec

from perks.domain.applications import ACCOUNT_ID
from perks.domain.coupons import Coupon as DomainCoupon
from perks.domain.customer_profiles import CustomerProfile as DomainProfile
from perks.domain.customer_sessions import CartItem as DomainCartItem
from perks.domain.customer_sessions import SessionState, SessionUpdate, StoredSession
from perks.domain.effects import Effect as DomainEffect
from perks.domain.evaluation import RuleFailure
from perks.domain.events import Event as DomainEvent
from perks.domain.returns import CartReturn
from perks.entrypoints.http.entities import Campaign, Coupon, wire_campaign, wire_coupon
from perks.entrypoints.http.routes import Auth, Call, Operation, Reply
from perks.entrypoints.http.wire import AwareDateTime, WireStruct
from perks.services.customer_sessions import SessionOutcome, SessionRequest

__all__ = ["OPERATIONS"]

Code = Annotated[str, msgspec.Meta(max_length=100)]
ResponseContent = Literal[
    "customerSession",
    "customerProfile",
    "coupons",
    "triggeredCampaigns",
    "referral",
    "loyalty",
    "event",
    "awardedGiveaways",
    "ruleFailureReasons",
    "previousReturns",
]


class Price(WireStruct):
    price: Decimal


class Product(WireStruct):
    name: str


class CartItem(WireStruct, omit_defaults=True):
    """``CartItem``; the read-only fields are accepted and ignored."""

    sku: str
    quantity: int
    name: str | None = None
    price: Decimal | None = None
    category: str | None = None
    product: Product | None = None
    weight: Decimal | None = None
    height: Decimal | None = None
    width: Decimal | None = None
    length: Decimal | None = None
    attributes: dict[str, Any] | None = None
    additional_costs: dict[str, Price] | None = None
    returned_quantity: int | None = None
    remaining_quantity: int | None = None
    position: Decimal | None = None
    catalog_item_id: int | None = msgspec.field(default=None, name="catalogItemID")
    selected_price_type: str | None = None
    adjustment_reference_id: str | None = None
    adjustment_effective_from: datetime | None = None
    adjustment_effective_until: datetime | None = None
    prices: dict[str, Any] | None = None


class NewCustomerSessionV2(WireStruct):
    profile_id: str | None = None
    store_integration_id: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    evaluable_campaign_ids: list[int] | None = None
    coupon_codes: list[Code] | None = None
    referral_code: Code | None = None
    loyalty_cards: list[str] | None = None
    state: SessionState | None = None
    cart_items: list[CartItem] | None = None
    experiment_variant_allocations: list[Any] | None = None
    additional_costs: dict[str, Price] | None = None
    identifiers: list[str] | None = None
    attributes: dict[str, Any] | None = None


class IntegrationRequest(WireStruct):
    customer_session: NewCustomerSessionV2
    response_content: list[ResponseContent] = []


class SessionQuery(msgspec.Struct, rename="camel", kw_only=True):
    dry: bool = False
    now: AwareDateTime | None = None


class Effect(WireStruct, omit_defaults=True):
    campaign_id: int
    ruleset_id: int
    rule_index: int
    rule_name: str
    effect_type: str
    props: dict[str, Any]
    triggered_by_coupon: int | None = None
    condition_index: int | None = None
    evaluation_group_id: int | None = msgspec.field(default=None, name="evaluationGroupID")
    evaluation_group_mode: str | None = None


class CustomerSessionV2(WireStruct):
    id: int
    created: datetime
    integration_id: str
    application_id: int
    profile_id: str
    state: SessionState
    cart_items: list[CartItem]
    attributes: dict[str, Any]
    first_session: bool
    update_count: int
    total: Decimal
    cart_item_total: Decimal
    additional_cost_total: Decimal
    updated: datetime
    coupon_codes: list[str]
    referral_code: str
    loyalty_cards: list[str]
    additional_costs: dict[str, Price]
    identifiers: list[str]
    store_integration_id: str | None = None


class CustomerProfile(WireStruct):
    id: int
    created: datetime
    integration_id: str
    attributes: dict[str, Any]
    account_id: int
    closed_sessions: int
    total_sales: Decimal
    last_activity: datetime
    loyalty_memberships: list[Any] = []
    audience_memberships: list[Any] = []


class RuleFailureReason(WireStruct, omit_defaults=True):
    campaign_id: int = msgspec.field(name="campaignID")
    campaign_name: str
    ruleset_id: int = msgspec.field(name="rulesetID")
    rule_index: int
    rule_name: str
    coupon_id: int | None = msgspec.field(default=None, name="couponID")
    coupon_value: str | None = None
    condition_index: int | None = None
    effect_index: int | None = None
    details: str | None = None
    evaluation_group_id: int | None = msgspec.field(default=None, name="evaluationGroupID")
    evaluation_group_mode: str | None = None


class Meta(WireStruct, omit_defaults=True):
    coupon_rejection_reason: dict[str, Any] | None = None


class Event(WireStruct, omit_defaults=True):
    """``Event``: what the request recorded (id 0 in a dry run, which records nothing)."""

    id: int
    created: datetime
    application_id: int
    type: str
    attributes: dict[str, Any]
    effects: list[Effect]
    profile_id: str | None = None
    store_integration_id: str | None = None
    session_id: str | None = None
    meta: Meta | None = None


class ReturnedCartItem(WireStruct, omit_defaults=True):
    position: int
    quantity: int | None = None
    sku: Annotated[str, msgspec.Meta(min_length=1)] | None = None


class Return(WireStruct, omit_defaults=True):
    """``Return``: one return request on a session."""

    id: int
    created: datetime
    application_id: int
    account_id: int
    returned_cart_items: list[ReturnedCartItem]
    event_id: int
    session_id: int
    session_integration_id: str
    profile_integration_id: str | None = None


class IntegrationCoupon(Coupon, omit_defaults=True, kw_only=True):
    """``IntegrationCoupon``: a ``Coupon`` with how often the session's profile redeemed it."""

    profile_redemption_count: int


class IntegrationStateV2(WireStruct, omit_defaults=True):
    effects: list[Effect]
    created_coupons: list[Any]
    created_referrals: list[Any]
    customer_session: CustomerSessionV2 | None = None
    customer_profile: CustomerProfile | None = None
    coupons: list[IntegrationCoupon] | None = None
    triggered_campaigns: list[Campaign] | None = None
    event: Event | None = None
    rule_failure_reasons: list[RuleFailureReason] | None = None
    return_: Return | None = msgspec.field(default=None, name="return")
    previous_returns: list[Return] | None = None


class IntegrationCustomerSessionResponse(WireStruct):
    customer_session: CustomerSessionV2
    effects: list[Effect]


class ReopenSessionResponse(WireStruct):
    effects: list[Effect]


# From the wire.


def _item(position: int, item: CartItem) -> DomainCartItem:
    """A cart item at its place in the cart (its ``position``; the wire's is read-only)."""
    return DomainCartItem(
        sku=item.sku,
        quantity=item.quantity,
        name=item.name,
        price=item.price,
        category=item.category,
        product=None if item.product is None else {"name": item.product.name},
        weight=item.weight,
        height=item.height,
        width=item.width,
        length=item.length,
        attributes=item.attributes or {},
        additional_costs={k: v.price for k, v in (item.additional_costs or {}).items()},
        position=position,
    )


def session_update(body: NewCustomerSessionV2) -> SessionUpdate:
    def listed(values: list[str] | None) -> tuple[str, ...] | None:
        return None if values is None else tuple(values)

    return SessionUpdate(
        profile_id=body.profile_id,
        store_integration_id=body.store_integration_id,
        evaluable_campaign_ids=None
        if body.evaluable_campaign_ids is None
        else tuple(body.evaluable_campaign_ids),
        coupon_codes=listed(body.coupon_codes),
        referral_code=body.referral_code,
        loyalty_cards=listed(body.loyalty_cards),
        state=body.state,
        cart_items=None
        if body.cart_items is None
        else tuple(_item(position, item) for position, item in enumerate(body.cart_items)),
        additional_costs=None
        if body.additional_costs is None
        else {k: v.price for k, v in body.additional_costs.items()},
        identifiers=listed(body.identifiers),
        attributes=body.attributes,
    )


# To the wire.


def wire_effect(effect: DomainEffect) -> Effect:
    return Effect(
        campaign_id=effect.campaign_id,
        ruleset_id=effect.ruleset_id,
        rule_index=effect.rule_index,
        rule_name=effect.rule_name,
        effect_type=effect.effect_type,
        props=dict(effect.props),
        triggered_by_coupon=effect.triggered_by_coupon,
        condition_index=effect.condition_index,
        evaluation_group_id=effect.evaluation_group_id,
        evaluation_group_mode=effect.evaluation_group_mode,
    )


def _wire_item(item: DomainCartItem) -> CartItem:
    return CartItem(
        sku=item.sku,
        quantity=item.quantity,
        name=item.name,
        price=item.price,
        category=item.category,
        product=None if item.product is None else Product(name=str(item.product.get("name"))),
        weight=item.weight,
        height=item.height,
        width=item.width,
        length=item.length,
        attributes=dict(item.attributes),
        additional_costs={k: Price(price=v) for k, v in item.additional_costs.items()} or None,
        returned_quantity=item.returned_quantity,
        remaining_quantity=item.remaining_quantity,
        position=Decimal(item.position),
    )


def _wire_session(stored: StoredSession) -> CustomerSessionV2:
    session = stored.session
    assert session.created is not None
    assert session.updated is not None
    return CustomerSessionV2(
        id=stored.id,
        created=session.created,
        integration_id=session.integration_id,
        application_id=stored.application_id,
        profile_id=session.profile_id,
        state=session.state,
        cart_items=[_wire_item(item) for item in session.cart_items],
        attributes=dict(session.attributes),
        first_session=stored.first_session,
        update_count=session.update_count,
        total=session.total(),
        cart_item_total=session.cart_item_total(),
        additional_cost_total=session.additional_cost_total(),
        updated=session.updated,
        coupon_codes=list(session.coupon_codes),
        referral_code=session.referral_code,
        loyalty_cards=list(session.loyalty_cards),
        additional_costs={k: Price(price=v) for k, v in session.additional_costs.items()},
        identifiers=list(session.identifiers),
        store_integration_id=session.store_integration_id,
    )


def _wire_profile(profile: DomainProfile, now: datetime) -> CustomerProfile:
    return CustomerProfile(
        id=profile.id,
        created=profile.created,
        integration_id=profile.integration_id,
        attributes=dict(profile.attributes),
        account_id=ACCOUNT_ID,
        closed_sessions=profile.closed_sessions,
        total_sales=profile.total_sales,
        last_activity=profile.last_activity or now,
    )


def _wire_failure(failure: RuleFailure) -> RuleFailureReason:
    return RuleFailureReason(
        campaign_id=failure.campaign_id,
        campaign_name=failure.campaign_name,
        ruleset_id=failure.ruleset_id,
        rule_index=failure.rule_index,
        rule_name=failure.rule_name,
        coupon_id=failure.coupon_id,
        coupon_value=failure.coupon_value,
        condition_index=failure.condition_index,
        effect_index=failure.effect_index,
        details=failure.details,
        evaluation_group_id=failure.evaluation_group_id,
        evaluation_group_mode=failure.evaluation_group_mode,
    )


def _wire_event(event: DomainEvent) -> Event:
    rejection = event.meta.get("couponRejectionReason")
    return Event(
        id=event.id,
        created=event.created,
        application_id=event.application_id,
        type=event.type,
        attributes=dict(event.attributes),
        effects=[wire_effect(effect) for effect in event.effects],
        profile_id=event.profile_id or None,
        store_integration_id=event.store_integration_id,
        session_id=event.session_integration_id,
        meta=Meta(coupon_rejection_reason=dict(rejection))
        if isinstance(rejection, Mapping)
        else Meta(),
    )


def wire_return(cart_return: CartReturn) -> Return:
    return Return(
        id=cart_return.id,
        created=cart_return.created,
        application_id=cart_return.application_id,
        account_id=ACCOUNT_ID,
        returned_cart_items=[
            ReturnedCartItem(position=item.position, quantity=item.quantity, sku=item.sku)
            for item in cart_return.returned_cart_items
        ],
        event_id=cart_return.event_id,
        session_id=cart_return.session_id,
        session_integration_id=cart_return.session_integration_id,
        profile_integration_id=cart_return.profile_integration_id or None,
    )


def _wire_coupon(coupon: DomainCoupon) -> IntegrationCoupon:
    wired = wire_coupon(coupon)
    fields = {name: getattr(wired, name) for name in wired.__struct_fields__}
    return IntegrationCoupon(**fields, profile_redemption_count=0)


def state(outcome: SessionOutcome, content: Collection[str]) -> IntegrationStateV2:
    """``IntegrationStateV2``: the effects always, the rest as ``responseContent`` asks."""
    wanted = set(content)
    stored = outcome.stored
    now = stored.session.updated or stored.session.created
    assert now is not None
    return IntegrationStateV2(
        effects=[wire_effect(e) for e in (*outcome.rollbacks, *outcome.evaluation.effects)],
        created_coupons=[],
        created_referrals=[],
        customer_session=_wire_session(stored) if "customerSession" in wanted else None,
        customer_profile=_wire_profile(outcome.profile, now)
        if "customerProfile" in wanted and outcome.profile is not None
        else None,
        coupons=[_wire_coupon(c) for c in outcome.coupons] if "coupons" in wanted else None,
        triggered_campaigns=[wire_campaign(c, now) for c in outcome.triggered_campaigns]
        if "triggeredCampaigns" in wanted
        else None,
        event=_wire_event(outcome.event)
        if "event" in wanted and outcome.event is not None
        else None,
        rule_failure_reasons=[_wire_failure(f) for f in outcome.evaluation.rule_failures]
        if "ruleFailureReasons" in wanted
        else None,
        return_=None if outcome.cart_return is None else wire_return(outcome.cart_return),
        previous_returns=[wire_return(r) for r in outcome.previous_returns]
        if "previousReturns" in wanted
        else None,
    )


def update_customer_session(call: Call[IntegrationRequest, SessionQuery]) -> Reply:
    body, query = call.body, call.query
    update = session_update(body.customer_session)
    outcome = call.services.customer_sessions.update(
        call.integration.application_id,
        SessionRequest(
            integration_id=call.text["customerSessionId"],
            update=update,
            dry=query.dry,
            now=query.now,
            evaluable_campaign_ids=update.evaluable_campaign_ids,
            with_previous_returns="previousReturns" in body.response_content,
        ),
    )
    return Reply(200, state(outcome, body.response_content))


def get_customer_session(call: Call[None, None]) -> Reply:
    stored = call.services.customer_sessions.get(
        call.integration.application_id, call.text["customerSessionId"]
    )
    return Reply(
        200,
        IntegrationCustomerSessionResponse(
            customer_session=_wire_session(stored),
            effects=[wire_effect(effect) for effect in stored.effects],
        ),
    )


def reopen_customer_session(call: Call[None, None]) -> Reply:
    outcome = call.services.customer_sessions.reopen(
        call.integration.application_id, call.text["customerSessionId"]
    )
    return Reply(200, ReopenSessionResponse(effects=[wire_effect(e) for e in outcome.rollbacks]))


_SESSION = "/v2/customer_sessions/{customerSessionId}"

OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="GET",
        path=_SESSION,
        operation_id="getCustomerSession",
        summary="Get customer session",
        handler=get_customer_session,
        auth=Auth.INTEGRATION,
        tag="integration",
        responses={200: IntegrationCustomerSessionResponse, 400: None, 401: None, 404: None},
        text_path=frozenset({"customerSessionId"}),
    ),
    Operation(
        method="PUT",
        path=_SESSION,
        operation_id="updateCustomerSessionV2",
        summary="Update customer session",
        handler=update_customer_session,
        auth=Auth.INTEGRATION,
        tag="integration",
        body=IntegrationRequest,
        query=SessionQuery,
        responses={200: IntegrationStateV2, 400: None, 401: None, 404: None, 409: None},
        text_path=frozenset({"customerSessionId"}),
    ),
    Operation(
        method="PUT",
        path=f"{_SESSION}/reopen",
        operation_id="reopenCustomerSession",
        summary="Reopen customer session",
        handler=reopen_customer_session,
        auth=Auth.INTEGRATION,
        tag="integration",
        responses={200: ReopenSessionResponse, 400: None, 401: None, 404: None},
        text_path=frozenset({"customerSessionId"}),
    ),
]
