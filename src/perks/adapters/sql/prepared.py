"""Statements of the session update's hot path, compiled once per dialect and run on the
driver's own cursor, in the unit of work's transaction.

Measured on SQLite (one session row by its key, 2026-11-23): ``Connection.execute`` of a
statement built once takes ~90 µs, of which the driver's ``execute`` is ~10 µs; the rest is
SQLAlchemy's execution context, parameter and result processing. An update runs eight such
statements. A ``Prepared`` statement keeps what SQLAlchemy would compute on every call (the
SQL text, the parameters' order and the types' conversions, from the public
``TypeEngine.bind_processor`` / ``result_processor``) and does only the conversions.

Errors of the driver become SQLAlchemy's ``DBAPIError`` subclasses, as from
``Connection.execute``, so that callers (the unit of work's 409 on a busy database, a
repository's ``IntegrityError``) see no difference. Statements run here are not seen by the
engine's ``after_execute`` listeners: none of them may write a configuration table
(``tables.CONFIGURATION_TABLES``), whose writes those listeners note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import ClauseElement

from perks.adapters.sql.tables import CONFIGURATION_TABLES

__all__ = ["Prepared", "Row"]

Row = dict[str, Any]
_Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class _Compiled:
    """One statement for one dialect: its text, its parameters in the driver's order (None
    when the driver takes them by name) with their conversions, and its result columns with
    theirs."""

    sql: str
    constants: dict[str, Any]  # the values the statement itself binds (``where(id == 1)``)
    positions: tuple[str, ...] | None
    binds: tuple[tuple[str, _Convert], ...]  # only the parameters that convert
    columns: tuple[str, ...]
    results: tuple[tuple[int, _Convert], ...]  # only the columns that convert

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        converted = {**self.constants, **values}
        for name, convert in self.binds:
            converted[name] = convert(converted[name])
        if self.positions is None:
            return converted
        return tuple(converted[name] for name in self.positions)

    def row(self, values: tuple[Any, ...]) -> Row:
        if not self.results:
            return dict(zip(self.columns, values, strict=True))
        converted = list(values)
        for index, convert in self.results:
            converted[index] = convert(converted[index])
        return dict(zip(self.columns, converted, strict=True))


class Prepared:
    """``statement`` (or, per dialect name, its variant) compiled at first use on each
    dialect, then run on the connection's driver cursor."""

    def __init__(self, statement: ClauseElement, **variants: ClauseElement) -> None:
        for candidate in (statement, *variants.values()):
            table = getattr(candidate, "table", None) if isinstance(candidate, UpdateBase) else None
            if getattr(table, "name", None) in CONFIGURATION_TABLES:
                raise ValueError("configuration writes must go through Connection.execute")
        self._statement = statement
        self._variants = variants
        self._compiled: dict[str, _Compiled] = {}

    def first(self, connection: Connection, parameters: Mapping[str, Any]) -> Row | None:
        """The first row, its values converted as SQLAlchemy would; None when there is none."""
        compiled, cursor = self._run(connection, parameters)
        try:
            found = cursor.fetchone()
        finally:
            cursor.close()
        return None if found is None else compiled.row(found)

    def all(self, connection: Connection, parameters: Mapping[str, Any]) -> list[Row]:
        compiled, cursor = self._run(connection, parameters)
        try:
            return [compiled.row(found) for found in cursor.fetchall()]
        finally:
            cursor.close()

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> int:
        """Run a write; the number of rows it matched."""
        _, cursor = self._run(connection, parameters)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _run(self, connection: Connection, parameters: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name) or self._compile(dialect)
        arguments = compiled.parameters(parameters)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise DBAPIError.instance(
                compiled.sql, arguments, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return compiled, cursor

    def _compile(self, dialect: Dialect) -> _Compiled:
        statement = self._variants.get(dialect.name, self._statement)
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        binds = tuple(
            (name, convert)
            for name, parameter in compiled.binds.items()
            if (convert := parameter.type.dialect_impl(dialect).bind_processor(dialect))
        )
        selected = list(
            statement.exported_columns  # RETURNING
            if isinstance(statement, UpdateBase)
            else getattr(statement, "selected_columns", ())
        )
        columns = tuple(column.key for column in selected)
        results = tuple(
            (index, convert)
            for index, column in enumerate(selected)
            if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None))
        )
        positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        constants = {
            name: parameter.value
            for name, parameter in compiled.binds.items()
            if parameter.value is not None and not parameter.required
        }
        made = _Compiled(compiled.string, constants, positions, binds, columns, results)
        self._compiled[dialect.name] = made
        return made
