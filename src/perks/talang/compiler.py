"""The compiler: a checked tree becomes nested Python closures, compiled once, run many times.

Overloads are resolved at compile time whenever the argument kinds are known, constant
sub-expressions of pure functions are folded, and literal paths (``[".", "Item", "Price"]``)
become direct lookups. What cannot be decided statically is dispatched at run time exactly as
the interpreter does it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from perks.talang.errors import TalangError, TalangRuntimeError, TalangTypeError
from perks.talang.interpreter import root_context
from perks.talang.kinds import Kind, kind_of, mask_of
from perks.talang.registry import FunctionRegistry, Signature
from perks.talang.runtime import NO_MATCH, Context, coerce, describe_kinds, invoke, located
from perks.talang.statics import Statics
from perks.talang.syntax import Block, Call, Literal, Node

__all__ = ["Compiler", "Fn", "Program"]

Fn = Callable[[Context], object]
_UNSET = object()


@dataclass(frozen=True, slots=True)
class Program:
    """A compiled expression. Immutable and safe to share between threads."""

    source: object
    _run: Fn

    def evaluate(self, bindings: Mapping[str, object]) -> object:
        return self._run(root_context(bindings))


class Compiler:
    def __init__(self, registry: FunctionRegistry) -> None:
        self.registry = registry
        self.statics = Statics(registry)

    def compile(self, node: Node) -> Fn:
        if isinstance(node, Literal):
            return _constant(node.value)
        if isinstance(node, Block):
            raise TalangTypeError("a block [[params], body] is only allowed as a lambda", node.path)
        if node.key == "kv":
            return self.kv(node)
        if node.key == "." and node.args and all(_is_text(arg) for arg in node.args):
            return _path([str(arg.value) for arg in node.args], node.path)  # type: ignore[union-attr]
        return self.call(node)

    def call(self, node: Call) -> Fn:
        candidates = self.statics.overloads(node) or self.statics.arity_candidates(node)
        if len(candidates) == 1:
            return self.direct(candidates[0], node)
        return self.dynamic(candidates, node)

    def direct(self, signature: Signature, node: Call) -> Fn:
        """One overload can match: compile its arguments once, check only what is unknown."""
        parts: list[tuple[Fn, int | None]] = []
        lazy: dict[int, _CompiledCode] = {}
        for index, arg in enumerate(node.args):
            if signature.is_lazy(index):
                lazy[index] = self.code(arg)
                continue
            slot = signature.slot(index)
            known = self.statics.kind(arg)
            check = None if known and _exact(known, slot) else int(slot)
            parts.append((self.compile(arg), check))
        folded = self.fold(signature, node, parts, lazy)
        if folded is not None:
            return folded
        return _direct_call(signature, node, parts, lazy)

    def fold(
        self,
        signature: Signature,
        node: Call,
        parts: list[tuple[Fn, int | None]],
        lazy: dict[int, _CompiledCode],
    ) -> Fn | None:
        if not signature.pure or lazy or not all(isinstance(a, Literal) for a in node.args):
            return None
        run = _direct_call(signature, node, parts, lazy)
        try:
            value = run(root_context({}))
        except TalangError:
            return None  # fails at run time, where catch can see it
        return _constant(value)

    def dynamic(self, candidates: list[Signature], node: Call) -> Fn:
        """Several overloads may match: choose among them by the run-time kinds."""
        if not any(s.any_lazy for s in candidates) and not any(
            isinstance(arg, Block) for arg in node.args
        ):
            return _cached_dispatch(candidates, [self.compile(arg) for arg in node.args], node)
        eager = [None if isinstance(a, Block) else self.compile(a) for a in node.args]
        codes = [self.code(arg) for arg in node.args]
        name, path = node.name, node.path

        def run(context: Context) -> object:
            evaluated: list[object] = [_UNSET] * len(eager)
            for signature in candidates:
                args = _arguments(signature, eager, codes, evaluated, context)
                if args is not None:
                    return invoke(signature, context, args, path)
            values = [value for value in evaluated if value is not _UNSET]
            raise TalangTypeError(
                f"no overload of {name} takes ({describe_kinds(values)})", path, function=name
            )

        return run

    def code(self, node: Node) -> _CompiledCode:
        if isinstance(node, Block):
            return _CompiledCode(self.compile(node.body), node.params, node.path)
        return _CompiledCode(self.compile(node), (), node.path)

    def kv(self, node: Call) -> Fn:
        pairs: list[tuple[str, Fn]] = []
        for pair in node.args:
            if not isinstance(pair, Call) or len(pair.args) != 1:
                raise TalangTypeError('kv takes pairs ["Key", value]', pair.path, function="kv")
            pairs.append((pair.name, self.compile(pair.args[0])))

        def run(context: Context) -> object:
            context.tick()
            return {key: value(context) for key, value in pairs}

        return run


def _cached_dispatch(candidates: list[Signature], fns: list[Fn], node: Call) -> Fn:
    """Eager overloads only: evaluate the arguments once, then pick the overload for their
    kinds, remembering the choice per combination of kinds (an inline cache)."""
    name, path = node.name, node.path
    chosen: dict[tuple[int, ...], Signature] = {}

    def choose(values: list[object]) -> tuple[Signature, list[object]] | None:
        for signature in candidates:
            args = [coerce(value, signature.slot_mask(i)) for i, value in enumerate(values)]
            if NO_MATCH not in args:
                return signature, args
        return None

    def run(context: Context) -> object:
        values = [fn(context) for fn in fns]
        key = tuple(mask_of(value) for value in values)
        signature = chosen.get(key)
        args = None
        if signature is not None:
            args = [coerce(value, signature.slot_mask(i)) for i, value in enumerate(values)]
        if args is None or NO_MATCH in args:
            # First time for these kinds, or a string that is not a time where the cached
            # overload reads Time: choose again, from the first overload.
            found = choose(values)
            if found is None:
                raise TalangTypeError(
                    f"no overload of {name} takes ({describe_kinds(values)})", path, function=name
                )
            signature, args = found
            chosen.setdefault(key, signature)
        assert signature is not None
        return _call(signature.impl, name, signature.returns_mask, context, args, path)

    return run


def _arguments(
    signature: Signature,
    eager: list[Fn | None],
    codes: list[_CompiledCode],
    evaluated: list[object],
    context: Context,
) -> list[object] | None:
    args: list[object] = []
    for index, fn in enumerate(eager):
        if signature.is_lazy(index):
            args.append(codes[index])
            continue
        if fn is None:
            return None
        if evaluated[index] is _UNSET:
            evaluated[index] = fn(context)
        value = coerce(evaluated[index], signature.slot_mask(index))
        if value is NO_MATCH:
            return None
        args.append(value)
    return args


def _direct_call(
    signature: Signature,
    node: Call,
    parts: list[tuple[Fn, int | None]],
    lazy: dict[int, _CompiledCode],
) -> Fn:
    impl, name, path, returns = signature.impl, signature.name, node.path, signature.returns_mask
    if not lazy and all(check is None for _, check in parts):
        return _unchecked_call(signature, [fn for fn, _ in parts], path)
    order = _argument_order(len(node.args), parts, lazy)

    def run(context: Context) -> object:
        args: list[object] = []
        for fn, check, code in order:
            if code is not None:
                args.append(code)
                continue
            value = fn(context)  # type: ignore[misc]
            if check is not None:
                value = coerce(value, check)
                if value is NO_MATCH:
                    raise TalangTypeError(
                        f"no overload of {name} takes {kind_of(fn(context)).describe()} "  # type: ignore[misc]
                        f"as argument {len(args) + 1}",
                        path,
                        function=name,
                    )
            args.append(value)
        return _call(impl, name, returns, context, args, path)

    return run


def _argument_order(
    count: int, parts: list[tuple[Fn, int | None]], lazy: dict[int, _CompiledCode]
) -> list[tuple[Fn | None, int | None, _CompiledCode | None]]:
    eager = iter(parts)
    order: list[tuple[Fn | None, int | None, _CompiledCode | None]] = []
    for index in range(count):
        if index in lazy:
            order.append((None, None, lazy[index]))
        else:
            fn, check = next(eager)
            order.append((fn, check, None))
    return order


def _unchecked_call(signature: Signature, fns: list[Fn], path: str) -> Fn:
    """The hot path: every argument's kind is known to fit, so none is checked at run time."""
    impl, name, returns = signature.impl, signature.name, signature.returns_mask
    if len(fns) == 1:
        (first,) = fns
        return lambda context: _call(impl, name, returns, context, (first(context),), path)
    if len(fns) == 2:  # noqa: PLR2004 - the common binary case, specialised
        first, second = fns
        return lambda context: _call(
            impl, name, returns, context, (first(context), second(context)), path
        )
    return lambda context: _call(impl, name, returns, context, [fn(context) for fn in fns], path)


