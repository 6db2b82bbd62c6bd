"""A tiny CSV/JSONL lander used only while the real connectors are missing (tests only).

It follows the agreed interface of ``industrybrain.warehouse.connectors.land``: all-text columns
plus ``_row``; structurally broken rows (wrong field count) go to the quarantine list."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq


class ConnectorError(Exception):
    pass


@dataclass(frozen=True)
class ConnectorOptions:
    format: str = "auto"
    encoding: str | None = None
    sheet: str | None = None
    header_rows: int | None = None
    sep: str | None = None


@dataclass
class LandedFile:
    parquet_path: Path
    rows_in: int
    rows_landed: int
    quarantine: list[tuple[int, str, str]]
    sha256: str
    format: str
    encoding: str | None = None
    columns: list[str] = field(default_factory=list)


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        return data.decode(encoding), encoding
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return data.decode("utf-16"), "utf-16"
    for name in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    raise ConnectorError("unknown encoding")


def land(path: Path, options: ConnectorOptions, out_dir: Path) -> LandedFile:
    data = Path(path).read_bytes()
    if not data:
        raise ConnectorError("empty file")
    text, encoding = _decode(data, options.encoding)
    out_dir.mkdir(parents=True, exist_ok=True)
    quarantine: list[tuple[int, str, str]] = []
    rows: list[dict[str, Any]] = []
    if str(path).endswith(".jsonl"):
        columns: list[str] = []
        lines = text.splitlines()
        for number, line in enumerate(lines, start=1):
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                quarantine.append((number, line, "not JSON"))
                continue
            for key in item:
                if key not in columns:
                    columns.append(key)
            rows.append(
                {"_row": number, **{k: None if v is None else str(v) for k, v in item.items()}}
            )
        rows_in = len(lines)
        fmt = "jsonl"
    else:
        sep = options.sep or ("\t" if text.split("\n", 1)[0].count("\t") else ",")
        reader = csv.reader(io.StringIO(text), delimiter=sep)
        records = list(reader)
        columns = records[0]
        for number, record in enumerate(records[1:], start=2):
            if len(record) != len(columns):
                quarantine.append(
                    (number, sep.join(record), f"expected {len(columns)} fields, got {len(record)}")
                )
                continue
            rows.append(
                {
                    "_row": number,
                    **{c: (v if v != "" else None) for c, v in zip(columns, record, strict=True)},
                }
            )
        rows_in = len(records) - 1
        fmt = "csv"
    arrays = {c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns}
    arrays["_row"] = pa.array([r["_row"] for r in rows], pa.int64())
    out = out_dir / "landed.parquet"
    pq.write_table(pa.table(arrays), out)
    return LandedFile(
        out,
        rows_in,
        len(rows),
        quarantine,
        hashlib.sha256(data).hexdigest(),
        fmt,
        encoding,
        columns,
    )
