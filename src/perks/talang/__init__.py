"""Talang, the rule language: syntax, checker, compiler, reference interpreter.

Imports only the standard library. Built in issue #3.
"""

__all__: list[str] = []
