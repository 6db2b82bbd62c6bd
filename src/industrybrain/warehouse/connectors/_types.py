"""Data types shared by the connectors: options, the landed-file record and the error."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

Format = Literal["auto", "csv", "xlsx", "xls", "json", "jsonl", "parquet", "sql", "http"]

ROW_COLUMN = "_row"
SHEET_COLUMN = "_sheet"


class ConnectorError(Exception):
    """The whole input is unusable (empty, truncated, wrong format, bomb, encrypted, ...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuarantinedRow(NamedTuple):
    """A structurally broken source row: its number, its raw text and why it was set aside."""

    row_number: int
    raw_text: str
    reason: str


@dataclass(frozen=True)
class HttpOptions:
    """A paged JSON API: ``url?{page_param}=N&{size_param}=S``; items under ``items_path``."""

    url: str
    page_param: str = "page"
    size_param: str = "page_size"
    page_size: int = 500
    first_page: int = 1
    offset_mode: bool = False  # page_param carries a row offset instead of a page number
    items_path: str = ""  # dotted path to the item list in each page; "" = the page itself
    headers: dict[str, str] = field(default_factory=dict)
    max_pages: int = 100_000
    retries: int = 3
    timeout_s: float = 30.0


@dataclass(frozen=True)
class ConnectorOptions:
    """How to read one input. ``None`` means "detect"."""

    format: Format = "auto"
    encoding: str | None = None
    sheet: str | None = None  # one sheet by name; None = every visible sheet
    include_hidden_sheets: bool = False
    excel_reader: Literal["auto", "calamine", "openpyxl"] = "auto"
    header_rows: int | None = None
    sep: str | None = None
    sql_url: str | None = None
    sql_table: str | None = None
    sql_chunk_rows: int = 50_000
    http: HttpOptions | None = None
    max_bytes: int = 4 * 2**30  # raw input size limit
    max_uncompressed_bytes: int = 8 * 2**30  # xlsx: sum of member sizes
    max_compression_ratio: float = 200.0  # xlsx: per large member
    max_field_bytes: int = 32 * 2**20
    threads: int | None = None  # DuckDB threads; None = DuckDB's default


@dataclass
class LandedFile:
    """The result of landing one input as a text-only Parquet file."""

    parquet_path: Path
    rows_in: int
    rows_landed: int
    quarantine: list[QuarantinedRow]
    sha256: str
    format: str
    encoding: str | None = None
    columns: list[str] = field(default_factory=list)
    header_rows: int = 1
    sheets: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_columns: list[str] = field(default_factory=list)  # header text before normalising
