"""The wire: camelCase Structs, exact money, RFC 3339 UTC timestamps, decoding with pointers."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import msgspec

from perks.domain.errors import InvalidInput, Problem, pointer_segment

__all__ = [
    "AwareDateTime",
    "WireStruct",
    "decode_body",
    "decode_query",
    "encode",
    "pointer_of",
]

T = TypeVar("T")

# A time the client sends must say its offset (RFC 3339); a naive one is refused.
AwareDateTime = Annotated[datetime, msgspec.Meta(tz=True)]


class WireStruct(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """Base of every request and response body: camelCase on the wire, unknown fields refused."""


_ENCODER = msgspec.json.Encoder(decimal_format="number")
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_MISSING = re.compile(r"^Object missing required field `(?P<field>[^`]+)`")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<field>[^`]+)`")
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")


def encode(value: Any) -> bytes:
    return _ENCODER.encode(value)


def pointer_of(message: str) -> tuple[str, str]:
    """Split msgspec's message into (JSON pointer of the bad field, details)."""
    match = _AT.search(message)
    path = match.group("path") if match else ""
    details = message[: match.start()] if match else message
    pointer = "".join(f"/{pointer_segment(key or index)}" for key, index in _SEGMENT.findall(path))
    for pattern in (_MISSING, _UNKNOWN):
        named = pattern.match(details)
        if named:
            pointer += f"/{pointer_segment(named.group('field'))}"
    return pointer, details


_DECODERS: dict[object, msgspec.json.Decoder[Any]] = {}


def _decoder(into: type[T]) -> msgspec.json.Decoder[T]:
    """One decoder per body type. Numbers in untyped places (attributes, Talang expressions)
    become exact Decimals."""
    decoder = _DECODERS.get(into)
    if decoder is None:
        decoder = _DECODERS[into] = msgspec.json.Decoder(into, float_hook=Decimal)
    return decoder


def decode_body(body: bytes, into: type[T]) -> T:
    """Decode and validate a JSON body; problems name the field's JSON pointer."""
    try:
        return _decoder(into).decode(body)
    except msgspec.ValidationError as error:
        pointer, details = pointer_of(str(error))
        raise InvalidInput([Problem("invalid value", details, pointer)]) from None
    except msgspec.DecodeError as error:
        raise InvalidInput([Problem("malformed JSON", str(error), "")]) from None


def decode_query(params: dict[str, str], into: type[T]) -> T:
    """Convert query parameters (strings) into a typed Struct; problems name the parameter."""
    try:
        return msgspec.convert(params, into, strict=False)
    except msgspec.ValidationError as error:
        pointer, details = pointer_of(str(error))
        name = pointer.lstrip("/").split("/", 1)[0]
        raise InvalidInput(
            [Problem("invalid parameter", details, name, kind="parameter")]
        ) from None
