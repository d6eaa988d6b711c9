"""Money: minor units per currency, commercial rounding, and pro-rated splits that add up.

The split properties run on Hypothesis, derandomized so CI sees the same examples every time.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perks.domain.money import minor_unit, money, split

D = Decimal


def _ds(*values: str) -> list[Decimal]:
    return [Decimal(value) for value in values]


# minor_unit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "unit"),
    [
        ("EUR", "0.01"),
        ("USD", "0.01"),
        ("JPY", "1"),
        ("KRW", "1"),
        ("ISK", "1"),
        ("KWD", "0.001"),
        ("BHD", "0.001"),
        ("TND", "0.001"),
        ("CLF", "0.0001"),
        ("UYW", "0.0001"),
    ],
)
def test_minor_unit_follows_the_iso_exponent(currency: str, unit: str) -> None:
    assert minor_unit(currency) == D(unit)
    assert minor_unit(currency).as_tuple().exponent == D(unit).as_tuple().exponent


@pytest.mark.parametrize(("currency", "unit"), [("eur", "0.01"), ("jpy", "1"), ("kWd", "0.001")])
def test_minor_unit_ignores_the_case_of_the_code(currency: str, unit: str) -> None:
    assert minor_unit(currency) == D(unit)


@pytest.mark.parametrize("currency", ["XYZ", "", "ZZZZ"])
def test_an_unknown_currency_has_hundredths(currency: str) -> None:
    assert minor_unit(currency) == D("0.01")


# money -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "rounded"),
    [
        ("0.005", "EUR", "0.01"),
        ("-0.005", "EUR", "-0.01"),
        ("1.125", "EUR", "1.13"),
        ("-1.125", "EUR", "-1.13"),
        ("2.5", "JPY", "3"),
        ("-2.5", "JPY", "-3"),
        ("0.5", "JPY", "1"),
        ("1.0005", "KWD", "1.001"),
        ("-1.0005", "KWD", "-1.001"),
        ("0.00005", "CLF", "0.0001"),
        ("1.004999", "EUR", "1.00"),
        ("-1.004999", "EUR", "-1.00"),
        ("1.006", "EUR", "1.01"),
        ("2.4", "JPY", "2"),
    ],
)
def test_money_rounds_halves_away_from_zero(value: str, currency: str, rounded: str) -> None:
    assert money(D(value), currency) == D(rounded)


@pytest.mark.parametrize(
    ("value", "currency", "text"),
    [
        ("12.34", "EUR", "12.34"),
        ("-12.34", "EUR", "-12.34"),
        ("12", "EUR", "12.00"),
        ("12.3", "EUR", "12.30"),
        ("7", "JPY", "7"),
        ("0.125", "KWD", "0.125"),
        ("0", "EUR", "0.00"),
    ],
)
def test_money_leaves_exact_values_alone_but_fixes_their_places(
    value: str, currency: str, text: str
) -> None:
    result = money(D(value), currency)
    assert result == D(value)
    assert str(result) == text


# split: examples -------------------------------------------------------------------------------


def test_ten_euros_in_three_give_the_leftover_cent_to_the_first() -> None:
    assert split(D(10), _ds("1", "1", "1"), "EUR") == _ds("3.34", "3.33", "3.33")


def test_five_cents_one_to_two_give_the_cent_to_the_larger_remainder() -> None:
    # exact shares 1.67 and 3.33 cents: floors 1 and 3, the first remainder (0.67) is larger
    assert split(D("0.05"), _ds("1", "2"), "EUR") == _ds("0.02", "0.03")


def test_ties_go_to_the_earlier_part() -> None:
    assert split(D("0.01"), _ds("1", "1"), "EUR") == _ds("0.01", "0.00")
    assert split(D("0.02"), _ds("1", "1", "1"), "EUR") == _ds("0.01", "0.01", "0.00")


def test_a_single_weight_takes_the_whole() -> None:
    assert split(D("9.99"), _ds("0.3"), "EUR") == _ds("9.99")


def test_weights_need_not_be_integers() -> None:
    assert split(D(100), _ds("0.25", "0.75"), "EUR") == _ds("25.00", "75.00")


def test_zero_weights_get_nothing() -> None:
    assert split(D(10), _ds("0", "1", "0", "1"), "EUR") == _ds("0.00", "5.00", "0.00", "5.00")
    assert split(D("0.03"), _ds("0", "1", "1"), "EUR") == _ds("0.00", "0.02", "0.01")


def test_all_zero_weights_share_equally() -> None:
    assert split(D(10), _ds("0", "0", "0"), "EUR") == _ds("3.34", "3.33", "3.33")
    assert split(D("0.05"), _ds("0", "0"), "EUR") == _ds("0.03", "0.02")


def test_empty_weights_give_no_parts() -> None:
    assert split(D(10), [], "EUR") == []
    assert split(D(-10), [], "EUR") == []


def test_a_negative_total_gives_the_negated_parts() -> None:
    assert split(D(-10), _ds("1", "1", "1"), "EUR") == _ds("-3.34", "-3.33", "-3.33")
    assert split(D("-0.05"), _ds("1", "2"), "EUR") == _ds("-0.02", "-0.03")
    for weights in (_ds("1", "2", "3"), _ds("0", "5"), _ds("0", "0", "0"), _ds("0.7", "0.1")):
        positive = split(D("12.37"), weights, "EUR")
        assert split(D("-12.37"), weights, "EUR") == [-part for part in positive]


def test_a_zero_total_gives_zeros() -> None:
    assert split(D(0), _ds("1", "2"), "EUR") == _ds("0.00", "0.00")


def test_yen_split_in_whole_yen() -> None:
    parts = split(D(10), _ds("1", "1", "1"), "JPY")
    assert parts == _ds("4", "3", "3")
    assert [part.as_tuple().exponent for part in parts] == [0, 0, 0]


def test_dinar_split_in_fils() -> None:
    assert split(D(1), _ds("1", "1", "1"), "KWD") == _ds("0.334", "0.333", "0.333")


def test_parts_carry_the_currency_places() -> None:
    assert [str(part) for part in split(D(10), _ds("1", "1"), "EUR")] == ["5.00", "5.00"]


def test_a_total_with_more_places_is_rounded_first() -> None:
    # 10.005 EUR rounds to 10.01: the parts add up to that, not to 10.005 or 10.00
    parts = split(D("10.005"), _ds("1", "1"), "EUR")
    assert parts == _ds("5.01", "5.00")
    assert sum(parts, D(0)) == D("10.01")
    assert split(D("2.5"), _ds("1", "1"), "JPY") == _ds("2", "1")
    assert split(D("-10.005"), _ds("1", "1"), "EUR") == _ds("-5.01", "-5.00")


def test_a_total_that_rounds_to_zero_gives_zeros() -> None:
    assert split(D("0.004"), _ds("1", "1"), "EUR") == _ds("0.00", "0.00")


@pytest.mark.parametrize("weights", [_ds("1", "-1"), _ds("-0.01"), _ds("0", "0", "-3")])
@pytest.mark.parametrize("total", ["10", "-10", "0"])
def test_negative_weights_are_refused(weights: list[Decimal], total: str) -> None:
    with pytest.raises(ValueError, match="negative"):
        split(D(total), weights, "EUR")


# split: properties -----------------------------------------------------------------------------

SETTINGS = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD", "CLF", "usd"])
TOTALS = st.decimals(
    min_value=D("-1000000"),
    max_value=D("1000000"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
WEIGHT = st.one_of(
    st.just(D(0)),
    st.integers(min_value=0, max_value=1000).map(Decimal),
    st.decimals(
        min_value=D(0), max_value=D("10000"), places=4, allow_nan=False, allow_infinity=False
    ),
)
WEIGHTS = st.lists(WEIGHT, min_size=1, max_size=12)


def _exact_shares(total: Decimal, weights: list[Decimal]) -> list[Fraction]:
    whole = Fraction(total)
    if not any(weights):
        return [whole / len(weights)] * len(weights)
    base = sum((Fraction(weight) for weight in weights), Fraction(0))
    return [whole * Fraction(weight) / base for weight in weights]


@SETTINGS
@given(TOTALS, WEIGHTS, CURRENCIES)
def test_parts_add_up_to_the_rounded_total(
    total: Decimal, weights: list[Decimal], currency: str
) -> None:
    parts = split(total, weights, currency)
    assert len(parts) == len(weights)
    assert sum(parts, D(0)) == money(total, currency)


@SETTINGS
@given(TOTALS, WEIGHTS, CURRENCIES)
def test_every_part_is_whole_minor_units(
    total: Decimal, weights: list[Decimal], currency: str
) -> None:
    unit = minor_unit(currency)
    for part in split(total, weights, currency):
        assert part % unit == 0
        assert part.as_tuple().exponent == unit.as_tuple().exponent


@SETTINGS
@given(TOTALS, WEIGHTS, CURRENCIES)
def test_every_part_is_within_one_minor_unit_of_its_share(
    total: Decimal, weights: list[Decimal], currency: str
) -> None:
    unit = Fraction(minor_unit(currency))
    shares = _exact_shares(money(total, currency), weights)
    for part, share in zip(split(total, weights, currency), shares, strict=True):
        assert abs(Fraction(part) - share) < unit


@SETTINGS
@given(TOTALS, WEIGHTS, CURRENCIES)
def test_zero_weights_get_zero_when_some_weight_is_not(
    total: Decimal, weights: list[Decimal], currency: str
) -> None:
    parts = split(total, weights, currency)
    if any(weights):
        for part, weight in zip(parts, weights, strict=True):
            if weight == 0:
                assert part == 0


@SETTINGS
@given(TOTALS, WEIGHTS, CURRENCIES)
def test_a_negative_total_mirrors_the_positive_one(
    total: Decimal, weights: list[Decimal], currency: str
) -> None:
    assert split(-total, weights, currency) == [-p for p in split(total, weights, currency)]


def test_a_negative_amount_that_rounds_to_zero_is_plain_zero() -> None:
    assert str(money(Decimal("-0.004"), "EUR")) == "0.00"
    assert [str(part) for part in split(Decimal("-0.004"), [Decimal(1), Decimal(1)], "EUR")] == [
        "0.00",
        "0.00",
    ]


def _reference_split(total: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """The rule spelt out with fractions: floor every share in minor units, then give the
    leftover units to the largest remainders, the earlier part on a tie."""
    unit = Fraction(minor_unit(currency))
    shares = [share / unit for share in _exact_shares(money(total, currency), weights)]
    floors = [share.numerator // share.denominator for share in shares]
    left = int(sum(shares) - sum(floors))
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [
        (Decimal(part) * minor_unit(currency)).quantize(minor_unit(currency)) for part in floors
    ]


@SETTINGS
@given(TOTALS, WEIGHTS, CURRENCIES)
def test_the_split_is_the_largest_remainder_rule_exactly(
    total: Decimal, weights: list[Decimal], currency: str
) -> None:
    if money(total, currency) < 0:
        total = -total
    assert split(total, weights, currency) == _reference_split(total, weights, currency)
