"""The one public extension surface of Industry Brain (pluggy hook specifications).

Built-in modules under ``industrybrain.modules`` register through these same hooks; third-party
packages register a module object in the entry-point group ``industrybrain.plugins``::

    [project.entry-points."industrybrain.plugins"]
    my_plugin = "my_package.plugin"

Every hook is documented in ``docs/plugins.md`` (a test checks it). List hooks return a list and
the results of all plugins are concatenated.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

    from industrybrain.kit.components import ComponentSpec
    from industrybrain.kit.jobs import JobSpec
    from industrybrain.kit.pages import ListPage, NavEntry

PROJECT_NAME = "industrybrain"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_models() -> None:
    """Import the module's ``models`` so that its tables join the shared metadata."""


@hookspec
def register_migrations() -> list[Path]:
    """Folders of Alembic revision files of this plugin (one branch per plugin, label = plugin name)."""


@hookspec
def register_components() -> list[ComponentSpec]:
    """Components (knowledge / tool / application) this plugin offers to the capability center."""


@hookspec
def register_api_routers() -> list[APIRouter]:
    """JSON API routers; mounted under ``/api``."""


@hookspec
def register_web_routers() -> list[APIRouter]:
    """HTML (Jinja2 + HTMX) routers; mounted at the root."""


@hookspec
def register_pages() -> list[ListPage]:
    """Declarative pages (table, filters, detail, form) rendered by the generic views."""


@hookspec
def register_nav() -> list[NavEntry]:
    """Entries of the main navigation."""


@hookspec
def register_template_dirs() -> list[Path]:
    """Folders of Jinja2 templates (each holding a sub-folder named after the plugin)."""


@hookspec
def register_locale_dirs() -> list[Path]:
    """Folders holding ``<locale>/LC_MESSAGES/messages.po`` catalogs of this plugin."""


@hookspec
def register_cli(cli: typer.Typer) -> None:
    """Add commands or sub-apps (``cli.add_typer``) to the ``industrybrain`` command."""


@hookspec
def register_jobs() -> list[JobSpec]:
    """Background job kinds this plugin can run."""


@hookspec
def register_brain_templates() -> list[Path]:
    """Folders of brain templates (each sub-folder is one template: chain, CPMS categories, ...)."""


@hookspec
def register_demo_steps() -> list[Any]:
    """Steps that ``industrybrain demo build`` runs, as ``industrybrain.kit.demo.DemoStep``."""


@hookspec
def register_lifespan() -> list[Any]:
    """Async context manager factories ``f(app)`` entered while the web app runs (e.g. a worker)."""


@hookspec(firstresult=True)
def authenticate_request(request: Any) -> Any:
    """The principal of an HTTP request (an object with ``has(permission) -> bool``), or None.

    The first plugin that answers wins; the identity module implements it."""


@hookspec(firstresult=True)
def csrf_token(request: Any) -> Any:
    """The CSRF token that forms shown to this request must post back (``""`` when the request
    needs none, e.g. anonymous or bearer-authenticated), or None when no plugin knows.

    The first plugin that answers wins; the identity module implements it."""


@hookspec(firstresult=True)
def verify_csrf(request: Any, token: Any) -> Any:
    """Whether an unsafe request may go on: ``True`` when ``token`` (or the ``X-CSRF-Token``
    header) matches the request's credential or the request needs no token (not authenticated
    by the session cookie), ``False`` otherwise; None when no plugin knows.

    The first plugin that answers wins; the identity module implements it."""
