"""Demo cluster generator: a synthetic industrial cluster seen through its data sources.

``industrybrain demo generate`` writes, deterministically from a seed, the files that the
market regulation registry, tax, electricity, social insurance, patents, customs and the
enterprises themselves would hand over (with their formats and realistic faults), plus the
ground truth that the warehouse, entity resolution, tagging and CPMS validation are scored on.
The demo build step ``generate`` (order 10) writes them into ``<data dir>/demo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer

DEMO_STEP_ORDER = 10


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.demo.cli import demo_cli

    cli.add_typer(demo_cli, name="demo")


@hookimpl
def register_demo_steps() -> list[Any]:
    from industrybrain.kit.demo import DemoStep
    from industrybrain.modules.demo.service import run_demo_step

    return [DemoStep(name="generate", order=DEMO_STEP_ORDER, run=run_demo_step)]
