"""End-to-end warehouse tests on a small demo cluster (DuckDB engine): exact accounting,
planted code faults found exactly, idempotent reruns, incremental reuse, lineage, tenant-scoped
queries, crash safety with SIGKILL at every named step."""

from __future__ import annotations

import csv
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = str(Path(__file__).parent / "_runner.py")

STEPS = (
    "land",
    "plan",
    "raw",
    "standard",
    "core",
    "mart",
    "quality",
    "hash",
    "checkpoint",
    "publish",
)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IB_")}
    env.update(
        {
            "IB_DATA_DIR": str(data_dir),
            "IB_MODE": "test",
            "IB_EMBEDDED_WORKER": "false",
            "PYTHONPATH": str(REPO),
        }
    )
    env.update(extra)
    return env


def _run(data_dir: Path, folder: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, RUNNER, str(folder)],
        cwd=REPO,
        env=_env(data_dir, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _hashes(data_dir: Path) -> dict[str, str]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        from industrybrain.warehouse.pipeline import content_hashes

        return content_hashes(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def baseline(
    demo_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("baseline") / "data"
    result = _run(data_dir, demo_folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return data_dir, _hashes(data_dir)


def test_accounting_is_exact_and_planted_code_faults_are_quarantined(
    baseline: tuple[Path, dict[str, str]], demo_folder: Path
) -> None:
    data_dir, _ = baseline
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    counts = dict(
        con.execute("SELECT source_code, sum(rows_in) FROM raw.files GROUP BY 1").fetchall()
    )
    for code, rows_in in counts.items():
        (loaded,) = con.execute(f"SELECT count(*) FROM standard.{code}").fetchone()
        (quarantined,) = con.execute(f"SELECT count(*) FROM quarantine.{code}").fetchone()
        assert rows_in == loaded + quarantined, code
    # Every mistyped tax code planted by the generator is refused, and nothing else.
    with (demo_folder / "truth" / "source_faults.csv").open(encoding="utf-8") as handle:
        planted = {
            r["record_id"]
            for r in csv.DictReader(handle)
            if r["source"] == "tax_monthly" and r["kind"] == "code_mistyped"
        }
    refused = {
        r[0]
        for r in con.execute(
            "SELECT s.c0 FROM quarantine.tax_monthly s WHERE _reason LIKE 'uscc:%'"
        ).fetchall()
    }
    assert planted and refused == planted
    # Amounts in 万元 became yuan; months of 2024年03月 became 2024-03.
    row = con.execute(
        "SELECT month, ind_sales FROM standard.tax_monthly WHERE month = '2023-01' LIMIT 1"
    ).fetchone()
    assert row is not None and row[1] > 0
    con.close()


def test_rerun_is_idempotent_and_reuses_unchanged_sources(
    baseline: tuple[Path, dict[str, str]], demo_folder: Path, tmp_path: Path
) -> None:
    data_dir, hashes = baseline
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    result = _run(copy, demo_folder)
    assert result.returncode == 0, result.stderr[-3000:]
    assert _hashes(copy) == hashes
    import sqlite3

    with sqlite3.connect(copy / "industrybrain.sqlite3") as db:
        last = db.execute("SELECT max(id) FROM warehouse_run").fetchone()[0]
        reused = db.execute(
            "SELECT count(*), sum(reused) FROM warehouse_run_source WHERE run_id = ?", (last,)
        ).fetchone()
    assert reused[0] == reused[1] == 9  # every unchanged source reused, none rebuilt


def test_lineage_from_mart_row_to_raw_file(baseline: tuple[Path, dict[str, str]]) -> None:
    data_dir, _ = baseline
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    (value, records) = con.execute(
        "SELECT value, records FROM mart.monthly_indicator WHERE indicator = 'sales' "
        "AND month = '2024-03'"
    ).fetchone()
    rows = con.execute(
        "SELECT l._file_sha256, l._row FROM lineage.mart_monthly_indicator l "
        "WHERE indicator = 'sales' AND month = '2024-03'"
    ).fetchall()
    assert len(rows) == records
    shas = {sha for sha, _ in rows}
    files = dict(con.execute("SELECT sha256, path FROM raw.files").fetchall())
    assert shas <= set(files)
    # The raw rows behind the mart cell sum to its value.
    path = data_dir / files[next(iter(shas))]
    numbers = [r for _, r in rows]
    total = con.execute(
        f"SELECT sum(CAST(\"开票销售额(万元)\" AS DECIMAL(20,2))) * 10000 FROM read_parquet('{path}') "
        f"WHERE _row IN ({', '.join(map(str, numbers))})"
    ).fetchone()[0]
    assert total == value
    con.close()


def test_scoped_query_refuses_writes_and_other_tenants(
    baseline: tuple[Path, dict[str, str]],
) -> None:
    from industrybrain.warehouse.query import QueryRefused, scoped_query

    data_dir, _ = baseline
    file = data_dir / "warehouse.duckdb"
    columns, rows = scoped_query(file, "SELECT count(*) AS n FROM monthly_indicator", [1])
    assert columns == ["n"] and rows[0][0] > 0
    assert scoped_query(file, "SELECT count(*) FROM monthly_indicator", [999])[1][0][0] == 0
    _, mart = scoped_query(file, "SELECT count(*) FROM mart_monthly_indicator", [1])
    assert mart[0][0] > 0
    for bad in (
        "DROP TABLE core.enterprise",
        "SELECT * FROM standard.tax_monthly",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT 1; SELECT 2",
        "INSERT INTO enterprise VALUES (1)",
        "SELECT * FROM quarantine_tax_monthly",
    ):
        with pytest.raises(QueryRefused):
            scoped_query(file, bad, [1])


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_step_then_rerun_gives_same_hashes(
    step: str, baseline: tuple[Path, dict[str, str]], demo_folder: Path, tmp_path: Path
) -> None:
    _, hashes = baseline
    data_dir = tmp_path / "data"
    killed = _run(data_dir, demo_folder, IB_WAREHOUSE_FAULT=step)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert "RUN" not in killed.stdout
    rerun = _run(data_dir, demo_folder)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _hashes(data_dir) == hashes
    assert not list(data_dir.glob(".warehouse.duckdb.staging-*"))


@pytest.mark.slow
@pytest.mark.parametrize("moment", range(50))
def test_killed_at_random_moment_then_rerun_gives_same_hashes(
    moment: int, baseline: tuple[Path, dict[str, str]], demo_folder: Path, tmp_path: Path
) -> None:
    _, hashes = baseline
    data_dir = tmp_path / "data"
    delay = random.Random(moment).uniform(0.5, 12.0)
    process = subprocess.Popen(
        [sys.executable, RUNNER, str(demo_folder)],
        cwd=REPO,
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    rerun = _run(data_dir, demo_folder)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert _hashes(data_dir) == hashes
