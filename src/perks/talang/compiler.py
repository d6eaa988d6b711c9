"""The compiler: a checked tree becomes nested Python closures, compiled once, run many times.

Overloads are resolved at compile time whenever the argument kinds are known, constant
sub-expressions of pure functions are folded, and literal paths (``[".", "Item", "Price"]``)
become direct lookups. What cannot be decided statically is dispatched at run time exactly as
the interpreter does it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from perks.talang.errors import (
    TalangError,
    TalangLimitError,
    TalangRuntimeError,
    TalangTypeError,
)
from perks.talang.functions.logic import truth
from perks.talang.interpreter import root_context
from perks.talang.invariants import Invariants, Names
from perks.talang.kinds import MASK_BY_TYPE, Kind, kind_of, mask_of
from perks.talang.registry import FunctionRegistry, Signature
from perks.talang.runtime import (
    NO_MATCH,
    Context,
    Scope,
    coerce,
    describe_kinds,
    invoke,
    located,
    numbers,
)
from perks.talang.statics import Statics
from perks.talang.syntax import Block, Call, Literal, Node, size

__all__ = ["Compiler", "Fn", "Program", "evaluations"]

Fn = Callable[[Context], object]
_UNSET = object()


@dataclass(frozen=True, slots=True)
class Program:
    """A compiled expression. Immutable and safe to share between threads."""

    source: object
    _run: Fn

    def evaluate(self, bindings: Mapping[str, object]) -> object:
        with numbers():
            return self._run(root_context(bindings))


Evaluate = Callable[[Program, Mapping[str, object]], object]


@contextmanager
def evaluations() -> Iterator[Evaluate]:
    """Several evaluations in one decimal context: ``run(program, bindings)`` inside
    ``with evaluations() as run`` gives what ``program.evaluate(bindings)`` gives, without
    entering the context each time (a ruleset's conditions and effects, ~40 evaluations a
    session update)."""
    with numbers():
        yield _evaluate_in_numbers


def _evaluate_in_numbers(program: Program, bindings: Mapping[str, object]) -> object:
    return program._run(root_context(bindings))


class Compiler:
    def __init__(self, registry: FunctionRegistry, statics: Statics | None = None) -> None:
        self.registry = registry
        self.statics = statics or Statics(registry)
        self.invariants = Invariants(registry, self.statics)
        self.binders: list[Names] = []  # names bound by the lambdas around the node compiled
        self.reuse = False  # loop-invariant parts evaluated once (see invariants.py)
        self.reusing = False
        self.sites = itertools.count()

    def program(self, node: Node) -> Fn:
        """The closure of a whole expression."""
        self.reuse = not self.invariants.mutates(node)
        return self.compile(node)

    def compile(self, node: Node) -> Fn:
        if isinstance(node, Literal):
            return _constant(node.value)
        if isinstance(node, Block):
            raise TalangTypeError("a block [[params], body] is only allowed as a lambda", node.path)
        if self.reusable(node):
            return self.reused(node)
        return self.expression(node)

    def reusable(self, node: Call) -> bool:
        """Inside a lambda, a call that reads none of the lambdas' names and is pure."""
        if not (self.reuse and self.binders) or self.reusing or node.key == ".":
            return False
        free = self.invariants.free(node)
        if free is None or any(names is None for names in self.binders):
            return False
        bound = frozenset[str]().union(*self.binders)  # type: ignore[arg-type]
        return not free & bound and self.invariants.pure(node)

    def reused(self, node: Call) -> Fn:
        self.reusing = True
        try:
            fn = self.expression(node)
        finally:
            self.reusing = False
        return _reused(fn, next(self.sites))

    def expression(self, node: Call) -> Fn:
        if node.key == "kv":
            return self.kv(node)
        if node.key == "." and node.args and all(_is_text(arg) for arg in node.args):
            return _path([str(arg.value) for arg in node.args], node.path)  # type: ignore[union-attr]
        special = self.special_form(node)
        return special if special is not None else self.call(node)

    def special_form(self, node: Call) -> Fn | None:
        """``and``, ``or`` and ``catch`` as direct closures (when the core defines them):
        they run on every item of a filter, and their generic form costs a call per operand."""
        overloads = self.registry.overloads(node.name)
        if len(overloads) != 1 or overloads[0].family not in ("logic", "control"):
            return None
        if any(isinstance(arg, Block) for arg in node.args):
            return None
        if node.key in ("and", "or"):
            return _connective(node.key, [self.compile(arg) for arg in node.args], node.path)
        if node.key == "catch" and len(node.args) == 2:  # noqa: PLR2004 - fallback, expression
            return _catch(self.compile(node.args[0]), self.compile(node.args[1]))
        return None

    def call(self, node: Call) -> Fn:
        candidates = self.statics.overloads(node) or self.statics.arity_candidates(node)
        if len(candidates) == 1:
            return self.direct(candidates[0], node)
        return self.dynamic(candidates, node)

    def direct(self, signature: Signature, node: Call) -> Fn:
        """One overload can match: compile its arguments once, check only what is unknown."""
        parts: list[tuple[Fn, int | None]] = []
        lazy: dict[int, _CompiledCode] = {}
        binder = self.binder(node, [signature])
        for index, arg in enumerate(node.args):
            if signature.is_lazy(index):
                lazy[index] = self.code(arg, binder)
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
            with numbers():
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
        binder = self.binder(node, candidates)
        codes = [self.code(arg, binder) for arg in node.args]
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

    def binder(self, node: Call, candidates: list[Signature]) -> Names | bool:
        """The names a call's lazy arguments see bound (False: it binds none)."""
        if not any(s.binds is not None for s in candidates):
            return False
        name = self.invariants.binder(node)
        return frozenset({name}) if isinstance(name, str) else None

    def code(self, node: Node, binder: Names | bool = False) -> _CompiledCode:
        if isinstance(node, Block):
            with self.binding(frozenset(node.params)):
                body = self.compile(node.body)
            return _CompiledCode(body, node.params, node.path, size(node.body))
        if binder is False:
            return _CompiledCode(self.compile(node), (), node.path, size(node))
        with self.binding(binder):  # type: ignore[arg-type]
            return _CompiledCode(self.compile(node), (), node.path, size(node))

    @contextmanager
    def binding(self, names: Names) -> Iterator[None]:
        self.binders.append(names)
        try:
            yield
        finally:
            self.binders.pop()

    def kv(self, node: Call) -> Fn:
        pairs: list[tuple[str, Fn]] = []
        for pair in node.args:
            if not isinstance(pair, Call) or len(pair.args) != 1:
                raise TalangTypeError('kv takes pairs ["Key", value]', pair.path, function="kv")
            pairs.append((pair.name, self.compile(pair.args[0])))

        def run(context: Context) -> object:
            return {key: value(context) for key, value in pairs}

        return run


