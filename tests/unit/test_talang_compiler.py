"""The compiler's loop-invariant reuse: the same answers as the interpreter, less work.

A pure part of a lambda's body that reads none of the lambda's names is evaluated once per
evaluation, on first use. These tests count the calls of a pure function registered for the
purpose, and check the cases where reuse must not happen or must not change the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from perks import talang
from perks.talang import FunctionRegistry, Kind, TalangError
from perks.talang.functions import default_registry
from perks.talang.runtime import MAX_STEPS, Context


def counting_registry() -> tuple[FunctionRegistry, list[int]]:
    """The core plus ``counted(x)``: a pure identity on Decimals that counts its calls."""
    calls = [0]
    registry = default_registry().copy()

    @registry.function(
        "counted", (Kind.DECIMAL,), Kind.DECIMAL, family="test", doc="Identity; counts calls."
    )
    def counted(_: Context, value: Decimal) -> Decimal:
        calls[0] += 1
        return value

    return registry, calls


def outcome(run: Callable[[], object]) -> tuple[str, object]:
    try:
        return ("value", run())
    except TalangError as error:
        return ("error", (error.kind, error.path))


def both(
    expr: object, bindings: dict[str, object] | None = None
) -> tuple[tuple[str, object], int, int]:
    """The compiled outcome (asserted equal to the interpreter's) and each engine's calls."""
    registry, calls = counting_registry()
    compiled = outcome(lambda: talang.compile(expr, registry=registry).evaluate(bindings or {}))
    compiled_calls, calls[0] = calls[0], 0
    interpreted = outcome(lambda: talang.interpret(expr, bindings or {}, registry=registry))
    assert compiled == interpreted
    return compiled, compiled_calls, calls[0]


def test_an_invariant_part_is_evaluated_once_per_evaluation() -> None:
    expr = ["filter", ["list", 1, 2, 3, 4, 5], [["x"], [">", [".", "x"], ["counted", 2]]]]
    result, compiled_calls, interpreted_calls = both(expr)
    assert result == ("value", [3, 4, 5])
    assert (compiled_calls, interpreted_calls) == (1, 5)


def test_a_part_that_reads_the_item_is_evaluated_per_item() -> None:
    expr = ["map", ["list", 1, 2, 3], "n", ["counted", [".", "n"]]]
    result, compiled_calls, interpreted_calls = both(expr)
    assert result == ("value", [1, 2, 3])
    assert compiled_calls == interpreted_calls == 3


def test_nested_lambdas_reuse_what_reads_only_outer_bindings() -> None:
    expr = [
        "map",
        ["list", 1, 2],
        [
            ["x"],
            ["sum", ["list", 10, 20], [["y"], ["+", [".", "x"], [".", "y"], ["counted", 1]]]],
        ],
    ]
    result, compiled_calls, interpreted_calls = both(expr)
    assert result == ("value", [34, 36])
    assert (compiled_calls, interpreted_calls) == (1, 4)


def test_a_reused_part_fails_only_where_it_is_reached() -> None:
    skipped = ["filter", ["list", 1, 2], [["x"], ["or", True, [">", ["/", 1, 0], 0]]]]
    assert both(skipped)[0] == ("value", [1, 2])
    reached = ["filter", ["list", 1, 2], [["x"], ["and", True, [">", ["/", 1, 0], 0]]]]
    assert both(reached)[0] == ("error", ("TalangRuntimeError", "/2/1/2/1"))


def test_a_program_that_sets_bindings_reuses_nothing() -> None:
    # N changes per item through set: reusing ["counted", N] would give [1, 1].
    expr = [
        "map",
        ["list", 1, 2],
        [["x"], ["do", ["set", "N", [".", "x"]], [["ignored"], ["counted", [".", "N"]]]]],
    ]
    result, compiled_calls, interpreted_calls = both(expr)
    assert result == ("value", [1, 2])
    assert compiled_calls == interpreted_calls == 2


def test_a_computed_item_name_reuses_nothing() -> None:
    expr = ["map", ["list", 1, 2], ["+", "x", ""], ["counted", [".", "x"]]]
    result, compiled_calls, _ = both(expr)
    assert result == ("value", [1, 2])
    assert compiled_calls == 2  # one per item


def test_reused_work_still_counts_against_the_step_budget() -> None:
    # The inner sum is the same for every item, but the expression means 1000 x 1000 x 3
    # node evaluations: both engines stop at the budget.
    numbers = [Decimal(n) for n in range(1000)]
    expr = [
        "map",
        [".", "Numbers"],
        [["x"], ["sum", [".", "Numbers"], [["y"], ["+", [".", "y"], 1]]]],
    ]
    result, _, _ = both(expr, {"Numbers": numbers})
    assert result == ("error", ("TalangLimitError", "/2/1"))
    assert MAX_STEPS < 1000 * 1000 * 3


@pytest.mark.parametrize(
    "expr",
    [
        ["filter", ["list", 1, 2], [["x"], [">", [".", "x"], ["counted", 1]]]],
        ["do", 5, "t", ["+", [".", "t"], ["counted", 1]]],
        ["map", ["list", 1], [["x"], ["kv", ["A", ["counted", 1]], ["B", [".", "x"]]]]],
    ],
)
def test_reuse_agrees_with_the_interpreter(expr: object) -> None:
    assert both(expr)[0][0] == "value"
