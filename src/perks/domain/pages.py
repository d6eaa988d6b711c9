"""Paging and sorting of lists, as Talon.One's list operations take them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from perks.domain.errors import InvalidInput

__all__ = ["MAX_PAGE_SIZE", "Page", "PageRequest", "SortKey", "parse_sort"]

MAX_PAGE_SIZE = 1000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class PageRequest:
    page_size: int = MAX_PAGE_SIZE
    skip: int = 0
    sort: SortKey = SortKey("id")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int


def parse_sort(value: str | None, *, allowed: Sequence[str], default: str = "id") -> SortKey:
    """Read ``sort`` (a field name, ``-`` prefix for descending) against the sortable fields."""
    if not value:
        return SortKey(default)
    descending = value.startswith("-")
    name = value[1:] if descending else value
    if name not in allowed:
        raise InvalidInput.at(
            "sort",
            f"cannot sort by {name!r}; sortable fields: {', '.join(allowed)}",
            kind="parameter",
        )
    return SortKey(name, descending)
