"""DuckDB and Spark give identical standard and core tables on the demo cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = str(Path(__file__).parent / "_runner.py")


def _tables(data_dir: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    names = con.execute(
        "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
        "WHERE schema_name IN ('standard', 'core') ORDER BY 1"
    ).fetchall()
    out = {n: sorted(map(repr, con.execute(f"SELECT * FROM {n}").fetchall())) for (n,) in names}
    con.close()
    return out  # type: ignore[return-value]


@pytest.mark.spark
@pytest.mark.slow
def test_duckdb_and_spark_give_identical_standard_and_core(
    demo_folder: Path, tmp_path: Path
) -> None:
    import os

    results = {}
    for engine in ("duckdb", "spark"):
        data_dir = tmp_path / engine
        env = {k: v for k, v in os.environ.items() if not k.startswith("IB_")}
        env.update(
            {
                "IB_DATA_DIR": str(data_dir),
                "IB_MODE": "test",
                "PYTHONPATH": str(REPO),
                "SPARK_LOCAL_IP": "127.0.0.1",
            }
        )
        done = subprocess.run(
            [sys.executable, RUNNER, str(demo_folder), engine],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        results[engine] = _tables(data_dir)
    assert results["duckdb"].keys() == results["spark"].keys()
    for name in results["duckdb"]:
        assert results["duckdb"][name] == results["spark"][name], name
