"""Logic: and, or, not."""

from __future__ import annotations

from perks.talang.errors import TalangTypeError
from perks.talang.kinds import Kind, kind_of
from perks.talang.registry import FunctionRegistry
from perks.talang.runtime import Code, Context

__all__ = ["register", "truth"]

FAMILY = "logic"
# A condition: evaluated only when needed, a Boolean (a list or a map counts as true).
_CONDITION = Kind.BOOLEAN | Kind.COLLECTION | Kind.BLOCK


def truth(value: object, name: str) -> bool:
    """Booleans are themselves; a list or map counts as true; other atoms are errors."""
    if isinstance(value, bool):
        return value
    if kind_of(value) & Kind.COLLECTION:
        return True
    raise TalangTypeError(f"{name} takes Boolean conditions, found {kind_of(value).describe()}")


def register(registry: FunctionRegistry) -> None:
    @registry.function(
        "and",
        (_CONDITION,),
        Kind.BOOLEAN,
        variadic=True,
        family=FAMILY,
        doc="True when every condition is true. Conditions run left to right and stop at the "
        "first false one, so a later condition that would fail is not evaluated.",
        examples=(
            (["and", True, [">", 3, 2]], True),
            (["and", True, False], False),
            (["and"], True),
        ),
    )
    def and_(context: Context, *conditions: Code) -> bool:
        return all(truth(condition.run(context), "and") for condition in conditions)

    @registry.function(
        "or",
        (_CONDITION,),
        Kind.BOOLEAN,
        variadic=True,
        family=FAMILY,
        doc="True when at least one condition is true; stops at the first true one.",
        examples=((["or", False, True], True), (["or", False, False], False), (["or"], False)),
    )
    def or_(context: Context, *conditions: Code) -> bool:
        return any(truth(condition.run(context), "or") for condition in conditions)

    @registry.function(
        "not",
        (Kind.BOOLEAN,),
        Kind.BOOLEAN,
        family=FAMILY,
        doc="The negation of a Boolean.",
        examples=((["not", False], True),),
    )
    def not_(_: Context, value: bool) -> bool:
        return not value
