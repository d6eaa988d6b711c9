"""JSON documents in text columns, with exact numbers: a Decimal is written as a JSON number
and read back as a Decimal (a Talang ``0.1`` stays ``0.1``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

__all__ = ["dump", "load"]

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)


def dump(document: Any) -> str:
    return _ENCODER.encode(document).decode()


def load(text: str) -> Any:
    return _DECODER.decode(text)
