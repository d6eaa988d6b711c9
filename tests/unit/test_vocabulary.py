"""The rule vocabulary: campaign conditions and effects, custom effects, the bindings schema."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from perks import talang
from perks.domain.errors import InvalidInput
from perks.domain.vocabulary import (
    CUSTOM_EFFECT_PREFIX,
    EFFECTS,
    RULE_SCHEMA,
    CustomEffectDefinition,
    CustomEffectParam,
    CustomEffectParamType,
    rule_schema,
    rules_registry,
)
from perks.talang import FunctionRegistry, TalangCheckError, TalangRuntimeError, default_registry
from tests.conformance.corpus import base_bindings

REGISTRY = rules_registry()
NEW = ("rule conditions", "rule effects")

AWARD_MINUTES = CustomEffectDefinition(
    id=7,
    name="Award_minutes",
    payload='{"minutes": ${$Minutes}, "profileId": "${$Profile.IntegrationId}", '
    '"note": "${$Minutes} free minutes", "until": ${$Until}, "skus": ${$Skus}}',
    params=(
        CustomEffectParam("Minutes", CustomEffectParamType.NUMBER, title="Minutes"),
        CustomEffectParam("Until", CustomEffectParamType.TIME),
        CustomEffectParam("Skus", CustomEffectParamType.LIST_STRING),
    ),
)
TAG_ITEM = CustomEffectDefinition(
    id=8,
    name="Tag item",
    payload='{"tag": "${$Tag}", "vip": ${$Vip}}',
    params=(
        CustomEffectParam("Tag", CustomEffectParamType.STRING),
        CustomEffectParam("Vip", CustomEffectParamType.BOOLEAN),
    ),
    is_per_item=True,
)


def bindings(**extra: object) -> dict[str, object]:
    """The engine's bindings for one evaluation, with a fresh ``Effects`` list."""
    values: dict[str, object] = {
        "Now": datetime(2026, 1, 1, 12, tzinfo=UTC),
        "Session": {
            "Total": Decimal(120),
            "CartItems": [
                {"Sku": "A", "Price": Decimal(5), "Quantity": 2, "Position": 0},
                {"Sku": "B", "Price": Decimal(25), "Quantity": 1, "Position": 1},
            ],
        },
        "Profile": {"IntegrationId": 'p-"1"', "Attributes": {}},
        "Application": {"AdditionalCosts": {"shipping": {"Id": 3}}},
        EFFECTS: [],
    }
    values.update(extra)
    return values


def run(
    expr: object, registry: FunctionRegistry = REGISTRY, **extra: object
) -> tuple[object, list[object]]:
    """Evaluate on both engines, each with its own Effects list: same value, same records."""
    compiled_bindings, interpreted_bindings = bindings(**extra), bindings(**extra)
    compiled = talang.compile(expr, registry=registry).evaluate(compiled_bindings)
    interpreted = talang.interpret(expr, interpreted_bindings, registry=registry)
    assert compiled == interpreted
    records = compiled_bindings[EFFECTS]
    assert records == interpreted_bindings[EFFECTS]
    assert isinstance(records, list)
    return compiled, records


def messages(expr: object, registry: FunctionRegistry = REGISTRY) -> list[str]:
    return [d.message for d in talang.check(expr, registry=registry, schema=RULE_SCHEMA)]


# -- the registry --------------------------------------------------------------------------


def test_a_copy_of_the_core_registry() -> None:
    core = {s.render() for s in default_registry().signatures()}
    assert not default_registry().overloads("setDiscount")
    assert not default_registry().template("Award_minutes")
    rules_registry([AWARD_MINUTES])
    assert {s.render() for s in default_registry().signatures()} == core
    assert core <= {s.render() for s in REGISTRY.signatures()}


def test_every_new_signature_is_documented_and_impure() -> None:
    new = [s for s in rules_registry([AWARD_MINUTES]).signatures() if s.family in NEW]
    assert {s.name for s in new} == {
        "couponValid",
        "couponValidWithoutRedemption",
        "referralValid",
        "setDiscount",
        "setDiscountPerItem",
        "setDiscountPerAdditionalCost",
        "setDiscountPerAdditionalCostPerItem",
        "addFreeItem",
        "showNotification",
        "updateAttribute",
        "updateCartItemAttribute",
        CUSTOM_EFFECT_PREFIX + "Award_minutes",
    }
    for signature in new:
        assert signature.doc
        assert not signature.pure
        assert signature.mutates


