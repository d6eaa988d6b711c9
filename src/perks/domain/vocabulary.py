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

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from perks.domain.errors import InvalidInput, Problem
from perks.talang import Context, FunctionRegistry, Kind, Schema, TalangRuntimeError, Template
from perks.talang.functions import default_registry
from perks.talang.kinds import format_time, to_text

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

EFFECTS = "Effects"
CONDITIONS_FAMILY = "rule conditions"
EFFECTS_FAMILY = "rule effects"
# Custom effect ``n`` is the template ``n`` (["!", "n", args...]) over the function
# ``customEffect:n``: no custom effect name (``^[A-Za-z](\w|\s)*$``) can take a core name's place.
CUSTOM_EFFECT_PREFIX = "customEffect:"

_SET_DISCOUNT_SCOPES = frozenset({"cartItems", "additionalCosts", "sessionTotal"})
_PER_ITEM_SCOPES = frozenset({"price", "itemTotal", "additionalCosts"})
# updateAttribute's value: "boolean, location, number, string, time, list of any of those".
_ATTRIBUTE_VALUE = Kind.DECIMAL | Kind.STRING | Kind.BOOLEAN | Kind.TIME | Kind.LIST
_S = Kind.STRING
_D = Kind.DECIMAL


def _fields(*names: str) -> Mapping[str, object]:
    return MappingProxyType(dict.fromkeys(names))


_FREE = None  # a free-form part: custom attributes, lists, maps the checker does not enter

RULE_SCHEMA: Schema = MappingProxyType(
    {
        "Session": _fields(
            "Id", "IntegrationId", "ProfileId", "StoreIntegrationId", "Created", "Updated",
            "State", "FirstSession", "UpdateCount", "CouponCodes", "ReferralCode", "LoyaltyCards",
            "Identifiers", "CartItems", "AdditionalCosts", "Attributes", "Total",
            "CartItemTotal", "AdditionalCostTotal", "DiscountedTotal", "DiscountedCartItemsTotal",
        ),
        "Item": _fields(
            "Name", "Sku", "Quantity", "ReturnedQuantity", "RemainingQuantity", "Price",
            "Category", "Product", "Weight", "Height", "Width", "Length", "Position",
            "SubPosition", "Attributes", "AdditionalCosts", "CatalogItemId", "DiscountedPrice",
        ),
        "Profile": _fields(
            "Id", "IntegrationId", "Created", "Attributes", "ClosedSessions", "TotalSales",
            "LastActivity", "AudienceMemberships", "LoyaltyMemberships",
        ),
        "Event": _fields(
            "Id", "Type", "Attributes", "SessionId", "ProfileId", "StoreIntegrationId", "Created"
        ),
        "Campaign": _fields(
            "Id", "Name", "Description", "Tags", "State", "Type", "StartTime", "EndTime",
            "Attributes",
        ),
        "Coupon": _fields(
            "Id", "Value", "Valid", "CampaignId", "UsageLimit", "UsageCounter", "DiscountLimit",
            "DiscountCounter", "DiscountRemainder", "StartDate", "ExpiryDate",
            "RecipientIntegrationId", "ReferralId", "Reservation", "Attributes",
        ),
        "Referral": _fields(
            "Id", "Code", "Valid", "CampaignId", "AdvocateProfileIntegrationId",
            "FriendProfileIntegrationId", "StartDate", "ExpiryDate", "UsageLimit",
            "UsageCounter", "Attributes",
        ),
        "Application": _fields("Id", "Attributes", "AdditionalCosts"),
        "Now": _FREE,
        "Timezone": _FREE,
        EFFECTS: _FREE,
    }
)  # fmt: skip


def rule_schema(binding_names: Iterable[str] = ()) -> Schema:
    """``RULE_SCHEMA`` plus the names a ruleset's own bindings define (free-form values)."""
    return MappingProxyType({**RULE_SCHEMA, **dict.fromkeys(binding_names)})


def rules_registry(custom_effects: Sequence[CustomEffectDefinition] = ()) -> FunctionRegistry:
    """A copy of the core registry with the campaign conditions, effects and custom effects.

    Raises ``InvalidInput`` when two custom effects share a name (names are case-insensitive).
    """
    registry = default_registry().copy()
    _register_conditions(registry)
    _register_effects(registry)
    seen: set[str] = set()
    for index, definition in enumerate(custom_effects):
        if definition.name.lower() in seen:
            raise InvalidInput.at(f"/{index}/name", f"duplicate custom effect {definition.name!r}")
        seen.add(definition.name.lower())
        _register_custom_effect(registry, definition)
    return registry


