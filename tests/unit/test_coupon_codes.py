"""Coupon codes: settings as Talon.One checks them, the code space, generation, CSV."""

from __future__ import annotations

import csv
import re
import string
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from random import Random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perks.domain.applications import CaseSensitivity
from perks.domain.coupon_codes import (
    DEFAULT_VALID_CHARACTERS,
    EXPORT_COLUMNS,
    CodeCreation,
    CodeRequest,
    CodeSettings,
    DateFormat,
    ImportedCoupon,
    export_coupons_csv,
    generate_codes,
    normalized_code,
    parse_code_request,
    parse_code_settings,
    parse_coupon_import,
)
from perks.domain.errors import Conflict, InvalidInput

SENSITIVE = CaseSensitivity.SENSITIVE
UPPER = CaseSensitivity.INSENSITIVE_UPPERCASE
LOWER = CaseSensitivity.INSENSITIVE_LOWERCASE


def _pointers(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [problem.location for problem in error.value.problems]


def _request(**overrides: Any) -> CodeRequest:
    arguments: dict[str, Any] = {
        "coupon_pattern": "SUMMER-####",
        "valid_characters": None,
        "number_of_coupons": 10,
        "creation": CodeCreation.SYNC,
    }
    return parse_code_request(**{**arguments, **overrides})


def _codes(settings: CodeSettings, count: int, **options: Any) -> list[str]:
    chunks = generate_codes(settings, count, random=Random(7), **options)
    return [code for chunk in chunks for code in chunk]


# --- settings --------------------------------------------------------------------------------


def test_valid_characters_default_to_upper_case_letters_and_digits() -> None:
    settings = parse_code_settings("SUMMER-####")
    assert settings.characters == DEFAULT_VALID_CHARACTERS
    assert "".join(settings.characters) == string.ascii_uppercase + string.digits
    assert settings.placeholders == 4
    assert settings.space == 36**4


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"coupon_pattern": None}, "/couponPattern"),
        ({"coupon_pattern": "##"}, "/couponPattern"),
        ({"coupon_pattern": "#" * 101}, "/couponPattern"),
        ({"coupon_pattern": "SUMMER ####"}, "/couponPattern"),
        ({"coupon_pattern": "SUMMER/####"}, "/couponPattern"),
        ({"coupon_pattern": "SUMMER"}, "/couponPattern"),
        ({"coupon_pattern": "A##"}, "/couponPattern"),  # a code of 3: Coupon.value needs 4
        ({"valid_characters": []}, "/validCharacters"),
        ({"valid_characters": ["A", "BC"]}, "/validCharacters/1"),
        ({"valid_characters": ["A", ""]}, "/validCharacters/1"),
        ({"valid_characters": [" ", "A"]}, "/validCharacters/0"),
        ({"valid_characters": ["A", "\n"]}, "/validCharacters/1"),
        ({"valid_characters": [chr(0x4E00 + i) for i in range(300)]}, "/validCharacters"),
        ({"unique_prefix": "X Y"}, "/uniquePrefix"),
        ({"unique_prefix": "X#"}, "/uniquePrefix"),
        ({"unique_prefix": "P" * 90}, "/uniquePrefix"),  # 90 + 15 > 100 characters a code
        ({"number_of_coupons": 0}, "/numberOfCoupons"),
        ({"number_of_coupons": 20_001}, "/numberOfCoupons"),
        ({"number_of_coupons": 200_001, "unique_prefix": "P"}, "/numberOfCoupons"),
        ({"number_of_coupons": 5_000_001, "creation": CodeCreation.ASYNC}, "/numberOfCoupons"),
    ],
)
def test_each_violation_names_its_field(overrides: dict[str, object], pointer: str) -> None:
    with pytest.raises(InvalidInput) as error:
        _request(**{"coupon_pattern": "SUMMER-########", **overrides})
    assert _pointers(error) == [pointer]


@pytest.mark.parametrize(
    ("count", "creation", "prefix"),
    [
        (20_000, CodeCreation.SYNC, ""),
        (200_000, CodeCreation.SYNC, "P-"),
        (5_000_000, CodeCreation.ASYNC, ""),
    ],
)
def test_the_spec_limits_on_the_number_of_codes_are_inclusive(
    count: int, creation: CodeCreation, prefix: str
) -> None:
    request = _request(
        coupon_pattern="########", number_of_coupons=count, creation=creation, unique_prefix=prefix
    )
    assert request.count == count


