"""Campaigns as code: configuration files in Talon.One's schemas, planned, applied through the
services, exported, and described by a JSON Schema.

- ``plan(services, path)``: what applying the files would create, change or delete;
- ``apply(services, path)``: does it, step by step, through the same services as the
  Management API; a second apply of the same files finds nothing to do;
- ``export(services, application_id)``: the files that describe an application;
- ``json_schema()``: the file format, for editors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from perks.bootstrap import Services
from perks.domain.errors import PerksError
from perks.entrypoints.config.documents import Document
from perks.entrypoints.config.export import export
from perks.entrypoints.config.files import FileProblem, load_directory
from perks.entrypoints.config.plan import Plan, make_plan
from perks.entrypoints.config.steps import Action, Step

__all__ = [
    "Action",
    "Applied",
    "FileProblem",
    "Plan",
    "Step",
    "apply",
    "export",
    "json_schema",
    "plan",
]


def plan(services: Services, path: Path, *, prune: bool = False) -> Plan:
    located, problems = load_directory(path)
    if problems:
        return Plan(problems=problems)
    return make_plan(services, located, prune=prune)


@dataclass(frozen=True, slots=True)
class Applied:
    """What an apply did: the plan, how many of its steps ran, and the error that stopped it
    (the steps before it stay done; applying again continues from there)."""

    plan: Plan
    done: int
    failed: Step | None = None
    error: PerksError | None = None


def apply(
    services: Services,
    path: Path,
    *,
    prune: bool = False,
    report: Callable[[Step], None] | None = None,
) -> Applied:
    planned = plan(services, path, prune=prune)
    done = 0
    for step in planned.steps:
        try:
            step.run(services, planned.ids)
        except PerksError as error:
            return Applied(planned, done, step, error)
        done += 1
        if report is not None and step.subject:
            report(step)
    return Applied(planned, done)


def json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of one configuration document."""
    schema: dict[str, Any] = _exact_numbers(msgspec.json.schema(Document))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "perks configuration document",
        "description": (
            "One document of a perks configuration file (YAML or JSON): Talon.One's schemas "
            "with a `kind`, and references by name instead of ids."
        ),
        **schema,
    }


_DECIMAL = {"type": "string", "format": "decimal"}


def _exact_numbers(schema: Any) -> Any:
    """Files write exact numbers as YAML/JSON numbers (a string is accepted too)."""
    if schema == _DECIMAL:
        return {"anyOf": [{"type": "number"}, _DECIMAL]}
    if isinstance(schema, dict):
        return {key: _exact_numbers(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_exact_numbers(value) for value in schema]
    return schema