# -- effect records ------------------------------------------------------------------------


def _emit(context: Context, effect_type: str, props: Mapping[str, object]) -> None:
    try:
        effects = context.scope.resolve((EFFECTS,))
    except TalangRuntimeError:
        raise TalangRuntimeError(
            f"{effect_type} needs `{EFFECTS}` bound to the list that collects effect records"
        ) from None
    if not isinstance(effects, list):
        raise TalangRuntimeError(f"`{EFFECTS}` must be bound to a list")
    effects.append({"effectType": effect_type, "props": dict(props)})


def _optional(context: Context, *keys: str) -> object:
    """A binding, or None when it is missing (no failure: absence has a meaning here)."""
    try:
        return context.scope.resolve(keys)
    except TalangRuntimeError:
        return None


def _position(context: Context, function: str) -> tuple[Decimal, Decimal | None]:
    """The bound ``Item``'s position and sub-position (the innermost ``Item`` decides both)."""
    item = _optional(context, "Item")
    position = item.get("Position") if isinstance(item, Mapping) else None
    if not isinstance(position, int | Decimal) or isinstance(position, bool):
        raise TalangRuntimeError(f"{function} needs an `Item` with a numeric `Position`")
    sub = item.get("SubPosition") if isinstance(item, Mapping) else None
    sub_position = (
        Decimal(sub) if isinstance(sub, int | Decimal) and not isinstance(sub, bool) else None
    )
    return Decimal(position), sub_position


def _scope(function: str, scope: str, allowed: frozenset[str]) -> str:
    if scope not in allowed:
        choices = ", ".join(sorted(allowed))
        raise TalangRuntimeError(f"{function} takes a scope among {choices}, found {scope!r}")
    return scope


def _additional_cost_id(context: Context, function: str, name: str) -> int:
    """The id of an additional cost the account declared (the spec's int64 ``additionalCostId``)."""
    value = _optional(context, "Application", "AdditionalCosts", name, "Id")
    if not isinstance(value, int | Decimal) or isinstance(value, bool) or value != int(value):
        raise TalangRuntimeError(f"{function}: unknown additional cost {name!r}")
    return int(value)


# -- conditions ----------------------------------------------------------------------------


def _candidate(context: Context, entity: str, code_key: str) -> str | None:
    """The code of the bound coupon / referral when the engine found it valid, else None."""
    bound = _optional(context, entity)
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


def _register_conditions(registry: FunctionRegistry) -> None:
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
            _emit(context, "acceptCoupon", {"value": code})
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
            _emit(context, "acceptReferral", {"value": code})
        return code is not None


# -- effects -------------------------------------------------------------------------------


