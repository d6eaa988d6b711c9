"""The values of custom attributes, by their declared type: what a request may send for each
type, and the value rules read (a ``time`` arrives as an RFC 3339 string and is read as a time;
numbers are exact). A value of the wrong kind is a problem at its pointer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from perks.domain.attributes import AttributeType
from perks.domain.errors import Problem, pointer_segment

__all__ = ["typed_attributes", "typed_value"]

_LISTS = {
    AttributeType.LIST_STRING: AttributeType.STRING,
    AttributeType.LIST_NUMBER: AttributeType.NUMBER,
    AttributeType.LIST_TIME: AttributeType.TIME,
    AttributeType.LIST_LOCATION: AttributeType.LOCATION,
}
_WORDS = {
    AttributeType.STRING: "a string",
    AttributeType.NUMBER: "a number",
    AttributeType.BOOLEAN: "true or false",
    AttributeType.TIME: "an RFC 3339 time with its offset",
    AttributeType.LOCATION: "a location (a string)",
}


def typed_value(value: object, kind: AttributeType) -> object:
    """``value`` as rules read it; ``ValueError`` naming what was expected otherwise."""
    element = _LISTS.get(kind)
    if element is not None:
        if not isinstance(value, list | tuple):
            raise ValueError(f"expected a list of {_WORDS[element].removeprefix('a ')}")
        return [typed_value(item, element) for item in value]
    if (
        kind is AttributeType.NUMBER
        and isinstance(value, int | Decimal)
        and not isinstance(value, bool)
    ):
        return Decimal(value)
    if kind is AttributeType.BOOLEAN and isinstance(value, bool):
        return value
    if kind in (AttributeType.STRING, AttributeType.LOCATION) and isinstance(value, str):
        return value
    if kind is AttributeType.TIME:
        return _time(value)
    raise ValueError(f"expected {_WORDS[kind]}")


def typed_attributes(
    values: Mapping[str, object], kinds: Mapping[str, AttributeType], at: str
) -> tuple[dict[str, object], list[Problem]]:
    """Every declared value typed; a null keeps no value. Undeclared names are kept as they
    are (another check refuses them); each value of the wrong kind is a problem under ``at``."""
    typed: dict[str, object] = {}
    problems: list[Problem] = []
    for name, value in values.items():
        kind = kinds.get(name)
        if kind is None or value is None:
            typed[name] = value
            continue
        try:
            typed[name] = typed_value(value, kind)
        except ValueError as error:
            pointer = f"{at}/{pointer_segment(name)}"
            problems.append(Problem("invalid value", f"{name}: {error}", pointer))
    return typed, problems


def _time(value: object) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    raise ValueError(f"expected {_WORDS[AttributeType.TIME]}")
