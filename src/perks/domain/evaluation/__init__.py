"""One evaluation of a customer session: the campaigns running at ``now``, walked through the
application's evaluation tree, each group by its mode, each campaign's rules once per
candidate coupon, and what it all produces (semantics §1.10, §4.1 to §4.5).

Pure: everything arrives in ``EvaluationInput`` (the stored counters included) and everything
leaves in ``Evaluation``: the effects in order, the rule failure reasons, the counter deltas a
close commits, the coupons it redeems and the campaigns that triggered.

Group modes: ``stackable`` runs every member; ``listOrder`` stops at the first member that
produces effects; ``lowestDiscount`` / ``highestDiscount`` try every member on the state at
the group's start and keep the one whose discounts are the lowest / highest (the first on a
tie), the others' coupons being rejected as ``CouponPartOfNotTriggeredCampaign``. In a group
of the ``cartItem`` scope the mode is decided per cart item: every item's per-item discounts
come from one campaign, while the members' other effects stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal

from perks.domain.budgets import CounterChange, CounterKey
from perks.domain.campaigns import CampaignState, FrontendState, frontend_state
from perks.domain.coupon_codes import normalized_code
from perks.domain.coupon_validation import CouponRejection
from perks.domain.discounts import Remaining
from perks.domain.effects import PER_ITEM_DISCOUNTS, Effect, EffectType, granted_total
from perks.domain.evaluation._campaign import Group, candidates, evaluate_campaign, subjects_of
from perks.domain.evaluation._effects import line_of
from perks.domain.evaluation._state import (
    EvaluationInput,
    RuleFailure,
    RunnableCampaign,
    Settings,
    State,
)
from perks.domain.evaluation_groups import EvaluationMode, EvaluationScope, GroupNode

__all__ = [
    "Evaluation",
    "EvaluationInput",
    "RuleFailure",
    "RunnableCampaign",
    "Settings",
    "evaluate",
    "is_running",
    "subjects_of",
]

NOT_FOUND_CAMPAIGN = -1
_EXCLUSION = {
    EvaluationMode.LIST_ORDER: "CampaignNotEvaluatedBecauseOfListOrder",
    EvaluationMode.LOWEST_DISCOUNT: "CampaignGaveHigherDiscount",
    EvaluationMode.HIGHEST_DISCOUNT: "CampaignGaveLowerDiscount",
}


@dataclass(frozen=True, slots=True)
class Evaluation:
    effects: tuple[Effect, ...]
    rule_failures: tuple[RuleFailure, ...]
    deltas: dict[CounterKey, Decimal]
    redeemed_coupons: tuple[int, ...]
    triggered_campaigns: tuple[int, ...]
    caps: dict[CounterKey, Decimal] = field(default_factory=dict)

    def changes(self) -> list[CounterChange]:
        """What closing the session commits: every delta, bound by its limit."""
        return [
            CounterChange(key, delta, self.caps.get(key))
            for key, delta in sorted(self.deltas.items())
        ]


def is_running(run: RunnableCampaign, inp: EvaluationInput) -> bool:
    """Enabled and within its schedule at ``now`` in one of its linked stores (any store when
    it links none); in a dry run with ``evaluableCampaignIds``, exactly those campaigns that
    are not archived, whatever their state."""
    campaign = run.campaign
    if inp.evaluable_campaign_ids is not None:
        return campaign.id in inp.evaluable_campaign_ids and (
            campaign.state is not CampaignState.ARCHIVED
        )
    if frontend_state(campaign, inp.settings.now) is not FrontendState.RUNNING:
        return False
    if not campaign.linked_store_ids:
        return True
    store = inp.session.session.store_integration_id
    return store is not None and inp.settings.store_ids.get(store) in campaign.linked_store_ids


def evaluate(inp: EvaluationInput) -> Evaluation:
    settings, session = inp.settings, inp.session.session
    remaining = Remaining.of(
        session.cart_items,
        dict(session.additional_costs),
        currency=settings.currency,
        flattened=settings.flattened,
    )
    state = State(remaining=remaining)
    runnable = {i: run for i, run in inp.campaigns.items() if is_running(run, inp)}
    _walk(inp.tree, inp, runnable, state)
    _reject_unmatched(inp, runnable, state)
    return Evaluation(
        effects=tuple(state.effects),
        rule_failures=tuple(state.failures),
        deltas=dict(state.deltas),
        caps=dict(state.caps),
        redeemed_coupons=tuple(state.redeemed),
        triggered_campaigns=tuple(state.triggered),
    )


def _walk(
    node: GroupNode, inp: EvaluationInput, runnable: dict[int, RunnableCampaign], state: State
) -> bool:
    mode = node.group.evaluation_mode
    group = Group(node.group.id, str(mode))
    members = [m for m in node.elements if isinstance(m, GroupNode) or m in runnable]
    if node.group.evaluation_scope is EvaluationScope.CART_ITEM and (
        mode is not EvaluationMode.STACKABLE
    ):
        return _per_item(members, mode, inp, runnable, state, group)
    if mode is EvaluationMode.STACKABLE:
        produced = False
        for member in members:
            produced = _member(member, inp, runnable, state, group) or produced
        return produced
    if mode is EvaluationMode.LIST_ORDER:
        for index, member in enumerate(members):
            if _member(member, inp, runnable, state, group):
                for later in members[index + 1 :]:
                    _exclude(later, inp, runnable, state, group, _EXCLUSION[mode])
                return True
        return False
    return _best(members, mode, inp, runnable, state, group)


def _best(
    members: list[GroupNode | int],
    mode: EvaluationMode,
    inp: EvaluationInput,
    runnable: dict[int, RunnableCampaign],
    state: State,
    group: Group,
) -> bool:
    """lowestDiscount / highestDiscount: each member tried on the group's starting state."""
    start = state.copy()
    base = start.discount_total()
    tried: list[tuple[GroupNode | int, State, Decimal]] = []
    for member in members:
        trial = start.copy()
        if _member(member, inp, runnable, trial, group):
            tried.append((member, trial, trial.discount_total() - base))
    if not tried:
        for member in members:  # nothing triggered: keep what each reported
            _member(member, inp, runnable, state, group)
        return False
    pick = min if mode is EvaluationMode.LOWEST_DISCOUNT else max
    winner = pick(tried, key=lambda entry: entry[2])  # the first on a tie
    for part in fields(State):
        setattr(state, part.name, getattr(winner[1], part.name))
    for member, _, _ in tried:
        if member is not winner[0]:
            _exclude(member, inp, runnable, state, group, _EXCLUSION[mode])
    return True


