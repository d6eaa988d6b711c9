"""What ``perks plan``, ``perks apply``, ``perks export`` and ``perks schema`` print."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import typer

from perks.bootstrap import Services
from perks.entrypoints import config
from perks.entrypoints.config.files import SUFFIXES

__all__ = ["run_apply", "run_export", "run_plan", "run_schema"]

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
    """Remove the files ``perks apply`` would read (others, a README say, stay)."""
    for path in sorted(directory.rglob("*"), reverse=True):
        if path.is_file() and path.suffix in SUFFIXES:
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
