"""Custom attribute values by their declared type: what is accepted, what rules read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from perks.domain.attribute_values import typed_attributes, typed_value
from perks.domain.attributes import AttributeType as T

D = Decimal


@pytest.mark.parametrize(
    ("value", "kind", "read"),
    [
        ("red", T.STRING, "red"),
        (3, T.NUMBER, D(3)),
        (D("2.50"), T.NUMBER, D("2.50")),
        (True, T.BOOLEAN, True),
        ("2026-11-23T10:00:00Z", T.TIME, datetime(2026, 11, 23, 10, tzinfo=UTC)),
        (
            "2026-11-23T10:00:00+01:00",
            T.TIME,
            datetime(2026, 11, 23, 10, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("52.52,13.40", T.LOCATION, "52.52,13.40"),
        (["a", "b"], T.LIST_STRING, ["a", "b"]),
        ([1, D("1.5")], T.LIST_NUMBER, [D(1), D("1.5")]),
        (["2026-01-01T00:00:00Z"], T.LIST_TIME, [datetime(2026, 1, 1, tzinfo=UTC)]),
        ([], T.LIST_LOCATION, []),
    ],
)
def test_values_of_the_declared_kind_are_read_as_rules_read_them(
    value: object, kind: T, read: object
) -> None:
    assert typed_value(value, kind) == read


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (3, T.STRING, "a string"),
        ("3", T.NUMBER, "a number"),
        (True, T.NUMBER, "a number"),  # a boolean is not a number
        ("yes", T.BOOLEAN, "true or false"),
        ("2026-11-23T10:00:00", T.TIME, "with its offset"),  # no offset: ambiguous
        ("tomorrow", T.TIME, "RFC 3339"),
        ("a", T.LIST_STRING, "a list of string"),
        (["a", 1], T.LIST_STRING, "a string"),
        ([True], T.LIST_NUMBER, "a number"),
    ],
)
def test_values_of_another_kind_are_refused(value: object, kind: T, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        typed_value(value, kind)


def test_every_wrong_value_is_a_problem_at_its_pointer() -> None:
    typed, problems = typed_attributes(
        {"size": "L", "weight": "heavy", "when": "soon", "a/b": 1, "free": None, "other": 1},
        {"size": T.STRING, "weight": T.NUMBER, "when": T.TIME, "a/b": T.STRING, "free": T.NUMBER},
        "/customerSession/attributes",
    )
    assert [p.location for p in problems] == [
        "/customerSession/attributes/weight",
        "/customerSession/attributes/when",
        "/customerSession/attributes/a~1b",
    ]
    assert typed == {"size": "L", "free": None, "other": 1}
