"""``perks talang``: evaluate and check expressions, and regenerate the function reference."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from perks import talang
from perks.talang.kinds import format_time, parse_time
from perks.talang.reference import update_document

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Evaluate and check Talang expressions.")

Expression = Annotated[str, typer.Argument(help="The expression, as JSON.")]


def _decode(text: str, what: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as error:
        raise _fail(f"the {what} is not JSON: {error}") from None


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def _encode(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return value


def _bindings(text: str, now: str | None) -> dict[str, object]:
    bindings = _decode(text, "bindings")
    if not isinstance(bindings, dict):
        raise _fail("the bindings are a JSON object")
    given = now or bindings.get("Now")
    if isinstance(given, str):
        moment = parse_time(given)
        if moment is None:
            raise _fail(f"Now must be an RFC 3339 time, given {given!r}")
        bindings["Now"] = moment
    return bindings


@app.command("eval")
def evaluate(
    expression: Expression,
    bindings: Annotated[str, typer.Option(help="The bindings, as a JSON object.")] = "{}",
    now: Annotated[str | None, typer.Option(help="Bind Now to this RFC 3339 time.")] = None,
    interpreter: Annotated[bool, typer.Option(help="Use the reference interpreter.")] = False,
) -> None:
    """Print the value of an expression as JSON."""
    expr = _decode(expression, "expression")
    values = _bindings(bindings, now)
    try:
        if interpreter:
            result = talang.interpret(expr, values)
        else:
            result = talang.compile(expr).evaluate(values)
    except talang.TalangCheckError as error:
        raise _fail("\n".join(str(d) for d in error.diagnostics)) from None
    except talang.TalangError as error:
        raise _fail(f"{error.kind} at {error.path or '/'}: {error.message}") from None
    typer.echo(json.dumps(_encode(result), ensure_ascii=False))


@app.command("check")
def check(expression: Expression) -> None:
    """Print every diagnostic of an expression; exit 1 when there is any."""
    diagnostics = talang.check(_decode(expression, "expression"))
    for diagnostic in diagnostics:
        line = str(diagnostic)
        if diagnostic.expected:
            line += f"\n    expected: {diagnostic.expected}"
        if diagnostic.found:
            line += f"\n    found:    {diagnostic.found}"
        typer.echo(line)
    if diagnostics:
        raise typer.Exit(code=1)
    typer.echo("ok")


@app.command("docs")
def docs(
    path: Annotated[Path, typer.Argument(help="The reference to rewrite.")] = Path(
        "docs/talang.md"
    ),
    check_only: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the file is stale; change nothing.")
    ] = False,
) -> None:
    """Regenerate the function reference between the markers of docs/talang.md."""
    current = path.read_text(encoding="utf-8")
    updated = update_document(current, talang.default_registry())
    if check_only:
        if updated != current:
            raise _fail(f"{path} is stale: run `perks talang docs {path}`")
        typer.echo(f"{path} is current")
        return
    path.write_text(updated, encoding="utf-8")
    typer.echo(f"{path} updated")
