"""The Talang benchmark's rules, each written four ways, and the carts they run over.

Every rule is written once in Talang, once as the hand-written Python a developer would write for
it, once as a zen-engine (GoRules) expression and once as JSON Logic. Each engine gets the cart in
its natural input: Talang and the hand-written Python read Decimals and aware datetimes (what
perks' services hand to the engine), zen-engine and JSON Logic read JSON values (numbers and
RFC 3339 strings). JSON Logic has no dates and no access to outer data inside `filter`: its date
window compares RFC 3339 strings against constants the caller writes into the rule, which flatters
it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
WINDOW_DAYS = 30
CART_SIZES = (3, 100, 1000)
CATEGORIES = ("shoes", "kitchen", "toys")
COLORS = ("red", "blue")
GIFT_SKU = "GIFT-CARD-1"

Bindings = Mapping[str, Any]


@dataclass(frozen=True)
class Rule:
    """One rule in the four forms the benchmark compares."""

    name: str
    talang: object
    hand_written: Callable[[Bindings], object]
    zen: str
    json_logic: object


def _items(bindings: Bindings) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = bindings["Session"]["CartItems"]
    return items


def _filter_by_attributes(bindings: Bindings) -> object:
    return sum(
        1
        for item in _items(bindings)
        if item["Price"] > 10
        and item["Category"] == "shoes"
        and item["Attributes"]["Color"] == "red"
    )


def _sum_over_items(bindings: Bindings) -> object:
    return sum((item["Price"] * item["Quantity"] for item in _items(bindings)), Decimal(0))


def _date_window(bindings: Bindings) -> object:
    now: datetime = bindings["Now"]
    start = now - timedelta(days=WINDOW_DAYS)
    return sum(1 for item in _items(bindings) if start < item["Attributes"]["LaunchDate"] < now)


def _nested_condition(bindings: Bindings) -> object:
    session = bindings["Session"]
    return (
        session["Total"] > 100
        and (
            bindings["Profile"]["Attributes"]["Tier"] == "gold"
            or any(item["Sku"].startswith("GIFT-") for item in session["CartItems"])
        )
        and "b2b" not in session["Attributes"]["Channel"]
    )


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


ITEMS = [".", "Session", "CartItems"]
RULES = (
    Rule(
        name="cart-item filter",
        talang=[
            "count",
            [
                "filter",
                ITEMS,
                [
                    ["Item"],
                    [
                        "and",
                        [">", [".", "Item", "Price"], 10],
                        ["=", [".", "Item", "Category"], "shoes"],
                        ["=", [".", "Item", "Attributes", "Color"], "red"],
                    ],
                ],
            ],
        ],
        hand_written=_filter_by_attributes,
        zen=(
            "len(filter(Session.CartItems, #.Price > 10 and #.Category == 'shoes'"
            " and #.Attributes.Color == 'red'))"
        ),
        json_logic={
            "reduce": [
                {
                    "filter": [
                        {"var": "Session.CartItems"},
                        {
                            "and": [
                                {">": [{"var": "Price"}, 10]},
                                {"==": [{"var": "Category"}, "shoes"]},
                                {"==": [{"var": "Attributes.Color"}, "red"]},
                            ]
                        },
                    ]
                },
                {"+": [{"var": "accumulator"}, 1]},
                0,
            ]
        },
    ),
    Rule(
        name="sum over items",
        talang=["sum", ITEMS, "Item", ["*", [".", "Item", "Price"], [".", "Item", "Quantity"]]],
        hand_written=_sum_over_items,
        zen="sum(map(Session.CartItems, #.Price * #.Quantity))",
        json_logic={
            "reduce": [
                {"var": "Session.CartItems"},
                {
                    "+": [
                        {"var": "accumulator"},
                        {"*": [{"var": "current.Price"}, {"var": "current.Quantity"}]},
                    ]
                },
                0,
            ]
        },
    ),
    Rule(
        name="date window",
        talang=[
            "count",
            [
                "filter",
                ITEMS,
                [
                    ["Item"],
                    [
                        "betweenTimes",
                        [".", "Item", "Attributes", "LaunchDate"],
                        ["subDuration", [".", "Now"], WINDOW_DAYS, "days"],
                        [".", "Now"],
                    ],
                ],
            ],
        ],
        hand_written=_date_window,
        zen=(
            "len(filter(Session.CartItems, d(#.Attributes.LaunchDate) >"
            f" d(Now).sub({WINDOW_DAYS}, 'd') and d(#.Attributes.LaunchDate) < d(Now)))"
        ),
        json_logic={
            "reduce": [
                {
                    "filter": [
                        {"var": "Session.CartItems"},
                        {
                            "<": [
                                _rfc3339(NOW - timedelta(days=WINDOW_DAYS)),
                                {"var": "Attributes.LaunchDate"},
                                _rfc3339(NOW),
                            ]
                        },
                    ]
                },
                {"+": [{"var": "accumulator"}, 1]},
                0,
            ]
        },
    ),
    Rule(
        name="nested condition",
        talang=[
            "and",
            [">", [".", "Session", "Total"], 100],
            [
                "or",
                ["=", [".", "Profile", "Attributes", "Tier"], "gold"],
                ["exists", ITEMS, [["Item"], ["startsWith", [".", "Item", "Sku"], "GIFT-"]]],
            ],
            ["not", ["contains", [".", "Session", "Attributes", "Channel"], "b2b"]],
        ],
        hand_written=_nested_condition,
        zen=(
            "Session.Total > 100 and (Profile.Attributes.Tier == 'gold'"
            " or some(Session.CartItems, startsWith(#.Sku, 'GIFT-')))"
            " and not contains(Session.Attributes.Channel, 'b2b')"
        ),
        json_logic={
            "and": [
                {">": [{"var": "Session.Total"}, 100]},
                {
                    "or": [
                        {"==": [{"var": "Profile.Attributes.Tier"}, "gold"]},
                        {
                            "some": [
                                {"var": "Session.CartItems"},
                                {"==": [{"substr": [{"var": "Sku"}, 0, 5]}, "GIFT-"]},
                            ]
                        },
                    ]
                },
                {"!": {"in": ["b2b", {"var": "Session.Attributes.Channel"}]}},
            ]
        },
    ),
)


def talang_bindings(size: int) -> dict[str, Any]:
    """A cart of ``size`` items as perks' services hand it to Talang; the gift card comes last."""
    items = [_item(index, size) for index in range(size)]
    total = sum((item["Price"] * item["Quantity"] for item in items), Decimal(0))
    return {
        "Now": NOW,
        "Session": {"Total": total, "Attributes": {"Channel": "web"}, "CartItems": items},
        "Profile": {"Attributes": {"Tier": "silver"}},
    }


def _item(index: int, size: int) -> dict[str, Any]:
    return {
        "Sku": GIFT_SKU if index == size - 1 else f"SKU-{index}",
        "Price": Decimal((index * 7) % 50 + 1),
        "Quantity": Decimal(index % 3 + 1),
        "Category": CATEGORIES[index % len(CATEGORIES)],
        "Attributes": {
            "Color": COLORS[index % len(COLORS)],
            "LaunchDate": NOW - timedelta(days=index % 60, hours=index % 5),
        },
    }


def json_bindings(bindings: Bindings) -> dict[str, Any]:
    """The same cart as JSON values: numbers, and times as RFC 3339 strings."""
    document: dict[str, Any] = _as_json(bindings)
    return document


def _as_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return _rfc3339(value)
    return value
