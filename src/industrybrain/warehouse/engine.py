"""Engine adapters: the pipeline's SQL (DuckDB dialect) runs on DuckDB as is, or on Spark after
SQLGlot transpiles it. Either way the tables end up in the DuckDB staging file that is
published; Spark hands its results over as Parquet.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import duckdb

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    name: str

    def register_parquet(self, view: str, paths: Sequence[str]) -> None:
        """A temporary view over Parquet files (same schema)."""

    def create_table(self, name: str, sql: str, *, keep: bool = True) -> None:
        """Run ``sql`` (DuckDB dialect; tables as ``schema.table``) into table ``name``.
        With ``keep`` the table is also stored in the staging warehouse file."""

    def drop(self, name: str) -> None: ...

    def close(self) -> None: ...


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def register_parquet(self, view: str, paths: Sequence[str]) -> None:
        files = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM read_parquet([{files}])"
        )

    def create_table(self, name: str, sql: str, *, keep: bool = True) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def close(self) -> None:
        return None


def to_spark_sql(sql: str) -> str:
    """Transpile DuckDB SQL to Spark SQL; ``schema.table`` becomes the view ``schema__table``."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.args.get("db") is not None:
            return exp.Table(
                this=exp.to_identifier(f"{node.db}__{node.name}"), alias=node.args.get("alias")
            )
        return node

    return tree.transform(rename).sql(dialect="spark")


_SPARK: Any = None


def spark_session() -> Any:
    """One local Spark session per process (``local[2]``, UI off, bound to 127.0.0.1)."""
    global _SPARK
    if _SPARK is None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)  # type: ignore[attr-defined]
        from pyspark.sql import SparkSession

        _SPARK = (
            SparkSession.builder.master(os.environ.get("IB_SPARK_MASTER", "local[2]"))
            .appName("industrybrain-warehouse")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate()
        )
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


class SparkEngine:
    """Runs the SQL on Spark; every kept table is written as Parquet and loaded into DuckDB."""

    name = "spark"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.spark = spark_session()
        self.tmp = Path(tempfile.mkdtemp(prefix="ib-spark-"))

    def register_parquet(self, view: str, paths: Sequence[str]) -> None:
        self.spark.read.parquet(*paths).createOrReplaceTempView(view)

    def create_table(self, name: str, sql: str, *, keep: bool = True) -> None:
        frame = self.spark.sql(to_spark_sql(sql))
        out = self.tmp / name.replace(".", "__")
        frame.write.mode("overwrite").parquet(str(out))
        # Read back what was written so later steps see exactly the stored rows.
        self.spark.read.parquet(str(out)).createOrReplaceTempView(name.replace(".", "__"))
        if keep:
            self.con.execute(
                f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet('{out}/*.parquet')"
            )

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name.replace(".", "__"))
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def make_engine(name: str, con: duckdb.DuckDBPyConnection) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(con)
    if name == "spark":
        return SparkEngine(con)
    raise ValueError(f"unknown engine {name!r}; one of {', '.join(ENGINES)}")
