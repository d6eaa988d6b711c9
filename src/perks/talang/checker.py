"""The checker: every problem of an expression at once, each with its JSON pointer.

It never raises on user input. It reports unknown functions, wrong argument counts, arguments
whose kinds no overload takes, blocks where values are expected (and the reverse), malformed
``kv`` pairs, and, given a schema, paths into bindings that do not exist.
"""

from __future__ import annotations

from collections.abc import Mapping

from perks.talang.errors import Diagnostic, TalangLimitError, TalangSyntaxError
from perks.talang.kinds import Kind
from perks.talang.registry import FunctionRegistry
from perks.talang.statics import Statics
from perks.talang.syntax import Block, Call, Literal, Node, parse
from perks.talang.templates import expand

__all__ = ["Schema", "check_expression", "check_node"]

# A schema describes the bindings: a mapping of names to nested schemas, or to ``None`` where
# anything goes (custom attributes, free-form maps). Lambda parameters are always known.
Schema = Mapping[str, object]


def check_expression(
    expr: object,
    registry: FunctionRegistry,
    schema: Schema | None = None,
    statics: Statics | None = None,
) -> tuple[Node | None, list[Diagnostic]]:
    """Parse, expand templates and check; the node is None when it does not even parse.
    ``statics`` (what is known of the tree) can be shared with the compiler that follows."""
    try:
        node = expand(parse(expr), registry)
    except (TalangSyntaxError, TalangLimitError) as error:
        return None, [Diagnostic(error.path, error.message, function=error.function)]
    return node, check_node(node, registry, schema, statics)


def check_node(
    node: Node,
    registry: FunctionRegistry,
    schema: Schema | None = None,
    statics: Statics | None = None,
) -> list[Diagnostic]:
    checker = _Checker(registry, schema, statics or Statics(registry))
    checker.node(node, frozenset())
    return checker.diagnostics


class _Checker:
    def __init__(self, registry: FunctionRegistry, schema: Schema | None, statics: Statics) -> None:
        self.registry = registry
        self.schema = schema
        self.statics = statics
        self.diagnostics: list[Diagnostic] = []

    def report(self, node: Node, message: str, **details: str | None) -> None:
        self.diagnostics.append(Diagnostic(node.path, message, **details))

    def node(self, node: Node, scope: frozenset[str]) -> None:
        if isinstance(node, Literal):
            return
        if isinstance(node, Block):
            self.report(node, "a block [[params], body] is only allowed as a lambda", found="Block")
            self.node(node.body, scope | set(node.params))
            return
        if node.key == "kv":
            self.kv(node, scope)
            return
        if node.key == "." and self.schema is not None:
            self.path(node, scope)
        self.call(node, scope)

    def call(self, node: Call, scope: frozenset[str]) -> None:
        overloads = self.registry.overloads(node.name)
        for index, arg in enumerate(node.args):
            self.argument(node, index, arg, scope)
        if not overloads:
            self.report(node, f"unknown function {node.name!r}", function=node.name)
            return
        if not self.statics.arity_candidates(node):
            arities = sorted({_arity(s.params, s.variadic) for s in overloads})
            self.report(
                node,
                f"{node.name} takes {' or '.join(arities)} arguments, found {len(node.args)}",
                function=node.name,
                expected=" | ".join(s.render() for s in overloads),
                found=str(len(node.args)),
            )
            return
        if not self.statics.overloads(node):
            found = ", ".join(self.statics.kind(a).describe() for a in node.args)
            self.report(
                node,
                f"no overload of {node.name} takes ({found})",
                function=node.name,
                expected=" | ".join(s.render() for s in overloads),
                found=f"({found})",
            )

    def argument(self, call: Call, index: int, arg: Node, scope: frozenset[str]) -> None:
        """Check an argument; blocks are only legal where every overload takes code."""
        if not isinstance(arg, Block):
            if self.wants_block(call, index) and not isinstance(arg, Block):
                self.report(
                    arg,
                    f"{call.name} takes a block [[param], body] here",
                    function=call.name,
                    expected="Block",
                    found=self.statics.kind(arg).describe(),
                )
            self.node(arg, scope)
            return
        takes_block = [
            s for s in self.statics.arity_candidates(call) if s.slot(index) == Kind.BLOCK
        ]
        if not takes_block and self.registry.overloads(call.name):
            self.report(
                arg,
                f"{call.name} takes a value here, not a block",
                function=call.name,
                found="Block",
            )
        params = {s.block_params for s in takes_block}
        if takes_block and len(arg.params) not in params:
            counts = " or ".join(str(count) for count in sorted(params))
            self.report(
                arg,
                f"the block of {call.name} takes {counts} parameter(s), found {len(arg.params)}",
                function=call.name,
                expected=f"[[{counts} parameter(s)], body]",
                found=str(len(arg.params)),
            )
        self.node(arg.body, scope | set(arg.params))

    def wants_block(self, call: Call, index: int) -> bool:
        candidates = self.statics.arity_candidates(call)
        return bool(candidates) and all(s.slot(index) == Kind.BLOCK for s in candidates)

    def kv(self, node: Call, scope: frozenset[str]) -> None:
        for pair in node.args:
            if not isinstance(pair, Call) or len(pair.args) != 1:
                self.report(pair, 'kv takes pairs ["Key", value]', function="kv")
                continue
            self.node(pair.args[0], scope)

    def path(self, node: Call, scope: frozenset[str]) -> None:
        keys: list[str] = []
        for arg in node.args:
            if not (isinstance(arg, Literal) and isinstance(arg.value, str)):
                return  # a computed key: nothing to check statically
            keys.append(arg.value)
        if not keys or keys[0] in scope or self.schema is None:
            return
        current: object = self.schema
        for depth, key in enumerate(keys):
            if not isinstance(current, Mapping):
                return
            if key not in current:
                where = ".".join(keys[:depth]) or "the bindings"
                self.report(node, f"{where} has no {key!r}", function=".", found=".".join(keys))
                return
            current = current[key]


def _arity(params: tuple[Kind, ...], variadic: bool) -> str:
    return f"{len(params) - 1}+" if variadic else str(len(params))