def _register_effects(registry: FunctionRegistry) -> None:
    def effect(
        name: str, params: tuple[Kind, ...], doc: str
    ) -> Callable[[Callable[..., object]], Callable[..., object]]:
        return registry.function(
            name, params, Kind.NULL, family=EFFECTS_FAMILY, doc=doc, pure=False, mutates=True
        )

    @effect("setDiscount", (_S, _D), "Discount the session: setDiscount{name, value}.")
    def set_discount(context: Context, name: str, value: Decimal) -> None:
        _emit(context, "setDiscount", {"name": name, "value": value})

    @effect(
        "setDiscount",
        (_S, _D, _S),
        "Discount the session on a scope: cartItems, additionalCosts or sessionTotal "
        "(without one, the Application's default scope).",
    )
    def set_discount_scoped(context: Context, name: str, value: Decimal, scope: str) -> None:
        scope = _scope("setDiscount", scope, _SET_DISCOUNT_SCOPES)
        _emit(context, "setDiscount", {"name": name, "value": value, "scope": scope})

    def per_item(context: Context, name: str, value: Decimal, scope: str | None) -> None:
        position, sub_position = _position(context, "setDiscountPerItem")
        props: dict[str, object] = {
            "name": f"{name}#{to_text(position)}",  # the spec: "a hashtag ... the position"
            "value": value,
            "position": position,
        }
        if sub_position is not None:
            props["subPosition"] = sub_position
        if scope is not None:
            props["scope"] = _scope("setDiscountPerItem", scope, _PER_ITEM_SCOPES)
        _emit(context, "setDiscountPerItem", props)

    @effect(
        "setDiscountPerItem",
        (_S, _D),
        "Discount the bound `Item`: setDiscountPerItem{name#position, value, position}.",
    )
    def set_discount_per_item(context: Context, name: str, value: Decimal) -> None:
        per_item(context, name, value, None)

    @effect(
        "setDiscountPerItem",
        (_S, _D, _S),
        "Discount the bound `Item` on a scope: price, itemTotal or additionalCosts.",
    )
    def set_discount_per_item_scoped(
        context: Context, name: str, value: Decimal, scope: str
    ) -> None:
        per_item(context, name, value, scope)

    @effect(
        "setDiscountPerAdditionalCost",
        (_S, _S, _D),
        "Discount a session additional cost by name: "
        "setDiscountPerAdditionalCost{name, additionalCostId, additionalCost, value}.",
    )
    def set_discount_per_additional_cost(
        context: Context, name: str, cost: str, value: Decimal
    ) -> None:
        cost_id = _additional_cost_id(context, "setDiscountPerAdditionalCost", cost)
        props = {"name": name, "additionalCostId": cost_id, "additionalCost": cost, "value": value}
        _emit(context, "setDiscountPerAdditionalCost", props)

    @effect(
        "setDiscountPerAdditionalCostPerItem",
        (_S, _S, _D),
        "Discount an additional cost of the bound `Item`: setDiscountPerAdditionalCostPerItem"
        "{name, additionalCostId, additionalCost, value, position}.",
    )
    def set_discount_per_additional_cost_per_item(
        context: Context, name: str, cost: str, value: Decimal
    ) -> None:
        function = "setDiscountPerAdditionalCostPerItem"
        position, sub_position = _position(context, function)
        props: dict[str, object] = {
            "name": name,
            "additionalCostId": _additional_cost_id(context, function, cost),
            "additionalCost": cost,
            "value": value,
            "position": position,
        }
        if sub_position is not None:
            props["subPosition"] = sub_position
        _emit(context, function, props)

    @effect("addFreeItem", (_S, _S), "Add a free item by SKU: addFreeItem{sku, name}.")
    def add_free_item(context: Context, sku: str, name: str) -> None:
        _emit(context, "addFreeItem", {"sku": sku, "name": name})

    @effect(
        "showNotification",
        (_S, _S, _S),
        "Show a notification: showNotification{notificationType, title, body}.",
    )
    def show_notification(context: Context, notification_type: str, title: str, body: str) -> None:
        props = {"notificationType": notification_type, "title": title, "body": body}
        _emit(context, "showNotification", props)

    @effect(
        "updateAttribute",
        (_S, _ATTRIBUTE_VALUE),
        'Set an attribute by its path ("Profile.Attributes.Tier"): updateAttribute{path, value}.',
    )
    def update_attribute(context: Context, path: str, value: object) -> None:
        _emit(context, "updateAttribute", {"path": _path(path), "value": value})

    @effect(
        "updateCartItemAttribute",
        (_S, _ATTRIBUTE_VALUE),
        'Set an attribute of the bound `Item` by its path ("Attributes.Color"): '
        "updateCartItemAttribute{path, value, position}.",
    )
    def update_cart_item_attribute(context: Context, path: str, value: object) -> None:
        position, sub_position = _position(context, "updateCartItemAttribute")
        props: dict[str, object] = {"path": _path(path), "value": value, "position": position}
        if sub_position is not None:
            props["subPosition"] = sub_position
        _emit(context, "updateCartItemAttribute", props)


def _path(path: str) -> str:
    if not path or any(not key for key in path.split(".")):
        raise TalangRuntimeError(f"an attribute path is keys joined by dots, found {path!r}")
    return path


# -- custom effects ------------------------------------------------------------------------


class CustomEffectParamType(StrEnum):
    """``TemplateArgDef.type``."""

    STRING = "string"
    BOOLEAN = "boolean"
    NUMBER = "number"
    TIME = "time"
    LIST_STRING = "(list string)"
    LIST_NUMBER = "(list number)"


_PARAM_KINDS = {
    CustomEffectParamType.STRING: Kind.STRING,
    CustomEffectParamType.BOOLEAN: Kind.BOOLEAN,
    CustomEffectParamType.NUMBER: Kind.DECIMAL,
    CustomEffectParamType.TIME: Kind.TIME,
    CustomEffectParamType.LIST_STRING: Kind.LIST,
    CustomEffectParamType.LIST_NUMBER: Kind.LIST,
}
_NAME = re.compile(r"[A-Za-z][\w\s]*", re.ASCII)  # NewCustomEffect.name's pattern (Go: ASCII)
_PLACEHOLDER = re.compile(r"\$\{\$([^}]+)\}")  # ${$Minutes}, ${$Profile.IntegrationId}


