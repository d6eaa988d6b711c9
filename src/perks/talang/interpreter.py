"""The reference interpreter: walks the tree, resolves overloads at every call. Slow, plain,
and the oracle the compiler is tested against."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from perks.talang.errors import TalangRuntimeError, TalangTypeError
from perks.talang.registry import FunctionRegistry, Signature
from perks.talang.runtime import (
    NO_MATCH,
    Context,
    Scope,
    coerce,
    describe_kinds,
    invoke,
    numbers,
)
from perks.talang.syntax import Block, Call, Literal, Node, parse, size
from perks.talang.templates import expand

__all__ = ["Interpreter", "root_context"]

_UNSET = object()


def root_context(bindings: Mapping[str, object]) -> Context:
    """A context over the caller's bindings, with a writable scope (``set``) above them."""
    return Context(Scope({}, Scope(dict(bindings))))


class Interpreter:
    def __init__(self, registry: FunctionRegistry) -> None:
        self.registry = registry

    def run(self, expr: object, bindings: Mapping[str, object]) -> object:
        node = expand(parse(expr), self.registry)
        with numbers():
            return self.eval(node, root_context(bindings))

    def eval(self, node: Node, context: Context) -> object:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Block):
            raise TalangTypeError("a block [[params], body] is only allowed as a lambda", node.path)
        if node.key == "kv":
            return self.kv(node, context)
        return self.call(node, context)

    def call(self, node: Call, context: Context) -> object:
        overloads = self.registry.overloads(node.name)
        if not overloads:
            raise TalangTypeError(f"unknown function {node.name!r}", node.path, function=node.name)
        candidates = [s for s in overloads if s.accepts_arity(len(node.args))]
        if not candidates:
            raise TalangTypeError(
                f"{node.name} does not take {len(node.args)} arguments",
                node.path,
                function=node.name,
            )
        evaluated: list[object] = [_UNSET] * len(node.args)
        for signature in candidates:
            args = self.arguments(signature, node, evaluated, context)
            if args is not None:
                return invoke(signature, context, args, node.path)
        values = [value for value in evaluated if value is not _UNSET]
        raise TalangTypeError(
            f"no overload of {node.name} takes ({describe_kinds(values)})",
            node.path,
            function=node.name,
        )

    def arguments(
        self, signature: Signature, node: Call, evaluated: list[object], context: Context
    ) -> list[object] | None:
        """The arguments for ``signature``, or None when their kinds do not fit it."""
        args: list[object] = []
        for index, arg in enumerate(node.args):
            if signature.is_lazy(index):
                args.append(_InterpretedCode(self, arg))
                continue
            if isinstance(arg, Block):
                return None
            if evaluated[index] is _UNSET:
                evaluated[index] = self.eval(arg, context)
            value = coerce(evaluated[index], signature.slot_mask(index))
            if value is NO_MATCH:
                return None
            args.append(value)
        return args

    def kv(self, node: Call, context: Context) -> dict[str, object]:
        result: dict[str, object] = {}
        for pair in node.args:
            if not isinstance(pair, Call) or len(pair.args) != 1:
                raise TalangTypeError('kv takes pairs ["Key", value]', pair.path, function="kv")
            result[pair.name] = self.eval(pair.args[0], context)
        return result


class _InterpretedCode:
    """Code for a lazy slot: evaluated by the interpreter when the function asks."""

    __slots__ = ("interpreter", "node", "size")

    def __init__(self, interpreter: Interpreter, node: Node) -> None:
        self.interpreter = interpreter
        self.node = node
        self.size = size(self._body())

    @property
    def params(self) -> tuple[str, ...]:
        return self.node.params if isinstance(self.node, Block) else ()

    def _body(self) -> Node:
        return self.node.body if isinstance(self.node, Block) else self.node

    def run(self, context: Context, bindings: dict[str, object] | None = None) -> object:
        body = self._body()
        if bindings is None:
            return self.interpreter.eval(body, context)
        context.tick(self.size)
        return context.run(lambda inner: self.interpreter.eval(body, inner), bindings)

    def call(self, context: Context, *values: object) -> object:
        params = self.params
        if len(params) != len(values):
            raise TalangRuntimeError(
                f"the block takes {len(params)} parameters, given {len(values)}", self.node.path
            )
        return self.run(context, dict(zip(params, values, strict=True)))

    @contextmanager
    def loop(
        self, context: Context, name: str | None = None
    ) -> Iterator[Callable[[object], object]]:
        if name is not None:
            yield lambda value: self.run(context, {name: value})
        else:
            yield lambda value: self.call(context, value)
