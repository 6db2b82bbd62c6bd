"""Read an enterprise's own product spreadsheet: find its sheet, header row, unit row and data.

Enterprises hand in workbooks of their own making: a merged title row or a merged group header
above the real header, units in brackets in the header (``流量(m³/h)``), a unit row under the
header (``单位 | m³/h | m | kW``) or units inside the values (``15 m³/h``), hidden instruction
sheets. ``read_sheet`` turns any of these into a header list, a unit per column and text cells.
CSV files are read as one sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from industrybrain.modules.cpms import units

_UNIT_ROW_LABELS = {"单位", "unit", "units", "计量单位"}


@dataclass
class Sheet:
    name: str
    headers: list[str]
    header_units: list[str | None]
    rows: list[list[str | None]]
    row_numbers: list[int]  # 1-based row number in the sheet of each of ``rows``
    groups: list[str] = field(default_factory=list)  # merged group label above each column

    def column(self, index: int) -> list[str | None]:
        return [row[index] if index < len(row) else None for row in self.rows]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _is_unit_row(cells: list[str | None]) -> bool:
    filled = [c for c in cells if c]
    if not filled:
        return False
    if filled[0].lower() in _UNIT_ROW_LABELS:
        return True
    known = sum(1 for c in filled if units.lookup(c) is not None)
    return known >= max(2, int(0.8 * len(filled)))


def _locate(grid: list[list[str | None]], width: int) -> tuple[int, int | None]:
    """(header row index, unit row index or None) in the first rows of ``grid``."""
    best = 0
    for index, cells in enumerate(grid[:8]):
        filled = [c for c in cells if c]
        textual = [c for c in filled if units.parse_quantity(c) is None]
        if len(filled) >= max(2, int(0.6 * width)) and len(textual) >= 0.6 * len(filled):
            best = index
            break
    unit_row = best + 1 if best + 1 < len(grid) and _is_unit_row(grid[best + 1]) else None
    return best, unit_row


def _grid_xlsx(
    path: Path, sheet_name: str | None
) -> tuple[str, list[list[str | None]], dict[tuple[int, int], str | None]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, data_only=True)
    if sheet_name is not None:
        sheet = workbook[sheet_name]
    else:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        candidates = visible or list(workbook.worksheets)
        sheet = max(candidates, key=lambda ws: (ws.max_row or 0) * (ws.max_column or 0))
    merged: dict[tuple[int, int], str | None] = {}
    grid = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for cell_range in sheet.merged_cells.ranges:
        value = grid[cell_range.min_row - 1][cell_range.min_col - 1]
        for r in range(cell_range.min_row, cell_range.max_row + 1):
            for c in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(r - 1, c - 1)] = value
    return sheet.title, grid, merged


def _grid_csv(path: Path) -> list[list[str | None]]:
    import csv

    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    dialect = "excel-tab" if text.split("\n", 1)[0].count("\t") > 0 else "excel"
    return [[_text(v) for v in row] for row in csv.reader(text.splitlines(), dialect=dialect)]


def read_sheet(path: Path, sheet_name: str | None = None) -> Sheet:
    """The product table of a workbook (largest visible sheet) or CSV file."""
    merged: dict[tuple[int, int], str | None] = {}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        name, grid, merged = _grid_xlsx(path, sheet_name)
    else:
        name, grid = path.stem, _grid_csv(path)
    width = max((len(r) for r in grid), default=0)
    grid = [row + [None] * (width - len(row)) for row in grid]
    header_index, unit_index = _locate(grid, width)
    header_cells = grid[header_index] if grid else []
    headers: list[str] = []
    header_units: list[str | None] = []
    for column, cell in enumerate(header_cells):
        label = cell or merged.get((header_index, column)) or f"column_{column + 1}"
        _, unit = units.split_header(label)
        if unit_index is not None:
            written = grid[unit_index][column]
            if written and units.lookup(written) is not None:
                unit = units.canonical(written)
        headers.append(label)
        header_units.append(unit)
    groups = []
    for column in range(width):
        above = [merged.get((r, column)) or grid[r][column] for r in range(header_index)]
        groups.append(next((g for g in reversed(above) if g), ""))
    first = (unit_index if unit_index is not None else header_index) + 1
    numbered = [(first + 1 + i, row) for i, row in enumerate(grid[first:]) if any(row)]
    return Sheet(
        name=name,
        headers=headers,
        header_units=header_units,
        rows=[row for _, row in numbered],
        row_numbers=[number for number, _ in numbered],
        groups=groups,
    )
