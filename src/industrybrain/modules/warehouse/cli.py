"""``industrybrain warehouse sources|ingest|run|status|quarantine|lineage|query``."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from industrybrain.kit.db import Database
from industrybrain.kit.tenancy import tenant_scope, unscoped
from industrybrain.modules.warehouse import service
from industrybrain.warehouse.engine import ENGINES

console = Console()
warehouse_cli = typer.Typer(
    help="The industrial data warehouse (产业数据仓).", no_args_is_help=True
)
CLI_REASON = "warehouse CLI: an operator on the server acts for the platform"


def _db() -> Database:
    from industrybrain.runtime import get_database

    return get_database()


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]{escape(message)}[/red]")
    return typer.Exit(1)


@warehouse_cli.command("sources")
def sources_command() -> None:
    """List registered sources with their classification, entity and files."""
    table = Table(
        "code", "name", "owner org", "classification", "grade", "entity", "files", "schedule"
    )
    with unscoped(CLI_REASON), _db().session_scope() as session:
        for source in service.list_sources(session):
            files = len(service.source_spec(session, source).files)
            table.add_row(
                source.code,
                escape(source.name),
                str(source.organization_id),
                source.classification,
                str(source.grade),
                source.entity,
                str(files),
                source.schedule,
            )
    console.print(table)


@warehouse_cli.command("register")
def register_command(
    code: str = typer.Argument(..., help="Source code, e.g. tax_monthly."),
    name: str = typer.Option(..., help="Display name."),
    organization: int = typer.Option(..., "--org", help="Owner organisation id."),
    entity: str = typer.Option(..., help="Standard entity, e.g. monthly_indicator."),
    mapping: Path = typer.Option(..., exists=True, help="JSON file: list of column mappings."),
    classification: str = typer.Option("企业数据", help="公共数据, 企业数据 or 个人信息."),
    grade: int = typer.Option(2, help="Data grade 1-4."),
    provider: str = typer.Option("", help="Unit that provides the data."),
    schedule: str = typer.Option("", help="Refresh schedule (cron text)."),
) -> None:
    """Register a source from a JSON column mapping."""
    try:
        with unscoped(CLI_REASON), _db().session_scope() as session:
            source = service.create_source(
                session,
                organization_id=organization,
                code=code,
                name=name,
                entity=entity,
                mapping=json.loads(mapping.read_text(encoding="utf-8")),
                classification=classification,
                grade=grade,
                provider=provider,
                schedule=schedule,
            )
            console.print(f"[green]source {source.code} registered (id {source.id})[/green]")
    except (service.WarehouseError, json.JSONDecodeError) as exc:
        raise _fail(str(exc)) from None


@warehouse_cli.command("ingest")
def ingest_command(
    source: str = typer.Argument(..., help="Source code."),
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Files to land."),
) -> None:
    """Land files into the raw zone for a source (unchanged files are skipped by sha256)."""
    from industrybrain.warehouse.connectors import ConnectorError

    try:
        with unscoped(CLI_REASON), _db().session_scope() as session:
            item = service.get_source(session, source)
            for path in files:
                try:
                    (result,) = service.ingest(session, item, [path])
                except ConnectorError as exc:
                    console.print(f"[red]{escape(str(path))}: {escape(str(exc))}[/red]")
                    raise typer.Exit(1) from None
                state = "landed" if result.new else "unchanged, skipped"
                f = result.file
                console.print(
                    f"{escape(str(path))}: {state}; sha256 {f.sha256[:12]}; {f.rows_in} rows in = "
                    f"{f.rows_landed} landed + {f.rows_quarantined} quarantined ({f.encoding or f.format})"
                )
    except service.WarehouseError as exc:
        raise _fail(str(exc)) from None


@warehouse_cli.command("run")
def run_command(
    engine: str = typer.Option("duckdb", help=" or ".join(ENGINES)),
    organization: int = typer.Option(1, "--org", help="Organisation recorded as running it."),
) -> None:
    """Run the pipeline (raw → standard → core → mart) and publish atomically."""
    if engine not in ENGINES:
        raise _fail(f"engine must be one of {', '.join(ENGINES)}")
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("warehouse", total=1.0)

        def report(step: str, fraction: float) -> None:
            progress.update(task, completed=fraction, description=f"warehouse: {step}")

        try:
            with unscoped(CLI_REASON):
                run = service.run_warehouse(
                    _db(), organization_id=organization, engine=engine, progress=report
                )
        except service.WarehouseError as exc:
            raise _fail(str(exc)) from None
    with unscoped(CLI_REASON), _db().session_scope() as session:
        detail = service.run_detail(session, run.id) or {"sources": []}
    _print_run(detail)


def _print_run(detail: dict) -> None:  # type: ignore[type-arg]
    table = Table("source", "rows in", "loaded", "quarantined", "balanced", "reused", "validity")
    for item in detail["sources"]:
        table.add_row(
            item["source_code"],
            str(item["rows_in"]),
            str(item["rows_loaded"]),
            str(item["rows_quarantined"]),
            "yes" if item["balanced"] else "NO",
            "yes" if item["reused"] else "",
            str(item["quality"].get("validity")),
        )
    console.print(f"run {detail.get('id')} {detail.get('status')} ({detail.get('engine')})")
    console.print(table)


@warehouse_cli.command("status")
def status_command() -> None:
    """The published version and the latest runs."""
    published = service.published_status()
    if published is None:
        console.print("nothing published yet")
    else:
        console.print(
            f"published run {published['run_id']} ({published['engine']}), "
            f"{len(published['hashes'])} tables"
        )
    with unscoped(CLI_REASON), _db().session_scope() as session:
        rows, _total = service.list_runs(session, 0, 10)
    table = Table("run", "engine", "status", "started", "finished", "message")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["engine"],
            row["status"],
            str(row["started_at"]),
            str(row["finished_at"] or ""),
            escape(row["message"][:80]),
        )
    console.print(table)


@warehouse_cli.command("quarantine")
def quarantine_command(
    source: str = typer.Argument(..., help="Source code."),
    out: Path | None = typer.Option(None, help="Write the CSV here (fix it, ingest it again)."),
    limit: int = typer.Option(20, help="Rows to show."),
) -> None:
    """Show or download a source's quarantined rows with their reasons."""
    try:
        with unscoped(CLI_REASON), _db().session_scope() as session:
            item = service.get_source(session, source)
            if out is not None:
                out.write_text(service.quarantine_csv(session, item), encoding="utf-8")
                console.print(f"written {out}")
                return
            _header, rows = service.quarantine_rows(session, item, limit)
    except service.WarehouseError as exc:
        raise _fail(str(exc)) from None
    table = Table("file", "row", "stage", "reason")
    for row in rows:
        table.add_row(escape(str(row[0])), str(row[2]), str(row[3]), escape(str(row[4])))
    console.print(table)


