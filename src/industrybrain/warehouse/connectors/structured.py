"""JSON (array or ``{items: [...]}``), JSON Lines and Parquet inputs."""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import orjson

from . import _encoding
from ._common import (
    PARQUET,
    RowSink,
    cell_text,
    connect,
    count_rows,
    normalise_headers,
    sha256_file,
    sql_ident,
    sql_str,
)
from ._types import ROW_COLUMN, ConnectorError, ConnectorOptions, LandedFile, QuarantinedRow

LIST_KEYS = ("items", "data", "rows", "records", "results", "list")

# one record: (row number, object or None, raw text, reason when broken)
Record = tuple[int, dict[str, Any] | None, str, str]


def _decode_all(path: Path, options: ConnectorOptions) -> str:
    size = path.stat().st_size
    if options.encoding:
        enc, bom = _encoding.canonical(options.encoding), 0
    else:
        enc, bom = _encoding.detect(path, size)
    data = path.read_bytes()[bom:]
    try:
        return codecs.decode(data, enc)
    except UnicodeDecodeError as exc:
        raise ConnectorError(f"{path.name} is not valid {enc} at byte {exc.start + bom}") from exc


def land_records(
    path_for_name: Path,
    records: Callable[[], Iterator[Record]],
    out_dir: Path,
    options: ConnectorOptions,
    fmt: str,
    digest: str,
    encoding: str | None = None,
) -> LandedFile:
    """Two passes over ``records``: collect the keys, then write rows and quarantine."""
    keys: dict[str, None] = {}
    for _, obj, _, _ in records():
        if obj is not None:
            for k in obj:
                keys.setdefault(str(k), None)
    raw_names = list(keys)
    names = normalise_headers(raw_names) if raw_names else ["value"]
    sink = RowSink(out_dir)
    sink.start_part(names)
    quarantine: list[QuarantinedRow] = []
    rows_in = 0
    try:
        for number, obj, raw, reason in records():
            rows_in += 1
            if obj is None:
                quarantine.append(QuarantinedRow(number, raw, reason))
                continue
            sink.write(number, [cell_text(obj.get(k)) for k in raw_names])
        tmp = out_dir / f".{path_for_name.name}.{os.getpid()}.tmp.parquet"
        con = connect(options)
        columns = sink.finish(con, tmp)
        con.close()
    except BaseException:
        sink.discard()
        raise
    final = out_dir / f"{path_for_name.stem}-{digest[:12]}.parquet"
    os.replace(tmp, final)
    return LandedFile(
        parquet_path=final,
        rows_in=rows_in,
        rows_landed=sink.rows,
        quarantine=quarantine,
        sha256=digest,
        format=fmt,
        encoding=encoding,
        columns=columns,
        header_rows=0,
        source_columns=raw_names,
    )


def land_json(path: Path, options: ConnectorOptions, out_dir: Path) -> LandedFile:
    text = _decode_all(path, options)
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ConnectorError(f"{path.name} is not valid JSON: {exc}") from exc
    items: Any = doc
    if isinstance(doc, dict):
        found = [k for k in LIST_KEYS if isinstance(doc.get(k), list)]
        if not found:
            lists = [k for k, v in doc.items() if isinstance(v, list)]
            if len(lists) != 1:
                raise ConnectorError(
                    f"{path.name}: expected an array of objects or an object with an 'items' array"
                )
            found = lists
        items = doc[found[0]]
    if not isinstance(items, list):
        raise ConnectorError(f"{path.name}: expected an array of objects")

    def records() -> Iterator[Record]:
        for i, item in enumerate(items, start=1):
            if isinstance(item, dict):
                yield i, item, "", ""
            else:
                yield i, None, orjson.dumps(item).decode(), "not a JSON object"

    return land_records(path, records, out_dir, options, "json", sha256_file(path), "utf-8")


def land_jsonl(path: Path, options: ConnectorOptions, out_dir: Path) -> LandedFile:
    size = path.stat().st_size
    if options.encoding:
        enc, bom = _encoding.canonical(options.encoding), 0
    else:
        enc, bom = _encoding.detect(path, size)
    if enc.startswith("utf-16"):
        text_lines: list[bytes] | None = [
            ln.encode("utf-8") for ln in _decode_all(path, options).split("\n")
        ]
        enc, bom = "utf-8", 0
    else:
        text_lines = None

    def lines() -> Iterator[bytes]:
        if text_lines is not None:
            yield from text_lines
            return
        with open(path, "rb") as fh:
            fh.seek(bom)
            yield from fh

    def records() -> Iterator[Record]:
        for number, raw in enumerate(lines(), start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode(enc)
            except UnicodeDecodeError:
                yield (
                    number,
                    None,
                    raw.decode(enc, "replace").rstrip("\r\n"),
                    (f"undecodable bytes: not valid {enc}"),
                )
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, None, line.rstrip("\r\n"), f"invalid JSON: {exc}"
                continue
            if not isinstance(obj, dict):
                yield number, None, line.rstrip("\r\n"), "not a JSON object"
                continue
            yield number, obj, "", ""

    return land_records(path, records, out_dir, options, "jsonl", sha256_file(path), enc)


def land_parquet(path: Path, options: ConnectorOptions, out_dir: Path) -> LandedFile:
    with open(path, "rb") as fh:
        fh.seek(-4, os.SEEK_END)
        if fh.read(4) != b"PAR1":
            raise ConnectorError(f"{path.name} is not a complete Parquet file (truncated?)")
    con = connect(options)
    src = f"read_parquet({sql_str(str(path))})"
    try:
        raw_names = [str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()]
        names = normalise_headers(raw_names)
        cols = ", ".join(
            f"CAST({sql_ident(r)} AS VARCHAR) AS {sql_ident(n)}"
            for r, n in zip(raw_names, names, strict=True)
        )
        digest = sha256_file(path)
        final = out_dir / f"{path.stem}-{digest[:12]}.parquet"
        tmp = out_dir / f".{path.name}.{os.getpid()}.tmp.parquet"
        con.execute(
            f"COPY (SELECT {cols}, row_number() OVER () AS {ROW_COLUMN} FROM {src}) "
            f"TO {sql_str(str(tmp))} ({PARQUET})"
        )
        n = count_rows(con, tmp)
    except duckdb.Error as exc:
        raise ConnectorError(f"cannot read {path.name} as Parquet: {exc}") from exc
    finally:
        con.close()
    os.replace(tmp, final)
    return LandedFile(
        parquet_path=final,
        rows_in=n,
        rows_landed=n,
        quarantine=[],
        sha256=digest,
        format="parquet",
        columns=names,
        header_rows=0,
        source_columns=raw_names,
    )
