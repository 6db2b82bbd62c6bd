"""The vectorised validator: each rule, units, identifiers; and the demo catalogues' truth."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from industrybrain.modules.cpms import units
from industrybrain.modules.cpms.document import StandardDocument, from_template
from industrybrain.modules.cpms.validate import validate_frame


@pytest.fixture(scope="module")
def pumps() -> StandardDocument:
    return from_template("pumps-valves")


def _errors(frame: pl.DataFrame, document: StandardDocument, **kw: object) -> set[tuple]:
    result = validate_frame(frame, document, **kw)  # type: ignore[arg-type]
    return {(r, a, k) for r, a, k, _ in result.errors.iter_rows()}


def test_units_convert_and_parse() -> None:
    assert units.factor("立方米/小时", "m3/h") == 1.0
    assert units.factor("m³/h", "m3/h") == 1.0
    assert units.factor("W", "kW") == pytest.approx(0.001)
    assert units.factor("千瓦", "kW") == 1.0
    assert units.factor("吨", "kg") == 1000.0
    assert units.factor("公斤", "kg") == 1.0
    assert units.factor("bar", "MPa") == pytest.approx(0.1)
    assert units.factor("kgf/cm²", "MPa") == pytest.approx(0.0980665)
    assert units.factor("rpm", "r/min") == 1.0
    assert units.factor("kW", "m3/h") is None
    assert units.parse_quantity("15 m³/h") == (15.0, "m³/h")
    assert units.parse_quantity("１５") == (15.0, None)
    assert units.parse_quantity("约15") is None
    assert units.split_header("流量(m³/h)") == ("流量", "m3/h")
    assert units.split_header("功率（千瓦）") == ("功率", "kW")
    assert units.split_header("噪音(dB(A))") == ("噪音", "dB(A)")


def test_every_rule_gives_its_error_and_clean_rows_none(pumps: StandardDocument) -> None:
    base = {
        "category": "PV01.01.01",
        "model": "QJ-1",
        "flow_rate": "15 m³/h",
        "head": "20",
        "power": "2200 W",
        "speed": "2850 rpm",
        "phase": "三相",
        "gtin": "6920685000017",
        "handle": "88.118.8/PV-1",
        "hs_code": "841370",
    }
    category_attributes = {a.code for a in pumps.attributes_of("PV01.01.01")}
    rows = [
        base,
        {**base, "flow_rate": None},  # 2 missing_required
        {**base, "flow_rate": "待定"},  # 3 not_a_number
        {**base, "flow_rate": "15 kW"},  # 4 unit_mismatch
        {**base, "head": "99999"},  # 5 out_of_range
        {**base, "speed": "2850.5"},  # 6 wrong_type
        {**base, "phase": "两相"},  # 7 not_in_enum
        {**base, "gtin": "6920685000018"},  # 8 bad_gtin (check digit)
        {**base, "handle": "86.1/x"},  # 9 bad_handle
        {**base, "hs_code": "123456"},  # 10 bad_hs_code
        {**base, "category": "PV99"},  # 11 unknown_category
        {**base, "flow_rate": "１５", "power": "2.2千瓦", "gtin": "6920685000024"},  # 12 clean
    ]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(base, pl.Utf8))
    got = _errors(frame, pumps)
    missing_optional = {(r, a, k) for r, a, k in got if k == "missing_required" and r == 1}
    assert {a for _, a, _ in missing_optional} <= category_attributes
    got -= {(r, a, k) for r, a, k in got if k == "missing_required" and a not in base}
    assert got == {
        (2, "flow_rate", "missing_required"),
        (3, "flow_rate", "not_a_number"),
        (4, "flow_rate", "unit_mismatch"),
        (5, "head", "out_of_range"),
        (6, "speed", "wrong_type"),
        (7, "phase", "not_in_enum"),
        (8, "gtin", "bad_gtin"),
        (9, "handle", "bad_handle"),
        (10, "hs_code", "bad_hs_code"),
        (11, "category", "unknown_category"),
        # the same GTIN on rows 1-11 (not 8, which has a bad one): duplicates
        *[(r, "gtin", "duplicate") for r in range(1, 12) if r != 8],
    }
    values = validate_frame(frame, pumps).values
    clean = values.filter(pl.col("_row") == 12).row(0, named=True)
    assert float(clean["power"]) == pytest.approx(2.2)
    assert float(clean["flow_rate"]) == 15.0


def test_header_unit_converts(pumps: StandardDocument) -> None:
    frame = pl.DataFrame(
        {
            "category": ["PV01.01.01"],
            "model": ["A"],
            "flow_rate": ["250"],
            "head": ["3"],
            "power": ["2200"],
        }
    )
    result = validate_frame(frame, pumps, header_units={"flow_rate": "L/min", "power": "W"})
    assert result.errors.filter(pl.col("attribute").is_in(["flow_rate", "power"])).height == 0
    row = result.values.row(0, named=True)
    assert float(row["flow_rate"]) == pytest.approx(15.0)
    assert float(row["power"]) == pytest.approx(2.2)


def test_demo_catalogues_all_faults_found_no_false_errors_columns_mapped(
    tmp_path: Path, pumps: StandardDocument
) -> None:
    from industrybrain.modules.demo.service import generate_demo

    from ._demo_truth import score

    generate_demo(tmp_path / "demo", enterprises=300, seed=7)
    result = score(tmp_path / "demo", pumps)
    assert result.planted, "the demo planted no catalogue fault"
    assert result.missed == set()
    assert result.found - result.planted == set()
    assert result.clean_rows_with_errors == set()
    assert result.columns_right / result.columns >= 0.9, result.wrong_columns