def test_examples_run_on_both_engines_with_the_corpus_bindings() -> None:
    examples = [e for s in REGISTRY.signatures() if s.family in NEW for e in s.examples]
    assert len(examples) == 3  # the conditions; effects need Effects (worked examples below)
    for expr, expected in examples:
        assert talang.compile(expr, registry=REGISTRY).evaluate(base_bindings()) == expected
        assert talang.interpret(expr, base_bindings(), registry=REGISTRY) == expected


def test_the_rule_examples_of_the_spec_check() -> None:
    condition = ["and", ["couponValid"], [">", [".", "Session", "Total"], 100]]
    effect = [
        "catch",
        ["noop"],
        ["setDiscount", "10% off", ["*", [".", "Session", "Total"], ["/", 10, 100]]],
    ]
    assert messages(condition) == []
    assert messages(effect) == []
    assert messages(["setDiscount", "x", 1]) == []
    assert talang.check(["setDiscount", "x", 1]) != []  # not in the core registry


# -- checking: arity and kinds -------------------------------------------------------------

GOOD = [
    ["couponValid"],
    ["couponValidWithoutRedemption"],
    ["referralValid"],
    ["setDiscount", "10% off", 12.5],
    ["setDiscount", "10% off", [".", "Session", "Total"], "cartItems"],
    ["setDiscountPerItem", "5 off", 5],
    ["setDiscountPerItem", "5 off", 5, "itemTotal"],
    ["setDiscountPerAdditionalCost", "free shipping", "shipping", 4.99],
    ["setDiscountPerAdditionalCostPerItem", "free wrap", "wrapping", 1],
    ["addFreeItem", "SKU-1", "Free mug"],
    ["showNotification", "info", "Hello", "You saved 10"],
    ["updateAttribute", "Profile.Attributes.Tier", "gold"],
    ["updateAttribute", "Profile.Attributes.Seen", "2026-01-01T00:00:00Z"],
    ["updateAttribute", "Session.Attributes.Tags", ["list", "a", "b"]],
    ["updateCartItemAttribute", "Attributes.Gift", True],
]


@pytest.mark.parametrize("expr", GOOD, ids=lambda e: str(e[0]))
def test_checks(expr: list[object]) -> None:
    assert messages(expr) == []


BAD = [
    (["couponValid", "X"], "couponValid takes 0 arguments, found 1"),
    (["referralValid", True], "referralValid takes 0 arguments, found 1"),
    (["setDiscount", "x"], "setDiscount takes 2 or 3 arguments, found 1"),
    (["setDiscount", "x", "ten"], "no overload of setDiscount takes (String, String)"),
    (["setDiscount", 10, 10], "no overload of setDiscount takes (Decimal, Decimal)"),
    (["setDiscount", "x", 1, 2], "no overload of setDiscount takes (String, Decimal, Decimal)"),
    (["setDiscountPerItem", "x", 1, "price", 2], "setDiscountPerItem takes 2 or 3 arguments"),
    (
        ["setDiscountPerAdditionalCost", "x", 1, "shipping"],
        "no overload of setDiscountPerAdditionalCost takes (String, Decimal, String)",
    ),
    (["setDiscountPerAdditionalCostPerItem", "x", "s"], "takes 3 arguments, found 2"),
    (["addFreeItem", "SKU-1"], "addFreeItem takes 2 arguments, found 1"),
    (["addFreeItem", "SKU-1", 3], "no overload of addFreeItem takes (String, Decimal)"),
    (["showNotification", "info", "t"], "showNotification takes 3 arguments, found 2"),
    (["updateAttribute", "Profile.Attributes.X", None], "takes (String, Null)"),
    (["updateAttribute", "P", ["kv", ["A", 1]]], "no overload of updateAttribute"),
    (["updateCartItemAttribute", 1, 2], "no overload of updateCartItemAttribute"),
]


@pytest.mark.parametrize(("expr", "message"), BAD, ids=lambda v: str(v[0]) if v else "")
def test_refuses(expr: list[object], message: str) -> None:
    diagnostics = talang.check(expr, registry=REGISTRY)
    assert len(diagnostics) == 1
    assert message in diagnostics[0].message
    assert diagnostics[0].function == expr[0]
    assert diagnostics[0].path == ""
    with pytest.raises(TalangCheckError):
        talang.compile(expr, registry=REGISTRY)


