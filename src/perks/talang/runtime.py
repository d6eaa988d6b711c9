"""What both engines share at run time: scopes, the evaluation context, lazy code, dispatch."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from decimal import (
    ROUND_HALF_EVEN,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from decimal import Context as DecimalContext
from typing import Protocol

from perks.talang.errors import (
    TalangError,
    TalangLimitError,
    TalangRuntimeError,
    TalangTypeError,
)
from perks.talang.kinds import Kind, kind_of, mask_of, parse_time
from perks.talang.registry import Signature

__all__ = [
    "DIVISION",
    "MAX_LIST_LENGTH",
    "MAX_STEPS",
    "MAX_STRING_LENGTH",
    "NOW",
    "NO_MATCH",
    "NUMBERS",
    "Code",
    "Context",
    "Scope",
    "coerce",
    "describe_kinds",
    "invoke",
    "located",
    "numbers",
]

# Steps are the nodes evaluated, charged when a block or named body runs (the only way to
# evaluate a node more than once): a rule over a 1000-item cart takes ~10,000.
MAX_STEPS = 1_000_000
MAX_LIST_LENGTH = 100_000
MAX_STRING_LENGTH = 1_000_000
NOW = "Now"  # the binding that holds the evaluation's "now" (the request's, never the wall clock)

# Arithmetic, whatever decimal context the host application has set: + - * keep 100
# significant digits (exact for any amount a rule meets; Talon.One's decimals are
# arbitrary-precision), / rounds its quotient to 28 (DIVISION); inexact results round
# half-even; overflow and invalid operations fail.
NUMBERS = DecimalContext(
    prec=100, rounding=ROUND_HALF_EVEN, traps=[DivisionByZero, InvalidOperation, Overflow]
)
DIVISION = DecimalContext(
    prec=28, rounding=ROUND_HALF_EVEN, traps=[DivisionByZero, InvalidOperation, Overflow]
)

_MISSING = object()
NO_MATCH = object()


def numbers() -> AbstractContextManager[DecimalContext]:
    """The decimal context every evaluation (and constant folding) runs in."""
    return localcontext(NUMBERS)


class Scope:
    """A map of names over a parent scope; lambdas and ``do`` open child scopes."""

    __slots__ = ("parent", "values")

    def __init__(self, values: dict[str, object], parent: Scope | None = None) -> None:
        self.values = values
        self.parent = parent

    def resolve(self, keys: Sequence[str]) -> object:
        """Walk ``keys`` from the innermost scope out; a missing or null value looks further out."""
        scope: Scope | None = self
        while scope is not None:
            value = _walk(scope.values, keys)
            if value is not _MISSING and value is not None:
                return value
            scope = scope.parent
        raise TalangRuntimeError(f"unable to find `{'.'.join(keys)}`")

    def root(self) -> Scope:
        scope = self
        while scope.parent is not None and scope.parent.parent is not None:
            scope = scope.parent
        return scope


def _walk(values: Mapping[str, object], keys: Sequence[str]) -> object:
    current: object = values
    for key in keys:
        # dict first: the ABC isinstance check costs more than the lookup itself.
        if type(current) is not dict and not isinstance(current, Mapping):
            return _MISSING
        current = current.get(key, _MISSING)
        if current is _MISSING:
            return _MISSING
    return current


class Context:
    """One evaluation: the current scope and the step budget."""

    __slots__ = ("max_steps", "memo", "scope", "steps")

    def __init__(self, scope: Scope, *, max_steps: int = MAX_STEPS) -> None:
        self.scope = scope
        self.steps = 0
        self.max_steps = max_steps
        # Values of loop-invariant parts, by compiled site: (value, steps it took).
        self.memo: dict[int, tuple[object, int]] = {}

    def tick(self, cost: int = 1) -> None:
        self.steps += cost
        if self.steps > self.max_steps:
            raise TalangLimitError(f"evaluation took more than {self.max_steps} steps")

    def now(self) -> datetime:
        value = self.scope.resolve((NOW,))
        if not isinstance(value, datetime):
            raise TalangRuntimeError(f"`{NOW}` must be bound to a time")
        return value

    def run(self, body: Callable[[Context], object], bindings: dict[str, object]) -> object:
        """Run ``body`` in a child scope holding ``bindings``."""
        saved = self.scope
        self.scope = Scope(bindings, saved)
        try:
            return body(self)
        finally:
            self.scope = saved


class Code(Protocol):
    """An argument passed unevaluated: a block ``[["x"], body]`` or any expression."""

    @property
    def params(self) -> tuple[str, ...]: ...

    def loop(
        self, context: Context, name: str | None = None
    ) -> AbstractContextManager[Callable[[object], object]]:
        """A one-parameter block (or code whose item is ``name``: the three-argument form of
        the lambdas) as a plain function of its argument, for a loop over items that runs
        nothing else between them: the fast path of map, filter, sum..."""

    def run(self, context: Context, bindings: dict[str, object] | None = None) -> object:
        """Evaluate in a child scope with ``bindings`` (or in the current scope)."""

    def call(self, context: Context, *values: object) -> object:
        """Bind ``values`` to the block's parameters and evaluate its body."""


_DECIMAL = int(Kind.DECIMAL)
_STRING = int(Kind.STRING)
_TIME = int(Kind.TIME)


def coerce(value: object, slot: int) -> object:
    """``value`` as the slot (a kind mask) takes it, or ``NO_MATCH``.

    Ints become Decimal; a string in a Time slot (that takes no String) is read as RFC 3339.
    """
    mask = mask_of(value)
    if mask & slot:
        if mask == _DECIMAL and type(value) is not Decimal:
            return Decimal(value)  # type: ignore[arg-type]
        return value
    if mask == _STRING and slot & _TIME:
        parsed = parse_time(value)  # type: ignore[arg-type]
        return NO_MATCH if parsed is None else parsed
    return NO_MATCH


def describe_kinds(values: Sequence[object]) -> str:
    return ", ".join(kind_of(value).describe() for value in values)


def invoke(signature: Signature, context: Context, args: Sequence[object], path: str) -> object:
    """Call an overload: keep Python errors inside, check the result's kind."""
    try:
        result = signature.impl(context, *args)
    except TalangError as error:
        raise located(error, path, signature.name) from None
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, RecursionError) as error:
        message = f"{signature.name} failed: {type(error).__name__}"
        raise TalangRuntimeError(message, path, function=signature.name) from None
    if not mask_of(result) & signature.returns_mask:
        raise TalangTypeError(
            f"{signature.name} returned {kind_of(result).describe()}, "
            f"expected {signature.returns.describe()}",
            path,
            function=signature.name,
        )
    return result


def located(error: TalangError, path: str, function: str | None = None) -> TalangError:
    """Give an error raised inside a function the path of the call, unless it has one."""
    if not error.path:
        error.path = path
        error.args = (f"{path or '/'}: {error.message}",)
    if error.function is None:
        error.function = function
    return error
