"""``industrybrain demo generate`` and ``industrybrain demo report``."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

demo_cli = typer.Typer(
    help="The demo cluster: synthetic sources and ground truth.", no_args_is_help=True
)
console = Console()
STEPS = 12  # progress callbacks of generate_demo


@demo_cli.command("generate")
def generate_command(
    out: Path = typer.Option(..., "--out", help="Folder to write (replaced if it exists)."),
    template: str = typer.Option("pumps-valves", help="Brain template id."),
    enterprises: int = typer.Option(3000, min=10, help="Number of enterprises."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives byte-identical files."),
    months: int = typer.Option(36, min=13, help="Months of monthly series (from 2023-01)."),
) -> None:
    """Generate the demo sources, catalogues and ground truth into OUT."""
    from industrybrain.modules.demo.service import generate_demo

    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("generate", total=STEPS)

        def step(name: str) -> None:
            progress.update(task, advance=1, description=name)

        manifest = generate_demo(
            out,
            template_id=template,
            enterprises=enterprises,
            seed=seed,
            months=months,
            progress=step,
        )
        progress.update(task, completed=STEPS, description="done")
    seconds = time.perf_counter() - started
    console.print(
        f"[green]{manifest['source_records']:,} source records[/green] of {enterprises:,} "
        f"enterprises in {out} ({seconds:.1f} s)"
    )


@demo_cli.command("report")
def report_command(
    out: Path = typer.Argument(..., help="Folder written by 'demo generate'."),
) -> None:
    """Print the figures of a generated demo cluster as Markdown."""
    from industrybrain.modules.demo.report import render_report

    typer.echo(render_report(out))


@demo_cli.command("build")
def build_command(
    enterprises: int = typer.Option(3000, min=10, help="Number of enterprises of the cluster."),
    seed: int = typer.Option(7, help="Random seed of the demo cluster."),
    template: str = typer.Option("pumps-valves", help="Brain template id."),
) -> None:
    """Build the demo brain on the configured stores (migrate, then every plugin's demo step)."""
    from industrybrain.modules.demo.build import build_demo

    lines = build_demo(enterprises=enterprises, seed=seed, template=template, console=console)
    _print_report(lines)


@demo_cli.command("run")
def run_command(
    enterprises: int = typer.Option(3000, min=10, help="Number of enterprises of the cluster."),
    seed: int = typer.Option(7, help="Random seed of the demo cluster."),
    template: str = typer.Option("pumps-valves", help="Brain template id."),
    host: str | None = typer.Option(None, help="Address to bind (default IB_HOST)."),
    port: int | None = typer.Option(None, help="Port (default IB_PORT)."),
) -> None:
    """Build the demo brain, print the demo accounts and serve the portal (what `make demo` runs)."""
    import uvicorn

    from industrybrain.config import get_settings
    from industrybrain.modules.demo.build import build_demo

    settings = get_settings()
    lines = build_demo(enterprises=enterprises, seed=seed, template=template, console=console)
    _print_report(lines)
    address = f"http://{host or settings.host}:{port or settings.port}"
    console.print(f"\n[bold green]Industry Brain demo: {address}[/bold green]  (Ctrl+C to stop)")
    uvicorn.run(
        "industrybrain.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="warning",
    )


def _print_report(lines: list[str]) -> None:
    if lines:
        console.rule("demo brain")
        for line in lines:
            console.print(line, soft_wrap=True, highlight=False)
