"""Rulesets: a campaign's rules, as immutable revisions checked and compiled when saved.

``RulesetSpec`` is Talon.One's ``NewRuleset``: rules ``[{title, description, bindings,
condition, effects}]`` plus ruleset-wide bindings. Every Talang expression in it is checked
against the rule vocabulary, and every problem is reported at its JSON pointer into the
request (``/rules/2/condition/1``); a ruleset that checks is compiled once, here.

Bindings are evaluated in order and visible by name: a ruleset binding to every rule and to
the bindings after it, a rule binding to its rule's later bindings, condition and effects.
``effects`` is a list of expressions; a list whose first element is a function name is one
expression (Talon.One's own example writes ``effects: ["catch", ["noop"], [...]]``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from perks import talang
from perks.domain.errors import InvalidInput, Problem

__all__ = [
    "Binding",
    "CompiledRule",
    "CompiledRuleset",
    "Rule",
    "Ruleset",
    "RulesetSpec",
    "check_ruleset",
    "compile_ruleset",
    "condition_parts",
    "effect_expressions",
]


@dataclass(frozen=True, slots=True)
class Binding:
    """``Binding``: a name bound to the value of a Talang expression during evaluation."""

    name: str
    expression: object
    type: str | None = None
    value_type: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    attribute_id: int | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """``Rule``: when ``condition`` holds, ``effects`` apply."""

    title: str
    condition: object
    effects: object
    description: str = ""
    bindings: tuple[Binding, ...] = ()
    id: str | None = None
    parent_id: str | None = None


@dataclass(frozen=True, slots=True)
class RulesetSpec:
    """``NewRuleset``."""

    rules: tuple[Rule, ...]
    bindings: tuple[Binding, ...] = ()
    strikethrough_rules: tuple[Rule, ...] = ()
    rb_version: str | None = None
    activate: bool = False


@dataclass(frozen=True, slots=True)
class Ruleset(RulesetSpec):
    """``Ruleset``: a saved revision of a campaign's rules (never changed once saved)."""

    id: int = 0
    campaign_id: int = 0
    created: datetime | None = None
    activated_at: datetime | None = None

    @classmethod
    def from_spec(
        cls,
        spec: RulesetSpec,
        *,
        id: int,
        campaign_id: int,
        created: datetime,
        activated_at: datetime | None = None,
    ) -> Ruleset:
        values = {f.name: getattr(spec, f.name) for f in fields(RulesetSpec)}
        return cls(
            **values, id=id, campaign_id=campaign_id, created=created, activated_at=activated_at
        )


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """``conditions`` are the arguments of the condition's top-level ``and``, compiled one by
    one so that a run knows which one failed (``conditionIndex``); any other condition is one."""

    title: str
    bindings: tuple[tuple[str, talang.Program], ...]
    condition: talang.Program
    effects: tuple[talang.Program, ...]
    conditions: tuple[talang.Program, ...] = ()


@dataclass(frozen=True, slots=True)
class CompiledRuleset:
    """A ruleset ready to run: its bindings and rules as compiled programs."""

    bindings: tuple[tuple[str, talang.Program], ...]
    rules: tuple[CompiledRule, ...]
    strikethrough_rules: tuple[CompiledRule, ...]


def condition_parts(condition: object) -> list[object]:
    """The conditions a rule's condition lists: the arguments of a top-level ``and`` (as the
    rule builder writes them), else the condition itself."""
    if (
        isinstance(condition, list | tuple)
        and len(condition) > 1
        and isinstance(condition[0], str)
        and condition[0].lower() == "and"
    ):
        return list(condition[1:])
    return [condition]


def effect_expressions(effects: object) -> list[tuple[str, object]]:
    """The effect expressions of a rule, each with its pointer below ``/effects``."""
    if isinstance(effects, list | tuple) and effects and isinstance(effects[0], str):
        return [("", effects)]
    if isinstance(effects, list | tuple):
        return [(f"/{index}", effect) for index, effect in enumerate(effects)]
    return [("", effects)]


