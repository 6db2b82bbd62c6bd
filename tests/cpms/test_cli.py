"""``industrybrain cpms standards|show|validate|map`` on a generated demo catalogue."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from industrybrain.modules.cpms.cli import cpms_cli


@pytest.fixture
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from industrybrain.modules.demo.service import generate_demo

    out = tmp_path_factory.mktemp("demo")
    generate_demo(out, enterprises=120, seed=3)
    return out


def test_cli(ib_env: Path, demo: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cpms_cli, ["standards"], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert "pumps-valves" in listed.output and "1.0.0 (published)" in listed.output
    shown = runner.invoke(cpms_cli, ["show", "pumps-valves", "--json"])
    assert shown.exit_code == 0
    assert len(json.loads(shown.output)["categories"]) == 43
    missing = runner.invoke(cpms_cli, ["show", "pumps-valves", "--version", "9.9.9"])
    assert missing.exit_code == 1
    faults = list(csv.DictReader((demo / "truth" / "catalog_faults.csv").open(encoding="utf-8")))
    workbook = next(f["workbook"] for f in faults if f["is_error"] == "true")
    report = tmp_path / "errors.csv"
    checked = runner.invoke(
        cpms_cli,
        ["validate", "--standard", "pumps-valves", "--input", str(demo / "catalogs" / workbook),
         "--report", str(report)],
    )  # fmt: skip
    assert checked.exit_code == 0, checked.output
    assert "records" in checked.output
    written = {(r["row"], r["attribute"]) for r in csv.DictReader(report.open(encoding="utf-8"))}
    planted = {
        (f["row"], f["attribute"])
        for f in faults
        if f["workbook"] == workbook and f["is_error"] == "true"
    }
    assert written == planted
    mapped = runner.invoke(
        cpms_cli,
        ["map", "--standard", "pumps-valves", "--input", str(demo / "catalogs" / workbook),
         "--json"],
    )  # fmt: skip
    assert mapped.exit_code == 0
    targets = [c["target"] for c in json.loads(mapped.output)["columns"]]
    assert "category" in targets and "model" in targets
