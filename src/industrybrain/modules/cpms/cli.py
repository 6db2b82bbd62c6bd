"""``industrybrain cpms standards|show|validate|map|seed``."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from industrybrain.modules.cpms import actions, repository, service
from industrybrain.modules.cpms.intake import read_records
from industrybrain.modules.cpms.validate import validate_frame

console = Console()
cpms_cli = typer.Typer(
    help="Product master data standard (CPMS, 产品主数据标准).", no_args_is_help=True
)


def _session_scope() -> AbstractContextManager[Session]:
    from industrybrain.config import get_settings
    from industrybrain.migrations import upgrade_locked
    from industrybrain.runtime import get_database

    settings = get_settings()
    upgrade_locked(settings.sqlalchemy_url, settings.data_dir)
    actions.ensure_seeded()
    return get_database().session_scope()


@cpms_cli.command("standards")
def standards() -> None:
    """List the standards and their versions."""
    table = Table("standard", "name", "versions", "published")
    with _session_scope() as session:
        for standard in repository.standards(session):
            versions = repository.versions(session, standard.id)
            published = next((v.version for v in versions if v.status == "published"), "-")
            table.add_row(
                standard.code,
                escape(standard.name_zh),
                ", ".join(f"{v.version} ({v.status})" for v in versions),
                published,
            )
    console.print(table)


@cpms_cli.command("show")
def show(
    standard: str = typer.Argument(..., help="Standard code, e.g. pumps-valves."),
    version: str | None = typer.Option(None, help="Version (default: the published one)."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole standard as JSON."),
) -> None:
    """Show a standard's category tree with attribute counts."""
    with _session_scope() as session:
        try:
            found = service.get_version(session, standard, version)
        except service.CpmsError as exc:
            console.print(f"[red]{escape(str(exc))}[/red]")
            raise typer.Exit(1) from exc
        document = service.document_of(found)
        if as_json:
            typer.echo(service.export_json(document))
            return
        console.print(f"{standard} {found.version} ({found.status})")
        table = Table("code", "name", "level", "own", "all", "required", "HS")
        for category in document.categories:
            attributes = document.attributes_of(category.code)
            table.add_row(
                category.code,
                escape(f"{category.name_zh} {category.name_en}"),
                str(document.level(category.code)),
                str(len(category.attributes)),
                str(len(attributes)),
                str(sum(a.required for a in attributes)),
                ",".join(category.hs_codes),
            )
        console.print(table)


@cpms_cli.command("validate")
def validate(
    standard: str = typer.Option(..., help="Standard code."),
    input_file: Path = typer.Option(..., "--input", exists=True, dir_okay=False),
    report: Path = typer.Option(..., help="Per-row errors are written here (CSV)."),
    version: str | None = typer.Option(None, help="Version (default: the published one)."),
) -> None:
    """Validate a product file (xlsx or CSV) against a standard; exit 0 when the file was read."""
    with _session_scope() as session:
        found = service.get_version(session, standard, version)
        document = service.document_of(found)
        label = found.version
    intake = read_records(input_file, document)
    result = validate_frame(intake.frame, document, header_units=intake.header_units, version=label)
    report.parent.mkdir(parents=True, exist_ok=True)
    result.errors.rename({"_row": "row"}).write_csv(report)
    summary = result.summary()
    console.print(
        f"{summary['rows']} records, {summary['rows_with_errors']} with errors, "
        f"{summary['errors']} errors against {standard} {label}"
    )
    for kind, count in result.counts.items():
        console.print(f"  {kind}: {count}")
    console.print(f"errors written to {report}")


@cpms_cli.command("map")
def map_columns(
    standard: str = typer.Option(..., help="Standard code."),
    input_file: Path = typer.Option(..., "--input", exists=True, dir_okay=False),
    as_json: bool = typer.Option(False, "--json", help="Print the proposal as JSON."),
) -> None:
    """Propose a mapping of the file's columns to the standard's attributes."""
    with _session_scope() as session:
        document = service.document_of(service.get_version(session, standard))
    intake = read_records(input_file, document)
    if as_json:
        typer.echo(json.dumps(intake.proposal.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table("#", "column", "target", "score", "unit", "transforms", "reason")
    for column in intake.proposal.columns:
        table.add_row(
            str(column.index + 1),
            escape(column.header),
            column.target or "-",
            f"{column.score:.2f}",
            column.unit or "",
            escape("; ".join(column.transforms)),
            escape(column.reason),
        )
    console.print(table)
