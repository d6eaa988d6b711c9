"""One campaign on the state so far: its rules, once per candidate coupon of the session, and
what they produce (effects, counter deltas, redemptions, rule failures, rejected coupons)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from perks.domain.budgets import CounterKey, Subjects
from perks.domain.coupon_codes import normalized_code
from perks.domain.coupon_validation import (
    REDEEM_COUPON,
    CouponContext,
    CouponRejection,
    check_coupon,
)
from perks.domain.coupons import Coupon
from perks.domain.effects import EffectType
from perks.domain.evaluation._effects import RuleContext, apply_records, budget_deltas
from perks.domain.evaluation._state import EvaluationInput, RuleFailure, RunnableCampaign, State
from perks.domain.rule_bindings import (
    application_binding,
    coupon_binding,
    event_binding,
    profile_binding,
    session_binding,
)
from perks.domain.rules import RuleRun, run_rules

__all__ = ["Group", "candidates", "evaluate_campaign", "subjects_of"]

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Group:
    id: int | None = None
    mode: str | None = None


def subjects_of(inp: EvaluationInput, coupon: Coupon | None) -> Subjects:
    session = inp.session.session
    return Subjects(
        coupon=None if coupon is None else str(coupon.id),
        profile=session.profile_id or None,
        identifiers=session.identifiers,
        store=session.store_integration_id,
        session=session.integration_id,
    )


def candidates(inp: EvaluationInput, campaign_id: int) -> list[Coupon]:
    """The session's coupons of this campaign, in the session's order, each once."""
    found: dict[int, Coupon] = {}
    sensitivity = inp.settings.case_sensitivity
    for code in inp.session.session.coupon_codes:
        coupon = inp.coupons.get(normalized_code(code, sensitivity))
        if coupon is not None and coupon.campaign_id == campaign_id:
            found.setdefault(coupon.id, coupon)
    return list(found.values())


def _bindings(
    inp: EvaluationInput, run: RunnableCampaign, state: State, coupon: Coupon | None, valid: bool
) -> dict[str, object]:
    settings = inp.settings
    if not state.shared:
        state.shared.update(_shared_bindings(inp))
    bindings = dict(state.shared)
    if settings.cascading:  # later campaigns see what earlier ones discounted
        bindings["Session"] = session_binding(inp.session, state.remaining)
    bindings["Campaign"] = run.binding
    if coupon is not None:
        bindings["Coupon"] = coupon_binding(coupon, valid=valid)
    return bindings


def _may_half_apply(records: Sequence[Mapping[str, object]]) -> bool:
    """Whether a failing effect could leave an earlier discount of the same rule taken: only
    then does the rule need a copy of the ledger to fail on (a single effect fails before it
    takes anything)."""
    return len(records) > 1 and any(
        str(record["effectType"]).startswith("setDiscount") for record in records
    )


def _shared_bindings(inp: EvaluationInput) -> dict[str, object]:
    """The bindings that are the same for every campaign of one evaluation."""
    settings, view = inp.settings, inp.session
    shared: dict[str, object] = {
        "Session": session_binding(view, None),
        "Event": event_binding(settings.event_type, view, created=settings.now, attributes={}),
        "Application": application_binding(
            settings.application_id,
            settings.application_attributes,
            settings.additional_cost_ids,
        ),
        "Now": settings.now,
        "Timezone": settings.timezone,
    }
    if inp.profile is not None:
        shared["Profile"] = profile_binding(inp.profile)
    return shared


def _reason(inp: EvaluationInput, run: RunnableCampaign, coupon: Coupon) -> CouponRejection | None:
    settings = inp.settings
    counters = dict(inp.counters)
    return check_coupon(
        coupon,
        CouponContext(
            now=settings.now,
            timezone=settings.timezone,
            campaign_running=True,
            subjects=subjects_of(inp, coupon),
            campaign_limits=run.campaign.limits,
            counters=counters,
            reserved=coupon.id in inp.reserved_coupons,
        ),
    )


def _accepts(runs: list[RuleRun]) -> bool:
    return any(
        run.triggered and any(r.get("effectType") == EffectType.ACCEPT_COUPON for r in run.records)
        for run in runs
    )


def evaluate_campaign(
    inp: EvaluationInput, run: RunnableCampaign, state: State, group: Group
) -> bool:
    """Run the campaign on ``state`` (changed in place); True when it produced effects."""
    coupons = candidates(inp, run.campaign.id)
    attempts: list[tuple[Coupon | None, CouponRejection | None, list[RuleRun]]] = []
    tries: list[Coupon | None] = list(coupons) or [None]
    for candidate in tries:
        reason = None if candidate is None else _reason(inp, run, candidate)
        bindings = _bindings(inp, run, state, candidate, valid=reason is None)
        attempts.append((candidate, reason, run_rules(run.ruleset, bindings)))
    adopted = next((a for a in attempts if _accepts(a[2])), attempts[0])
    coupon, _, runs = adopted
    produced = _adopt(inp, run, state, group, coupon, runs)
    accepted = coupon.id if coupon is not None and coupon.id in state.redeemed else None
    for other, reason, other_runs in attempts:
        if other is not None and other.id != accepted:
            _reject(inp, run, state, group, _Rejected(other, reason, other_runs))
    if produced:
        state.triggered.append(run.campaign.id)
    return produced


def _adopt(
    inp: EvaluationInput,
    run: RunnableCampaign,
    state: State,
    group: Group,
    coupon: Coupon | None,
    runs: list[RuleRun],
) -> bool:
    produced = False
    subjects = subjects_of(inp, coupon)
    for position, rule in enumerate(runs):
        if not rule.triggered:
            state.failures.append(_failure(run, rule, coupon, group))
            continue
        counters = _with(inp.counters, state.deltas) if state.deltas else inp.counters
        context = RuleContext(
            inp,
            run,
            rule.index,
            rule.title,
            subjects,
            coupon,
            counters,
            group.id,
            group.mode,
            caps=state.caps,
            item_owners=state.item_owners,
        )
        trial = state.remaining.copy() if _may_half_apply(rule.records) else state.remaining
        applied = apply_records(rule.records, context, trial)
        if applied.failed_effect is not None:
            failed = RuleRun(rule.index, rule.title, False, failed_effect=applied.failed_effect)
            runs[position] = failed  # what the coupon's rejection reports
            state.failures.append(_failure(run, failed, coupon, group, applied.details))
            continue
        state.remaining = trial
        state.effects += applied.effects
        _merge(state.deltas, applied.deltas)
        produced = produced or bool(applied.effects)
        if coupon is not None and any(
            e.effect_type == EffectType.ACCEPT_COUPON for e in applied.effects
        ):
            state.redeemed.append(coupon.id)
            _merge(state.deltas, budget_deltas(context, REDEEM_COUPON, Decimal(1)))
    return produced


@dataclass(frozen=True, slots=True)
class _Rejected:
    """A candidate coupon the campaign did not accept, with its check and its rule runs."""

    coupon: Coupon
    reason: CouponRejection | None
    runs: list[RuleRun]


def _reject(
    inp: EvaluationInput, run: RunnableCampaign, state: State, group: Group, rejected: _Rejected
) -> None:
    coupon, reason, runs = rejected.coupon, rejected.reason, rejected.runs
    props: dict[str, object] = {"value": coupon.value}
    failed = next((r for r in runs if not r.triggered), None)
    rule_index, rule_name = (failed.index, failed.title) if failed else (0, "")
    if reason is None and failed is not None and failed.failed_effect is not None:
        reason = CouponRejection.EFFECT_COULD_NOT_BE_APPLIED
        props["effectIndex"] = failed.failed_effect
    elif reason is None:
        reason = CouponRejection.COUPON_REJECTED_BY_CONDITION
        if failed is not None and failed.failed_condition is not None:
            props["conditionIndex"] = failed.failed_condition
    props["rejectionReason"] = str(reason)
    subjects = subjects_of(inp, coupon)
    context = RuleContext(
        inp, run, rule_index, rule_name, subjects, coupon, {}, group.id, group.mode
    )
    state.effects.append(context.effect(EffectType.REJECT_COUPON, props))


def _failure(
    run: RunnableCampaign,
    rule: RuleRun,
    coupon: Coupon | None,
    group: Group,
    details: str | None = None,
) -> RuleFailure:
    return RuleFailure(
        campaign_id=run.campaign.id,
        campaign_name=run.campaign.name,
        ruleset_id=run.ruleset_id,
        rule_index=rule.index,
        rule_name=rule.title,
        coupon_id=None if coupon is None else coupon.id,
        coupon_value=None if coupon is None else coupon.value,
        condition_index=rule.failed_condition,
        effect_index=rule.failed_effect,
        details=details or rule.error,
        evaluation_group_id=group.id,
        evaluation_group_mode=group.mode,
    )


def _with(
    counters: Mapping[CounterKey, Decimal], deltas: Mapping[CounterKey, Decimal]
) -> dict[CounterKey, Decimal]:
    merged = dict(counters)
    _merge(merged, deltas)
    return merged


def _merge(into: dict[CounterKey, Decimal], deltas: Mapping[CounterKey, Decimal]) -> None:
    for key, delta in deltas.items():
        into[key] = into.get(key, ZERO) + delta
