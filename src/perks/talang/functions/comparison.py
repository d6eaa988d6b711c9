"""Comparison: =, !=, <, <=, >, >=, between."""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from perks.talang.kinds import Kind, to_text
from perks.talang.registry import FunctionRegistry
from perks.talang.runtime import Context

__all__ = ["register"]

FAMILY = "comparison"
Ordered = Decimal | datetime


def _ordering(
    registry: FunctionRegistry, name: str, compare: Callable[[Any, Any], bool], word: str
) -> None:
    for kind, example in (
        (Kind.DECIMAL, ([name, 2, 1], compare(Decimal(2), Decimal(1)))),
        (
            Kind.TIME,
            (
                [name, "2026-02-01T00:00:00Z", "2026-01-01T00:00:00Z"],
                compare(Decimal(2), Decimal(1)),
            ),
        ),
    ):

        @registry.function(
            name,
            (kind, kind, kind),
            Kind.BOOLEAN,
            variadic=True,
            family=FAMILY,
            doc=f"True when the first {kind.describe()} is {word} every later one.",
            examples=(example,),
            with_constant=partial(_against, compare),
        )
        def ordered(_: Context, first: Ordered, *others: Ordered) -> bool:
            if len(others) == 1:
                return compare(first, others[0])
            return all(compare(first, other) for other in others)


# ``value > constant`` is ``constant < value``: the constant's own (C) method, reflected.
_REFLECTED = {
    operator.gt: "__lt__",
    operator.ge: "__le__",
    operator.lt: "__gt__",
    operator.le: "__ge__",
}


def _against(compare: Callable[[Any, Any], bool], constant: object) -> Callable[[object], bool]:
    """``compare(value, constant)`` as a function of the value. The value has been checked to
    be of the overload's kind; a Decimal constant compares through its own method."""
    reflected = _REFLECTED.get(compare)
    if type(constant) is Decimal and reflected is not None:
        method: Callable[[object], bool] = getattr(constant, reflected)
        return method

    def test(value: object) -> bool:
        return compare(value, constant)

    return test


def _equal_to(constant: object) -> Callable[[object], bool]:
    """``["=", value, constant]`` with the constant's string form computed once."""
    text = to_text(constant)

    def test(value: object) -> bool:
        return (value if type(value) is str else to_text(value)) == text

    return test


def register(registry: FunctionRegistry) -> None:
    @registry.function(
        "=",
        (Kind.ATOM, Kind.ATOM, Kind.ATOM),
        Kind.BOOLEAN,
        variadic=True,
        family=FAMILY,
        doc="True when every later value has the same string form as the first: "
        '["=", 1, "1"] and ["=", 1, 1.0] are true.',
        examples=((["=", 1, "1"], True), (["=", "a", "a", "b"], False), (["=", 1.50, 1.5], True)),
        with_constant=_equal_to,
    )
    def equal(_: Context, first: object, *others: object) -> bool:
        text = to_text(first)
        if len(others) == 1:
            return to_text(others[0]) == text
        return all(to_text(other) == text for other in others)

    @registry.function(
        "!=",
        (Kind.ATOM, Kind.ATOM, Kind.ATOM),
        Kind.BOOLEAN,
        variadic=True,
        family=FAMILY,
        doc="True when no later value has the string form of the first.",
        examples=((["!=", 1, 2], True), (["!=", 1, 2, "1"], False)),
    )
    def not_equal(_: Context, first: object, *others: object) -> bool:
        text = to_text(first)
        return all(to_text(other) != text for other in others)

    _ordering(registry, "<", operator.lt, "less than")
    _ordering(registry, "<=", operator.le, "less than or equal to")
    _ordering(registry, ">", operator.gt, "greater than")
    _ordering(registry, ">=", operator.ge, "greater than or equal to")

    for kind in (Kind.DECIMAL, Kind.TIME):

        @registry.function(
            "between",
            (kind, kind, kind, kind),
            Kind.BOOLEAN,
            variadic=True,
            family=FAMILY,
            doc="True when every value before the last two lies strictly between them "
            '(minimum second to last, maximum last): ["between", x, 50, 100].',
            examples=((["between", 5, 1, 10], True), (["between", 1, 5, 1, 10], False))
            if kind is Kind.DECIMAL
            else (
                (
                    [
                        "between",
                        "2026-06-01T00:00:00Z",
                        "2026-01-01T00:00:00Z",
                        "2027-01-01T00:00:00Z",
                    ],
                    True,
                ),
            ),
        )
        def between(_: Context, *values: Ordered) -> bool:
            *subjects, low, high = values
            return all(low < subject < high for subject in subjects)  # type: ignore[operator]
