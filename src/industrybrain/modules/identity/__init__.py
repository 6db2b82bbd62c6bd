"""Identity: organisations (six types), users, memberships with roles, the permission matrix,
server-side sessions and bearer tokens, API keys for machine clients, and login throttling.

Other modules use :func:`industrybrain.modules.identity.auth.require_permission` and
:class:`industrybrain.modules.identity.service.Principal`; the matrix is in ``permissions.py``
and documented in ``docs/permissions.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from industrybrain.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer
    from fastapi import APIRouter

HERE = Path(__file__).parent


@hookimpl
def register_models() -> None:
    from industrybrain.modules.identity import models  # noqa: F401


@hookimpl
def register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def register_api_routers() -> list[APIRouter]:
    from industrybrain.modules.identity.api import router

    return [router]


@hookimpl
def register_web_routers() -> list[APIRouter]:
    from industrybrain.modules.identity.admin import router as admin_router
    from industrybrain.modules.identity.views import router

    return [router, admin_router]


@hookimpl
def register_nav() -> list[Any]:
    from industrybrain.kit.pages import NavEntry
    from industrybrain.kit.webctx import N_

    return [
        NavEntry("/admin/orgs", N_("Organisations"), section="admin", order=800),
        NavEntry("/admin/users", N_("Users"), section="admin", order=810),
        NavEntry("/admin/api-keys", N_("API keys"), section="admin", order=820),
    ]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_locale_dirs() -> list[Path]:
    return [HERE / "locale"]


@hookimpl
def register_cli(cli: typer.Typer) -> None:
    from industrybrain.modules.identity.cli import orgs_cli, users_cli

    cli.add_typer(users_cli, name="users")
    cli.add_typer(orgs_cli, name="orgs")


@hookimpl
def authenticate_request(request: Any) -> Any:
    from industrybrain.modules.identity.auth import authenticate

    return authenticate(request)


@hookimpl
def csrf_token(request: Any) -> Any:
    from industrybrain.modules.identity.auth import authenticate, csrf_token_for

    principal = authenticate(request)
    if principal is None or principal.method != "cookie" or not principal.csrf_binding:
        return ""
    return csrf_token_for(principal)


@hookimpl
def verify_csrf(request: Any, token: Any) -> Any:
    from industrybrain.modules.identity.auth import CSRF_HEADER, authenticate, csrf_signer

    principal = authenticate(request)
    if principal is None or principal.method != "cookie":
        return True
    presented = request.headers.get(CSRF_HEADER) or token
    return csrf_signer().verify(
        presented if isinstance(presented, str) else None, principal.csrf_binding
    )
