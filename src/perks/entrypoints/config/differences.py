"""How a planned change is shown: one line per field, or a line-by-line difference."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from perks.entrypoints.config.files import plain_lines

__all__ = ["differences", "preview"]

SHORT = 60  # characters of a value shown on one line


def preview(codes: Iterable[str], shown: int = 5) -> str:
    listed = list(codes)
    head = ", ".join(listed[:shown])
    return head + (f", ... ({len(listed) - shown} more)" if len(listed) > shown else "")


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """One line per top-level field that differs: ``field: old → new`` for short values, a
    line-by-line difference otherwise."""
    lines: list[str] = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        lines += _field_difference(key, old, new)
    return tuple(lines)


def _field_difference(key: str, old: Any, new: Any) -> list[str]:
    short_old, short_new = _short(old), _short(new)
    if short_old is not None and short_new is not None:
        return [f"{key}: {short_old} → {short_new}"]
    before = plain_lines({key: old}) if old is not None else []
    after = plain_lines({key: new}) if new is not None else []
    diff = difflib.unified_diff(before, after, lineterm="", n=1)
    return [line for line in list(diff)[2:] if not line.startswith("@@")]


def _short(value: Any) -> str | None:
    if value is None:
        return "(none)"
    if isinstance(value, dict | list):
        if value:
            return None
        return "{}" if isinstance(value, dict) else "[]"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= SHORT else None
