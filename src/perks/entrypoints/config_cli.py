"""What ``perks plan``, ``perks apply``, ``perks export`` and ``perks schema`` print."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import typer

from perks.bootstrap import Services
from perks.entrypoints import config
from perks.entrypoints.config.files import SUFFIXES, load_directory, load_text
from perks.entrypoints.config.session_tests import (
    CaseResult,
    run_session_tests,
    session_tests,
)

__all__ = ["CaseClock", "run_apply", "run_export", "run_plan", "run_schema", "run_test"]

_SIGNS = {config.Action.CREATE: "+", config.Action.CHANGE: "~", config.Action.DELETE: "-"}
_COLOURS = {
    config.Action.CREATE: typer.colors.GREEN,
    config.Action.CHANGE: typer.colors.YELLOW,
    config.Action.DELETE: typer.colors.RED,
}


def _problems(problems: list[config.FileProblem]) -> int:
    for problem in problems:
        typer.secho(str(problem), fg=typer.colors.RED, err=True)
    typer.secho(f"{len(problems)} problem(s): nothing was changed.", fg=typer.colors.RED, err=True)
    return 1


def _show(step: config.Step, *, done: bool = False) -> None:
    verb = {
        config.Action.CREATE: "created",
        config.Action.CHANGE: "changed",
        config.Action.DELETE: "deleted",
    }
    words = verb[step.action] if done else str(step.action)
    where = f"  ({step.source})" if step.source and not done else ""
    typer.secho(f"{_SIGNS[step.action]} {words} {step.subject}{where}", fg=_COLOURS[step.action])
    if not done:
        for line in step.details:
            typer.echo(f"      {line}")


def _summary(plan: config.Plan, *, done: bool) -> None:
    counts = [plan.count(action) for action in config.Action]
    if not any(counts):
        typer.echo("No changes: what is stored matches the files.")
    else:
        created, changed, deleted = counts
        verb = "Applied" if done else "Plan"
        typer.echo(
            f"{verb}: {created} to create, {changed} to change, {deleted} to delete."
            if not done
            else f"{verb}: {created} created, {changed} changed, {deleted} deleted."
        )
    if plan.kept:
        typer.echo(
            f"{len(plan.kept)} stored item(s) are not in the files and stay (--prune deletes "
            "them): " + "; ".join(plan.kept)
        )


def run_plan(services: Services, directory: Path, *, prune: bool) -> int:
    plan = config.plan(services, directory, prune=prune)
    if plan.problems:
        return _problems(plan.problems)
    for step in plan.steps:
        if step.subject:
            _show(step)
    _summary(plan, done=False)
    return 0


def run_apply(services: Services, directory: Path, *, prune: bool) -> int:
    applied = config.apply(services, directory, prune=prune, report=lambda s: _show(s, done=True))
    if applied.plan.problems:
        return _problems(applied.plan.problems)
    if applied.failed is not None:
        assert applied.error is not None
        source = f" ({applied.failed.source})" if applied.failed.source else ""
        typer.secho(
            f"! could not {applied.failed.action} {applied.failed.subject}{source}: "
            f"{applied.error.details}",
            fg=typer.colors.RED,
            err=True,
        )
        typer.secho(
            f"{applied.done} step(s) were applied before it; fix the files and apply again.",
            fg=typer.colors.RED,
            err=True,
        )
        return 1
    _summary(applied.plan, done=True)
    return 0


def run_export(services: Services, application_id: int, directory: Path, *, force: bool) -> int:
    files = config.export(services, application_id)
    if directory.exists() and any(directory.iterdir()):
        if not force:
            typer.secho(
                f"{directory} is not empty: export into an empty directory, or give --force "
                "to replace its configuration files",
                fg=typer.colors.RED,
                err=True,
            )
            return 1
        _remove_configuration(directory)
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    typer.echo(f"Wrote {len(files)} file(s) to {directory}.")
    return 0


def _remove_configuration(directory: Path) -> None:
    """Remove the files ``perks apply`` would read (others, a README or golden carts, stay)."""
    for path in sorted(directory.rglob("*"), reverse=True):
        if path.is_file() and path.suffix in SUFFIXES and not _golden_carts(path):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            shutil.rmtree(path)


def run_schema(output: Path | None) -> int:
    text = json.dumps(config.json_schema(), indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
    return 0


class CaseClock:
    """The clock of a scratch database: golden carts set it to their ``now``."""

    def __init__(self) -> None:
        self._now: datetime | None = None

    def now(self) -> datetime:
        return self._now or datetime.now(UTC)

    def set(self, now: datetime | None) -> None:
        self._now = now


def run_test(services: Services, directory: Path, *, clock: CaseClock | None) -> int:
    """Run the golden carts of ``directory``. With ``clock`` (a scratch database), the files
    are applied first and each case runs at its ``now``; without, they run on what is stored,
    ``now`` sent as the dry run's ``now``."""
    located, problems = load_directory(directory)
    if problems:
        return _problems(problems)
    cases = session_tests(located)
    if not cases:
        typer.secho(f"No SessionTest documents in {directory}.", fg=typer.colors.YELLOW)
        return 0
    if clock is not None:
        applied = config.apply(services, directory)
        if applied.plan.problems:
            return _problems(applied.plan.problems)
        if applied.failed is not None:
            assert applied.error is not None
            details = applied.error.details
            typer.secho(f"! could not apply {applied.failed.subject}: {details}", err=True)
            return 1

    def at(now: datetime | None) -> datetime | None:
        if clock is None:
            return now
        clock.set(now)
        return None

    results = run_session_tests(services, cases, at=at)
    for result in results:
        _show_case(result)
    failed = sum(1 for result in results if not result.passed)
    colour = typer.colors.RED if failed else typer.colors.GREEN
    typer.secho(f"{len(results) - failed} passed, {failed} failed.", fg=colour)
    return 1 if failed else 0


def _show_case(result: CaseResult) -> None:
    if result.passed:
        typer.secho(f"PASS {result.name}  ({result.source})", fg=typer.colors.GREEN)
        return
    typer.secho(f"FAIL {result.name}  ({result.source})", fg=typer.colors.RED)
    for problem in result.problems:
        typer.echo(f"      {problem}")


def _golden_carts(path: Path) -> bool:
    """Whether the file holds golden carts (which export never writes, so never removes)."""
    located, _ = load_text(path.read_text(encoding="utf-8"), path.name, json=path.suffix == ".json")
    return bool(session_tests(located))
