"""Arithmetic on Decimals: + - * / mod floor ceil round (and + on strings)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from perks.talang.errors import TalangLimitError, TalangRuntimeError
from perks.talang.kinds import Kind
from perks.talang.registry import FunctionRegistry
from perks.talang.runtime import DIVISION, MAX_STRING_LENGTH, Context

__all__ = ["register"]

FAMILY = "arithmetic"
_D = Kind.DECIMAL
_MAX_PLACES = 28


def _divide(left: Decimal, right: Decimal) -> Decimal:
    if right == 0:
        raise TalangRuntimeError("division by zero")
    return DIVISION.divide(left, right)


def _modulo(left: Decimal, right: Decimal) -> Decimal:
    if right == 0:
        raise TalangRuntimeError("modulo by zero")
    return left % right


def _fold(
    registry: FunctionRegistry,
    name: str,
    step: Callable[[Decimal, Decimal], Decimal],
    doc: str,
    example: tuple[object, object],
) -> None:
    @registry.function(
        name, (_D, _D, _D), _D, variadic=True, family=FAMILY, doc=doc, examples=(example,)
    )
    def fold(_: Context, first: Decimal, *others: Decimal) -> Decimal:
        if len(others) == 1:
            return step(first, others[0])
        result = first
        for other in others:
            result = step(result, other)
        return result


def register(registry: FunctionRegistry) -> None:
    _fold(registry, "+", Decimal.__add__, "The sum of the numbers.", (["+", 1, 2, 3], 6))
    _fold(
        registry,
        "-",
        Decimal.__sub__,
        "The first number minus every later one.",
        (["-", 10, 2, 3], 5),
    )
    _fold(registry, "*", Decimal.__mul__, "The product of the numbers.", (["*", 2, 3, 4], 24))
    _fold(
        registry,
        "/",
        _divide,
        "The first number divided by every later one; dividing by zero fails.",
        (["/", 1, 8], Decimal("0.125")),
    )
    _fold(
        registry,
        "mod",
        _modulo,
        "The remainder of dividing by every later number in turn (the sign of the dividend).",
        (["mod", 3, 8, 2], 1),
    )

    @registry.function(
        "+",
        (Kind.STRING, Kind.STRING, Kind.STRING),
        Kind.STRING,
        variadic=True,
        family="strings",
        doc="Strings joined end to end.",
        examples=((["+", "Hello, ", "world"], "Hello, world"),),
    )
    def concat(_: Context, *parts: str) -> str:
        if sum(len(part) for part in parts) > MAX_STRING_LENGTH:
            raise TalangLimitError(f"strings hold at most {MAX_STRING_LENGTH} characters")
        return "".join(parts)

    @registry.function(
        "floor",
        (_D,),
        _D,
        family=FAMILY,
        doc="The greatest integer not above the number.",
        examples=((["floor", 2.7], 2), (["floor", -2.2], -3)),
    )
    def floor(_: Context, number: Decimal) -> Decimal:
        return number.to_integral_value(rounding=ROUND_FLOOR)

    @registry.function(
        "ceil",
        (_D,),
        _D,
        family=FAMILY,
        doc='The least integer not below the number (the rule builder\'s "round up").',
        examples=((["ceil", 2.1], 3), (["ceil", -2.7], -2)),
    )
    def ceil(_: Context, number: Decimal) -> Decimal:
        return number.to_integral_value(rounding=ROUND_CEILING)

    @registry.function(
        "round",
        (_D,),
        _D,
        family=FAMILY,
        doc="Round half up (away from zero) to an integer.",
        examples=((["round", 2.5], 3), (["round", -2.5], -3), (["round", 2.49], 2)),
    )
    def round_integer(_: Context, number: Decimal) -> Decimal:
        return number.to_integral_value(rounding=ROUND_HALF_UP)

    @registry.function(
        "round",
        (_D, _D),
        _D,
        family=FAMILY,
        doc=f"Round half up (away from zero) to 0..{_MAX_PLACES} decimal places.",
        examples=((["round", 2.345, 2], Decimal("2.35")), (["round", 19.999, 2], 20)),
    )
    def round_places(_: Context, number: Decimal, places: Decimal) -> Decimal:
        if places != places.to_integral_value() or not 0 <= places <= _MAX_PLACES:
            raise TalangRuntimeError(f"round takes 0 to {_MAX_PLACES} places, given {places}")
        return number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
