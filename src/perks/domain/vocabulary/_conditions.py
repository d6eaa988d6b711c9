"""The campaign conditions: couponValid, couponValidWithoutRedemption, referralValid."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from perks.domain.vocabulary._records import emit, optional
from perks.talang import Context, FunctionRegistry, Kind, TalangRuntimeError

CONDITIONS_FAMILY = "rule conditions"


def _candidate(context: Context, entity: str, code_key: str) -> str | None:
    """The code of the bound coupon / referral when the engine found it valid, else None."""
    bound = optional(context, entity)
    if not isinstance(bound, Mapping):
        return None
    valid = bound.get("Valid")
    if not isinstance(valid, bool):
        raise TalangRuntimeError(f"`{entity}.Valid` must be a Boolean")
    if not valid:
        return None
    code = bound.get(code_key)
    if not isinstance(code, str):
        raise TalangRuntimeError(f"`{entity}.{code_key}` must be a String")
    return code


def register_conditions(registry: FunctionRegistry) -> None:
    def condition(name: str, doc: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
        return registry.function(
            name,
            (),
            Kind.BOOLEAN,
            family=CONDITIONS_FAMILY,
            doc=doc,
            pure=False,
            mutates=True,
            examples=(([name], False),),  # nothing bound: no candidate code
        )

    @condition(
        "couponValid",
        "True when the coupon the campaign is evaluated for (`Coupon`) passed every check; "
        "then it is redeemed when the rule triggers: appends acceptCoupon{value} to `Effects`.",
    )
    def coupon_valid(context: Context) -> bool:
        code = _candidate(context, "Coupon", "Value")
        if code is not None:
            emit(context, "acceptCoupon", {"value": code})
        return code is not None

    @condition(
        "couponValidWithoutRedemption",
        "True when the coupon the campaign is evaluated for (`Coupon`) passed every check; "
        "it is not redeemed (no effect).",
    )
    def coupon_valid_without_redemption(context: Context) -> bool:
        return _candidate(context, "Coupon", "Value") is not None

    @condition(
        "referralValid",
        "True when the referral code of the session (`Referral`) passed every check; then it "
        "is redeemed when the rule triggers: appends acceptReferral{value} to `Effects`.",
    )
    def referral_valid(context: Context) -> bool:
        code = _candidate(context, "Referral", "Code")
        if code is not None:
            emit(context, "acceptReferral", {"value": code})
        return code is not None
