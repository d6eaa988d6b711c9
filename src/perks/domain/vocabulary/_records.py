"""Effect records: how conditions and effects append to ``Effects`` and read the bound ``Item``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from perks.domain.vocabulary._schema import EFFECTS
from perks.talang import Context, TalangRuntimeError


def emit(context: Context, effect_type: str, props: Mapping[str, object]) -> None:
    try:
        effects = context.scope.resolve((EFFECTS,))
    except TalangRuntimeError:
        raise TalangRuntimeError(
            f"{effect_type} needs `{EFFECTS}` bound to the list that collects effect records"
        ) from None
    if not isinstance(effects, list):
        raise TalangRuntimeError(f"`{EFFECTS}` must be bound to a list")
    effects.append({"effectType": effect_type, "props": dict(props)})


def optional(context: Context, *keys: str) -> object:
    """A binding, or None when it is missing (no failure: absence has a meaning here)."""
    try:
        return context.scope.resolve(keys)
    except TalangRuntimeError:
        return None


def item_position(context: Context, function: str) -> tuple[Decimal, Decimal | None]:
    """The bound ``Item``'s position and sub-position (the innermost ``Item`` decides both)."""
    item = optional(context, "Item")
    position = item.get("Position") if isinstance(item, Mapping) else None
    if not isinstance(position, int | Decimal) or isinstance(position, bool):
        raise TalangRuntimeError(f"{function} needs an `Item` with a numeric `Position`")
    sub = item.get("SubPosition") if isinstance(item, Mapping) else None
    sub_position = (
        Decimal(sub) if isinstance(sub, int | Decimal) and not isinstance(sub, bool) else None
    )
    return Decimal(position), sub_position


def checked_scope(function: str, scope: str, allowed: frozenset[str]) -> str:
    if scope not in allowed:
        choices = ", ".join(sorted(allowed))
        raise TalangRuntimeError(f"{function} takes a scope among {choices}, found {scope!r}")
    return scope


def additional_cost_id(context: Context, function: str, name: str) -> int:
    """The id of an additional cost the account declared (the spec's int64 ``additionalCostId``)."""
    value = optional(context, "Application", "AdditionalCosts", name, "Id")
    if not isinstance(value, int | Decimal) or isinstance(value, bool) or value != int(value):
        raise TalangRuntimeError(f"{function}: unknown additional cost {name!r}")
    return int(value)