def _reused(fn: Fn, site: int) -> Fn:
    """A loop-invariant part: evaluated on first use, then its value reused (the steps it
    took are charged again, so the step budget counts what the expression means)."""

    def run(context: Context) -> object:
        memo = context.memo
        known = memo.get(site)
        if known is None:
            steps = context.steps
            value = fn(context)
            memo[site] = (value, context.steps - steps)
            return value
        value, cost = known
        if cost:
            if context.steps + cost > context.max_steps:
                return fn(context)  # fails where evaluating it again would
            context.steps += cost
        return value

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
    """Every argument becomes a getter (checked only where its kind is not known to fit),
    then the call is specialised by arity like an unchecked one."""
    eager = iter(parts)
    getters: list[Fn] = []
    for index in range(len(node.args)):
        if index in lazy:
            getters.append(_constant(lazy[index]))
            continue
        fn, check = next(eager)
        if check is not None:
            fn = _checked(fn, check, signature, index, node.path)
        getters.append(fn)
    return _unchecked_call(signature, getters, node.path)


def _checked(fn: Fn, slot: int, signature: Signature, index: int, path: str) -> Fn:
    """``fn``'s value as the slot takes it, or a type error located at the call."""
    name = signature.name
    # The common case, a value whose exact type the slot takes as it is (a Decimal where a
    # Decimal is wanted), skips the general coercion.
    fast = _types_taken_as_is(slot)

    def convert(value: object) -> object:
        coerced = coerce(value, slot)
        if coerced is NO_MATCH:
            raise TalangTypeError(
                f"no overload of {name} takes {kind_of(value).describe()} as argument {index + 1}",
                path,
                function=name,
            )
        return coerced

    literal_path: tuple[tuple[str, ...], str] | None = getattr(fn, _PATH_ATTRIBUTE, None)
    if literal_path is not None:  # one closure reads the path and checks its value
        keys, where = literal_path
        return _path(keys, where, fast, convert)

    def get(context: Context) -> object:
        value = fn(context)
        if type(value) in fast:
            return value
        return convert(value)

    return get


