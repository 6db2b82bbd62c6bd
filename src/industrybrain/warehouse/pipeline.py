"""The warehouse pipeline: raw → standard (+ quarantine) → core → mart, built into a staging
DuckDB file and published by one atomic rename over the warehouse file.

A reader that opened the warehouse before the rename keeps reading the old file (its inode);
one that opens it afterwards reads the new one; no reader ever sees a mix. A run killed at any
moment leaves at most a stale staging file, which the next run deletes; the published file is
untouched until the rename. Table contents carry no run id or time, so the same inputs give the
same content hashes (run details live in ``meta``, which is not hashed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from industrybrain.warehouse import mapping, transforms
from industrybrain.warehouse.engine import make_engine
from industrybrain.warehouse.entities import ENTITIES
from industrybrain.warehouse.faults import checkpoint
from industrybrain.warehouse.mapping import SourceSpec

STEPS = (
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
HASHED_SCHEMAS = ("raw", "standard", "quarantine", "core", "mart", "lineage")
SCHEMAS = (*HASHED_SCHEMAS, "staging", "meta")


class AccountingError(RuntimeError):
    """rows in != rows loaded + rows quarantined: the run is refused, nothing is published."""


@dataclass
class SourceResult:
    code: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    reused: bool
    quality: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    run_id: str
    engine: str
    sources: list[SourceResult]
    hashes: dict[str, str]
    warehouse_file: Path


def staging_path(warehouse_file: Path, run_id: str) -> Path:
    return warehouse_file.with_name(f".{warehouse_file.name}.staging-{run_id}")


def _remove_stale_staging(warehouse_file: Path) -> None:
    for stale in warehouse_file.parent.glob(f".{warehouse_file.name}.staging-*"):
        stale.unlink(missing_ok=True)


def _previous_digests(warehouse_file: Path) -> dict[str, str]:
    if not warehouse_file.exists():
        return {}
    try:
        con = duckdb.connect(str(warehouse_file), read_only=True)
    except duckdb.Error:
        return {}
    try:
        rows = con.execute("SELECT source_code, digest FROM meta.sources").fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {str(code): str(digest) for code, digest in rows}


def run_pipeline(
    specs: Sequence[SourceSpec],
    *,
    warehouse_file: Path,
    data_dir: Path,
    run_id: str,
    engine: str = "duckdb",
    progress: Callable[[str, float], None] | None = None,
) -> RunResult:
    """Build every zone from the specs' landed files and publish; return counts and hashes."""

    def step(name: str, fraction: float) -> None:
        checkpoint(name)
        if progress:
            progress(name, fraction)

    step("plan", 0.0)
    for spec in specs:
        spec.validate()
    warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(warehouse_file)
    previous = _previous_digests(warehouse_file) if engine == "duckdb" else {}
    staging = staging_path(warehouse_file, run_id)
    con = duckdb.connect(str(staging))
    adapter = make_engine(engine, con)
    try:
        for schema in SCHEMAS:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        if previous:
            con.execute(f"ATTACH '{warehouse_file}' AS previous (READ_ONLY)")

        step("raw", 0.05)
        _build_raw(con, specs, data_dir)

        results: list[SourceResult] = []
        for index, spec in enumerate(specs):
            step("standard", 0.1 + 0.5 * index / max(len(specs), 1))
            if progress:
                progress(f"standard:{spec.code}", 0.1 + 0.5 * index / max(len(specs), 1))
            reused = previous.get(spec.code) == spec.digest()
            if reused:
                for schema in ("standard", "quarantine"):
                    con.execute(
                        f"CREATE TABLE {schema}.{spec.code} AS SELECT * FROM previous.{schema}.{spec.code}"
                    )
            else:
                _standardise(adapter, spec, data_dir)
            results.append(_account(con, spec, reused))
        if previous:
            con.execute("DETACH previous")

        step("core", 0.65)
        by_entity: dict[str, list[SourceSpec]] = {}
        for spec in specs:
            by_entity.setdefault(spec.entity, []).append(spec)
        for entity in ENTITIES:
            members = by_entity.get(entity, [])
            if members:
                sql = mapping.core_sql(
                    entity, members, {s.code: f"standard.{s.code}" for s in members}
                )
            else:
                sql = mapping.empty_core_sql(entity)
            adapter.create_table(f"core.{entity}", sql)

        step("mart", 0.8)
        adapter.create_table("mart.monthly_indicator", mapping.MART_MONTHLY_SQL)
        adapter.create_table("lineage.mart_monthly_indicator", mapping.MART_MONTHLY_LINEAGE_SQL)

        step("quality", 0.85)
        for result, spec in zip(results, specs, strict=True):
            result.quality = source_quality(con, spec)

        step("hash", 0.9)
        hashes = content_hashes(con)
        con.execute(
            "CREATE TABLE meta.sources (source_code VARCHAR, digest VARCHAR, entity VARCHAR)"
        )
        con.executemany(
            "INSERT INTO meta.sources VALUES (?, ?, ?)",
            [(s.code, s.digest(), s.entity) for s in specs],
        )
        con.execute(
            "CREATE TABLE meta.publish (run_id VARCHAR, engine VARCHAR, hashes VARCHAR, counts VARCHAR)"
        )
        con.execute(
            "INSERT INTO meta.publish VALUES (?, ?, ?, ?)",
            [
                run_id,
                engine,
                json.dumps(hashes, sort_keys=True),
                json.dumps(
                    {r.code: [r.rows_in, r.rows_loaded, r.rows_quarantined] for r in results}
                ),
            ],
        )
        for schema in ("staging",):
            con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        step("checkpoint", 0.95)
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        adapter.close()
        staging.unlink(missing_ok=True)
        raise
    con.close()
    adapter.close()
    _fsync_file(staging)
    step("publish", 0.98)
    os.replace(staging, warehouse_file)
    _fsync_dir(warehouse_file.parent)
    if progress:
        progress("published", 1.0)
    return RunResult(run_id, engine, results, hashes, warehouse_file)


