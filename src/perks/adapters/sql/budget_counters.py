"""Budget counters in SQL: read, and conditional adds that no concurrency can push past a limit.

An add first makes sure every counter row exists (``INSERT ... ON CONFLICT DO NOTHING``), then
reads the rows in key order, locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write
transactions are already serial), checks every change against its limit in exact decimals, and
writes. A change that would pass its limit writes nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from decimal import Decimal

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from perks.adapters.sql.tables import budget_counters
from perks.domain.budgets import CounterChange, CounterKey

__all__ = ["SqlBudgetCounterRepository"]

ZERO = Decimal(0)
_BATCH = 200  # keys per statement


def _subjects(key: CounterKey) -> str:
    return json.dumps([list(pair) for pair in key.subjects], separators=(",", ":"))


def _row_key(key: CounterKey) -> tuple[int, str, str, str]:
    return key.campaign_id, key.action, _subjects(key), key.bucket


class SqlBudgetCounterRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def read(self, keys: Collection[CounterKey]) -> dict[CounterKey, Decimal]:
        return self._read(list(keys), lock=False)

    def add(self, changes: Sequence[CounterChange]) -> list[CounterKey]:
        if not changes:
            return []
        keys = sorted({change.key for change in changes})
        self._ensure(keys)
        current = self._read(keys, lock=True)
        totals: dict[CounterKey, Decimal] = {}
        for change in changes:
            totals[change.key] = totals.get(change.key, ZERO) + change.delta
        exceeded = [
            change.key
            for change in changes
            if change.limit is not None
            and change.delta > 0
            and current.get(change.key, ZERO) + totals[change.key] > change.limit
        ]
        if exceeded:
            return sorted(set(exceeded))
        for key in keys:
            value = current.get(key, ZERO) + totals[key]
            campaign_id, action, subjects, bucket = _row_key(key)
            self._connection.execute(
                update(budget_counters)
                .where(
                    budget_counters.c.campaign_id == campaign_id,
                    budget_counters.c.action == action,
                    budget_counters.c.subjects == subjects,
                    budget_counters.c.bucket == bucket,
                )
                .values(value=str(value))
            )
        return []

    def _ensure(self, keys: Sequence[CounterKey]) -> None:
        insert = (
            postgresql_insert if self._connection.dialect.name == "postgresql" else sqlite_insert
        )
        rows = [
            {"campaign_id": c, "action": a, "subjects": s, "bucket": b, "value": "0"}
            for c, a, s, b in map(_row_key, keys)
        ]
        for start in range(0, len(rows), _BATCH):
            statement = insert(budget_counters).values(rows[start : start + _BATCH])
            self._connection.execute(statement.on_conflict_do_nothing())

    def _read(self, keys: Sequence[CounterKey], *, lock: bool) -> dict[CounterKey, Decimal]:
        by_row = {_row_key(key): key for key in keys}
        found: dict[CounterKey, Decimal] = {}
        rows = list(by_row)
        columns = (
            budget_counters.c.campaign_id,
            budget_counters.c.action,
            budget_counters.c.subjects,
            budget_counters.c.bucket,
        )
        for start in range(0, len(rows), _BATCH):
            part = rows[start : start + _BATCH]
            matches = [
                and_(*(column == value for column, value in zip(columns, row, strict=True)))
                for row in part
            ]
            query = select(*columns, budget_counters.c.value).where(or_(*matches))
            query = query.order_by(*columns)
            if lock and self._connection.dialect.name == "postgresql":
                query = query.with_for_update()
            for row in self._connection.execute(query):
                value = Decimal(row[4])
                if value:  # a row made for a refused add, or given back to 0: absent
                    found[by_row[(int(row[0]), row[1], row[2], row[3])]] = value
        return found
