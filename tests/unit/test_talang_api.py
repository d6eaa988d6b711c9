"""perks.talang's public surface: compile, check, interpret, registries, templates, schemas,
and the promise that every failure is a TalangError with a path, in bounded time."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from perks import talang
from perks.talang import (
    FunctionRegistry,
    Kind,
    TalangCheckError,
    TalangError,
    TalangLimitError,
    TalangRuntimeError,
    TalangSyntaxError,
    Template,
    default_registry,
)
from perks.talang.runtime import MAX_LIST_LENGTH, MAX_STRING_LENGTH
from perks.talang.syntax import MAX_DEPTH

SESSION = {"Session": {"Total": Decimal(120), "CartItems": []}}


def both(expr: object, bindings: dict[str, object] | None = None) -> object:
    """Evaluate on both engines; they must agree."""
    values = bindings or {}
    compiled = talang.compile(expr).evaluate(values)
    assert talang.interpret(expr, values) == compiled
    return compiled


def test_public_surface() -> None:
    assert set(talang.__all__) >= {
        "compile",
        "check",
        "interpret",
        "Program",
        "FunctionRegistry",
        "Diagnostic",
        "TalangError",
    }


def test_compile_once_evaluate_many() -> None:
    program = talang.compile([">", [".", "Session", "Total"], 100])
    assert program.evaluate(SESSION) is True
    assert program.evaluate({"Session": {"Total": Decimal(99)}}) is False
    assert program.evaluate({"Session": {"Total": 101}}) is True  # ints are Decimals
    with pytest.raises(AttributeError):
        program.source = []  # type: ignore[misc]


def test_compile_reports_every_diagnostic_at_once() -> None:
    expr = ["and", ["frob"], ["+", 1, True], ["filter", ["list"], 3], ["kv", "x"]]
    with pytest.raises(TalangCheckError) as raised:
        talang.compile(expr)
    diagnostics = raised.value.diagnostics
    assert [d.path for d in diagnostics] == ["/1", "/3/2", "/4/1", "/2"] or sorted(
        d.path for d in diagnostics
    ) == ["/1", "/2", "/3/2", "/4/1"]
    by_path = {d.path: d for d in diagnostics}
    assert by_path["/1"].function == "frob"
    assert by_path["/2"].found == "(Decimal, Boolean)"
    assert (
        by_path["/2"].expected is not None
        and "+(Decimal, Decimal, Decimal...)" in by_path["/2"].expected
    )
    assert by_path["/3/2"].expected == "Block"
    assert talang.check(expr) == diagnostics


@pytest.mark.parametrize(
    "garbage",
    [None, {}, [], [1], [[]], [["x"]], [["x"], 1, 2], [[1], 2], {"a": 1}, [".", {"a": 1}], set()],
)
def test_check_never_raises_on_user_input(garbage: object) -> None:
    diagnostics = talang.check(garbage)
    if garbage is None:
        assert diagnostics == []
    else:
        assert diagnostics, garbage
        assert all(isinstance(d.path, str) for d in diagnostics)


def test_random_json_never_leaks_a_python_exception() -> None:
    generator = random.Random(20261123)
    names = [s.name for s in default_registry().signatures()] + ["nope", ".", "kv", "!"]

    def expression(depth: int) -> object:
        roll = generator.random()
        if depth > 4 or roll < 0.3:
            return generator.choice([1, -2.5, "a", "2026-01-01T00:00:00Z", True, None, 0])
        if roll < 0.4:
            return [["x"], expression(depth + 1)]
        return [
            generator.choice(names),
            *(expression(depth + 1) for _ in range(generator.randint(0, 3))),
        ]

    agreed = 0
    for _ in range(3000):
        expr = json.loads(json.dumps(expression(0)), parse_float=Decimal, parse_int=Decimal)
        checks = not talang.check(expr)
        interpreted = _outcome(lambda e: talang.interpret(e, {}), expr)
        if checks:
            assert _outcome(lambda e: talang.compile(e).evaluate({}), expr) == interpreted, expr
            agreed += 1
    assert agreed > 300  # enough generated expressions check to make the comparison count


def _outcome(run: Callable[[object], object], expr: object) -> tuple[str, object]:
    """The value, or the kind of TalangError: any other exception escaping fails the test."""
    try:
        return ("value", run(expr))
    except TalangError as error:
        return ("error", error.kind)


def test_errors_carry_the_path_of_the_failing_call() -> None:
    expr = ["+", 1, ["/", 1, [".", "Zero"]]]
    runs: list[Callable[[], object]] = [
        lambda: talang.compile(expr).evaluate({"Zero": Decimal(0)}),
        lambda: talang.interpret(expr, {"Zero": Decimal(0)}),
    ]
    for run in runs:
        with pytest.raises(TalangRuntimeError) as raised:
            run()
        assert raised.value.path == "/2"
        assert raised.value.function == "/"


def test_registry_copies_are_independent() -> None:
    extended = default_registry().copy()

    @extended.function("double", (Kind.DECIMAL,), Kind.DECIMAL, family="test", doc="x2")
    def double(_: object, value: Decimal) -> Decimal:
        return value * 2

    assert talang.compile(["double", 21], registry=extended).evaluate({}) == 42
    assert talang.interpret(["double", 21], {}, registry=extended) == 42
    assert talang.check(["double", 21])[0].message == "unknown function 'double'"


def test_templates_expand_with_their_arguments() -> None:
    registry = default_registry().copy()
    registry.add_template(Template("plusTax", 2, ["*", ["#", "0"], ["+", 1, ["#", "1"]]]))
    expr = ["!", "plusTax", [".", "Session", "Total"], 0.25]
    assert talang.compile(expr, registry=registry).evaluate(SESSION) == Decimal("150.00")
    assert talang.interpret(expr, SESSION, registry=registry) == Decimal("150.00")
    assert talang.check(["!", "plusTax", 1], registry=registry)[0].message.startswith(
        "template plusTax takes 2"
    )
    assert talang.check(["!", "nope"], registry=registry)[0].message == "unknown template 'nope'"
    assert talang.check(["#", "0"])[0].path == ""


def test_recursive_templates_are_stopped() -> None:
    registry = default_registry().copy()
    registry.add_template(Template("loop", 0, ["!", "loop"]))
    assert "too many" in talang.check(["!", "loop"], registry=registry)[0].message


def test_schema_names_unknown_paths() -> None:
    schema = {"Session": {"Total": None, "Attributes": None, "CartItems": None}, "Now": None}
    ok = ["filter", [".", "Session", "CartItems"], [["Item"], [">", [".", "Item", "Price"], 1]]]
    assert talang.check(ok, schema=schema) == []
    assert talang.check([".", "Session", "Attributes", "anything"], schema=schema) == []
    bad = talang.check(["+", [".", "Sesion", "Total"], [".", "Session", "Totl"]], schema=schema)
    assert [(d.path, d.message) for d in bad] == [
        ("/1", "the bindings has no 'Sesion'"),
        ("/2", "Session has no 'Totl'"),
    ]


def test_set_never_touches_the_callers_bindings() -> None:
    bindings: dict[str, object] = {"X": Decimal(1)}
    assert both(["do", ["set", "X", 2], [["v"], [".", "X"]]], bindings) == 2
    assert bindings == {"X": Decimal(1)}


def test_set_at_a_path_never_touches_the_callers_maps() -> None:
    """The engine shares one ``Session`` map among all campaigns of an evaluation: a ``set``
    into it writes into a copy."""
    session: dict[str, object] = {"Total": Decimal(10), "Tags": {"a": Decimal(1)}}
    bindings: dict[str, object] = {"Session": session}
    expr = ["do", ["set", "Session", "Tags", "b", 2], [["v"], [".", "Session", "Tags", "b"]]]
    assert both(expr, bindings) == 2
    assert session == {"Total": Decimal(10), "Tags": {"a": Decimal(1)}}
    assert bindings == {"Session": session}


def test_now_comes_from_the_bindings() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert both(["days", "2030-01-11T00:00:00Z"], {"Now": now}) == 10
    with pytest.raises(TalangRuntimeError):
        talang.compile(["days", "2030-01-11T00:00:00Z"]).evaluate({})


# Hostile expressions: each ends in a TalangError, quickly.


def test_deep_nesting_is_refused_before_evaluation() -> None:
    expr: object = 1
    for _ in range(MAX_DEPTH + 5):
        expr = ["+", expr, 1]
    with pytest.raises(TalangCheckError) as refused:
        talang.compile(expr)
    assert "nests deeper than 128 levels" in refused.value.diagnostics[0].message
    with pytest.raises(TalangLimitError):
        talang.interpret(expr, {})


def test_nesting_up_to_the_limit_evaluates() -> None:
    expr: object = True
    for _ in range(MAX_DEPTH - 1):
        expr = ["and", ["not", False], expr]
    assert both(expr) is True


def test_huge_lists_are_capped() -> None:
    items = list(range(MAX_LIST_LENGTH))
    with pytest.raises(TalangLimitError):
        both(["push", [".", "Items"], 1], {"Items": items})


def test_exploding_strings_are_capped() -> None:
    expr: object = [".", "S"]
    for _ in range(40):
        expr = ["do", expr, "s", ["+", [".", "s"], [".", "s"]]]
    with pytest.raises(TalangLimitError):
        talang.compile(expr).evaluate({"S": "xx"})
    assert MAX_STRING_LENGTH < 2**41


def test_runaway_loops_run_out_of_steps_even_inside_catch() -> None:
    items = [Decimal(i) for i in range(1000)]
    expr = [
        "catch",
        0,
        ["sum", [".", "L"], "a", ["sum", [".", "L"], "b", ["+", [".", "a"], [".", "b"]]]],
    ]
    runs: list[Callable[[], object]] = [
        lambda: talang.compile(expr).evaluate({"L": items}),
        lambda: talang.interpret(expr, {"L": items}),
    ]
    for run in runs:
        with pytest.raises(TalangLimitError):
            run()


def test_catastrophic_regex_ends() -> None:
    subject = "a" * 50_000 + "!"
    assert both(["~", "(a+)+$", [".", "S"]], {"S": subject}) is False
    assert both(["~", "(a|a)*b", [".", "S"]], {"S": subject}) is False
    with pytest.raises(TalangRuntimeError):
        both(["~", "(a)\\1", "aa"])


def test_functions_registry_is_not_rebuilt() -> None:
    assert default_registry() is default_registry()
    assert isinstance(default_registry(), FunctionRegistry)


@pytest.mark.parametrize(
    ("expr", "path"),
    [
        ([], ""),
        (["+", 1, {"a": 1}], "/2"),
        ([1, 2], "/0"),
        (["map", ["list"], [["x", "x"], 1]], "/2/0"),
    ],
)
def test_malformed_expressions_are_syntax_errors(expr: object, path: str) -> None:
    with pytest.raises(TalangSyntaxError) as raised:
        talang.interpret(expr, {})
    assert raised.value.path == path
    assert [diagnostic.path for diagnostic in talang.check(expr)] == [path]
