"""Brain registry (产业大脑名录): brains per sub-industry (GB/T 4754 class) and region (GB/T 2260),
their operator organisation and status life cycle, regional partitions (分区) and their merge,
and the enterprises of each brain's cluster. Also seeds the demo accounts and the demo brain."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

HERE = Path(__file__).parent
DEMO_STEP_ORDER = 5


@hookimpl
def register_models() -> None:
    from industrybrain.modules.brain import models  # noqa: F401


@hookimpl
def register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def register_api_routers() -> list[APIRouter]:
    from industrybrain.modules.brain.api import router

    return [router]


@hookimpl
def register_web_routers() -> list[APIRouter]:
    from industrybrain.modules.brain.views import router

    return [router]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]


@hookimpl
def register_nav() -> list[Any]:
    from industrybrain.kit.pages import NavEntry
    from industrybrain.kit.webctx import N_

    return [NavEntry("/admin/brains", N_("Brain registry"), section="admin", order=830)]


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.brain.cli import brains_cli

    cli.add_typer(brains_cli, name="brains")


@hookimpl
def register_demo_steps() -> list[Any]:
    from industrybrain.kit.demo import DemoStep
    from industrybrain.modules.brain import demo

    return [DemoStep(name="accounts-and-brain", order=DEMO_STEP_ORDER, run=demo.run)]
