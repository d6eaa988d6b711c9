"""What is known before running: the kinds an expression can have, the overloads a call can use.

Answers are memoized per node for one pass, so nested overloaded calls cost linear time.
"""

from __future__ import annotations

from perks.talang.kinds import Kind, kind_of, parse_time
from perks.talang.registry import FunctionRegistry, Signature
from perks.talang.syntax import Block, Call, Literal, Node

__all__ = ["Statics"]

_BLOCK, _STRING, _TIME = Kind.BLOCK.value, Kind.STRING.value, Kind.TIME.value


class Statics:
    def __init__(self, registry: FunctionRegistry) -> None:
        self.registry = registry
        self._kinds: dict[int, Kind] = {}
        self._overloads: dict[int, list[Signature]] = {}
        self._arity: dict[int, list[Signature]] = {}

    def kind(self, node: Node) -> Kind:
        """The kinds ``node`` may evaluate to (``Kind.VALUE`` when anything is possible)."""
        if isinstance(node, Literal):
            return kind_of(node.value)
        if isinstance(node, Block):
            return Kind.BLOCK
        known = self._kinds.get(id(node))
        if known is None:
            known = self._call_kind(node)
            self._kinds[id(node)] = known
        return known

    def _call_kind(self, node: Call) -> Kind:
        if node.key == "kv":
            return Kind.MAP
        kinds = Kind(0)
        for signature in self.overloads(node):
            kinds |= signature.returns
        return kinds & Kind.VALUE or Kind.VALUE

    def arity_candidates(self, node: Call) -> list[Signature]:
        known = self._arity.get(id(node))
        if known is None:
            count = len(node.args)
            known = [s for s in self.registry.overloads(node.key) if s.accepts_arity(count)]
            self._arity[id(node)] = known
        return known

    def overloads(self, node: Call) -> list[Signature]:
        """The overloads whose slots the arguments can fill, by what is known statically."""
        known = self._overloads.get(id(node))
        if known is None:
            known = [
                signature
                for signature in self.arity_candidates(node)
                if all(self.fits(signature, index, arg) for index, arg in enumerate(node.args))
            ]
            self._overloads[id(node)] = known
        return known

    def fits(self, signature: Signature, index: int, arg: Node) -> bool:
        slot = signature.slot_mask(index)  # plain ints: IntFlag arithmetic is slow
        if signature.is_lazy(index):
            if isinstance(arg, Block) or slot == _BLOCK:
                return True  # the checker judges blocks and lambda slots on their own
            slot &= ~_BLOCK  # a lazy value: evaluated later, of a known kind
        elif isinstance(arg, Block):
            return False
        known = self.kind(arg).value
        if known & slot:
            return True
        if known & _STRING and slot & _TIME:
            # A string fills a Time slot when it is an RFC 3339 timestamp.
            return not isinstance(arg, Literal) or parse_time(str(arg.value)) is not None
        return False
