"""From JSON to the syntax tree: literals, calls ``["fn", ...]`` and blocks ``[["x"], body]``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from perks.talang.errors import TalangLimitError, TalangSyntaxError
from perks.talang.kinds import Kind, kind_of

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "Block",
    "Call",
    "Literal",
    "Node",
    "child_path",
    "parse",
    "size",
]

MAX_DEPTH = 128
MAX_NODES = 20_000


@dataclass(frozen=True, slots=True)
class Literal:
    value: object
    path: str

    @property
    def kind(self) -> Kind:
        return kind_of(self.value)


@dataclass(frozen=True, slots=True)
class Call:
    """``["name", arg...]``: ``name`` as written, ``key`` lower-cased for lookup."""

    name: str
    args: tuple[Node, ...]
    path: str
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.name.lower())


@dataclass(frozen=True, slots=True)
class Block:
    """``[["x", "y"], body]``: a lambda of named parameters."""

    params: tuple[str, ...]
    body: Node
    path: str


Node = Literal | Call | Block


def size(node: Node) -> int:
    """The number of nodes in ``node``: what evaluating it once costs in steps."""
    if isinstance(node, Literal):
        return 1
    if isinstance(node, Block):
        return 1 + size(node.body)
    return 1 + sum(size(arg) for arg in node.args)


def child_path(path: str, index: int) -> str:
    return f"{path}/{index}"


def parse(expr: object) -> Node:
    """Parse a decoded JSON value (numbers as Decimal or int) into a tree."""
    return _Parser().node(expr, "", 0)


class _Parser:
    def __init__(self) -> None:
        self.count = 0

    def node(self, expr: object, path: str, depth: int) -> Node:
        self.count += 1
        if depth > MAX_DEPTH:
            raise TalangLimitError(f"the expression nests deeper than {MAX_DEPTH} levels", path)
        if self.count > MAX_NODES:
            raise TalangLimitError(f"the expression has more than {MAX_NODES} parts", path)
        if isinstance(expr, list | tuple):
            return self.compound(expr, path, depth)
        return Literal(_literal(expr, path), path)

    def compound(self, expr: list[object] | tuple[object, ...], path: str, depth: int) -> Node:
        if not expr:
            raise TalangSyntaxError('an empty list is not an expression: use ["list"]', path)
        head, *rest = expr
        if isinstance(head, str):
            args = tuple(
                self.node(arg, child_path(path, index), depth + 1)
                for index, arg in enumerate(rest, start=1)
            )
            return Call(head, args, path)
        if isinstance(head, list | tuple):
            return self.block(head, rest, path, depth)
        raise TalangSyntaxError(
            f"a call starts with a function name, found {kind_of(head).describe()}",
            child_path(path, 0),
        )

    def block(
        self, params: list[object] | tuple[object, ...], rest: list[object], path: str, depth: int
    ) -> Block:
        if len(rest) != 1:
            raise TalangSyntaxError("a block is [[params...], body] with exactly one body", path)
        names: list[str] = []
        for index, name in enumerate(params):
            if not isinstance(name, str) or not name:
                raise TalangSyntaxError(
                    "block parameters are non-empty names", child_path(child_path(path, 0), index)
                )
            names.append(name)
        if len(set(names)) != len(names):
            raise TalangSyntaxError("block parameters must differ", child_path(path, 0))
        return Block(tuple(names), self.node(rest[0], child_path(path, 1), depth + 1), path)


def _literal(value: object, path: str) -> object:
    if value is None or isinstance(value, bool | str | datetime):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise TalangSyntaxError("numbers are finite (JSON has no Infinity or NaN)", path)
        return number
    if isinstance(value, Mapping):
        raise TalangSyntaxError("JSON objects are not expressions: build maps with kv", path)
    raise TalangSyntaxError(f"{type(value).__name__} is not a Talang value", path)