def _types_taken_as_is(slot: int) -> frozenset[type]:
    """The exact types a slot takes without conversion (ints become Decimals: not these)."""
    return frozenset(
        value_type for value_type, mask in _MASKS.items() if mask & slot and value_type is not int
    )


_FAILURES = (ArithmeticError, ValueError, TypeError, IndexError, KeyError, RecursionError)
_UNCHECKED_RETURNS = (int(Kind.VALUE), int(Kind.ANY))
_DECIMAL = int(Kind.DECIMAL)
_MASKS: dict[type, int] = MASK_BY_TYPE  # exact types; subclasses go through mask_of


@dataclass(frozen=True, slots=True)
class _Site:
    """A call site of the hot path: what its errors and its result check need."""

    impl: Callable[..., object]
    name: str
    returns: int
    path: str

    @property
    def verify(self) -> bool:
        return self.returns not in _UNCHECKED_RETURNS

    def failure(self, error: Exception) -> TalangError:
        if isinstance(error, TalangError):
            return located(error, self.path, self.name)
        message = f"{self.name} failed: {type(error).__name__}"
        return TalangRuntimeError(message, self.path, function=self.name)

    def wrong(self, result: object) -> TalangTypeError:
        return TalangTypeError(
            f"{self.name} returned {kind_of(result).describe()}, "
            f"expected {Kind(self.returns).describe()}",
            self.path,
            function=self.name,
        )


def _unchecked_call(signature: Signature, fns: list[Fn], path: str) -> Fn:
    """The hot path: every argument's kind is known to fit, so none is checked at run time.
    Specialised by arity (a literal second argument is passed as its value); errors are
    located at this call; the result's kind is verified when the signature narrows it."""
    site = _Site(signature.impl, signature.name, signature.returns_mask, path)
    if len(fns) == 1:
        return _call_one(site, fns[0])
    if len(fns) == 2:  # noqa: PLR2004 - the common binary case
        constant = getattr(fns[1], "constant", _UNSET)
        if constant is not _UNSET and signature.with_constant is not None:
            return _call_with_constant(site, fns[0], signature.with_constant(constant))
        return _call_two(site, fns[0], fns[1], constant)
    if len(fns) == 3:  # noqa: PLR2004 - betweenTimes, addDuration, matchTime...
        return _call_three(site, *fns)
    return _call_many(site, fns)


def _call_one(site: _Site, first: Fn) -> Fn:
    impl, returns, verify = site.impl, site.returns, site.verify

    def run_one(context: Context) -> object:
        try:
            result = impl(context, first(context))
        except (TalangError, *_FAILURES) as error:
            raise site.failure(error) from None
        if verify and not (_MASKS.get(type(result)) or mask_of(result)) & returns:
            raise site.wrong(result)
        return result

    return run_one


def _call_with_constant(site: _Site, first: Fn, test: Callable[[object], object]) -> Fn:
    """``[">", path, 10]``: the signature's own function of the first argument."""
    read: _Read | None = getattr(first, _READ_ATTRIBUTE, None)
    if read is not None and len(read.keys) == 2:  # noqa: PLR2004 - Item.Price
        return _two_keys_with_constant(site, read, test)

    def run_with_constant(context: Context) -> object:
        try:
            return test(first(context))
        except (TalangError, *_FAILURES) as error:
            raise site.failure(error) from None

    return run_with_constant


def _two_keys_with_constant(site: _Site, read: _Read, test: Callable[[object], object]) -> Fn:
    """``[">", [".", "Item", "Price"], 10]`` in one closure: the rule builder's commonest
    condition, read and compared without a call in between."""
    (first, second), accept, finish, full = read.keys, read.accept, read.finish, read.full

    def run_two_keys_with_constant(context: Context) -> object:
        try:
            scope = context.scope
            value = scope.values.get(first)
            if value is None:
                value = _outer(scope, first)
            value = value.get(second) if type(value) is dict else None
            if value is None:
                value = full(context)
            elif type(value) not in accept:
                value = finish(value)
            return test(value)
        except (TalangError, *_FAILURES) as error:
            raise site.failure(error) from None

    return run_two_keys_with_constant


