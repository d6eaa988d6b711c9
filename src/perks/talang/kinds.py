"""The kinds of Talang values and how Python values map onto them.

| kind     | Python                                  |
|----------|-----------------------------------------|
| Decimal  | ``decimal.Decimal`` (``int`` accepted)   |
| String   | ``str``                                 |
| Boolean  | ``bool``                                |
| Time     | aware ``datetime.datetime``             |
| Null     | ``None``                                |
| List     | ``list`` / ``tuple``                    |
| Map      | ``dict`` / any ``Mapping``              |
| Block    | a lambda ``[["x"], body]`` or code passed unevaluated |
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import MAX_PREC, Context, Decimal
from enum import IntFlag

__all__ = ["MASK_BY_TYPE", "Kind", "format_time", "kind_of", "mask_of", "parse_time", "to_text"]

_SHORTEST_TIMESTAMP = len("2026-01-01T00:00:00Z")


class Kind(IntFlag):
    DECIMAL = 1
    STRING = 2
    BOOLEAN = 4
    TIME = 8
    NULL = 16
    LIST = 32
    MAP = 64
    BLOCK = 128

    ATOM = DECIMAL | STRING | BOOLEAN | TIME | NULL
    COLLECTION = LIST | MAP
    VALUE = ATOM | COLLECTION
    ANY = VALUE | BLOCK

    def describe(self) -> str:
        """``Decimal``, ``Decimal|String``, ``Atom``, ``Any``..."""
        for name, group in _GROUPS:
            if self == group:
                return name
        return "|".join(_NAMES[k] for k in _SINGLE if k in self) or "Nothing"


_SINGLE = (
    Kind.DECIMAL,
    Kind.STRING,
    Kind.BOOLEAN,
    Kind.TIME,
    Kind.NULL,
    Kind.LIST,
    Kind.MAP,
    Kind.BLOCK,
)
_NAMES = {
    Kind.DECIMAL: "Decimal",
    Kind.STRING: "String",
    Kind.BOOLEAN: "Boolean",
    Kind.TIME: "Time",
    Kind.NULL: "Null",
    Kind.LIST: "List",
    Kind.MAP: "Map",
    Kind.BLOCK: "Block",
}
_GROUPS = (
    ("Any", Kind.ANY),
    ("Value", Kind.VALUE),
    ("Atom", Kind.ATOM),
    ("Collection", Kind.COLLECTION),
)


_BY_TYPE: dict[type, Kind] = {
    type(None): Kind.NULL,
    bool: Kind.BOOLEAN,
    Decimal: Kind.DECIMAL,
    int: Kind.DECIMAL,
    str: Kind.STRING,
    datetime: Kind.TIME,
    list: Kind.LIST,
    tuple: Kind.LIST,
    dict: Kind.MAP,
}


MASK_BY_TYPE: dict[type, int] = {}


def mask_of(value: object) -> int:
    """``kind_of`` as a plain int: the hot paths test kinds without IntFlag's overhead."""
    mask = MASK_BY_TYPE.get(type(value))
    return mask if mask is not None else int(kind_of(value))


def kind_of(value: object) -> Kind:
    """The kind of a runtime value: one kind, never a union."""
    kind = _BY_TYPE.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, datetime):
        return Kind.TIME
    if isinstance(value, Mapping):
        return Kind.MAP
    if isinstance(value, list | tuple):
        return Kind.LIST
    return Kind.BLOCK


MASK_BY_TYPE.update({kind_type: int(kind) for kind_type, kind in _BY_TYPE.items()})


def parse_time(text: str) -> datetime | None:
    """An RFC 3339 timestamp with an offset (``Z`` or ``+hh:mm``), else None."""
    if len(text) < _SHORTEST_TIMESTAMP or text[4] != "-" or text[10] not in "Tt ":
        return None
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with ``Z``; fractions of a second only when present."""
    utc = moment.astimezone(UTC)
    text = f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def to_text(value: object) -> str:
    """The string form of an atom: what ``=`` compares and ``toString`` returns."""
    if type(value) is str:
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int):
        return _decimal_text(Decimal(value))
    if isinstance(value, datetime):
        return format_time(value)
    return str(value)


_EXACT = Context(prec=MAX_PREC)  # normalize() strips zeros; it must never round


def _decimal_text(number: Decimal) -> str:
    if not number.is_finite():
        return str(number)
    normalized = number.normalize(_EXACT)
    if normalized == 0:
        return "0"
    return format(normalized, "f")
