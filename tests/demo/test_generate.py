"""The demo cluster generator: determinism, valid codes, planted faults, files that open."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from industrybrain.kit.demo import DemoContext
from industrybrain.kit.ids import is_valid_uscc, normalize_uscc
from industrybrain.modules.demo.generate import FAULT_RATES, festival_loss, month_labels
from industrybrain.modules.demo.report import monthly_totals, render_report
from industrybrain.modules.demo.service import generate_demo, run_demo_step
from industrybrain.modules.demo.sources import SOURCE_FILES
from industrybrain.templates import load_template

ENTERPRISES = 200


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "a"
    generate_demo(out, enterprises=ENTERPRISES, seed=11)
    return out


def _rows(path: Path, encoding: str, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "truth" / "manifest.json").read_text(encoding="utf-8"))


def test_same_seed_gives_byte_identical_files(demo_dir: Path, tmp_path: Path) -> None:
    generate_demo(tmp_path / "b", enterprises=ENTERPRISES, seed=11)
    first, second = _digests(demo_dir), _digests(tmp_path / "b")
    assert len(first) > 15
    assert any(name.endswith(".xlsx") for name in first)
    assert first == second


def test_other_seed_differs(demo_dir: Path, tmp_path: Path) -> None:
    generate_demo(tmp_path / "c", enterprises=ENTERPRISES, seed=12)
    first, other = _digests(demo_dir), _digests(tmp_path / "c")
    assert first["registry_scjg.csv"] != other["registry_scjg.csv"]


def test_registry_and_truth_codes_all_valid(demo_dir: Path) -> None:
    registry = _rows(demo_dir / "registry_scjg.csv", "utf-8-sig")
    truth = _rows(demo_dir / "truth" / "enterprises.csv", "utf-8")
    assert len(registry) == len(truth) == ENTERPRISES
    assert all(is_valid_uscc(row["统一社会信用代码"]) for row in registry)
    assert all(is_valid_uscc(row["uscc"]) for row in truth)
    assert len({row["uscc"] for row in truth}) == ENTERPRISES
    assert {row["统一社会信用代码"] for row in registry} == {row["uscc"] for row in truth}


def test_planted_mistyped_code_rate_matches_documentation(demo_dir: Path) -> None:
    rows = _rows(demo_dir / "tax_monthly.csv", "gbk")
    faults = _rows(demo_dir / "truth" / "source_faults.csv", "utf-8")
    mistyped = {
        f["record_id"]
        for f in faults
        if f["source"] == "tax_monthly" and f["kind"] == "code_mistyped"
    }
    invalid = {
        row["record_id"]
        for row in rows
        if row["纳税人识别号"] and not is_valid_uscc(normalize_uscc(row["纳税人识别号"]))
    }
    # Every mistyped code is caught by the check characters, and nothing else is invalid
    # (full-width codes normalise to valid ones).
    assert invalid == mistyped
    rate = FAULT_RATES["tax_monthly"]["code_mistyped_per_row"]
    expected = rate * len(rows)
    assert abs(len(invalid) - expected) < 4 * math.sqrt(expected * (1 - rate)) + 1
    full_width = [row for row in rows if any("０" <= c <= "９" for c in row["纳税人识别号"])]
    assert full_width, "full-width codes are planted"
    assert all(
        is_valid_uscc(normalize_uscc(row["纳税人识别号"]))
        for row in full_width
        if row["record_id"] not in mistyped
    )


def test_every_source_file_opens_in_its_encoding(demo_dir: Path) -> None:
    manifest = _manifest(demo_dir)
    counts = {name: info["rows"] for name, info in manifest["sources"].items()}
    for file_name, (encoding, delimiter) in SOURCE_FILES.items():
        path = demo_dir / file_name
        source = file_name.rsplit(".", 1)[0]
        if file_name.endswith(".jsonl"):
            records = [json.loads(line) for line in path.read_text(encoding=encoding).splitlines()]
        else:
            python_encoding = "utf-16" if encoding == "utf-16" else encoding
            records = _rows(path, python_encoding, delimiter)
            assert records and "record_id" in records[0], file_name
        assert len(records) == counts[source], file_name
    assert (demo_dir / "registry_scjg.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (demo_dir / "customs_exports.csv").read_bytes().startswith(b"\xff\xfe")
    with pytest.raises(UnicodeDecodeError):
        (demo_dir / "tax_monthly.csv").read_bytes().decode("utf-8")


def test_tax_format_wan_and_chinese_periods(demo_dir: Path) -> None:
    rows = _rows(demo_dir / "tax_monthly.csv", "gbk")
    assert rows[0]["所属期"] == "2023年01月"
    assert all(float(row["开票销售额(万元)"]) >= 0 for row in rows)
    electricity = _rows(demo_dir / "electricity_monthly.csv", "gb18030")
    serial = [row for row in electricity if row["抄表日期"].isdigit()]
    assert serial and len(serial) < len(electricity)
    assert {int(row["抄表日期"]) for row in serial} >= {44951}  # 2023-01-25 as an Excel serial


def test_catalogues_open_with_merged_headers_and_planted_faults(demo_dir: Path) -> None:
    workbooks = sorted((demo_dir / "catalogs").glob("*.xlsx"))
    assert len(workbooks) >= 5
    merged = hidden = 0
    cells: dict[tuple[str, str], object] = {}
    for path in workbooks:
        book = openpyxl.load_workbook(path)
        sheet = book["产品目录"]
        merged += bool(sheet.merged_cells.ranges)
        hidden += any(ws.sheet_state == "hidden" for ws in book.worksheets)
        for row in sheet.iter_rows():
            for cell in row:
                cells[(path.name, cell.coordinate)] = cell.value
    assert merged >= 1
    manifest = _manifest(demo_dir)
    assert manifest["catalogs"]["workbooks"] == len(workbooks)
    faults = _rows(demo_dir / "truth" / "catalog_faults.csv", "utf-8")
    assert faults, "faults are planted"
    for fault in faults:
        value = cells.get((fault["workbook"], fault["cell"]))
        shown = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
        assert shown == fault["planted_value"], fault
        assert shown != fault["clean_value"]
    kinds = Counter(f["kind"] for f in faults)
    assert len(kinds) >= 3
    del hidden  # hidden sheets are random per workbook; the count is reported in the docs


def test_ground_truth_is_consistent(demo_dir: Path) -> None:
    enterprises = {
        row["enterprise_id"] for row in _rows(demo_dir / "truth" / "enterprises.csv", "utf-8")
    }
    links = _rows(demo_dir / "truth" / "record_links.csv", "utf-8")
    assert links
    assert {link["enterprise_id"] for link in links} <= enterprises
    per_source = Counter(link["source"] for link in links)
    manifest = _manifest(demo_dir)
    for source, info in manifest["sources"].items():
        if source != "supply_relations":
            assert per_source[source] == info["rows"], source
    assert per_source["supply_relations.seller"] == manifest["sources"]["supply_relations"]["rows"]
    products = _rows(demo_dir / "truth" / "product_categories.csv", "utf-8")
    assert len(products) == manifest["products"]
    assert {p["enterprise_id"] for p in products} <= enterprises
    nodes = _rows(demo_dir / "truth" / "enterprise_nodes.csv", "utf-8")
    assert {n["enterprise_id"] for n in nodes if n["role"] == "main"} == enterprises


def test_names_follow_registration_patterns(demo_dir: Path) -> None:
    truth = _rows(demo_dir / "truth" / "enterprises.csv", "utf-8")
    forms = ("有限公司", "有限责任公司", "股份有限公司", "厂")
    assert all(row["name"].endswith(forms) for row in truth)
    assert len({row["name"] for row in truth}) == len(truth)
    towns = Counter(row["town"] for row in truth)
    assert "大溪镇" in towns
    above = sum(row["above_scale"] == "1" for row in truth)
    share = load_template("pumps-valves").demo.above_scale_share
    assert above == round(share * len(truth))


def test_spring_festival_dip(demo_dir: Path) -> None:
    totals = monthly_totals(demo_dir)
    for year in (2024, 2025):
        festival = (totals[f"{year}-01"] + totals[f"{year}-02"]) / 2
        neighbours = (totals[f"{year - 1}-12"] + totals[f"{year}-03"]) / 2
        assert festival < neighbours, (year, festival, neighbours)
    loss = festival_loss(month_labels(36))
    assert loss[:12].argmax() == 0  # festival on 22 January 2023
    assert loss[12:24].argmax() == 1  # festival on 10 February 2024
    assert all(loss[i] == 0 for i in range(36) if month_labels(36)[i][1] in (5, 6, 7, 8))


def test_declines_and_closures_are_planted(demo_dir: Path) -> None:
    declines = _rows(demo_dir / "truth" / "declines.csv", "utf-8")
    kinds = Counter(row["kind"] for row in declines)
    assert kinds["decline"] > 0
    closed = [
        row
        for row in _rows(demo_dir / "truth" / "enterprises.csv", "utf-8")
        if row["status"] == "closed"
    ]
    registry = {
        row["统一社会信用代码"]: row for row in _rows(demo_dir / "registry_scjg.csv", "utf-8-sig")
    }
    assert all(registry[row["uscc"]]["登记状态"] == "注销" for row in closed)


def test_report_renders_markdown(demo_dir: Path) -> None:
    text = render_report(demo_dir)
    assert "### Size mix" in text and "### Town mix" in text and "### Chain-node mix" in text
    assert "tax_monthly" in text


def test_demo_step_generates_once(tmp_path: Path) -> None:
    messages: list[str] = []
    ctx = DemoContext(
        data_dir=tmp_path, enterprises=30, seed=3, template="pumps-valves", report=messages.append
    )
    run_demo_step(ctx)
    manifest = tmp_path / "demo" / "truth" / "manifest.json"
    assert manifest.is_file()
    stamp = manifest.stat().st_mtime_ns
    run_demo_step(ctx)
    assert manifest.stat().st_mtime_ns == stamp
    assert any("already" in m for m in messages)


def test_cli_generate_and_report(tmp_path: Path) -> None:
    from industrybrain.cli import build_cli

    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(
        build_cli(), ["demo", "generate", "--out", str(out), "--enterprises", "20", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "truth" / "manifest.json").is_file()
    report = runner.invoke(build_cli(), ["demo", "report", str(out)])
    assert report.exit_code == 0, report.output
    assert "### Size mix" in report.output


def test_clean_product_values_are_valid_for_their_category() -> None:
    from industrybrain.modules.demo.generate import generate_enterprises, generate_products

    template = load_template("pumps-valves")
    firms = generate_enterprises(template, 120, 5, 36)
    products = generate_products(template, firms, 5)
    assert products
    checked = 0
    for product in products:
        for attribute in template.attributes_of(product.category_code):
            value = product.attributes[attribute.code]
            if attribute.datatype in ("decimal", "integer"):
                assert attribute.min is None or value >= attribute.min, (attribute.code, value)
                assert attribute.max is None or value <= attribute.max, (attribute.code, value)
            elif attribute.datatype == "enum":
                assert value in attribute.enum
            checked += 1
        assert len(product.gtin) == 13
    assert checked > len(products)
