"""Brain templates (产业大脑模板) as a module: registers the packaged templates, the
``industrybrain templates`` commands, one knowledge component per template and the browse pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from industrybrain.hookspecs import hookimpl
from industrybrain.templates import PACKAGED_TEMPLATES_DIR

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from industrybrain.kit.components import ComponentSpec
    from industrybrain.kit.pages import NavEntry

HERE = Path(__file__).parent


@hookimpl
def register_brain_templates() -> list[Path]:
    return [PACKAGED_TEMPLATES_DIR]


@hookimpl
def register_components() -> list[ComponentSpec]:
    from industrybrain.modules.brain_template.service import template_components

    return template_components()


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.brain_template.cli import templates_cli

    cli.add_typer(templates_cli, name="templates")


@hookimpl
def register_api_routers() -> list[APIRouter]:
    from industrybrain.modules.brain_template.api import router

    return [router]


@hookimpl
def register_web_routers() -> list[APIRouter]:
    from industrybrain.modules.brain_template.views import router

    return [router]


@hookimpl
def register_nav() -> list[NavEntry]:
    from industrybrain.kit.pages import NavEntry

    return [NavEntry(path="/templates", label="Brain templates", section="knowledge", order=60)]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]
