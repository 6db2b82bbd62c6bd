"""Warehouse module (产业数据仓): data sources and their classification, ingestion into the raw
zone, pipeline runs with counts, quality and lineage, quarantine; pages, API, CLI and the demo
step. The engine-level pipeline is :mod:`industrybrain.warehouse`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from industrybrain.kit.components import ComponentSpec
    from industrybrain.kit.pages import ListPage, NavEntry

HERE = Path(__file__).parent
DEMO_STEP_ORDER = 20


@hookimpl
def register_models() -> None:
    from industrybrain.modules.warehouse import models  # noqa: F401


@hookimpl
def register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def register_components() -> list[ComponentSpec]:
    from industrybrain.kit.components import ComponentSpec

    return [
        ComponentSpec(
            kind="tool",
            id="warehouse.pipeline",
            version="0.1.0",
            title_zh="产业数据仓",
            title_en="Industrial data warehouse",
            description_zh="多源数据接入、标准化、隔离区、质量、血缘；DuckDB 或 Spark 引擎，原子发布。",
            description_en="Landing, standardisation, quarantine, quality and lineage of many "
            "sources on DuckDB or Spark, published atomically.",
        )
    ]


@hookimpl
def register_api_routers() -> list[APIRouter]:
    from industrybrain.modules.warehouse.api import router

    return [router]


@hookimpl
def register_web_routers() -> list[APIRouter]:
    from industrybrain.modules.warehouse.views import router

    return [router]


@hookimpl
def register_pages() -> list[ListPage]:
    from industrybrain.modules.warehouse.pages import PAGES

    return list(PAGES)


@hookimpl
def register_nav() -> list[NavEntry]:
    from industrybrain.modules.warehouse.pages import NAV

    return list(NAV)


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.warehouse.cli import warehouse_cli

    cli.add_typer(warehouse_cli, name="warehouse")


@hookimpl
def register_demo_steps() -> list[Any]:
    from industrybrain.kit.demo import DemoStep
    from industrybrain.modules.warehouse import demo

    return [DemoStep(name="warehouse", order=DEMO_STEP_ORDER, run=demo.run)]