def test_diagnostics_point_into_the_rule() -> None:
    expr = ["and", ["couponValid"], ["catch", ["noop"], ["setDiscount", "x", "ten"]]]
    (diagnostic,) = talang.check(expr, registry=REGISTRY)
    assert diagnostic.path == "/2/2"
    assert (
        diagnostic.expected
        == "setDiscount(String, Decimal)Null | setDiscount(String, Decimal, String)Null"
    )
    assert diagnostic.found == "(String, String)"


# -- effects append records on both engines ------------------------------------------------


def test_set_discount() -> None:
    expr = ["setDiscount", "10% off", ["*", [".", "Session", "Total"], ["/", 10, 100]]]
    value, records = run(expr)
    assert value is None
    assert records == [{"effectType": "setDiscount", "props": {"name": "10% off", "value": 12}}]
    _, records = run(["setDiscount", "x", 1, "sessionTotal"])
    assert records == [
        {"effectType": "setDiscount", "props": {"name": "x", "value": 1, "scope": "sessionTotal"}}
    ]


def test_effects_append_in_order_to_the_callers_list() -> None:
    effects: list[object] = []
    program = talang.compile(
        ["list", ["setDiscount", "a", 1], ["addFreeItem", "SKU-1", "mug"]], registry=REGISTRY
    )
    program.evaluate({EFFECTS: effects})
    program.evaluate({EFFECTS: effects})
    assert [e["effectType"] for e in effects] == ["setDiscount", "addFreeItem"] * 2  # type: ignore[index]


def test_set_discount_per_item_reads_the_bound_item() -> None:
    item = {"Sku": "B", "Price": Decimal(25), "Position": 1, "SubPosition": 0}
    _, records = run(
        ["setDiscountPerItem", "10% off", ["*", [".", "Item", "Price"], 0.1]], Item=item
    )
    assert records == [
        {
            "effectType": "setDiscountPerItem",
            "props": {
                "name": "10% off#1",
                "value": Decimal("2.5"),
                "position": 1,
                "subPosition": 0,
            },
        }
    ]
    _, records = run(["setDiscountPerItem", "x", 1, "additionalCosts"], Item={"Position": 0})
    assert records[0] == {
        "effectType": "setDiscountPerItem",
        "props": {"name": "x#0", "value": 1, "position": 0, "scope": "additionalCosts"},
    }


def test_set_discount_per_item_over_the_cart() -> None:
    expr = [
        "map",
        [".", "Session", "CartItems"],
        [["Item"], ["setDiscountPerItem", "half", ["/", [".", "Item", "Price"], 2]]],
    ]
    value, records = run(expr)
    assert value == [None, None]
    assert [r["props"] for r in records] == [  # type: ignore[index]
        {"name": "half#0", "value": Decimal("2.5"), "position": 0},
        {"name": "half#1", "value": Decimal("12.5"), "position": 1},
    ]


def test_set_discount_per_additional_cost() -> None:
    _, records = run(["setDiscountPerAdditionalCost", "free shipping", "shipping", 4.99])
    assert records == [
        {
            "effectType": "setDiscountPerAdditionalCost",
            "props": {
                "name": "free shipping",
                "additionalCostId": 3,
                "additionalCost": "shipping",
                "value": Decimal("4.99"),
            },
        }
    ]
    expr = ["setDiscountPerAdditionalCostPerItem", "free shipping", "shipping", 1]
    _, records = run(expr, Item={"Position": 2})
    assert records == [
        {
            "effectType": "setDiscountPerAdditionalCostPerItem",
            "props": {
                "name": "free shipping",
                "additionalCostId": 3,
                "additionalCost": "shipping",
                "value": 1,
                "position": 2,
            },
        }
    ]


def test_add_free_item_and_show_notification() -> None:
    _, records = run(
        ["list", ["addFreeItem", "SKU-1", "Free mug"], ["showNotification", "info", "Hi", "Yo"]]
    )
    assert records == [
        {"effectType": "addFreeItem", "props": {"sku": "SKU-1", "name": "Free mug"}},
        {
            "effectType": "showNotification",
            "props": {"notificationType": "info", "title": "Hi", "body": "Yo"},
        },
    ]


