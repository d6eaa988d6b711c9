"""The official SDK's Integration API drives customer sessions and parses every answer
(pydantic v2, strict)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import talon_one
from talon_one.api.integration_api import IntegrationApi
from talon_one.exceptions import ApiException
from talon_one.models.cart_item import CartItem
from talon_one.models.integration_request import IntegrationRequest
from talon_one.models.new_customer_session_v2 import NewCustomerSessionV2
from talon_one.models.new_return import NewReturn
from talon_one.models.return_integration_request import ReturnIntegrationRequest
from talon_one.models.returned_cart_item import ReturnedCartItem

from perks.domain.applications import ApplicationSpec
from perks.domain.campaigns import CampaignSpec
from perks.domain.coupons import CouponProperties
from perks.domain.limits import LimitConfig
from perks.domain.rulesets import Rule, RulesetSpec
from perks.services.api_keys import IntegrationKeyRequest
from perks.services.coupons import NamedCoupon
from perks.services.principals import OPERATOR
from tests.sdk.conftest import LiveServer

TOTAL = [".", "Session", "Total"]


@contextmanager
def _sdk(live_server: LiveServer, application_id: int) -> Iterator[IntegrationApi]:
    """The SDK's Integration API with a new integration key of the application."""
    key = live_server.services.api_keys.create_integration_key(
        application_id,
        IntegrationKeyRequest(title="sdk", expires=datetime.now(UTC) + timedelta(days=1)),
        OPERATOR,
    ).secret
    configuration = talon_one.Configuration(host=live_server.base_url)
    configuration.api_key["api_key_v1"] = key
    configuration.api_key_prefix["api_key_v1"] = "ApiKey-v1"
    with talon_one.ApiClient(configuration) as client:
        yield IntegrationApi(client)


@pytest.fixture
def integration(live_server: LiveServer) -> Iterator[IntegrationApi]:
    services = live_server.services
    application = services.applications.create(
        OPERATOR, ApplicationSpec(name="sdk shop", timezone="Europe/Berlin", currency="EUR")
    )
    campaign = services.campaigns.create(OPERATOR, application.id, CampaignSpec(name="10%"))
    rule = Rule(
        "10% with a coupon over 50",
        ["and", ["couponValid"], [">", TOTAL, 50]],
        [["setDiscount", "10%", ["*", TOTAL, Decimal("0.1")]]],
    )
    services.rulesets.create(
        OPERATOR, application.id, campaign.id, RulesetSpec(rules=(rule,), activate=True)
    )
    services.coupons.create_named(
        OPERATOR,
        application.id,
        campaign.id,
        [NamedCoupon("XMAS", CouponProperties(usage_limit=1))],
    )
    with _sdk(live_server, application.id) as integration:
        yield integration


def _request(state: str = "open") -> IntegrationRequest:
    session = NewCustomerSessionV2(
        profileId="alice",
        state=state,
        couponCodes=["XMAS"],
        cartItems=[
            CartItem(name="Shoe", sku="SHOE", quantity=1, price=80.0),
            CartItem(sku="MUG", quantity=2, price=10.0),
        ],
    )
    return IntegrationRequest(
        customerSession=session,
        responseContent=["customerSession", "customerProfile", "ruleFailureReasons"],
    )


def test_the_sdk_updates_closes_and_reopens_a_session(integration: IntegrationApi) -> None:
    opened = integration.update_customer_session_v2("sdk-1", _request())
    assert [e.effect_type for e in opened.effects] == ["acceptCoupon", "setDiscount"]
    assert opened.effects[1].props == {"name": "10%", "value": 10.0}
    session = opened.customer_session
    assert session is not None
    assert (session.integration_id, session.state, session.total) == ("sdk-1", "open", 100.0)
    assert [item.position for item in session.cart_items or []] == [0, 1]
    assert session.first_session is True
    assert opened.customer_profile is not None
    assert opened.customer_profile.integration_id == "alice"
    assert opened.created_coupons == []

    dry = integration.update_customer_session_v2("sdk-1", _request("closed"), dry=True)
    assert [e.effect_type for e in dry.effects] == ["acceptCoupon", "setDiscount"]

    closed = integration.update_customer_session_v2("sdk-1", _request("closed"))
    assert closed.customer_profile is not None
    assert (closed.customer_profile.closed_sessions, closed.customer_profile.total_sales) == (
        1,
        100.0,
    )
    used = integration.update_customer_session_v2("sdk-2", _request())
    rejection = used.effects[0]
    assert rejection.props is not None
    assert (rejection.effect_type, rejection.props["rejectionReason"]) == (
        "rejectCoupon",
        "CampaignLimitReached",
    )
    assert used.rule_failure_reasons is not None

    read = integration.get_customer_session("sdk-1")
    assert read.customer_session is not None
    assert (read.customer_session.state, read.customer_session.update_count) == ("closed", 2)
    assert [e.effect_type for e in read.effects or []] == ["acceptCoupon", "setDiscount"]

    reopened = integration.reopen_customer_session("sdk-1")
    assert [e.effect_type for e in reopened.effects] == ["rollbackCoupon", "rollbackDiscount"]
    after = integration.get_customer_session("sdk-1")
    assert after.customer_session is not None
    assert (after.customer_session.state, after.effects) == ("open", [])


