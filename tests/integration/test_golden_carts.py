"""``perks test -f DIR``: golden carts (``SessionTest`` documents) run as dry evaluations, on a
scratch database the files are applied to, or on a given database; every difference reported."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from perks.entrypoints import cli

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "examples"
CASES = Path("tests") / "golden-carts.yaml"


def _perks(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)
    return copy


def test_the_shipped_golden_carts_pass() -> None:
    result = _perks("test", "-f", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    assert "4 passed, 0 failed." in result.output
    assert "PASS the welcome code has expired in 2028  (tests/golden-carts.yaml#3)" in result.output


def test_a_wrong_expectation_fails_with_what_was_produced(examples: Path) -> None:
    cases = examples / CASES
    text = cases.read_text(encoding="utf-8")
    cases.write_text(text.replace("value: 2.5}", "value: 3}"), encoding="utf-8")
    result = _perks("test", "-f", str(examples))
    assert result.exit_code == 1
    assert "FAIL a welcome code takes 10% off the whole cart" in result.output
    missing = (
        "missing setDiscount from 'Welcome 10% with a coupon' with {name: '10% off', value: 3}"
    )
    assert missing in result.output
    assert "setDiscount from 'Welcome 10% with a coupon' {name: '10% off', value: 2.50}" in (
        result.output
    )
    assert "3 passed, 1 failed." in result.output


def test_an_effect_that_must_not_appear_fails(examples: Path) -> None:
    (examples / "tests" / "more.yaml").write_text(
        """kind: SessionTest
application: Demo shop
name: the tote bag from 100 EUR
customerSession:
  cartItems: [{sku: A, quantity: 1, price: 150}]
doesNotProduce:
  - effectType: addFreeItem
    props: {sku: TOTE-01}
---
kind: SessionTest
application: Nowhere
name: an application that does not exist
customerSession: {}
---
kind: SessionTest
application: Demo shop
name: an undeclared attribute is refused
customerSession:
  attributes: {colour: red}
""",
        encoding="utf-8",
    )
    result = _perks("test", "-f", str(examples))
    assert result.exit_code == 1
    assert "unexpected addFreeItem with {sku: 'TOTE-01'}" in result.output
    assert "no application named 'Nowhere'" in result.output
    assert "the session was refused: /customerSession/attributes/colour" in result.output
    assert "4 passed, 3 failed." in result.output


def test_plan_and_apply_leave_golden_carts_alone_and_export_keeps_them(
    examples: Path, sqlite_url: str
) -> None:
    planned = _perks("plan", "-f", str(examples), "--database-url", sqlite_url)
    assert planned.exit_code == 0, planned.output
    assert "Plan: 13 to create, 1 to change, 0 to delete." in planned.output
    assert "SessionTest" not in planned.output
    applied = _perks("apply", "-f", str(examples), "--database-url", sqlite_url)
    assert applied.exit_code == 0, applied.output

    on_stored = _perks("test", "-f", str(examples / "tests"), "--database-url", sqlite_url)
    # The expired-code case sends its `now` (2028) as the dry run's clock: it is in the future.
    assert on_stored.exit_code == 0, on_stored.output
    assert "4 passed, 0 failed." in on_stored.output

    exported = _perks(
        "export", "--application", "1", "-o", str(examples), "--force", "--database-url", sqlite_url
    )
    assert exported.exit_code == 0, exported.output
    assert (examples / CASES).read_text(encoding="utf-8") == (EXAMPLES / CASES).read_text(
        encoding="utf-8"
    )


def test_a_duplicate_case_name_is_a_problem(examples: Path) -> None:
    cases = examples / CASES
    first = cases.read_text(encoding="utf-8").split("---")[0]
    (examples / "tests" / "again.yaml").write_text(first, encoding="utf-8")
    result = _perks("test", "-f", str(examples))
    assert result.exit_code == 1
    assert "session test 'a welcome code takes 10% off the whole cart' of 'Demo shop' is also" in (
        result.output
    )


def test_no_golden_carts_is_said(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(
        "kind: Application\nname: shop\ncurrency: EUR\ntimezone: UTC\n", encoding="utf-8"
    )
    result = _perks("test", "-f", str(tmp_path))
    assert result.exit_code == 0
    assert "No SessionTest documents in" in result.output
