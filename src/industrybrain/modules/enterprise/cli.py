"""``industrybrain match``: link two tables or deduplicate one, evaluate, explain a pair."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table as RichTable

if TYPE_CHECKING:
    from industrybrain.modules.enterprise.match.table import Table

console = Console()
match_cli = typer.Typer(
    help="Generic record matching: link two tables or deduplicate one (Fellegi–Sunter).",
    no_args_is_help=True,
)


def _load(
    left: Path, right: Path | None, id_left: str | None, id_right: str | None, sep: str | None
) -> tuple[Table, Table | None]:
    from industrybrain.modules.enterprise.match.table import read_table

    left_table = read_table(left, id_left, sep)
    right_table = read_table(right, id_right or id_left, sep) if right is not None else None
    return left_table, right_table


@match_cli.command("run")
def run(
    left: Path = typer.Option(..., "--left", exists=True, dir_okay=False, help="Left table (CSV)."),
    right: Path | None = typer.Option(
        None, "--right", exists=True, dir_okay=False, help="Right table; omit to deduplicate LEFT."
    ),
    id_left: str | None = typer.Option(
        None, "--id-left", help="Id column of LEFT (default: row number)."
    ),
    id_right: str | None = typer.Option(
        None, "--id-right", help="Id column of RIGHT (default: --id-left)."
    ),
    out: Path = typer.Option(
        ..., "--out", help="Pairs file to write: left_id,right_id,probability."
    ),
    config: Path | None = typer.Option(None, "--config", exists=True, help="YAML/JSON settings."),
    sep: str | None = typer.Option(None, "--sep", help="Delimiter (default: sniffed)."),
    one_to_one: bool = typer.Option(
        False, "--one-to-one", help="Each record matches at most one record of the other table."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Add match_weight and the per-field agreement and weight."
    ),
    model_out: Path | None = typer.Option(
        None, "--model-out", help="Write the chosen comparisons, blocking rules and m/u (JSON)."
    ),
) -> None:
    """Predict matching pairs, choosing blocking and comparisons from the columns."""
    from industrybrain.modules.enterprise.match.pipeline import MatchConfig, run_match

    left_table, right_table = _load(left, right, id_left, id_right, sep)
    try:
        result = run_match(left_table, right_table, MatchConfig.load(config), one_to_one=one_to_one)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        header = ["left_id", "right_id", "probability"]
        if explain:
            header += ["match_weight", "explanation"]
        writer.writerow(header)
        for index, (left_id, right_id, probability) in enumerate(result.rows()):
            row: list[object] = [left_id, right_id, f"{probability:.6f}"]
            if explain:
                parts = [
                    f"{name}={label}({weight:+.2f})"
                    for name, label, weight in result.explanation(index)
                ]
                row += [f"{result.weights[index]:.3f}", "; ".join(parts)]
            writer.writerow(row)
    if model_out is not None:
        model_out.write_text(
            json.dumps(result.summary(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
    console.print(
        f"{len(result.left_rows)} matches among {result.candidates} candidate pairs "
        f"({len(result.comparisons)} comparisons, {len(result.rules)} blocking rules) -> {out}"
    )


@match_cli.command("evaluate")
def evaluate(
    pairs: Path = typer.Option(..., "--pairs", exists=True, dir_okay=False),
    truth: Path = typer.Option(
        ...,
        "--truth",
        exists=True,
        dir_okay=False,
        help="left_id,right_id pairs, or id,cluster (a column named cluster/cluster_id/entity_id).",
    ),
    unordered: bool = typer.Option(
        False, "--unordered", help="Compare pairs regardless of order (dedupe)."
    ),
) -> None:
    """Print precision, recall and F1 of PAIRS against TRUTH."""
    from industrybrain.modules.enterprise.match.evaluate import read_pairs, read_truth, score

    true_pairs, is_cluster = read_truth(truth)
    scores = score(read_pairs(pairs), true_pairs, unordered or is_cluster)
    console.print(
        f"precision {scores.precision:.4f}  recall {scores.recall:.4f}  F1 {scores.f1:.4f}  "
        f"(true positives {scores.true_positives}, predicted {scores.predicted}, "
        f"true {scores.actual})"
    )


@match_cli.command("explain")
def explain(
    left: Path = typer.Option(..., "--left", exists=True, dir_okay=False),
    right: Path | None = typer.Option(None, "--right", exists=True, dir_okay=False),
    id_left: str | None = typer.Option(None, "--id-left"),
    id_right: str | None = typer.Option(None, "--id-right"),
    left_id: str = typer.Option(..., "--left-record", help="Id of the left record."),
    right_id: str = typer.Option(..., "--right-record", help="Id of the right record."),
    config: Path | None = typer.Option(None, "--config", exists=True),
    sep: str | None = typer.Option(None, "--sep"),
) -> None:
    """Show how much each field's agreement weighed for one pair of records."""
    from industrybrain.modules.enterprise.match.pipeline import MatchConfig, run_match

    left_table, right_table = _load(left, right, id_left, id_right, sep)
    result = run_match(left_table, right_table, MatchConfig.load(config))
    try:
        row_left = left_table.ids.index(left_id)
        row_right = result.right.ids.index(right_id)
    except ValueError as error:
        raise typer.BadParameter(f"unknown record id: {error}") from error
    levels, weight, probability = result.score_pair(row_left, row_right)
    table = RichTable("field", "left", "right", "agreement", "weight (bits)")
    for comparison, (name, label, weight) in zip(
        result.comparisons, result.model.explain(levels), strict=True
    ):
        table.add_row(
            name,
            str(left_table.columns[comparison.left_column][row_left] or ""),
            str(result.right.columns[comparison.right_column][row_right] or ""),
            label,
            f"{weight:+.2f}",
        )
    console.print(table)
    console.print(
        f"prior {result.model.prior:.4g}; match weight {weight:+.2f} bits; "
        f"probability {probability:.4f}"
    )
