"""Lists: head tail drop item push append count isEmpty reverse sort min max, and the lambdas
map filter exists every sum sortByNumber sortByString (block form [["x"], body] or the
three-argument form list, "x", body)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from perks.talang.errors import TalangLimitError, TalangRuntimeError, TalangTypeError
from perks.talang.kinds import Kind, kind_of, mask_of
from perks.talang.registry import FunctionRegistry
from perks.talang.runtime import MAX_LIST_LENGTH, Code, Context

__all__ = ["register"]

FAMILY = "lists"
_L = Kind.LIST
_ITEMS = [".", "Session", "CartItems"]


def _capped(items: list[object]) -> list[object]:
    if len(items) > MAX_LIST_LENGTH:
        raise TalangLimitError(f"lists hold at most {MAX_LIST_LENGTH} items")
    return items


def _expect(value: object, kind: Kind, name: str) -> object:
    if not mask_of(value) & kind.value:  # .value: IntFlag's & is slow in loops
        raise TalangTypeError(
            f"the block of {name} must give {kind.describe()}, it gave {kind_of(value).describe()}"
        )
    return value


def _true(value: object, name: str) -> bool:
    """A block's Boolean verdict; anything else fails."""
    if value is True or value is False:
        return value
    _expect(value, Kind.BOOLEAN, name)
    return bool(value)


def _sum(items: Iterable[object], block: Callable[[object], object]) -> Decimal:
    total = Decimal(0)
    for item in items:
        value = block(item)
        if type(value) is not Decimal:
            value = Decimal(_expect(value, Kind.DECIMAL, "sum"))  # type: ignore[arg-type]
        total += value
    return total


def _lambda_family(registry: FunctionRegistry) -> None:
    """Each lambda function in both shapes: (list, block) and (list, name, body)."""
    specs: list[
        tuple[
            str,
            Kind,
            str,
            Callable[[Context, Sequence[object], Callable[[object], object]], object],
            tuple[tuple[object, object], ...],
        ]
    ] = [
        (
            "map",
            _L,
            "The block's value for every item.",
            lambda _, items, f: _capped([f(item) for item in items]),
            ((["map", ["list", 1, 2], [["x"], ["*", [".", "x"], 10]]], [10, 20]),),
        ),
        (
            "filter",
            _L,
            "The items for which the block is true.",
            lambda _, items, f: [
                i for i in items if (v := f(i)) is True or (v is not False and _true(v, "filter"))
            ],
            (
                (
                    ["filter", _ITEMS, [["Item"], [">", [".", "Item", "Price"], 10]]],
                    [{"Sku": "B", "Price": 25, "Quantity": 1, "Category": "shoes"}],
                ),
            ),
        ),
        (
            "exists",
            Kind.BOOLEAN,
            "True when the block is true for at least one item (stops at the first).",
            lambda _, items, f: any(
                (v := f(i)) is True or (v is not False and _true(v, "exists")) for i in items
            ),
            (
                (
                    ["exists", _ITEMS, [["Item"], ["=", [".", "Item", "Category"], "shoes"]]],
                    True,
                ),
            ),
        ),
        (
            "every",
            Kind.BOOLEAN,
            "True when the block is true for every item (stops at the first false; true for "
            "an empty list).",
            lambda _, items, f: all(
                (v := f(i)) is True or (v is not False and _true(v, "every")) for i in items
            ),
            ((["every", ["list", 1, 2], "n", [">", [".", "n"], 0]], True),),
        ),
        (
            "sum",
            Kind.DECIMAL,
            "The sum of the block's numbers over the items (0 for an empty list).",
            lambda _, items, f: _sum(items, f),
            (
                (
                    [
                        "sum",
                        _ITEMS,
                        "Item",
                        ["*", [".", "Item", "Price"], [".", "Item", "Quantity"]],
                    ],
                    35,
                ),
            ),
        ),
    ]
    for name, returns, doc, body, examples in specs:
        _register_lambda(registry, name, returns, doc, body, examples)


