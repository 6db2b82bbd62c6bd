"""Build the demo brain on the embedded stores: migrate, then run every plugin's demo step in
order with a progress bar, collecting what the steps report (e.g. the demo accounts)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from industrybrain.config import get_settings
from industrybrain.kit.demo import DemoContext, DemoStep
from industrybrain.plugins import collect

DEFAULT_ENTERPRISES = 3000
DEFAULT_SEED = 7
DEFAULT_TEMPLATE = "pumps-valves"


def demo_steps() -> list[DemoStep]:
    steps: list[DemoStep] = collect("register_demo_steps")
    names = [step.name for step in steps]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"demo steps declared twice: {sorted(duplicates)}")
    return sorted(steps, key=lambda step: (step.order, step.name))


def build_demo(
    *,
    enterprises: int = DEFAULT_ENTERPRISES,
    seed: int = DEFAULT_SEED,
    template: str = DEFAULT_TEMPLATE,
    console: Console | None = None,
    report: Callable[[str], None] | None = None,
) -> list[str]:
    """Run every demo step; return the lines the steps reported."""
    from industrybrain.migrations import upgrade_locked

    console = console or Console()
    settings = get_settings()
    data_dir: Path = settings.data_dir
    upgrade_locked(settings.sqlalchemy_url, data_dir)
    lines: list[str] = []

    def _report(line: str) -> None:
        lines.append(line)
        if report:
            report(line)

    context = DemoContext(
        data_dir=data_dir, enterprises=enterprises, seed=seed, template=template, report=_report
    )
    steps = demo_steps()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("building the demo brain", total=len(steps))
        context.progress = lambda message: progress.update(task, description=message)
        for step in steps:
            progress.update(task, description=f"demo: {step.name}")
            step.run(context)
            progress.advance(task)
    return lines
