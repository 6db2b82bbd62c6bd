"""From an enterprise's file to a record frame ready for validation: read the sheet, expand a
``code=value;…`` parameter column, propose (or apply) the column mapping."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from industrybrain.modules.cpms import mapping
from industrybrain.modules.cpms.document import StandardDocument
from industrybrain.modules.cpms.sheets import Sheet, read_sheet


@dataclass
class Intake:
    sheet: Sheet
    proposal: mapping.MappingProposal
    frame: pl.DataFrame
    header_units: dict[str, str | None]


def _expand_parameters(sheet: Sheet, document: StandardDocument) -> Sheet:
    """A column of ``code=value;code=value`` pairs (``products.csv``) becomes one column per
    attribute code; the category comes from the attribute set when no column names it."""
    known = document.all_attributes()
    for index in range(len(sheet.headers)):
        sample = [v for v in sheet.column(index) if v][:20]
        if not sample or not all("=" in v and v.split("=", 1)[0] in known for v in sample):
            continue
        parsed = [
            dict(p.split("=", 1) for p in (row[index] or "").split(";") if "=" in p)
            for row in sheet.rows
        ]
        codes = list(dict.fromkeys(code for params in parsed for code in params))
        headers = [h for i, h in enumerate(sheet.headers) if i != index] + codes
        rows = [
            [v for i, v in enumerate(row) if i != index] + [params.get(c) for c in codes]
            for row, params in zip(sheet.rows, parsed, strict=True)
        ]
        header_units = [u for i, u in enumerate(sheet.header_units) if i != index]
        return Sheet(
            name=sheet.name,
            headers=headers,
            header_units=header_units + [None] * len(codes),
            rows=rows,
            row_numbers=sheet.row_numbers,
            groups=[""] * len(headers),
        )
    return sheet


def read_records(
    path: Path,
    document: StandardDocument,
    *,
    remembered: dict[str, str] | None = None,
    confirmed: dict[int, str] | None = None,
) -> Intake:
    sheet = _expand_parameters(read_sheet(path), document)
    proposal = mapping.propose(sheet, document, remembered)
    targets = confirmed if confirmed is not None else proposal.targets()
    data, header_units = mapping.apply(sheet, document, targets)
    frame = pl.DataFrame(data, schema=dict.fromkeys(data, pl.Utf8)).with_columns(
        pl.col("_row").cast(pl.Int64)
    )
    if "category" not in frame.columns:
        frame = frame.with_columns(_infer_category(frame, document))
    return Intake(sheet=sheet, proposal=proposal, frame=frame, header_units=header_units)


def _infer_category(frame: pl.DataFrame, document: StandardDocument) -> pl.Series:
    """With no category column, the leaf category whose attribute set equals the record's
    filled attribute codes (None when no single leaf fits)."""
    parents = {c.parent for c in document.categories}
    signature: dict[frozenset[str], list[str]] = {}
    for category in document.categories:
        if category.code in parents:
            continue
        codes = frozenset(a.code for a in document.attributes_of(category.code))
        signature.setdefault(codes, []).append(category.code)
    columns = [c for c in frame.columns if c in document.all_attributes()]
    keys = frame.select(
        pl.concat_str(
            [pl.when(pl.col(c).is_not_null()).then(pl.lit(c)) for c in sorted(columns)],
            separator=",",
            ignore_nulls=True,
        ).alias("k")
    ).get_column("k")
    lookup: dict[str, str] = {}
    for codes, categories in signature.items():
        if len(categories) == 1:
            lookup[",".join(sorted(codes))] = categories[0]
    return keys.replace_strict(lookup, default=None, return_dtype=pl.Utf8).alias("category")