@warehouse_cli.command("lineage")
def lineage_command(
    table: str = typer.Argument(..., help="e.g. core.monthly_indicator or mart.monthly_indicator"),
    key: str = typer.Argument(..., help="e.g. tax_monthly/TAX000000001/sales or sales/2024-03"),
    limit: int = typer.Option(50, help="Rows to show."),
) -> None:
    """Trace a core or mart row back to its raw files (sha256) and source rows."""
    try:
        with unscoped(CLI_REASON), _db().session_scope() as session:
            rows = service.lineage(session, table, key, limit)
    except service.WarehouseError as exc:
        raise _fail(str(exc)) from None
    out = Table("source", "record", "file", "sha256", "row")
    for row in rows:
        out.add_row(
            row["source_code"],
            escape(row["record_id"]),
            escape(row["file_name"]),
            row["file_sha256"][:16],
            str(row["row"]),
        )
    console.print(out)


@warehouse_cli.command("query")
def query_command(
    sql: str = typer.Argument(..., help="One SELECT over core tables and mart_* views."),
    organization: int = typer.Option(..., "--org", help="Only this organisation's rows."),
    limit: int = typer.Option(100, help="Rows to show."),
) -> None:
    """Run a read-only, tenant-scoped SELECT on the published warehouse."""
    from industrybrain.warehouse.query import QueryRefused, scoped_query

    try:
        with tenant_scope([organization]):
            columns, rows = scoped_query(service.warehouse_file(), sql, [organization], limit)
    except QueryRefused as exc:
        raise _fail(str(exc)) from None
    table = Table(*columns)
    for row in rows:
        table.add_row(*(escape(str(v)) for v in row))
    console.print(table)
