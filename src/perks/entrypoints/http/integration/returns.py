"""``returnCartItems``: ``POST /v2/customer_sessions/{customerSessionId}/returns`` with
``ReturnIntegrationRequest``, answering ``IntegrationStateV2`` (with its ``return``). An
``Idempotency-Key`` header makes it idempotent for 24 hours."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from perks.domain.idempotency import HEADER, IdempotencyKey, StoredAnswer, fingerprint
from perks.domain.returns import ReturnRequestItem
from perks.entrypoints.http.integration.customer_sessions import (
    IntegrationStateV2,
    ReturnedCartItem,
    state,
)
from perks.entrypoints.http.routes import Auth, Call, Operation, Reply
from perks.entrypoints.http.wire import WireStruct, encode
from perks.services.cart_returns import ReturnRequest
from perks.services.customer_sessions import SessionOutcome

__all__ = ["OPERATIONS"]

ReturnContent = Literal[
    "customerSession",
    "customerProfile",
    "coupons",
    "triggeredCampaigns",
    "referral",
    "loyalty",
    "event",
    "previousReturns",
]


class NewReturn(WireStruct):
    returned_cart_items: list[ReturnedCartItem]


class ReturnIntegrationRequest(WireStruct):
    return_: NewReturn = msgspec.field(name="return")
    response_content: list[ReturnContent] = []


class ReturnQuery(msgspec.Struct, rename="camel", kw_only=True):
    dry: bool = False
    run_rule_engine: bool = False


def return_cart_items(call: Call[ReturnIntegrationRequest, ReturnQuery]) -> Reply:
    body, query = call.body, call.query
    content = body.response_content

    def render(outcome: SessionOutcome) -> tuple[int, str]:
        return 200, encode(state(outcome, content)).decode()

    key = call.headers.get(HEADER.lower())
    session_id = call.text["customerSessionId"]
    result = call.services.cart_returns.return_items(
        call.integration.application_id,
        ReturnRequest(
            integration_id=session_id,
            items=tuple(
                ReturnRequestItem(item.position, item.quantity, item.sku)
                for item in body.return_.returned_cart_items
            ),
            dry=query.dry,
            run_rule_engine=query.run_rule_engine,
            idempotency=None
            if key is None
            # The same key for another session is another request: a 422.
            else IdempotencyKey(key, fingerprint(session_id.encode(), encode(query), encode(body))),
            render=render,
        ),
    )
    if isinstance(result, StoredAnswer):
        return Reply(result.status, text=result.response, media_type="application/json")
    return Reply(200, state(result, content))


OPERATIONS: list[Operation[Any, Any]] = [
    Operation(
        method="POST",
        path="/v2/customer_sessions/{customerSessionId}/returns",
        operation_id="returnCartItems",
        summary="Return cart items",
        handler=return_cart_items,
        auth=Auth.INTEGRATION,
        tag="integration",
        body=ReturnIntegrationRequest,
        query=ReturnQuery,
        responses={200: IntegrationStateV2, 400: None, 401: None, 404: None, 409: None, 422: None},
        text_path=frozenset({"customerSessionId"}),
    ),
]
