"""Warehouse logic: sources, ingestion into the raw zone, runs, and reads of the published
warehouse (quarantine, lineage, status). Functions taking a session flush, never commit;
:func:`run_warehouse` spans transactions itself (the run row is committed before the pipeline
starts, so a killed run leaves a trace that the next run marks abandoned)."""

from __future__ import annotations

import csv
import fcntl
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from industrybrain.config import get_settings
from industrybrain.kit.db import Database, utcnow
from industrybrain.kit.tenancy import current_scope
from industrybrain.modules.warehouse import repository
from industrybrain.modules.warehouse.models import (
    CLASSIFICATIONS,
    GRADES,
    WarehouseFile,
    WarehouseRun,
    WarehouseRunSource,
    WarehouseSource,
)
from industrybrain.warehouse import pipeline
from industrybrain.warehouse.mapping import ColumnMap, InputFile, MappingError, SourceSpec
from industrybrain.warehouse.mapping import validate_mapping as _validate_mapping
from industrybrain.warehouse.query import open_published
from industrybrain.warehouse.raw import land_file

CONNECTOR_OPTION_KEYS = (
    "format",
    "encoding",
    "sheet",
    "header_rows",
    "sep",
    "include_hidden_sheets",
)


class WarehouseError(ValueError):
    """A refused warehouse request; the message says what to change."""


class SourceNotFound(WarehouseError):
    pass


class RunInProgress(WarehouseError):
    pass


def warehouse_file() -> Path:
    return get_settings().warehouse_file


def data_dir() -> Path:
    return get_settings().data_dir


# -- sources -----------------------------------------------------------------------------------


def parse_mapping(items: Sequence[Mapping[str, Any]]) -> tuple[ColumnMap, ...]:
    try:
        return tuple(ColumnMap.from_json(item) for item in items)
    except (KeyError, TypeError) as exc:
        raise WarehouseError(f"a mapping entry needs column and field: {exc}") from None


def _check_source(code: str, classification: str, grade: int, entity: str, mapping: Any) -> None:
    if classification not in CLASSIFICATIONS:
        raise WarehouseError(f"classification must be one of {', '.join(CLASSIFICATIONS)}")
    if grade not in GRADES:
        raise WarehouseError("grade must be 1, 2, 3 or 4")
    if not isinstance(mapping, list):
        raise WarehouseError("the mapping is a JSON list of {column, field, transform, ...}")
    try:
        _validate_mapping(code, entity, parse_mapping(mapping))
    except MappingError as exc:
        raise WarehouseError(str(exc)) from None


def _clean_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    options = dict(options or {})
    unknown = set(options) - set(CONNECTOR_OPTION_KEYS)
    if unknown:
        raise WarehouseError(f"unknown connector options: {', '.join(sorted(unknown))}")
    return {k: v for k, v in options.items() if v not in (None, "")}


def create_source(
    session: Session,
    *,
    organization_id: int,
    code: str,
    name: str,
    entity: str,
    mapping: list[dict[str, Any]],
    classification: str = "企业数据",
    grade: int = 2,
    provider: str = "",
    schedule: str = "",
    connector_options: Mapping[str, Any] | None = None,
) -> WarehouseSource:
    _check_source(code, classification, grade, entity, mapping)
    if repository.source_by_code(session, code) is not None:
        raise WarehouseError(f"a source {code!r} exists already")
    source = WarehouseSource(
        organization_id=organization_id,
        code=code,
        name=name,
        provider=provider,
        classification=classification,
        grade=grade,
        entity=entity,
        mapping=[parse_mapping([m])[0].to_json() for m in mapping],
        schedule=schedule,
        connector_options=_clean_options(connector_options),
    )
    session.add(source)
    session.flush()
    return source


