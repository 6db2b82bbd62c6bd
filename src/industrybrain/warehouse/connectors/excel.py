"""Excel workbooks: xlsx through openpyxl (read-only, streaming) and xls through xlrd.

Cells are read by python-calamine (Rust; about 20 times faster than openpyxl here) or, with
``excel_reader="openpyxl"``, by openpyxl's read-only mode; merges, hidden state and formulas
without cached values come from a scan of the sheet XML either way.
Merged header and data cells are spread over their range, several header rows are joined
as ``上级/下级`` names, hidden sheets are reported and skipped unless asked for, date cells
become ISO dates, formulas give their cached values (those without one are reported).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._common import RowSink, cell_text, connect, normalise_headers, sha256_file
from ._types import ConnectorError, ConnectorOptions, LandedFile, QuarantinedRow

Merge = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col (1-based)
HEAD_SCAN = 30
MAX_HEADER_ROWS = 6


@dataclass
class Sheet:
    name: str
    hidden: bool
    width: int
    merges: list[Merge]
    rows: Iterator[tuple[int, list[Any]]]  # (sheet row number, values)
    warnings: list[str] = field(default_factory=list)


_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_FORMULA_NO_VALUE_RE = re.compile(
    rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]+\d+)"[^>]*>\s*'
    rb"(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_zip(path: Path, options: ConnectorOptions) -> zipfile.ZipFile:
    """Open the workbook's zip after checking its directory for bombs; ConnectorError if bad."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ConnectorError(
            f"{path.name} is not a complete xlsx file (truncated upload or damaged zip)"
        ) from exc
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 2**20 and ratio > options.max_compression_ratio:
            zf.close()
            raise ConnectorError(
                f"{path.name} looks like a zip bomb: {info.filename} expands {ratio:,.0f} times "
                f"to {info.file_size:,} bytes"
            )
    if total > options.max_uncompressed_bytes:
        zf.close()
        raise ConnectorError(
            f"{path.name} would expand to {total:,} bytes, more than the limit of "
            f"{options.max_uncompressed_bytes:,}"
        )
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        zf.close()
        raise ConnectorError(f"{path.name} is a zip file but not an Excel workbook")
    return zf


def scan_sheet_xml(zf: zipfile.ZipFile, member: str) -> tuple[list[Merge], list[str]]:
    """Merged ranges and cells holding a formula without a cached value, in one pass."""
    merges: set[Merge] = set()
    formulas: set[str] = set()
    tail = b""
    try:
        fh = zf.open(member)
    except KeyError:
        return [], []
    with fh:
        while True:
            chunk = fh.read(1 << 22)
            if not chunk:
                break
            buf = tail + chunk
            if b"<f" in buf or b":f" in buf:
                formulas.update(m.group(1).decode() for m in _FORMULA_NO_VALUE_RE.finditer(buf))
            if b"mergeCell" in buf:
                for m in _MERGE_RE.finditer(buf):
                    c1, r1 = _col(m.group(1)), int(m.group(2))
                    c2 = _col(m.group(3)) if m.group(3) else c1
                    r2 = int(m.group(4)) if m.group(4) else r1
                    merges.add((r1, c1, r2, c2))
            tail = buf[-8192:]
    return sorted(merges), sorted(formulas)


def _openpyxl_sheets(path: Path, options: ConnectorOptions) -> tuple[list[Sheet], Any]:
    import openpyxl

    zf = check_zip(path, options)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        zf.close()
        raise ConnectorError(f"cannot open {path.name} as a workbook: {exc}") from exc
    sheets: list[Sheet] = []
    for ws in wb.worksheets:
        member = getattr(ws, "_worksheet_path", "")
        hidden = getattr(ws, "sheet_state", "visible") != "visible"
        if not hasattr(ws, "iter_rows"):
            continue  # chart sheet
        merges, formulas = scan_sheet_xml(zf, member) if member else ([], [])
        warnings = []
        if formulas:
            shown = ", ".join(formulas[:10]) + (" ..." if len(formulas) > 10 else "")
            warnings.append(
                f"sheet {ws.title}: {len(formulas)} formula cell(s) without a cached value "
                f"(left empty; open and save the file in Excel to compute them): {shown}"
            )
        width = max(ws.max_column or 0, max((m[3] for m in merges), default=0))
        rows = ((i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1))
        sheets.append(Sheet(ws.title, hidden, width, merges, rows, warnings))
    return sheets, (wb, zf)


def sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> XML member path, from workbook.xml and its relationships."""
    import xml.etree.ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id", "")] = target
    out = {}
    for sheet in book.iter(f"{ns_main}sheet"):
        rid = sheet.get(f"{ns_rel}id", "")
        if rid in targets:
            out[sheet.get("name", "")] = targets[rid]
    return out


def _calamine_sheets(path: Path, options: ConnectorOptions) -> tuple[list[Sheet], Any]:
    """The fast reader (Rust calamine): same cells as openpyxl's cached values."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    zf = check_zip(path, options)
    members = sheet_members(zf)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        zf.close()
        raise ConnectorError(f"cannot open {path.name} as a workbook: {exc}") from exc
    sheets: list[Sheet] = []
    for meta in wb.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        member = members.get(meta.name, "")
        merges, formulas = scan_sheet_xml(zf, member) if member else ([], [])
        warnings = []
        if formulas:
            shown = ", ".join(formulas[:10]) + (" ..." if len(formulas) > 10 else "")
            warnings.append(
                f"sheet {meta.name}: {len(formulas)} formula cell(s) without a cached value "
                f"(left empty; open and save the file in Excel to compute them): {shown}"
            )
        sh = wb.get_sheet_by_name(meta.name)
        lead = sh.start[1] if sh.start else 0
        width = sh.end[1] + 1 if sh.end else 0
        width = max(width, max((m[3] for m in merges), default=0))

        def rows(sh: Any = sh, lead: int = lead) -> Iterator[tuple[int, list[Any]]]:
            pad = [None] * lead
            for i, r in enumerate(sh.iter_rows(), start=1):
                yield i, pad + [None if v == "" else v for v in r]

        hidden = meta.visible != SheetVisibleEnum.Visible
        sheets.append(Sheet(meta.name, hidden, width, merges, rows(), warnings))
    return sheets, (wb, zf)


def _xlrd_sheets(path: Path) -> tuple[list[Sheet], Any]:
    try:
        import xlrd
    except ImportError as exc:  # pragma: no cover - xlrd is a dependency
        raise ConnectorError("reading .xls files needs the xlrd package") from exc
    with open(path, "rb") as fh:
        data = fh.read()
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise ConnectorError(f"{path.name} is an encrypted (password-protected) workbook")
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:
        text = str(exc)
        if "encrypt" in text.lower():
            raise ConnectorError(
                f"{path.name} is an encrypted (password-protected) workbook"
            ) from exc
        raise ConnectorError(f"cannot read {path.name} as an xls workbook: {text}") from exc
    sheets: list[Sheet] = []
    for idx in range(book.nsheets):
        sh = book.sheet_by_index(idx)
        merges = [(r1 + 1, c1 + 1, r2, c2) for r1, r2, c1, c2 in sh.merged_cells]

        def rows(sh: Any = sh) -> Iterator[tuple[int, list[Any]]]:
            for r in range(sh.nrows):
                out: list[Any] = []
                for cell in sh.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            out.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                        except Exception:
                            out.append(cell.value)
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        out.append(bool(cell.value))
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                        out.append(None)
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        out.append(xlrd.error_text_from_code.get(cell.value, "#ERR"))
                    else:
                        out.append(cell.value)
                yield r + 1, out

        sheets.append(Sheet(sh.name, sh.visibility != 0, sh.ncols, merges, rows()))
    return sheets, book