def test_update_attributes() -> None:
    expr = ["updateAttribute", "Profile.Attributes.Seen", "2026-01-01T00:00:00Z"]
    _, records = run(expr)
    assert records == [
        {
            "effectType": "updateAttribute",
            "props": {"path": "Profile.Attributes.Seen", "value": "2026-01-01T00:00:00Z"},
        }
    ]
    _, records = run(["updateAttribute", "Profile.Attributes.Seen", [".", "Now"]])
    assert records[0]["props"]["value"] == datetime(2026, 1, 1, 12, tzinfo=UTC)  # type: ignore[index]
    _, records = run(["updateCartItemAttribute", "Attributes.Gift", True], Item={"Position": 1})
    assert records == [
        {
            "effectType": "updateCartItemAttribute",
            "props": {"path": "Attributes.Gift", "value": True, "position": 1},
        }
    ]


def test_catch_noop_drops_an_effect_that_fails() -> None:
    expr = ["catch", ["noop"], ["setDiscount", "x", [".", "Profile", "Attributes", "Missing"]]]
    value, records = run(expr)
    assert value is None
    assert records == []


# -- run-time failures ---------------------------------------------------------------------

FAILING = [
    (["setDiscount", "x", 1], {EFFECTS: None}, "setDiscount needs `Effects` bound to the list"),
    (["setDiscount", "x", 1], {EFFECTS: {}}, "`Effects` must be bound to a list"),
    (["setDiscount", "x", 1, "items"], None, "setDiscount takes a scope among additionalCosts"),
    (["setDiscountPerItem", "x", 1], None, "needs an `Item` with a numeric `Position`"),
    (["setDiscountPerItem", "x", 1, "sessionTotal"], {"Item": {"Position": 0}}, "scope among"),
    (["setDiscountPerAdditionalCost", "x", "gift", 1], None, "unknown additional cost 'gift'"),
    (["updateAttribute", "Profile..X", 1], None, "an attribute path is keys joined by dots"),
    (["updateCartItemAttribute", "Attributes.X", 1], {"Item": {"Sku": "A"}}, "Position"),
    (
        ["couponValid"],
        {"Coupon": {"Value": "X", "Valid": "yes"}},
        "`Coupon.Valid` must be a Boolean",
    ),
    (["couponValid"], {"Coupon": {"Valid": True}}, "`Coupon.Value` must be a String"),
]


@pytest.mark.parametrize(("expr", "extra", "message"), FAILING, ids=lambda v: str(v)[:40])
def test_runtime_failures(expr: object, extra: dict[str, object] | None, message: str) -> None:
    values = bindings(**(extra or {}))
    program = talang.compile(expr, registry=REGISTRY)
    with pytest.raises(TalangRuntimeError) as compiled:
        program.evaluate(values)
    with pytest.raises(TalangRuntimeError) as interpreted:
        talang.interpret(expr, values, registry=REGISTRY)
    assert message in compiled.value.message
    assert compiled.value.message == interpreted.value.message
    assert compiled.value.path == ""


def test_missing_effects_is_a_clear_error() -> None:
    with pytest.raises(TalangRuntimeError) as error:
        talang.interpret(["addFreeItem", "SKU-1", "mug"], {}, registry=REGISTRY)
    assert (
        error.value.message
        == "addFreeItem needs `Effects` bound to the list that collects effect records"
    )
    assert error.value.function == "addFreeItem"


# -- conditions ----------------------------------------------------------------------------


def test_coupon_valid_redeems() -> None:
    coupon = {"Value": "XMAS-2026", "Id": 4928, "Valid": True}
    rule = ["and", ["couponValid"], [">", [".", "Session", "Total"], 100]]
    value, records = run(rule, Coupon=coupon)
    assert value is True
    assert records == [{"effectType": "acceptCoupon", "props": {"value": "XMAS-2026"}}]


def test_coupon_valid_without_redemption_records_nothing() -> None:
    coupon = {"Value": "XMAS-2026", "Valid": True}
    assert run(["couponValidWithoutRedemption"], Coupon=coupon) == (True, [])


@pytest.mark.parametrize("condition", ["couponValid", "couponValidWithoutRedemption"])
def test_coupon_not_valid(condition: str) -> None:
    assert run([condition]) == (False, [])  # no coupon bound
    assert run([condition], Coupon={"Value": "X", "Valid": False}) == (False, [])
    assert run([condition], Coupon=None) == (False, [])