def update_source(session: Session, source: WarehouseSource, **changes: Any) -> WarehouseSource:
    allowed = {
        "name",
        "provider",
        "classification",
        "grade",
        "entity",
        "mapping",
        "schedule",
        "connector_options",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise WarehouseError(f"cannot change {', '.join(sorted(unknown))}")
    merged = {
        "classification": source.classification,
        "grade": source.grade,
        "entity": source.entity,
        "mapping": source.mapping,
        **changes,
    }
    _check_source(
        source.code,
        merged["classification"],
        int(merged["grade"]),
        merged["entity"],
        merged["mapping"],
    )
    if "connector_options" in changes:
        changes["connector_options"] = _clean_options(changes["connector_options"])
    for key, value in changes.items():
        setattr(source, key, value)
    session.flush()
    return source


def list_sources(session: Session) -> Sequence[WarehouseSource]:
    return repository.sources(session)


def get_source(session: Session, code: str) -> WarehouseSource:
    source = repository.source_by_code(session, code)
    if source is None:
        raise SourceNotFound(f"no source {code!r}")
    return source


# -- ingestion ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngestResult:
    file: WarehouseFile
    new: bool


def ingest(
    session: Session,
    source: WarehouseSource,
    paths: Sequence[Path],
    original_names: Sequence[str] | None = None,
) -> list[IngestResult]:
    """Land files for a source (each content once); an already ingested file is skipped."""
    results = []
    for index, path in enumerate(paths):
        raw = land_file(Path(path), dict(source.connector_options), data_dir())
        existing = repository.file_by_sha(session, source.id, raw.sha256, raw.options_digest)
        if existing is not None:
            results.append(IngestResult(existing, False))
            continue
        file = WarehouseFile(
            organization_id=source.organization_id,
            source_id=source.id,
            sha256=raw.sha256,
            options_digest=raw.options_digest,
            relative_dir=raw.relative_dir,
            original_name=(original_names[index] if original_names else Path(path).name)[:500],
            rows_in=raw.rows_in,
            rows_landed=raw.rows_landed,
            rows_quarantined=raw.rows_quarantined,
            encoding=raw.encoding or "",
            format=raw.format,
            columns=list(raw.columns),
            active=True,
        )
        session.add(file)
        session.flush()
        results.append(IngestResult(file, True))
    return results


def source_spec(session: Session, source: WarehouseSource) -> SourceSpec:
    files = repository.files_of(session, source.id)
    return SourceSpec(
        code=source.code,
        organization_id=source.organization_id,
        entity=source.entity,
        columns=parse_mapping(source.mapping),
        files=tuple(
            InputFile(
                sha256=f.sha256,
                parquet_path=f"{f.relative_dir}/data.parquet",
                quarantine_path=f"{f.relative_dir}/quarantine.parquet",
                order=order,
                rows_in=f.rows_in,
                columns=tuple(f.columns),
            )
            for order, f in enumerate(files, start=1)
        ),
    )


# -- runs --------------------------------------------------------------------------------------


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """One run at a time per warehouse file (an OS lock: released when the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress("another warehouse run is in progress") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_warehouse(
    db: Database,
    *,
    organization_id: int,
    engine: str = "duckdb",
    progress: Callable[[str, float], None] | None = None,
) -> WarehouseRun:
    """Run the pipeline over every source's active files and publish; record the run."""
    target = warehouse_file()
    with run_lock(target):
        with db.session_scope() as session:
            repository.abandon_running(session)
            run = WarehouseRun(organization_id=organization_id, engine=engine, hashes={})
            session.add(run)
            session.flush()
            run_id = run.id
            sources = list(repository.sources(session))
            specs = [source_spec(session, s) for s in sources]
            ids = {s.code: (s.id, s.organization_id) for s in sources}
        try:
            result = pipeline.run_pipeline(
                specs,
                warehouse_file=target,
                data_dir=data_dir(),
                run_id=str(run_id),
                engine=engine,
                progress=progress,
            )
        except Exception as exc:
            with db.session_scope() as session:
                failed = repository.run_by_id(session, run_id)
                if failed is not None:
                    failed.status = "failed"
                    failed.message = f"{type(exc).__name__}: {exc}"[:2000]
                    failed.finished_at = utcnow()
            raise
        with db.session_scope() as session:
            done = repository.run_by_id(session, run_id)
            assert done is not None
            done.status = "succeeded"
            done.step = "published"
            done.hashes = result.hashes
            done.finished_at = utcnow()
            for item in result.sources:
                source_id, org = ids[item.code]
                session.add(
                    WarehouseRunSource(
                        organization_id=org,
                        run_id=run_id,
                        source_id=source_id,
                        source_code=item.code,
                        rows_in=item.rows_in,
                        rows_loaded=item.rows_loaded,
                        rows_quarantined=item.rows_quarantined,
                        reused=item.reused,
                        quality=item.quality,
                    )
                )
            session.flush()
            session.expunge(done)
        return done


def list_runs(
    session: Session, offset: int = 0, limit: int = 50
) -> tuple[list[dict[str, Any]], int]:
    rows, total = repository.runs(session, offset, limit)
    return [run_row(run) for run in rows], total


def run_row(run: WarehouseRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "engine": run.engine,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "message": run.message,
        "tables": len(run.hashes or {}),
    }


def run_detail(session: Session, run_id: int) -> dict[str, Any] | None:
    run = repository.run_by_id(session, run_id)
    if run is None:
        return None
    sources = [
        {
            "source_code": item.source_code,
            "rows_in": item.rows_in,
            "rows_loaded": item.rows_loaded,
            "rows_quarantined": item.rows_quarantined,
            "balanced": item.rows_in == item.rows_loaded + item.rows_quarantined,
            "reused": item.reused,
            "quality": item.quality,
        }
        for item in repository.run_sources(session, run_id)
    ]
    return {**run_row(run), "hashes": dict(run.hashes or {}), "sources": sources}


# -- reads of the published warehouse ------------------------------------------------------------


def _org_filter() -> tuple[str, list[int]]:
    """The caller's organisations as a SQL condition on ``organization_id``."""
    scope = current_scope()
    if scope is None:
        raise WarehouseError("no tenant scope")
    if scope.organization_ids is None:
        return "TRUE", []
    orgs = sorted(scope.organization_ids)
    if not orgs:
        return "FALSE", []
    return f"organization_id IN ({', '.join('?' for _ in orgs)})", orgs


def quarantine_rows(
    session: Session, source: WarehouseSource, limit: int | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The source's quarantined rows with their original columns (header, rows)."""
    con = open_published(warehouse_file())
    if con is None:
        return [], []
    condition, params = _org_filter()
    try:
        tables = {
            t
            for _, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name = 'quarantine'"
            ).fetchall()
        }
        if source.code not in tables:
            return [], []
        names = {f.sha256: f.original_name for f in repository.files_of(session, source.id, False)}
        spec = source_spec(session, source)
        columns = spec.source_columns()
        cells = ", ".join(f"c{i}" for i in range(len(columns)))
        sql = (
            f"SELECT _file_sha256, _row, _stage, _reason, _raw_text{', ' + cells if cells else ''} "
            f"FROM quarantine.{source.code} WHERE {condition} ORDER BY _file_order, _row"
        )
        if limit:
            sql += f" LIMIT {int(limit)}"
        rows = con.execute(sql, params).fetchall()
    finally:
        con.close()
    header = ["_file", "_file_sha256", "_row", "_stage", "_reason", "_raw_text", *columns]
    return header, [[names.get(r[0], ""), *r] for r in rows]


def quarantine_csv(session: Session, source: WarehouseSource) -> str:
    """The quarantine as CSV (UTF-8 with BOM for Excel): fix the cells, ingest it again."""
    header, rows = quarantine_rows(session, source)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


LINEAGE_KEYS: dict[str, tuple[str, ...]] = {
    "mart.monthly_indicator": ("indicator", "month"),
}


def lineage(session: Session, table: str, key: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Source files and rows behind one row of a core or mart table.

    Keys: core tables ``source_code/record_id`` (monthly indicators
    ``source_code/record_id/indicator``); ``mart.monthly_indicator`` ``indicator/month``."""
    con = open_published(warehouse_file())
    if con is None:
        raise WarehouseError("the warehouse has not been published yet")
    condition, params = _org_filter()
    parts = key.split("/")
    try:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ('core', 'mart')"
            ).fetchall()
        }
        if table not in tables:
            raise WarehouseError(f"unknown table {table!r}; one of {', '.join(sorted(tables))}")
        if table.startswith("mart."):
            names = LINEAGE_KEYS.get(table)
            if names is None:
                raise WarehouseError(f"no lineage for {table}")
            source_table = "lineage.mart_" + table.split(".", 1)[1]
        else:
            names = ("source_code", "record_id")
            if table == "core.monthly_indicator":
                names = (*names, "indicator")
            source_table = table
        if len(parts) != len(names):
            raise WarehouseError(f"key of {table} is {'/'.join(names)}")
        where = " AND ".join(f"{n} = ?" for n in names)
        rows = con.execute(
            f"SELECT source_code, record_id, _file_sha256, _row FROM {source_table} "
            f"WHERE {where} AND {condition} ORDER BY source_code, record_id LIMIT {int(limit)}",
            [*parts, *params],
        ).fetchall()
    finally:
        con.close()
    out = []
    for source_code, record_id, sha, row in rows:
        files = repository.files_by_sha(session, sha)
        out.append(
            {
                "source_code": source_code,
                "record_id": record_id,
                "file_sha256": sha,
                "row": row,
                "file_name": files[0].original_name if files else "",
                "raw_path": f"{files[0].relative_dir}/data.parquet" if files else "",
            }
        )
    return out


def published_status() -> dict[str, Any] | None:
    con = open_published(warehouse_file())
    if con is None:
        return None
    try:
        run_id, engine, hashes, counts = con.execute(
            "SELECT run_id, engine, hashes, counts FROM meta.publish"
        ).fetchone() or (None, None, "{}", "{}")
    finally:
        con.close()
    return {
        "run_id": run_id,
        "engine": engine,
        "hashes": json.loads(hashes),
        "counts": json.loads(counts),
    }
