"""Helpers shared by the connectors: header names, hashing, DuckDB, Python-rows-to-Parquet."""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from ._types import ROW_COLUMN, SHEET_COLUMN, ConnectorError, ConnectorOptions

_SPACES = re.compile(r"\s+")
# Snappy without dictionaries: the fastest Parquet writing measured for landed text columns.
PARQUET = "FORMAT parquet, COMPRESSION snappy, DICTIONARY_SIZE_LIMIT 0"


def normalise_headers(raw: Sequence[object | None]) -> list[str]:
    """Unique, non-empty, whitespace-collapsed column names; empty ones become ``col_N``."""
    taken = {ROW_COLUMN, SHEET_COLUMN}
    out: list[str] = []
    for index, value in enumerate(raw, start=1):
        name = _SPACES.sub(" ", "" if value is None else str(value)).strip()
        if not name:
            name = f"col_{index}"
        base, n = name, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name.lower())
        out.append(name)
    return out


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(options: ConnectorOptions) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    if options.threads:
        con.execute(f"SET threads = {int(options.threads)}")
    con.execute("SET preserve_insertion_order = true")
    return con


class Hasher:
    """SHA-256 of a file computed in a background thread (hashlib releases the GIL).

    The same pass notes whether the file holds a carriage return or a NUL byte, so no other
    full read (or memory map, which would count in the resident set) is needed.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._digest = ""
        self.has_cr = False
        self.has_nul = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            h = hashlib.sha256()
            cr = nul = False
            with open(self._path, "rb") as fh:
                while chunk := fh.read(1 << 22):
                    h.update(chunk)
                    cr = cr or b"\r" in chunk
                    nul = nul or b"\x00" in chunk
            self._digest = h.hexdigest()
            self.has_cr, self.has_nul = cr, nul
        except BaseException as exc:  # re-raised in result()
            self._error = exc

    def result(self) -> str:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._digest


def count_rows(con: duckdb.DuckDBPyConnection, parquet: Path) -> int:
    row = con.execute(f"SELECT count(*) FROM read_parquet({sql_str(str(parquet))})").fetchone()
    return int(row[0]) if row else 0


def sha256_file(path: Path) -> str:
    return Hasher(path).result()


def check_size(path: Path, options: ConnectorOptions) -> int:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ConnectorError(f"cannot read {path.name}: {exc.strerror}") from exc
    if size == 0:
        raise ConnectorError(f"{path.name} is empty (0 bytes)")
    if size > options.max_bytes:
        raise ConnectorError(
            f"{path.name} is {size:,} bytes, more than the limit of {options.max_bytes:,}"
        )
    return size


def cell_text(value: Any) -> str | None:
    """One cell as text: integers without ``.0``, dates in ISO form, empty as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        import orjson

        return orjson.dumps(value).decode()
    text = str(value)
    return text if text != "" else None


class RowSink:
    """Collects Python rows (one table per part, e.g. per sheet) and writes one Parquet file.

    Rows go to a temporary UTF-8 CSV per part that DuckDB reads with explicit, all-text
    columns, so memory stays flat whatever the row count.
    """

    def __init__(self, work_dir: Path, with_sheet: bool = False) -> None:
        self.work_dir = work_dir
        self.with_sheet = with_sheet
        self.parts: list[tuple[Path, list[str]]] = []
        self._writer: Any = None
        self._writerow: Any = None
        self._fh: Any = None
        self._width = 0
        self.rows = 0

    def start_part(self, columns: list[str]) -> None:
        self._close_part()
        path = self.work_dir / f".part-{os.getpid()}-{len(self.parts)}.csv"
        self._fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writerow = self._writer.writerow
        self._width = len(columns)
        self.parts.append((path, columns))

    def write(
        self, row_number: int, values: Sequence[str | None], sheet: str | None = None
    ) -> None:
        n = len(values)
        if n != self._width:
            values = list(values[: self._width]) + [None] * max(self._width - n, 0)
        if self.with_sheet:
            self._writerow((row_number, sheet, *values))
        else:
            self._writerow((row_number, *values))
        self.rows += 1

    def write_many(self, rows: Iterable[tuple[int, Sequence[str | None]]]) -> None:
        for number, values in rows:
            self.write(number, values)

    def _close_part(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def finish(self, con: duckdb.DuckDBPyConnection, out: Path) -> list[str]:
        """Write all parts to ``out``; returns the output's data columns (no _row/_sheet)."""
        self._close_part()
        selects: list[str] = []
        all_columns: list[str] = []
        for path, columns in self.parts:
            lead = [ROW_COLUMN] + ([SHEET_COLUMN] if self.with_sheet else [])
            spec = ", ".join(
                f"{sql_str(c)}: {'BIGINT' if c == ROW_COLUMN else 'VARCHAR'}"
                for c in lead + columns
            )
            selects.append(
                f"SELECT * FROM read_csv({sql_str(str(path))}, columns={{{spec}}}, "
                "auto_detect=false, header=false, delim=',', quote='\"', escape='\"', "
                "new_line='\\n', strict_mode=true, max_line_size=1073741824)"
            )
            for c in columns:
                if c not in all_columns:
                    all_columns.append(c)
        if not selects:
            raise ConnectorError("no table found in the input")
        order = ", ".join(sql_ident(c) for c in all_columns)
        lead_cols = sql_ident(ROW_COLUMN) + (
            ", " + sql_ident(SHEET_COLUMN) if self.with_sheet else ""
        )
        union = " UNION ALL BY NAME ".join(f"({s})" for s in selects)
        select_list = f"{order}, {lead_cols}" if order else lead_cols
        con.execute(
            f"COPY (SELECT {select_list} FROM ({union})) TO {sql_str(str(out))} ({PARQUET})"
        )
        for path, _ in self.parts:
            path.unlink(missing_ok=True)
        return all_columns

    def discard(self) -> None:
        self._close_part()
        for path, _ in self.parts:
            path.unlink(missing_ok=True)