@dataclass(frozen=True, slots=True)
class _Expression:
    pointer: str
    expr: object
    names: frozenset[str]  # the binding names visible to it


def _expressions(spec: RulesetSpec) -> Iterator[_Expression]:
    """Every Talang expression of the ruleset, in evaluation order, with what it may read."""
    visible: frozenset[str] = frozenset()
    for index, binding in enumerate(spec.bindings):
        yield _Expression(f"/bindings/{index}/expression", binding.expression, visible)
        visible |= {binding.name}
    for group, rules in (("rules", spec.rules), ("strikethroughRules", spec.strikethrough_rules)):
        for index, rule in enumerate(rules):
            yield from _rule_expressions(rule, f"/{group}/{index}", visible)


def _rule_expressions(rule: Rule, base: str, visible: frozenset[str]) -> Iterator[_Expression]:
    for index, binding in enumerate(rule.bindings):
        yield _Expression(f"{base}/bindings/{index}/expression", binding.expression, visible)
        visible |= {binding.name}
    yield _Expression(f"{base}/condition", rule.condition, visible)
    for pointer, effect in effect_expressions(rule.effects):
        yield _Expression(f"{base}/effects{pointer}", effect, visible)


def check_ruleset(
    spec: RulesetSpec,
    registry: talang.FunctionRegistry,
    schema: Mapping[str, object] | None = None,
) -> list[Problem]:
    """Every problem of the ruleset at once: its Talang diagnostics, located in the request,
    and binding names that repeat."""
    problems = _binding_name_problems(spec)
    for expression in _expressions(spec):
        scoped = _with_names(schema, expression.names)
        for diagnostic in talang.check(expression.expr, registry=registry, schema=scoped):
            problems.append(
                Problem(
                    title="invalid rule",
                    details=diagnostic.message,
                    location=expression.pointer + diagnostic.path,
                )
            )
    return problems


def compile_ruleset(
    spec: RulesetSpec,
    registry: talang.FunctionRegistry,
    schema: Mapping[str, object] | None = None,
) -> CompiledRuleset:
    """Check, then compile; ``InvalidInput`` lists every problem when it does not check."""
    problems = check_ruleset(spec, registry, schema)
    if problems:
        raise InvalidInput(problems)

    def program(expr: object) -> talang.Program:
        return talang.compile(expr, registry=registry)

    def rule(compiled: Rule) -> CompiledRule:
        return CompiledRule(
            title=compiled.title,
            bindings=tuple((b.name, program(b.expression)) for b in compiled.bindings),
            condition=program(compiled.condition),
            effects=tuple(program(expr) for _, expr in effect_expressions(compiled.effects)),
            conditions=tuple(program(expr) for expr in condition_parts(compiled.condition)),
        )

    return CompiledRuleset(
        bindings=tuple((b.name, program(b.expression)) for b in spec.bindings),
        rules=tuple(rule(r) for r in spec.rules),
        strikethrough_rules=tuple(rule(r) for r in spec.strikethrough_rules),
    )


def _with_names(
    schema: Mapping[str, object] | None, names: frozenset[str]
) -> Mapping[str, object] | None:
    if schema is None or not names:
        return schema
    return {**schema, **dict.fromkeys(names)}


def _binding_name_problems(spec: RulesetSpec) -> list[Problem]:
    problems: list[Problem] = []
    scopes: list[tuple[str, Sequence[Binding]]] = [("", spec.bindings)]
    for group, rules in (("rules", spec.rules), ("strikethroughRules", spec.strikethrough_rules)):
        scopes += [(f"/{group}/{i}", rule.bindings) for i, rule in enumerate(rules)]
    for base, bindings in scopes:
        seen: set[str] = set()
        for index, binding in enumerate(bindings):
            if not binding.name:
                problems.append(
                    Problem(
                        "invalid binding", "a binding needs a name", f"{base}/bindings/{index}/name"
                    )
                )
            elif binding.name in seen:
                problems.append(
                    Problem(
                        "invalid binding",
                        f"the binding {binding.name!r} is defined twice",
                        f"{base}/bindings/{index}/name",
                    )
                )
            seen.add(binding.name)
    return problems
