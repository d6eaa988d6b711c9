"""A benchmark's yardstick: ``updateCustomerSessionV2``'s route without the service call.

``PUT /bench/ceiling/customer_sessions/{customerSessionId}`` runs the very pipeline of the real
operation (route table, request context middleware, integration key, msgspec decoding of the
same ``IntegrationRequest`` and ``SessionQuery``, a worker thread, msgspec encoding of an
``IntegrationStateV2``) but answers from the decoded body alone: the cart echoed as the
session, no effects. Its throughput is the ceiling a session update cannot pass on the same
server and body; ``make bench`` reports updates as a ratio of it (issue #5).

Served only with ``PERKS_BENCH_CEILING=true``, and never documented: it is not a Talon.One
operation, so it is kept out of the route table, the OpenAPI document and the ledger.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

from perks.domain.applications import ACCOUNT_ID
from perks.domain.customer_sessions import SessionState
from perks.entrypoints.http.integration.customer_sessions import (
    CartItem,
    CustomerProfile,
    CustomerSessionV2,
    IntegrationRequest,
    IntegrationStateV2,
    NewCustomerSessionV2,
    SessionQuery,
)
from perks.entrypoints.http.routes import Auth, Call, Operation, Reply

__all__ = ["CEILING_PATH", "OPERATIONS"]

CEILING_PATH = "/bench/ceiling/customer_sessions/{customerSessionId}"
_ZERO = Decimal(0)


def _echoed_items(items: list[CartItem]) -> list[CartItem]:
    """The cart with the fields the real answer adds: position, quantities, attributes."""
    return [
        msgspec.structs.replace(
            item,
            attributes=item.attributes or {},
            returned_quantity=0,
            remaining_quantity=item.quantity,
            position=Decimal(index),
        )
        for index, item in enumerate(items)
    ]


def _echoed_session(call: Call[IntegrationRequest, SessionQuery]) -> CustomerSessionV2:
    body: NewCustomerSessionV2 = call.body.customer_session
    items = body.cart_items or []
    additional_costs = body.additional_costs or {}
    cart_item_total = sum((item.quantity * (item.price or _ZERO) for item in items), _ZERO)
    additional_cost_total = sum((cost.price for cost in additional_costs.values()), _ZERO)
    now = call.services.clock.now()
    return CustomerSessionV2(
        id=0,
        created=now,
        integration_id=call.text["customerSessionId"],
        application_id=call.integration.application_id,
        profile_id=body.profile_id or "",
        state=body.state or SessionState.OPEN,
        cart_items=_echoed_items(items),
        attributes=body.attributes or {},
        first_session=True,
        update_count=1,
        total=cart_item_total + additional_cost_total,
        cart_item_total=cart_item_total,
        additional_cost_total=additional_cost_total,
        updated=now,
        coupon_codes=body.coupon_codes or [],
        referral_code=body.referral_code or "",
        loyalty_cards=body.loyalty_cards or [],
        additional_costs=additional_costs,
        identifiers=body.identifiers or [],
        store_integration_id=body.store_integration_id,
    )


def _echoed_profile(call: Call[IntegrationRequest, SessionQuery]) -> CustomerProfile | None:
    profile_id = call.body.customer_session.profile_id
    if not profile_id:
        return None
    now = call.services.clock.now()
    return CustomerProfile(
        id=0,
        created=now,
        integration_id=profile_id,
        attributes={},
        account_id=ACCOUNT_ID,
        closed_sessions=0,
        total_sales=_ZERO,
        last_activity=now,
    )


def ceiling(call: Call[IntegrationRequest, SessionQuery]) -> Reply:
    """Decoded and authenticated as ``updateCustomerSessionV2``; answered with no service."""
    wanted = set(call.body.response_content)
    return Reply(
        200,
        IntegrationStateV2(
            effects=[],
            created_coupons=[],
            created_referrals=[],
            customer_session=_echoed_session(call) if "customerSession" in wanted else None,
            customer_profile=_echoed_profile(call) if "customerProfile" in wanted else None,
            rule_failure_reasons=[] if "ruleFailureReasons" in wanted else None,
        ),
    )


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="PUT",
        path=CEILING_PATH,
        operation_id="benchCeilingCustomerSession",
        summary="updateCustomerSessionV2 without its service call (benchmarks only)",
        handler=ceiling,
        auth=Auth.INTEGRATION,
        tag="bench",
        body=IntegrationRequest,
        query=SessionQuery,
        responses={200: IntegrationStateV2, 400: None, 401: None},
        text_path=frozenset({"customerSessionId"}),
    ),
]
