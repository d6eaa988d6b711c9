"""Groups of the ``cartItem`` evaluation scope: the group's mode is decided per cart item, so
several campaigns can discount a cart, each item by one campaign only (semantics §4.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from perks.domain.budgets import CounterKey
from perks.domain.evaluation import Evaluation
from perks.domain.evaluation_groups import (
    EvaluationGroup,
    EvaluationMode,
    EvaluationScope,
    GroupNode,
)
from perks.domain.limits import LimitConfig
from perks.domain.rulesets import Rule
from tests.unit.test_evaluation import _campaign, _evaluate, _group

D = Decimal


def _per_item(name: str, sku_discounts: dict[str, Any]) -> Rule:
    """A per-item discount on the items whose SKU is listed, of the listed value each."""
    effects: list[Any] = [
        [
            "map",
            ["filter", [".", "Session", "CartItems"], [["Item"], ["=", [".", "Item", "Sku"], sku]]],
            [["Item"], ["setDiscountPerItem", name, value]],
        ]
        for sku, value in sku_discounts.items()
    ]
    return Rule(name, ["and", True], effects)


def _item_group(mode: EvaluationMode, *elements: int) -> GroupNode:
    group = EvaluationGroup(
        name="items",
        parent_id=None,
        evaluation_mode=mode,
        evaluation_scope=EvaluationScope.CART_ITEM,
        id=7,
    )
    return GroupNode(group, elements)


def _discounted(result: Evaluation) -> dict[Any, tuple[int, Decimal]]:
    """Each discounted position: the campaign and the value."""
    return {
        int(e.props["position"]): (e.campaign_id, D(str(e.props["value"])))  # type: ignore[call-overload]
        for e in result.effects
        if e.effect_type == "setDiscountPerItem"
    }


SHOE_FIRST = _per_item("shoes", {"SHOE": 5})  # campaign 1 discounts only the shoe
BOTH = _per_item("both", {"SHOE": 8, "MUG": 1})  # campaign 2 discounts both items


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # The first campaign that discounts an item keeps it: the shoe goes to 1, the mug to 2.
        (EvaluationMode.LIST_ORDER, {0: (1, D(5)), 1: (2, D(1))}),
        # The highest discount per item: 2 gives more on the shoe, and is alone on the mug.
        (EvaluationMode.HIGHEST_DISCOUNT, {0: (2, D(8)), 1: (2, D(1))}),
        # The lowest discount per item: 1 gives less on the shoe.
        (EvaluationMode.LOWEST_DISCOUNT, {0: (1, D(5)), 1: (2, D(1))}),
    ],
)
def test_each_item_is_discounted_by_one_campaign_of_the_group(
    mode: EvaluationMode, expected: dict[int, tuple[int, Decimal]]
) -> None:
    result = _evaluate(_campaign(1, SHOE_FIRST), _campaign(2, BOTH), tree=_item_group(mode, 1, 2))
    assert _discounted(result) == expected
    assert {e.evaluation_group_id for e in result.effects} == {7}


def test_the_session_scope_keeps_one_campaign_for_the_whole_cart() -> None:
    tree = _group(7, EvaluationMode.LIST_ORDER, 1, 2)
    result = _evaluate(_campaign(1, SHOE_FIRST), _campaign(2, BOTH), tree=tree)
    assert _discounted(result) == {0: (1, D(5))}  # campaign 2 never runs


def test_a_stackable_item_group_stacks() -> None:
    tree = _item_group(EvaluationMode.STACKABLE, 1, 2)
    result = _evaluate(_campaign(1, SHOE_FIRST), _campaign(2, BOTH), tree=tree)
    shoe = [e for e in result.effects if e.props.get("position") == 0]
    assert [e.campaign_id for e in shoe] == [1, 2]


def test_effects_that_are_not_per_item_apply_from_every_member() -> None:
    session_discount = Rule("five", ["and", True], [["setDiscount", "five", 5]])
    tree = _item_group(EvaluationMode.LIST_ORDER, 1, 2)
    result = _evaluate(_campaign(1, SHOE_FIRST), _campaign(2, session_discount, BOTH), tree=tree)
    assert ("setDiscount", 2) in [(e.effect_type, e.campaign_id) for e in result.effects]
    assert _discounted(result) == {0: (1, D(5)), 1: (2, D(1))}


def test_a_campaign_that_wins_no_item_counts_no_budget() -> None:
    budget = (LimitConfig("setDiscount", D(100), (), None),)
    only_shoe = _per_item("shoe", {"SHOE": 3})
    tree = _item_group(EvaluationMode.HIGHEST_DISCOUNT, 1, 2)
    result = _evaluate(
        _campaign(1, only_shoe, limits=budget), _campaign(2, BOTH, limits=budget), tree=tree
    )
    assert _discounted(result) == {0: (2, D(8)), 1: (2, D(1))}
    assert CounterKey(1, "setDiscount", (), "") not in result.deltas
    assert result.deltas[CounterKey(2, "setDiscount", (), "")] == D(10)  # 8 + 1 on 2 mugs


def test_a_discount_refused_by_its_effect_limit_takes_nothing_from_the_cart() -> None:
    """The limit is checked before the discount takes its share: a later campaign still finds
    the whole cart (80 + 2 x 10)."""
    refused = _campaign(
        1,
        Rule("a", ["and", True], [["setDiscount", "a", 50]]),
        limits=(LimitConfig("setDiscountEffect", D(0), (), None),),
    )
    everything = _campaign(2, Rule("b", ["and", True], [["setDiscount", "b", 1000]]))
    result = _evaluate(refused, everything)
    assert [(e.campaign_id, e.props["value"]) for e in result.effects] == [(2, D("100.00"))]