@dataclass(frozen=True, slots=True)
class CustomEffectParam:
    """One ``TemplateArgDef``: ``key`` names it in the payload (``${$key}``)."""

    key: str
    type: CustomEffectParamType
    title: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class CustomEffectDefinition:
    """What of ``CustomEffect`` the rules need. ``payload`` is the JSON text template:
    ``${$key}`` is a parameter, ``${$Profile.IntegrationId}`` a binding's path. Raises
    ``InvalidInput`` (with a JSON pointer per problem) when it cannot be used."""

    id: int
    name: str
    payload: str
    params: tuple[CustomEffectParam, ...] = ()
    is_per_item: bool = False
    enabled: bool = True
    title: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise InvalidInput(problems)

    @property
    def function_name(self) -> str:
        return CUSTOM_EFFECT_PREFIX + self.name


def _problems(definition: CustomEffectDefinition) -> list[Problem]:
    problems: list[Problem] = []
    if not _NAME.fullmatch(definition.name):
        problems.append(Problem("invalid value", "must match ^[A-Za-z](\\w|\\s)*$", "/name"))
    keys = [param.key for param in definition.params]
    for index, param in enumerate(definition.params):
        if not param.key or keys.index(param.key) != index:
            details = "keys are non-empty and distinct"
            problems.append(Problem("invalid value", details, f"/params/{index}/key"))
        if param.type not in _PARAM_KINDS:
            problems.append(Problem("invalid value", "unknown type", f"/params/{index}/type"))
    try:
        _parse_payload(
            _render(definition.payload, lambda _path, in_string: "" if in_string else "0")
        )
    except ValueError as error:
        problems.append(
            Problem("invalid value", f"not a JSON object template: {error}", "/payload")
        )
    return problems


def _render(template: str, value_text: Callable[[str, bool], str]) -> str:
    """The payload with every placeholder replaced by ``value_text(path, inside_a_string)``."""
    parts: list[str] = []
    cursor = 0
    in_string = False
    for match in _PLACEHOLDER.finditer(template):
        literal = template[cursor : match.start()]
        in_string = _string_state(literal, in_string)
        parts += [literal, value_text(match.group(1), in_string)]
        cursor = match.end()
    parts.append(template[cursor:])
    return "".join(parts)


def _string_state(text: str, in_string: bool) -> bool:
    """Whether a JSON text that starts inside a string (or not) ends inside one."""
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
    return in_string


def _parse_payload(text: str) -> dict[str, object]:
    if not text.strip():
        return {}
    payload = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    if not isinstance(payload, dict):
        raise ValueError("the payload is not a JSON object")
    return payload


def _json_text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, Decimal | int):
        return to_text(value)
    if isinstance(value, datetime):
        return json.dumps(format_time(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_json_text(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = (f"{json.dumps(str(k))}: {_json_text(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return json.dumps(str(value))


def _register_custom_effect(registry: FunctionRegistry, definition: CustomEffectDefinition) -> None:
    function = definition.function_name
    keys = [param.key for param in definition.params]

    def emit(context: Context, *args: object) -> None:
        if not definition.enabled:
            return  # a disabled effect keeps its rules valid and emits nothing
        values = dict(zip(keys, args, strict=True))

        def value_text(path: str, in_string: bool) -> str:
            value = values[path] if path in values else context.scope.resolve(path.split("."))
            if not in_string:
                return _json_text(value)
            text = (
                _json_text(value) if isinstance(value, list | tuple | Mapping) else to_text(value)
            )
            return json.dumps(text)[1:-1]  # the text, escaped for a JSON string

        try:
            payload = _parse_payload(_render(definition.payload, value_text))
        except ValueError as error:  # pragma: no cover (the definition's check rules it out)
            message = f"the payload of {definition.name} is not JSON: {error}"
            raise TalangRuntimeError(message) from None
        props: dict[str, object] = {"effectId": definition.id, "name": definition.name}
        if definition.is_per_item:
            position, sub_position = _position(context, definition.name)
            props["cartItemPosition"] = position
            if sub_position is not None:
                props["cartItemSubPosition"] = sub_position
        props["payload"] = payload
        _emit(context, "customEffect", props)

    registry.function(
        function,
        tuple(_PARAM_KINDS[param.type] for param in definition.params),
        Kind.NULL,
        family=EFFECTS_FAMILY,
        doc=definition.description or definition.title or f"The custom effect {definition.name}.",
        pure=False,
        mutates=True,
    )(emit)
    body = [function, *(["#", str(index)] for index in range(len(keys)))]
    registry.add_template(
        Template(definition.name, len(keys), body, definition.description or definition.title)
    )