def _build_raw(con: duckdb.DuckDBPyConnection, specs: Sequence[SourceSpec], data_dir: Path) -> None:
    con.execute(
        "CREATE TABLE raw.files (organization_id BIGINT, source_code VARCHAR, sha256 VARCHAR, "
        "file_order BIGINT, rows_in BIGINT, path VARCHAR)"
    )
    for spec in specs:
        con.executemany(
            "INSERT INTO raw.files VALUES (?, ?, ?, ?, ?, ?)",
            [
                (spec.organization_id, spec.code, f.sha256, f.order, f.rows_in, f.parquet_path)
                for f in spec.files
            ],
        )


def _standardise(adapter: Any, spec: SourceSpec, data_dir: Path) -> None:
    selects = []
    landing = []
    for index, item in enumerate(spec.files):
        view = f"rawfile_{spec.code}_{index}"
        adapter.register_parquet(view, [str(data_dir / item.parquet_path)])
        selects.append(mapping.raw_select_sql(spec, item, view))
        if item.quarantine_path:
            qview = f"landingq_{spec.code}_{index}"
            adapter.register_parquet(qview, [str(data_dir / item.quarantine_path)])
            landing.append(
                f"SELECT {transforms.quote(item.sha256)} AS _file_sha256, "
                f"CAST({item.order} AS BIGINT) AS _file_order, CAST(_row AS BIGINT) AS _row, "
                f"CAST(_raw_text AS VARCHAR) AS _raw_text, CAST(_reason AS VARCHAR) AS _reason "
                f"FROM {qview}"
            )
    if not selects:
        selects.append(
            "SELECT CAST(NULL AS VARCHAR) AS _file_sha256, CAST(NULL AS BIGINT) AS _file_order, "
            "CAST(NULL AS BIGINT) AS _row"
            + "".join(f", CAST(NULL AS VARCHAR) AS c{i}" for i in range(len(spec.source_columns())))
            + " WHERE 1 = 0"
        )
    adapter.create_table(f"staging.raw_{spec.code}", " UNION ALL ".join(selects), keep=False)
    adapter.create_table(
        f"staging.{spec.code}", mapping.staging_sql(spec, f"staging.raw_{spec.code}"), keep=False
    )
    landing_table = None
    if landing:
        adapter.create_table(
            f"staging.landing_{spec.code}", " UNION ALL ".join(landing), keep=False
        )
        landing_table = f"staging.landing_{spec.code}"
    adapter.create_table(
        f"standard.{spec.code}", mapping.standard_sql(spec, f"staging.{spec.code}")
    )
    adapter.create_table(
        f"quarantine.{spec.code}",
        mapping.quarantine_sql(spec, f"staging.{spec.code}", landing_table),
    )


