"""Templates: ``["!", "name", args...]`` expands to the template's body with ``["#", "i"]``
replaced by the i-th argument. Expansion is syntactic and happens before checking."""

from __future__ import annotations

from perks.talang.errors import TalangLimitError, TalangSyntaxError
from perks.talang.registry import FunctionRegistry
from perks.talang.syntax import Block, Call, Literal, Node, parse

__all__ = ["MAX_EXPANSIONS", "expand"]

MAX_EXPANSIONS = 1000
_MAX_TEMPLATE_DEPTH = 16


def expand(node: Node, registry: FunctionRegistry) -> Node:
    return _Expander(registry).node(node, (), 0)


class _Expander:
    def __init__(self, registry: FunctionRegistry) -> None:
        self.registry = registry
        self.expansions = 0

    def node(self, node: Node, arguments: tuple[Node, ...], depth: int) -> Node:
        if isinstance(node, Literal):
            return node
        if isinstance(node, Block):
            return Block(node.params, self.node(node.body, arguments, depth), node.path)
        if node.key == "#":
            return self.parameter(node, arguments, depth)
        args = tuple(self.node(arg, arguments, depth) for arg in node.args)
        if node.key == "!":
            return self.template(Call(node.name, args, node.path), depth)
        return Call(node.name, args, node.path)

    def parameter(self, node: Call, arguments: tuple[Node, ...], depth: int) -> Node:
        if depth == 0:
            raise TalangSyntaxError("# is only meaningful inside a template", node.path)
        index = node.args[0].value if node.args and isinstance(node.args[0], Literal) else None
        position = _index(index)
        if position is None or position >= len(arguments):
            raise TalangSyntaxError(f"the template has no argument {index!r}", node.path)
        return arguments[position]

    def template(self, call: Call, depth: int) -> Node:
        if not call.args or not isinstance(call.args[0], Literal):
            raise TalangSyntaxError("! needs a template name", call.path)
        name = str(call.args[0].value)
        template = self.registry.template(name)
        if template is None:
            raise TalangSyntaxError(f"unknown template {name!r}", call.path)
        arguments = call.args[1:]
        if len(arguments) != template.arity:
            raise TalangSyntaxError(
                f"template {name} takes {template.arity} arguments, got {len(arguments)}",
                call.path,
            )
        self.expansions += 1
        if self.expansions > MAX_EXPANSIONS or depth >= _MAX_TEMPLATE_DEPTH:
            raise TalangLimitError("templates expand too many times (a cycle?)", call.path)
        body = _relocated(parse(template.body), call.path)
        return self.node(body, arguments, depth + 1)


def _index(value: object) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() else None


def _relocated(node: Node, path: str) -> Node:
    """Template bodies report errors at the ``!`` call that expanded them."""
    if isinstance(node, Literal):
        return Literal(node.value, path)
    if isinstance(node, Block):
        return Block(node.params, _relocated(node.body, path), path)
    return Call(node.name, tuple(_relocated(arg, path) for arg in node.args), path)
