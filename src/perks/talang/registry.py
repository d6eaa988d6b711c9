"""The function registry: every Talang function with its overloads, documentation and example.

Functions are looked up case-insensitively and chosen by the kinds of their arguments. A slot
whose kinds include ``Block`` receives its argument unevaluated, as ``Code``; the function runs
it when and as often as it needs (``catch``, ``filter``, ``map``...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from perks.talang.kinds import Kind

__all__ = ["FunctionRegistry", "Signature", "Template"]

Impl = Callable[..., object]
# Given a constant second argument, a plain function of the first argument that returns what
# ``impl(context, first, constant)`` returns: the compiler's fast path for ``[">", path, 10]``.
WithConstant = Callable[[object], Callable[[object], object]]


@dataclass(frozen=True, slots=True)
class Signature:
    """One overload: ``name(params...)returns``; with ``variadic`` the last slot repeats."""

    name: str
    params: tuple[Kind, ...]
    returns: Kind
    impl: Impl
    family: str
    doc: str
    variadic: bool = False
    examples: tuple[tuple[object, object], ...] = ()
    # False when the result depends on more than the arguments (bindings, now, scope):
    # such calls are never folded into constants at compile time.
    pure: bool = True
    with_constant: WithConstant | None = None
    # How many parameters a block [[params], body] in a Block slot declares.
    block_params: int = 1
    # The index of the String argument that names the item its lazy arguments see
    # (["map", items, "x", body]): the compiler must know which names a body binds.
    binds: int | None = None
    # True when the function writes the evaluation's bindings (set): a program calling it is
    # compiled without loop-invariant reuse. A domain function that changes what paths read
    # must say so.
    mutates: bool = False
    # Derived: plain-int kind masks and laziness per declared slot, for the hot paths.
    masks: tuple[int, ...] = field(init=False, repr=False, compare=False)
    lazy: tuple[bool, ...] = field(init=False, repr=False, compare=False)
    returns_mask: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "masks", tuple(int(kind) for kind in self.params))
        object.__setattr__(self, "lazy", tuple(bool(kind & Kind.BLOCK) for kind in self.params))
        object.__setattr__(self, "returns_mask", int(self.returns))

    def accepts_arity(self, count: int) -> bool:
        fixed = len(self.params)
        return count >= fixed - 1 if self.variadic and fixed else count == fixed

    def slot(self, index: int) -> Kind:
        if index < len(self.params):
            return self.params[index]
        return self.params[-1]

    def slot_mask(self, index: int) -> int:
        masks = self.masks
        return masks[index] if index < len(masks) else masks[-1]

    def is_lazy(self, index: int) -> bool:
        lazy = self.lazy
        return lazy[index] if index < len(lazy) else lazy[-1]

    @property
    def any_lazy(self) -> bool:
        return any(self.lazy)

    def render(self) -> str:
        kinds = [_describe_slot(kind) for kind in self.params]
        if self.variadic and kinds:
            kinds[-1] += "..."
        return f"{self.name}({', '.join(kinds)}){self.returns.describe()}"


def _describe_slot(kind: Kind) -> str:
    """``Block`` for a lambda slot, ``lazy Value`` for one evaluated only when needed."""
    if kind & Kind.BLOCK and kind != Kind.BLOCK:
        return f"lazy {Kind(kind & ~Kind.BLOCK).describe()}"
    return kind.describe()


@dataclass(frozen=True, slots=True)
class Template:
    """A named expression for ``["!", name, args...]``; ``["#", "0"]`` is the first argument."""

    name: str
    arity: int
    body: object
    doc: str = ""


@dataclass
class FunctionRegistry:
    """Name (lower-cased) → overloads, in registration order; plus templates."""

    _functions: dict[str, list[Signature]] = field(default_factory=dict)
    _templates: dict[str, Template] = field(default_factory=dict)

    def add(self, signature: Signature) -> None:
        self._functions.setdefault(signature.name.lower(), []).append(signature)

    def function(
        self,
        name: str,
        params: tuple[Kind, ...],
        returns: Kind,
        *,
        family: str,
        doc: str,
        variadic: bool = False,
        examples: tuple[tuple[object, object], ...] = (),
        pure: bool = True,
        with_constant: WithConstant | None = None,
        binds: int | None = None,
        mutates: bool = False,
    ) -> Callable[[Impl], Impl]:
        """Register the decorated implementation ``impl(context, *args)`` as an overload."""

        def register(impl: Impl) -> Impl:
            self.add(
                Signature(
                    name=name,
                    params=params,
                    returns=returns,
                    impl=impl,
                    family=family,
                    doc=doc,
                    variadic=variadic,
                    examples=examples,
                    pure=pure,
                    with_constant=with_constant,
                    binds=binds,
                    mutates=mutates,
                )
            )
            return impl

        return register

    def overloads(self, name: str) -> tuple[Signature, ...]:
        return tuple(self._functions.get(name.lower(), ()))

    def signatures(self) -> Iterator[Signature]:
        for overloads in self._functions.values():
            yield from overloads

    def add_template(self, template: Template) -> None:
        self._templates[template.name.lower()] = template

    def template(self, name: str) -> Template | None:
        return self._templates.get(name.lower())

    def templates(self) -> tuple[Template, ...]:
        return tuple(self._templates.values())

    def copy(self) -> FunctionRegistry:
        """An independent registry to extend (the domain adds its vocabulary to a copy)."""
        return FunctionRegistry(
            {name: list(overloads) for name, overloads in self._functions.items()},
            dict(self._templates),
        )
