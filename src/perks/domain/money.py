"""Money: exact Decimals, rounded once per emitted value to the currency's minor unit, and
pro-rated splits whose parts add up to the rounded whole."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["minor_unit", "money", "split"]

# ISO 4217 currencies whose minor unit is not the hundredth (exponent 2, every other code).
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        (
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
            "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}  # fmt: skip
_DEFAULT_EXPONENT = 2


@functools.cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: 0.01 EUR, 1 JPY, 0.001 KWD."""
    return Decimal(1).scaleb(-_exponent(currency))


def money(value: Decimal, currency: str) -> Decimal:
    """``value`` rounded to the currency's minor unit, halves away from zero (commercial
    rounding, as Go's ``math.Round`` behind Talon.One does)."""
    rounded = value.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never -0.00 on the wire


def split(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """``total`` (rounded) shared in proportion to ``weights``, each part in minor units, the
    parts adding up exactly to the rounded total (largest remainders get the leftover units,
    the earlier part on a tie). Zero weights get nothing; all-zero weights share equally."""
    whole = money(total, currency)
    if not weights:
        return []
    if whole < 0:  # the same parts as the positive total's, negated
        return [-part for part in split(-whole, weights, currency)]
    exponent = _exponent(currency)
    units = int(whole.scaleb(exponent))  # a whole number of minor units
    # Exact integer arithmetic: each weight as a fraction over one common denominator.
    ratios = [weight.as_integer_ratio() for weight in weights]
    if min(numerator for numerator, _ in ratios) < 0:
        raise ValueError("weights are never negative")
    denominator = math.lcm(*(d for _, d in ratios))
    scaled = [n * (denominator // d) for n, d in ratios]
    base = sum(scaled)
    if not base:  # all-zero weights share equally
        scaled, base = [1] * len(scaled), len(scaled)
    parts: list[int] = []
    remainders: list[int] = []
    for weight in scaled:
        part, remainder = divmod(units * weight, base)
        parts.append(part)
        remainders.append(remainder)
    left = units - sum(parts)  # floors never overshoot: 0 <= left < len
    if left:
        order = sorted(range(len(parts)), key=lambda i: (-remainders[i], i))
        for index in order[:left]:
            parts[index] += 1
    return [Decimal(part).scaleb(-exponent) for part in parts]


@functools.cache
def _exponent(currency: str) -> int:
    """How many digits the currency's minor unit has after the point."""
    return _EXPONENTS.get(currency.upper(), _DEFAULT_EXPONENT)
