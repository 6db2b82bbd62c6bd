"""``industrybrain insight``: forecasts of long-format series (and, later, the published indices)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

console = Console(stderr=True)
insight_cli = typer.Typer(
    help="Insight: forecasts with calibrated intervals, prosperity and price indices.",
    no_args_is_help=True,
)


def _levels(text: str) -> list[int]:
    try:
        levels = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as exc:
        raise typer.BadParameter(f"levels must be integers like 80,95 (got {text!r})") from exc
    if not levels or any(not 0 < level < 100 for level in levels):
        raise typer.BadParameter("levels must be between 1 and 99, e.g. 80,95")
    return levels


@insight_cli.command("forecast")
def forecast_command(
    input: Path = typer.Option(..., "--input", "-i", help="CSV with columns unique_id,ds,y."),
    horizon: int = typer.Option(..., "--horizon", min=1, help="Periods to forecast."),
    out: Path = typer.Option(..., "--out", "-o", help="Output CSV of forecasts."),
    season_length: int | None = typer.Option(
        None, "--season-length", min=1, help="Season length; default from the frequency."
    ),
    level: str = typer.Option("80,95", "--level", help="Interval levels in percent."),
    models: str = typer.Option(
        "",
        "--models",
        help="Comma-separated candidate models (default: the fast set; AutoETS, AutoTheta, "
        "AutoARIMA and OptimizedTheta are slower).",
    ),
    selection: str = typer.Option(
        "per_series", "--selection", help="per_series or global model choice."
    ),
    n_jobs: int = typer.Option(2, "--jobs", min=1, help="Worker processes."),
) -> None:
    """Forecast every series of INPUT; write OUT (forecasts), OUT.rejected.csv and a report.

    The output has unique_id, ds, yhat, lo-L and hi-L per level, and the chosen model.
    """
    from industrybrain.modules.insight.forecast import (
        DEFAULT_CANDIDATES,
        ForecastInputError,
        forecast_series,
        read_long_csv,
    )

    levels = _levels(level)
    candidates = [m.strip() for m in models.split(",") if m.strip()] or list(DEFAULT_CANDIDATES)
    if not input.is_file():
        console.print(f"[red]no such file: {input}[/red]")
        raise typer.Exit(2)
    try:
        prepared = read_long_csv(input)
        with console.status(f"forecasting {prepared.series_count:,} series"):
            result = forecast_series(
                prepared,
                horizon,
                season_length=season_length,
                levels=levels,
                candidates=candidates,
                selection=selection,
                n_jobs=n_jobs,
            )
    except ForecastInputError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    result.forecasts.to_csv(out, index=False, float_format="%.6g")
    rejected_path = out.with_name(out.stem + ".rejected.csv")
    prepared.rejected.to_csv(rejected_path, index=False)
    report_path = out.with_name(out.stem + ".report.json")
    report_path.write_text(json.dumps(result.report, indent=2, default=str), encoding="utf-8")
    report = result.report
    typer.echo(
        f"rows in {report['rows_in']:,} = used {report['rows_used']:,} + rejected "
        f"{report['rows_rejected']:,} (filled gaps: {report['rows_filled']:,}); "
        f"{report['series']:,} series, period {report['period']}, season {report['season_length']}"
    )
    typer.echo("models: " + ", ".join(f"{k} {v}" for k, v in report["models"].items()))
    typer.echo(f"wrote {out} ({len(result.forecasts):,} rows) in {report['seconds']} s")
    if report["rows_rejected"]:
        typer.echo(f"rejected rows with reasons: {rejected_path}")
