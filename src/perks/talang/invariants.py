"""Which parts of an expression are the same on every item of a loop.

Inside a lambda (``["filter", items, [["Item"], body]]``) a sub-expression that reads none of
the names the enclosing lambdas bind, and calls only pure functions, has the same value for
every item: ``["subDuration", [".", "Now"], 30, "days"]`` in a date window, or
``["sum", [".", "Session", "CartItems"], ...]`` inside a per-item condition. The compiler
evaluates such a part once per evaluation, on first use (so a part that would fail still
fails where, and only if, it is reached), and reuses its value.

That is sound only while nothing writes the bindings during the evaluation: a program that
calls a function which ``mutates`` (``set``) is compiled without this.
"""

from __future__ import annotations

from perks.talang.registry import FunctionRegistry, Signature
from perks.talang.statics import Statics
from perks.talang.syntax import Block, Call, Literal, Node

__all__ = ["Invariants"]

# The names a node reads from the scopes around it; None when they cannot be known
# (a computed path key, a computed item name).
Names = frozenset[str] | None
_NONE: frozenset[str] = frozenset()


class Invariants:
    def __init__(self, registry: FunctionRegistry, statics: Statics) -> None:
        self.registry = registry
        self.statics = statics
        self._free: dict[int, Names] = {}
        self._pure: dict[int, bool] = {}

    def free(self, node: Node) -> Names:
        """The names ``node`` reads from enclosing scopes (its own lambdas' names excluded)."""
        if isinstance(node, Literal):
            return _NONE
        key = id(node)
        if key not in self._free:
            self._free[key] = self._free_names(node)
        return self._free[key]

    def _free_names(self, node: Node) -> Names:
        if isinstance(node, Block):
            inner = self.free(node.body)
            return None if inner is None else inner - set(node.params)
        assert isinstance(node, Call)
        if node.key == ".":
            first = node.args[0] if node.args else None
            if not all(isinstance(a, Literal) and isinstance(a.value, str) for a in node.args):
                return None
            return frozenset({first.value}) if isinstance(first, Literal) else _NONE  # type: ignore[arg-type]
        if node.key == "kv":
            return _union([self.free(pair.args[0]) for pair in node.args if isinstance(pair, Call)])
        binder = self.binder(node)
        names: list[Names] = []
        for index, arg in enumerate(node.args):
            free = self.free(arg)
            if binder is not _NO_BINDER and self._bound_in(node, index):
                if binder is None or free is None:
                    return None
                free = free - {binder}
            names.append(free)
        return _union(names)

    def binder(self, node: Call) -> str | object | None:
        """The item name a call binds for its lazy arguments (``["map", l, "x", body]``):
        the name, None when it is computed, ``_NO_BINDER`` when the call binds none."""
        indexes = {s.binds for s in self.statics.arity_candidates(node) if s.binds is not None}
        if not indexes:
            return _NO_BINDER
        if len(indexes) > 1:
            return None
        (index,) = indexes
        name = node.args[index] if index < len(node.args) else None
        return name.value if isinstance(name, Literal) and isinstance(name.value, str) else None

    def _bound_in(self, node: Call, index: int) -> bool:
        return any(
            s.binds is not None and s.is_lazy(index) for s in self.statics.arity_candidates(node)
        )

    def pure(self, node: Node) -> bool:
        """Every call in ``node`` is pure: its value depends on its arguments alone."""
        if isinstance(node, Literal):
            return True
        known = self._pure.get(id(node))
        if known is None:
            known = self._pure[id(node)] = self._all_pure(node)
        return known

    def _all_pure(self, node: Node) -> bool:
        if isinstance(node, Block):
            return self.pure(node.body)
        assert isinstance(node, Call)
        if node.key == "kv":
            return all(
                isinstance(pair, Call) and all(self.pure(arg) for arg in pair.args)
                for pair in node.args
            )
        if node.key != ".":
            candidates = self.statics.arity_candidates(node)
            if not candidates or not all(_pure(s) for s in candidates):
                return False
        return all(self.pure(arg) for arg in node.args)

    def mutates(self, node: Node) -> bool:
        """Whether anything in ``node`` may write the bindings (``set``)."""
        if isinstance(node, Literal):
            return False
        if isinstance(node, Block):
            return self.mutates(node.body)
        if any(s.mutates for s in self.registry.overloads(node.name)):
            return True
        return any(self.mutates(arg) for arg in node.args)


_NO_BINDER = object()


def _pure(signature: Signature) -> bool:
    return signature.pure and not signature.mutates


def _union(names: list[Names]) -> Names:
    if any(name is None for name in names):
        return None
    return frozenset().union(*names)  # type: ignore[arg-type]