def test_referral_valid() -> None:
    referral = {"Code": "FRIEND-1", "Valid": True}
    assert run(["referralValid"], Referral=referral) == (
        True,
        [{"effectType": "acceptReferral", "props": {"value": "FRIEND-1"}}],
    )
    assert run(["referralValid"], Referral={"Code": "F", "Valid": False}) == (False, [])
    assert run(["referralValid"]) == (False, [])


def test_the_condition_needs_effects_only_to_redeem() -> None:
    assert talang.interpret(["couponValid"], {}, registry=REGISTRY) is False
    with pytest.raises(TalangRuntimeError, match="acceptCoupon needs `Effects`"):
        talang.interpret(
            ["couponValid"], {"Coupon": {"Value": "X", "Valid": True}}, registry=REGISTRY
        )


# -- custom effects ------------------------------------------------------------------------

CUSTOM = rules_registry([AWARD_MINUTES, TAG_ITEM])


def test_custom_effects_are_templates() -> None:
    template = CUSTOM.template("award_minutes")
    assert template is not None
    assert template.arity == 3
    assert CUSTOM.overloads(CUSTOM_EFFECT_PREFIX + "Award_minutes")[0].render() == (
        "customEffect:Award_minutes(Decimal, Time, List)Null"
    )
    assert CUSTOM.template("Tag item") is not None


def test_custom_effects_check() -> None:
    good = ["!", "Award_minutes", 30, "2026-02-01T00:00:00Z", ["list", "A"]]
    assert messages(good, CUSTOM) == []
    assert messages(["!", "Tag item", "gift", True], CUSTOM) == []
    assert messages(["!", "Award_minutes", 30], CUSTOM) == [
        "template Award_minutes takes 3 arguments, got 1"
    ]
    (wrong,) = talang.check(
        ["and", ["!", "Award_minutes", "30", "soon", ["list"]]], registry=CUSTOM
    )
    assert wrong.path == "/1"
    assert wrong.message == "no overload of customEffect:Award_minutes takes (String, String, List)"
    assert messages(["!", "Unknown_effect"], CUSTOM) == ["unknown template 'Unknown_effect'"]
    assert messages(["!", "Award_minutes", 30, "2026-02-01T00:00:00Z", ["list"]], REGISTRY) == [
        "unknown template 'Award_minutes'"
    ]


def test_custom_effect_records() -> None:
    expr = ["!", "Award_minutes", 30, "2026-02-01T00:00:00+01:00", ["list", "A", "B"]]
    _, records = run(expr, CUSTOM)
    assert records == [
        {
            "effectType": "customEffect",
            "props": {
                "effectId": 7,
                "name": "Award_minutes",
                "payload": {
                    "minutes": 30,
                    "profileId": 'p-"1"',
                    "note": "30 free minutes",
                    "until": "2026-01-31T23:00:00Z",
                    "skus": ["A", "B"],
                },
            },
        }
    ]


def test_per_item_custom_effects_carry_the_position() -> None:
    expr = ["!", "Tag item", 'say "hi"', False]
    _, records = run(expr, CUSTOM, Item={"Position": 1, "SubPosition": 2})
    assert records == [
        {
            "effectType": "customEffect",
            "props": {
                "effectId": 8,
                "name": "Tag item",
                "cartItemPosition": 1,
                "cartItemSubPosition": 2,
                "payload": {"tag": 'say "hi"', "vip": False},
            },
        }
    ]
    with pytest.raises(TalangRuntimeError, match="Tag item needs an `Item`"):
        talang.interpret(expr, bindings(), registry=CUSTOM)


def test_a_payload_path_that_is_not_bound_fails() -> None:
    expr = ["!", "Award_minutes", 30, "2026-02-01T00:00:00Z", ["list"]]
    with pytest.raises(TalangRuntimeError, match=r"Profile\.IntegrationId"):
        talang.interpret(expr, {EFFECTS: []}, registry=CUSTOM)


