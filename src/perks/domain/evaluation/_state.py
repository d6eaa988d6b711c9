"""The inputs of one evaluation, and the state it threads through the campaigns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from perks.domain.applications import CaseSensitivity
from perks.domain.budgets import CounterKey
from perks.domain.campaigns import Campaign
from perks.domain.coupons import Coupon
from perks.domain.discounts import ItemScope, Remaining, SessionScope
from perks.domain.effects import DISCOUNTS, Effect, granted_total
from perks.domain.evaluation_groups import GroupNode
from perks.domain.limits import LimitConfig
from perks.domain.rule_bindings import ProfileView, SessionView, campaign_binding
from perks.domain.rulesets import CompiledRuleset

__all__ = [
    "EvaluationInput",
    "RuleFailure",
    "Rules",
    "RunnableCampaign",
    "Settings",
    "State",
]


@dataclass(frozen=True, slots=True)
class RunnableCampaign:
    """A campaign with its active ruleset, compiled, and what every evaluation of it reads
    alike, built once (a configuration keeps its runnable campaigns across requests): the
    ``Campaign`` binding (rules never write into bindings: Talang's ``set`` copies the maps
    on its path) and the campaign's limits by action."""

    campaign: Campaign
    ruleset_id: int
    ruleset: CompiledRuleset
    binding: Mapping[str, object] = field(init=False, repr=False, compare=False)
    limits: Mapping[str, tuple[LimitConfig, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        limits: dict[str, tuple[LimitConfig, ...]] = {}
        for limit in self.campaign.limits:
            limits[limit.action] = (*limits.get(limit.action, ()), limit)
        object.__setattr__(self, "binding", campaign_binding(self.campaign))
        object.__setattr__(self, "limits", limits)


@dataclass(frozen=True, slots=True)
class Settings:
    """The application's settings an evaluation follows, and the request's clock."""

    application_id: int
    currency: str
    timezone: str
    now: datetime
    case_sensitivity: CaseSensitivity = CaseSensitivity.SENSITIVE
    cascading: bool = False
    partial_discounts: bool = False
    flattened: bool = False
    default_scope: SessionScope = SessionScope.SESSION_TOTAL
    default_item_scope: ItemScope = ItemScope.PRICE
    additional_cost_ids: Mapping[str, int] = field(default_factory=dict)
    application_attributes: Mapping[str, object] = field(default_factory=dict)
    store_ids: Mapping[str, int] = field(default_factory=dict)  # integration id: id
    event_type: str = "talon_session_updated"


@dataclass(frozen=True, slots=True)
class EvaluationInput:
    settings: Settings
    session: SessionView
    profile: ProfileView | None
    tree: GroupNode
    campaigns: Mapping[int, RunnableCampaign]
    coupons: Mapping[str, Coupon] = field(default_factory=dict)  # by normalized code
    counters: Mapping[CounterKey, Decimal] = field(default_factory=dict)
    reserved_coupons: frozenset[int] = frozenset()
    evaluable_campaign_ids: frozenset[int] | None = None  # dry runs: exactly these


@dataclass(frozen=True, slots=True)
class RuleFailure:
    """``RuleFailureReason``."""

    campaign_id: int
    campaign_name: str
    ruleset_id: int
    rule_index: int
    rule_name: str
    coupon_id: int | None = None
    coupon_value: str | None = None
    condition_index: int | None = None
    effect_index: int | None = None
    details: str | None = None
    evaluation_group_id: int | None = None
    evaluation_group_mode: str | None = None


Rules = list[RuleFailure]


@dataclass(slots=True)
class State:
    """What the campaigns evaluated so far produced; copied to try a campaign out."""

    remaining: Remaining
    effects: list[Effect] = field(default_factory=list)
    deltas: dict[CounterKey, Decimal] = field(default_factory=dict)
    caps: dict[CounterKey, Decimal] = field(default_factory=dict)  # the limits of deltas
    redeemed: list[int] = field(default_factory=list)  # coupon ids accepted
    failures: list[RuleFailure] = field(default_factory=list)
    triggered: list[int] = field(default_factory=list)  # campaign ids
    # In a cartItem-scoped group: which campaign may discount each cart line (None: any).
    item_owners: dict[tuple[int, int | None], int] | None = None
    # The bindings every campaign reads alike (built once per evaluation, shared by copies;
    # rules never write into them: Talang's ``set`` copies the maps on its path).
    shared: dict[str, object] = field(default_factory=dict)

    def copy(self) -> State:
        """An independent copy to try a campaign out on (effects, failures and counter keys
        are immutable; the containers and the discount ledger are copied)."""
        return State(
            remaining=self.remaining.copy(),
            effects=list(self.effects),
            deltas=dict(self.deltas),
            caps=dict(self.caps),
            redeemed=list(self.redeemed),
            failures=list(self.failures),
            triggered=list(self.triggered),
            item_owners=None if self.item_owners is None else dict(self.item_owners),
            shared=self.shared,
        )

    def discount_total(self) -> Decimal:
        """The discounts granted so far (for lowestDiscount / highestDiscount groups)."""
        return sum(
            (granted_total(effect) for effect in self.effects if effect.effect_type in DISCOUNTS),
            Decimal(0),
        )
