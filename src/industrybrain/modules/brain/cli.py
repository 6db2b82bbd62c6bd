"""``industrybrain brains list|create|status``."""

from __future__ import annotations

from contextlib import AbstractContextManager

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from industrybrain.modules.brain import actions, service
from industrybrain.modules.brain.models import BRAIN_STATUSES
from industrybrain.modules.identity.service import IdentityError, NotFoundError

console = Console()
brains_cli = typer.Typer(help="The brain registry (产业大脑名录).", no_args_is_help=True)


def _session_scope() -> AbstractContextManager[Session]:
    from industrybrain.runtime import get_database

    return get_database().session_scope()


@brains_cli.command("list")
def brains_list(
    region: str | None = typer.Option(None, help="GB/T 2260 code: province, city or county."),
    industry: str | None = typer.Option(None, help="GB/T 4754 section, division, group, class."),
    status: str | None = typer.Option(None, help=", ".join(BRAIN_STATUSES)),
) -> None:
    """List brains, optionally filtered."""
    table = Table("id", "code", "name", "industry", "region", "operator", "status", "template")
    try:
        with _session_scope() as session:
            for brain in service.list_brains(
                session, region=region, industry=industry, status=status
            ):
                table.add_row(
                    str(brain.id),
                    brain.code,
                    brain.name_zh,
                    f"{brain.industry_class} {service.industry_name(brain.industry_class)}",
                    f"{brain.region_code} {service.region_name(brain.region_code)}",
                    str(brain.operator_organization_id),
                    brain.status,
                    brain.template,
                )
    except IdentityError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(table)


@brains_cli.command("create")
def brains_create(
    code: str = typer.Argument(..., help="Slug, e.g. wenling-pumps-valves."),
    name_zh: str = typer.Argument(..., help="Chinese name, e.g. 温岭泵阀产业大脑."),
    industry_class: str = typer.Option(..., "--industry", help="GB/T 4754 class, e.g. 3441."),
    region_code: str = typer.Option(..., "--region", help="GB/T 2260 city/county, e.g. 331081."),
    operator: int = typer.Option(..., help="Id of the operator organisation."),
    name_en: str = typer.Option("", help="English name."),
    template: str = typer.Option("", help="Brain template id, e.g. pumps-valves."),
    status: str = typer.Option("planned", help=", ".join(BRAIN_STATUSES)),
) -> None:
    """Register a brain (audited as the system)."""
    try:
        with _session_scope() as session:
            brain = actions.do_create_brain(
                session,
                None,
                code=code,
                name_zh=name_zh,
                name_en=name_en,
                industry_class=industry_class,
                region_code=region_code,
                operator_organization_id=operator,
                template=template,
                status=status,
            )
            console.print(f"[green]brain {brain.id} ({brain.code}) registered[/green]")
    except IdentityError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


@brains_cli.command("status")
def brains_status(
    code: str = typer.Argument(..., help="Brain code."),
    status: str = typer.Argument(..., help=", ".join(BRAIN_STATUSES)),
    reason: str = typer.Option("", help="Why (recorded in the brain's events)."),
) -> None:
    """Change a brain's status along the allowed transitions."""
    try:
        with _session_scope() as session:
            brain = service.find_brain(session, code)
            if brain is None:
                raise NotFoundError(f"no brain {code!r}")
            actions.do_change_status(session, None, brain, status, reason)
            console.print(f"[green]{code} is {status}[/green]")
    except IdentityError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
