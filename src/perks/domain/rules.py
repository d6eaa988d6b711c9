"""Running a campaign's compiled ruleset against one set of bindings (semantics §1.10, §1.11).

The ruleset's bindings are evaluated once, in order, each seeing the ones before. Then every
rule runs top to bottom on its own: its bindings, its conditions in order (the first that is
not true stops the rule and is its ``conditionIndex``), then its effects in order. Effects
append their records to the ``Effects`` list; a rule's records start with what its
conditions appended (``acceptCoupon``). A rule whose condition fails keeps no record, and a
rule one of whose effects fails keeps none either (``effectIndex``: the coupon's
``EffectCouldNotBeApplied``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from perks import talang
from perks.domain.rulesets import CompiledRule, CompiledRuleset

__all__ = ["EFFECTS", "RuleRun", "run_rules"]

EFFECTS = "Effects"  # the binding effect functions append their records to


@dataclass(frozen=True, slots=True)
class RuleRun:
    """What one rule did: its records when it triggered, else where and why it stopped."""

    index: int
    title: str
    triggered: bool
    records: tuple[Mapping[str, object], ...] = ()
    failed_condition: int | None = None
    failed_effect: int | None = None
    error: str | None = None  # the Talang error that stopped it, if one did


def run_rules(ruleset: CompiledRuleset, bindings: Mapping[str, object]) -> list[RuleRun]:
    """Every rule of ``ruleset``, in order, on ``bindings`` (the engine's, without
    ``Effects``, which each rule gets afresh)."""
    scope = dict(bindings)
    with talang.evaluations() as run:
        try:
            for name, program in ruleset.bindings:
                scope[name] = run(program, {**scope, EFFECTS: []})
        except talang.TalangError as error:
            message = f"ruleset binding: {error}"
            return [
                RuleRun(index, rule.title, triggered=False, error=message)
                for index, rule in enumerate(ruleset.rules)
            ]
        return [_run(run, index, rule, scope) for index, rule in enumerate(ruleset.rules)]


def _run(
    run: talang.Evaluate, index: int, rule: CompiledRule, scope: Mapping[str, object]
) -> RuleRun:
    records: list[Mapping[str, object]] = []
    local: dict[str, object] = {**scope, EFFECTS: records}
    try:
        for name, program in rule.bindings:
            local[name] = run(program, local)
    except talang.TalangError as error:
        return RuleRun(index, rule.title, triggered=False, error=f"rule binding: {error}")
    for position, condition in enumerate(rule.conditions or (rule.condition,)):
        try:
            holds = run(condition, local) is True
        except talang.TalangError as error:
            return RuleRun(
                index, rule.title, triggered=False, failed_condition=position, error=str(error)
            )
        if not holds:
            return RuleRun(index, rule.title, triggered=False, failed_condition=position)
    for position, effect in enumerate(rule.effects):
        try:
            run(effect, local)
        except talang.TalangError as error:
            return RuleRun(
                index, rule.title, triggered=False, failed_effect=position, error=str(error)
            )
    return RuleRun(index, rule.title, triggered=True, records=tuple(records))
