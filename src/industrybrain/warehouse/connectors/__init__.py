"""Warehouse connectors: land any supported input as a text-only Parquet file.

``land(path_or_url, options, out_dir)`` reads CSV (any common Chinese encoding), Excel
(xlsx/xls), JSON/JSONL, Parquet, a SQLAlchemy table or a paged HTTP JSON API and writes one
Parquet file whose columns are all text plus ``_row`` (source row number) and, for
workbooks, ``_sheet``. Structurally broken rows are quarantined with a reason, so
``rows_in == rows_landed + len(quarantine)`` always holds.
"""

from __future__ import annotations

from pathlib import Path

from ._types import (
    ROW_COLUMN,
    SHEET_COLUMN,
    ConnectorError,
    ConnectorOptions,
    Format,
    HttpOptions,
    LandedFile,
    QuarantinedRow,
)
from .upload import receive_upload

__all__ = [
    "ROW_COLUMN",
    "SHEET_COLUMN",
    "ConnectorError",
    "ConnectorOptions",
    "Format",
    "HttpOptions",
    "LandedFile",
    "QuarantinedRow",
    "detect_format",
    "land",
    "receive_upload",
]

EXTENSIONS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".dat": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def sniff_content(path: Path) -> str:
    """What the first bytes look like: zip, ole, parquet, json, jsonl or text."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PAR1"):
        return "parquet"
    body = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if body.startswith(b"["):
        return "json"
    if body.startswith(b"{"):
        first = body.split(b"\n", 1)[0].strip()
        rest = body.split(b"\n", 1)[1].lstrip() if b"\n" in body else b""
        if first.endswith(b"}") and rest.startswith(b"{"):
            return "jsonl"
        return "json"
    return "text"


CONTENT_OK = {
    "csv": {"text"},
    "xlsx": {"zip", "ole"},  # ole: an encrypted xlsx, reported by the xlsx reader
    "xls": {"ole", "zip"},  # zip: an xlsx saved as .xls, read as xlsx
    "json": {"json", "jsonl"},
    "jsonl": {"jsonl", "json"},
    "parquet": {"parquet"},
}


def detect_format(path: Path, requested: str = "auto") -> str:
    content = sniff_content(path)
    fmt = requested
    if fmt == "auto":
        fmt = EXTENSIONS.get(path.suffix.lower(), "")
        if not fmt:
            fmt = {"zip": "xlsx", "ole": "xls", "parquet": "parquet", "json": "json"}.get(
                content, {"jsonl": "jsonl"}.get(content, "csv")
            )
    if fmt not in CONTENT_OK:
        raise ConnectorError(f"format {fmt!r} is not a file format")
    if content not in CONTENT_OK[fmt]:
        label = {"zip": "a zip/xlsx", "ole": "an old Office (xls)", "text": "plain text"}.get(
            content, content
        )
        raise ConnectorError(
            f"{path.name} should be {fmt} but its content looks like {label} file; "
            "check the file or its extension"
        )
    if fmt == "xls" and content == "zip":
        fmt = "xlsx"
    if fmt == "json" and content == "jsonl":
        fmt = "jsonl"
    return fmt


def land(path_or_url: str | Path, options: ConnectorOptions, out_dir: Path) -> LandedFile:
    """Land one input into ``out_dir`` as Parquet; raises ConnectorError if it is unusable."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if options.format == "sql" or (options.format == "auto" and options.sql_url):
        from .sqlsource import land_sql

        return land_sql(options, out_dir)
    if options.format == "http" or (options.format == "auto" and options.http is not None):
        from .httpsource import land_http

        return land_http(options, out_dir)
    text = str(path_or_url)
    if text.startswith(("http://", "https://")):
        from dataclasses import replace

        from .httpsource import land_http

        return land_http(replace(options, http=options.http or HttpOptions(url=text)), out_dir)
    from ._common import check_size

    path = Path(path_or_url)
    if not path.is_file():
        raise ConnectorError(f"{path} is not a file")
    size = check_size(path, options)
    fmt = detect_format(path, options.format)
    if fmt == "csv":
        from .delimited import land_csv

        return land_csv(path, options, out_dir, size)
    if fmt == "xlsx":
        from .excel import land_xlsx

        return land_xlsx(path, options, out_dir)
    if fmt == "xls":
        from .excel import land_xls

        return land_xls(path, options, out_dir)
    from .structured import land_json, land_jsonl, land_parquet

    if fmt == "json":
        return land_json(path, options, out_dir)
    if fmt == "jsonl":
        return land_jsonl(path, options, out_dir)
    return land_parquet(path, options, out_dir)
