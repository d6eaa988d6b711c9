"""Talang, the rule language: JSON S-expressions checked, compiled to closures, or interpreted.

    >>> from decimal import Decimal
    >>> program = compile([">", [".", "Session", "Total"], 100])
    >>> program.evaluate({"Session": {"Total": Decimal(120)}})
    True

Imports only the standard library. The language reference is docs/talang.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from perks.talang.checker import Schema, check_expression
from perks.talang.compiler import Compiler, Evaluate, Program, evaluations
from perks.talang.errors import (
    Diagnostic,
    TalangCheckError,
    TalangError,
    TalangLimitError,
    TalangRuntimeError,
    TalangSyntaxError,
    TalangTypeError,
)
from perks.talang.functions import default_registry
from perks.talang.interpreter import Interpreter
from perks.talang.kinds import Kind
from perks.talang.registry import FunctionRegistry, Signature, Template
from perks.talang.runtime import Code, Context
from perks.talang.statics import Statics

__all__ = [
    "Code",
    "Context",
    "Diagnostic",
    "Evaluate",
    "FunctionRegistry",
    "Kind",
    "Program",
    "Schema",
    "Signature",
    "TalangCheckError",
    "TalangError",
    "TalangLimitError",
    "TalangRuntimeError",
    "TalangSyntaxError",
    "TalangTypeError",
    "Template",
    "check",
    "compile",
    "default_registry",
    "evaluations",
    "interpret",
]


def compile(
    expr: object, *, registry: FunctionRegistry | None = None, schema: Schema | None = None
) -> Program:
    """Check and compile ``expr``; raises ``TalangCheckError`` listing every diagnostic."""
    functions = registry or default_registry()
    statics = Statics(functions)  # what the checker learns of the tree, the compiler reuses
    node, diagnostics = check_expression(expr, functions, schema, statics)
    if diagnostics or node is None:
        raise TalangCheckError(diagnostics)
    return Program(expr, Compiler(functions, statics).program(node))


def check(
    expr: object, *, registry: FunctionRegistry | None = None, schema: Schema | None = None
) -> list[Diagnostic]:
    """Every problem of ``expr``, each with its JSON pointer; never raises on user input."""
    return check_expression(expr, registry or default_registry(), schema)[1]


def interpret(
    expr: object, bindings: Mapping[str, object], *, registry: FunctionRegistry | None = None
) -> object:
    """Evaluate with the reference interpreter (slow, obviously correct)."""
    return Interpreter(registry or default_registry()).run(expr, bindings)