def test_all_problems_come_together_under_the_settings_pointer() -> None:
    with pytest.raises(InvalidInput) as error:
        _request(
            coupon_pattern="SUM MER",
            valid_characters=["A", "", "B"],
            number_of_coupons=0,
            creation=CodeCreation.ASYNC,
            settings_at="/couponSettings",
        )
    assert _pointers(error) == [
        "/couponSettings/couponPattern",
        "/couponSettings/validCharacters/1",
        "/numberOfCoupons",
    ]


def test_a_space_too_small_is_refused_with_the_numbers() -> None:
    with pytest.raises(InvalidInput) as error:
        _request(coupon_pattern="CODE##", valid_characters=["A", "B", "C"], number_of_coupons=5)
    [problem] = error.value.problems
    assert problem.location == "/numberOfCoupons"
    assert "5 codes" in problem.details
    assert "3 valid characters and 2 placeholders make 9 possible codes" in problem.details
    assert "(4)" in problem.details


def test_half_the_space_can_be_requested() -> None:
    request = _request(coupon_pattern="CODE##", valid_characters=["A", "B"], number_of_coupons=2)
    assert request.count == 2


def test_case_insensitive_applications_fold_valid_characters_into_one() -> None:
    characters = ["a", "A", "b", "B"]
    assert parse_code_settings("X-##", characters).space == 16
    assert parse_code_settings("X-##", characters, case_sensitivity=UPPER).characters == ("A", "B")
    assert parse_code_settings("X-##", characters, case_sensitivity=LOWER).space == 4
    with pytest.raises(InvalidInput) as error:
        _request(
            coupon_pattern="X-##",
            valid_characters=characters,
            number_of_coupons=3,
            case_sensitivity=UPPER,
        )
    assert _pointers(error) == ["/numberOfCoupons"]


def test_a_character_whose_case_folds_to_two_is_refused() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_code_settings("X-##", ["A", "ß"], case_sensitivity=UPPER)
    assert _pointers(error) == ["/validCharacters/1"]


@pytest.mark.parametrize(
    ("sensitivity", "expected"),
    [(SENSITIVE, "Summer-aB1"), (UPPER, "SUMMER-AB1"), (LOWER, "summer-ab1")],
)
def test_normalized_code(sensitivity: CaseSensitivity, expected: str) -> None:
    assert normalized_code("Summer-aB1", sensitivity) == expected


# --- generation ------------------------------------------------------------------------------


def test_pattern_literals_are_kept_and_the_prefix_comes_first() -> None:
    settings = parse_code_settings("SUMMER-##-#x", ["7", "8"], unique_prefix="p.")
    for code in _codes(settings, 4):
        assert re.fullmatch(r"p\.SUMMER-[78]{2}-[78]x", code)


def test_codes_of_a_case_insensitive_application_come_out_normalized() -> None:
    settings = parse_code_settings(
        "Sale-####", ["a", "B"], unique_prefix="q", case_sensitivity=LOWER
    )
    codes = _codes(settings, 5)
    assert all(code == normalized_code(code, LOWER) for code in codes)
    assert all(re.fullmatch(r"qsale-[ab]{4}", code) for code in codes)


def test_chunks_are_unique_and_sized() -> None:
    settings = parse_code_settings("##-##", ["A", "B", "C", "D"])  # 256 codes
    chunks = list(generate_codes(settings, 128, random=Random(1), chunk_size=50))
    assert [len(chunk) for chunk in chunks] == [50, 50, 28]
    codes = [code for chunk in chunks for code in chunk]
    assert len(set(codes)) == 128


def test_taken_codes_are_avoided_whether_a_container_or_a_predicate() -> None:
    settings = parse_code_settings("T-##", ["A", "B", "C", "D"])  # 16 codes
    taken = {"T-AA", "T-AB", "T-BA", "T-BB", "T-CC", "T-DD"}
    from_set = _codes(settings, 8, taken=taken, chunk_size=3)
    from_predicate = _codes(settings, 8, taken=taken.__contains__, chunk_size=3)
    for codes in (from_set, from_predicate):
        assert len(set(codes)) == 8
        assert not taken & set(codes)


def test_storage_sends_back_clashes_and_gets_as_many_replacements() -> None:
    settings = parse_code_settings("R-####", ["A", "B", "C", "D"])  # 256 codes
    existing = {code for code in _codes(settings, 128) if code[2] == "A"}  # unknown to it
    stored = set(existing)
    offered: list[str] = []
    codes = generate_codes(settings, 60, random=Random(3), chunk_size=10)
    for first in codes:
        chunk = first
        offered += chunk
        while clashes := set(chunk) & existing:
            stored.update(code for code in chunk if code not in clashes)
            chunk = codes.send(clashes)
            assert len(chunk) == len(clashes)
            offered += chunk
        stored.update(chunk)
    assert len(offered) == len(set(offered))  # nothing is offered twice
    assert len(stored) == len(existing) + 60
    assert len(set(offered) & existing) > 0  # the clashes did happen


