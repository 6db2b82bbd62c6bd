"""``industrybrain chain``: taxonomy coding, chain and supply graph queries."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

console = Console()
chain_cli = typer.Typer(
    help="Industry chain (产业链): taxonomy coder, chain map and supply graph queries.",
    no_args_is_help=True,
)
graph_cli = typer.Typer(
    help="Upstream / downstream of a chain node or an enterprise.", no_args_is_help=True
)
supply_cli = typer.Typer(help="Enterprise supply graph (who supplies whom).", no_args_is_help=True)
chain_cli.add_typer(graph_cli, name="graph")
chain_cli.add_typer(supply_cli, name="supply")


def read_rows(path: Path) -> list[dict[str, str]]:
    """CSV rows; UTF-8 (with or without BOM) or GB18030, as Chinese sources hand them over."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    return list(csv.DictReader(text.splitlines()))


def _column(rows: list[dict[str, str]], column: str, path: Path) -> None:
    if rows and column not in rows[0]:
        known = ", ".join(rows[0])
        raise typer.BadParameter(f"{path} has no column {column!r} (columns: {known})")


@chain_cli.command("code")
def code_command(
    input_path: Path = typer.Option(..., "--input", exists=True, dir_okay=False, help="CSV file."),
    out: Path = typer.Option(..., "--out", help="Output CSV: id,code,name,score,rank."),
    taxonomy: str = typer.Option(
        "gbt4754",
        help="gbt4754 (GB/T 4754-2017 classes) or a CSV: code,name[,description,parent,keywords].",
    ),
    id_column: str = typer.Option("id", help="Column with the row id."),
    text_column: str = typer.Option("text", help="Column with the text to code."),
    top_k: int = typer.Option(3, min=1, help="Codes per row."),
    train: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Labelled examples: the text column plus code."
    ),
    all_levels: bool = typer.Option(
        False, help="Assign any code of a hierarchical CSV, not only leaves."
    ),
    words: bool = typer.Option(False, help="Add jieba word tokens (slower)."),
    workers: int = typer.Option(2, min=1, help="Processes that score chunks of rows."),
) -> None:
    """Assign the top-k codes of a taxonomy to each row of a CSV file."""
    from industrybrain.modules.chain.coder import TaxonomyCoder, TaxonomyError, load_taxonomy

    try:
        coder = TaxonomyCoder(load_taxonomy(taxonomy, all_levels=all_levels), words=words)
    except TaxonomyError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if train is not None:
        examples = read_rows(train)
        _column(examples, text_column, train)
        _column(examples, "code", train)
        try:
            coder.fit(
                [r[text_column] or "" for r in examples], [r["code"].strip() for r in examples]
            )
        except TaxonomyError as exc:
            raise typer.BadParameter(str(exc)) from exc
    rows = read_rows(input_path)
    _column(rows, id_column, input_path)
    _column(rows, text_column, input_path)
    texts = [row[text_column] or "" for row in rows]
    started = time.perf_counter()
    chunk_size = 5000
    with out.open("w", encoding="utf-8", newline="") as handle, Progress(console=console) as bar:
        task = bar.add_task("coding", total=len(rows))
        writer = csv.writer(handle)
        writer.writerow(["id", "code", "name", "score", "rank"])
        entries = coder.taxonomy.entries
        offset = 0
        for indices, scores in coder.code_many(
            texts, top_k, workers=workers, chunk_size=chunk_size
        ):
            for row_indices, row_scores in zip(indices.tolist(), scores.tolist(), strict=True):
                row_id = rows[offset][id_column]
                for rank, (index, score) in enumerate(zip(row_indices, row_scores, strict=True)):
                    if index < 0:
                        break
                    code = coder.codes[index]
                    writer.writerow([row_id, code, entries[code].name, f"{score:.4f}", rank + 1])
                offset += 1
            bar.update(task, completed=offset)
    seconds = time.perf_counter() - started
    mode = f"trained on {coder.trained_on} examples" if coder.trained_on else "zero-shot"
    console.print(
        f"coded {len(rows):,} rows into {escape(str(out))} ({mode}, "
        f"{len(coder.codes):,} codes, {len(rows) / max(seconds, 1e-9):,.0f} rows/s)"
    )


def _print_reached(title: str, reached: list[tuple[str, int, str]]) -> None:
    table = Table("depth", "id", "name", title=title)
    for node_id, depth, name in sorted(reached, key=lambda item: (item[1], item[0])):
        table.add_row(str(depth), escape(node_id), escape(name))
    console.print(table)


def _graph_command(
    direction: str, node: str, depth: int, template: str, supply: Path | None
) -> None:
    from industrybrain.modules.chain.graph import ChainGraph, SupplyGraph, UnknownNodeError
    from industrybrain.templates import TemplateError, load_template

    walk = "up" if direction == "up" else "down"
    if supply is not None:
        graph = SupplyGraph.load(supply)
        try:
            reached = graph.walk(node, walk, depth)  # type: ignore[arg-type]
        except UnknownNodeError as exc:
            raise typer.BadParameter(f"no enterprise {node!r} in {supply}") from exc
        _print_reached(
            f"{'upstream' if walk == 'up' else 'downstream'} of {node}",
            [(item.id, item.depth, "") for item in reached],
        )
        return
    try:
        chain = ChainGraph.from_template(load_template(template))
    except TemplateError as exc:
        raise typer.BadParameter(str(exc)) from exc
    try:
        reached = chain.walk(node, walk, depth)  # type: ignore[arg-type]
    except UnknownNodeError as exc:
        raise typer.BadParameter(f"no chain node {node!r} in template {template}") from exc
    _print_reached(
        f"{'upstream' if walk == 'up' else 'downstream'} of {node}",
        [(item.id, item.depth, chain.nodes[item.id].name_zh) for item in reached],
    )


