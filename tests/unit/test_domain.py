"""Pure domain rules: validation, keys, paging, principals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from perks.domain.api_keys import (
    IntegrationKey,
    ManagementKey,
    generate_secret,
    secret_digest,
)
from perks.domain.applications import (
    ApplicationSpec,
    validate_application_spec,
)
from perks.domain.errors import Forbidden, InvalidInput, NotFound
from perks.domain.limits import LimitConfig, LimitEntity, validate_limits
from perks.domain.pages import SortKey, parse_sort
from perks.services.principals import OPERATOR, ManagementPrincipal

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SPEC = ApplicationSpec(name="shop", timezone="Europe/Berlin", currency="EUR")


def _pointers(error: pytest.ExceptionInfo[InvalidInput]) -> list[str]:
    return [problem.location for problem in error.value.problems]


@pytest.mark.parametrize("timezone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_real_time_zones_are_accepted(timezone: str) -> None:
    validate_application_spec(replace(SPEC, timezone=timezone))


@pytest.mark.parametrize(
    "timezone", ["", "Mars/Base", "../etc/passwd", "/etc/localtime", "Europe/.."]
)
def test_unknown_or_path_like_time_zones_are_refused(timezone: str) -> None:
    with pytest.raises(InvalidInput) as error:
        validate_application_spec(replace(SPEC, timezone=timezone))
    assert _pointers(error) == ["/timezone"]


def test_blank_name_and_bad_currency_are_reported_together() -> None:
    with pytest.raises(InvalidInput) as error:
        validate_application_spec(replace(SPEC, name="  ", currency="euro"))
    assert _pointers(error) == ["/name", "/currency"]


def test_limits_are_checked_one_by_one() -> None:
    good = LimitConfig(action="redeemCoupon", limit=Decimal(5), entities=(LimitEntity.COUPON,))
    limits = (
        good,
        replace(good, action=" "),
        replace(good, entities=()),
        replace(good, action="createCoupon", limit=Decimal(-1)),
        good,
    )
    with pytest.raises(InvalidInput) as error:
        validate_limits(limits, "/limits", require_entities=True)
    assert _pointers(error) == [
        "/limits/1/action",
        "/limits/2/entities",
        "/limits/3/limit",
        "/limits/4",
    ]
    validate_limits((good,), "/limits")


def test_secrets_are_random_and_digests_stable() -> None:
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert len(first) == 64
    assert secret_digest(first) == secret_digest(first)
    assert secret_digest(first) != first


def test_key_usability() -> None:
    key = IntegrationKey(1, 1, "t", "abcdef", expires=NOW + timedelta(1), created=NOW)
    assert key.is_usable(NOW)
    assert not key.is_usable(NOW + timedelta(days=1))
    assert not replace(key, revoked=NOW).is_usable(NOW)
    management = ManagementKey(1, "m", "abcdef", expiry_date=NOW + timedelta(1), created=NOW)
    assert management.is_usable(NOW)
    assert not replace(management, disabled=True).is_usable(NOW)


def test_sort_parsing() -> None:
    assert parse_sort(None, allowed=["id"]) == SortKey("id")
    assert parse_sort("-name", allowed=["name"]) == SortKey("name", descending=True)
    with pytest.raises(InvalidInput) as error:
        parse_sort("password", allowed=["id", "name"])
    assert error.value.problems[0].kind == "parameter"


def test_principals() -> None:
    restricted = ManagementPrincipal(key_id=1, allowed_application_ids=frozenset({2}))
    restricted.require_application(2)
    with pytest.raises(NotFound):
        restricted.require_application(3)
    with pytest.raises(Forbidden):
        restricted.require_unrestricted("create applications")
    OPERATOR.require_application(3)
    OPERATOR.require_unrestricted("create applications")