def _call(
    impl: Callable[..., object],
    name: str,
    returns: int,
    context: Context,
    args: list[object] | tuple[object, ...],
    path: str,
) -> object:
    context.steps += 1
    if context.steps > context.max_steps:
        context.tick()
    try:
        result = impl(context, *args)
    except TalangError as error:
        raise located(error, path, name) from None
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, RecursionError) as error:
        raise TalangRuntimeError(
            f"{name} failed: {type(error).__name__}", path, function=name
        ) from None
    if not mask_of(result) & returns:
        raise TalangTypeError(
            f"{name} returned {kind_of(result).describe()}, expected {Kind(returns).describe()}",
            path,
            function=name,
        )
    return result


class _CompiledCode:
    __slots__ = ("body", "params", "path")

    def __init__(self, body: Fn, params: tuple[str, ...], path: str) -> None:
        self.body = body
        self.params = params
        self.path = path

    def run(self, context: Context, bindings: dict[str, object] | None = None) -> object:
        if bindings is None:
            return self.body(context)
        return context.run(self.body, bindings)

    def call(self, context: Context, *values: object) -> object:
        if len(self.params) != len(values):
            raise TalangRuntimeError(
                f"the block takes {len(self.params)} parameters, given {len(values)}", self.path
            )
        context.tick()
        return context.run(self.body, dict(zip(self.params, values, strict=True)))


def _constant(value: object) -> Fn:
    return lambda _: value


def _path(keys: list[str], path: str) -> Fn:
    frozen = tuple(keys)

    def run(context: Context) -> object:
        context.steps += 1
        try:
            return context.scope.resolve(frozen)
        except TalangError as error:
            raise located(error, path, ".") from None

    return run


def _is_text(node: Node) -> bool:
    return isinstance(node, Literal) and isinstance(node.value, str)


def _exact(known: Kind, slot: Kind) -> bool:
    """A statically known kind fits the slot with nothing to convert."""
    return known & ~slot == 0 and not known & Kind.BLOCK