def _named_form(expr: object) -> bool:
    """["map", list, "x", body] rather than ["map", list, [["x"], body]]."""
    return isinstance(expr, list) and len(expr) > 1 + 1 + 1 and isinstance(expr[2], str)


def _register_lambda(
    registry: FunctionRegistry,
    name: str,
    returns: Kind,
    doc: str,
    body: Callable[[Context, Sequence[object], Callable[[object], object]], object],
    examples: tuple[tuple[object, object], ...],
) -> None:
    block_examples = tuple(e for e in examples if not _named_form(e[0]))
    named_examples = tuple(e for e in examples if _named_form(e[0]))

    @registry.function(
        name, (_L, Kind.BLOCK), returns, family=FAMILY, doc=doc, examples=block_examples
    )
    def with_block(context: Context, items: list[object], block: Code) -> object:
        if len(block.params) != 1:
            raise TalangRuntimeError(f"the block of {name} takes one parameter")
        with block.loop(context) as apply:
            return body(context, items, apply)

    @registry.function(
        name,
        (_L, Kind.STRING, Kind.ANY),
        returns,
        family=FAMILY,
        doc=f"{doc} The three-argument form names the item.",
        examples=named_examples,
        binds=1,
    )
    def with_name(context: Context, items: list[object], item_name: str, code: Code) -> object:
        with code.loop(context, item_name) as apply:
            return body(context, items, apply)


def _sort_key(values: Sequence[object], name: str) -> Kind:
    kinds = {kind_of(value) for value in values}
    if len(kinds) > 1 or (kinds and not kinds <= {Kind.DECIMAL, Kind.STRING, Kind.TIME}):
        found = ", ".join(sorted(kind.describe() for kind in kinds))
        raise TalangTypeError(f"{name} sorts numbers, strings or times of one kind, found {found}")
    return kinds.pop() if kinds else Kind.DECIMAL


def _sort_by(registry: FunctionRegistry, name: str, kind: Kind, example: object) -> None:
    doc = (
        f"The items ordered by the block's {kind.describe()} (stable); true as the third "
        "argument orders them descending."
    )

    def ordered(context: Context, items: list[object], block: Code, descending: bool) -> object:
        keyed = [(_expect(block.call(context, item), kind, name), item) for item in items]
        keyed.sort(key=lambda pair: pair[0], reverse=descending)  # type: ignore[arg-type,return-value]
        return [item for _, item in keyed]

    registry.function(
        name,
        (_L, Kind.BLOCK, Kind.BOOLEAN),
        _L,
        family=FAMILY,
        doc=doc,
        examples=((example, ["b", "a"]),) if kind is Kind.STRING else (),
    )(ordered)
    registry.function(
        name,
        (_L, Kind.BLOCK),
        _L,
        family=FAMILY,
        doc="Ascending: " + doc,
        examples=()
        if kind is Kind.STRING
        else ((["sortByNumber", ["list", 3, 1, 2], [["n"], [".", "n"]]], [1, 2, 3]),),
    )(lambda context, items, block: ordered(context, items, block, False))