def test_sending_back_codes_that_were_not_in_the_chunk_is_a_bug() -> None:
    settings = parse_code_settings("R-####", ["A", "B", "C"])
    codes = generate_codes(settings, 20, random=Random(3), chunk_size=10)
    next(codes)
    with pytest.raises(ValueError, match="chunk"):
        codes.send({"NOT-OURS"})


def test_an_exhausted_space_is_a_conflict_not_a_hang() -> None:
    settings = parse_code_settings("T-##", ["A", "B"])
    with pytest.raises(Conflict) as error:
        _codes(settings, 2, taken=lambda code: code != "T-AB")
    assert error.value.pointer == "/numberOfCoupons"


def test_a_seeded_random_makes_generation_repeatable() -> None:
    settings = parse_code_settings("SUMMER-####-####")
    first = list(generate_codes(settings, 25, random=Random(42), chunk_size=10))
    second = list(generate_codes(settings, 25, random=Random(42), chunk_size=10))
    assert first == second
    assert first != list(generate_codes(settings, 25, random=Random(43), chunk_size=10))


def test_the_default_random_source_is_the_system_one() -> None:
    settings = parse_code_settings("########")
    [one] = generate_codes(settings, 1)
    [other] = generate_codes(settings, 1)
    assert one != other  # 36**8 codes: a clash here means the source is not random


def test_characters_are_equally_likely_when_their_number_does_not_divide_256() -> None:
    settings = parse_code_settings("X-##########", ["A", "B", "C"])
    counts = Counter("".join(code[2:] for code in _codes(settings, 3000)))
    assert set(counts) == {"A", "B", "C"}
    assert all(9_500 < n < 10_500 for n in counts.values())  # 10,000 expected each


def test_characters_beyond_latin_1_work_too() -> None:
    settings = parse_code_settings("ab-###", ["ж", "ω", "é", "中"])
    codes = _codes(settings, 20)
    assert len(set(codes)) == 20
    assert all(re.fullmatch("ab-[жωé中]{3}", code) for code in codes)


pattern_texts = st.text(alphabet=string.ascii_letters + string.digits + "._%+@-#", max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    head=pattern_texts,
    tail=pattern_texts,
    characters=st.lists(
        st.characters(codec="utf-8", categories=["L", "N", "P", "S"]),
        min_size=2,
        max_size=40,
        unique=True,
    ),
    seed=st.integers(0, 2**32),
    count=st.integers(1, 30),
)
def test_generated_codes_match_the_pattern_and_the_characters(
    head: str, tail: str, characters: list[str], seed: int, count: int
) -> None:
    pattern = f"{head}######{tail}"  # at least 2**6 codes: room for 30
    settings = parse_code_settings(pattern, characters)
    codes = [c for chunk in generate_codes(settings, count, random=Random(seed)) for c in chunk]
    shape = "".join(
        f"[{''.join(re.escape(c) for c in settings.characters)}]" if p == "#" else re.escape(p)
        for p in pattern
    )
    assert len(codes) == len(set(codes)) == count
    assert all(re.fullmatch(shape, code) for code in codes)


# --- CSV -------------------------------------------------------------------------------------

START = datetime(2018, 5, 1, 4, tzinfo=UTC)
END = datetime(2018, 7, 1, 4, tzinfo=UTC)


def test_export_has_the_spec_columns_and_formats_values() -> None:
    row = {
        "id": 6,
        "value": "COUP1",
        "expirydate": END,
        "deleted": False,
        "attributes": {"Category": "10_off", "amount": Decimal("2.50")},
        "discount_limitval": Decimal("2.4"),
    }
    header, line = "".join(export_coupons_csv([row])).splitlines()
    assert header.split(",") == list(EXPORT_COLUMNS)
    cells = dict(zip(EXPORT_COLUMNS, next(csv.reader([line])), strict=True))
    assert cells["id"] == "6"
    assert cells["expirydate"] == "2018-07-01T04:00:00Z"
    assert cells["deleted"] == "false"
    assert cells["attributes"] == '{"Category":"10_off","amount":2.50}'
    assert cells["startdate"] == ""


