"""A table in any SQLAlchemy database, read in chunks."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import sqlalchemy as sa

from ._common import RowSink, cell_text, connect, normalise_headers
from ._types import ConnectorError, ConnectorOptions, LandedFile


def land_sql(options: ConnectorOptions, out_dir: Path) -> LandedFile:
    if not options.sql_url or not options.sql_table:
        raise ConnectorError("a SQL source needs sql_url and sql_table")
    engine = sa.create_engine(options.sql_url)
    schema, _, name = options.sql_table.rpartition(".")
    try:
        table = sa.Table(name, sa.MetaData(), schema=schema or None, autoload_with=engine)
    except sa.exc.NoSuchTableError as exc:
        engine.dispose()
        raise ConnectorError(f"table {options.sql_table!r} does not exist") from exc
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise ConnectorError(f"cannot reach the database: {exc.__class__.__name__}: {exc}") from exc
    raw_names = [c.name for c in table.columns]
    names = normalise_headers(raw_names)
    order = list(table.primary_key.columns) or list(table.columns)
    stmt = sa.select(table).order_by(*order)
    sink = RowSink(out_dir)
    sink.start_part(names)
    digest = hashlib.sha256()
    number = 0
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", options.sql_table)
    try:
        with engine.connect() as conn:
            result = conn.execution_options(
                stream_results=True, yield_per=options.sql_chunk_rows
            ).execute(stmt)
            for chunk in result.partitions(options.sql_chunk_rows):
                for row in chunk:
                    number += 1
                    values = [cell_text(v) for v in row]
                    digest.update(repr(values).encode("utf-8"))
                    sink.write(number, values)
        hexd = digest.hexdigest()
        tmp = out_dir / f".{safe}.{os.getpid()}.tmp.parquet"
        con = connect(options)
        columns = sink.finish(con, tmp)
        con.close()
    except sa.exc.SQLAlchemyError as exc:
        sink.discard()
        raise ConnectorError(f"reading {options.sql_table!r} failed: {exc}") from exc
    finally:
        engine.dispose()
    final = out_dir / f"{safe}-{hexd[:12]}.parquet"
    os.replace(tmp, final)
    return LandedFile(
        parquet_path=final,
        rows_in=number,
        rows_landed=number,
        quarantine=[],
        sha256=hexd,
        format="sql",
        columns=columns,
        header_rows=0,
        source_columns=raw_names,
    )