def _account(con: duckdb.DuckDBPyConnection, spec: SourceSpec, reused: bool) -> SourceResult:
    rows_in = sum(f.rows_in for f in spec.files)
    (loaded,) = con.execute(f"SELECT count(*) FROM standard.{spec.code}").fetchone() or (0,)
    (quarantined,) = con.execute(f"SELECT count(*) FROM quarantine.{spec.code}").fetchone() or (0,)
    if rows_in != loaded + quarantined:
        raise AccountingError(
            f"source {spec.code}: rows in {rows_in} != loaded {loaded} + quarantined {quarantined}"
        )
    return SourceResult(spec.code, rows_in, int(loaded), int(quarantined), reused)


def source_quality(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> dict[str, Any]:
    """Completeness per mapped field, validity, key uniqueness and freshness of one source."""
    table = f"standard.{spec.code}"
    entity = spec.entity_def
    fields = [f for f in spec.field_map() if f != "record_id"]
    fields += [mapping._indicator_column(item) for item in spec.indicators()]
    parts = ["count(*)", "count(DISTINCT record_id)"]
    parts += [f"count({name})" for name in fields]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {table}").fetchone() or ()
    total, distinct = int(row[0]), int(row[1])
    completeness = {
        name: (round(int(count) / total, 4) if total else None)
        for name, count in zip(fields, row[2:], strict=True)
    }
    (quarantined,) = con.execute(f"SELECT count(*) FROM quarantine.{spec.code}").fetchone() or (0,)
    rows_in = total + int(quarantined)
    latest: str | None = None
    period_fields = [
        f.name for f in entity.fields if f.type in ("month", "date") and f.name in fields
    ]
    if period_fields:
        expr = ", ".join(f"max(CAST({name} AS VARCHAR))" for name in period_fields)
        values = [v for v in (con.execute(f"SELECT {expr} FROM {table}").fetchone() or ()) if v]
        latest = max(values) if values else None
    return {
        "rows": total,
        "completeness": completeness,
        "validity": round(total / rows_in, 4) if rows_in else None,
        "uniqueness": round(distinct / total, 4) if total else None,
        "latest_period": latest,
    }


def content_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``schema.table`` → row count and an order-independent md5 of its rows."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        "ORDER BY schema_name, table_name"
    ).fetchall()
    out: dict[str, str] = {}
    for schema, name in tables:
        if schema not in HASHED_SCHEMAS:
            continue
        out[f"{schema}.{name}"] = table_hash(con, f"{schema}.{name}")
    return out


def table_hash(con: duckdb.DuckDBPyConnection, table: str) -> str:
    count, digest = con.execute(
        f"SELECT count(*), md5(COALESCE(string_agg(h, ',' ORDER BY h), '')) "
        f"FROM (SELECT md5(CAST(t AS VARCHAR)) AS h FROM {table} AS t)"
    ).fetchone() or (0, "")
    return f"{count}:{digest}"


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
