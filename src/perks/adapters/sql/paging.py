"""Paging and sorting of SELECTs, shared by the repositories."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy import Select, Table, func, select
from sqlalchemy.engine import Connection, CursorResult, RowMapping

from perks.domain.pages import Page, PageRequest

__all__ = ["contains_pattern", "fetch_page", "inserted_id"]

T = TypeVar("T")


def fetch_page(
    connection: Connection,
    table: Table,
    query: Select[tuple[object, ...]],
    page: PageRequest,
    to_domain: Callable[[RowMapping], T],
) -> Page[T]:
    """Run ``query`` (already filtered) for one page, and count all its rows."""
    column = table.c[page.sort.field]
    order = column.desc() if page.sort.descending else column.asc()
    tiebreak = table.c.id.desc() if page.sort.descending else table.c.id.asc()
    rows: Sequence[RowMapping] = (
        connection.execute(query.order_by(order, tiebreak).limit(page.page_size).offset(page.skip))
        .mappings()
        .all()
    )
    total = connection.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    return Page(items=[to_domain(row) for row in rows], total=int(total))


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape ``\\``) matching values that contain ``text`` literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def inserted_id(result: CursorResult[object]) -> int:
    """The id the database gave the row just inserted."""
    key = result.inserted_primary_key
    assert key is not None, "INSERT without a primary key"
    return int(key[0])
