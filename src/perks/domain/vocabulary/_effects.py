"""The campaign effects: discounts, free items, notifications, attribute updates."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from perks.domain.vocabulary._records import (
    additional_cost_id,
    checked_scope,
    emit,
    item_position,
)
from perks.talang import Context, FunctionRegistry, Kind, TalangRuntimeError
from perks.talang.kinds import to_text

EFFECTS_FAMILY = "rule effects"
_SET_DISCOUNT_SCOPES = frozenset({"cartItems", "additionalCosts", "sessionTotal"})
_PER_ITEM_SCOPES = frozenset({"price", "itemTotal", "additionalCosts"})
# updateAttribute's value: "boolean, location, number, string, time, list of any of those".
_ATTRIBUTE_VALUE = Kind.DECIMAL | Kind.STRING | Kind.BOOLEAN | Kind.TIME | Kind.LIST
_S = Kind.STRING
_D = Kind.DECIMAL


def register_effects(registry: FunctionRegistry) -> None:
    def effect(
        name: str, params: tuple[Kind, ...], doc: str
    ) -> Callable[[Callable[..., object]], Callable[..., object]]:
        return registry.function(
            name, params, Kind.NULL, family=EFFECTS_FAMILY, doc=doc, pure=False, mutates=True
        )

    @effect("setDiscount", (_S, _D), "Discount the session: setDiscount{name, value}.")
    def set_discount(context: Context, name: str, value: Decimal) -> None:
        emit(context, "setDiscount", {"name": name, "value": value})

    @effect(
        "setDiscount",
        (_S, _D, _S),
        "Discount the session on a scope: cartItems, additionalCosts or sessionTotal "
        "(without one, the Application's default scope).",
    )
    def set_discount_scoped(context: Context, name: str, value: Decimal, scope: str) -> None:
        scope = checked_scope("setDiscount", scope, _SET_DISCOUNT_SCOPES)
        emit(context, "setDiscount", {"name": name, "value": value, "scope": scope})

    def per_item(context: Context, name: str, value: Decimal, scope: str | None) -> None:
        position, sub_position = item_position(context, "setDiscountPerItem")
        props: dict[str, object] = {
            "name": f"{name}#{to_text(position)}",  # the spec: "a hashtag ... the position"
            "value": value,
            "position": position,
        }
        if sub_position is not None:
            props["subPosition"] = sub_position
        if scope is not None:
            props["scope"] = checked_scope("setDiscountPerItem", scope, _PER_ITEM_SCOPES)
        emit(context, "setDiscountPerItem", props)

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
        cost_id = additional_cost_id(context, "setDiscountPerAdditionalCost", cost)
        props = {"name": name, "additionalCostId": cost_id, "additionalCost": cost, "value": value}
        emit(context, "setDiscountPerAdditionalCost", props)

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
        position, sub_position = item_position(context, function)
        props: dict[str, object] = {
            "name": name,
            "additionalCostId": additional_cost_id(context, function, cost),
            "additionalCost": cost,
            "value": value,
            "position": position,
        }
        if sub_position is not None:
            props["subPosition"] = sub_position
        emit(context, function, props)

    @effect("addFreeItem", (_S, _S), "Add a free item by SKU: addFreeItem{sku, name}.")
    def add_free_item(context: Context, sku: str, name: str) -> None:
        emit(context, "addFreeItem", {"sku": sku, "name": name})

    @effect(
        "showNotification",
        (_S, _S, _S),
        "Show a notification: showNotification{notificationType, title, body}.",
    )
    def show_notification(context: Context, notification_type: str, title: str, body: str) -> None:
        props = {"notificationType": notification_type, "title": title, "body": body}
        emit(context, "showNotification", props)

    @effect(
        "updateAttribute",
        (_S, _ATTRIBUTE_VALUE),
        'Set an attribute by its path ("Profile.Attributes.Tier"): updateAttribute{path, value}.',
    )
    def update_attribute(context: Context, path: str, value: object) -> None:
        emit(context, "updateAttribute", {"path": _path(path), "value": value})

    @effect(
        "updateCartItemAttribute",
        (_S, _ATTRIBUTE_VALUE),
        'Set an attribute of the bound `Item` by its path ("Attributes.Color"): '
        "updateCartItemAttribute{path, value, position}.",
    )
    def update_cart_item_attribute(context: Context, path: str, value: object) -> None:
        position, sub_position = item_position(context, "updateCartItemAttribute")
        props: dict[str, object] = {"path": _path(path), "value": value, "position": position}
        if sub_position is not None:
            props["subPosition"] = sub_position
        emit(context, "updateCartItemAttribute", props)


def _path(path: str) -> str:
    if not path or any(not key for key in path.split(".")):
        raise TalangRuntimeError(f"an attribute path is keys joined by dots, found {path!r}")
    return path
