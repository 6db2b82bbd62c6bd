"""The generic matcher on public benchmarks (Febrl4, Splink fake_1000) and the demo cluster."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from industrybrain.modules.enterprise.cli import match_cli
from industrybrain.modules.enterprise.match import MatchConfig, read_table, run_match
from industrybrain.modules.enterprise.match.assign import one_to_one
from industrybrain.modules.enterprise.match.evaluate import read_truth, score

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
FEBRL = REFERENCE / "febrl"
FAKE = REFERENCE / "splink_fake_1000"
runner = CliRunner()


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _f1(output: str) -> float:
    return float(output.split("F1")[1].split()[0])


@pytest.mark.skipif(not FEBRL.exists(), reason="shared reference data not beside the repo")
def test_febrl4_without_config_reaches_f1_0998(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    result = runner.invoke(
        match_cli,
        ["run", "--left", str(FEBRL / "dataset4a.csv"), "--right", str(FEBRL / "dataset4b.csv"),
         "--id-left", "rec_id", "--out", str(pairs)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ids = [row[0].strip() for row in csv.reader((FEBRL / "dataset4a.csv").open())][1:]
    truth = _write(
        tmp_path / "truth.csv",
        [["left_id", "right_id"]] + [[i, i.replace("-org", "-dup-0")] for i in ids],
    )
    assert len(ids) == 5000
    evaluated = runner.invoke(match_cli, ["evaluate", "--pairs", str(pairs), "--truth", str(truth)])
    assert evaluated.exit_code == 0, evaluated.output
    assert _f1(evaluated.output) >= 0.998
    header = pairs.read_text().splitlines()[0]
    assert header == "left_id,right_id,probability"


@pytest.mark.skipif(not FAKE.exists(), reason="shared reference data not beside the repo")
def test_fake_1000_dedupe_with_cluster_truth(tmp_path: Path) -> None:
    table = read_table(FAKE / "fake_1000.csv", "unique_id")
    truth_rows = [["unique_id", "cluster"]] + [
        [i, c] for i, c in zip(table.ids, table.columns["cluster"], strict=True)
    ]
    truth = _write(tmp_path / "truth.csv", truth_rows)  # type: ignore[arg-type]
    result = run_match(table, None, MatchConfig(columns={"cluster": "ignore"}))
    true_pairs, unordered = read_truth(truth)
    assert unordered
    scores = score({(a, b) for a, b, _ in result.rows()}, true_pairs, unordered)
    assert scores.f1 >= 0.88
    assert all(a != b for a, b, _ in result.rows())


def test_one_to_one_keeps_the_best_assignment() -> None:
    # left 0 and 1 both like right 0; the best total gives 0-1 and 1-0 (9 + 8 > 10 + 1).
    left = np.array([0, 0, 1, 1, 2])
    right = np.array([0, 1, 0, 1, 2])
    weights = np.array([10.0, 9.0, 8.0, 1.0, 5.0])
    kept = one_to_one(left, right, weights)
    assert sorted(zip(left[kept].tolist(), right[kept].tolist(), strict=True)) == [
        (0, 1),
        (1, 0),
        (2, 2),
    ]


def _people(tmp_path: Path) -> tuple[Path, Path]:
    left = _write(
        tmp_path / "left.csv",
        [["id", "name", "city", "born", "code"]]
        + [[f"L{i}", f"person{i} smith{i % 7}", f"town{i % 5}", f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}", f"C{i:05d}"] for i in range(60)],
    )  # fmt: skip
    rows = [["key", "name", "city", "born", "code"]]
    for i in range(60):
        name = f"person{i} smith{i % 7}" if i % 3 else f"persn{i} smith{i % 7}"
        rows.append(
            [f"R{i}", name, f"town{i % 5}", f"19{50 + i % 40}-0{1 + i % 9}-1{i % 10}", f"C{i:05d}"]
        )
    rows.append(["R-extra", "person1 smith1", "town1", "1951-02-11", "C00001"])  # a duplicate
    return left, _write(tmp_path / "right.csv", rows)


def test_run_one_to_one_explain_and_evaluate(tmp_path: Path) -> None:
    left, right = _people(tmp_path)
    out = tmp_path / "pairs.csv"
    args = [
        "run",
        "--left",
        str(left),
        "--right",
        str(right),
        "--id-left",
        "id",
        "--id-right",
        "key",
    ]
    plain = runner.invoke(match_cli, [*args, "--out", str(out), "--explain"])
    assert plain.exit_code == 0, plain.output
    rows = list(csv.DictReader(out.open()))
    assert {"left_id", "right_id", "probability", "match_weight", "explanation"} <= set(rows[0])
    assert sum(1 for row in rows if row["left_id"] == "L1") >= 2
    assert "code=exact(+" in rows[0]["explanation"]
    single = runner.invoke(match_cli, [*args, "--out", str(out), "--one-to-one"])
    assert single.exit_code == 0, single.output
    rows = list(csv.DictReader(out.open()))
    assert sum(1 for row in rows if row["left_id"] == "L1") == 1
    assert len({row["right_id"] for row in rows}) == len(rows)
    truth = _write(tmp_path / "truth.csv", [["l", "r"]] + [[f"L{i}", f"R{i}"] for i in range(60)])
    evaluated = runner.invoke(match_cli, ["evaluate", "--pairs", str(out), "--truth", str(truth)])
    assert evaluated.exit_code == 0
    assert _f1(evaluated.output) == 1.0
    explained = runner.invoke(
        match_cli,
        ["explain", "--left", str(left), "--right", str(right), "--id-left", "id",
         "--id-right", "key", "--left-record", "L3", "--right-record", "R3"],
    )  # fmt: skip
    assert explained.exit_code == 0, explained.output
    assert "jaro-winkler" in explained.output and "probability" in explained.output


def test_evaluate_counts_precision_and_recall(tmp_path: Path) -> None:
    pairs = _write(
        tmp_path / "p.csv",
        [["left_id", "right_id", "probability"], ["a", "1", "0.9"], ["b", "9", "0.8"]],
    )
    truth = _write(
        tmp_path / "t.csv",
        [["left_id", "right_id"], ["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"]],
    )
    result = runner.invoke(match_cli, ["evaluate", "--pairs", str(pairs), "--truth", str(truth)])
    assert "precision 0.5000" in result.output
    assert "recall 0.2500" in result.output
    assert _f1(result.output) == pytest.approx(1 / 3, abs=1e-4)


def test_demo_registry_links_patents_and_customs(tmp_path: Path) -> None:
    from industrybrain.modules.demo.service import generate_demo

    generate_demo(tmp_path / "demo", enterprises=200, months=13)
    demo = tmp_path / "demo"
    links = {
        (row["source"], row["record_id"]): row["enterprise_id"]
        for row in csv.DictReader((demo / "truth" / "record_links.csv").open(encoding="utf-8"))
    }
    registry = read_table(demo / "registry_scjg.csv", "record_id")
    by_enterprise = {links[("registry_scjg", i)]: i for i in registry.ids}
    for source, file in (
        ("customs_exports", "customs_exports.csv"),
        ("patents", "patents.csv"),
        ("electricity_monthly", "electricity_monthly.csv"),
    ):
        other = read_table(demo / file, "record_id")
        result = run_match(registry, other)
        names = {c.kind for c in result.comparisons}
        assert "org_name_zh" in names
        truth = {
            (by_enterprise[links[(source, i)]], i)
            for i in other.ids
            if links.get((source, i)) in by_enterprise
        }
        scores = score({(a, b) for a, b, _ in result.rows()}, truth, False)
        assert scores.f1 >= 0.95, (source, scores)


def _uscc(index: int) -> str:
    from industrybrain.kit.ids import org_code_check_char, uscc_check_char

    body = f"{10000000 + index * 7919:08d}"
    first17 = "91331081" + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


def test_valid_uscc_agreement_matches_first(tmp_path: Path) -> None:
    brands = [a + b for a in "天亚豪凯乐盛博诺信界源利欧" for b in "达华丰泰恒"][:48]
    left_rows = [["id", "统一社会信用代码", "企业名称", "住所"]]
    right_rows = [["rid", "纳税人识别号", "纳税人名称"]]
    for i, brand in enumerate(brands):
        code = _uscc(i)
        left_rows.append(
            [f"S{i}", code, f"温岭市{brand}泵业有限公司", f"浙江省台州市温岭市泽国镇{i}号"]
        )
        if i == 0:  # renamed since: only the code links it
            right_rows.append([f"T{i}", code, "浙江全新机电科技有限公司"])
        elif i == 1:  # mistyped code (check fails): the name still links it
            right_rows.append(
                [f"T{i}", code[:-3] + code[-2] + code[-3] + code[-1], f"{brand}泵业有限责任公司"]
            )
        else:
            right_rows.append([f"T{i}", code, f"{brand}泵业（浙江）有限公司"])
    left = read_table(_write(tmp_path / "l.csv", left_rows), "id")
    right = read_table(_write(tmp_path / "r.csv", right_rows), "rid")
    result = run_match(left, right)
    assert {c.kind for c in result.comparisons} >= {"uscc", "org_name_zh"}
    predicted = {(a, b): p for a, b, p in result.rows()}
    assert predicted[("S0", "T0")] == 1.0
    assert ("S1", "T1") in predicted
    assert set(predicted) == {(f"S{i}", f"T{i}") for i in range(len(brands))}
    _levels, weight, probability = result.score_pair(0, 0)
    assert probability == 1.0 and weight >= 50