def _call_two(site: _Site, first: Fn, second: Fn, constant: object) -> Fn:
    impl, returns, verify = site.impl, site.returns, site.verify
    if constant is not _UNSET:

        def run_two_constant(context: Context) -> object:
            try:
                result = impl(context, first(context), constant)
            except (TalangError, *_FAILURES) as error:
                raise site.failure(error) from None
            if verify and not (_MASKS.get(type(result)) or mask_of(result)) & returns:
                raise site.wrong(result)
            return result

        return run_two_constant

    def run_two(context: Context) -> object:
        try:
            result = impl(context, first(context), second(context))
        except (TalangError, *_FAILURES) as error:
            raise site.failure(error) from None
        if verify and not (_MASKS.get(type(result)) or mask_of(result)) & returns:
            raise site.wrong(result)
        return result

    return run_two


def _call_three(site: _Site, first: Fn, second: Fn, third: Fn) -> Fn:
    impl, returns, verify = site.impl, site.returns, site.verify

    def run_three(context: Context) -> object:
        try:
            result = impl(context, first(context), second(context), third(context))
        except (TalangError, *_FAILURES) as error:
            raise site.failure(error) from None
        if verify and not (_MASKS.get(type(result)) or mask_of(result)) & returns:
            raise site.wrong(result)
        return result

    return run_three


def _call_many(site: _Site, fns: list[Fn]) -> Fn:
    impl, returns, verify = site.impl, site.returns, site.verify

    def run_many(context: Context) -> object:
        try:
            result = impl(context, *[fn(context) for fn in fns])
        except (TalangError, *_FAILURES) as error:
            raise site.failure(error) from None
        if verify and not mask_of(result) & returns:
            raise site.wrong(result)
        return result

    return run_many


def _call(
    impl: Callable[..., object],
    name: str,
    returns: int,
    context: Context,
    args: list[object] | tuple[object, ...],
    path: str,
) -> object:
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
    """Code for a lazy slot. Running it with bindings (a loop's body) costs its size in steps."""

    __slots__ = ("body", "params", "path", "size")

    def __init__(self, body: Fn, params: tuple[str, ...], path: str, size: int) -> None:
        self.body = body
        self.params = params
        self.path = path
        self.size = size

    def run(self, context: Context, bindings: dict[str, object] | None = None) -> object:
        if bindings is None:
            return self.body(context)
        context.tick(self.size)
        return context.run(self.body, bindings)

    def call(self, context: Context, *values: object) -> object:
        params = self.params
        if len(params) != len(values):
            raise TalangRuntimeError(
                f"the block takes {len(params)} parameters, given {len(values)}", self.path
            )
        return self.run(context, dict(zip(params, values, strict=True)))

    @contextmanager
    def loop(
        self, context: Context, name: str | None = None
    ) -> Iterator[Callable[[object], object]]:
        (param,) = self.params if name is None else (name,)
        body, cost = self.body, self.size
        # One scope for the whole loop, entered once, its parameter rebound per item: nothing
        # runs between two items, and nothing keeps a reference to the scope after its body
        # returns, so reusing it is safe and saves an allocation and a scope switch per item.
        values: dict[str, object] = {param: None}
        saved = context.scope
        scope = Scope(values, saved)

        def apply(value: object) -> object:
            context.steps += cost
            if context.steps > context.max_steps:
                context.tick(0)
            values[param] = value
            return body(context)

        context.scope = scope
        try:
            yield apply
        finally:
            context.scope = saved


class _Constant:
    """A literal's closure; the compiler reads ``constant`` to pass the value directly."""

    __slots__ = ("constant",)

    def __init__(self, value: object) -> None:
        self.constant = value

    def __call__(self, _: Context) -> object:
        return self.constant


def _constant(value: object) -> Fn:
    return _Constant(value)


_PATH_ATTRIBUTE = "talang_path"  # a literal path's closure carries (keys, path)
_READ_ATTRIBUTE = "talang_read"  # ... and how it reads (_Read)


