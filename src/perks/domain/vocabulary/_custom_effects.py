"""Custom effects: their definitions, checked, and the functions and templates they become."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from perks.domain.errors import InvalidInput, Problem
from perks.domain.vocabulary._effects import EFFECTS_FAMILY
from perks.domain.vocabulary._records import emit, item_position
from perks.talang import Context, FunctionRegistry, Kind, TalangRuntimeError, Template
from perks.talang.kinds import format_time, to_text

# Custom effect ``n`` is the template ``n`` (["!", "n", args...]) over the function
# ``customEffect:n``: no custom effect name (``^[A-Za-z](\w|\s)*$``) can take a core name's place.
CUSTOM_EFFECT_PREFIX = "customEffect:"


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


def register_custom_effect(registry: FunctionRegistry, definition: CustomEffectDefinition) -> None:
    function = definition.function_name
    keys = [param.key for param in definition.params]

    def emit_custom_effect(context: Context, *args: object) -> None:
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
            position, sub_position = item_position(context, definition.name)
            props["cartItemPosition"] = position
            if sub_position is not None:
                props["cartItemSubPosition"] = sub_position
        props["payload"] = payload
        emit(context, "customEffect", props)

    registry.function(
        function,
        tuple(_PARAM_KINDS[param.type] for param in definition.params),
        Kind.NULL,
        family=EFFECTS_FAMILY,
        doc=definition.description or definition.title or f"The custom effect {definition.name}.",
        pure=False,
        mutates=True,
    )(emit_custom_effect)
    body = [function, *(["#", str(index)] for index in range(len(keys)))]
    registry.add_template(
        Template(definition.name, len(keys), body, definition.description or definition.title)
    )
