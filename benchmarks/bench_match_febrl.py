"""Generic matcher on Febrl4 (5,000 + 5,000 records, 5,000 true links), in one run, against
Splink 5 configured as its Febrl4 tutorial teaches (DuckDB backend) and the recordlinkage
toolkit (sorted-neighbourhood blocking + ECM classifier). F1 and wall time side by side.

Ours runs with no configuration; the time includes reading the CSV files. The ratio recorded
is the fastest baseline's seconds / ours (above 1 = ours is faster).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import print_table, record

FEBRL = Path(__file__).resolve().parents[1] / ".." / "shared" / "reference" / "febrl"


def truth() -> set[tuple[str, str]]:
    import csv

    with (FEBRL / "dataset4a.csv").open(encoding="utf-8") as handle:
        ids = [row[0].strip() for row in csv.reader(handle)][1:]
    return {(i, i.replace("-org", "-dup-0")) for i in ids}


def f1(predicted: set[tuple[str, str]], true: set[tuple[str, str]]) -> tuple[float, float, float]:
    hits = len(predicted & true)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(true)
    return precision, recall, (2 * precision * recall / (precision + recall) if hits else 0.0)


def ours() -> set[tuple[str, str]]:
    from industrybrain.modules.enterprise.match import read_table, run_match

    left = read_table(FEBRL / "dataset4a.csv", "rec_id")
    right = read_table(FEBRL / "dataset4b.csv", "rec_id")
    return {(a, b) for a, b, _ in run_match(left, right).rows()}


def _frames():  # type: ignore[no-untyped-def]
    import pandas as pd

    frames = []
    for name in ("dataset4a.csv", "dataset4b.csv"):
        frame = pd.read_csv(FEBRL / name, dtype=str, skipinitialspace=True, keep_default_na=False)
        frame.columns = [c.strip() for c in frame.columns]
        frames.append(frame.replace("", None))
    return frames


def splink() -> set[tuple[str, str]]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    left, right = _frames()
    db_api = DuckDBAPI()
    table_a = db_api.register(left, dataset_display_name="a")
    table_b = db_api.register(right, dataset_display_name="b")
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker([table_a, table_b], settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    predictions = linker.inference.predict(threshold_match_probability=0.5).as_pandas_dataframe()
    left_ids = set(left["rec_id"])
    return {
        (row.rec_id_l, row.rec_id_r) if row.rec_id_l in left_ids else (row.rec_id_r, row.rec_id_l)
        for row in predictions.itertuples()
    }


def recordlinkage_toolkit() -> set[tuple[str, str]]:
    import recordlinkage

    left, right = _frames()
    left = left.set_index("rec_id").fillna("")
    right = right.set_index("rec_id").fillna("")
    indexer = recordlinkage.Index()
    indexer.sortedneighbourhood("surname", window=9)
    indexer.sortedneighbourhood("given_name", window=9)
    indexer.block("date_of_birth")
    candidates = indexer.index(left, right)
    compare = recordlinkage.Compare()
    compare.string(
        "given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name"
    )
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    compare.exact("soc_sec_id", "soc_sec_id", label="soc_sec_id")
    compare.exact("postcode", "postcode", label="postcode")
    features = compare.compute(candidates, left, right)
    links = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)
    return {(str(a), str(b)) for a, b in links}


def main() -> int:
    import subprocess

    true = truth()
    rows: list[list[str]] = []
    results: dict[str, tuple[float, float]] = {}
    for name, function in (
        ("industrybrain (no config)", ours),
        ("Splink 5 (tutorial, DuckDB)", splink),
        ("recordlinkage (SNH + ECM)", recordlinkage_toolkit),
    ):
        started = time.perf_counter()
        predicted = function()
        seconds = time.perf_counter() - started
        precision, recall, score = f1(predicted, true)
        results[name] = (score, seconds)
        rows.append([name, f"{precision:.4f}", f"{recall:.4f}", f"{score:.4f}", f"{seconds:.2f}"])
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print_table(["matcher", "precision", "recall", "F1", "seconds"], rows)
    print(f"load: {load}")
    ours_f1, ours_seconds = results["industrybrain (no config)"]
    baselines = [value for key, value in results.items() if not key.startswith("industrybrain")]
    fastest = min(seconds for _, seconds in baselines)
    best_f1 = max(score for score, _ in baselines)
    splink_f1, splink_s = results["Splink 5 (tutorial, DuckDB)"]
    rl_f1, rl_s = results["recordlinkage (SNH + ECM)"]
    if os.environ.get("BENCH_NO_RECORD") != "1":
        record(
            "match_febrl4",
            f"F1 {ours_f1:.4f} in {ours_seconds:.2f} s (load avg {os.getloadavg()[0]:.1f})",
            f"Splink F1 {splink_f1:.4f} in {splink_s:.2f} s; recordlinkage F1 {rl_f1:.4f} in {rl_s:.2f} s",
            f"{fastest / ours_seconds:.2f}x faster, F1 {ours_f1 - best_f1:+.4f}",
        )
    return 0 if ours_f1 >= best_f1 and ours_seconds < fastest else 1


if __name__ == "__main__":
    raise SystemExit(main())
