"""``industrybrain users ...`` and ``industrybrain orgs ...``."""

from __future__ import annotations

from contextlib import AbstractContextManager

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from industrybrain.modules.identity import service
from industrybrain.modules.identity.permissions import render_markdown

console = Console()
users_cli = typer.Typer(help="Users, memberships and the permission matrix.", no_args_is_help=True)
orgs_cli = typer.Typer(help="Organisations (six types) and their members.", no_args_is_help=True)


def _session_scope() -> AbstractContextManager[Session]:
    from industrybrain.runtime import get_database

    return get_database().session_scope()


def _fail(message: str) -> None:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


@orgs_cli.command("list")
def orgs_list(type: str | None = typer.Option(None, help="Only this organisation type.")) -> None:
    """List organisations."""
    from industrybrain.modules.identity.service import Principal

    everyone = Principal(0, "cli", frozenset({"org.manage"}), "api_key")
    table = Table("id", "type", "name", "region", "status")
    with _session_scope() as session:
        for org in service.list_visible_organizations(session, everyone, type):
            table.add_row(
                str(org.id),
                org.type,
                f"{org.name_zh} / {org.name_en}",
                org.region_code or "",
                org.status,
            )
    console.print(table)


@orgs_cli.command("create")
def orgs_create(
    type: str = typer.Argument(..., help="province_authority, gov_department, operator, ..."),
    name_zh: str = typer.Argument(..., help="Chinese name."),
    name_en: str = typer.Option("", help="English name."),
    region: str | None = typer.Option(None, help="GB/T 2260 region code."),
    uscc: str | None = typer.Option(None, help="Unified social credit code."),
) -> None:
    """Create an organisation."""
    try:
        with _session_scope() as session:
            org = service.create_organization(
                session,
                org_type=type,
                name_zh=name_zh,
                name_en=name_en,
                uscc=uscc,
                region_code=region,
            )
            console.print(f"[green]organisation {org.id} created[/green]")
    except service.IdentityError as exc:
        _fail(str(exc))


@users_cli.command("list")
def users_list() -> None:
    """List users with their memberships."""
    from industrybrain.modules.identity.service import Principal

    everyone = Principal(0, "cli", frozenset({"org.manage"}), "api_key")
    table = Table("id", "username", "name", "disabled", "memberships")
    with _session_scope() as session:
        for user in service.list_visible_users(session, everyone):
            roles = ", ".join(
                f"{m.organization_id}:{m.role}"
                for m in service.memberships_of_user(session, user.id)
            )
            table.add_row(str(user.id), user.username, user.display_name, str(user.disabled), roles)
    console.print(table)


@users_cli.command("create")
def users_create(
    username: str = typer.Argument(..., help="Login name."),
    organization_id: int = typer.Argument(..., help="Organisation of the first membership."),
    role: str = typer.Option("admin", help="Role in that organisation."),
    display_name: str = typer.Option("", help="Name shown in the UI."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="Password (8+ chars)."
    ),
) -> None:
    """Create a user with one membership."""
    try:
        with _session_scope() as session:
            user = service.create_user(
                session, username=username, password=password, display_name=display_name
            )
            service.add_membership(session, user.id, organization_id, role)
            console.print(f"[green]user {user.id} created[/green]")
    except service.IdentityError as exc:
        _fail(str(exc))


@users_cli.command("disable")
def users_disable(
    username: str = typer.Argument(..., help="Login name."),
    enable: bool = typer.Option(False, "--enable", help="Enable instead of disable."),
) -> None:
    """Disable (or enable) an account; its sessions end at once."""
    with _session_scope() as session:
        user = service.find_user(session, username)
        if user is None:
            _fail("no such user")
            return
        service.set_user_disabled(session, user, not enable)
    console.print(f"[green]{username} {'enabled' if enable else 'disabled'}[/green]")


@users_cli.command("permissions-doc")
def permissions_doc() -> None:
    """Print the permission matrix as Markdown (the text of docs/permissions.md)."""
    typer.echo(render_markdown(), nl=False)