def register(registry: FunctionRegistry) -> None:
    _lambda_family(registry)
    _sort_by(registry, "sortByNumber", Kind.DECIMAL, None)
    _sort_by(
        registry,
        "sortByString",
        Kind.STRING,
        ["sortByString", ["list", "a", "b"], [["s"], [".", "s"]], True],
    )

    @registry.function(
        "head",
        (_L,),
        Kind.VALUE,
        family=FAMILY,
        doc="The first item, or null for an empty list.",
        examples=((["head", ["list", 1, 2]], 1), (["head", ["list"]], None)),
    )
    def head(_: Context, items: list[object]) -> object:
        return items[0] if items else None

    @registry.function(
        "tail",
        (_L,),
        _L,
        family=FAMILY,
        doc="Every item but the first.",
        examples=((["tail", ["list", 1, 2, 3]], [2, 3]), (["tail", ["list"]], [])),
    )
    def tail(_: Context, items: list[object]) -> list[object]:
        return list(items[1:])

    @registry.function(
        "drop",
        (_L,),
        _L,
        family=FAMILY,
        doc="Every item but the last.",
        examples=((["drop", ["list", 1, 2, 3]], [1, 2]),),
    )
    def drop(_: Context, items: list[object]) -> list[object]:
        return list(items[:-1])

    @registry.function(
        "item",
        (_L, Kind.DECIMAL),
        Kind.VALUE,
        family=FAMILY,
        doc="The item at a 0-based index; an index out of range fails.",
        examples=((["item", ["list", "a", "b"], 1], "b"),),
    )
    def item(_: Context, items: list[object], index: Decimal) -> object:
        if index != index.to_integral_value() or not 0 <= index < len(items):
            raise TalangRuntimeError(f"no item at index {index} of a list of {len(items)}")
        return items[int(index)]

    for name in ("push", "append"):

        @registry.function(
            name,
            (_L, Kind.VALUE, Kind.VALUE),
            _L,
            variadic=True,
            family=FAMILY,
            doc="The list with the values added at its end.",
            examples=(([name, ["list", 1], 2, 3], [1, 2, 3]),),
        )
        def push(_: Context, items: list[object], *values: object) -> list[object]:
            return _capped([*items, *values])

    @registry.function(
        "count",
        (_L,),
        Kind.DECIMAL,
        family=FAMILY,
        doc="The number of items.",
        examples=((["count", _ITEMS], 2),),
    )
    def count(_: Context, items: list[object]) -> Decimal:
        return Decimal(len(items))

    @registry.function(
        "isEmpty",
        (_L,),
        Kind.BOOLEAN,
        family=FAMILY,
        doc="True for a list without items.",
        examples=((["isEmpty", ["list"]], True),),
    )
    def is_empty(_: Context, items: list[object]) -> bool:
        return not items

    @registry.function(
        "reverse",
        (_L,),
        _L,
        family=FAMILY,
        doc="The items in reverse order.",
        examples=((["reverse", ["list", 1, 2]], [2, 1]),),
    )
    def reverse(_: Context, items: list[object]) -> list[object]:
        return list(reversed(items))

    @registry.function(
        "sort",
        (_L,),
        _L,
        family=FAMILY,
        doc="Numbers, strings or times (all of one kind) in ascending order.",
        examples=((["sort", ["list", 3, 1, 2]], [1, 2, 3]),),
    )
    def sort(_: Context, items: list[object]) -> list[object]:
        _sort_key(items, "sort")
        return sorted(items)  # type: ignore[type-var]

    @registry.function(
        "sort",
        (_L, Kind.BOOLEAN),
        _L,
        family=FAMILY,
        doc="As sort; true orders descending.",
        examples=((["sort", ["list", "a", "c", "b"], True], ["c", "b", "a"]),),
    )
    def sort_ordered(_: Context, items: list[object], descending: bool) -> list[object]:
        _sort_key(items, "sort")
        return sorted(items, reverse=descending)  # type: ignore[type-var]

    for name, pick in (("min", min), ("max", max)):

        @registry.function(
            name,
            (_L,),
            Kind.DECIMAL,
            family=FAMILY,
            doc=f"The {name}imum of the list's numbers (other items are ignored); "
            "fails when it has none.",
            examples=(([name, ["list", 3, "x", 1, 2]], 1 if name == "min" else 3),),
        )
        def extreme(
            _: Context, items: list[object], pick: Callable[..., Decimal] = pick, name: str = name
        ) -> Decimal:
            numbers = [Decimal(v) for v in items if kind_of(v) is Kind.DECIMAL]  # type: ignore[arg-type]
            if not numbers:
                raise TalangRuntimeError(f"{name} of a list without numbers")
            return pick(numbers)
