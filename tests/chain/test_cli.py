"""``industrybrain chain`` commands and the component declaration."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from industrybrain.cli import build_cli


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_code_zero_shot_and_trained(tmp_path: Path) -> None:
    source = _write(
        tmp_path / "in.csv",
        ["eid", "scope"],
        [["1", "离心泵、管道泵制造"], ["2", "闸阀、球阀生产销售"], ["3", "@@@"]],
    )
    out = tmp_path / "out.csv"
    runner = CliRunner()
    args = ["chain", "code", "--input", str(source), "--id-column", "eid"]
    args += ["--text-column", "scope", "--out", str(out), "--top-k", "2", "--workers", "1"]
    result = runner.invoke(build_cli(), args)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "code", "name", "score", "rank"]
    best = {r["id"]: r["code"] for r in rows if r["rank"] == "1"}
    assert best == {"1": "3441", "2": "3443"}  # row 3 has no evidence: no code
    assert [r["rank"] for r in rows if r["id"] == "1"] == ["1", "2"]
    train = _write(
        tmp_path / "train.csv",
        ["scope", "code"],
        [["水泵、阀门、电机销售", "5179"], ["离心泵制造", "3441"], ["闸阀制造", "3443"]],
    )
    result = runner.invoke(build_cli(), [*args, "--train", str(train)])
    assert result.exit_code == 0, result.output
    assert "trained on 3 examples" in " ".join(result.output.split())


def test_code_with_csv_taxonomy_and_bad_column(tmp_path: Path) -> None:
    taxonomy = _write(
        tmp_path / "tax.csv",
        ["code", "name", "keywords"],
        [["A", "Pumps", "centrifugal;submersible"], ["B", "Valves", "gate;ball"]],
    )
    source = _write(tmp_path / "in.csv", ["id", "text"], [["x", "Gate valve DN50"]])
    out = tmp_path / "out.csv"
    runner = CliRunner()
    base = ["chain", "code", "--taxonomy", str(taxonomy), "--input", str(source)]
    result = runner.invoke(build_cli(), [*base, "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert next(csv.DictReader(out.open(encoding="utf-8")))["code"] == "B"
    result = runner.invoke(build_cli(), [*base, "--out", str(out), "--text-column", "nope"])
    assert result.exit_code != 0
    assert "nope" in result.output


def test_graph_up_down_on_template_and_supply(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        build_cli(), ["chain", "graph", "up", "well_submersible_pump", "--depth", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "submersible_motor" in result.output and "copper_wire" not in result.output
    result = runner.invoke(build_cli(), ["chain", "graph", "down", "no_such_node"])
    assert result.exit_code != 0
    relations = _write(
        tmp_path / "rel.csv",
        ["supplier_id", "buyer_id"],
        [["E1", "E2"], ["E2", "E3"], ["E3", "E4"], ["E4", "E5"]],
    )
    result = runner.invoke(
        build_cli(), ["chain", "supply", "build", str(relations), "--out", str(tmp_path / "g")]
    )
    assert result.exit_code == 0, result.output
    assert "5 enterprises, 4 edges" in result.output
    result = runner.invoke(
        build_cli(),
        ["chain", "graph", "down", "E1", "--supply", str(tmp_path / "g"), "--depth", "3"],
    )
    assert result.exit_code == 0, result.output
    assert "E4" in result.output and "E5" not in result.output


def test_component_is_registered() -> None:
    from industrybrain.plugins import collect

    ids = {component.id for component in collect("register_components")}
    assert "chain.taxonomy-coder" in ids


def test_gaps_lists_missing_and_weak_links(tmp_path: Path) -> None:
    enterprises = _write(
        tmp_path / "ent.csv",
        ["enterprise_id", "node", "secondary_nodes", "annual_revenue_wan", "above_scale"],
        [
            ["E1", "well_submersible_pump", "", "10000", "1"],
            ["E2", "submersible_motor", "", "500", "0"],
        ],
    )
    result = CliRunner().invoke(build_cli(), ["chain", "gaps", str(enterprises)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # demand for submersible motors: 0.4 x 10,000 = 4,000 against 500 local supply.
    assert any(
        line.strip().startswith("submersible_motor") and "[weak]" in line and "4,000" in line
        for line in lines
    )
    assert any(line.strip().startswith("stainless_steel") and "[missing]" in line for line in lines)
    assert "E2" in result.output  # the motor supply rests on one enterprise
