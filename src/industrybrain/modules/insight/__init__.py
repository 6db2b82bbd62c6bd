"""Insight (分析预判): forecasts with calibrated intervals, prosperity and price indices.

Declares the ``insight.forecast`` tool component and the ``industrybrain insight`` commands.
Methods: docs/insight-methods.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer

    from industrybrain.kit.components import ComponentSpec


@hookimpl
def register_components() -> list[ComponentSpec]:
    from industrybrain.modules.insight.components import forecast_component

    return [forecast_component()]


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.insight.cli import insight_cli

    cli.add_typer(insight_cli, name="insight")
