"""Score the CPMS validator and mapping assistant on a generated demo folder against its truth."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from industrybrain.modules.cpms import mapping, units
from industrybrain.modules.cpms.document import StandardDocument
from industrybrain.modules.cpms.sheets import read_sheet
from industrybrain.modules.cpms.validate import validate_frame


@dataclass
class Score:
    planted: set[tuple[str, int, str]] = field(default_factory=set)
    found: set[tuple[str, int, str]] = field(default_factory=set)
    clean_rows_with_errors: set[tuple[str, int]] = field(default_factory=set)
    columns: int = 0
    columns_right: int = 0
    wrong_columns: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)

    @property
    def missed(self) -> set[tuple[str, int, str]]:
        return self.planted - self.found


def _product_values(demo: Path) -> dict[tuple[str, str], dict[str, str]]:
    """(enterprise_id, model) -> {attribute: value as written in products.csv}."""
    enterprise_of = {}
    with (demo / "truth" / "product_categories.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            enterprise_of[row["record_id"]] = row["enterprise_id"]
    result: dict[tuple[str, str], dict[str, str]] = {}
    with (demo / "products.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            params = dict(p.split("=", 1) for p in row["参数"].split(";") if p)
            result[(enterprise_of[row["record_id"]], row["规格型号"])] = params
    return result


def _same(cell: str | None, truth: str) -> bool:
    if cell is None:
        return False
    a, b = units.parse_quantity(cell), units.parse_quantity(truth)
    if a and b:
        return abs(a[0] - b[0]) < 1e-9
    return units.to_half_width(cell).strip() == truth.strip()


def score(demo: Path, document: StandardDocument) -> Score:
    result = Score()
    faults: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (demo / "truth" / "catalog_faults.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            faults[row["workbook"]].append(row)
            if row["is_error"] == "true":
                result.planted.add((row["workbook"], int(row["row"]), row["attribute"]))
    faulty_rows = {(w, int(r["row"])) for w, rows in faults.items() for r in rows}
    values = _product_values(demo)
    for path in sorted((demo / "catalogs").glob("*.xlsx")):
        sheet = read_sheet(path)
        proposal = mapping.propose(sheet, document)
        enterprise = path.stem
        # truth of each column from the values (model column 3 tells the product)
        model_index = sheet.headers.index("规格型号")
        products = [values.get((enterprise, row[model_index] or "")) for row in sheet.rows]
        for column in proposal.columns:
            expected: str | None
            if column.header == "序号" and column.index == 0:
                expected = mapping.IGNORE
            elif column.index == 1:
                expected = "name"
            elif column.index == 3:
                expected = "category"
            else:
                votes: dict[str, int] = defaultdict(int)
                for row, params in zip(sheet.rows, products, strict=True):
                    cell = row[column.index]
                    if params is None or cell is None:
                        continue
                    for code, text in params.items():
                        if _same(cell, text):
                            votes[code] += 1
                expected = max(votes, key=lambda c: votes[c]) if votes else None
            got = column.target
            if got is None and column.duplicate_of is not None:
                got = proposal.columns[column.duplicate_of].target
            result.columns += 1
            if got == expected or (got == mapping.IGNORE and expected is None):
                result.columns_right += 1
            else:
                result.wrong_columns.append((path.name, column.header, expected, got))
        data, header_units = mapping.apply(sheet, document, proposal.targets())
        frame = pl.DataFrame(data, schema={k: pl.Utf8 for k in data}).with_columns(
            pl.col("_row").cast(pl.Int64)
        )
        checked = validate_frame(frame, document, header_units=header_units)
        for row_number, attribute in checked.errors.select("_row", "attribute").iter_rows():
            result.found.add((path.name, row_number, attribute))
            if (path.name, row_number) not in faulty_rows:
                result.clean_rows_with_errors.add((path.name, row_number))
    return result
