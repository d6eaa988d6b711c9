"""Talang's errors. Every failure of checking or evaluating is a ``TalangError`` with a path."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Diagnostic",
    "TalangCheckError",
    "TalangError",
    "TalangLimitError",
    "TalangRuntimeError",
    "TalangSyntaxError",
    "TalangTypeError",
]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in an expression, located by a JSON pointer into it (``/2/1``)."""

    path: str
    message: str
    function: str | None = None
    expected: str | None = None
    found: str | None = None

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.message}"


class TalangError(Exception):
    """Base of every Talang error. ``path`` points at the expression that failed."""

    def __init__(self, message: str, path: str = "", *, function: str | None = None) -> None:
        super().__init__(f"{path or '/'}: {message}")
        self.message = message
        self.path = path
        self.function = function

    @property
    def kind(self) -> str:
        """The error's class name, as the conformance corpus names it."""
        return type(self).__name__


class TalangSyntaxError(TalangError):
    """The JSON is not a Talang expression (a bad call head, a malformed block, too deep)."""


class TalangCheckError(TalangError):
    """The expression does not check; ``diagnostics`` lists every problem."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        first = diagnostics[0]
        more = f" (and {len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
        super().__init__(first.message + more, first.path, function=first.function)
        self.diagnostics = diagnostics


class TalangTypeError(TalangError):
    """No overload of a function takes the kinds it was given."""


class TalangRuntimeError(TalangError):
    """Evaluation failed: a missing binding, a division by zero, an index out of range..."""


class TalangLimitError(TalangError):
    """A safety limit was reached (steps, list size, string length). ``catch`` does not catch it."""
