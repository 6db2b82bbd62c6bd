"""``industrybrain templates``: list, show and validate brain templates."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from industrybrain.templates import (
    STAGES,
    BrainTemplate,
    TemplateError,
    list_templates,
    load_template,
)

console = Console()
templates_cli = typer.Typer(
    help="Brain templates: industry chain, CPMS categories, tagging rules, indices.",
    no_args_is_help=True,
)


def _load_or_exit(id_or_path: str) -> BrainTemplate:
    try:
        return load_template(_as_path_if_folder(id_or_path))
    except TemplateError as exc:
        _print_errors(exc)
        raise typer.Exit(1) from exc


def _as_path_if_folder(value: str) -> str | Path:
    path = Path(value)
    return path if (path / "template.yaml").is_file() else value


def _print_errors(exc: TemplateError) -> None:
    # Plain lines, not a table: one problem per line stays greppable and never wraps mid-path.
    count = len(exc.issues)
    name = exc.template or "template"
    typer.echo(f"{name}: {count} problem{'s' if count != 1 else ''}", err=False)
    for issue in exc.issues:
        typer.echo(f"  {issue}")


@templates_cli.command("list")
def list_command() -> None:
    """List registered templates with their size and whether they are valid."""
    table = Table("id", "name", "version", "region", "nodes", "categories", "status")
    for summary in list_templates():
        try:
            template = load_template(summary.path)
        except TemplateError as exc:
            table.add_row(
                summary.id,
                escape(summary.name_zh),
                summary.version,
                summary.region_code,
                "",
                "",
                f"[red]{len(exc.issues)} problems[/red]",
            )
            continue
        table.add_row(
            template.id,
            escape(f"{template.name_zh} / {template.name_en}"),
            template.version,
            template.region_code,
            str(len(template.chain.nodes)),
            str(len(template.categories)),
            "[green]valid[/green]",
        )
    console.print(table)


@templates_cli.command("show")
def show_command(
    template_id: str = typer.Argument(..., metavar="ID", help="Template id or folder."),
    chain: bool = typer.Option(False, "--chain", help="List the chain nodes and edges."),
    categories: bool = typer.Option(
        False, "--categories", help="List the product categories and their attributes."
    ),
) -> None:
    """Show a template: a summary, or its chain (--chain) or categories (--categories)."""
    template = _load_or_exit(template_id)
    if not chain and not categories:
        _show_summary(template)
    if chain:
        _show_chain(template)
    if categories:
        _show_categories(template)


def _show_summary(template: BrainTemplate) -> None:
    console.print(
        f"[bold]{escape(template.name_zh)}[/bold] / {escape(template.name_en)}  "
        f"({template.id} {template.version})"
    )
    console.print(
        f"region {template.region_code}; industry classes {', '.join(template.industry_classes)}"
    )
    table = Table("part", "count")
    by_stage = template.chain.by_stage()
    for stage in STAGES:
        table.add_row(f"chain nodes: {stage}", str(len(by_stage[stage])))
    table.add_row("supply edges", str(len(template.chain.edges)))
    table.add_row("product categories", str(len(template.categories)))
    table.add_row(
        "category attributes (own)", str(sum(len(c.attributes) for c in template.categories))
    )
    table.add_row("tagging rules", str(len(template.tagging_rules)))
    table.add_row("indices", ", ".join(index.id for index in template.indices))
    table.add_row("evaluation indicators", str(len(template.indicators)))
    table.add_row("demo towns", ", ".join(template.demo.town_weights))
    console.print(table)


def _show_chain(template: BrainTemplate) -> None:
    table = Table("stage", "id", "name", "parent", "GB/T 4754", "HS", "keywords")
    for stage, nodes in template.chain.by_stage().items():
        for node in nodes:
            table.add_row(
                stage,
                node.id,
                escape(f"{node.name_zh} / {node.name_en}"),
                node.parent or "",
                " ".join(node.industry_classes),
                " ".join(node.hs_codes),
                escape("、".join(node.keywords)),
            )
    console.print(table)
    edges = Table("supplier", "buyer", "cost share")
    for edge in template.chain.edges:
        edges.add_row(edge.supplier, edge.buyer, f"{edge.cost_share:.1%}")
    console.print(edges)


def _show_categories(template: BrainTemplate) -> None:
    table = Table("code", "name", "chain node", "attributes (own + inherited)")
    for category in template.categories:
        own = {attribute.code for attribute in category.attributes}
        attributes = [
            attribute.code
            + ("" if attribute.code in own else "^")
            + ("*" if attribute.required else "")
            for attribute in template.attributes_of(category.code)
        ]
        table.add_row(
            "  " * (category.level - 1) + category.code,
            escape(f"{category.name_zh} / {category.name_en}"),
            category.chain_node or "",
            ", ".join(attributes),
        )
    console.print(table)
    console.print("^ inherited from an ancestor; * required")


@templates_cli.command("validate")
def validate_command(
    target: str = typer.Argument(..., metavar="PATH_OR_ID", help="Template folder or id."),
) -> None:
    """Validate a template; print every problem (file, line, path, reason) and exit 1 if any."""
    template = _load_or_exit(target)
    console.print(
        f"[green]{template.id} is valid[/green]: {len(template.chain.nodes)} chain nodes, "
        f"{len(template.chain.edges)} edges, {len(template.categories)} categories"
    )