def test_export_of_values_only_and_excel_dates() -> None:
    rows: list[dict[str, object]] = [{"value": "A-1", "created": END}, {"value": "B-2"}]
    assert "".join(export_coupons_csv(rows, values_only=True)) == "value\nA-1\nB-2\n"
    text = "".join(export_coupons_csv(rows, date_format=DateFormat.EXCEL))
    assert "2018-07-01 04:00:00" in text


def test_an_export_imports_again() -> None:
    rows = [
        {
            "value": "COUP1",
            "startdate": START,
            "expirydate": END,
            "recipientintegrationid": "cust123",
            "limitval": 3,
            "attributes": {"Category": "10_off", "rate": Decimal("0.5")},
            "discount_limitval": Decimal("2.4"),
            "counter": 1,
        },
        {"value": "COUP2", "limitval": 0},
    ]
    imported = parse_coupon_import("".join(export_coupons_csv(rows)))
    assert imported == [
        ImportedCoupon(
            line=2,
            value="COUP1",
            usage_limit=3,
            start_date=START,
            expiry_date=END,
            recipient_integration_id="cust123",
            discount_limit=Decimal("2.4"),
            attributes={"Category": "10_off", "rate": Decimal("0.5")},
        ),
        ImportedCoupon(line=3, value="COUP2", usage_limit=0),
    ]


def test_the_spec_example_imports() -> None:
    text = (
        '"value","expirydate","startdate","recipientintegrationid","limitval","attributes",'
        '"discountlimit"\n'
        'COUP1,2018-07-01T04:00:00Z,2018-05-01T06:00:00+02:00,cust123,1,"{""Category"":\n'
        '""10_off""}",2.4\n'
        "\n"
        "coup2,,,,,,\n"
    )
    first, second = parse_coupon_import(text, case_sensitivity=UPPER)
    assert first.start_date == START
    assert first.attributes == {"Category": "10_off"}
    assert (second.line, second.value, second.usage_limit) == (5, "COUP2", 1)


def test_every_bad_row_is_reported_with_its_line() -> None:
    text = (
        "\ufeffvalue,limitval,startdate,expirydate,attributes,discountlimit\n"
        "GOOD1,1,,,,\n"
        'ABC,x,2020-01-01,,"{""a"":\n1}",-1\n'  # lines 3 and 4
        "GOOD2,1000000,,,[1],\n"
        "GOOD3,1,2020-02-01T00:00:00Z,2020-01-01T00:00:00Z,,1E+16\n"
        "good1,,,,,\n"
        "SHORT,1\n"
    )
    with pytest.raises(InvalidInput) as error:
        parse_coupon_import(text)
    problems = error.value.problems
    assert {problem.kind for problem in problems} == {"line"}
    assert [problem.location for problem in problems] == ["3"] * 4 + ["5"] * 2 + ["6"] * 2 + ["8"]
    assert "value" in problems[0].details
    assert "limitval" in problems[1].details
    assert "startdate" in problems[2].details
    assert "discountlimit" in problems[3].details
    assert "expirydate is before startdate" in problems[7].details
    assert "fields" in problems[8].details
    assert len(parse_coupon_import("value\nGOOD1\ngood1\n")) == 2  # case-sensitive


def test_duplicates_are_refused_or_skipped() -> None:
    text = "value\nSAME-1\nsame-1\nOTHER\n"
    with pytest.raises(InvalidInput) as error:
        parse_coupon_import(text, case_sensitivity=LOWER)
    assert [(p.location, p.kind) for p in error.value.problems] == [("3", "line")]
    coupons = parse_coupon_import(text, case_sensitivity=LOWER, skip_duplicates=True)
    assert [coupon.value for coupon in coupons] == ["same-1", "other"]


@pytest.mark.parametrize(
    ("text", "details"),
    [
        ("", "empty"),
        ("limitval\n1\n", "'value' is required"),
        ("value,colour\nABCD,red\n", "unknown column 'colour'"),
        ("value,Value\nABCD,ABCD\n", "more than once"),
    ],
)
def test_a_bad_header_is_line_1(text: str, details: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_coupon_import(text)
    [problem] = error.value.problems
    assert (problem.location, problem.kind) == ("1", "line")
    assert details in problem.details


def test_malformed_csv_names_its_line() -> None:
    with pytest.raises(InvalidInput) as error:
        parse_coupon_import("value,attributes\nABCD,\nEFGH," + "x" * 200_000 + "\n")
    [problem] = error.value.problems
    assert (problem.location, problem.kind) == ("3", "line")
    assert "malformed CSV" in problem.details
