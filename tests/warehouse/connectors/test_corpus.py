"""The bad-input corpus: a clear error or exact accounting, and never mojibake."""

from __future__ import annotations

import re
from dataclasses import replace as dc_replace
from pathlib import Path

import duckdb
import pytest

from industrybrain.warehouse.connectors import ConnectorError, land

from .corpus import CASES, Case, case_ids


def test_corpus_has_at_least_fifty_files() -> None:
    assert len(CASES) >= 50
    assert len({c.filename for c in CASES}) == len(CASES)


def read_landed(path: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{path}') ORDER BY _row, 1")
    return list(rel.columns), rel.fetchall()


OPENPYXL_CASES = [
    dc_replace(c, options=dc_replace(c.options, excel_reader="openpyxl"))
    for c in CASES
    if c.filename.endswith(".xlsx")
]


@pytest.mark.parametrize("case", OPENPYXL_CASES, ids=[c.name for c in OPENPYXL_CASES])
def test_corpus_xlsx_with_openpyxl(case: Case, tmp_path: Path) -> None:
    """The slower openpyxl reader gives the same results as calamine."""
    test_corpus_case(case, tmp_path)


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_corpus_case(case: Case, tmp_path: Path) -> None:
    src = tmp_path / case.filename
    case.build(src)
    out = tmp_path / "out"
    if case.error:
        with pytest.raises(ConnectorError) as info:
            land(src, case.options, out)
        assert re.search(case.error, info.value.message), info.value.message
        assert not list(out.glob("*.parquet")) if out.exists() else True
        return
    landed = land(src, case.options, out)
    columns, rows = read_landed(landed.parquet_path)
    assert landed.rows_in == landed.rows_landed + len(landed.quarantine)
    assert landed.rows_landed == len(rows)
    data_cols = [c for c in columns if c not in ("_row", "_sheet")]
    assert all(isinstance(r[columns.index("_row")], int) for r in rows)
    if case.columns is not None:
        assert data_cols == case.columns
    if case.rows is not None:
        got = [tuple(r[columns.index(c)] for c in data_cols) for r in rows]
        if "_sheet" not in columns:
            assert got == case.rows
        else:
            assert sorted(got, key=repr) == sorted(case.rows, key=repr)
        assert landed.rows_in == len(case.rows) + len(case.quarantined)
    if case.row_numbers is not None:
        assert [r[columns.index("_row")] for r in rows] == case.row_numbers
    assert [q.row_number for q in landed.quarantine] == case.quarantined
    for q, reason in zip(landed.quarantine, case.reasons, strict=False):
        assert reason in q.reason, (q, reason)
    for q in landed.quarantine:
        assert q.raw_text is not None and q.reason
    if case.sheets is not None:
        assert landed.sheets == case.sheets
    if case.hidden_sheets is not None:
        assert landed.hidden_sheets == case.hidden_sheets
    for w in case.warnings:
        assert any(w in x for x in landed.warnings), landed.warnings
    if case.encoding is not None:
        assert landed.encoding == case.encoding
    if case.header_rows is not None:
        assert landed.header_rows == case.header_rows
    if case.sheet_column is not None:
        assert sorted({r[columns.index("_sheet")] for r in rows}) == sorted(case.sheet_column)
    # no mojibake anywhere: every landed text value must be valid, with no replacement marks
    for r in rows:
        for v in r:
            if isinstance(v, str):
                assert "\ufffd" not in v and "锟斤拷" not in v
    import hashlib

    assert landed.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
