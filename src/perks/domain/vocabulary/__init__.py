"""The rule vocabulary: what campaign rules may call, and the bindings they may read.

``rules_registry(custom_effects)`` is a copy of Talang's core registry plus the campaign
conditions and effects; ``RULE_SCHEMA`` describes the bindings the engine provides, so that a
ruleset is checked against it (``talang.check(expr, registry=..., schema=RULE_SCHEMA)``).

Bindings (Talang paths use the PascalCase form of the API's field names):

| name | what | bound |
|---|---|---|
| ``Session`` | the customer session: ``Total``, ``CartItems``, ``Attributes``... | always |
| ``Item`` | one cart item, with its ``Position`` (and ``SubPosition``) | per-item effects |
| ``Profile`` | the customer profile: ``IntegrationId``, ``Attributes``... | with a profile |
| ``Event`` | the event: ``Type``, ``Attributes`` | always |
| ``Campaign`` | the campaign being evaluated: ``Id``, ``Name``, ``Attributes``... | always |
| ``Coupon`` | the candidate coupon: ``Value`` (the code), ``Id``, ``Valid``... | per coupon code |
| ``Referral`` | the candidate referral: ``Code``, ``Id``, ``Valid``... | with a referral code |
| ``Application`` | ``Id``, ``Attributes``, ``AdditionalCosts`` (name → ``{"Id": id}``) | always |
| ``Now``, ``Timezone`` | the request's time, the Application's zone (Talang reads them) | always |
| ``Effects`` | the list effect functions append their records to | always |

Contract with the engine:

- Effects append ``{"effectType": ..., "props": {...}}`` to the list bound to ``Effects``
  (props named as in the spec's ``*EffectProps``) and return null; without ``Effects`` they
  fail. Evaluations copy the bindings shallowly, so the caller's list receives the records.
- ``Coupon.Valid`` / ``Referral.Valid`` is the engine's verdict on every check that does not
  depend on the rule (found, running campaign, dates, recipient, limits; semantics §4.5, §4.6).
  ``couponValid`` is true when it is, and then appends ``acceptCoupon{value}``: the effect
  Talon.One returns before the rule's own effects (§1.11). A rule whose condition turns out
  false must drop the records its condition appended (``del effects[mark:]``).
- Per-item effects read ``Item.Position`` (the index in ``Session.CartItems``) and, when
  present, ``Item.SubPosition``. ``setDiscountPerItem`` names its discount ``name#position``,
  as the spec's ``SetDiscountPerItemEffectProps.name`` describes.
- ``setDiscountPerAdditionalCost*`` find the spec's ``additionalCostId`` by name in
  ``Application.AdditionalCosts``; an undeclared cost fails (``catch`` turns it into no effect).
- Custom effects are called as ``["!", name, args...]`` (semantics §1.9): the template ``name``
  expands to ``customEffect:name``, whose parameters are the definition's kinds, so arity and
  kinds are checked. A disabled custom effect still checks and emits nothing.
- The spec has no ``updateCartItemAttribute`` effect type; its record keeps that name, with
  the item's ``position``, for the engine to apply.
"""

from __future__ import annotations

from collections.abc import Sequence

from perks.domain.errors import InvalidInput
from perks.domain.vocabulary._conditions import CONDITIONS_FAMILY as CONDITIONS_FAMILY
from perks.domain.vocabulary._conditions import register_conditions
from perks.domain.vocabulary._custom_effects import (
    CUSTOM_EFFECT_PREFIX,
    CustomEffectDefinition,
    CustomEffectParam,
    CustomEffectParamType,
    register_custom_effect,
)
from perks.domain.vocabulary._effects import EFFECTS_FAMILY as EFFECTS_FAMILY
from perks.domain.vocabulary._effects import register_effects
from perks.domain.vocabulary._schema import EFFECTS, RULE_SCHEMA, rule_schema
from perks.talang import FunctionRegistry
from perks.talang.functions import default_registry

__all__ = [
    "CUSTOM_EFFECT_PREFIX",
    "EFFECTS",
    "RULE_SCHEMA",
    "CustomEffectDefinition",
    "CustomEffectParam",
    "CustomEffectParamType",
    "rule_schema",
    "rules_registry",
]


def rules_registry(custom_effects: Sequence[CustomEffectDefinition] = ()) -> FunctionRegistry:
    """A copy of the core registry with the campaign conditions, effects and custom effects.

    Raises ``InvalidInput`` when two custom effects share a name (names are case-insensitive).
    """
    registry = default_registry().copy()
    register_conditions(registry)
    register_effects(registry)
    seen: set[str] = set()
    for index, definition in enumerate(custom_effects):
        if definition.name.lower() in seen:
            raise InvalidInput.at(f"/{index}/name", f"duplicate custom effect {definition.name!r}")
        seen.add(definition.name.lower())
        register_custom_effect(registry, definition)
    return registry