def _path(
    keys: Sequence[str],
    path: str,
    fast: frozenset[type] | None = None,
    convert: Callable[[object], object] | None = None,
) -> Fn:
    """A literal path. The fast path finds the first key in the innermost scope that has it
    and walks the rest through dicts; anything else (missing, null, not a map) takes the full
    lookup through the scopes. With ``convert``, a value whose type is not in ``fast`` is
    converted (checked) before it is returned."""
    frozen = tuple(keys)
    # Without a check, every usual type is returned as it is (others pass through _as_is).
    accept = fast if convert is not None and fast is not None else frozenset(_MASKS)
    finish = convert or _as_is

    def full(context: Context) -> object:
        try:
            value = context.scope.resolve(frozen)
        except TalangError as error:
            raise located(error, path, ".") from None
        return value if type(value) in accept or convert is None else convert(value)

    read = _Read(frozen, accept, finish, full)
    build = _READERS.get(len(frozen), _read_keys)
    run = build(read)
    setattr(run, _PATH_ATTRIBUTE, (frozen, path))
    setattr(run, _READ_ATTRIBUTE, read)
    return run


@dataclass(frozen=True, slots=True)
class _Read:
    """How a literal path reads: its keys, the types it returns as they are, the conversion
    (check) of the others, and the full lookup when the fast walk finds nothing."""

    keys: tuple[str, ...]
    accept: frozenset[type]
    finish: Callable[[object], object]
    full: Fn


def _read_one_key(read: _Read) -> Fn:
    """``Now``, a lambda's parameter."""
    (first,), accept, finish, full = read.keys, read.accept, read.finish, read.full

    def run_one_key(context: Context) -> object:
        scope = context.scope
        value = scope.values.get(first)
        if value is None:
            value = _outer(scope, first)
            if value is None:
                return full(context)
        return value if type(value) in accept else finish(value)

    return run_one_key


def _read_two_keys(read: _Read) -> Fn:
    """``Item.Price``: the commonest read, without a loop."""
    (first, second), accept, finish, full = read.keys, read.accept, read.finish, read.full

    def run_two_keys(context: Context) -> object:
        scope = context.scope
        value = scope.values.get(first)
        if value is None:
            value = _outer(scope, first)
        value = value.get(second) if type(value) is dict else None
        if value is None:
            return full(context)
        return value if type(value) in accept else finish(value)

    return run_two_keys


def _read_three_keys(read: _Read) -> Fn:
    """``Item.Attributes.Color``."""
    (first, second, third), accept, finish = read.keys, read.accept, read.finish
    full = read.full

    def run_three_keys(context: Context) -> object:
        scope = context.scope
        value = scope.values.get(first)
        if value is None:
            value = _outer(scope, first)
        value = value.get(second) if type(value) is dict else None
        value = value.get(third) if type(value) is dict else None
        if value is None:
            return full(context)
        return value if type(value) in accept else finish(value)

    return run_three_keys


def _read_keys(read: _Read) -> Fn:
    first, rest = read.keys[0], read.keys[1:]
    accept, finish, full = read.accept, read.finish, read.full

    def run_keys(context: Context) -> object:
        scope = context.scope
        value = scope.values.get(first)
        if value is None:
            value = _outer(scope, first)
        for key in rest:
            if type(value) is not dict:
                return full(context)
            value = value.get(key)
        if value is None:
            return full(context)
        return value if type(value) in accept else finish(value)

    return run_keys


_READERS: dict[int, Callable[[_Read], Fn]] = {
    1: _read_one_key,
    2: _read_two_keys,
    3: _read_three_keys,
}


def _outer(scope: Scope, key: str) -> object:
    """``key`` from the nearest enclosing scope that has it (not null), else None."""
    parent = scope.parent
    while parent is not None:
        value = parent.values.get(key)
        if value is not None:
            return value
        parent = parent.parent
    return None


def _as_is(value: object) -> object:
    return value


def _connective(key: str, fns: list[Fn], path: str) -> Fn:
    """``and`` / ``or``, short-circuiting like their registry versions."""
    stop = key == "or"  # and stops at the first false, or at the first true

    def run(context: Context) -> object:
        for fn in fns:
            value = fn(context)
            if value is not True and value is not False:
                try:
                    value = truth(value, key)
                except TalangError as error:
                    raise located(error, path, key) from None
            if value is stop:
                return stop
        return not stop

    return run


def _catch(fallback: Fn, expression: Fn) -> Fn:
    def run(context: Context) -> object:
        try:
            return expression(context)
        except TalangLimitError:
            raise
        except TalangError:
            return fallback(context)

    return run


def _is_text(node: Node) -> bool:
    return isinstance(node, Literal) and isinstance(node.value, str)


def _exact(known: Kind, slot: Kind) -> bool:
    """A statically known kind fits the slot with nothing to convert."""
    return known & ~slot == 0 and not known & Kind.BLOCK
