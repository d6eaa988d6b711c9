"""Campaigns, limits and rulesets in the domain: validation with pointers, derived state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from perks import talang
from perks.domain.applications import CaseSensitivity
from perks.domain.campaigns import (
    Campaign,
    CampaignFeature,
    CampaignSpec,
    CampaignState,
    CodeGeneratorSettings,
    FrontendState,
    budgets,
    frontend_state,
    validate_campaign,
)
from perks.domain.errors import InvalidInput
from perks.domain.limits import CampaignBudget, LimitConfig, LimitEntity, LimitPeriod, check_limits
from perks.domain.rulesets import (
    Binding,
    Rule,
    RulesetSpec,
    check_ruleset,
    compile_ruleset,
    effect_expressions,
)
from perks.talang.functions import default_registry

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def problems_of(spec: CampaignSpec) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as refused:
        validate_campaign(spec)
    return [(p.location, p.details) for p in refused.value.problems]


# --- limits ---------------------------------------------------------------------------------


def test_limits_report_every_problem_at_its_pointer() -> None:
    limits = [
        LimitConfig("setDiscount", Decimal(100)),
        LimitConfig("giveEverything", Decimal(1)),
        LimitConfig("redeemCoupon", Decimal(-1), (LimitEntity.PROFILE, LimitEntity.PROFILE)),
        LimitConfig("setDiscount", Decimal(5)),
        LimitConfig("setDiscount", Decimal("NaN")),
    ]
    found = [p.location for p in check_limits(limits, "/limits")]
    assert found == [
        "/limits/1/action",
        "/limits/2/limit",
        "/limits/2/entities",
        "/limits/3",
        "/limits/4/limit",
        "/limits/4",
    ]


def test_the_same_action_may_be_limited_per_period_and_per_entity() -> None:
    limits = [
        LimitConfig("redeemCoupon", Decimal(100)),
        LimitConfig("redeemCoupon", Decimal(10), period=LimitPeriod.DAILY),
        LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.PROFILE,)),
        LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.COUPON, LimitEntity.PROFILE)),
    ]
    assert check_limits(limits, "/limits") == []


def test_coupon_limits_may_be_restricted_to_some_entities() -> None:
    limits = [LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.STORE,))]
    found = check_limits(limits, "/limits", allowed_entities=frozenset({LimitEntity.PROFILE}))
    assert [p.location for p in found] == ["/limits/0/entities"]


# --- campaigns ------------------------------------------------------------------------------


def test_a_valid_campaign_passes() -> None:
    validate_campaign(
        CampaignSpec(
            name="Summer",
            start_time=NOW,
            end_time=NOW + DAY,
            tags=("summer",),
            features=(CampaignFeature.COUPONS,),
            coupon_settings=CodeGeneratorSettings(tuple("ABC123"), "SUMMER-####"),
            limits=(LimitConfig("redeemCoupon", Decimal(1000)),),
        )
    )


def test_a_bad_campaign_gets_every_problem_at_once() -> None:
    spec = CampaignSpec(
        name="  ",
        start_time=NOW,
        end_time=NOW,
        tags=("ok", "", "x" * 51),
        features=(CampaignFeature.COUPONS, CampaignFeature.COUPONS),
        linked_store_ids=(1, 1),
        limits=(LimitConfig("nope", Decimal(1)),),
        coupon_settings=CodeGeneratorSettings(("A", "A"), "NO PLACEHOLDER"),
    )
    assert [location for location, _ in problems_of(spec)] == [
        "/name",
        "/endTime",
        "/tags/1",
        "/tags/2",
        "/features/1",
        "/linkedStoreIds/1",
        "/limits/0/action",
        # The space in the pattern; the repeated "A" is no problem: as when coupons are
        # created, repeated valid characters count once.
        "/couponSettings/couponPattern",
    ]


def test_too_many_tags_are_refused() -> None:
    spec = CampaignSpec(name="x", tags=tuple(f"t{i}" for i in range(51)))
    assert problems_of(spec) == [("/tags", "at most 50 tags")]


def test_code_settings_need_single_characters() -> None:
    spec = CampaignSpec(name="x", referral_settings=CodeGeneratorSettings(("AB",), "R-###"))
    assert [location for location, _ in problems_of(spec)] == [
        "/referralSettings/validCharacters/0"
    ]


def test_code_settings_are_checked_in_the_applications_case() -> None:
    # "ß" is one character, but upper-cased it is "SS": no code character of such an application.
    spec = CampaignSpec(name="x", coupon_settings=CodeGeneratorSettings(("ß", "A"), "C-###"))
    validate_campaign(spec)
    with pytest.raises(InvalidInput) as refused:
        validate_campaign(spec, case_sensitivity=CaseSensitivity.INSENSITIVE_UPPERCASE)
    assert [p.location for p in refused.value.problems] == ["/couponSettings/validCharacters/0"]


@pytest.mark.parametrize(
    ("state", "start", "end", "expected"),
    [
        (CampaignState.ENABLED, None, None, FrontendState.RUNNING),
        (CampaignState.ENABLED, NOW + DAY, None, FrontendState.SCHEDULED),
        (CampaignState.ENABLED, NOW - DAY, NOW, FrontendState.EXPIRED),
        (CampaignState.ENABLED, NOW - DAY, NOW + DAY, FrontendState.RUNNING),
        (CampaignState.ENABLED, NOW, None, FrontendState.RUNNING),
        (CampaignState.DISABLED, None, None, FrontendState.DISABLED),
        (CampaignState.ARCHIVED, NOW + DAY, None, FrontendState.ARCHIVED),
    ],
)
def test_frontend_state_follows_state_and_schedule(
    state: CampaignState, start: datetime | None, end: datetime | None, expected: FrontendState
) -> None:
    spec = CampaignSpec(name="x", state=state, start_time=start, end_time=end)
    assert frontend_state(spec, NOW) is expected


def test_budgets_list_campaign_wide_lifetime_limits_with_counters() -> None:
    spec = CampaignSpec(
        name="x",
        limits=(
            LimitConfig("redeemCoupon", Decimal(100)),
            LimitConfig("setDiscount", Decimal(500)),
            LimitConfig("redeemCoupon", Decimal(1), (LimitEntity.PROFILE,)),
            LimitConfig("setDiscount", Decimal(50), period=LimitPeriod.DAILY),
        ),
    )
    campaign = Campaign.from_spec(
        spec, id=1, application_id=1, created=NOW, counters={"redeemCoupon": Decimal(7)}
    )
    assert budgets(campaign) == [
        CampaignBudget("redeemCoupon", Decimal(100), Decimal(7)),
        CampaignBudget("setDiscount", Decimal(500), Decimal(0)),
    ]
    assert campaign.spec() == spec
    assert replace(campaign.spec(), name="y").name == "y"


# --- rulesets -------------------------------------------------------------------------------

SCHEMA: dict[str, object] = {"Session": {"Total": None, "CartItems": None}, "Now": None}


def rule(condition: object, effects: object, *, bindings: tuple[Binding, ...] = ()) -> Rule:
    return Rule(title="r", condition=condition, effects=effects, bindings=bindings)


def test_three_mistakes_give_three_problems_with_paths_into_the_request() -> None:
    spec = RulesetSpec(
        rules=(
            rule(["and", [">", [".", "Session", "Total"], 100]], [["list", 1]]),
            rule(["and", ["frobnicate"]], []),
            rule(
                ["and", True, [">", [".", "Session", "Totl"], 1]],
                [["+", 1, True], ["noop"]],
            ),
        )
    )
    problems = check_ruleset(spec, default_registry(), SCHEMA)
    assert [p.location for p in problems] == [
        "/rules/1/condition/1",
        "/rules/2/condition/2/1",
        "/rules/2/effects/0",
    ]
    assert "unknown function 'frobnicate'" in problems[0].details
    with pytest.raises(InvalidInput) as refused:
        compile_ruleset(spec, default_registry(), SCHEMA)
    assert len(refused.value.problems) == 3  # the three mistakes


def test_bindings_are_visible_in_order() -> None:
    spec = RulesetSpec(
        bindings=(
            Binding("Later", [".", "Early"]),  # refused: Early is bound after it
            Binding("Early", ["+", 1, 2]),
        ),
        rules=(
            rule(
                [">", [".", "Local"], [".", "Early"]],
                [],
                bindings=(Binding("Local", ["*", [".", "Session", "Total"], 2]),),
            ),
        ),
    )
    problems = check_ruleset(spec, default_registry(), SCHEMA)
    assert [p.location for p in problems] == ["/bindings/0/expression"]


def test_binding_names_must_be_unique_and_present() -> None:
    spec = RulesetSpec(
        bindings=(Binding("A", 1), Binding("A", 2), Binding("", 3)),
        rules=(rule(True, [], bindings=(Binding("B", 1), Binding("B", 1))),),
    )
    problems = check_ruleset(spec, default_registry())
    assert [p.location for p in problems] == [
        "/bindings/1/name",
        "/bindings/2/name",
        "/rules/0/bindings/1/name",
    ]


def test_effects_are_a_list_of_expressions_or_one_expression() -> None:
    assert effect_expressions([["noop"], ["list", 1]]) == [("/0", ["noop"]), ("/1", ["list", 1])]
    single = ["catch", ["noop"], ["list", 1]]
    assert effect_expressions(single) == [("", single)]
    assert effect_expressions([]) == []
    assert effect_expressions("x") == [("", "x")]


def test_a_ruleset_that_checks_compiles_and_runs() -> None:
    spec = RulesetSpec(
        bindings=(Binding("Threshold", 100),),
        rules=(
            rule(
                [">", [".", "Session", "Total"], [".", "Threshold"]],
                ["catch", ["noop"], ["*", [".", "Session", "Total"], 0.1]],
            ),
        ),
    )
    compiled = compile_ruleset(spec, default_registry(), SCHEMA)
    (compiled_rule,) = compiled.rules
    ((name, threshold),) = compiled.bindings
    bindings = {"Session": {"Total": Decimal(120)}, name: threshold.evaluate({})}
    assert compiled_rule.condition.evaluate(bindings) is True
    (effect,) = compiled_rule.effects
    assert effect.evaluate(bindings) == Decimal(12)
    assert isinstance(effect, talang.Program)
