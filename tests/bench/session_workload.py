"""What the session benchmark evaluates: 20 running campaigns, one of them coupon-driven, and
the carts sent to them (issue #5). Shared by ``test_customer_sessions.py`` (a live server) and
``scripts/session_update_profile.py`` (in process), so that both measure the same work.

The campaigns, all built through the Management API:

- campaign 0: ``couponValid`` → ``acceptCoupon`` and a 10 % ``setDiscount``, with one
  generated coupon (no usage limit; the sessions stay open, so nothing is redeemed);
- 7 campaigns: a 2 % ``setDiscount`` on the session over a threshold (``Session.Total > 50``);
- 6 campaigns: a 5 % ``setDiscountPerItem`` on every cart item of one category;
- 6 campaigns: 1 EUR off (``setDiscount``) from ``Session.CartItemTotal >= 100``.

Cart items cycle through 10 categories, so every campaign applies: a 10-item cart gets 21
effects, a 1000-item cart 615 (600 of them per item).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.bench.load import VARIANT

__all__ = [
    "CAMPAIGNS",
    "CATEGORIES",
    "ManagementCall",
    "Workload",
    "cart",
    "expected_effects",
    "session_body",
    "set_up",
]

CAMPAIGNS = 20
CATEGORIES = 10
NEW_APPLICATION = {"name": "bench shop", "timezone": "Europe/Berlin", "currency": "EUR"}
KEY_EXPIRES = "2099-01-01T00:00:00Z"
RESPONSE_CONTENT = ["customerSession", "customerProfile"]
_NEW_COUPON = {"numberOfCoupons": 1, "usageLimit": 0, "couponPattern": "BENCH-######"}

# (method, path, body) -> (status, decoded JSON answer)
ManagementCall = Callable[[str, str, object], tuple[int, Any]]

_TOTAL = [".", "Session", "Total"]
_CATEGORY = [".", "Item", "Category"]


@dataclass(frozen=True)
class Workload:
    application_id: int
    integration_key: str
    coupon: str


def _kind(index: int) -> str:
    if index == 0:
        return "coupon"
    return ("fixed", "percentage", "per item")[index % 3]


def _category(index: int) -> str:
    return f"cat-{index % CATEGORIES}"


def _rule(index: int) -> dict[str, Any]:
    kind = _kind(index)
    if kind == "coupon":
        condition: list[Any] = ["and", ["couponValid"]]
        effect: list[Any] = ["setDiscount", "coupon 10%", ["*", _TOTAL, 0.1]]
    elif kind == "percentage":
        condition = ["and", [">", _TOTAL, 50]]
        effect = ["setDiscount", f"2% off #{index}", ["*", _TOTAL, 0.02]]
    elif kind == "fixed":
        condition = ["and", [">=", [".", "Session", "CartItemTotal"], 100]]
        effect = ["setDiscount", f"1 EUR off #{index}", 1]
    else:
        in_category = [["Item"], ["=", _CATEGORY, _category(index)]]
        items = ["filter", [".", "Session", "CartItems"], in_category]
        condition = ["and", ["exists", [".", "Session", "CartItems"], in_category]]
        price = [".", "Item", "Price"]
        per_item = [["Item"], ["setDiscountPerItem", f"5% #{index}", ["*", price, 0.05]]]
        effect = ["map", items, per_item]
    return {"title": f"{kind} #{index}", "condition": condition, "effects": [effect]}


def _created(answer: tuple[int, Any], status: int = 201) -> Any:
    code, body = answer
    assert code == status, (code, body)
    return body


def set_up(call: ManagementCall) -> Workload:
    """The application, its 20 campaigns with their active rulesets, one coupon, an
    integration key; through the Management API that ``call`` reaches."""
    application = _created(call("POST", "/v1/applications", NEW_APPLICATION))["id"]
    base = f"/v1/applications/{application}"
    coupon = ""
    for index in range(CAMPAIGNS):
        features = ["coupons"] if index == 0 else []
        campaign = _created(
            call(
                "POST",
                f"{base}/campaigns",
                {"name": f"campaign {index}", "tags": [], "features": features, "limits": []},
            )
        )
        assert campaign["frontendState"] == "running", campaign
        path = f"{base}/campaigns/{campaign['id']}"
        ruleset = {"bindings": [], "activate": True, "rules": [_rule(index)]}
        _created(call("POST", f"{path}/rulesets", ruleset))
        if index == 0:
            coupons = _created(
                call("POST", f"{path}/coupons?silent=no", _NEW_COUPON),
                200,
            )
            coupon = coupons["data"][0]["value"]
    key = _created(call("POST", f"{base}/api_keys", {"title": "bench", "expires": KEY_EXPIRES}))[
        "key"
    ]
    return Workload(application_id=application, integration_key=key, coupon=coupon)


def cart(items: int) -> list[dict[str, Any]]:
    """``items`` cart items, categories in turn, prices 10.00 to 59.50."""
    return [
        {
            "name": f"Product {n}",
            "sku": f"SKU-{n:05d}",
            "quantity": 1 + n % 3,
            "price": 10 + (n * 7 % 100) / 2,
            "category": f"cat-{n % CATEGORIES}",
        }
        for n in range(items)
    ]


def session_body(items: int, coupon: str, *, profile: str = f"customer-{VARIANT}") -> bytes:
    """The PUT body: an open session of ``profile`` with the coupon and ``items`` items.
    ``{variant}`` in ``profile`` gives each session its own customer."""
    body = {
        "customerSession": {
            "profileId": profile,
            "state": "open",
            "couponCodes": [coupon],
            "cartItems": cart(items),
        },
        "responseContent": RESPONSE_CONTENT,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def expected_effects(items: int) -> dict[str, int]:
    """How many effects of each type one evaluation of ``items`` items gives."""
    kinds = [_kind(index) for index in range(CAMPAIGNS)]
    per_item_categories = [_category(i) for i, kind in enumerate(kinds) if kind == "per item"]
    matching = sum(1 for n in range(items) for c in per_item_categories if c == _category(n))
    return {
        "acceptCoupon": 1,
        "setDiscount": 1 + kinds.count("percentage") + kinds.count("fixed"),
        "setDiscountPerItem": matching,
    }
