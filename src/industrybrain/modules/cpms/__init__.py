"""Product master data standard (CPMS, 产品主数据标准): versioned per-industry standards with a
category tree and attribute dictionary, vectorised validation of product records, enterprises'
product records with platform product master codes, and the column-mapping assistant."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from industrybrain.kit.pages import ListPage, NavEntry

HERE = Path(__file__).parent


@hookimpl
def register_models() -> None:
    from industrybrain.modules.cpms import models  # noqa: F401


@hookimpl
def register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def register_api_routers() -> list[APIRouter]:
    from industrybrain.modules.cpms.api import router

    return [router]


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.cpms.cli import cpms_cli

    cli.add_typer(cpms_cli, name="cpms")


@hookimpl
def register_pages() -> list[ListPage]:
    from industrybrain.modules.cpms.pages import CATEGORIES_PAGE, PRODUCTS_PAGE

    return [CATEGORIES_PAGE, PRODUCTS_PAGE]


@hookimpl
def register_nav() -> list[NavEntry]:
    from industrybrain.modules.cpms.pages import NAV

    return list(NAV)


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]
