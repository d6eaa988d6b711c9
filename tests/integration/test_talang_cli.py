"""`perks talang eval | check | docs`, and docs/talang.md kept current."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from perks import talang
from perks.entrypoints import cli
from perks.talang.reference import BEGIN, END, update_document

runner = CliRunner()
DOCS = Path(__file__).parents[2] / "docs" / "talang.md"


def test_eval_prints_json() -> None:
    result = runner.invoke(
        cli.app,
        ["talang", "eval", '["*", [".", "Session", "Total"], 0.1]', "--bindings",
         '{"Session": {"Total": 125}}'],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == 12.5


def test_eval_with_now_and_the_interpreter() -> None:
    result = runner.invoke(
        cli.app,
        ["talang", "eval", '["days", "2026-01-11T00:00:00Z"]', "--now", "2026-01-01T00:00:00Z",
         "--interpreter"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "10"


def test_eval_reports_errors_with_their_path() -> None:
    failed = runner.invoke(cli.app, ["talang", "eval", '["+", 1, ["/", 1, 0]]'])
    assert failed.exit_code == 1
    assert "TalangRuntimeError at /2: division by zero" in failed.output
    bad_json = runner.invoke(cli.app, ["talang", "eval", "[oops"])
    assert bad_json.exit_code == 1
    assert "not JSON" in bad_json.output
    bad_now = runner.invoke(cli.app, ["talang", "eval", "1", "--now", "yesterday"])
    assert bad_now.exit_code == 1


def test_check_prints_every_diagnostic() -> None:
    result = runner.invoke(cli.app, ["talang", "check", '["and", ["frob"], ["+", 1, true]]'])
    assert result.exit_code == 1
    assert "/1: unknown function 'frob'" in result.output
    assert "/2: no overload of + takes (Decimal, Boolean)" in result.output
    assert "expected: +(Decimal, Decimal, Decimal...)Decimal" in result.output
    ok = runner.invoke(cli.app, ["talang", "check", '["+", 1, 2]'])
    assert (ok.exit_code, ok.output.strip()) == (0, "ok")


def test_docs_talang_md_is_generated_from_the_registry() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert update_document(text, talang.default_registry()) == text, (
        "docs/talang.md is stale: run `perks talang docs`"
    )
    for signature in talang.default_registry().signatures():
        assert f"`{signature.render()}`".replace("|", "\\|") in text


def test_docs_command_rewrites_and_checks(tmp_path: Path) -> None:
    stale = tmp_path / "talang.md"
    stale.write_text(f"# T\n\n{BEGIN}\nold\n{END}\n", encoding="utf-8")
    checked = runner.invoke(cli.app, ["talang", "docs", str(stale), "--check"])
    assert checked.exit_code == 1
    assert "stale" in checked.output
    assert runner.invoke(cli.app, ["talang", "docs", str(stale)]).exit_code == 0
    assert "| `not(Boolean)Boolean` |" in stale.read_text(encoding="utf-8")
    assert runner.invoke(cli.app, ["talang", "docs", str(stale), "--check"]).exit_code == 0
