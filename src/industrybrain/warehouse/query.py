"""Tenant-scoped reads of the published warehouse.

``scoped_query`` accepts one SELECT statement over the core and mart tables (written without
schema, e.g. ``SELECT month, value FROM monthly_indicator``... see :data:`QUERYABLE`) and runs
it on views that keep only the rows of the caller's organisations, in a fresh in-memory DuckDB
that attaches the warehouse read-only and then disables file access, so a statement cannot
reach other files, other schemas or other organisations' rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

QUERYABLE_SCHEMAS = ("core", "mart")


class QueryRefused(ValueError):
    """The statement is not a single SELECT over the caller's core and mart views."""


def open_published(warehouse_file: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection to the published warehouse, or None before the first publish."""
    if not warehouse_file.exists():
        return None
    return duckdb.connect(str(warehouse_file), read_only=True)


def queryable_tables(
    con: duckdb.DuckDBPyConnection, database: str | None = None
) -> list[tuple[str, str]]:
    where = f"database_name = '{database}'" if database else "database_name = current_database()"
    rows = con.execute(
        f"SELECT schema_name, table_name FROM duckdb_tables() WHERE {where} "
        f"AND schema_name IN ('core', 'mart') ORDER BY 1, 2"
    ).fetchall()
    return [(str(s), str(t)) for s, t in rows]


def scoped_query(
    warehouse_file: Path, sql: str, organization_ids: Iterable[int] | None, limit: int = 10_000
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql`` over views of the caller's rows; ``organization_ids=None`` is a platform
    caller (every organisation). Returns (column names, rows)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise QueryRefused(f"not valid SQL: {exc}") from None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        raise QueryRefused("only one SELECT statement is allowed")
    tree = statements[0]
    for node in tree.walk():
        if isinstance(
            node, (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Command)
        ):
            raise QueryRefused("only SELECT is allowed")
    if not warehouse_file.exists():
        raise QueryRefused("the warehouse has not been published yet")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse_file}' AS wh (READ_ONLY)")
        tables = queryable_tables(con, "wh")
        names = {}
        for schema, table_name in tables:
            view = table_name if schema == "core" else f"mart_{table_name}"
            names[view] = (schema, table_name)
        ctes = {t.alias_or_name for t in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            if table.args.get("db") or table.args.get("catalog"):
                raise QueryRefused(f"schema-qualified names are not allowed: {table.sql()}")
            if table.name not in names and table.name not in ctes:
                raise QueryRefused(
                    f"unknown table {table.name!r}; tables: {', '.join(sorted(names))}"
                )
        for func in tree.find_all(exp.Anonymous, exp.ReadCSV):
            raise QueryRefused(f"function not allowed: {func.sql()[:60]}")
        if organization_ids is None:
            condition = "TRUE"
        else:
            orgs = sorted({int(o) for o in organization_ids})
            condition = f"organization_id IN ({', '.join(map(str, orgs))})" if orgs else "FALSE"
        for view, (schema, table_name) in names.items():
            con.execute(
                f"CREATE TEMP VIEW {view} AS SELECT * FROM wh.{schema}.{table_name} WHERE {condition}"
            )
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        cursor = con.execute(tree.sql(dialect="duckdb"))
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchmany(limit)
    except duckdb.Error as exc:
        raise QueryRefused(str(exc).splitlines()[0]) from None
    finally:
        con.close()