def test_a_disabled_custom_effect_checks_and_emits_nothing() -> None:
    disabled = CustomEffectDefinition(id=9, name="Off", payload="{}", enabled=False)
    registry = rules_registry([disabled])
    assert run(["!", "Off"], registry) == (None, [])
    on = CustomEffectDefinition(id=9, name="On", payload="")
    assert run(["!", "On"], rules_registry([on])) == (
        None,
        [{"effectType": "customEffect", "props": {"effectId": 9, "name": "On", "payload": {}}}],
    )


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [
        ({"name": "9lives"}, "/name"),
        ({"name": "dotted.name"}, "/name"),
        ({"payload": "[1, 2]"}, "/payload"),
        ({"payload": '{"a": ${$A}'}, "/payload"),
        (
            {"params": (CustomEffectParam("A", CustomEffectParamType.NUMBER),) * 2},
            "/params/1/key",
        ),
        ({"params": (CustomEffectParam("A", "money"),)}, "/params/0/type"),  # type: ignore[arg-type]
    ],
)
def test_invalid_custom_effects(fields: Mapping[str, object], pointer: str) -> None:
    values: dict[str, object] = {"id": 1, "name": "Fine", "payload": "{}", **fields}
    with pytest.raises(InvalidInput) as error:
        CustomEffectDefinition(**values)  # type: ignore[arg-type]
    assert [p.location for p in error.value.problems] == [pointer]


def test_custom_effect_names_are_unique() -> None:
    twin = CustomEffectDefinition(id=10, name="award_MINUTES", payload="{}")
    with pytest.raises(InvalidInput) as error:
        rules_registry([AWARD_MINUTES, twin])
    assert error.value.problems[0].location == "/1/name"


# -- the schema ----------------------------------------------------------------------------


def test_the_schema_knows_the_bindings() -> None:
    for path in [
        ["Session", "Total"],
        ["Session", "CartItems"],
        ["Session", "DiscountedTotal"],
        ["Session", "Attributes", "Channel"],
        ["Item", "Price"],
        ["Profile", "Attributes", "Anything", "Deep"],
        ["Event", "Type"],
        ["Campaign", "Id"],
        ["Coupon", "Value"],
        ["Referral", "Code"],
        ["Now"],
    ]:
        assert messages([".", *path]) == [], path


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (["Session", "Totl"], "Session has no 'Totl'"),
        (["Item", "price"], "Item has no 'price'"),
        (["Sesion", "Total"], "the bindings has no 'Sesion'"),
    ],
)
def test_the_schema_refuses_unknown_paths(path: list[str], message: str) -> None:
    assert messages([".", *path]) == [message]


def test_lambda_items_are_not_checked_against_the_schema() -> None:
    expr = ["sum", [".", "Session", "CartItems"], [["Item"], [".", "Item", "Whatever"]]]
    assert messages(expr) == []


def test_ruleset_bindings_extend_the_schema() -> None:
    expr = ["count", [".", "Accessories"]]
    assert messages(expr) == ["the bindings has no 'Accessories'"]
    schema = rule_schema(["Accessories"])
    assert talang.check(expr, registry=REGISTRY, schema=schema) == []
    assert "Accessories" not in RULE_SCHEMA
    with pytest.raises(TypeError):
        RULE_SCHEMA["X"] = None  # type: ignore[index]


def test_payload_templates_follow_json_strings() -> None:
    quoted = CustomEffectDefinition(
        id=11,
        name="Quoted",
        payload='{"a \\"${$Tag}\\" b": "${$Tag}", "attributes": ${$Profile.Attributes}}',
        params=(CustomEffectParam("Tag", CustomEffectParamType.STRING),),
    )
    profile = {"IntegrationId": "p1", "Attributes": {"Tier": "gold", "Points": 3}}
    _, records = run(["!", "Quoted", "x"], rules_registry([quoted]), Profile=profile)
    assert records[0]["props"]["payload"] == {  # type: ignore[index]
        'a "x" b': "x",
        "attributes": {"Tier": "gold", "Points": 3},
    }


def test_sub_positions_pass_through() -> None:
    item = {"Position": 1, "SubPosition": 0}
    _, records = run(
        [
            "list",
            ["setDiscountPerAdditionalCostPerItem", "x", "shipping", 1],
            ["updateCartItemAttribute", "Attributes.Gift", True],
        ],
        Item=item,
    )
    assert [r["props"]["subPosition"] for r in records] == [0, 0]  # type: ignore[index]
    _, records = run(["!", "Tag item", "t", True], CUSTOM, Item={"Position": 0})
    assert records[0]["props"]["cartItemPosition"] == 0  # type: ignore[index]
    assert "cartItemSubPosition" not in records[0]["props"]  # type: ignore[index]