@graph_cli.command("up")
def up_command(
    node: str = typer.Argument(..., help="Chain node id, or an enterprise id with --supply."),
    depth: int = typer.Option(3, min=1, help="Steps to walk."),
    template: str = typer.Option("pumps-valves", help="Brain template of the chain."),
    supply: Path | None = typer.Option(None, help="Supply graph folder (chain supply build)."),
) -> None:
    """Suppliers of a node or enterprise, their suppliers, ... up to --depth."""
    _graph_command("up", node, depth, template, supply)


@graph_cli.command("down")
def down_command(
    node: str = typer.Argument(..., help="Chain node id, or an enterprise id with --supply."),
    depth: int = typer.Option(3, min=1, help="Steps to walk."),
    template: str = typer.Option("pumps-valves", help="Brain template of the chain."),
    supply: Path | None = typer.Option(None, help="Supply graph folder (chain supply build)."),
) -> None:
    """Buyers of a node or enterprise, their buyers, ... down to --depth."""
    _graph_command("down", node, depth, template, supply)


@supply_cli.command("build")
def supply_build_command(
    input_path: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV of relations."),
    out: Path = typer.Option(..., "--out", help="Folder for the graph arrays."),
    supplier_column: str = typer.Option("supplier_id"),
    buyer_column: str = typer.Option("buyer_id"),
    amount_column: str | None = typer.Option(None, help="Amount column (summed per pair)."),
) -> None:
    """Build the enterprise supply graph from a CSV of supplier/buyer pairs."""
    from industrybrain.modules.chain.graph import supply_graph_from_rows

    rows = read_rows(input_path)
    for column in (supplier_column, buyer_column, amount_column):
        if column:
            _column(rows, column, input_path)
    graph = supply_graph_from_rows(
        rows, supplier=supplier_column, buyer=buyer_column, amount=amount_column
    )
    graph.save(out)
    console.print(
        f"supply graph: {len(graph.ids):,} enterprises, {graph.edge_count:,} edges -> "
        f"{escape(str(out))}"
    )


@chain_cli.command("gaps")
def gaps_command(
    enterprises_path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CSV with one row per enterprise."
    ),
    template: str = typer.Option("pumps-valves", help="Brain template of the chain."),
    id_column: str = typer.Option("enterprise_id"),
    node_column: str = typer.Option("node", help="Main chain node."),
    secondary_column: str | None = typer.Option(
        "secondary_nodes", help="Further nodes, separated by ; or | (optional column)."
    ),
    output_column: str = typer.Option("annual_revenue_wan", help="Output in 万元."),
    above_scale_column: str | None = typer.Option("above_scale", help="1/0 (optional)."),
    weak_below: float = typer.Option(0.5, help="Supply / demand below this is a weak link."),
) -> None:
    """补链招商 targets: missing and weak links, and single points of failure."""
    import re

    from industrybrain.modules.chain.analysis import (
        EnterpriseFigures,
        single_points_of_failure,
        weak_links,
    )
    from industrybrain.modules.chain.graph import ChainGraph
    from industrybrain.templates import TemplateError, load_template

    try:
        chain = ChainGraph.from_template(load_template(template))
    except TemplateError as exc:
        raise typer.BadParameter(str(exc)) from exc
    rows = read_rows(enterprises_path)
    for column in (id_column, node_column, output_column):
        _column(rows, column, enterprises_path)
    figures = []
    for row in rows:
        nodes = [row[node_column].strip()]
        if secondary_column and row.get(secondary_column):
            nodes += [n.strip() for n in re.split(r"[;|；]", row[secondary_column]) if n.strip()]
        above = bool(above_scale_column) and (row.get(above_scale_column or "") or "0") in {
            "1",
            "true",
            "True",
            "是",
        }
        figures.append(
            EnterpriseFigures(
                row[id_column],
                tuple(dict.fromkeys(n for n in nodes if n)),
                above,
                float(row[output_column] or 0),
            )
        )
    # One line per target: reasons are long and stay readable (and greppable) unwrapped.
    typer.echo("补链招商 targets (largest gap first):")
    for gap in weak_links(chain, figures, weak_below=weak_below):
        typer.echo(f"  {gap.node} {chain.nodes[gap.node].name_zh} [{gap.kind}]: {gap.reason}")
    points = Table("node", "enterprises", "demand 万元", "HHI", title="single points of failure")
    for point in single_points_of_failure(chain, figures):
        points.add_row(
            point.node,
            ", ".join(point.enterprise_ids),
            f"{point.local_demand:,.0f}",
            f"{point.hhi:,.0f}",
        )
    console.print(points)