def test_the_sdk_sees_talons_errors(integration: IntegrationApi) -> None:
    with pytest.raises(ApiException) as bad:
        integration.update_customer_session_v2(
            "sdk-3", _request(), now=datetime.now(UTC) + timedelta(days=1)
        )
    assert bad.value.status == 400
    assert "now" in str(bad.value.body)
    with pytest.raises(ApiException) as missing:
        integration.reopen_customer_session("nobody")
    assert missing.value.status == 404
    with pytest.raises(ApiException) as unknown:
        integration.get_customer_session("nobody")
    assert unknown.value.status == 404


@pytest.fixture
def per_item(live_server: LiveServer) -> Iterator[tuple[IntegrationApi, int]]:
    """An application whose campaign takes 2 off each mug's price, on a setDiscount budget."""
    services = live_server.services
    application = services.applications.create(
        OPERATOR, ApplicationSpec(name="returns shop", timezone="UTC", currency="EUR")
    )
    campaign = services.campaigns.create(
        OPERATOR,
        application.id,
        CampaignSpec(
            name="mugs",
            reevaluate_on_return=True,
            limits=(LimitConfig("setDiscount", Decimal(1000), ()),),
        ),
    )
    mugs = ["filter", [".", "Session", "CartItems"], [["Item"], ["=", [".", "Item", "Sku"], "MUG"]]]
    each_mug = ["map", mugs, [["Item"], ["setDiscountPerItem", "mug", 2]]]
    rule = Rule("2 off each mug", True, [each_mug])
    services.rulesets.create(
        OPERATOR, application.id, campaign.id, RulesetSpec(rules=(rule,), activate=True)
    )
    with _sdk(live_server, application.id) as integration:
        yield integration, campaign.id


def _return(position: int, quantity: int) -> ReturnIntegrationRequest:
    returned = NewReturn(returnedCartItems=[ReturnedCartItem(position=position, quantity=quantity)])
    return ReturnIntegrationRequest.model_validate(
        {
            "return": returned,
            "responseContent": ["customerSession", "customerProfile", "event", "previousReturns"],
        }
    )


def test_the_sdk_returns_cart_items(per_item: tuple[IntegrationApi, int]) -> None:
    integration, campaign_id = per_item
    closed = integration.update_customer_session_v2("ret-1", _request("closed"))
    discounts = [e.props for e in closed.effects if e.effect_type == "setDiscountPerItem"]
    assert discounts
    first = integration.return_cart_items("ret-1", _return(1, 1))
    assert [e.effect_type for e in first.effects] == ["rollbackDiscount"]
    assert first.var_return is not None
    assert [(i.position, i.quantity) for i in first.var_return.returned_cart_items] == [(1, 1)]
    assert first.previous_returns == []
    assert first.event is not None
    assert first.event.type == "talon_session_partially_returned"
    session = first.customer_session
    assert session is not None
    assert session.state == "partially_returned"
    assert session.cart_items is not None
    assert (session.cart_items[1].returned_quantity, session.cart_items[1].remaining_quantity) == (
        1,
        1,
    )
    assert first.customer_profile is not None
    assert first.customer_profile.total_sales == 90.0

    second = integration.return_cart_items(
        "ret-1", _return(1, 1), _headers={"Idempotency-Key": "k-1"}
    )
    again = integration.return_cart_items(
        "ret-1", _return(1, 1), _headers={"Idempotency-Key": "k-1"}
    )
    assert again == second
    assert second.previous_returns is not None
    assert len(second.previous_returns) == 1
    with pytest.raises(ApiException) as other:
        integration.return_cart_items("ret-1", _return(0, 1), _headers={"Idempotency-Key": "k-1"})
    assert other.value.status == 422
    with pytest.raises(ApiException) as too_many:
        integration.return_cart_items("ret-1", _return(1, 1))
    assert too_many.value.status == 400
    assert "/return/returnedCartItems/0/quantity" in str(too_many.value.body)
    assert campaign_id > 0


EVERYTHING = [
    "customerSession",
    "customerProfile",
    "coupons",
    "triggeredCampaigns",
    "event",
    "ruleFailureReasons",
    "previousReturns",
]


def test_every_response_content_parses_under_the_sdk(integration: IntegrationApi) -> None:
    request = _request()
    request.response_content = EVERYTHING
    answer = integration.update_customer_session_v2("sdk-all", request)
    assert answer.coupons is not None
    coupon = answer.coupons[0]
    assert (coupon.value, coupon.usage_counter, coupon.profile_redemption_count) == ("XMAS", 0, 0)
    assert answer.triggered_campaigns is not None
    assert [c.name for c in answer.triggered_campaigns] == ["10%"]
    assert answer.event is not None
    assert (answer.event.type, answer.event.session_id) == ("talon_session_created", "sdk-all")
    assert [e["effectType"] for e in answer.event.effects] == ["acceptCoupon", "setDiscount"]
    assert answer.previous_returns == []

    closing = _request("closed")
    closing.response_content = EVERYTHING
    closed = integration.update_customer_session_v2("sdk-all", closing)
    assert closed.coupons is not None
    assert closed.coupons[0].usage_counter == 1
    assert closed.event is not None
    assert closed.event.type == "talon_session_closed"

    refused = _request()
    refused.response_content = EVERYTHING
    other = integration.update_customer_session_v2("sdk-other", refused)
    assert other.event is not None
    assert other.event.meta is not None
    rejection = other.event.meta.coupon_rejection_reason
    assert rejection is not None
    assert (rejection.reason, rejection.campaign_id > 0) == ("CampaignLimitReached", True)
