"""Running compiled rulesets: bindings, conditions with their index, effects and their records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from perks.domain.rules import run_rules
from perks.domain.rulesets import Binding, CompiledRuleset, Rule, RulesetSpec, compile_ruleset
from perks.domain.vocabulary import RULE_SCHEMA, rules_registry

SUB = [".", "Subtotal"]
SESSION = {"Session": {"CartItemTotal": Decimal(120), "Total": Decimal(130)}}
VALID = {"Coupon": {"Value": "XMAS", "Valid": True}}


def _compiled(*rules: Rule, bindings: tuple[Binding, ...] = ()) -> CompiledRuleset:
    spec = RulesetSpec(rules=rules, bindings=bindings)
    return compile_ruleset(spec, rules_registry(), RULE_SCHEMA)


def _discount(name: str, value: Any) -> list[Any]:
    return ["setDiscount", name, value]


def test_a_triggered_rule_keeps_its_conditions_records_before_its_effects() -> None:
    ruleset = _compiled(
        Rule(
            "10% with a coupon over 100",
            ["and", ["couponValid"], [">", SUB, 100]],
            [_discount("10%", ["*", SUB, Decimal("0.1")]), ["addFreeItem", "TOTE", "Tote"]],
        ),
        bindings=(Binding("Subtotal", [".", "Session", "CartItemTotal"]),),
    )
    (run,) = run_rules(ruleset, {**SESSION, **VALID})
    assert run.triggered
    assert run.title == "10% with a coupon over 100"
    assert [record["effectType"] for record in run.records] == [
        "acceptCoupon",
        "setDiscount",
        "addFreeItem",
    ]
    assert run.records[1]["props"] == {"name": "10%", "value": Decimal("12.0")}


def test_the_first_condition_that_is_not_true_is_named_and_nothing_is_kept() -> None:
    ruleset = _compiled(
        Rule(
            "over 200",
            ["and", ["couponValid"], [">", SUB, 200], [">", SUB, 300]],
            [_discount("d", 5)],
        ),
        Rule("not a coupon", ["and", ["couponValid"]], [_discount("d", 5)]),
        bindings=(Binding("Subtotal", [".", "Session", "CartItemTotal"]),),
    )
    over, coupon = run_rules(ruleset, {**SESSION, "Coupon": {"Value": "X", "Valid": False}})
    assert (over.triggered, over.failed_condition, over.records) == (False, 0, ())
    assert coupon.failed_condition == 0
    over, _ = run_rules(ruleset, {**SESSION, **VALID})
    assert (over.triggered, over.failed_condition, over.records) == (False, 1, ())


def test_a_condition_that_fails_to_evaluate_stops_the_rule_at_its_index() -> None:
    ruleset = _compiled(
        Rule(
            "profile tier",
            ["and", True, ["=", [".", "Profile", "Attributes", "Tier"], "gold"]],
            [_discount("d", 1)],
        )
    )
    (run,) = run_rules(ruleset, {**SESSION, "Profile": {"Attributes": {}}})
    assert (run.triggered, run.failed_condition) == (False, 1)
    assert run.error is not None and "Tier" in run.error


def test_a_condition_without_and_is_one_condition() -> None:
    ruleset = _compiled(Rule("plain", [">", [".", "Session", "Total"], 200], [_discount("d", 1)]))
    (run,) = run_rules(ruleset, SESSION)
    assert (run.triggered, run.failed_condition) == (False, 0)


def test_an_effect_that_fails_drops_the_rules_records_and_is_named() -> None:
    ruleset = _compiled(
        Rule(
            "per item without an item",
            ["and", ["couponValid"]],
            [_discount("ok", 1), ["setDiscountPerItem", "bad", 1]],
        ),
        Rule("next", ["and", True], [_discount("next", 2)]),
    )
    failed, following = run_rules(ruleset, {**SESSION, **VALID})
    assert (failed.triggered, failed.failed_effect, failed.records) == (False, 1, ())
    assert failed.error is not None
    assert following.triggered
    assert [r["props"] for r in following.records] == [{"name": "next", "value": 2}]


def test_rule_bindings_and_ruleset_bindings_are_visible_in_order() -> None:
    ruleset = _compiled(
        Rule(
            "doubled",
            ["and", [">", [".", "Double"], 200]],
            [_discount("double", [".", "Double"])],
            bindings=(Binding("Double", ["*", SUB, 2]),),
        ),
        bindings=(Binding("Subtotal", [".", "Session", "CartItemTotal"]),),
    )
    (run,) = run_rules(ruleset, SESSION)
    assert run.triggered
    assert run.records[0]["props"] == {"name": "double", "value": Decimal(240)}


def test_a_ruleset_binding_that_fails_stops_every_rule() -> None:
    ruleset = _compiled(
        Rule("a", ["and", True], [_discount("a", 1)]),
        Rule("b", ["and", True], [_discount("b", 1)]),
        bindings=(Binding("Tier", [".", "Profile", "Attributes", "Tier"]),),
    )
    runs = run_rules(ruleset, {**SESSION, "Profile": {"Attributes": {}}})
    assert [run.triggered for run in runs] == [False, False]
    assert all(run.error and run.error.startswith("ruleset binding") for run in runs)


def test_each_rule_gets_its_own_records() -> None:
    ruleset = _compiled(
        Rule("one", ["and", True], [_discount("one", 1)]),
        Rule("two", ["and", True], [_discount("two", 2)]),
    )
    bindings = dict(SESSION)
    one, two = run_rules(ruleset, bindings)
    assert [r["props"]["name"] for r in one.records] == ["one"]  # type: ignore[index]
    assert [r["props"]["name"] for r in two.records] == ["two"]  # type: ignore[index]
    assert "Effects" not in bindings
