"""Control and bindings: ., .|, catch, noop, do, set, list, kv."""

from __future__ import annotations

from perks.talang.errors import TalangError, TalangLimitError, TalangRuntimeError, TalangTypeError
from perks.talang.kinds import Kind, kind_of, to_text
from perks.talang.registry import FunctionRegistry
from perks.talang.runtime import MAX_LIST_LENGTH, Code, Context

__all__ = ["register"]

FAMILY = "control"
_KEY = Kind.STRING | Kind.DECIMAL


def register(registry: FunctionRegistry) -> None:
    @registry.function(
        ".",
        (_KEY, _KEY),
        Kind.VALUE,
        variadic=True,
        family=FAMILY,
        pure=False,
        doc="Read a binding by its path of keys, from the innermost scope out. A missing or null "
        "value is looked up in the enclosing scope; when no scope has it, evaluation fails "
        "(wrap the read in catch, or use .|).",
        examples=(
            ([".", "Session", "Total"], 120),
            ([".", "Session", "Attributes", "Channel"], "web"),
        ),
    )
    def read(context: Context, *keys: object) -> object:
        return context.scope.resolve([to_text(key) for key in keys])

    @registry.function(
        ".|",
        (Kind.ANY, Kind.ANY),
        Kind.VALUE,
        family=FAMILY,
        doc="Safe read: the value of the second expression, or the first (the fallback) when it "
        "fails or is not of the fallback's kind.",
        examples=(([".|", "none", [".", "Missing"]], "none"), ([".|", 0, ["+", 1, 2]], 3)),
    )
    def safe_read(context: Context, fallback: Code, expression: Code) -> object:
        default = fallback.run(context)
        try:
            value = expression.run(context)
        except TalangLimitError:
            raise
        except TalangError:
            return default
        return value if kind_of(value) == kind_of(default) else default

    @registry.function(
        "catch",
        (Kind.ANY, Kind.ANY),
        Kind.VALUE,
        family=FAMILY,
        doc="The value of the second expression; when it fails, the value of the first (the "
        "fallback, evaluated only then). Safety limits are never caught.",
        examples=((["catch", 0, ["/", 1, 0]], 0), (["catch", ["noop"], ["+", 1, 1]], 2)),
    )
    def catch(context: Context, fallback: Code, expression: Code) -> object:
        try:
            return expression.run(context)
        except TalangLimitError:
            raise
        except TalangError:
            return fallback.run(context)

    @registry.function(
        "noop",
        (),
        Kind.NULL,
        family=FAMILY,
        doc='Nothing: null. The usual fallback of an effect: ["catch", ["noop"], effect].',
        examples=((["noop"], None),),
    )
    def noop(_: Context) -> None:
        return None

    @registry.function(
        "do",
        (Kind.VALUE, Kind.BLOCK),
        Kind.VALUE,
        family=FAMILY,
        doc="Bind a value to the block's parameter and evaluate the block: a let.",
        examples=((["do", 10, [["t"], ["*", [".", "t"], 2]]], 20),),
    )
    def do_block(context: Context, value: object, block: Code) -> object:
        return block.call(context, value)

    @registry.function(
        "do",
        (Kind.VALUE, Kind.STRING, Kind.ANY),
        Kind.VALUE,
        family=FAMILY,
        doc="Bind a value to a name and evaluate the expression with it.",
        examples=((["do", 10, "t", ["+", [".", "t"], 1]], 11),),
        binds=1,
    )
    def do_named(context: Context, value: object, name: str, body: Code) -> object:
        return body.run(context, {name: value})

    @registry.function(
        "set",
        (Kind.STRING, Kind.VALUE, Kind.VALUE),
        Kind.VALUE,
        variadic=True,
        family=FAMILY,
        pure=False,
        mutates=True,
        doc="Write a value at a path of keys into the evaluation's own bindings (never the "
        'caller\'s) and return it: ["set", "Totals", "Net", 10].',
        examples=((["do", ["set", "X", 5], [["v"], [".", "X"]]], 5),),
    )
    def set_value(context: Context, *path_and_value: object) -> object:
        *keys, value = path_and_value
        if not all(isinstance(key, str) for key in keys):
            raise TalangTypeError("set takes a path of String keys, then the value")
        target = context.scope.root().values
        for key in keys[:-1]:
            nested = target.get(key)  # type: ignore[call-overload]
            # Copied on the way down: the caller's maps (Session, Profile...) stay untouched.
            nested = dict(nested) if isinstance(nested, dict) else {}
            target[key] = nested  # type: ignore[index]
            target = nested
        target[keys[-1]] = value  # type: ignore[index]
        return value

    @registry.function(
        "list",
        (Kind.VALUE,),
        Kind.LIST,
        variadic=True,
        family=FAMILY,
        doc="A list of the values given.",
        examples=((["list", 1, "a", True], [1, "a", True]), (["list"], [])),
    )
    def make_list(_: Context, *values: object) -> list[object]:
        if len(values) > MAX_LIST_LENGTH:
            raise TalangLimitError(f"lists hold at most {MAX_LIST_LENGTH} items")
        return list(values)

    @registry.function(
        "kv",
        (Kind.BLOCK,),
        Kind.MAP,
        variadic=True,
        family=FAMILY,
        doc='A map from pairs ["Key", value]: ["kv", ["Name", "x"], ["Total", 3]]. '
        "The keys are written as-is; the values are expressions.",
        examples=((["kv", ["A", 1], ["B", ["+", 1, 1]]], {"A": 1, "B": 2}),),
    )
    def kv(_: Context, *__: Code) -> dict[str, object]:
        # The engines evaluate kv themselves: its keys are syntax, not values.
        raise TalangRuntimeError("kv is evaluated by the engine")  # pragma: no cover