def _spread(
    values: list[Any], row: int, pending: dict[tuple[int, int], Any], width: int
) -> list[Any]:
    if len(values) < width:
        values = values + [None] * (width - len(values))
    if pending:
        for c in range(1, width + 1):
            v = pending.pop((row, c), _MISSING)
            if v is not _MISSING:
                values[c - 1] = v
    return values


_MISSING = object()


def _land_sheets(
    path: Path, sheets: list[Sheet], options: ConnectorOptions, out_dir: Path, fmt: str
) -> LandedFile:
    hidden = [s.name for s in sheets if s.hidden]
    if options.sheet is not None:
        chosen = [s for s in sheets if s.name == options.sheet]
        if not chosen:
            names = ", ".join(s.name for s in sheets)
            raise ConnectorError(
                f"{path.name} has no sheet named {options.sheet!r} (sheets: {names})"
            )
    else:
        chosen = [s for s in sheets if options.include_hidden_sheets or not s.hidden]
    sink = RowSink(out_dir, with_sheet=True)
    warnings: list[str] = []
    quarantine: list[QuarantinedRow] = []
    rows_in = 0
    header_used = 0
    landed_sheets: list[str] = []
    source_columns: list[str] = []
    try:
        for sheet in chosen:
            warnings.extend(sheet.warnings)
            res = _sheet_rows(sheet, options, sink, quarantine)
            if res is None:
                warnings.append(f"sheet {sheet.name} is empty")
                continue
            n_in, n_header, raw_names = res
            rows_in += n_in
            header_used = max(header_used, n_header)
            landed_sheets.append(sheet.name)
            for n in raw_names:
                if n not in source_columns:
                    source_columns.append(n)
        if not landed_sheets:
            raise ConnectorError(f"{path.name} has no sheet with data")
        digest = sha256_file(path)
        final = out_dir / f"{path.stem}-{digest[:12]}.parquet"
        tmp = out_dir / f".{path.name}.{os.getpid()}.tmp.parquet"
        con = connect(options)
        columns = sink.finish(con, tmp)
        con.close()
        os.replace(tmp, final)
    except BaseException:
        sink.discard()
        raise
    return LandedFile(
        parquet_path=final,
        rows_in=rows_in,
        rows_landed=sink.rows,
        quarantine=quarantine,
        sha256=digest,
        format=fmt,
        columns=columns,
        header_rows=header_used,
        sheets=landed_sheets,
        hidden_sheets=hidden,
        warnings=warnings,
        source_columns=source_columns,
    )


def _join(parts: list[Any]) -> str:
    out: list[str] = []
    for p in parts:
        t = (cell_text(p) or "").strip()
        if t and (not out or out[-1] != t):
            out.append(t)
    return "/".join(out)


