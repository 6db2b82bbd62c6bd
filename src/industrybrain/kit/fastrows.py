"""Rows for hot JSON list endpoints, without SQLAlchemy's per-value result processing.

A list endpoint that returns 50 rows spends most of its time in result processing (timestamps
parsed into ``datetime`` and back to text, JSON parsed and re-serialised). :class:`FastSelect`
compiles a Core ``SELECT`` once per dialect, runs it on the raw DBAPI cursor and converts only
what JSON needs: timestamps become ISO 8601 text in UTC, JSON columns are passed through as
pre-serialised :class:`orjson.Fragment`, SQLite booleans become ``true``/``false``. The result
serialises with ``orjson.dumps`` to the same JSON as the ORM path would give.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, DateTime
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import Compiled
from sqlalchemy.types import TypeDecorator, TypeEngine

Converter = Callable[[Any], Any]


def _sqlite_timestamp(value: Any) -> Any:
    # SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC on SQLite.
    if value is None:
        return None
    text = str(value).replace(" ", "T", 1)
    return text if "+" in text[10:] else text + "+00:00"


def _utc_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value


def _json_fragment(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str | bytes):
        return orjson.Fragment(value)
    return value


def _boolean(value: Any) -> Any:
    return None if value is None else bool(value)


def _base_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return type_


class FastSelect:
    """A pre-compiled SELECT with named bind parameters; thread-safe, one compile per dialect."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[
            str, tuple[Compiled, list[str], list[str], list[Converter | None]]
        ] = {}
        self._lock = threading.Lock()

    def _compile(
        self, conn: Connection
    ) -> tuple[Compiled, list[str], list[str], list[Converter | None]]:
        dialect = conn.dialect
        cached = self._compiled.get(dialect.name)
        if cached is not None:
            return cached
        with self._lock:
            compiled = self.statement.compile(dialect=dialect)
            positional = list(compiled.positiontup or []) if compiled.positional else []
            names: list[str] = []
            converters: list[Converter | None] = []
            sqlite = dialect.name == "sqlite"
            for column in self.statement.selected_columns:
                names.append(column.key or column.name)
                base = _base_type(column.type)
                converter: Converter | None = None
                if isinstance(base, DateTime):
                    converter = _sqlite_timestamp if sqlite else _utc_datetime
                elif isinstance(base, JSON):
                    converter = _json_fragment
                elif isinstance(base, Boolean) and sqlite:
                    converter = _boolean
                converters.append(converter)
            entry = (compiled, positional, names, converters)
            self._compiled[dialect.name] = entry
            return entry

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        compiled, positional, names, converters = self._compile(conn)
        # construct_params fills parameters the compiler added itself (e.g. SQLite's OFFSET 0).
        prepared: dict[str, Any] = dict(compiled.construct_params(dict(params)) or {})
        bound: Any = tuple(prepared[name] for name in positional) if positional else prepared
        sql = compiled.string
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, bound)
            raw = cursor.fetchall()
        finally:
            cursor.close()
        if not raw:
            return []
        # Convert column by column (one list comprehension per converted column) rather than
        # cell by cell in a Python loop over rows: about twice as fast for 50-row pages.
        columns: list[Any] = list(zip(*raw, strict=True))
        for index, convert in enumerate(converters):
            if convert is not None:
                columns[index] = [convert(value) for value in columns[index]]
        return [dict(zip(names, record, strict=True)) for record in zip(*columns, strict=True)]