def _per_item(
    members: list[GroupNode | int],
    mode: EvaluationMode,
    inp: EvaluationInput,
    runnable: dict[int, RunnableCampaign],
    state: State,
    group: Group,
) -> bool:
    """A group of the cartItem scope: its mode is decided per cart item. Each campaign is
    tried on the group's starting state; every item's per-item discounts then come from one
    campaign only (the first that discounts it, or the one that discounts it most or least),
    while effects that are not per item apply from every member, as in a stackable group."""
    start = state.copy()
    offers: dict[tuple[int, int | None], list[tuple[int, int, Decimal]]] = {}
    for order, member in enumerate(members):
        if isinstance(member, GroupNode):
            continue  # a nested group decides for itself
        trial = start.copy()
        trial.item_owners = None
        before = len(trial.effects)
        evaluate_campaign(inp, runnable[member], trial, group)
        for effect in trial.effects[before:]:
            if effect.effect_type in PER_ITEM_DISCOUNTS and effect.campaign_id == member:
                line = line_of(effect.props, inp.settings.flattened)
                offers.setdefault(line, []).append((order, member, granted_total(effect)))
    outer = state.item_owners
    state.item_owners = {**(outer or {}), **{line: _owner(mode, o) for line, o in offers.items()}}
    produced = False
    for member in members:
        produced = _member(member, inp, runnable, state, group) or produced
    state.item_owners = outer
    return produced


def _owner(mode: EvaluationMode, offers: list[tuple[int, int, Decimal]]) -> int:
    """The campaign that discounts an item: the first in list order, or the highest or lowest
    discount (the earlier campaign on a tie)."""
    if mode is EvaluationMode.LIST_ORDER:
        return min(offers)[1]
    if mode is EvaluationMode.HIGHEST_DISCOUNT:
        return min(offers, key=lambda offer: (-offer[2], offer[0]))[1]
    return min(offers, key=lambda offer: (offer[2], offer[0]))[1]


def _member(
    member: GroupNode | int,
    inp: EvaluationInput,
    runnable: dict[int, RunnableCampaign],
    state: State,
    group: Group,
) -> bool:
    if isinstance(member, GroupNode):
        return _walk(member, inp, runnable, state)
    return evaluate_campaign(inp, runnable[member], state, group)


def _exclude(
    member: GroupNode | int,
    inp: EvaluationInput,
    runnable: dict[int, RunnableCampaign],
    state: State,
    group: Group,
    exclusion: str,
) -> None:
    """Reject the coupons of campaigns the group's mode left out."""
    ids = _campaigns(member) if isinstance(member, GroupNode) else [member]
    for campaign_id in ids:
        run = runnable.get(campaign_id)
        if run is None:
            continue
        for coupon in candidates(inp, campaign_id):
            state.effects.append(
                Effect(
                    campaign_id=campaign_id,
                    ruleset_id=run.ruleset_id,
                    rule_index=0,
                    rule_name="",
                    effect_type=str(EffectType.REJECT_COUPON),
                    props={
                        "value": coupon.value,
                        "rejectionReason": str(
                            CouponRejection.COUPON_PART_OF_NOT_TRIGGERED_CAMPAIGN
                        ),
                        "campaignExclusionReason": exclusion,
                    },
                    triggered_by_coupon=coupon.id,
                    evaluation_group_id=group.id,
                    evaluation_group_mode=group.mode,
                )
            )


def _campaigns(node: GroupNode) -> list[int]:
    found: list[int] = []
    for element in node.elements:
        found += _campaigns(element) if isinstance(element, GroupNode) else [element]
    return found


def _reject_unmatched(
    inp: EvaluationInput, runnable: dict[int, RunnableCampaign], state: State
) -> None:
    """Codes that name no coupon, or a coupon of a campaign that is not running."""
    sensitivity = inp.settings.case_sensitivity
    for code in dict.fromkeys(inp.session.session.coupon_codes):
        coupon = inp.coupons.get(normalized_code(code, sensitivity))
        if coupon is not None and coupon.campaign_id in runnable:
            continue
        reason = (
            CouponRejection.COUPON_NOT_FOUND
            if coupon is None
            else CouponRejection.COUPON_PART_OF_NOT_RUNNING_CAMPAIGN
        )
        state.effects.append(
            Effect(
                campaign_id=NOT_FOUND_CAMPAIGN if coupon is None else coupon.campaign_id,
                ruleset_id=0,
                rule_index=0,
                rule_name="",
                effect_type=str(EffectType.REJECT_COUPON),
                props={"value": code, "rejectionReason": str(reason)},
                triggered_by_coupon=None if coupon is None else coupon.id,
            )
        )
