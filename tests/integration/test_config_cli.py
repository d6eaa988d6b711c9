"""``perks plan``, ``apply``, ``export`` and ``schema`` as a user runs them (SQLite)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from typer.testing import CliRunner

from perks.entrypoints import cli
from perks.entrypoints.config.files import load_directory

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "examples"


def _perks(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


def test_apply_then_plan_then_export(sqlite_url: str, tmp_path: Path) -> None:
    planned = _perks("plan", "-f", str(EXAMPLES), "--database-url", sqlite_url)
    assert planned.exit_code == 0, planned.output
    assert "+ create application 'Demo shop'  (application.yaml#0)" in planned.output
    assert "Plan: 13 to create, 1 to change, 0 to delete." in planned.output

    applied = _perks("apply", "-f", str(EXAMPLES), "--database-url", sqlite_url)
    assert applied.exit_code == 0, applied.output
    assert "+ created campaign 'Tiered cart discount' of 'Demo shop'" in applied.output
    assert "Applied: 13 created, 1 changed, 0 deleted." in applied.output

    again = _perks("apply", "-f", str(EXAMPLES), "--database-url", sqlite_url)
    assert again.exit_code == 0, again.output
    assert again.output.strip() == "No changes: what is stored matches the files."

    out = tmp_path / "out"
    exported = _perks("export", "--application", "1", "-o", str(out), "--database-url", sqlite_url)
    assert exported.exit_code == 0, exported.output
    assert f"Wrote 8 file(s) to {out}." in exported.output
    for path in EXAMPLES.rglob("*.yaml"):
        relative = path.relative_to(EXAMPLES)
        if relative.parts[0] == "tests":
            continue  # golden carts: export never writes them
        assert (out / relative).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


def test_export_refuses_a_non_empty_directory_unless_forced(
    sqlite_url: str, tmp_path: Path
) -> None:
    assert _perks("apply", "-f", str(EXAMPLES), "--database-url", sqlite_url).exit_code == 0
    out = tmp_path / "out"
    (out / "campaigns").mkdir(parents=True)
    (out / "campaigns" / "old-campaign.yaml").write_text("kind: Campaign\n", encoding="utf-8")
    (out / "README.md").write_text("notes\n", encoding="utf-8")

    refused = _perks("export", "--application", "1", "-o", str(out), "--database-url", sqlite_url)
    assert refused.exit_code == 1
    assert "is not empty" in refused.output
    assert (out / "campaigns" / "old-campaign.yaml").exists()

    forced = _perks(
        "export", "--application", "1", "-o", str(out), "--force", "--database-url", sqlite_url
    )
    assert forced.exit_code == 0, forced.output
    assert not (out / "campaigns" / "old-campaign.yaml").exists()
    assert (out / "README.md").read_text(encoding="utf-8") == "notes\n"
    assert (out / "campaigns" / "tiered-cart-discount.yaml").exists()

    missing = _perks(
        "export", "--application", "9", "-o", str(tmp_path / "x"), "--database-url", sqlite_url
    )
    assert missing.exit_code == 1
    assert "application 9 not found" in missing.output


def test_problems_exit_1_and_change_nothing(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "kind: Application\nname: Shop\ntimezone: UTC\ncurrency: EURO\n", encoding="utf-8"
    )
    for command in ("plan", "apply"):
        result = _perks(command, "-f", str(tmp_path), "--database-url", sqlite_url)
        assert result.exit_code == 1
        assert "bad.yaml#0/currency: Expected `str` of length <= 3" in result.output
        assert "1 problem(s): nothing was changed." in result.output
    assert (
        "No changes" not in _perks("plan", "-f", str(EXAMPLES), "--database-url", sqlite_url).output
    )


def test_a_failed_step_is_named_and_the_exit_code_is_1(sqlite_url: str, tmp_path: Path) -> None:
    (tmp_path / "shop.yaml").write_text(
        "kind: Application\nname: Shop\ntimezone: UTC\ncurrency: EUR\n---\n"
        "kind: Campaign\napplication: Shop\nname: A\ncoupons: [{value: SAME, usageLimit: 1}]\n"
        "---\n"
        "kind: Campaign\napplication: Shop\nname: B\ncoupons: [{value: SAME, usageLimit: 1}]\n",
        encoding="utf-8",
    )
    result = _perks("apply", "-f", str(tmp_path), "--database-url", sqlite_url)
    assert result.exit_code == 1
    assert "! could not create 1 coupon(s) of campaign 'B' of 'Shop' (shop.yaml#2)" in result.output
    assert "4 step(s) were applied before it" in result.output


def test_the_schema_validates_the_examples(tmp_path: Path) -> None:
    printed = _perks("schema")
    assert printed.exit_code == 0
    schema = json.loads(printed.output)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = jsonschema.Draft202012Validator(schema)

    located, problems = load_directory(EXAMPLES)
    assert problems == []
    assert len(located) == 12  # 8 documents of state, 4 golden carts
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            plain = json.loads(json.dumps(document, default=str))
            errors = list(validator.iter_errors(plain))
            assert errors == [], (path, errors[0].message if errors else None)

    wrong = {"kind": "Campaign", "application": "Shop", "name": "x", "state": "paused"}
    assert not validator.is_valid(wrong)
    assert not validator.is_valid({"kind": "Loyalty"})

    written = tmp_path / "schema.json"
    assert _perks("schema", "-o", str(written)).exit_code == 0
    assert json.loads(written.read_text(encoding="utf-8")) == schema