def _sheet_rows(
    sheet: Sheet, options: ConnectorOptions, sink: RowSink, quarantine: list[QuarantinedRow]
) -> tuple[int, int, list[str]] | None:
    """Stream one sheet into ``sink``; (data rows seen, header rows, raw names) or None if empty."""
    head: list[tuple[int, list[Any]]] = []
    for item in sheet.rows:
        head.append(item)
        if len(head) >= HEAD_SCAN:
            break
    width = max([sheet.width] + [len(v) for _, v in head])
    if width == 0 or not any(any(v is not None for v in vals) for _, vals in head):
        return None
    by_row = {r: vals + [None] * (width - len(vals)) for r, vals in head}
    # where does the table start: skip empty rows and title rows (one filled cell, wider table)
    start = None
    for r, vals in head:
        filled = sum(1 for v in vals if v is not None and str(v).strip() != "")
        if filled == 0:
            continue
        if width > 1 and filled == 1 and options.header_rows is None:
            continue
        start = r
        break
    if start is None:
        start = next(r for r, vals in head if any(v is not None for v in vals))
    if options.header_rows is not None:
        n_header = options.header_rows
    else:
        n_header = 1
        changed = True
        while changed and n_header < MAX_HEADER_ROWS:
            changed = False
            for r1, c1, r2, c2 in sheet.merges:
                if start <= r1 < start + n_header:
                    need = r2 - start + 1
                    if c2 > c1:
                        need = max(need, r1 - start + 2)
                    if need > n_header:
                        n_header = min(need, MAX_HEADER_ROWS)
                        changed = True
    # spread merged values (header and data) from their top-left cell
    pending: dict[tuple[int, int], Any] = {}
    merges_by_row: dict[int, list[Merge]] = {}
    for m in sheet.merges:
        merges_by_row.setdefault(m[0], []).append(m)

    def spread(r: int, vals: list[Any]) -> list[Any]:
        if not pending and r not in merges_by_row:
            return vals
        for r1, c1, r2, c2 in merges_by_row.get(r, ()):
            value = vals[c1 - 1] if c1 - 1 < len(vals) else None
            for rr in range(r1, r2 + 1):
                for cc in range(c1, min(c2, width) + 1):
                    if (rr, cc) != (r1, c1):
                        pending[(rr, cc)] = value
        return _spread(vals, r, pending, width)

    header_vals = []
    data_head: list[tuple[int, list[Any]]] = []
    for r, _ in head:
        vals = spread(r, by_row[r])
        if start <= r < start + n_header:
            header_vals.append(vals)
        elif r >= start + n_header:
            data_head.append((r, vals))
    lo, hi = 0, width  # the table's columns: from the first to the last named header cell
    if n_header:
        full = [_join([hv[c] for hv in header_vals]) for c in range(width)]
        named = [c for c, name in enumerate(full) if name]
        if named:
            lo, hi = named[0], named[-1] + 1
        raw = full[lo:hi]
    else:
        raw = [f"col_{c}" for c in range(1, width + 1)]
    names = normalise_headers(raw)
    sink.start_part(names)
    rows_in = 0

    def text_of(v: Any) -> str | None:
        if v.__class__ is str:
            return v if v.strip() else None
        return cell_text(v)

    full_width = lo == 0 and hi >= width
    write = sink.write

    def emit(r: int, vals: list[Any]) -> None:
        nonlocal rows_in
        texts = [None if v is None else text_of(v) for v in vals]
        if not any(texts):
            return  # empty row: not a data row
        rows_in += 1
        if full_width and len(texts) <= hi:
            write(r, texts, sheet.name)
            return
        if any(texts[:lo]) or any(texts[hi:]):
            quarantine.append(
                QuarantinedRow(
                    r,
                    ",".join(t or "" for t in texts),
                    f"sheet {sheet.name}: row wider than the table (cells outside "
                    "the header's columns)",
                )
            )
            return
        write(r, texts[lo:hi], sheet.name)

    for r, vals in data_head:
        emit(r, vals)
    for r, vals in sheet.rows:
        emit(r, spread(r, vals))
    return rows_in, n_header, raw


def land_xlsx(path: Path, options: ConnectorOptions, out_dir: Path) -> LandedFile:
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        with open(path, "rb") as fh:
            data = fh.read()
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ConnectorError(f"{path.name} is an encrypted (password-protected) workbook")
        return land_xls(path, options, out_dir)
    reader = options.excel_reader
    if reader == "auto":
        try:
            import python_calamine  # noqa: F401

            reader = "calamine"
        except ImportError:  # pragma: no cover - calamine is a dependency
            reader = "openpyxl"
    if reader == "calamine":
        sheets, handles = _calamine_sheets(path, options)
    else:
        sheets, handles = _openpyxl_sheets(path, options)
    wb, zf = handles
    try:
        return _land_sheets(path, sheets, options, out_dir, "xlsx")
    finally:
        if hasattr(wb, "close"):
            wb.close()
        zf.close()


def land_xls(path: Path, options: ConnectorOptions, out_dir: Path) -> LandedFile:
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        return land_xlsx(path, options, out_dir)
    sheets, book = _xlrd_sheets(path)
    try:
        return _land_sheets(path, sheets, options, out_dir, "xls")
    finally:
        book.release_resources()
